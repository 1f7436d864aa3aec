from odoo import fields
from odoo import models

# The fixed sources a column may show (engine/portal.py SOURCES gives how each is written).
PORTAL_SOURCES = [
    ("payer_name", "Payer"),
    ("decision_reference", "Decision reference"),
    ("file_number", "File number"),
    ("beneficiary_name", "Beneficiary"),
    ("birth_name", "Birth name"),
    ("birth_date", "Birth date"),
    ("finess", "FINESS"),
    ("establishment_code", "Establishment code"),
    ("establishment_name", "Establishment"),
    ("accommodation", "Accommodation"),
    ("month", "Month (MM/YYYY)"),
    ("date_entry", "Entry date"),
    ("date_exit", "Exit date"),
    ("comment", "Comment (death, transfer, departure)"),
    ("days_in_stay", "Days in stay"),
    ("days_present", "Days present"),
    ("absence_hospital", "Hospital days"),
    ("absence_personal", "Personal absence days"),
    ("absence_holidays", "Holiday days"),
    ("absence_family_weekend", "Family weekend days"),
    ("absence_other", "Other absence days"),
    ("year_absence_days", "Absences this year (counter)"),
    ("year_hospital_days", "Hospital days this year (counter)"),
    ("quota_days", "Yearly quota"),
    ("days_full_price", "Billable days, full price"),
    ("days_reduced", "Billable days, reduced price"),
    ("days_resident", "Days charged to the resident"),
    ("days_billed", "Days billed to the payer"),
    ("daily_codes", "One column per day (code)"),
    ("day_string", "Days as one string (codes)"),
    ("unit_price", "Daily price"),
    ("gross_amount", "Gross amount"),
    ("contribution_amount", "Resident contribution"),
    ("net_amount", "Net amount for the payer"),
]


class EssmsPortalLayoutColumn(models.Model):
    """One column of a portal layout: a source chosen from a fixed list, its header and format."""

    _name = "essms.portal.layout.column"
    _description = "Portal export layout column"
    _order = "layout_id, sequence, id"

    layout_id = fields.Many2one("essms.portal.layout", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="layout_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    source = fields.Selection(selection=PORTAL_SOURCES, required=True)
    header = fields.Char(
        string="Header label",
        help="Column title in the file; for one column per day, the prefix of the day number (J → J01…J31).",
    )
    width = fields.Integer(help="Column width in the spreadsheet (characters); 0: automatic.")
    decimals = fields.Integer(default=2, help="Decimals of amounts.")
