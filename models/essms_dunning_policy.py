from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError

from ..engine import payers
from .essms_receivable_ageing import _payer_kinds


class EssmsDunningPolicy(models.Model):
    """How the unpaid invoices of one kind of payer are reminded: the ordered levels (recovery-rules §2)."""

    _name = "essms.dunning.policy"
    _description = "Dunning policy"
    _inherit = ["mail.thread"]
    _order = "sequence, name"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", index=True, help="Empty: the policy applies to every company without its own."
    )
    payer_kind = fields.Selection(
        selection=_payer_kinds,
        required=True,
        tracking=True,
        help="The payers whose invoices this policy reminds.",
    )
    allow_skip = fields.Boolean(
        string="Skip missed levels",
        tracking=True,
        help="A debtor who missed runs goes straight to the level due; otherwise one level at a time.",
    )
    legal_interest = fields.Boolean(
        string="Legal interest",
        tracking=True,
        help="The formal notice claims the legal interest from its date (C. civ. 1344-1). Off for residents, "
        "families and public payers.",
    )
    auto_send = fields.Boolean(
        string="Send automatically",
        tracking=True,
        help="The daily job sends the letters of this policy as soon as it has proposed them, without the operator's "
        "review. A formal notice waiting for a finance director's approval is never sent automatically.",
    )
    level_ids = fields.One2many("essms.dunning.level", "policy_id", string="Levels", copy=True)
    is_public_payer = fields.Boolean(compute="_compute_is_public_payer")

    @api.depends("payer_kind")
    def _compute_is_public_payer(self):
        for policy in self:
            policy.is_public_payer = payers.is_public(policy.payer_kind)

    @api.constrains("payer_kind", "legal_interest", "level_ids")
    def _check_public_payer(self):
        for policy in self:
            # Payers of public money (recovery-rules §2): administrative reminders and payment demands only.
            if not payers.is_public(policy.payer_kind):
                continue
            if policy.level_ids.filtered(lambda level: level.stage == "formal_notice"):
                raise ValidationError(
                    self.env._(
                        "Dunning policy %(name)s: a public payer never receives a formal notice; give its levels "
                        "another stage.",
                        name=policy.name,
                    )
                )
            if policy.legal_interest:
                raise ValidationError(
                    self.env._("Dunning policy %(name)s: no legal interest is claimed from a public payer.",
                               name=policy.name)
                )

    def _policy_domain(self, company):
        """The policies ``company`` may use: its own and the shared ones (narrowed by the creditor kind)."""
        return [("company_id", "in", (False, company.id))]

    def _policy_by_kind(self, company):
        """``{payer kind: policy}`` for ``company``: its own policies first, then the shared ones."""
        policies = self.search(self._policy_domain(company), order="company_id desc nulls last, sequence, id")
        by_kind = {}
        for policy in policies:
            by_kind.setdefault(policy.payer_kind, policy)
        return by_kind
