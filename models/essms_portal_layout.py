from odoo import api
from odoo import fields
from odoo import models

from ..engine.portal import Column


class EssmsPortalLayout(models.Model):
    """The file a département's portal expects each month (billing-rules §5): settings and ordered columns.

    An operator copies a layout and adapts its columns without code: columns choose from a fixed list of
    sources (`engine/portal.py` documents them), never free Python.
    """

    _name = "essms.portal.layout"
    _inherit = ["essms.file.layout.mixin"]
    _description = "Portal export layout"
    _order = "sequence, name, id"
    _check_company_auto = True

    payer_id = fields.Many2one(
        "res.partner", string="Payer", check_company=True, index=True,
        domain="[('essms_payer_kind', '=', 'departement')]",
        help="The département whose portal takes this file; empty: any payer.",
    )
    file_format = fields.Selection(
        selection=[("xlsx", "Spreadsheet (XLSX)"), ("csv", "CSV")], string="Format", required=True, default="xlsx"
    )
    encoding = fields.Selection(help="Encoding of a CSV file.")
    column_ids = fields.One2many("essms.portal.layout.column", "layout_id", string="Columns", copy=True)

    def _file_format(self):
        return self.file_format

    @api.constrains("file_format", "csv_separator", "decimal_separator")
    def _check_separators(self):
        return super()._check_separators()

    def _engine_column(self, column):
        return Column(source=column.source, header=column.header or "", width=column.width, decimals=column.decimals)

    def _extension(self):
        return "xlsx" if self.file_format == "xlsx" else "csv"

    def _mimetype(self):
        if self.file_format == "xlsx":
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return "text/csv"
