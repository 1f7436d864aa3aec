from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError


class EssmsRecoverySettings(models.TransientModel):
    """The company's recovery settings, for the finance director (menu Configuration, Recovery settings).

    The settings are fields of the company, which only administrators may write: this screen lets the finance
    director (its access rights) change these settings, and only these, of the current company.
    """

    _name = "essms.recovery.settings"
    _description = "Recovery settings"

    company_id = fields.Many2one("res.company", required=True, readonly=True, default=lambda self: self.env.company)
    plan_notice_days = fields.Integer(
        string="Payment plan notice delay (days)",
        required=True,
        default=lambda self: self.env.company.essms_plan_notice_days,
        help="Days given to pay a missed instalment of a payment plan, counted from its due date, before the plan "
        "is ended as broken. The default of new plans; each plan keeps its own.",
    )

    doubtful_notice_days = fields.Integer(
        string="Doubtful after a formal notice (days)",
        required=True,
        default=lambda self: self.env.company.essms_doubtful_notice_days,
        help="A claim whose formal notice is still unpaid this many days after it was sent is proposed for the "
        "doubtful receivables (416).",
    )

    @api.constrains("plan_notice_days")
    def _check_plan_notice_days(self):
        for settings in self:
            if settings.plan_notice_days < 1:
                raise ValidationError(self.env._("The payment plan notice delay must be at least one day."))

    def action_save(self):
        self.ensure_one()
        # Access to this model is the finance director's; the company record itself is written as superuser.
        self.company_id.sudo().write({"essms_plan_notice_days": self.plan_notice_days,
                                      "essms_doubtful_notice_days": self.doubtful_notice_days})
        return {"type": "ir.actions.act_window_close"}
