"""Reading a month of absences exported by a care-records system (engine/activity_import.py), without database."""

import io
from datetime import date
from datetime import datetime

import openpyxl
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from odoo.addons.essms_billing.engine.activity_import import ImportedAbsence
from odoo.addons.essms_billing.engine.activity_import import file_digest
from odoo.addons.essms_billing.engine.activity_import import parse_activity

OCTOBER = date(2026, 10, 1)


def codes(issues):
    return [(issue.message.code, issue.row, issue.column) for issue in issues]


def test_one_row_per_absence_in_windows_1252_with_french_headers_and_forms():
    content = (
        "Export Logiciel Dossier Usager;;;;;;\r\n"
        "N° dossier;Nom prénom;Date de naissance;Motif;Du;Au;Heure de départ;Heure de retour\r\n"
        "D-001;Garcia Léa;17/05/1980;Hospitalisation;10/10/2026;20/10/2026;9h00;18:30\r\n"
        ";Roux Anne;1975-02-03;Vacances;01/10/26;07/10/26;;\r\n"
        "D-003;Boyer Karim;;Week-end en famille;2026-10-03;2026-10-04;;\r\n"
    ).encode("cp1252")
    parsed = parse_activity(content, OCTOBER)
    assert not parsed.blocking, codes(parsed.issues)
    assert parsed.layout == "absences" and parsed.header_row == 2 and parsed.separator == ";"
    assert parsed.absences == [
        ImportedAbsence(3, "D-001", "Garcia Léa", date(1980, 5, 17), "hospital", datetime(2026, 10, 10, 9, 0),
                        datetime(2026, 10, 20, 18, 30), False),
        ImportedAbsence(4, "", "Roux Anne", date(1975, 2, 3), "holidays", datetime(2026, 10, 1),
                        datetime(2026, 10, 7, 23, 59, 59), True),
        ImportedAbsence(5, "D-003", "Boyer Karim", None, "family_weekend", datetime(2026, 10, 3),
                        datetime(2026, 10, 4, 23, 59, 59), True),
    ]


def test_one_row_per_person_with_a_code_per_day_in_a_spreadsheet():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Matricule", "Nom", *range(1, 32)])
    sheet.append(["D-001", "Garcia", *(["P"] * 9 + ["H"] * 11 + ["P"] * 2 + ["W"] * 2 + ["P"] * 7)])
    sheet.append(["D-002", "Roux", *(["V"] * 3 + ["-"] * 28)])
    stream = io.BytesIO()
    workbook.save(stream)
    parsed = parse_activity(stream.getvalue(), OCTOBER)
    assert not parsed.blocking, codes(parsed.issues)
    assert parsed.layout == "days"
    assert [(a.file_number, a.kind, a.start.day, a.end.day, a.whole_days) for a in parsed.absences] == [
        ("D-001", "hospital", 10, 20, True),
        ("D-001", "family_weekend", 23, 24, True),
        ("D-002", "holidays", 1, 3, True),
    ]


def test_every_error_is_named_by_row_and_column():
    content = (
        "Dossier;Nom;Motif;Début;Fin\n"
        "D-1;A;Piscine;01/10/2026;02/10/2026\n"
        "D-2;B;Vacances;31/02/2026;02/10/2026\n"
        ";;Vacances;01/10/2026;02/10/2026\n"
        "D-4;D;Vacances;05/10/2026;02/10/2026\n"
        "D-5;E;Vacances;01/11/2026;02/11/2026\n"
        "D-6;F;Vacances;01/10/2026;10/10/2026\n"
        "D-6;F;Hospitalisation;05/10/2026;06/10/2026\n"
        "D-7;G;Autre;03/10/2026;03/10/2026\n"
        "D-7;G;Autre;03/10/2026;03/10/2026\n"
    ).encode()
    parsed = parse_activity(content, OCTOBER)
    assert codes(parsed.issues) == [
        ("activity_bad_kind", 2, "C"),
        ("activity_bad_date", 3, "D"),
        ("activity_no_person", 4, "A"),
        ("activity_end_before_start", 5, ""),
        ("activity_outside_month", 6, ""),
        ("activity_duplicate_row", 10, ""),
        ("activity_overlap", 8, ""),
    ]
    assert [absence.row for absence in parsed.absences] == [7, 9]
    assert parsed.refused_rows == {2, 3, 4, 5, 6, 8}


def test_no_header_and_empty_files_are_refused():
    assert codes(parse_activity(b"", OCTOBER).issues) == [("file_empty", 0, "")]
    assert codes(parse_activity(b"a;b;c\n1;2;3\n", OCTOBER).issues) == [("activity_no_header", 0, "")]
    assert file_digest(b"x") == file_digest(b"x") != file_digest(b"y")


CELLS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["01/10/2026", "2026-10-31", "31/10/26", "32/10/2026", "H", "V", "P", "-", "Vacances",
                     "hospitalisation", "9h", "25:00", "", "=1+1", "NaN", "1e9"]),
)


@settings(max_examples=150, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.lists(CELLS, min_size=0, max_size=9), max_size=12),
    layout=st.sampled_from(["absences", "days"]),
    separator=st.sampled_from([";", ",", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1"]),
)
def test_fuzz_never_crashes_and_names_every_error(rows, layout, separator, encoding):
    """0 crashes, every error located (a row, a column or the file), every row an absence, refused or warned."""
    header = (["Dossier", "Nom", "Date de naissance", "Motif", "Du", "Au", "Heure de départ", "Heure de retour"]
              if layout == "absences" else ["Dossier", "Nom", *map(str, range(1, 32))])
    lines = [separator.join(header)] + [separator.join(cell.replace(separator, " ").replace("\n", " ")
                                                       .replace("\r", " ").replace('"', "")
                                                       for cell in row) for row in rows]
    content = "\r\n".join(lines).encode(encoding, errors="replace")
    parsed = parse_activity(content, OCTOBER)
    for issue in parsed.issues:
        assert issue.message.render()
        assert issue.message.code not in ("activity_file_unexpected", "row_unreadable"), issue.message.render()
        # An error names its row, or is about the whole file (unreadable, no header, no absence at all).
        if issue.blocking and not issue.message.code.startswith("file_"):
            assert issue.row or issue.message.code in ("activity_no_header", "too_many_rows", "csv_broken"), (
                issue.message.render()
            )
    explained = {absence.row for absence in parsed.absences} | parsed.refused_rows | {
        issue.row for issue in parsed.issues
    }
    for index, row in enumerate(rows, start=2):
        if parsed.header_row and any(cell.strip() for cell in row):
            present_all_month = layout == "days" and all(
                cell.strip().upper() in ("P", "D", "X", "-", "") for cell in row[2:33]
            )
            assert index in explained or present_all_month, (index, row)
