import io

from odoo import fields
from odoo import models
from odoo.tools import format_date

from ..engine.exports import SafeWorkbook
from ..reports.xlsx_styles import BOLD
from ..reports.xlsx_styles import EURO_FORMAT
from ..reports.xlsx_styles import ONE_DECIMAL_FORMAT
from ..reports.xlsx_styles import QUANTITY_FORMAT
from .download import download_file


class EssmsBillingReportExport(models.TransientModel):
    """The month's billing summary per establishment as a workbook: for the finance director every establishment,
    for an establishment's director their own only (the figures are read through the reporting's record rules)."""

    _name = "essms.billing.report.export"
    _description = "Billing summary export"

    period_start = fields.Date(
        string="Month",
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(day=1),
        help="Any day of the month: the whole month is summarised.",
    )
    file = fields.Binary(string="Workbook", readonly=True, attachment=False)
    filename = fields.Char(readonly=True)

    def action_export(self):
        self.ensure_one()
        month = self.period_start.replace(day=1)
        content = self._render(month, *self._figures(month))
        return download_file(
            self, content, self.env._("Billing summary %(month)s.xlsx", month=month.strftime("%Y-%m"))
        )

    def _figures(self, month):
        """Per establishment: the activity row's figures and the amounts billed per payer kind; per payer: days
        and amounts. Three grouped queries on the reporting view, under the user's record rules."""
        Report = self.env["essms.billing.report"]
        hospital = "absence_hospital" in Report.fields_get(["absence_hospital"])
        measures = ["days_present:sum", "capacity_days:sum", "absence_other_kinds:sum"]
        if hospital:
            measures.append("absence_hospital:sum")
        activity = {
            establishment: dict(zip(measures, values, strict=True))
            for establishment, *values in Report._read_group(
                [("month", "=", month), ("row_type", "=", "activity")], ["establishment_id"], measures
            )
        }
        billed = Report._read_group(
            [("month", "=", month), ("row_type", "=", "billed")],
            ["establishment_id", "payer_kind"],
            ["days_billed:sum", "amount:sum"],
        )
        payers = Report._read_group(
            [("month", "=", month), ("row_type", "=", "billed")],
            ["establishment_id", "payer_id"],
            ["days_billed:sum", "amount:sum"],
        )
        return activity, billed, payers, hospital

    def _render(self, month, activity, billed, payers, hospital):
        kinds = dict(self.env["res.partner"]._fields["essms_payer_kind"]._description_selection(self.env))
        kinds_used = [kind for kind in kinds if any(row[1] == kind for row in billed)]
        establishments = sorted({*activity, *(row[0] for row in billed)}, key=lambda e: e.display_name or "")
        per_kind = {(establishment, kind): (days, amount) for establishment, kind, days, amount in billed}
        workbook = SafeWorkbook()
        sheet = workbook.active
        sheet.title = self.env._("Summary")
        sheet.append([self.env._("Billing summary – %(company)s", company=self.env.company.name)])
        sheet.append([self.env._("Month of %(month)s", month=format_date(self.env, month, date_format="MMMM y"))])
        sheet["A1"].font = BOLD
        headers = [self.env._("Establishment"), self.env._("Capacity (days)"), self.env._("Days present"),
                   self.env._("Occupancy (%)")]
        formats = [None, QUANTITY_FORMAT, QUANTITY_FORMAT, ONE_DECIMAL_FORMAT]
        if hospital:
            headers.append(self.env._("Hospital"))
            formats.append(QUANTITY_FORMAT)
        headers += [self.env._("Other absences"), self.env._("Days billed")]
        formats += [QUANTITY_FORMAT, QUANTITY_FORMAT]
        for kind in kinds_used:
            headers.append(self.env._("Billed: %(kind)s", kind=kinds[kind] if kind else self.env._("Other")))
            formats.append(EURO_FORMAT)
        headers.append(self.env._("Total billed"))
        formats.append(EURO_FORMAT)
        sheet.append([])
        sheet.append(headers)
        header_row = sheet.max_row
        for cell in sheet[header_row]:
            cell.font = BOLD
        totals = [0.0] * len(headers)
        for establishment in establishments:
            figures = activity.get(establishment, {})
            present, capacity = figures.get("days_present:sum", 0.0), figures.get("capacity_days:sum", 0.0)
            row = [establishment.display_name, capacity, present, 100.0 * present / capacity if capacity else 0.0]
            if hospital:
                row.append(figures.get("absence_hospital:sum", 0.0))
            row.append(figures.get("absence_other_kinds:sum", 0.0))
            row.append(sum(per_kind.get((establishment, kind), (0.0, 0.0))[0] for kind in kinds_used))
            amounts = [per_kind.get((establishment, kind), (0.0, 0.0))[1] for kind in kinds_used]
            row += [*amounts, sum(amounts)]
            sheet.append(row)
            for index, value in enumerate(row[1:], start=1):
                totals[index] += value
        totals[0] = self.env._("Total")
        capacity_total, present_total = totals[1], totals[2]
        totals[3] = 100.0 * present_total / capacity_total if capacity_total else 0.0
        sheet.append(totals)
        for cell in sheet[sheet.max_row]:
            cell.font = BOLD
        for row in sheet.iter_rows(min_row=header_row + 1, max_row=sheet.max_row):
            for cell, number_format in zip(row, formats, strict=False):
                if number_format:
                    cell.number_format = number_format
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2)
        sheet.column_dimensions["A"].width = 40
        for letter in "BCDEFGHIJKLMNOP":
            sheet.column_dimensions[letter].width = 16

        by_payer = workbook.create_sheet(self.env._("By payer"))
        by_payer.append([self.env._("Establishment"), self.env._("Billed to"), self.env._("Days billed"),
                         self.env._("Amount billed")])
        for cell in by_payer[1]:
            cell.font = BOLD
        for establishment, payer, days, amount in sorted(
            payers, key=lambda row: (row[0].display_name or "", row[1].display_name or "")
        ):
            by_payer.append([establishment.display_name, payer.display_name, days, amount])
            by_payer.cell(row=by_payer.max_row, column=3).number_format = QUANTITY_FORMAT
            by_payer.cell(row=by_payer.max_row, column=4).number_format = EURO_FORMAT
        by_payer.freeze_panes = "A2"
        by_payer.column_dimensions["A"].width = 40
        by_payer.column_dimensions["B"].width = 40
        stream = io.BytesIO()
        workbook.save(stream)
        return stream.getvalue()
