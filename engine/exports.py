"""What the addon's exports write in a cell is data, never a formula (CSV and formula injection, OWASP).

A partner or a resident named ``=HYPERLINK("http://…","Click")`` must come out as that text, not as a live
formula the finance director's spreadsheet runs when the file is opened. Every export goes through here:

- XLSX: ``SafeWorkbook`` stores every text cell as text. openpyxl turns a string starting with ``=`` into a
  formula; here it stays a string (the due-date tracking sheet always wrote its documents as inline strings).
  No export of the addon writes a formula of its own.
- CSV: ``csv_text`` puts an apostrophe before a text a spreadsheet would read as a formula (starting with ``=``,
  ``+``, ``-``, ``@``, a tab or a carriage return); numbers such as ``-12,50`` and a lone ``-`` stay as they are.
"""

import re

from openpyxl import Workbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?[\d\s\u00a0\u202f.,]*\d[\d\s\u00a0\u202f.,]*%?")


def is_formula_like(text):
    """Whether a spreadsheet would read ``text`` as a formula rather than as text or a number (a lone ``-``, the
    portal's mark of a day not present, is text)."""
    return (isinstance(text, str) and text.startswith(FORMULA_STARTS) and len(text.strip()) > 1
            and not NUMBER.fullmatch(text))


def csv_text(value):
    """``value`` as a CSV cell a spreadsheet shows as it is: a formula-like text gets a leading apostrophe."""
    return "'" + value if is_formula_like(value) else value


def as_text(cell):
    """The cell stored as a string if openpyxl took its text for a formula."""
    if cell.data_type == "f" and isinstance(cell.value, str):
        cell.data_type = "s"
    return cell


class SafeWriteOnlyWorksheet(WriteOnlyWorksheet):
    def _values_to_row(self, values, row_idx):
        for cell in super()._values_to_row(values, row_idx):
            yield as_text(cell)


class SafeWorkbook(Workbook):
    """An openpyxl ``Workbook`` whose text cells are never formulas, in write-only mode or not."""

    def create_sheet(self, title=None, index=None):
        if not self.write_only:
            return super().create_sheet(title, index)
        if self.read_only:
            raise ValueError("A read-only workbook has no new sheet.")
        sheet = SafeWriteOnlyWorksheet(parent=self, title=title)
        self._add_sheet(sheet, index)
        return sheet

    def save(self, filename):
        if not self.write_only:
            for sheet in self.worksheets:
                for cell in sheet._cells.values():
                    as_text(cell)
        return super().save(filename)
