from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError

from ..engine.portal import Column
from ..engine.portal import FileSettings
from ..engine.portal import render
from .essms_portal_layout import DATE_FORMATS
from .essms_portal_layout import ENCODINGS
from .essms_portal_layout import csv_separators


class EssmsEntriesLayout(models.Model):
    """The CSV an external accounting package imports: the journal entries' lines, column by column."""

    _name = "essms.entries.layout"
    _description = "Accounting entries export layout"
    _order = "sequence, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", index=True, default=lambda self: self.env.company,
        help="Empty: the layout is shared by every company.",
    )
    description = fields.Text(translate=True)
    csv_separator = fields.Selection(selection=csv_separators, string="CSV separator", required=True, default=";")
    encoding = fields.Selection(selection=ENCODINGS, required=True, default="utf-8")
    decimal_separator = fields.Selection(selection=[(",", "Comma ,"), (".", "Dot .")], default=",", required=True)
    date_format = fields.Selection(selection=DATE_FORMATS, default="%d/%m/%Y", required=True)
    header = fields.Boolean(string="Header row", default=True)
    column_ids = fields.One2many("essms.entries.layout.column", "layout_id", string="Columns", copy=True)

    @api.constrains("csv_separator", "decimal_separator")
    def _check_separators(self):
        for layout in self:
            if layout.csv_separator == layout.decimal_separator:
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
            file_format="csv",
            separator=self.csv_separator,
            encoding=self.encoding,
            decimal_separator=self.decimal_separator,
            date_format=self.date_format,
            header=self.header,
        )

    def _render(self, rows):
        self.ensure_one()
        if not self.column_ids:
            raise ValidationError(self.env._("Layout %(name)s has no column.", name=self.name))
        columns = [
            Column(source=column.source, header=column.header or "", decimals=column.decimals)
            for column in self.column_ids.sorted(lambda column: (column.sequence, column.id))
        ]
        return render(columns, rows, self._file_settings())
