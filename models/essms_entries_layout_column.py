from odoo import fields
from odoo import models

# The fixed sources of an entries export column (engine/portal.py SOURCES says how each is written).
ENTRIES_SOURCES = [
    ("journal_code", "Journal code"),
    ("journal_name", "Journal"),
    ("move_name", "Entry number"),
    ("move_ref", "Reference"),
    ("entry_date", "Date"),
    ("account_code", "Account"),
    ("account_name", "Account name"),
    ("partner_ref", "Partner reference"),
    ("partner_name", "Partner"),
    ("label", "Label"),
    ("debit", "Debit"),
    ("credit", "Credit"),
    ("balance", "Balance"),
    ("matching_number", "Lettering code"),
    ("matching_date", "Lettering date"),
]


class EssmsEntriesLayoutColumn(models.Model):
    """One column of an entries export layout."""

    _name = "essms.entries.layout.column"
    _description = "Accounting entries export layout column"
    _order = "layout_id, sequence, id"

    layout_id = fields.Many2one("essms.entries.layout", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="layout_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    source = fields.Selection(selection=ENTRIES_SOURCES, required=True)
    header = fields.Char(string="Header label")
    decimals = fields.Integer(default=2, help="Decimals of amounts.")
