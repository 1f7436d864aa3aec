"""Payment advices (avis de paiement): reading the payer's file, then matching its lines to open invoices.

A département pays hundreds of invoices with one transfer and sends a detailed advice, as a spreadsheet or
a CSV file written by whatever software it uses. ``parse_advice`` reads it whatever its encoding, separator,
number and date formats, with a column mapping (``Layout``) saved per payer; it never raises: every problem
is an ``Issue`` naming the row and the column. ``match_advice`` then finds each line's invoice (by number,
then by beneficiary and period, then by amount) and says how much of the line pays it.

The file comes from outside: the work is bounded by what it really holds, not by what it declares (a
spreadsheet's declared range is ignored, its real cells are read), and by ``MAX_FILE_BYTES``,
``MAX_UNPACKED_BYTES``, ``MAX_ROWS``, ``MAX_COLUMNS``, ``MAX_CELL_CHARS``; an amount beyond ``MAX_AMOUNT`` or a
period outside ``PERIOD_YEARS`` is refused, with its row and column. ``transfer_key`` identifies the transfer an
advice describes whatever the bytes of its file, so that one transfer is never recorded twice.
"""

import contextlib
import csv
import hashlib
import io
import re
import unicodedata
import zipfile
from collections import Counter
from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from decimal import Decimal
from decimal import InvalidOperation

from .messages import Template
from .messages import _lt
from .money import ZERO
from .money import cents

# ---- Column mapping ----------------------------------------------------------------------------------

FIELDS = ("invoice_ref", "beneficiary", "file_number", "period", "amount")
IDENTIFYING_FIELDS = ("invoice_ref", "beneficiary", "file_number")
HEADER_SEARCH_ROWS = 30

# Bounds of what an advice may be: a département's monthly advice is a few thousand lines, well under a megabyte.
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # a spreadsheet's parts once unzipped (a zip bomb is refused)
MAX_ROWS = 20000
MAX_COLUMNS = 200
MAX_CELL_CHARS = 32767  # what a spreadsheet cell may hold
MAX_AMOUNT = Decimal("1000000000")  # no line of a transfer pays a billion euros; floats keep cents far beyond
PERIOD_YEARS = (1990, 2099)


@dataclass(frozen=True)
class Layout:
    """Which header of the advice holds each field: several names each, matched ignoring case and accents."""

    invoice_ref: tuple = ("invoice", "invoice number", "n° facture", "numéro de facture", "numero facture", "facture",
                          "référence facture", "ref facture", "référence")
    beneficiary: tuple = ("beneficiary", "bénéficiaire", "nom du bénéficiaire", "nom prénom", "nom", "usager",
                          "résident")
    file_number: tuple = ("file number", "n° dossier", "numéro de dossier", "dossier", "matricule", "n° usager")
    period: tuple = ("period", "période", "mois", "mois de prestation", "période de prestation")
    amount: tuple = ("amount", "montant", "montant payé", "montant réglé", "montant versé", "montant ttc",
                     "net à payer", "somme")

    @classmethod
    def from_texts(cls, **texts):
        """A layout from one text per field, its header names separated by ``|``; an empty text keeps the default."""
        values = {}
        for name, text in texts.items():
            names = tuple(part.strip() for part in (text or "").split("|") if part.strip())
            if names:
                values[name] = names
        return cls(**values)


def normalize_header(text):
    """``"N° Facture "`` → ``"n facture"``: no accents, no case, only letters and digits, single spaces."""
    text = unicodedata.normalize("NFKD", str(text or ""))
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


# ---- Results -----------------------------------------------------------------------------------------

ERROR = "error"
WARNING = "warning"

FILE_EMPTY = Template("file_empty", _lt("The file is empty."))
FILE_BINARY = Template(
    "file_binary", _lt("The file is neither a CSV text file nor an XLSX spreadsheet: it cannot be read.")
)
FILE_XLS = Template(
    "file_xls", _lt("The file is in the old Excel format (.xls): save it as .xlsx or .csv and import it again.")
)
FILE_XLSX_BROKEN = Template("file_xlsx_broken", _lt("The spreadsheet cannot be opened: %(error)s"))
FILE_LATIN1 = Template(
    "file_latin1",
    _lt("The file is neither UTF-8 nor Windows-1252 text; it was read as Latin-1: check the accented letters."),
)
FILE_OTHER_ENCODING = Template(
    "file_other_encoding",
    _lt("The file's accented letters are those of %(encoding)s, not of Windows-1252: it was read as %(encoding)s; "
        "check the accented letters of the preview."),
)
FILE_TOO_BIG = Template(
    "file_too_big",
    _lt("The file is %(size)s MB: an advice file may not exceed %(limit)s MB. Split the advice."),
)
FILE_UNPACKED_TOO_BIG = Template(
    "file_unpacked_too_big",
    _lt("The spreadsheet unpacks to more than %(limit)s MB: it is not a payment advice (or split it)."),
)
TOO_MANY_ROWS = Template(
    "too_many_rows",
    _lt("Row %(row)s: the file has more than %(limit)s rows; an advice may not have more. Split the advice."),
)
CELL_OUT_OF_RANGE = Template(
    "cell_out_of_range",
    _lt("Row %(row)s, column %(column)s: the sheet has content beyond column %(limit)s; an advice has a few "
        "columns: delete what lies beyond them."),
)
CELL_TOO_LONG = Template(
    "cell_too_long",
    _lt("Row %(row)s, column %(column)s: the cell holds more than %(limit)s characters: it is not a payment advice."),
)
CSV_BROKEN = Template(
    "csv_broken", _lt("Row %(row)s cannot be read as a line of a CSV file (%(error)s): the file is not imported."),
)
ROW_UNREADABLE = Template(
    "row_unreadable",
    _lt("Row %(row)s cannot be read (%(error)s): correct the row in the file and import it again."),
)
FILE_UNEXPECTED = Template(
    "file_unexpected",
    _lt("The file cannot be read (%(error)s): check that it is the payer's advice, as CSV or XLSX."),
)
FILE_DOUBLE_ENCODED = Template(
    "file_double_encoded",
    _lt("Row %(row)s: the text looks converted twice (%(value)s): check the accented letters of the file."),
)
NO_HEADER = Template(
    "no_header",
    _lt("No header row found: no column of row %(row)s is named as the amount (%(names)s). "
        "Headers found: %(headers)s."),
)
MISSING_IDENTIFIER = Template(
    "missing_identifier",
    _lt("Row %(row)s: no column names the invoice, the beneficiary or the file number (%(names)s). "
        "Headers found: %(headers)s."),
)
DUPLICATE_COLUMN = Template(
    "duplicate_column", _lt("Row %(row)s: the columns %(columns)s have the same name; the first one is used.")
)
NO_LINES = Template("no_lines", _lt("The file has a header (row %(row)s) but no line to pay."))
EMPTY_ROWS = Template("empty_rows", _lt("Empty rows skipped: %(rows)s."))
TOTAL_ROW = Template("total_row", _lt("Row %(row)s is a total line (%(amount)s): it is not imported."))
TOTAL_MISMATCH = Template(
    "total_mismatch",
    _lt("Row %(row)s: the file's total %(total)s differs from the sum of its lines %(amount)s."),
)
NO_AMOUNT = Template("no_amount", _lt("Row %(row)s, column %(column)s: the amount is missing."))
BAD_AMOUNT = Template("bad_amount", _lt("Row %(row)s, column %(column)s: “%(value)s” is not an amount."))
AMOUNT_TOO_LARGE = Template(
    "amount_too_large",
    _lt("Row %(row)s, column %(column)s: “%(value)s” is beyond the largest amount an advice line may pay "
        "(1 000 000 000): correct the amount."),
)
AMBIGUOUS_SIGN = Template(
    "ambiguous_sign",
    _lt("Row %(row)s, column %(column)s: “%(value)s” has both brackets and a sign: write the amount as -10,00 "
        "or (10,00)."),
)
TOO_MANY_DECIMALS = Template(
    "too_many_decimals", _lt("Row %(row)s, column %(column)s: “%(value)s” has more than two decimals.")
)
NEGATIVE_AMOUNT = Template(
    "negative_amount",
    _lt("Row %(row)s, column %(column)s: the amount %(amount)s is negative: a deduction cannot pay an invoice; "
        "correct or delete the line."),
)
ZERO_AMOUNT = Template("zero_amount", _lt("Row %(row)s, column %(column)s: the amount is zero; the row is skipped."))
BAD_PERIOD = Template(
    "bad_period",
    _lt("Row %(row)s, column %(column)s: “%(value)s” is not a date or a month; the period is ignored."),
)
PERIOD_OUT_OF_RANGE = Template(
    "period_out_of_range",
    _lt("Row %(row)s, column %(column)s: the period “%(value)s” is not between 1990 and 2099; the period is ignored."),
)
DUPLICATE_LINE = Template("duplicate_line", _lt("Row %(row)s repeats row %(first)s."))


@dataclass(frozen=True)
class Issue:
    """A problem found in the file: an ``error`` blocks the posting, a ``warning`` is for the operator to read."""

    severity: str
    message: object
    row: int = 0
    column: str = ""

    @property
    def blocking(self):
        return self.severity == ERROR


@dataclass(frozen=True)
class AdviceLine:
    """One payment of the advice; ``row`` is its row number in the file (the header is counted)."""

    row: int
    amount: Decimal = ZERO
    invoice_ref: str = ""
    beneficiary: str = ""
    file_number: str = ""
    period: date | None = None
    duplicate_of: int = 0


@dataclass
class ParsedAdvice:
    lines: list = field(default_factory=list)
    issues: list = field(default_factory=list)
    encoding: str = ""
    separator: str = ""
    header_row: int = 0

    @property
    def blocking(self):
        return any(issue.blocking for issue in self.issues)

    def issues_of_row(self, row):
        return [issue for issue in self.issues if issue.row == row]


# ---- Reading the file into rows ----------------------------------------------------------------------

SEPARATORS = (";", "\t", ",", "|")
DOUBLE_ENCODED = re.compile("Ã[\u0080-\u00bf\u0152-\u2122]|â€|Â[\u00a0-\u00bf]")


# Single-byte encodings a payer's software may write, in order of likelihood: the first wins a tie.
LEGACY_ENCODINGS = (("cp1252", "Windows-1252"), ("mac_roman", "Mac-Roman"), ("cp437", "DOS (CP437)"),
                    ("latin-1", "Latin-1"))
FRENCH_LOWER = set("àâäçéèêëîïôöùûüÿœæ")
FRENCH_UPPER = set("ÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ")
TYPOGRAPHY = set("€°«»’‘“”–—…\u00a0")


def _french_score(text):
    """How French the non-ASCII characters of ``text`` look: lower-case accented letters (the most frequent)
    count most, capitals less, typography nothing, anything else (control characters, box drawing, ``Ž``)
    against."""
    score = 0
    for char in text:
        if ord(char) < 128:
            continue
        if char in FRENCH_LOWER:
            score += 2
        elif char in FRENCH_UPPER:
            score += 1
        elif char not in TYPOGRAPHY:
            score -= 2
    return score


def decode(content):
    """The text of ``content`` and the encoding it was read with: UTF-8 (with or without BOM), UTF-16 with a BOM,
    then the single-byte encoding (Windows-1252, Mac-Roman, DOS CP437, Latin-1) whose accented letters look most
    like French; Windows-1252 wins a tie."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    unicode = ("utf-16", "utf-8") if content.startswith((b"\xff\xfe", b"\xfe\xff")) else ("utf-8",)
    for encoding in unicode:
        with contextlib.suppress(UnicodeDecodeError):
            return content.decode(encoding), encoding
    best = None
    for encoding, _label in LEGACY_ENCODINGS:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        score = _french_score(text)
        if best is None or score > best[0]:
            best = (score, text, encoding)
    return best[1], best[2]


def encoding_label(encoding):
    return dict(LEGACY_ENCODINGS).get(encoding, encoding)


def sniff_separator(text):
    """The separator that splits the first lines into the most rows of the same width (more than one column)."""
    sample = [line[:4096] for line in text.splitlines()[:50] if line.strip()]
    best, best_score = ";", (0, 0)
    for separator in SEPARATORS:
        try:
            widths = [len(row) for row in csv.reader(sample, delimiter=separator)]
        except csv.Error:
            continue
        if not widths:
            continue
        width, count = Counter(widths).most_common(1)[0]
        score = (count, width) if width > 1 else (0, 0)
        if score > best_score:
            best, best_score = separator, score
    return best


def column_letter(index):
    """``0`` → ``A``, ``27`` → ``AB``: how a spreadsheet names the column at ``index`` (from 0)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _csv_records(text, separator, issues):
    """The CSV records as ``(row number, cells)``; an unbalanced quote is read again without quoting. Stops at
    ``MAX_ROWS`` or at a record the csv module refuses (a field over its limit), with an issue naming the row."""
    for quoting in (csv.QUOTE_MINIMAL, csv.QUOTE_NONE):
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, quoting=quoting)
        rows = []
        try:
            for index, row in enumerate(reader, start=1):
                if index > MAX_ROWS:
                    issues.append(Issue(ERROR, TOO_MANY_ROWS(row=index, limit=MAX_ROWS), row=index))
                    return rows
                rows.append((index, [cell.strip() for cell in row]))
            return rows
        except csv.Error as error:
            failed_row = len(rows) + 1
            if "field limit" in str(error):
                issues.append(Issue(ERROR, CELL_TOO_LONG(row=failed_row, column="?", limit=MAX_CELL_CHARS),
                                    row=failed_row))
                return rows
            last_error = (failed_row, str(error))
    issues.append(Issue(ERROR, CSV_BROKEN(row=last_error[0], error=last_error[1]), row=last_error[0]))
    return rows


def _csv_rows(content, issues):
    text, encoding = decode(content)
    if encoding == "latin-1":
        issues.append(Issue(WARNING, FILE_LATIN1()))
    elif encoding in ("mac_roman", "cp437"):
        issues.append(Issue(WARNING, FILE_OTHER_ENCODING(encoding=encoding_label(encoding))))
    if "\x00" in text:
        issues.append(Issue(ERROR, FILE_BINARY()))
        return [], encoding, ""
    separator = sniff_separator(text)
    rows = _csv_records(text, separator, issues)
    for index, cells in rows:
        found = next((m.group(0) for cell in cells for m in [DOUBLE_ENCODED.search(cell)] if m), None)
        if found:
            issues.append(Issue(WARNING, FILE_DOUBLE_ENCODED(row=index, value=found), row=index))
            break
    return rows, encoding, separator


def _xlsx_rows(content, issues):
    """The first sheet's real cells, row by row. The range the file declares is ignored (it may be stale, or
    claim a million rows for one cell): rows are read as they come, each as wide as its last cell, and the
    reading stops at the first cell beyond ``MAX_COLUMNS`` or ``MAX_ROWS``."""
    import openpyxl
    from openpyxl.worksheet._reader import WorkSheetParser

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > MAX_UNPACKED_BYTES:
        issues.append(Issue(ERROR, FILE_UNPACKED_TOO_BIG(limit=MAX_UNPACKED_BYTES // (1024 * 1024))))
        return []
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        # The sheet's XML as it is, row by row: openpyxl's iter_rows would pad every row to the declared range
        # and yield every missing row up to the last one.
        parser = WorkSheetParser(sheet._get_source(), sheet._shared_strings, data_only=True, epoch=workbook.epoch,
                                 date_formats=workbook._date_formats)
        parsed = parser.parse()
    except Exception as error:
        issues.append(Issue(ERROR, FILE_XLSX_BROKEN(error=str(error) or error.__class__.__name__)))
        return []
    rows = []
    try:
        for index, cells in parsed:
            values = {cell["column"]: cell["value"] for cell in cells if cell["value"] not in (None, "")}
            if not values:
                continue
            last = max(values)
            if last > MAX_COLUMNS:
                column = column_letter(last - 1)
                issues.append(Issue(ERROR, CELL_OUT_OF_RANGE(row=index, column=column,
                                                             limit=column_letter(MAX_COLUMNS - 1)),
                                    row=index, column=column))
                break
            if index > MAX_ROWS:
                issues.append(Issue(ERROR, TOO_MANY_ROWS(row=index, limit=MAX_ROWS), row=index))
                break
            previous = rows[-1][0] if rows else 0
            rows.extend((blank, []) for blank in range(previous + 1, index))  # rows without a cell
            row = [""] * last
            for column, value in values.items():
                row[column - 1] = value.strip() if isinstance(value, str) else value
            rows.append((index, row))
    except Exception as error:
        row = (rows[-1][0] + 1) if rows else 1
        issues.append(Issue(ERROR, ROW_UNREADABLE(row=row, error=str(error) or error.__class__.__name__), row=row))
    finally:
        workbook.close()
    return rows


def _check_cells(rows, issues):
    """A cell longer than a spreadsheet cell may be is refused with its row and column (nothing reads it)."""
    for index, cells in rows:
        for position, cell in enumerate(cells):
            if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
                column = column_letter(position)
                issues.append(Issue(ERROR, CELL_TOO_LONG(row=index, column=column, limit=MAX_CELL_CHARS), row=index,
                                    column=column))
                return


def read_rows(content):
    """``(rows, encoding, separator, issues)``: ``rows`` is a list of ``(row number, cells)``; cells are text for
    a CSV file, and text, numbers or dates for a spreadsheet."""
    issues = []
    if not content or not content.strip():
        return [], "", "", [Issue(ERROR, FILE_EMPTY())]
    if len(content) > MAX_FILE_BYTES:
        size = (Decimal(len(content)) / (1024 * 1024)).quantize(Decimal("0.1"))
        return [], "", "", [Issue(ERROR, FILE_TOO_BIG(size=size, limit=MAX_FILE_BYTES // (1024 * 1024)))]
    if content.startswith(b"PK\x03\x04"):
        if not zipfile.is_zipfile(io.BytesIO(content)):
            return [], "xlsx", "", [Issue(ERROR, FILE_XLSX_BROKEN(error="zip"))]
        rows = _xlsx_rows(content, issues)
        encoding, separator = "xlsx", ""
    elif content.startswith(b"\xd0\xcf\x11\xe0"):
        return [], "xls", "", [Issue(ERROR, FILE_XLS())]
    else:
        rows, encoding, separator = _csv_rows(content, issues)
    _check_cells(rows, issues)
    return rows, encoding, separator, issues


# ---- Cells -------------------------------------------------------------------------------------------

SPACES = re.compile(r"[\s\u00a0\u202f\u2007']+")
CURRENCY = re.compile(r"(€|eur|euros?)", re.IGNORECASE)
NUMBER = re.compile(r"\d+(\.\d+)?")
MONTHS = {
    "janvier": 1, "janv": 1, "january": 1, "jan": 1,
    "fevrier": 2, "fevr": 2, "fev": 2, "february": 2, "feb": 2,
    "mars": 3, "march": 3, "mar": 3,
    "avril": 4, "avr": 4, "april": 4, "apr": 4,
    "mai": 5, "may": 5,
    "juin": 6, "june": 6, "jun": 6,
    "juillet": 7, "juil": 7, "july": 7, "jul": 7,
    "aout": 8, "august": 8, "aug": 8,
    "septembre": 9, "sept": 9, "sep": 9, "september": 9,
    "octobre": 10, "oct": 10, "october": 10,
    "novembre": 11, "nov": 11, "november": 11,
    "decembre": 12, "dec": 12, "december": 12,
}


class CellError(ValueError):
    """A cell that cannot be read as the value its column holds; ``template`` says why."""

    def __init__(self, template):
        super().__init__(template.code)
        self.template = template


def parse_amount(value):
    """A ``Decimal`` to the cent from a number or a text such as ``1 234,56 €``, ``1.234,56``, ``1,234.56``,
    ``-12,00`` or ``(12,00)``; raises ``CellError`` otherwise."""
    if isinstance(value, bool):
        raise CellError(BAD_AMOUNT)
    if isinstance(value, int | float | Decimal):
        try:
            amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except (InvalidOperation, ValueError) as error:
            raise CellError(BAD_AMOUNT) from error
        if not amount.is_finite():
            raise CellError(BAD_AMOUNT)
        if abs(amount) >= MAX_AMOUNT:
            raise CellError(AMOUNT_TOO_LARGE)
        if amount != amount.quantize(Decimal("0.000001")).quantize(Decimal("0.01")):
            raise CellError(TOO_MANY_DECIMALS)
        return cents(amount)
    text = CURRENCY.sub("", SPACES.sub("", str(value)))
    if len(text) > 40:
        raise CellError(BAD_AMOUNT)
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
        if text.startswith(("-", "+")) or text.endswith(("-", "+")):
            # "(-10)": an accountant's negative and a sign at once; which one was meant is not for us to guess.
            raise CellError(AMBIGUOUS_SIGN)
    if text.startswith("-"):
        negative, text = not negative, text[1:]
    elif text.endswith("-"):
        negative, text = not negative, text[:-1]
    elif text.startswith("+"):
        text = text[1:]
    if "," in text and "." in text:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        text = text.replace(thousands, "").replace(decimal_mark, ".")
    elif text.count(",") == 1:
        text = text.replace(",", ".")
    elif text.count(",") > 1 and re.fullmatch(r"\d{1,3}(,\d{3})+", text):
        text = text.replace(",", "")
    elif text.count(".") > 1 and re.fullmatch(r"\d{1,3}(\.\d{3})+", text):
        text = text.replace(".", "")
    if not NUMBER.fullmatch(text):
        raise CellError(BAD_AMOUNT)
    amount = Decimal(text)
    if amount >= MAX_AMOUNT:
        raise CellError(AMOUNT_TOO_LARGE)
    if amount != amount.quantize(Decimal("0.01")):
        raise CellError(TOO_MANY_DECIMALS)
    return cents(-amount if negative else amount)


def parse_period(value):
    """The first day of the month a cell names (see ``_parse_period``), between the years ``PERIOD_YEARS``."""
    period = _parse_period(value)
    if not PERIOD_YEARS[0] <= period.year <= PERIOD_YEARS[1]:
        raise CellError(PERIOD_OUT_OF_RANGE)
    return period


def _parse_period(value):
    """The first day of the month a cell names: a date (``31/07/2025``, ``2025-07-31``, a spreadsheet date), a
    month (``07/2025``, ``2025-07``, ``juillet 2025``), or a range whose start is taken (``01/07/2025 - 31/07/2025``).
    Raises ``CellError`` otherwise."""
    if isinstance(value, datetime):
        return value.date().replace(day=1)
    if isinstance(value, date):
        return value.replace(day=1)
    text = normalize_header(value)
    numbers = [int(part) for part in re.findall(r"\d+", text)]
    words = [word for word in re.findall(r"[a-z]+", text) if word in MONTHS]
    try:
        if words and numbers:
            year = next(number for number in numbers if number >= 1000)
            return date(year, MONTHS[words[0]], 1)
        iso = re.match(r"^(\d{4}) (\d{1,2})(?: (\d{1,2}))?", text)
        if iso:
            day = int(iso.group(3) or 1)
            return date(int(iso.group(1)), int(iso.group(2)), day).replace(day=1)
        french = re.match(r"^(\d{1,2}) (\d{1,2}) (\d{2}|\d{4})\b", text)
        if french:
            year = int(french.group(3))
            year = year + 2000 if year < 100 else year
            return date(year, int(french.group(2)), int(french.group(1))).replace(day=1)
        month = re.match(r"^(\d{1,2}) (\d{4})$", text)
        if month:
            return date(int(month.group(2)), int(month.group(1)), 1)
    except (ValueError, StopIteration, OverflowError) as error:
        raise CellError(BAD_PERIOD) from error
    raise CellError(BAD_PERIOD)


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return " ".join(str(value).split())


def _is_blank(cells):
    return all(_text(cell) == "" for cell in cells)


# ---- Header ------------------------------------------------------------------------------------------


def _find_columns(cells, layout):
    """``{field: (index, header)}`` for the cells of a header row: for each field, its names in order, the first
    cell that matches wins."""
    headers = [normalize_header(_text(cell)) for cell in cells]
    columns, duplicates = {}, {}
    taken = set()
    for name in FIELDS:
        aliases = [normalize_header(alias) for alias in getattr(layout, name)]
        for alias in aliases:
            indexes = [i for i, header in enumerate(headers) if header and header == alias and i not in taken]
            if indexes:
                columns[name] = (indexes[0], _text(cells[indexes[0]]))
                taken.add(indexes[0])
                if len(indexes) > 1:
                    duplicates[name] = [_text(cells[i]) for i in indexes]
                break
    return columns, duplicates


def _header(rows, layout, issues):
    """The header row (the first of the first rows naming the amount and an identifying column) and its columns."""
    for index, cells in rows[:HEADER_SEARCH_ROWS]:
        columns, duplicates = _find_columns(cells, layout)
        if "amount" in columns and any(name in columns for name in IDENTIFYING_FIELDS):
            for headers in duplicates.values():
                issues.append(
                    Issue(WARNING, DUPLICATE_COLUMN(row=index, columns=", ".join(headers)), row=index)
                )
            return index, columns
    first = next(((index, cells) for index, cells in rows if not _is_blank(cells)), None)
    if first is None:
        issues.append(Issue(ERROR, FILE_EMPTY()))
        return 0, {}
    index, cells = first
    columns, _duplicates = _find_columns(cells, layout)
    headers = ", ".join(_text(cell) for cell in cells if _text(cell)) or "—"
    if "amount" not in columns:
        issues.append(
            Issue(
                ERROR,
                NO_HEADER(row=index, names=" | ".join(layout.amount), headers=headers),
                row=index,
                column="amount",
            )
        )
    else:
        names = " | ".join(name for field_name in IDENTIFYING_FIELDS for name in getattr(layout, field_name))
        issues.append(
            Issue(ERROR, MISSING_IDENTIFIER(row=index, names=names, headers=headers), row=index, column="invoice_ref")
        )
    return 0, {}


# ---- Parsing -----------------------------------------------------------------------------------------

TOTAL_WORDS = ("total", "sous total", "montant total", "total general")


def _is_total_row(cells, columns):
    identifying = [_text(cells[index]) for name, (index, _h) in columns.items() if name in IDENTIFYING_FIELDS
                   and index < len(cells)]
    texts = [normalize_header(_text(cell)) for cell in cells]
    return any(text.startswith(TOTAL_WORDS) for text in texts if text) and not any(
        text and not normalize_header(text).startswith(TOTAL_WORDS) for text in identifying
    )


def parse_advice(content, layout=None):
    """Read a payment advice (CSV or XLSX bytes) into lines and issues; never raises."""
    layout = layout or Layout()
    try:
        return _parse_advice(content or b"", layout)
    except Exception as error:  # the last resort: the reliability suite counts it as an unexplained error
        return ParsedAdvice(issues=[Issue(ERROR, FILE_UNEXPECTED(error=str(error) or error.__class__.__name__))])


def _parse_advice(content, layout):
    rows, encoding, separator, issues = read_rows(content)
    result = ParsedAdvice(issues=issues, encoding=encoding, separator=separator)
    if result.blocking or not rows:
        if not issues:
            issues.append(Issue(ERROR, FILE_EMPTY()))
        return result
    header_row, columns = _header(rows, layout, issues)
    if not header_row:
        return result
    result.header_row = header_row

    def cell(cells, name):
        index = columns[name][0] if name in columns else None
        return cells[index] if index is not None and index < len(cells) else ""

    empty_rows, seen = [], {}
    total_rows = []
    for index, cells in rows:
        try:
            if index <= header_row:
                continue
            if _is_blank(cells):
                empty_rows.append(index)
                continue
            if _is_total_row(cells, columns):
                total_rows.append((index, cell(cells, "amount")))
                continue
            amount_header = columns["amount"][1]
            raw_amount = cell(cells, "amount")
            amount, blocked = ZERO, False
            if _text(raw_amount) == "":
                issues.append(Issue(ERROR, NO_AMOUNT(row=index, column=amount_header), index, amount_header))
                blocked = True
            else:
                try:
                    amount = parse_amount(raw_amount)
                except CellError as error:
                    message = error.template(row=index, column=amount_header, value=_text(raw_amount))
                    issues.append(Issue(ERROR, message, index, amount_header))
                    blocked = True
            if not blocked and amount < 0:
                issues.append(Issue(ERROR, NEGATIVE_AMOUNT(row=index, column=amount_header, amount=amount), index,
                                    amount_header))
            if not blocked and amount == 0:
                issues.append(Issue(WARNING, ZERO_AMOUNT(row=index, column=amount_header), index, amount_header))
                continue
            period = None
            raw_period = cell(cells, "period")
            if _text(raw_period):
                try:
                    period = parse_period(raw_period)
                except CellError as error:
                    period_header = columns["period"][1]
                    message = error.template(row=index, column=period_header, value=_text(raw_period))
                    issues.append(Issue(WARNING, message, index, period_header))
            line = AdviceLine(
                row=index,
                amount=amount,
                invoice_ref=_text(cell(cells, "invoice_ref"))[:64],
                beneficiary=_text(cell(cells, "beneficiary"))[:128],
                file_number=_text(cell(cells, "file_number"))[:64],
                period=period,
            )
            key = (normalize_ref(line.invoice_ref), normalize_name(line.beneficiary), normalize_ref(line.file_number),
                   line.period, line.amount)
            if key in seen:
                line = AdviceLine(**{**line.__dict__, "duplicate_of": seen[key]})
                issues.append(Issue(WARNING, DUPLICATE_LINE(row=index, first=seen[key]), index))
            else:
                seen[key] = index
            result.lines.append(line)
        except Exception as error:  # a cell no rule foresaw: the row is named, the file is not imported
            issues.append(Issue(ERROR, ROW_UNREADABLE(row=index, error=str(error) or error.__class__.__name__), index))
    if empty_rows:
        issues.append(Issue(WARNING, EMPTY_ROWS(rows=", ".join(str(row) for row in empty_rows[:20])
                                                + ("…" if len(empty_rows) > 20 else ""))))
    for index, raw_total in total_rows:
        issues.append(Issue(WARNING, TOTAL_ROW(row=index, amount=_text(raw_total)), index))
    if total_rows:
        # The last total is the file's; the others are subtotals, each named above.
        index, raw_total = total_rows[-1]
        lines_sum = sum((line.amount for line in result.lines), ZERO)
        try:
            total = parse_amount(raw_total)
        except CellError:
            total = None
        if total is not None and total != lines_sum:
            issues.append(Issue(WARNING, TOTAL_MISMATCH(row=index, total=total, amount=lines_sum), index))
    if not result.lines and not result.blocking:
        issues.append(Issue(ERROR, NO_LINES(row=header_row)))
    return result


# ---- Matching ----------------------------------------------------------------------------------------


def normalize_ref(text):
    """``" fdv/2025/0012 "`` → ``"FDV/2025/0012"``: no spaces, upper case."""
    return re.sub(r"\s+", "", str(text or "")).upper()


def normalize_name(text):
    """A person's name whatever its order, case and accents: ``"DUPONT Marie-Anne"`` → ``"anne dupont marie"``."""
    return " ".join(sorted(normalize_header(text).split()))


METHOD_INVOICE = "invoice_number"
METHOD_BENEFICIARY_AMOUNT = "beneficiary_period_amount"
METHOD_BENEFICIARY = "beneficiary_period"
METHOD_AMOUNT = "amount"
METHOD_MANUAL = "manual"

MATCHED = "matched"
PARTIAL = "partial"
OVERPAID = "overpaid"
UNKNOWN = "unknown"
ALREADY_PAID = "already_paid"
ERROR_STATUS = "error"

AMBIGUOUS_AMOUNT = Template(
    "ambiguous_amount", _lt("%(count)s open invoices of this payer have the amount %(amount)s: choose one by hand.")
)
UNKNOWN_INVOICE = Template(
    "unknown_invoice", _lt("No invoice %(value)s among this payer's posted invoices.")
)
NOTHING_FOUND = Template("nothing_found", _lt("No open invoice of this payer matches this line."))
PAID_BY_EARLIER_ROW = Template(
    "paid_by_earlier_row", _lt("The invoice is already paid by row %(first)s: the amount stays as the payer's credit.")
)
ALREADY_PAID_BEFORE = Template(
    "already_paid_before", _lt("The invoice was already paid: the amount stays as the payer's credit.")
)


@dataclass(frozen=True)
class Invoice:
    """A posted customer invoice of the payer: ``residual`` is what is left to pay (zero when paid)."""

    id: int
    number: str
    residual: Decimal
    beneficiary: str = ""
    file_number: str = ""
    period: date | None = None
    reference: str = ""


@dataclass(frozen=True)
class LineMatch:
    """How an advice line pays an invoice: ``allocated`` reconciles it, ``excess`` stays as the payer's credit
    (the whole amount for an unknown line, which waits in the suspense list)."""

    row: int
    status: str
    invoice_id: int = 0
    method: str = ""
    allocated: Decimal = ZERO
    excess: Decimal = ZERO
    message: object = None


def _unique(candidates):
    return candidates[0] if len(candidates) == 1 else None


def match_advice(lines, invoices, manual=None, blocked_rows=()):
    """Match ``lines`` (``AdviceLine``) to ``invoices`` (``Invoice``, the payer's posted invoices, paid or not).

    ``manual`` maps a row to the invoice id the operator chose; ``blocked_rows`` are rows with a blocking error
    (they match nothing). Lines are matched by the strongest key first, each pass over the lines the previous
    ones left: the invoice number; the beneficiary (name or file number), period and amount; the beneficiary
    and period when they designate one open invoice; the amount when exactly one open invoice and one line
    have it. Then the amounts are allocated in row order: a line pays at most what is left of its invoice.
    Returns one ``LineMatch`` per line, in the lines' order.
    """
    manual = manual or {}
    by_id = {invoice.id: invoice for invoice in invoices}
    by_number = defaultdict(list)
    for invoice in invoices:
        for reference in {normalize_ref(invoice.number), normalize_ref(invoice.reference)} - {""}:
            by_number[reference].append(invoice)
    open_invoices = [invoice for invoice in invoices if invoice.residual > 0]
    by_person_period = defaultdict(list)
    for invoice in open_invoices:
        if invoice.period:
            if invoice.beneficiary:
                by_person_period[("name", normalize_name(invoice.beneficiary), invoice.period)].append(invoice)
            if invoice.file_number:
                by_person_period[("file", normalize_ref(invoice.file_number), invoice.period)].append(invoice)

    found = {}  # row -> (invoice, method)
    notes = {}
    taken = set()
    pending = []
    for line in lines:
        if line.row in blocked_rows:
            continue
        if line.row in manual and manual[line.row] in by_id:
            found[line.row] = (by_id[manual[line.row]], METHOD_MANUAL)
            taken.add(manual[line.row])
        else:
            pending.append(line)

    # 1. The invoice number (or the invoice's payment reference).
    rest = []
    for line in pending:
        reference = normalize_ref(line.invoice_ref)
        candidate = _unique(by_number.get(reference, [])) if reference else None
        if candidate:
            found[line.row] = (candidate, METHOD_INVOICE)
            taken.add(candidate.id)
        else:
            if reference:
                notes[line.row] = UNKNOWN_INVOICE(value=line.invoice_ref)
            rest.append(line)

    def person_candidates(line):
        candidates = []
        if line.period and line.file_number:
            candidates = by_person_period.get(("file", normalize_ref(line.file_number), line.period), [])
        if not candidates and line.period and line.beneficiary:
            candidates = by_person_period.get(("name", normalize_name(line.beneficiary), line.period), [])
        return [invoice for invoice in candidates if invoice.id not in taken]

    # 2. The beneficiary, the period and the amount; 3. the beneficiary and the period alone.
    for method, with_amount in ((METHOD_BENEFICIARY_AMOUNT, True), (METHOD_BENEFICIARY, False)):
        pending, rest = rest, []
        for line in pending:
            candidates = person_candidates(line)
            if with_amount:
                candidates = [invoice for invoice in candidates if invoice.residual == line.amount]
            candidate = _unique(candidates)
            if candidate:
                found[line.row] = (candidate, method)
                taken.add(candidate.id)
                notes.pop(line.row, None)
            else:
                rest.append(line)

    # 4. The amount, when one open invoice and one remaining line have it.
    lines_by_amount = Counter(line.amount for line in rest)
    invoices_by_amount = defaultdict(list)
    for invoice in open_invoices:
        if invoice.id not in taken:
            invoices_by_amount[invoice.residual].append(invoice)
    for line in rest:
        candidates = invoices_by_amount.get(line.amount, [])
        if len(candidates) == 1 and lines_by_amount[line.amount] == 1:
            found[line.row] = (candidates[0], METHOD_AMOUNT)
            taken.add(candidates[0].id)
            notes.pop(line.row, None)
        elif len(candidates) > 1 and line.row not in notes:
            notes[line.row] = AMBIGUOUS_AMOUNT(count=len(candidates), amount=line.amount)

    # Allocation, in row order.
    left = {invoice.id: invoice.residual for invoice in invoices}
    first_payer = {}
    results = []
    for line in lines:
        if line.row in blocked_rows:
            results.append(LineMatch(line.row, ERROR_STATUS))
            continue
        if line.row not in found:
            message = notes.get(line.row) or NOTHING_FOUND()
            results.append(LineMatch(line.row, UNKNOWN, excess=line.amount, message=message))
            continue
        invoice, method = found[line.row]
        remaining = left[invoice.id]
        if remaining <= 0:
            message = (
                PAID_BY_EARLIER_ROW(first=first_payer[invoice.id]) if invoice.id in first_payer
                else ALREADY_PAID_BEFORE()
            )
            results.append(LineMatch(line.row, ALREADY_PAID, invoice.id, method, ZERO, line.amount, message))
            continue
        first_payer.setdefault(invoice.id, line.row)
        allocated = min(remaining, line.amount)
        left[invoice.id] = remaining - allocated
        if line.amount == remaining:
            status = MATCHED
        elif line.amount < remaining:
            status = PARTIAL
        else:
            status = OVERPAID
        results.append(LineMatch(line.row, status, invoice.id, method, allocated, line.amount - allocated))
    return results


# ---- The transfer ------------------------------------------------------------------------------------


def lines_digest(lines):
    """The lines of an advice (invoice, beneficiary, file number, period, amount), normalised as the matching reads
    them and in any order, with their total: the same whatever the bytes of the file (re-saved, another line
    ending, another encoding, rows in another order)."""
    items = sorted(
        "|".join((normalize_ref(line.invoice_ref), normalize_name(line.beneficiary), normalize_ref(line.file_number),
                  line.period.isoformat() if line.period else "", str(cents(line.amount))))
        for line in lines
    )
    total = cents(sum((line.amount for line in lines), ZERO))
    return hashlib.sha256("\n".join((str(total), *items)).encode()).hexdigest()


def transfer_key(payer_id, transfer_date, digest):
    """What identifies one transfer: the payer, the date, and the lines of its advice (``lines_digest``)."""
    return hashlib.sha256(("%s|%s|%s" % (payer_id, transfer_date.isoformat(), digest)).encode()).hexdigest()
