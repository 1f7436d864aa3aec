import io

from openpyxl.utils import get_column_letter

from odoo import api
from odoo import models
from odoo.tools import format_date

from ..engine.exports import SafeWorkbook
from .xlsx_styles import DATE_FORMAT
from .xlsx_styles import DIFFERENCE_FONT
from .xlsx_styles import EURO_FORMAT
from .xlsx_styles import HEADER_ROW


class EssmsAccountingReciprocityXlsx(models.AbstractModel):
    """The billing vs accounting control as a workbook: a summary, the sales journals, the payers and the journal
    items that make the differences, each sheet with its header frozen, filters and totals (the cell helpers of the
    due-date tracking sheet, openpyxl write-only mode)."""

    _name = "essms.accounting.reciprocity.xlsx"
    _description = "Billing vs accounting control workbook"

    @api.model
    def _render(self, wizard):
        helper = self.env["essms.receivable.ageing.xlsx"]
        currency = wizard.currency_id
        title = self.env._("Billing vs accounting control – %(company)s", company=wizard.company_id.name)
        scope = self.env._("From %(start)s to %(end)s", start=format_date(self.env, wizard.date_from),
                           end=format_date(self.env, wizard.date_to))
        if wizard.establishment_ids:
            names = ", ".join(wizard.establishment_ids.mapped("name"))
            scope += " – " + self.env._("Establishments: %(names)s", names=names)
        workbook = SafeWorkbook(write_only=True)
        used = set()
        journals = wizard.journal_line_ids
        payers = wizard.payer_line_ids

        def total(rows, field):
            return currency.round(sum(rows.mapped(field)))

        sheet = workbook.create_sheet(helper._sheet_name(self.env._("Summary"), used))
        helper._setup_sheet(sheet, [44, 18, 18, 18])
        helper._write_heading(sheet, title, scope, [
            self.env._("Control"), self.env._("Billing"), self.env._("Accounting"), self.env._("Difference"),
        ])
        summary = [
            (self.env._("Sales journals: runs against revenue"), total(journals, "expected_amount"),
             total(journals, "ledger_amount"), total(journals, "difference")),
            (self.env._("Payers: due-date tracking against the general ledger"), total(payers, "expected_amount"),
             total(payers, "ledger_amount"), total(payers, "difference")),
        ]
        for label, billing, accounting, difference in summary:
            sheet.append([label, *(helper._cell(sheet, amount, number_format=EURO_FORMAT)
                                   for amount in (billing, accounting, difference))])
        sheet.append([self.env._("Rows with a difference"), wizard.difference_count])
        sheet.auto_filter.ref = "A%d:D%d" % (HEADER_ROW, HEADER_ROW + len(summary))

        self._write_rows(
            workbook, helper, used, self.env._("Sales journals"), title, scope,
            [self.env._("Establishment"), self.env._("Sales journal"), self.env._("Billed by the runs"),
             self.env._("Not posted"), self.env._("Revenue in the journal"), self.env._("Difference")],
            [30, 28, 18, 16, 18, 16],
            [(row.establishment_id.name or None, row.journal_id.display_name, row.expected_amount,
              row.unposted_amount, row.ledger_amount, row.difference, row.has_difference) for row in journals],
            2, currency,
        )
        self._write_rows(
            workbook, helper, used, self.env._("Payers"), title, scope,
            [self.env._("Payer"), self.env._("Due-date tracking"), self.env._("General ledger balance"),
             self.env._("Difference")],
            [40, 18, 18, 16],
            [(row.partner_id.name or self.env._("No partner"), row.expected_amount, row.ledger_amount, row.difference,
              row.has_difference) for row in payers],
            1, currency,
        )
        self._write_items(workbook, helper, used, title, wizard)
        stream = io.BytesIO()
        workbook.save(stream)
        return stream.getvalue()

    @api.model
    def _write_rows(self, workbook, helper, used, name, title, scope, headers, widths, rows, first_amount, currency):
        """Rows of text then amounts (the last value of a row says whether it has a difference, shown in red)."""
        sheet = workbook.create_sheet(helper._sheet_name(name, used))
        helper._setup_sheet(sheet, widths)
        helper._write_heading(sheet, title, scope, headers)
        amount_count = len(headers) - first_amount
        totals = [0.0] * amount_count
        for *values, has_difference in rows:
            cells = list(values[:first_amount])
            for index, amount in enumerate(values[first_amount:]):
                totals[index] += amount
                last = index == amount_count - 1
                cells.append(helper._cell(sheet, amount, number_format=EURO_FORMAT,
                                          font=DIFFERENCE_FONT if last and has_difference else None))
            sheet.append(cells)
        sheet.append(helper._total_cells(sheet, self.env._("Total"), [currency.round(t) for t in totals],
                                         blanks=first_amount - 1))
        sheet.auto_filter.ref = "A%d:%s%d" % (HEADER_ROW, get_column_letter(len(headers)),
                                              HEADER_ROW + max(len(rows), 1))

    @api.model
    def _write_items(self, workbook, helper, used, title, wizard):
        """The journal items that make the differences, one row each, with the control row they explain."""
        sheet = workbook.create_sheet(helper._sheet_name(self.env._("Items causing differences"), used))
        headers = [self.env._("Control row"), self.env._("Date"), self.env._("Journal entry"), self.env._("Account"),
                   self.env._("Partner"), self.env._("Label"), self.env._("Balance")]
        helper._setup_sheet(sheet, [32, 12, 22, 30, 30, 34, 16])
        helper._write_heading(sheet, title, self.env._("Journal items that explain a difference"), headers)
        count = 0
        for row in wizard.line_ids.filtered("move_line_ids"):
            label = row.journal_id.display_name if row.kind == "journal" else row.partner_id.name
            for item in row.move_line_ids.sorted(lambda line: (line.date, line.id)):
                sheet.append([
                    label, helper._cell(sheet, item.date, number_format=DATE_FORMAT), item.move_id.name,
                    item.account_id.display_name, item.partner_id.name or None, item.name or None,
                    helper._cell(sheet, item.balance, number_format=EURO_FORMAT),
                ])
                count += 1
        sheet.auto_filter.ref = "A%d:G%d" % (HEADER_ROW, HEADER_ROW + max(count, 1))
