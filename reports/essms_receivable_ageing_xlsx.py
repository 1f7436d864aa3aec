import io
import re
from collections import defaultdict

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment
from openpyxl.styles import Border
from openpyxl.styles import Font
from openpyxl.styles import PatternFill
from openpyxl.styles import Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from odoo import api
from odoo import models
from odoo.tools import format_date

from ..models.essms_receivable_ageing import AGEING_DATE_KEY
from ..models.essms_receivable_ageing import BUCKETS

EURO_FORMAT = '#,##0.00 "€"'
DATE_FORMAT = "DD/MM/YYYY"
DAYS_FORMAT = "0"
SHARE_FORMAT = "0.0%"
HEADER_ROW = 4  # title, filters, blank line, then the column headers
TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TOTAL_FILL = PatternFill("solid", fgColor="DDEBF7")
TOTAL_BORDER = Border(top=Side(style="thin"), bottom=Side(style="double"))
WRAP_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


class EssmsReceivableAgeingXlsx(models.AbstractModel):
    """The due-date tracking sheet as a workbook a finance director sends as it is.

    A summary sheet (payer kind by age bucket, with totals and shares) and one sheet per payer kind (a row per
    document: payer, establishment, beneficiary, document, dates, days overdue, the amount in its bucket's
    column, totals). The data come from one grouped query on `essms.receivable.ageing`, so the sheet's totals
    are those of the pivot view and of the ledger; the workbook is streamed (openpyxl's write-only mode).
    """

    _name = "essms.receivable.ageing.xlsx"
    _description = "Due-date tracking workbook"

    # Data -------------------------------------------------------------------------------------------------

    @api.model
    def _gather(self, as_of, domain=None):
        """Open items on `as_of`, one dict per document and payer with its amounts per bucket, in sheet order.

        One `_read_group` (the access rules of the report apply); the buckets of a document's instalments are
        put side by side here, not by further queries.
        """
        ageing = self.env["essms.receivable.ageing"].with_context(**{AGEING_DATE_KEY: as_of})
        groups = ageing._read_group(
            domain or [],
            groupby=[
                "payer_kind", "partner_name", "partner_id", "establishment_name", "beneficiary_name", "move_name",
                "move_id", "bucket",
            ],
            aggregates=["amount_residual:sum", "invoice_date:min", "date_maturity:min", "days_overdue:max"],
            order="payer_kind, partner_name, establishment_name, beneficiary_name, move_name",
        )
        documents = {}
        for (kind, partner_name, partner, establishment, beneficiary, move_name, move, bucket, amount, doc_date,
             due, days) in groups:
            key = (kind, partner.id, move.id)
            document = documents.get(key)
            if document is None:
                document = documents[key] = {
                    "payer_kind": kind,
                    "partner": partner_name or "",
                    "establishment": establishment or "",
                    "beneficiary": beneficiary or "",
                    "document": move_name or "",
                    "document_date": doc_date,
                    "date_maturity": due,
                    "days_overdue": days,
                    "buckets": defaultdict(float),
                }
            else:
                document["date_maturity"] = min(document["date_maturity"], due)
                document["days_overdue"] = max(document["days_overdue"], days)
            document["buckets"][bucket] += amount
        return list(documents.values())

    # Workbook ---------------------------------------------------------------------------------------------

    @api.model
    def _render(self, as_of, documents, company, kinds, filters_label=""):
        """The workbook (bytes) of `documents` (see `_gather`) for the payer kinds `kinds` (values, in order)."""
        currency = company.currency_id
        kind_labels = dict(self.env["essms.receivable.ageing"]._fields["payer_kind"]._description_selection(self.env))
        bucket_labels = dict(self.env["essms.receivable.ageing"]._fields["bucket"]._description_selection(self.env))
        title = self.env._(
            "Due-date tracking sheet – %(company)s – as of %(date)s",
            company=company.name,
            date=format_date(self.env, as_of),
        )
        by_kind = defaultdict(list)
        for document in documents:
            by_kind[document["payer_kind"]].append(document)

        workbook = Workbook(write_only=True)
        self._write_summary(workbook, title, filters_label, kinds, kind_labels, bucket_labels, by_kind, currency)
        used_names = {self.env._("Summary")}
        for kind in kinds:
            if by_kind.get(kind):
                name = self._sheet_name(kind_labels.get(kind, kind), used_names)
                self._write_kind_sheet(
                    workbook, name, title, kind_labels.get(kind, kind), filters_label, bucket_labels, by_kind[kind],
                    currency,
                )
        stream = io.BytesIO()
        workbook.save(stream)
        return stream.getvalue()

    @api.model
    def _sheet_name(self, label, used_names):
        # Excel: at most 31 characters, none of []:*?/\ and unique in the workbook.
        name = SHEET_NAME_FORBIDDEN.sub(" ", label)[:31]
        base, number = name, 2
        while name in used_names:
            suffix = " (%d)" % number
            name = base[: 31 - len(suffix)] + suffix
            number += 1
        used_names.add(name)
        return name

    @api.model
    def _cell(self, sheet, value=None, number_format=None, font=None, fill=None, border=None, alignment=None):
        cell = WriteOnlyCell(sheet, value=value)
        if number_format:
            cell.number_format = number_format
        if font:
            cell.font = font
        if fill:
            cell.fill = fill
        if border:
            cell.border = border
        if alignment:
            cell.alignment = alignment
        return cell

    @api.model
    def _setup_sheet(self, sheet, widths):
        """Column widths, frozen header and first column, print layout: all written before the first row."""
        for index, width in enumerate(widths, 1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "B%d" % (HEADER_ROW + 1)
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.print_title_rows = "%d:%d" % (HEADER_ROW, HEADER_ROW)

    @api.model
    def _write_heading(self, sheet, title, subtitle, headers):
        sheet.append([self._cell(sheet, title, font=TITLE_FONT)])
        sheet.append([self._cell(sheet, subtitle)])
        sheet.append([])
        sheet.append(
            [self._cell(sheet, header, font=HEADER_FONT, fill=HEADER_FILL, alignment=WRAP_CENTER) for header in headers]
        )

    @api.model
    def _total_cells(self, sheet, label, amounts, blanks=0, share_format=False):
        cells = [self._cell(sheet, label, font=BOLD, fill=TOTAL_FILL, border=TOTAL_BORDER)]
        cells += [self._cell(sheet, None, fill=TOTAL_FILL, border=TOTAL_BORDER) for _blank in range(blanks)]
        cells += [
            self._cell(sheet, amount, number_format=EURO_FORMAT, font=BOLD, fill=TOTAL_FILL, border=TOTAL_BORDER)
            for amount in amounts
        ]
        if share_format:
            cells.append(self._cell(sheet, 1.0 if any(amounts) else 0.0, number_format=SHARE_FORMAT, font=BOLD,
                                    fill=TOTAL_FILL, border=TOTAL_BORDER))
        return cells

    @api.model
    def _write_summary(self, workbook, title, filters_label, kinds, kind_labels, bucket_labels, by_kind, currency):
        sheet = workbook.create_sheet(self.env._("Summary"))
        buckets = [value for value, _label in BUCKETS]
        headers = [self.env._("Payer kind"), *(bucket_labels[b] for b in buckets), self.env._("Total"),
                   self.env._("Share")]
        self._setup_sheet(sheet, [28] + [15] * (len(buckets) + 1) + [10])
        self._write_heading(sheet, title, filters_label or self.env._("All open receivables"), headers)
        totals = dict.fromkeys(buckets, 0.0)
        rows = []
        for kind in kinds:
            amounts = dict.fromkeys(buckets, 0.0)
            for document in by_kind.get(kind, ()):
                for bucket, amount in document["buckets"].items():
                    amounts[bucket] += amount
            amounts = {bucket: currency.round(amount) for bucket, amount in amounts.items()}
            for bucket, amount in amounts.items():
                totals[bucket] += amount
            rows.append((kind_labels.get(kind, kind), amounts))
        grand_total = currency.round(sum(totals.values()))
        label_cell = self._cell(sheet)
        amount_cells = [self._cell(sheet, number_format=EURO_FORMAT) for _bucket in range(len(buckets) + 1)]
        share_cell = self._cell(sheet, number_format=SHARE_FORMAT)
        for label, amounts in rows:
            kind_total = currency.round(sum(amounts.values()))
            label_cell.value = label
            for cell, amount in zip(amount_cells, [*(amounts[b] for b in buckets), kind_total], strict=True):
                cell.value = amount
            share_cell.value = kind_total / grand_total if grand_total else 0.0
            sheet.append([label_cell, *amount_cells, share_cell])
        sheet.append(
            self._total_cells(
                sheet, self.env._("Total"), [*(currency.round(totals[b]) for b in buckets), grand_total],
                share_format=True,
            )
        )
        last_row = HEADER_ROW + len(rows)
        sheet.auto_filter.ref = "A%d:%s%d" % (HEADER_ROW, get_column_letter(len(headers)), last_row)

    @api.model
    def _write_kind_sheet(self, workbook, name, title, kind_label, filters_label, bucket_labels, documents,
                          currency):
        sheet = workbook.create_sheet(name)
        buckets = [value for value, _label in BUCKETS]
        headers = [
            self.env._("Payer"), self.env._("Establishment"), self.env._("Beneficiary"), self.env._("Document"),
            self.env._("Document date"), self.env._("Due date"), self.env._("Days overdue"),
            *(bucket_labels[b] for b in buckets), self.env._("Total"),
        ]
        self._setup_sheet(sheet, [34, 30, 28, 20, 12, 12, 10] + [14] * (len(buckets) + 1))
        subtitle = kind_label + (" – " + filters_label if filters_label else "")
        self._write_heading(sheet, title, subtitle, headers)
        # One styled cell per column, refilled for every row (write-only rows are serialised on append); text
        # goes as plain values and empty buckets as None, which the writer skips: a cell costs ~20 µs to write.
        date_cells = [self._cell(sheet, number_format=DATE_FORMAT) for _column in range(2)]
        days_cell = self._cell(sheet, number_format=DAYS_FORMAT)
        bucket_cells = [self._cell(sheet, number_format=EURO_FORMAT) for _bucket in buckets]
        total_cell = self._cell(sheet, number_format=EURO_FORMAT)
        totals = dict.fromkeys(buckets, 0.0)
        for document in documents:
            date_cells[0].value = document["document_date"]
            date_cells[1].value = document["date_maturity"]
            days_cell.value = document["days_overdue"]
            row = [
                document["partner"], document["establishment"] or None, document["beneficiary"] or None,
                document["document"], *date_cells, days_cell,
            ]
            document_total = 0.0
            for cell, bucket in zip(bucket_cells, buckets, strict=True):
                amount = round(document["buckets"].get(bucket, 0.0), 2)
                if amount:
                    totals[bucket] += amount
                    document_total += amount
                    cell.value = amount
                    row.append(cell)
                else:
                    row.append(None)
            total_cell.value = round(document_total, 2)
            row.append(total_cell)
            sheet.append(row)
        sheet.append(
            self._total_cells(
                sheet, self.env._("Total %(kind)s", kind=kind_label),
                [*(currency.round(totals[b]) for b in buckets), currency.round(sum(totals.values()))], blanks=6,
            )
        )
        sheet.auto_filter.ref = "A%d:%s%d" % (HEADER_ROW, get_column_letter(len(headers)), HEADER_ROW + len(documents))
