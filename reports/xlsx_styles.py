"""How the addon's workbooks look, in one place: number formats, the heading and total styles, and the helpers
that write a styled cell, a heading, a sheet name Excel accepts and the print layout. The workbooks (receivable
ageing, recovery dashboard, accounting reciprocity, write-off board, billing report) all use these."""

import re

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment
from openpyxl.styles import Border
from openpyxl.styles import Font
from openpyxl.styles import PatternFill
from openpyxl.styles import Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

EURO_FORMAT = '#,##0.00 "€"'
DATE_FORMAT = "DD/MM/YYYY"
DAYS_FORMAT = "0"  # whole days (overdue)
COUNT_FORMAT = "0"
SHARE_FORMAT = "0.0%"
ONE_DECIMAL_FORMAT = "0.0"  # a DSO, a rate
QUANTITY_FORMAT = "#,##0.0"  # days billed, which may be halves
HEADER_ROW = 4  # title, filters, blank line, then the column headers
TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TOTAL_FILL = PatternFill("solid", fgColor="DDEBF7")
TOTAL_BORDER = Border(top=Side(style="thin"), bottom=Side(style="double"))
WRAP_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
DIFFERENCE_FONT = Font(bold=True, color="C00000")
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def cell(sheet, value=None, number_format=None, font=None, fill=None, border=None, alignment=None):
    """A cell of a write-only ``sheet`` with its style."""
    result = WriteOnlyCell(sheet, value=value)
    if number_format:
        result.number_format = number_format
    if font:
        result.font = font
    if fill:
        result.fill = fill
    if border:
        result.border = border
    if alignment:
        result.alignment = alignment
    return result


def sheet_name(label, used_names):
    """A sheet name Excel accepts: at most 31 characters, none of []:*?/\\ and unique in the workbook."""
    name = SHEET_NAME_FORBIDDEN.sub(" ", label)[:31]
    base, number = name, 2
    while name in used_names:
        suffix = " (%d)" % number
        name = base[: 31 - len(suffix)] + suffix
        number += 1
    used_names.add(name)
    return name


def setup_sheet(sheet, widths):
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


def write_heading(sheet, title, subtitle, headers):
    """The title, the filters line, a blank line and the column headers (row ``HEADER_ROW``)."""
    sheet.append([cell(sheet, title, font=TITLE_FONT)])
    sheet.append([cell(sheet, subtitle)])
    sheet.append([])
    sheet.append([cell(sheet, header, font=HEADER_FONT, fill=HEADER_FILL, alignment=WRAP_CENTER) for header in headers])
