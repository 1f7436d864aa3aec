"""Files for the départements' portals and for external accounting packages (billing-rules §5).

A layout is a list of columns, each naming one *source* of a fixed list (``SOURCES``: a value of the
month's activity or billing, never free code) with its header; the file settings say how values are
written (CSV separator and encoding, decimal separator, date format) or whether it is a spreadsheet.

The compact layout of some portals writes one character per calendar day (``daily_codes``, expanded into
one column per day of the month):

- ``P`` present, ``D`` half day present (day care);
- ``H`` hospital, ``A`` personal absence, ``V`` holidays, ``W`` family weekend, ``O`` other absence;
- ``X`` a day of the stay that is not billed (entry or exit day by policy, weekend of weekly boarding,
  day care closed);
- ``-`` outside the stay.

Files are deterministic: the same rows give the same bytes (no timestamp inside, fixed dates in the
spreadsheet's properties and zip entries), so that an export made twice can be compared by its hash.
"""

import csv
import io
import math
import zipfile
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from decimal import ROUND_HALF_UP
from decimal import Decimal

from openpyxl.styles import Alignment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .days import DayReason
from .days import DayStatus
from .exports import SafeWorkbook
from .exports import csv_text

# Kind of each source: how its value is written. "daily" expands into one column per day of the month.
SOURCES = {
    # Portal: who and where
    "payer_name": "text",
    "decision_reference": "text",
    "file_number": "text",
    "beneficiary_name": "text",
    "birth_name": "text",
    "birth_date": "date",
    "finess": "text",
    "establishment_code": "text",
    "establishment_name": "text",
    "accommodation": "text",
    "month": "month",
    "date_entry": "date",
    "date_exit": "date",
    "comment": "text",
    # Portal: days
    "days_in_stay": "days",
    "days_present": "days",
    "absence_hospital": "days",
    "absence_personal": "days",
    "absence_holidays": "days",
    "absence_family_weekend": "days",
    "absence_other": "days",
    "year_absence_days": "days",
    "year_hospital_days": "days",
    "quota_days": "days",
    "days_full_price": "days",
    "days_reduced": "days",
    "days_resident": "days",
    "days_billed": "days",
    "daily_codes": "daily",
    "day_string": "text",
    # Portal: money
    "unit_price": "amount",
    "gross_amount": "amount",
    "contribution_amount": "amount",
    "net_amount": "amount",
    # Accounting entries
    "journal_code": "text",
    "journal_name": "text",
    "move_name": "text",
    "move_ref": "text",
    "entry_date": "date",
    "account_code": "text",
    "account_name": "text",
    "partner_ref": "text",
    "partner_name": "text",
    "label": "text",
    "debit": "amount",
    "credit": "amount",
    "balance": "amount",
    "matching_number": "text",
    "matching_date": "date",
}

ABSENCE_CODES = {"hospital": "H", "personal": "A", "holidays": "V", "family_weekend": "W", "other": "O"}
CODE_PRESENT = "P"
CODE_HALF_DAY = "D"
CODE_NOT_BILLED = "X"
CODE_OUTSIDE = "-"
# Dates of the spreadsheet's properties and zip entries: fixed, so that the bytes depend on the rows only.
FIXED_MOMENT = datetime(2000, 1, 1)
EXCEL_DATE_FORMATS = {"%d/%m/%Y": "DD/MM/YYYY", "%Y-%m-%d": "YYYY-MM-DD", "%d%m%Y": "DDMMYYYY",
                      "%d.%m.%Y": "DD.MM.YYYY"}


def day_code(day):
    """The character of one classified day (``engine.days.Day``) in the compact layout."""
    if day.status == DayStatus.OUTSIDE_STAY:
        return CODE_OUTSIDE
    if day.reason == DayReason.HALF_DAY:
        return CODE_HALF_DAY
    if day.absence_kind:
        return ABSENCE_CODES.get(day.absence_kind, ABSENCE_CODES["other"])
    if day.status == DayStatus.PRESENT:
        return CODE_PRESENT
    return CODE_NOT_BILLED


def count_codes(codes):
    """Days per kind read back from a compact line: present (half days count 0.5) and absences per kind."""
    codes = list(codes)
    counts = {"present": codes.count(CODE_PRESENT) + Decimal("0.5") * codes.count(CODE_HALF_DAY)}
    for kind, code in ABSENCE_CODES.items():
        counts[kind] = codes.count(code)
    counts["not_billed"] = codes.count(CODE_NOT_BILLED)
    return counts


@dataclass(frozen=True)
class FileSettings:
    """How a layout writes its file (fields of ``essms.portal.layout``)."""

    file_format: str = "csv"  # csv | xlsx
    separator: str = ";"
    encoding: str = "utf-8"
    decimal_separator: str = ","
    date_format: str = "%d/%m/%Y"
    header: bool = True


@dataclass(frozen=True)
class Column:
    """One column of a layout: a source of ``SOURCES``, its header, width (spreadsheet) and decimals."""

    source: str
    header: str
    width: int = 0
    decimals: int = 2


@dataclass(frozen=True)
class OutputColumn:
    """A column as written: a ``daily`` column gives one of these per day of the month (``day`` set)."""

    column: Column
    header: str
    day: int | None = None

    @property
    def kind(self):
        return SOURCES[self.column.source]

    def value(self, row):
        if self.day is not None:
            codes = row.get(self.column.source) or ""
            return codes[self.day - 1] if self.day <= len(codes) else ""
        return row.get(self.column.source)


def expand_columns(columns, days_in_month):
    """The written columns: each daily column becomes one column per day, headed by its label and the day."""
    expanded = []
    for column in columns:
        if column.source not in SOURCES:
            raise ValueError("Unknown source %r" % column.source)
        if SOURCES[column.source] == "daily":
            expanded.extend(
                OutputColumn(column, "%s%02d" % (column.header or "", day), day) for day in range(1, days_in_month + 1)
            )
        else:
            expanded.append(OutputColumn(column, column.header or column.source))
    return expanded


def _number(value, decimals):
    quantum = Decimal(1).scaleb(-decimals) if decimals > 0 else Decimal(1)
    return Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)


def format_text(value, output, settings):
    """A value as text in the file: numbers with the layout's decimal separator, dates in its format."""
    if value is None or value is False or value == "":
        return ""
    kind = output.kind
    if kind in ("amount", "days"):
        decimals = output.column.decimals if kind == "amount" else _day_decimals(value)
        text = str(_number(value, decimals))
        return text.replace(".", settings.decimal_separator)
    if kind == "date" and isinstance(value, date):
        return value.strftime(settings.date_format)
    if kind == "month" and isinstance(value, date):
        return value.strftime("%m/%Y")
    return str(value)


def _day_decimals(value):
    """Days are whole numbers, with one decimal when half days (day care) make them fractional."""
    return 0 if Decimal(str(value)) == Decimal(str(value)).to_integral_value() else 1


def render(columns, rows, settings, days_in_month=31, sheet_title="Export"):
    """The file's bytes for ``rows`` (dicts of source → value) written in ``columns`` under ``settings``."""
    outputs = expand_columns(columns, days_in_month)
    if settings.file_format == "xlsx":
        return render_xlsx(outputs, rows, settings, sheet_title)
    return render_csv(outputs, rows, settings)


def render_csv(outputs, rows, settings):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=settings.separator, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    if settings.header:
        writer.writerow([csv_text(output.header) for output in outputs])
    for row in rows:
        writer.writerow([csv_text(format_text(output.value(row), output, settings)) for output in outputs])
    return buffer.getvalue().encode(settings.encoding, errors="replace")


def render_xlsx(outputs, rows, settings, sheet_title):
    workbook = SafeWorkbook()
    workbook.properties.creator = "essms_billing"
    workbook.properties.lastModifiedBy = "essms_billing"
    workbook.properties.created = FIXED_MOMENT
    workbook.properties.modified = FIXED_MOMENT
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    date_format = EXCEL_DATE_FORMATS.get(settings.date_format, "DD/MM/YYYY")
    start = 1
    if settings.header:
        for index, output in enumerate(outputs, 1):
            cell = sheet.cell(row=1, column=index, value=output.header)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        start = 2
    for row_index, row in enumerate(rows, start):
        for index, output in enumerate(outputs, 1):
            value = output.value(row)
            if value is None or value is False:
                continue
            cell = sheet.cell(row=row_index, column=index)
            if output.kind in ("amount", "days"):
                decimals = output.column.decimals if output.kind == "amount" else _day_decimals(value)
                cell.value = float(_number(value, decimals))
                cell.number_format = "0" if decimals == 0 else "0." + "0" * decimals
            elif output.kind == "date" and isinstance(value, date):
                cell.value = value
                cell.number_format = date_format
            elif output.kind == "month" and isinstance(value, date):
                cell.value = value.strftime("%m/%Y")
            else:
                cell.value = str(value)
    header_lines = 1
    for index, output in enumerate(outputs, 1):
        width = output.column.width or (4 if output.day is not None else max(10, len(output.header) + 2))
        sheet.column_dimensions[get_column_letter(index)].width = width
        header_lines = max(header_lines, math.ceil(len(output.header) * 1.2 / width))
    if settings.header:
        # Spreadsheets do not grow a row for wrapped text they did not lay out themselves.
        sheet.row_dimensions[1].height = 15 * header_lines
    if settings.header:
        sheet.freeze_panes = "A2"
        sheet.print_title_rows = "1:1"
    # Printed as it is read: landscape, every column on the width of the page.
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    return normalise_zip(buffer.getvalue())


def normalise_zip(data):
    """The same archive with every entry dated ``FIXED_MOMENT``: zip entries carry the time they were written."""
    source = zipfile.ZipFile(io.BytesIO(data))
    target_buffer = io.BytesIO()
    with zipfile.ZipFile(target_buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_MOMENT.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, source.read(info.filename))
    return target_buffer.getvalue()


def read_csv(data, settings):
    """Rows of a CSV file written by ``render_csv``, as lists of strings (header row included)."""
    return list(csv.reader(io.StringIO(data.decode(settings.encoding)), delimiter=settings.separator))
