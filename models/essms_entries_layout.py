from odoo import fields
from odoo import models


class EssmsEntriesLayout(models.Model):
    """The CSV an external accounting package imports: the journal entries' lines, column by column."""

    _name = "essms.entries.layout"
    _inherit = ["essms.file.layout.mixin"]
    _description = "Accounting entries export layout"
    _order = "sequence, name, id"
    _check_company_auto = True

    csv_separator = fields.Selection(required=True)
    encoding = fields.Selection(required=True)
    column_ids = fields.One2many("essms.entries.layout.column", "layout_id", string="Columns", copy=True)
