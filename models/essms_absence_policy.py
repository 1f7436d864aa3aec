from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError


class EssmsAbsencePolicy(models.Model):
    """The absence rules of a payer's règlement départemental d'aide sociale (billing-rules §3)."""

    _name = "essms.absence.policy"
    _description = "Absence policy (RDAS)"
    _inherit = ["mail.thread"]
    _order = "name"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    payer_id = fields.Many2one("res.partner", string="Payer", check_company=True, tracking=True)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company, index=True)
    threshold_hours = fields.Integer(
        default=72, required=True, tracking=True, help="An absence longer than this reduces the daily price."
    )
    threshold_scope = fields.Selection(
        selection=[("each_absence", "Each absence"), ("once_a_year", "Once a year")],
        default="each_absence",
        required=True,
        tracking=True,
        help="Whether the days at full price before the threshold are granted for each absence or once per "
        "civil year.",
    )
    reduction_start = fields.Selection(
        selection=[("after_threshold", "After the threshold"), ("first_day", "From the first day")],
        default="after_threshold",
        required=True,
        tracking=True,
    )
    reduction_kind = fields.Selection(
        selection=[
            ("fjh", "Daily hospital fee (FJH)"),
            ("fixed", "Fixed amount"),
            ("percent", "Percentage"),
            ("reservation", "Place reservation price"),
            ("none", "No reduction"),
        ],
        default="fjh",
        required=True,
        tracking=True,
    )
    reduction_value = fields.Float(
        digits=(16, 2), tracking=True, help="Amount per day (fixed) or percentage of the daily price (percent)."
    )
    quota_days = fields.Integer(
        string="Yearly quota (days)",
        tracking=True,
        help="Days of absence the payer covers per civil year; 0 means no quota.",
    )
    after_quota = fields.Selection(
        selection=[("resident", "Charged to the resident"), ("not_billed", "Not billed")],
        default="not_billed",
        required=True,
        tracking=True,
    )
    count_weekends_holidays = fields.Boolean(
        string="Count weekends and public holidays", default=True, tracking=True
    )
    hospital_separate_counter = fields.Boolean(
        string="Separate hospital counter", tracking=True, help="Hospital days are counted apart from the quota."
    )
    holiday_contribution_exoneration = fields.Boolean(
        string="Contribution exoneration for holidays",
        tracking=True,
        help="A week of holidays exonerates 3/13 of the monthly contribution (CASF R344-30).",
    )
    entry_day_billed = fields.Boolean(default=True, tracking=True)
    exit_day_billed = fields.Boolean(default=False, tracking=True)
    contribution_proration = fields.Selection(
        selection=[("calendar", "Calendar days"), ("thirty", "30 days")],
        default="calendar",
        required=True,
        tracking=True,
    )
    active = fields.Boolean(default=True)

    @api.constrains("threshold_hours", "reduction_kind", "reduction_value", "quota_days")
    def _check_values(self):
        for policy in self:
            if policy.threshold_hours < 0 or policy.quota_days < 0:
                raise ValidationError(
                    self.env._(
                        "Absence policy %(name)s: the threshold and the quota cannot be negative.", name=policy.name
                    )
                )
            if policy.reduction_kind == "percent" and not 0 <= policy.reduction_value <= 100:
                raise ValidationError(
                    self.env._(
                        "Absence policy %(name)s: a percentage reduction must lie between 0 and 100.",
                        name=policy.name,
                    )
                )
            if policy.reduction_kind == "fixed" and policy.reduction_value < 0:
                raise ValidationError(
                    self.env._(
                        "Absence policy %(name)s: the fixed reduction cannot be negative.", name=policy.name
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        # An agreement without its policy would silently bill absences at full price.
        agreements = (
            self.env["essms.agreement"]
            .sudo()
            .with_context(active_test=False)
            .search([("absence_policy_id", "in", self.ids)])
        )
        if agreements:
            raise ValidationError(
                self.env._(
                    "The absence policy %(name)s is used by the agreement %(agreements)s and cannot be deleted; "
                    "archive it instead.",
                    name=", ".join(agreements.absence_policy_id.mapped("name")),
                    agreements=", ".join(agreements.mapped("name")),
                )
            )
