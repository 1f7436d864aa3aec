"""Portal and entries files (engine.portal): day codes, number and date formats, determinism."""

import io
import zipfile
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from odoo.addons.essms_billing.engine.days import Absence
from odoo.addons.essms_billing.engine.days import StaySpan
from odoo.addons.essms_billing.engine.days import YearCounters
from odoo.addons.essms_billing.engine.days import classify_days
from odoo.addons.essms_billing.engine.portal import Column
from odoo.addons.essms_billing.engine.portal import FileSettings
from odoo.addons.essms_billing.engine.portal import count_codes
from odoo.addons.essms_billing.engine.portal import day_code
from odoo.addons.essms_billing.engine.portal import read_csv
from odoo.addons.essms_billing.engine.portal import render

from .engine_fixtures import POLICY_C


def _codes(stay, absences, start=date(2025, 7, 1), end=date(2025, 7, 31)):
    days = classify_days(stay, absences, POLICY_C, start, end, YearCounters(2025), frozenset())
    return "".join(day_code(day) for day in days.days)


def test_day_codes_of_a_month_with_a_weekend_and_a_hospital_stay():
    absences = [Absence("family_weekend", date(2025, 7, 5), date(2025, 7, 6)),
                Absence("hospital", date(2025, 7, 10), date(2025, 7, 20))]
    codes = _codes(StaySpan(date(2024, 1, 1)), absences)
    assert codes == "PPPPWWPPP" + "H" * 11 + "P" * 11
    counts = count_codes(codes)
    assert counts["present"] == 18
    assert counts["hospital"] == 11
    assert counts["family_weekend"] == 2


def test_day_codes_outside_the_stay_and_exit_day_not_billed():
    codes = _codes(StaySpan(date(2025, 7, 10), date(2025, 7, 20), end_reason="departure"), [])
    assert codes == "-" * 9 + "P" * 10 + "X" + "-" * 11
    assert count_codes(codes)["not_billed"] == 1


def test_csv_numbers_dates_and_daily_columns():
    columns = [Column("file_number", "Dossier"), Column("birth_date", "Né le"), Column("gross_amount", "Brut"),
               Column("days_present", "Présence"), Column("daily_codes", "J")]
    settings = FileSettings(separator=";", decimal_separator=",", date_format="%d/%m/%Y", encoding="cp1252")
    rows = [{"file_number": "F-1", "birth_date": date(1980, 5, 17), "gross_amount": 5420.0,
             "days_present": Decimal("18.5"), "daily_codes": "PPH"}]
    data = render(columns, rows, settings, days_in_month=3)
    lines = read_csv(data, settings)
    assert lines[0] == ["Dossier", "Né le", "Brut", "Présence", "J01", "J02", "J03"]
    assert lines[1] == ["F-1", "17/05/1980", "5420,00", "18,5", "P", "P", "H"]
    assert data.startswith("Dossier;Né le".encode("cp1252"))


def test_xlsx_is_the_same_bytes_whenever_it_is_made():
    columns = [Column("file_number", "Dossier", width=14), Column("net_amount", "Net"), Column("date_entry", "Entrée")]
    rows = [{"file_number": "F-1", "net_amount": 4696.68, "date_entry": date(2024, 1, 1)}]
    settings = FileSettings(file_format="xlsx")
    first = render(columns, rows, settings)
    archive = zipfile.ZipFile(io.BytesIO(first))
    assert {info.date_time for info in archive.infolist()} == {(2000, 1, 1, 0, 0, 0)}
    assert b"2000-01-01T00:00:00Z" in archive.read("docProps/core.xml")
    assert render(columns, rows, settings) == first
    sheet = load_workbook(io.BytesIO(first)).active
    assert [cell.value for cell in sheet[1]] == ["Dossier", "Net", "Entrée"]
    assert sheet["B2"].value == 4696.68
    assert sheet["B2"].number_format == "0.00"
    assert sheet["C2"].value.date() == date(2024, 1, 1)
