"""The public accountant's recovery path as a dunning policy (recovery-rules §4): an amicable reminder, then the
mise en demeure de payer before the first act that costs fees; then the SATD and the referral to the commissaire de
justice, which are acts of enforcement (essms.third.party.notice, the bailiff file) under the authorising officer's
permission. The association's formal notice and legal interest do not apply to a public body's titres."""

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError

from .res_company_public import CREDITOR_KINDS

PUBLIC_NOTICE = "public_formal_notice"


class EssmsDunningPolicy(models.Model):
    _inherit = "essms.dunning.policy"

    creditor_kind = fields.Selection(
        selection=CREDITOR_KINDS, default="association", required=True, tracking=True,
        help="The companies whose claims this policy reminds: an association's, or a public body's titres.")

    @api.constrains("creditor_kind", "legal_interest", "level_ids")
    def _check_creditor_kind(self):
        for policy in self:
            kinds = set(policy.level_ids.mapped("letter_kind"))
            if policy.creditor_kind == "public_body" and (policy.legal_interest or "formal_notice" in kinds):
                raise ValidationError(self.env._(
                    "Dunning policy %(name)s: a public body's titres get a mise en demeure de payer, neither the "
                    "association's formal notice nor legal interest.", name=policy.name))
            if policy.creditor_kind == "association" and PUBLIC_NOTICE in kinds:
                raise ValidationError(self.env._(
                    "Dunning policy %(name)s: only a public body's accountant sends a mise en demeure de payer.",
                    name=policy.name))

    def _policy_domain(self, company):
        """Only the policies of the company's creditor kind: a public body's titres follow the accountant's path."""
        return [*super()._policy_domain(company), ("creditor_kind", "=", company.essms_creditor_kind)]


class EssmsDunningLevel(models.Model):
    _inherit = "essms.dunning.level"

    letter_kind = fields.Selection(
        selection_add=[(PUBLIC_NOTICE, "Mise en demeure de payer")], ondelete={PUBLIC_NOTICE: "set default"})

    @api.constrains("delay_days", "payment_days", "letter_kind", "stage", "min_amount")
    def _check_values(self):
        public = self.filtered(lambda level: level.letter_kind == PUBLIC_NOTICE)
        result = super(EssmsDunningLevel, self - public)._check_values()
        for level in public:
            if level.stage != "formal_notice" or level.payment_days < 8 or level.delay_days < 0:
                raise ValidationError(self.env._(
                    "Dunning level %(name)s: a mise en demeure de payer leads to the formal notice stage and gives "
                    "at least 8 days to pay.", name=level.name))
        return result
