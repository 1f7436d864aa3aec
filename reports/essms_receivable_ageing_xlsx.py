import contextlib
import io
import itertools
import zipfile
from datetime import date
from operator import itemgetter
from xml.sax.saxutils import escape

from lxml import etree
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from odoo import api
from odoo import models
from odoo.tools import SQL
from odoo.tools import format_date

from ..engine.exports import SafeWorkbook
from ..models.essms_receivable_ageing import AGEING_DATE_KEY
from ..models.essms_receivable_ageing import BUCKETS
from ..models.essms_receivable_ageing import CREDIT_BUCKET
from . import public_wording
from . import xlsx_styles
from .xlsx_styles import BOLD
from .xlsx_styles import DATE_FORMAT
from .xlsx_styles import DAYS_FORMAT
from .xlsx_styles import EURO_FORMAT
from .xlsx_styles import HEADER_ROW
from .xlsx_styles import SHARE_FORMAT
from .xlsx_styles import TOTAL_BORDER
from .xlsx_styles import TOTAL_FILL

EXCEL_EPOCH = date(1899, 12, 30)  # day 0 of Excel's serial dates (1900 date system, as openpyxl writes them)
XML_CHUNK_ROWS = 2000
DOCUMENT_BATCH = 5000  # rows read at a time from the server-side cursor of the documents


def _row_stream(sheet):
    """Stands in for openpyxl's ``WriteOnlyWorksheet._write_rows``, the generator a write-only sheet sends its
    rows to: a list of values or cells goes through openpyxl as usual (headings, totals), an lxml element holding
    ``<row>`` elements (see ``_XmlRows``) is copied to the sheet's stream as it is. The sheet then closes and
    saves as any write-only sheet. Set it up (``_start_rows``) after the column widths and panes, before the first
    row: openpyxl makes its own on the first row appended."""
    writer = sheet._writer
    xf = writer.xf.send(True)
    row_idx = 1
    with xf.element("sheetData"), contextlib.suppress(GeneratorExit):  # the sheet closes its rows
        while True:
            row = yield
            if isinstance(row, etree._Element):
                for element in row:
                    xf.write(element)
                row_idx += len(row)
            else:
                writer.write_row(xf, sheet._values_to_row(row, row_idx), row_idx)
                row_idx += 1
    writer.xf.send(None)


def _start_rows(sheet):
    if sheet._rows is not None:
        raise RuntimeError("Rows were appended to sheet %s before its row stream was set up." % sheet.title)
    sheet._get_writer()  # writes what comes before the rows: column widths, frozen panes
    sheet._rows = _row_stream(sheet)
    next(sheet._rows)


class _XmlRows:
    """The document rows of a sheet as SpreadsheetML text, sent to the sheet by chunks of ``XML_CHUNK_ROWS``.

    openpyxl spends ~20 µs on each cell it writes (a cell object, its coordinate, its style looked up, three
    nested XML elements): 100 000 documents are 900 000 cells. The rows here are what openpyxl writes for the
    same values (inline strings, serial dates, numbers, each with its column's style id from the workbook's
    own style table), built by string formatting.
    """

    def __init__(self, sheet, first_row):
        self.sheet = sheet
        self.row = first_row
        self.parts = []
        self.pending = 0
        self.texts = {}

    def style(self, number_format):
        cell = WriteOnlyCell(self.sheet)
        cell.number_format = number_format
        return cell.style_id  # registers the style in the workbook, as writing such a cell does

    def text(self, column, row, value, repeated=True):
        # Payers, establishments and beneficiaries come back on many rows: each is cleaned and escaped once (a
        # document's number is not kept: it comes once).
        body = self.texts.get(value) if repeated else None
        if body is None:
            clean = ILLEGAL_CHARACTERS_RE.sub("", value)
            space = ' xml:space="preserve"' if clean != clean.strip() else ""
            body = '" t="inlineStr"><is><t%s>%s</t></is></c>' % (space, escape(clean))
            if repeated:
                self.texts[value] = body
        return '<c r="%s%d%s' % (column, row, body)

    @staticmethod
    def number(column, row, style, value):
        return '<c r="%s%d" s="%d" t="n"><v>%r</v></c>' % (column, row, style, value)

    def append(self, cells):
        """``cells``: the row's ``<c>`` texts (built with ``text``/``number`` for ``self.row``)."""
        self.parts.append('<row r="%d">%s</row>' % (self.row, "".join(cells)))
        self.row += 1
        self.pending += 1
        if self.pending >= XML_CHUNK_ROWS:
            self.flush()

    def flush(self):
        if self.parts:
            self.sheet._rows.send(etree.fromstring("<rows>%s</rows>" % "".join(self.parts)))
            self.parts, self.pending = [], 0


def workbook_content(workbook):
    """The workbook's bytes, saved as ``Workbook.save`` does but with the fastest compression: deflating the sheets
    at zlib's default level took about a sixth of the ageing export's CPU time; the file is a little larger."""
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED, allowZip64=True, compresslevel=1) as archive:
        ExcelWriter(workbook, archive).save()
    return stream.getvalue()


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
        """Open items on `as_of`, one dict per document and payer with its amounts per bucket, in sheet order
        (see `_documents`), as a list."""
        return list(self._documents(as_of, domain))

    @api.model
    def _documents(self, as_of, domain=None, kinds=None, batch=DOCUMENT_BATCH):
        """Open items on `as_of`, one dict per document and payer with its amounts per bucket, in sheet order:
        by payer kind in the order of `kinds` (the selection's when not given), then payer, establishment,
        beneficiary and document.

        One query on `essms.receivable.ageing` (its `_search`: the access rules of the report apply): the
        database sums a document's instalments per bucket and returns the documents in the order of the sheet,
        so 100 000 documents cost no more than reading their rows. They are read through a server-side cursor,
        `batch` rows at a time, and yielded as they come: a million open items are never in memory at once.
        """
        ageing = self.env["essms.receivable.ageing"].with_context(**{AGEING_DATE_KEY: as_of})
        ageing.browse().check_access("read")
        query = ageing._search(domain or [])
        if kinds is None:
            kinds = [value for value, _label in ageing._fields["payer_kind"]._description_selection(self.env)]

        def column(name):
            return ageing._field_to_sql(query.table, name, query)

        buckets = [value for value, _label in BUCKETS]
        names = ["payer_kind", "partner_name", "establishment_name", "beneficiary_name", "move_name"]
        query.groupby = SQL(", ").join(column(name) for name in [*names, "partner_id", "move_id"])
        query.order = SQL(", ").join([
            SQL("array_position(%s::varchar[], %s::varchar)", list(kinds), column("payer_kind")),
            *(column(name) for name in [*names, "partner_id", "move_id"]),
        ])
        select = query.select(
            *(column(name) for name in names),
            SQL("MIN(%s)", column("invoice_date")),
            SQL("MIN(%s)", column("date_maturity")),
            SQL("MAX(%s)", column("days_overdue")),
            *(SQL("SUM(%s) FILTER (WHERE %s = %s)", column("amount_residual"), column("bucket"), bucket)
              for bucket in buckets),
        )
        # The planner overestimates the open-item filter by far, so PostgreSQL would JIT-compile the query, which
        # takes longer than running it (3.6 s of 7 s for 100 000 items): no JIT for the rest of this transaction
        # (the export's). It also expects a few hundred open items where there are all of them, and would join the
        # payers by a nested loop over the partner table for each item (8 times slower than hash joins at 100 000
        # items), the more so for a cursor (planned for its first rows): hash joins, the whole result wanted.
        self.env.cr.execute(SQL(
            "SET LOCAL jit = off; SET LOCAL enable_nestloop = off; SET LOCAL cursor_tuple_fraction = 1.0"
        ))
        # A server-side cursor of the same transaction: what the export's transaction wrote is seen, and the rows
        # come `batch` at a time. Odoo's cursor has no such mode; the connection's psycopg2 cursor does.
        with self.env.cr._cnx.cursor(name="essms_ageing_documents") as rows:
            rows.itersize = batch
            rows.execute(select.code, select.params)
            for kind, partner, establishment, beneficiary, move_name, doc_date, due, days, *amounts in rows:
                found = {bucket: amount for bucket, amount in zip(buckets, amounts, strict=True) if amount is not None}
                yield {
                    "payer_kind": kind,
                    "partner": partner or "",
                    "establishment": establishment or "",
                    "beneficiary": beneficiary or "",
                    "document": move_name or "",
                    "document_date": doc_date,
                    "date_maturity": due,
                    # A credit (a payment or credit note not matched yet) is owed to the payer, never late.
                    "days_overdue": None if set(found) == {CREDIT_BUCKET} else days,
                    "buckets": found,
                }

    # Workbook ---------------------------------------------------------------------------------------------

    @api.model
    def _render(self, as_of, documents, company, kinds, filters_label=""):
        """The workbook (bytes) of `documents` (see `_documents`: an iterable, a generator streamed sheet by sheet
        when in the order of `kinds`) for the payer kinds `kinds` (values, in order)."""
        self = public_wording.with_public_wording(self, company)  # pylint: disable=self-cls-assignment
        currency = company.currency_id
        kind_labels = dict(self.env["essms.receivable.ageing"]._fields["payer_kind"]._description_selection(self.env))
        bucket_labels = dict(self.env["essms.receivable.ageing"]._fields["bucket"]._description_selection(self.env))
        title = self.env._(
            "Due-date tracking sheet – %(company)s – as of %(date)s",
            company=company.name,
            date=format_date(self.env, as_of),
        ) if not public_wording.is_public(self.env) else self.env._(
            "Titres remaining to recover – %(company)s – as of %(date)s",
            company=company.name,
            date=format_date(self.env, as_of),
        )
        position = {kind: index for index, kind in enumerate(kinds)}
        if isinstance(documents, list):
            documents = sorted(documents, key=lambda document: position.get(document["payer_kind"], len(kinds)))

        # Each payer kind's sheet is written as its documents come (the summary sheet is placed first once their
        # sums are known): nothing but a sheet's pending chunk of rows is held in memory.
        workbook = SafeWorkbook(write_only=True)
        used_names = {self.env._("Summary")}
        by_kind = {}
        for kind, group in itertools.groupby(documents, key=itemgetter("payer_kind")):
            if kind not in position or kind in by_kind:
                continue
            name = self._sheet_name(kind_labels.get(kind, kind), used_names)
            sums = self._write_kind_sheet(
                workbook, name, title, kind_labels.get(kind, kind), filters_label, bucket_labels, group, currency,
            )
            by_kind[kind] = [{"buckets": sums}]
        self._write_summary(workbook, title, filters_label, kinds, kind_labels, bucket_labels, by_kind, currency)
        workbook.move_sheet(workbook.worksheets[-1].title, offset=-(len(workbook.worksheets) - 1))
        return workbook_content(workbook)

    @api.model
    def _sheet_name(self, label, used_names):
        return xlsx_styles.sheet_name(label, used_names)

    @api.model
    def _cell(self, sheet, value=None, number_format=None, font=None, fill=None, border=None, alignment=None):
        return xlsx_styles.cell(sheet, value, number_format, font, fill, border, alignment)

    @api.model
    def _setup_sheet(self, sheet, widths):
        xlsx_styles.setup_sheet(sheet, widths)

    @api.model
    def _write_heading(self, sheet, title, subtitle, headers):
        xlsx_styles.write_heading(sheet, title, subtitle, headers)

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
        word = public_wording.words(self.env)
        headers = [word(self.env._("Payer kind")), *(bucket_labels[b] for b in buckets), self.env._("Total"),
                   self.env._("Share")]
        self._setup_sheet(sheet, [28] + [15] * (len(buckets) + 1) + [10])
        self._write_heading(sheet, title, filters_label or word(self.env._("All open receivables")), headers)
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
        word = public_wording.words(self.env)
        headers = [
            word(self.env._("Payer")), self.env._("Establishment"), self.env._("Beneficiary"),
            word(self.env._("Document")), word(self.env._("Document date")), self.env._("Due date"),
            self.env._("Days overdue"),
            *(bucket_labels[b] for b in buckets), self.env._("Total"),
        ]
        self._setup_sheet(sheet, [34, 30, 28, 20, 12, 12, 10] + [14] * (len(buckets) + 1))
        subtitle = kind_label + (" – " + filters_label if filters_label else "")
        _start_rows(sheet)
        self._write_heading(sheet, title, subtitle, headers)
        rows = _XmlRows(sheet, HEADER_ROW + 1)
        date_style, days_style, euro_style = (rows.style(fmt) for fmt in (DATE_FORMAT, DAYS_FORMAT, EURO_FORMAT))
        text, number = rows.text, rows.number
        bucket_columns = [get_column_letter(index) for index in range(8, 8 + len(buckets))]
        total_column = get_column_letter(8 + len(buckets))
        totals = dict.fromkeys(buckets, 0.0)
        sums = dict.fromkeys(buckets, 0.0)  # unrounded, for the summary sheet
        count = 0
        for document in documents:
            count += 1
            for bucket, amount in document["buckets"].items():
                sums[bucket] += amount
            row = rows.row
            cells = [
                text(column, row, value)
                for column, value in zip("ABC", (document["partner"], document["establishment"],
                                                  document["beneficiary"]), strict=True)
                if value
            ]
            if document["document"]:
                cells.append(text("D", row, document["document"], repeated=False))
            for column, day in (("E", document["document_date"]), ("F", document["date_maturity"])):
                if day:
                    cells.append(number(column, row, date_style, (day - EXCEL_EPOCH).days))
            if document["days_overdue"] is not None:
                cells.append(number("G", row, days_style, document["days_overdue"]))
            document_total = 0.0
            found = document["buckets"]
            for column, bucket in zip(bucket_columns, buckets, strict=True):
                if bucket not in found:
                    continue
                amount = round(found[bucket], 2)
                if amount:
                    totals[bucket] += amount
                    document_total += amount
                    cells.append(number(column, row, euro_style, amount))
            cells.append(number(total_column, row, euro_style, round(document_total, 2)))
            rows.append(cells)
        rows.flush()
        sheet.append(
            self._total_cells(
                sheet, self.env._("Total %(kind)s", kind=kind_label),
                [*(currency.round(totals[b]) for b in buckets), currency.round(sum(totals.values()))], blanks=6,
            )
        )
        sheet.auto_filter.ref = "A%d:%s%d" % (HEADER_ROW, get_column_letter(len(headers)), HEADER_ROW + count)
        return sums
