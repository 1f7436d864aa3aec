from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError

from ..engine.portal import Column
from ..engine.portal import FileSettings
from ..engine.portal import render


def csv_separators(model):
    """The CSV separators, labelled in the user's language. A function, not a list: Odoo names the translation of
    a listed choice after its value, and the tab's value (a tab character) cannot be written in a .po file, so
    "Tab" stayed English."""
    return [
        (";", model.env._("Semicolon ;")),
        (",", model.env._("Comma ,")),
        ("\t", model.env._("Tab")),
        ("|", model.env._("Pipe |")),
    ]
ENCODINGS = [("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8 with BOM (Excel)"), ("cp1252", "Windows-1252"),
             ("iso-8859-15", "ISO-8859-15")]
DATE_FORMATS = [("%d/%m/%Y", "31/12/2025"), ("%Y-%m-%d", "2025-12-31"), ("%d%m%Y", "31122025"),
                ("%d.%m.%Y", "31.12.2025")]


class EssmsPortalLayout(models.Model):
    """The file a département's portal expects each month (billing-rules §5): settings and ordered columns.

    An operator copies a layout and adapts its columns without code: columns choose from a fixed list of
    sources (`engine/portal.py` documents them), never free Python.
    """

    _name = "essms.portal.layout"
    _description = "Portal export layout"
    _order = "sequence, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", index=True, default=lambda self: self.env.company,
        help="Empty: the layout is shared by every company.",
    )
    payer_id = fields.Many2one(
        "res.partner", string="Payer", check_company=True, index=True,
        domain="[('essms_payer_kind', '=', 'departement')]",
        help="The département whose portal takes this file; empty: any payer.",
    )
    description = fields.Text(translate=True)
    file_format = fields.Selection(
        selection=[("xlsx", "Spreadsheet (XLSX)"), ("csv", "CSV")], string="Format", required=True, default="xlsx"
    )
    csv_separator = fields.Selection(selection=csv_separators, string="CSV separator", default=";")
    encoding = fields.Selection(selection=ENCODINGS, default="utf-8", help="Encoding of a CSV file.")
    decimal_separator = fields.Selection(selection=[(",", "Comma ,"), (".", "Dot .")], default=",", required=True)
    date_format = fields.Selection(selection=DATE_FORMATS, default="%d/%m/%Y", required=True)
    header = fields.Boolean(string="Header row", default=True)
    column_ids = fields.One2many("essms.portal.layout.column", "layout_id", string="Columns", copy=True)

    @api.constrains("file_format", "csv_separator", "decimal_separator")
    def _check_separators(self):
        for layout in self:
            if layout.file_format == "csv" and not layout.csv_separator:
                raise ValidationError(self.env._("Layout %(name)s: choose the CSV separator.", name=layout.name))
            if layout.file_format == "csv" and layout.csv_separator == layout.decimal_separator:
                raise ValidationError(
                    self.env._(
                        "Layout %(name)s: the CSV separator and the decimal separator must differ.", name=layout.name
                    )
                )

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        for layout, vals in zip(self, vals_list, strict=True):
            if "name" not in (default or {}):
                vals["name"] = self.env._("%(name)s (copy)", name=layout.name)
        return vals_list

    def _file_settings(self):
        self.ensure_one()
        return FileSettings(
            file_format=self.file_format,
            separator=self.csv_separator or ";",
            encoding=self.encoding or "utf-8",
            decimal_separator=self.decimal_separator,
            date_format=self.date_format,
            header=self.header,
        )

    def _engine_columns(self):
        self.ensure_one()
        return [
            Column(source=column.source, header=column.header or "", width=column.width, decimals=column.decimals)
            for column in self.column_ids.sorted(lambda column: (column.sequence, column.id))
        ]

    def _render(self, rows, days_in_month=31, sheet_title="Export"):
        """The file's bytes for ``rows`` (dicts of source → value)."""
        self.ensure_one()
        if not self.column_ids:
            raise ValidationError(self.env._("Layout %(name)s has no column.", name=self.name))
        return render(self._engine_columns(), rows, self._file_settings(), days_in_month, sheet_title)

    def _extension(self):
        return "xlsx" if self.file_format == "xlsx" else "csv"

    def _mimetype(self):
        if self.file_format == "xlsx":
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return "text/csv"
