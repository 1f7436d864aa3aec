"""Activity import: a month of absences exported by an establishment's care-records software (issue 21).

Two layouts, told apart by their header:
- one row per absence: the person (file number, or name and birth date), the kind, the first and last day, and
  optionally the departure and return times (without times an absence covers whole days);
- one row per person with a code per day of the month (columns 1 to 31, the codes of the compact portal layout: P
  present, D half day, H hospital, A personal absence, V holidays, W family weekend, O other absence, X not
  billed, - outside the stay): each run of consecutive days with one absence code is one whole-day absence.

The file is read as a payment advice is (``remittance.read_rows``: encodings, separators, spreadsheet cells,
bounded work); ``parse_activity`` never raises: every problem is an ``Issue`` naming the row and the column.
Matching the persons to their stays and comparing with the absences recorded is the model's (it needs the
database); this module only reads and checks what the file says.
"""

import hashlib
import re
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from .dates import month_end
from .messages import Template
from .messages import _lt
from .remittance import ERROR
from .remittance import ROW_UNREADABLE
from .remittance import WARNING
from .remittance import Issue
from .remittance import _is_blank
from .remittance import _text
from .remittance import column_letter
from .remittance import normalize_header
from .remittance import read_rows

KINDS = ("hospital", "personal", "holidays", "family_weekend", "other")
# The words of the care-records software for each kind (normalised: no case, no accent), and the day codes.
KIND_WORDS = {
    "hospital": ("hospital", "hospitalisation", "hospitalization", "hopital", "hospitalise", "h"),
    "personal": ("personal", "convenance personnelle", "personnelle", "absence personnelle", "personnel", "a"),
    "holidays": ("holidays", "vacances", "conges", "sejour vacances", "v"),
    "family_weekend": ("family weekend", "week end en famille", "week end famille", "retour en famille",
                       "week end", "famille", "w"),
    "other": ("other", "autre", "autre absence", "o"),
}
DAY_CODES = {"H": "hospital", "A": "personal", "V": "holidays", "W": "family_weekend", "O": "other"}
IGNORED_CODES = {"P", "D", "X", "-", ""}

COLUMNS = {
    "file_number": ("file number", "n° dossier", "numéro de dossier", "numero dossier", "dossier", "matricule",
                    "n° usager", "identifiant"),
    "name": ("name", "nom prénom", "nom et prénom", "nom", "usager", "résident", "bénéficiaire", "personne"),
    "birth_date": ("birth date", "date de naissance", "né le", "née le", "naissance"),
    "kind": ("kind", "motif", "type d'absence", "type", "nature", "nature de l'absence"),
    "start": ("start", "début", "date de début", "du", "départ", "date de départ", "date début"),
    "end": ("end", "fin", "date de fin", "au", "retour", "date de retour", "date fin"),
    "start_time": ("start time", "heure de départ", "heure de début", "heure début", "heure départ"),
    "end_time": ("end time", "heure de retour", "heure de fin", "heure fin", "heure retour"),
}
HEADER_SEARCH_ROWS = 30
YEARS = (1900, 2099)

NO_HEADER = Template(
    "activity_no_header",
    _lt("No header found in the first rows: the file needs a column for the person (file number, or name and birth "
        "date) and either the kind, start and end of each absence, or one column per day (1 to 31). First row read: "
        "%(headers)s."),
)
NO_PERSON = Template(
    "activity_no_person",
    _lt("Row %(row)s: the person is missing (a file number, or a name and a birth date)."),
)
BAD_DATE = Template("activity_bad_date", _lt("Row %(row)s, column %(column)s: “%(value)s” is not a date."))
BAD_TIME = Template("activity_bad_time", _lt("Row %(row)s, column %(column)s: “%(value)s” is not a time."))
MISSING_DATE = Template("activity_missing_date", _lt("Row %(row)s, column %(column)s: the date is missing."))
BAD_KIND = Template(
    "activity_bad_kind",
    _lt("Row %(row)s, column %(column)s: “%(value)s” is not a kind of absence (hospitalisation, convenance "
        "personnelle, vacances, week-end en famille, autre)."),
)
END_BEFORE_START = Template(
    "activity_end_before_start", _lt("Row %(row)s: the absence ends (%(end)s) before it starts (%(start)s).")
)
OUTSIDE_MONTH = Template(
    "activity_outside_month",
    _lt("Row %(row)s: the absence (%(start)s to %(end)s) is not in the month imported (%(month)s)."),
)
BAD_CODE = Template(
    "activity_bad_code",
    _lt("Row %(row)s, column %(column)s: “%(value)s” is not a day code (P, D, H, A, V, W, O, X or -)."),
)
DAY_NOT_IN_MONTH = Template(
    "activity_day_not_in_month",
    _lt("Row %(row)s, column %(column)s: the month imported has no day %(day)s; the code is ignored."),
)
DUPLICATE_ROW = Template("activity_duplicate_row", _lt("Row %(row)s repeats row %(first)s: it is ignored."))
OVERLAP = Template(
    "activity_overlap", _lt("Row %(row)s: the absence overlaps the one of row %(first)s for the same person.")
)
FILE_UNEXPECTED = Template(
    "activity_file_unexpected",
    _lt("The file cannot be read (%(error)s): check that it is the care-records export, as CSV or XLSX."),
)
NO_ABSENCE = Template("activity_no_absence", _lt("The file has a header (row %(row)s) but no absence."))


@dataclass(frozen=True)
class ImportedAbsence:
    """One absence of the file: local naive datetimes; ``row`` is its row in the file (the header is counted)."""

    row: int
    file_number: str
    name: str
    birth_date: date | None
    kind: str
    start: datetime
    end: datetime
    whole_days: bool

    @property
    def person_key(self):
        return self.file_number or "%s|%s" % (normalize_header(self.name), self.birth_date or "")


@dataclass
class ParsedActivity:
    absences: list = field(default_factory=list)
    issues: list = field(default_factory=list)
    encoding: str = ""
    separator: str = ""
    header_row: int = 0
    layout: str = ""  # "absences" or "days"
    refused_rows: set = field(default_factory=set)

    @property
    def blocking(self):
        return any(issue.blocking for issue in self.issues)


def file_digest(content):
    """The file's bytes identify an import: the same file imported twice is refused."""
    return hashlib.sha256(content or b"").hexdigest()


# ---- Cells ---------------------------------------------------------------------------------------------

DATE_FORMS = (
    re.compile(r"^(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})[/.\-](?P<y>\d{4}|\d{2})$"),
)
ISO = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[ T].*)?$")
TIME = re.compile(r"^(?P<h>\d{1,2})\s*(?:[:hH]\s*(?P<m>\d{2})?)?(?::\d{2})?$")


class CellError(ValueError):
    pass


def parse_date(value):
    """A date from a spreadsheet date, ``dd/mm/yyyy``, ``dd/mm/yy``, ``dd.mm.yyyy`` or ISO; ``None`` when blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        result = value.date()
    elif isinstance(value, date):
        result = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if value != value or not 1 <= value < 80000:  # NaN, or no spreadsheet serial date
            raise CellError(value)
        result = date(1899, 12, 30) + timedelta(days=int(value))
    else:
        text = str(value).strip()
        match = ISO.match(text)
        if match:
            year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
        else:
            match = DATE_FORMS[0].match(text)
            if not match:
                raise CellError(value)
            day, month, year = int(match["d"]), int(match["m"]), int(match["y"])
            if len(match["y"]) == 2:
                year += 2000 if year < 70 else 1900
        try:
            result = date(year, month, day)
        except ValueError as error:
            raise CellError(value) from error
    if not YEARS[0] <= result.year <= YEARS[1]:
        raise CellError(value)
    return result


def parse_time(value):
    """A time from a spreadsheet time, ``14:30``, ``14h30``, ``14h`` or ``9``; ``None`` when blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    if isinstance(value, float) and not isinstance(value, bool) and 0 <= value < 1:  # a spreadsheet's day fraction
        minutes = round(value * 24 * 60)
        return time(min(minutes // 60, 23), minutes % 60 if minutes < 24 * 60 else 59)
    match = TIME.match(_text(value))
    if not match:
        raise CellError(value)
    hours, minutes = int(match["h"]), int(match["m"] or 0)
    if hours > 23 or minutes > 59:
        raise CellError(value)
    return time(hours, minutes)


def parse_kind(value):
    text = normalize_header(_text(value))
    for kind, words in KIND_WORDS.items():
        if text in words:
            return kind
    for kind, words in KIND_WORDS.items():
        if any(len(word) > 3 and text.startswith(word) for word in words):
            return kind
    raise CellError(value)


# ---- Header --------------------------------------------------------------------------------------------


def _columns(cells):
    headers = [normalize_header(_text(cell)) for cell in cells]
    columns, taken = {}, set()
    for name, aliases in COLUMNS.items():
        for alias in (normalize_header(alias) for alias in aliases):
            index = next((i for i, header in enumerate(headers) if header == alias and i not in taken), None)
            if index is not None:
                columns[name] = index
                taken.add(index)
                break
    days = {}
    for index, header in enumerate(headers):
        if index not in taken and header.isdigit() and 1 <= int(header) <= 31 and int(header) not in days:
            days[int(header)] = index
    return columns, days


def _header(rows):
    for index, cells in rows[:HEADER_SEARCH_ROWS]:
        columns, days = _columns(cells)
        person = "file_number" in columns or "name" in columns
        if person and {"kind", "start", "end"} <= set(columns):
            return index, columns, {}, "absences"
        if person and len(days) >= 28:
            return index, columns, days, "days"
    first = next((cells for __, cells in rows if not _is_blank(cells)), [])
    headers = ", ".join(_text(cell) for cell in first if _text(cell)) or "—"
    return 0, {}, {}, NO_HEADER(headers=headers[:500])


# ---- Parsing -------------------------------------------------------------------------------------------


def parse_activity(content, month):
    """Read a month of absences (CSV or XLSX bytes) for the month starting on ``month``; never raises."""
    result = ParsedActivity()
    try:
        _parse(content, month, result)
    except Exception as error:  # the last resort: the fuzz test counts it as a failure
        result.issues.append(Issue(ERROR, FILE_UNEXPECTED(error=str(error)[:200] or error.__class__.__name__)))
    return result


def _cell(cells, index):
    return cells[index] if index is not None and index < len(cells) else None


def _parse(content, month, result):
    rows, result.encoding, result.separator, issues = read_rows(content)
    result.issues.extend(issues)
    if any(issue.blocking for issue in issues) or not rows:
        return
    header_row, columns, days, layout = _header(rows)
    if not header_row:
        result.issues.append(Issue(ERROR, layout))
        return
    result.header_row, result.layout = header_row, layout
    last_day = month_end(month)
    seen = {}
    for index, cells in rows:
        if index <= header_row or _is_blank(cells):
            continue
        try:
            person = _person(index, cells, columns, result)
            if person is None:
                result.refused_rows.add(index)
                continue
            if layout == "absences":
                absences = _absence_row(index, cells, columns, person, month, last_day, result)
            else:
                absences = _day_row(index, cells, days, person, month, last_day, result)
        except Exception as error:  # a cell no rule foresaw: the row is named and refused
            result.issues.append(Issue(ERROR, ROW_UNREADABLE(row=index, error=str(error)[:200] or
                                                             error.__class__.__name__), row=index))
            result.refused_rows.add(index)
            continue
        for absence in absences:
            key = (absence.person_key, absence.kind, absence.start, absence.end)
            if key in seen:
                result.issues.append(Issue(WARNING, DUPLICATE_ROW(row=index, first=seen[key]), row=index))
                continue
            seen[key] = index
            result.absences.append(absence)
    _check_overlaps(result)
    if not result.absences and not result.blocking:
        result.issues.append(Issue(ERROR, NO_ABSENCE(row=header_row), row=header_row))


def _person(index, cells, columns, result):
    file_number = _text(_cell(cells, columns.get("file_number")))
    name = _text(_cell(cells, columns.get("name")))
    birth = None
    if "birth_date" in columns:
        try:
            birth = parse_date(_cell(cells, columns["birth_date"]))
        except CellError:
            column = column_letter(columns["birth_date"])
            result.issues.append(Issue(ERROR, BAD_DATE(row=index, column=column,
                                                       value=_text(_cell(cells, columns["birth_date"]))[:100]),
                                       row=index, column=column))
            return None
    if not file_number and not (name and birth):
        column = column_letter(columns.get("file_number", columns.get("name", 0)))
        result.issues.append(Issue(ERROR, NO_PERSON(row=index), row=index, column=column))
        return None
    return file_number[:64], name[:200], birth


def _date_cell(index, cells, columns, name, result, required=True):
    value = _cell(cells, columns.get(name))
    column = column_letter(columns[name]) if name in columns else name
    try:
        parsed = parse_time(value) if name.endswith("_time") else parse_date(value)
    except CellError:
        template = BAD_TIME if name.endswith("_time") else BAD_DATE
        result.issues.append(Issue(ERROR, template(row=index, column=column, value=_text(value)[:100]), row=index,
                                   column=column))
        raise
    if parsed is None and required:
        result.issues.append(Issue(ERROR, MISSING_DATE(row=index, column=column), row=index, column=column))
        raise CellError(value)
    return parsed


def _absence_row(index, cells, columns, person, month, last_day, result):
    value = _cell(cells, columns["kind"])
    try:
        kind = parse_kind(value)
    except CellError:
        column = column_letter(columns["kind"])
        result.issues.append(Issue(ERROR, BAD_KIND(row=index, column=column, value=_text(value)[:100]), row=index,
                                   column=column))
        result.refused_rows.add(index)
        return []
    try:
        start = _date_cell(index, cells, columns, "start", result)
        end = _date_cell(index, cells, columns, "end", result)
        start_time = _date_cell(index, cells, columns, "start_time", result, required=False)
        end_time = _date_cell(index, cells, columns, "end_time", result, required=False)
    except CellError:
        result.refused_rows.add(index)
        return []
    whole_days = start_time is None and end_time is None
    start_at = datetime.combine(start, start_time or time(0, 0))
    end_at = datetime.combine(end, end_time or time(23, 59, 59))
    if end_at <= start_at:
        result.issues.append(Issue(ERROR, END_BEFORE_START(row=index, start=start_at.strftime("%d/%m/%Y %H:%M"),
                                                           end=end_at.strftime("%d/%m/%Y %H:%M")), row=index))
        result.refused_rows.add(index)
        return []
    if end < month or start > last_day:
        result.issues.append(Issue(ERROR, OUTSIDE_MONTH(row=index, start=start.strftime("%d/%m/%Y"),
                                                        end=end.strftime("%d/%m/%Y"),
                                                        month=month.strftime("%m/%Y")), row=index))
        result.refused_rows.add(index)
        return []
    return [ImportedAbsence(index, *person, kind, start_at, end_at, whole_days)]


def _day_row(index, cells, days, person, month, last_day, result):
    kinds = {}
    for day, position in sorted(days.items()):
        code = _text(_cell(cells, position)).upper()
        column = column_letter(position)
        if code in IGNORED_CODES:
            continue
        if code not in DAY_CODES:
            result.issues.append(Issue(ERROR, BAD_CODE(row=index, column=column, value=code[:20]), row=index,
                                       column=column))
            result.refused_rows.add(index)
            return []
        if day > last_day.day:
            result.issues.append(Issue(WARNING, DAY_NOT_IN_MONTH(row=index, column=column, day=day), row=index,
                                       column=column))
            continue
        kinds[day] = DAY_CODES[code]
    absences, run = [], None
    for day in range(1, last_day.day + 2):
        kind = kinds.get(day)
        if run and kind == run[0] and day == run[2] + 1:
            run = (run[0], run[1], day)
            continue
        if run:
            absences.append(ImportedAbsence(
                index, *person, run[0], datetime.combine(month.replace(day=run[1]), time(0, 0)),
                datetime.combine(month.replace(day=run[2]), time(23, 59, 59)), True,
            ))
        run = (kind, day, day) if kind else None
    return absences


def _check_overlaps(result):
    by_person = {}
    kept = []
    for absence in sorted(result.absences, key=lambda a: (a.person_key, a.start, a.row)):
        previous = by_person.get(absence.person_key)
        if previous and absence.start < previous.end:
            result.issues.append(Issue(ERROR, OVERLAP(row=absence.row, first=previous.row), row=absence.row))
            result.refused_rows.add(absence.row)
            continue
        by_person[absence.person_key] = absence
        kept.append(absence)
    result.absences = sorted(kept, key=lambda a: (a.row, a.start))
