from odoo import fields
from odoo import models


class EssmsActivityStatementLine(models.Model):
    """One stay's month on the activity statement (billing-rules §5)."""

    _name = "essms.activity.statement.line"
    _description = "Activity statement line"
    _order = "statement_id, beneficiary_id"

    statement_id = fields.Many2one("essms.activity.statement", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="statement_id.company_id", store=True)
    stay_id = fields.Many2one("essms.stay", required=True, ondelete="cascade", index=True)
    beneficiary_id = fields.Many2one(related="stay_id.beneficiary_id", store=True, index=True)
    accommodation = fields.Selection(related="stay_id.accommodation")
    date_start = fields.Date(related="stay_id.date_start", string="Entry date")
    date_end = fields.Date(related="stay_id.date_end", string="Exit date")
    decision_id = fields.Many2one(
        "essms.funding.decision", string="Funding decision", groups="essms_billing.group_essms_operator"
    )
    decision_state = fields.Selection(
        related="decision_id.state", string="Decision state", groups="essms_billing.group_essms_operator"
    )
    days_in_stay = fields.Integer(string="Days in stay")
    days_present = fields.Float(string="Present")
    absence_hospital = fields.Float(string="Hospital", groups="essms_billing.group_essms_operator")
    absence_personal = fields.Float(string="Personal")
    absence_holidays = fields.Float(string="Holidays")
    absence_family_weekend = fields.Float(string="Family weekends")
    absence_other = fields.Float(string="Other absences")
    days_full_price = fields.Float(string="Billable, full price")
    days_reduced = fields.Float(string="Billable, reduced")
    days_resident = fields.Float(string="Charged to the resident", help="Absence days after the yearly quota.")
    days_not_billed = fields.Integer(string="Not billed")
    year_absence_days = fields.Integer(string="Absences this year", help="Yearly counter at the end of the month.")
    year_hospital_days = fields.Integer(
        string="Hospital days this year", groups="essms_billing.group_essms_operator"
    )
    quota_days = fields.Integer(string="Yearly quota")
    day_codes = fields.Char(
        string="Days (codes)", groups="essms_billing.group_essms_operator",
        help="One character per day of the month, as the compact portal layout writes it (engine/portal.py).",
    )
