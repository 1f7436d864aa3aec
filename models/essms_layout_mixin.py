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


class EssmsLayoutMixin(models.AbstractModel):
    """A layout an operator copies and adapts without code: the payment advices read with one, the portal files
    and the accounting entries are written with one."""

    _name = "essms.layout.mixin"
    _description = "Layout"

    name = fields.Char(required=True, translate=True)

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        for layout, vals in zip(self, vals_list, strict=True):
            if "name" not in (default or {}):
                vals["name"] = self.env._("%(name)s (copy)", name=layout.name)
        return vals_list


class EssmsFileLayoutMixin(models.AbstractModel):
    """A layout that writes a file: its settings (separators, encoding, dates, header) and ordered columns, each a
    source from a fixed list (``engine/portal.py``), rendered by the engine."""

    _name = "essms.file.layout.mixin"
    _inherit = ["essms.layout.mixin"]
    _description = "File layout"

    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", index=True, default=lambda self: self.env.company,
        help="Empty: the layout is shared by every company.",
    )
    description = fields.Text(translate=True)
    csv_separator = fields.Selection(selection=csv_separators, string="CSV separator", default=";")
    encoding = fields.Selection(selection=ENCODINGS, default="utf-8")
    decimal_separator = fields.Selection(selection=[(",", "Comma ,"), (".", "Dot .")], default=",", required=True)
    date_format = fields.Selection(selection=DATE_FORMATS, default="%d/%m/%Y", required=True)
    header = fields.Boolean(string="Header row", default=True)

    def _file_format(self):
        """``csv`` or ``xlsx``: what this layout writes."""
        return "csv"

    @api.constrains("csv_separator", "decimal_separator")
    def _check_separators(self):
        for layout in self:
            if layout._file_format() != "csv":
                continue
            if not layout.csv_separator:
                raise ValidationError(
                    self.env._("Layout %(name)s: choose the CSV separator.", name=layout.name)
                )
            if layout.csv_separator == layout.decimal_separator:
                raise ValidationError(
                    self.env._(
                        "Layout %(name)s: the CSV separator and the decimal separator must differ.", name=layout.name
                    )
                )

    def _file_settings(self):
        self.ensure_one()
        return FileSettings(
            file_format=self._file_format(),
            separator=self.csv_separator or ";",
            encoding=self.encoding or "utf-8",
            decimal_separator=self.decimal_separator,
            date_format=self.date_format,
            header=self.header,
        )

    def _engine_column(self, column):
        return Column(source=column.source, header=column.header or "", decimals=column.decimals)

    def _engine_columns(self):
        self.ensure_one()
        return [
            self._engine_column(column)
            for column in self.column_ids.sorted(lambda column: (column.sequence, column.id))
        ]

    def _render(self, rows, days_in_month=31, sheet_title="Export"):
        """The file's bytes for ``rows`` (dicts of source → value)."""
        self.ensure_one()
        if not self.column_ids:
            raise ValidationError(self.env._("Layout %(name)s has no column.", name=self.name))
        return render(self._engine_columns(), rows, self._file_settings(), days_in_month, sheet_title)
