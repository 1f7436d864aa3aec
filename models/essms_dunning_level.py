from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError

# The stages of a claim (recovery-rules §1).
RECOVERY_STAGES = [
    ("billed", "Billed"),
    ("due", "Due"),
    ("reminded", "Reminded"),
    ("firm_reminder", "Firm reminder"),
    ("formal_notice", "Formal notice"),
    ("title_pending", "Enforceable title pending"),
    ("enforceable", "Enforceable"),
    ("enforcing", "Enforcement"),
    ("paid", "Paid"),
    ("written_off", "Written off"),
    ("extinct", "Extinct"),
    ("remitted", "Remitted"),
    ("cancelled", "Cancelled"),
]
# What a level may lead to: the amicable stages.
LEVEL_STAGES = [stage for stage in RECOVERY_STAGES if stage[0] in ("reminded", "firm_reminder", "formal_notice")]
LETTER_KINDS = [
    ("reminder", "Reminder"),
    ("firm_reminder", "Firm reminder"),
    ("formal_notice", "Formal notice"),
    ("administrative_reminder", "Administrative reminder"),
    ("payment_demand", "Written payment demand"),
]


class EssmsDunningLevel(models.Model):
    """A step of a dunning policy: when it is due, for how much, how it is sent, what it leads to."""

    _name = "essms.dunning.level"
    _description = "Dunning level"
    _order = "policy_id, sequence, delay_days, id"
    _check_company_auto = True

    policy_id = fields.Many2one("essms.dunning.policy", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="policy_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    delay_days = fields.Integer(
        string="Days after due date", required=True, help="The level is due this many days after the due date."
    )
    currency_id = fields.Many2one("res.currency", default=lambda self: self.env.company.currency_id, required=True)
    min_amount = fields.Monetary(
        string="Minimum amount", help="The level is reached only if the debtor owes at least this amount."
    )
    letter_kind = fields.Selection(
        selection=LETTER_KINDS, required=True, default="reminder", help="The wording of the letter."
    )
    stage = fields.Selection(
        selection=LEVEL_STAGES, required=True, default="reminded", help="The stage the invoices reach."
    )
    channel_letter = fields.Boolean(string="Printed letter", default=True)
    channel_email = fields.Boolean(string="E-mail", help="The letter is e-mailed as a PDF attachment.")
    channel_phone = fields.Boolean(string="Phone call", help="A phone-call activity is scheduled on the debtor.")
    registered_letter = fields.Boolean(help="Sent by registered letter with acknowledgment of receipt.")
    payment_days = fields.Integer(
        string="Days to pay", default=15, help="The deadline the letter gives to pay, from its date."
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail template",
        domain=[("model", "=", "essms.dunning.letter")],
        default=lambda self: self.env.ref("essms_billing.mail_template_essms_dunning_letter", raise_if_not_found=False),
    )
    report_id = fields.Many2one(
        "ir.actions.report",
        string="Letter",
        domain=[("model", "=", "essms.dunning.letter")],
        default=lambda self: self.env.ref("essms_billing.action_report_essms_dunning_letter", raise_if_not_found=False),
    )

    @api.constrains("delay_days", "payment_days", "letter_kind", "stage", "min_amount")
    def _check_values(self):
        for level in self:
            if level.delay_days < 0 or level.min_amount < 0:
                raise ValidationError(
                    self.env._("Dunning level %(name)s: the delay and the minimum amount cannot be negative.",
                               name=level.name)
                )
            notice = level.letter_kind == "formal_notice" or level.stage == "formal_notice"
            if notice and not 8 <= level.payment_days <= 15:
                raise ValidationError(
                    self.env._("Dunning level %(name)s: a formal notice gives 8 to 15 days to pay.", name=level.name)
                )
            if notice and (level.letter_kind, level.stage) != ("formal_notice", "formal_notice"):
                raise ValidationError(
                    self.env._("Dunning level %(name)s: a formal notice letter leads to the formal notice stage, "
                               "and only it does.", name=level.name)
                )
        self.policy_id._check_public_payer()
