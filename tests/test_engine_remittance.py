"""Payment advices: reading whatever the payers send (engine.remittance), then matching lines to invoices."""

import io
from datetime import date
from datetime import datetime
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from odoo.addons.essms_billing.engine.remittance import ALREADY_PAID
from odoo.addons.essms_billing.engine.remittance import MATCHED
from odoo.addons.essms_billing.engine.remittance import OVERPAID
from odoo.addons.essms_billing.engine.remittance import PARTIAL
from odoo.addons.essms_billing.engine.remittance import UNKNOWN
from odoo.addons.essms_billing.engine.remittance import AdviceLine
from odoo.addons.essms_billing.engine.remittance import CellError
from odoo.addons.essms_billing.engine.remittance import Invoice
from odoo.addons.essms_billing.engine.remittance import Layout
from odoo.addons.essms_billing.engine.remittance import lines_digest
from odoo.addons.essms_billing.engine.remittance import match_advice
from odoo.addons.essms_billing.engine.remittance import normalize_header
from odoo.addons.essms_billing.engine.remittance import parse_advice
from odoo.addons.essms_billing.engine.remittance import parse_amount
from odoo.addons.essms_billing.engine.remittance import parse_period
from odoo.addons.essms_billing.engine.remittance import transfer_key

D = Decimal

CD66_CSV = (
    "Département des Pyrénées-Orientales;;;\r\n"
    "Avis de paiement n° 2025-0815;;;\r\n"
    ";;;\r\n"
    "N° Facture;Nom Prénom;Période;Montant réglé\r\n"
    "FDV/2025/00001;DUPONT Marie;07/2025;4 687,68\r\n"
    "FDV/2025/00002;Élodie Martin;01/07/2025;1\u00a0234,56\r\n"
    ";;;\r\n"
    "FDV/2025/00003;GARCÍA José;2025-07;(12,00)\r\n"
    "FDV/2025/00004;Noël Lefèvre;juillet 2025;douze\r\n"
    "FDV/2025/00001;DUPONT Marie;07/2025;4 687,68\r\n"
    "Total;;;10 609,92\r\n"
)


def codes(result):
    return [(issue.severity, issue.message.code, issue.row) for issue in result.issues]


def test_windows_1252_semicolons_decimal_commas_and_a_title_block():
    result = parse_advice(CD66_CSV.encode("cp1252"))
    assert (result.encoding, result.separator, result.header_row) == ("cp1252", ";", 4)
    assert [(line.row, line.invoice_ref, line.amount, line.period) for line in result.lines] == [
        (5, "FDV/2025/00001", D("4687.68"), date(2025, 7, 1)),
        (6, "FDV/2025/00002", D("1234.56"), date(2025, 7, 1)),
        (8, "FDV/2025/00003", D("-12.00"), date(2025, 7, 1)),
        (9, "FDV/2025/00004", D("0.00"), date(2025, 7, 1)),
        (10, "FDV/2025/00001", D("4687.68"), date(2025, 7, 1)),
    ]
    assert result.lines[1].beneficiary == "Élodie Martin"
    assert result.lines[4].duplicate_of == 5
    assert codes(result) == [
        ("error", "negative_amount", 8),
        ("error", "bad_amount", 9),
        ("warning", "duplicate_line", 10),
        ("warning", "empty_rows", 0),
        ("warning", "total_row", 11),
        ("warning", "total_mismatch", 11),
    ]
    bad = result.issues[1].message.render()
    assert bad == "Row 9, column Montant réglé: “douze” is not an amount."
    assert result.blocking


def test_utf8_with_and_without_bom_and_tabs_and_commas_give_the_same_lines():
    text = "Facture\tMontant\nF1\t10,50\nF2\t1 000,00\n"
    expected = [("F1", D("10.50")), ("F2", D("1000.00"))]
    for content in (text.encode(), b"\xef\xbb\xbf" + text.encode(), text.replace("\t", ",").replace(",50", ".50")
                    .replace("1 000,00", '"1 000,00"').encode("utf-8")):
        result = parse_advice(content)
        assert [(line.invoice_ref, line.amount) for line in result.lines] == expected, content
        assert not result.issues


def test_utf8_text_read_as_windows_1252_then_saved_again_is_flagged():
    content = "Facture;Montant;Nom\nF1;10,00;Élodie\n".encode().decode("cp1252").encode("utf-8")
    result = parse_advice(content)
    assert codes(result) == [("warning", "file_double_encoded", 2)]


def test_missing_or_misnamed_columns_say_which_and_list_the_headers():
    result = parse_advice("Facture;Somme payée\nF1;10,00\n".encode())
    assert not result.lines
    assert codes(result) == [("error", "no_header", 1)]
    message = result.issues[0].message.render()
    assert "is named as the amount (amount | montant" in message and "Facture, Somme payée" in message
    result = parse_advice("Libellé;Montant\nX;10,00\n".encode())
    assert codes(result) == [("error", "missing_identifier", 1)]


def test_header_matching_ignores_case_accents_and_punctuation():
    assert normalize_header(" N° FACTURE ") == normalize_header("n facture")
    assert normalize_header("PÉRIODE") == "periode"
    result = parse_advice(b"NUMERO DE FACTURE;periode;MONTANT PAYE\nF1;08/2025;5\n")
    assert [(line.invoice_ref, line.period, line.amount) for line in result.lines] == [
        ("F1", date(2025, 8, 1), D("5.00"))
    ]


def test_a_payer_layout_names_its_own_headers():
    layout = Layout.from_texts(invoice_ref="Pièce | Réf. pièce", amount="Mt mandaté", period="")
    result = parse_advice("Réf pièce;Mt mandaté\nF1;7,00\n".encode(), layout)
    assert [(line.invoice_ref, line.amount) for line in result.lines] == [("F1", D("7.00"))]
    assert layout.period == Layout().period


def test_amounts_in_every_form_the_payers_write_them():
    assert parse_amount("1 234,56 €") == D("1234.56")
    assert parse_amount("1\u202f234,56") == D("1234.56")
    assert parse_amount("1.234,56") == D("1234.56")
    assert parse_amount("1,234.56") == D("1234.56")
    assert parse_amount("1.234.567") == D("1234567.00")
    assert parse_amount("-12,5") == D("-12.50")
    assert parse_amount("12,50-") == D("-12.50")
    assert parse_amount("(3,00)") == D("-3.00")
    assert parse_amount(4687.68) == D("4687.68")
    assert parse_amount(12) == D("12.00")
    for text, code in (("12,345", "too_many_decimals"), ("1.234", "too_many_decimals"), ("12,5,0", "bad_amount"),
                       ("", "bad_amount"), ("EUR", "bad_amount"), (True, "bad_amount"), (0.001, "too_many_decimals"),
                       (float("nan"), "bad_amount")):
        with pytest.raises(CellError) as caught:
            parse_amount(text)
        assert caught.value.template.code == code, text


def test_periods_as_dates_months_and_ranges():
    july = date(2025, 7, 1)
    for value in ("31/07/2025", "2025-07-31", "07/2025", "7/2025", "2025-07", "Juillet 2025", "JUIL. 2025",
                  "01/07/2025 - 31/07/2025", "31/07/25", datetime(2025, 7, 31, 0, 0), date(2025, 7, 12)):
        assert parse_period(value) == july, value
    for value in ("32/07/2025", "13/2025", "été", "2025"):
        with pytest.raises(CellError):
            parse_period(value)


def test_a_bad_period_is_a_warning_and_the_line_stays():
    result = parse_advice("Facture;Période;Montant\nF1;printemps;10\n".encode())
    assert [line.period for line in result.lines] == [None]
    assert codes(result) == [("warning", "bad_period", 2)]
    assert result.issues[0].column == "Période"
    assert not result.blocking


def test_missing_and_zero_amounts():
    result = parse_advice(b"Facture;Montant\nF1;\nF2;0,00\nF3;5\n")
    assert [line.row for line in result.lines] == [2, 4]
    assert codes(result) == [("error", "no_amount", 2), ("warning", "zero_amount", 3)]


def test_files_that_are_not_advices():
    assert codes(parse_advice(b"")) == [("error", "file_empty", 0)]
    assert codes(parse_advice(b"\n\n ;;\n")) == [("error", "file_empty", 0)]
    assert codes(parse_advice(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest")) == [("error", "file_xls", 0)]
    assert codes(parse_advice(b"PK\x03\x04broken")) == [("error", "file_xlsx_broken", 0)]
    assert codes(parse_advice(b"Facture;Montant\x00\x01")) == [("error", "file_binary", 0)]
    assert codes(parse_advice(b"Facture;Montant\n")) == [("error", "no_lines", 0)]
    # Not UTF-8 nor Windows-1252 (0x81 is undefined there): read as the encoding whose letter it is, with a warning.
    result = parse_advice(b"Facture;Montant\nF\x81;10\n")
    assert result.encoding == "cp437"
    assert [line.amount for line in result.lines] == [D("10.00")]
    assert codes(result) == [("warning", "file_other_encoding", 0)]
    # Control characters only: Latin-1, with its warning.
    result = parse_advice(b"Facture;Montant\nF\x81\xff\x9d\xad;10\n")
    assert result.encoding in ("latin-1", "cp437", "mac_roman")
    assert any(issue.severity == "warning" for issue in result.issues)


def _xlsx(rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_with_numbers_dates_and_text_cells():
    content = _xlsx(
        [
            ["Avis de paiement"],
            [],
            ["Dossier", "Bénéficiaire", "Période", "Montant"],
            ["F-FDV-1", "Dupont Marie", datetime(2025, 7, 1), 4687.68],
            [123, "Martin Élodie", "08/2025", "1 234,56"],
            [None, None, None, None],
            ["F-FDV-3", "Garcia José", date(2025, 7, 31), "n/a"],
        ]
    )
    result = parse_advice(content)
    assert result.encoding == "xlsx"
    assert [(line.row, line.file_number, line.period, line.amount) for line in result.lines] == [
        (4, "F-FDV-1", date(2025, 7, 1), D("4687.68")),
        (5, "123", date(2025, 8, 1), D("1234.56")),
        (7, "F-FDV-3", date(2025, 7, 1), D("0.00")),
    ]
    assert codes(result) == [("error", "bad_amount", 7), ("warning", "empty_rows", 0)]


# ---- Fuzzing: no input makes the parser raise ---------------------------------------------------------

CELLS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["Facture", "Montant", "Période", "Nom", "Total", "1 234,56", "-3", "07/2025", "", "€", '"']),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_fuzz_any_bytes(content):
    result = parse_advice(content)
    assert result.lines or result.issues


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.lists(CELLS, max_size=6), max_size=8),
    st.sampled_from([";", ",", "\t"]),
    st.sampled_from(["utf-8", "cp1252", "utf-8-sig", "utf-16"]),
)
def test_fuzz_csv_like_text(rows, separator, encoding):
    text = "\n".join(separator.join(row) for row in [["Facture", "Période", "Montant"], *rows])
    result = parse_advice(text.encode(encoding, errors="replace"))
    for line in result.lines:
        assert line.amount == line.amount.quantize(D("0.01"))
    for issue in result.issues:
        assert issue.message.render()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.lists(
            st.one_of(st.none(), st.text(max_size=8), st.floats(allow_nan=False, allow_infinity=False),
                      st.integers(min_value=-10**9, max_value=10**9), st.dates(), st.booleans()),
            max_size=4,
        ),
        max_size=5,
    )
)
def test_fuzz_xlsx_cells(rows):
    clean = [[cell for cell in row if not (isinstance(cell, str) and any(ord(c) < 32 for c in cell))] for row in rows]
    result = parse_advice(_xlsx([["Facture", "Période", "Montant"], *clean]))
    assert all(issue.message.render() for issue in result.issues)


# ---- Matching -----------------------------------------------------------------------------------------

JULY = date(2025, 7, 1)
INVOICES = [
    Invoice(1, "FDV/2025/00001", D("4687.68"), "Dupont Marie", "F-1", JULY),
    Invoice(2, "FDV/2025/00002", D("1234.56"), "Martin Élodie", "F-2", JULY),
    Invoice(3, "FDV/2025/00003", D("900.00"), "Garcia José", "F-3", JULY),
    Invoice(4, "FDV/2025/00004", D("0.00"), "Lefèvre Noël", "F-4", JULY),
    Invoice(5, "FDV/2025/00005", D("5400.00"), "Petit Jean", "F-5", JULY),
    Invoice(6, "FDV/2025/00006", D("5400.00"), "Roux Anne", "F-6", JULY),
    Invoice(7, "FDV/2025/00007", D("321.00"), "", "", JULY),
]


def summary(results):
    return [(match.row, match.status, match.invoice_id, match.method, match.allocated, match.excess)
            for match in results]


def test_each_line_says_how_it_was_matched_and_what_it_pays():
    lines = [
        AdviceLine(2, D("4687.68"), invoice_ref="fdv/2025/00001"),
        AdviceLine(3, D("1234.56"), beneficiary="ÉLODIE MARTIN", period=JULY),
        AdviceLine(4, D("500.00"), file_number="F-3", period=JULY),
        AdviceLine(5, D("180.00"), invoice_ref="FDV/2025/00004"),
        AdviceLine(6, D("321.00")),
        AdviceLine(7, D("5400.00"), beneficiary="Inconnu Paul"),
        AdviceLine(8, D("99.00"), invoice_ref="XYZ"),
        AdviceLine(9, D("4700.00"), invoice_ref="FDV/2025/00001"),
    ]
    results = match_advice(lines, INVOICES)
    assert summary(results) == [
        (2, MATCHED, 1, "invoice_number", D("4687.68"), D("0.00")),
        (3, MATCHED, 2, "beneficiary_period_amount", D("1234.56"), D("0.00")),
        (4, PARTIAL, 3, "beneficiary_period", D("500.00"), D("0.00")),
        (5, ALREADY_PAID, 4, "invoice_number", D("0.00"), D("180.00")),
        (6, MATCHED, 7, "amount", D("321.00"), D("0.00")),
        (7, UNKNOWN, 0, "", D("0.00"), D("5400.00")),
        (8, UNKNOWN, 0, "", D("0.00"), D("99.00")),
        (9, ALREADY_PAID, 1, "invoice_number", D("0.00"), D("4700.00")),
    ]
    assert results[5].message.render() == "2 open invoices of this payer have the amount 5400.00: choose one by hand."
    assert results[6].message.render() == "No invoice XYZ among this payer's posted invoices."
    assert results[8 - 1].message.render() == (
        "The invoice is already paid by row 2: the amount stays as the payer's credit."
    )


def test_overpaid_line_pays_the_residual_and_keeps_the_excess():
    results = match_advice([AdviceLine(2, D("1000.00"), invoice_ref="FDV/2025/00003")], INVOICES)
    assert summary(results) == [(2, OVERPAID, 3, "invoice_number", D("900.00"), D("100.00"))]


def test_two_partial_lines_share_one_invoice_then_overpay_it():
    lines = [AdviceLine(2, D("600.00"), invoice_ref="FDV/2025/00003"),
             AdviceLine(3, D("600.00"), invoice_ref="FDV/2025/00003")]
    assert summary(match_advice(lines, INVOICES)) == [
        (2, PARTIAL, 3, "invoice_number", D("600.00"), D("0.00")),
        (3, OVERPAID, 3, "invoice_number", D("300.00"), D("300.00")),
    ]


def test_the_operator_choice_wins_and_amount_matching_needs_a_unique_line_too():
    lines = [AdviceLine(2, D("5400.00")), AdviceLine(3, D("321.00")), AdviceLine(4, D("321.00"))]
    results = match_advice(lines, INVOICES, manual={2: 6}, blocked_rows={4})
    assert summary(results) == [
        (2, MATCHED, 6, "manual", D("5400.00"), D("0.00")),
        (3, MATCHED, 7, "amount", D("321.00"), D("0.00")),
        (4, "error", 0, "", D("0.00"), D("0.00")),
    ]
    results = match_advice(lines, INVOICES)
    assert [match.status for match in results] == [UNKNOWN, UNKNOWN, UNKNOWN]


# ---- Hostile files (issue 12): bounded work, no silent loss, no absurd amount, every error located ----------


def _xlsx_with_dimension(rows, dimension):
    """A workbook whose first sheet declares ``dimension`` (a stale or absurd range), whatever its real cells."""
    import re
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(_xlsx(rows)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="%s"/>' % dimension.encode(), data)
            target.writestr(info, data)
    return buffer.getvalue()


def test_a_stale_declared_range_reads_every_real_row():
    rows = [["Facture", "Montant"], *(["F%d" % i, 300] for i in range(1, 6))]
    result = parse_advice(_xlsx_with_dimension(rows, "A1:B3"))
    assert [line.invoice_ref for line in result.lines] == ["F1", "F2", "F3", "F4", "F5"]
    assert sum(line.amount for line in result.lines) == D("1500.00")


def test_one_cell_at_xfd1048576_is_refused_quickly_by_its_real_content(tmp_path):
    import time
    import tracemalloc

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Facture", "Montant"])
    sheet.append(["F1", 10])
    sheet["XFD1048576"] = "x"
    buffer = io.BytesIO()
    workbook.save(buffer)
    content = buffer.getvalue()
    assert len(content) < 10000
    tracemalloc.start()
    start = time.monotonic()
    result = parse_advice(content)
    elapsed = time.monotonic() - start
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 20 and peak < 200 * 1024 * 1024
    assert ("error", "too_many_rows", 1048576) in codes(result) or ("error", "cell_out_of_range", 1048576) in codes(
        result)
    assert not result.lines
    # A declared range of the whole sheet over two real rows reads the two rows.
    result = parse_advice(_xlsx_with_dimension([["Facture", "Montant"], ["F1", 10]], "A1:XFD1048576"))
    assert [line.amount for line in result.lines] == [D("10.00")]
    assert not result.issues


def test_too_many_rows_and_too_big_files_are_refused_with_the_limit():
    content = ("Facture;Montant\n" + "".join("F%d;1\n" % i for i in range(20001))).encode()
    result = parse_advice(content)
    assert codes(result) == [("error", "too_many_rows", 20001)]
    result = parse_advice(b"Facture;Montant\n" + b"F;1\n" * (3 * 1024 * 1024))
    assert codes(result) == [("error", "file_too_big", 0)]


def test_absurd_amounts_are_refused_with_row_and_column():
    for value in ("1000000000", "1e15", "100000000000000000000", 10 ** 15, 10 ** 20, 1e28, 10 ** 30,
                  "123456789012345678901234567890,00"):
        with pytest.raises(CellError) as caught:
            parse_amount(value)
        assert caught.value.template.code in ("amount_too_large", "bad_amount"), value
    assert parse_amount("999 999 999,99") == D("999999999.99")
    result = parse_advice(b"Facture;Montant\nF1;100000000000000000000\nF2;10\n")
    assert codes(result) == [("error", "amount_too_large", 2)]
    assert result.issues[0].column == "Montant"


def test_cells_that_crashed_the_reader_now_name_their_row_and_column():
    huge = "x" * (200 * 1024)
    for content in (
        ("Facture;Montant\nF1;10\n%s;5\n" % huge).encode(),
        ('Facture;Montant\nF1;10\n"%s";5\n' % huge).encode(),
        b"Facture;Montant\nF1;10\nF2;" + b"9" * 40 + b"\n",
        b"Facture;Montant\nF1;NaN\nF2;inf\nF3;-Infinity\n",
    ):
        result = parse_advice(content)
        assert result.blocking
        for issue in result.issues:
            assert issue.row, issue
            assert issue.message.code not in ("file_unexpected", "file_xlsx_broken", "row_unreadable"), issue
    rows = [["Facture", "Montant"], ["F1", "y" * 30000], ["F2", float("inf")], ["F3", 1e30], ["F4", float("nan")]]
    result = parse_advice(_xlsx(rows))
    assert result.blocking
    assert all(issue.row for issue in result.issues)
    result = parse_advice(("Facture;Nom;Montant\nF1;%s;10\n" % ("y" * 40000)).encode())
    assert codes(result) == [("error", "cell_too_long", 2)]
    assert result.issues[0].column == "B"


def test_accounting_brackets_with_a_sign_are_refused_not_read_positive():
    assert parse_amount("(10)") == D("-10.00")
    for value in ("(-10)", "(+10)", "(10-)"):
        with pytest.raises(CellError) as caught:
            parse_amount(value)
        assert caught.value.template.code == "ambiguous_sign"


def test_periods_outside_1990_2099_are_refused():
    for value in ("01/0001", "0001-01-01", "12/9999", "9999-12-31", date(1, 1, 1), datetime(9999, 12, 31),
                  "juillet 1989"):
        with pytest.raises(CellError) as caught:
            parse_period(value)
        assert caught.value.template.code == "period_out_of_range", value
    result = parse_advice("Facture;Période;Montant\nF1;07/9999;10\n".encode())
    assert codes(result) == [("warning", "period_out_of_range", 2)]
    assert result.lines[0].period is None


def test_mac_roman_and_dos_files_are_read_in_their_encoding_and_say_so():
    text = "Facture;Bénéficiaire;Montant\nF1;Élodie Lefèvre à Perpignan, façade;10\n"
    for encoding in ("mac_roman", "cp437"):
        result = parse_advice(text.encode(encoding))
        assert result.encoding == encoding
        assert result.lines[0].beneficiary == "Élodie Lefèvre à Perpignan, façade"
        assert codes(result) == [("warning", "file_other_encoding", 0)]
    result = parse_advice(text.encode("cp1252"))
    assert result.encoding == "cp1252" and not result.issues
    assert result.lines[0].beneficiary == "Élodie Lefèvre à Perpignan, façade"


def test_the_transfer_key_ignores_the_bytes_not_the_transfer():
    rows = "Facture;Nom;Période;Montant\nF1;DUPONT Marie;07/2025;10,00\nF2;Jean Petit;07/2025;20,00\n"
    first = parse_advice(rows.encode("cp1252")).lines
    resaved = parse_advice(("\ufeff" + rows.replace("\n", "\r\n") + "\r\n").encode("utf-8")).lines
    reordered = parse_advice("Facture;Nom;Période;Montant\nf2;PETIT Jean;2025-07;20\nF1;Marie Dupont;07/2025;10\n"
                             .encode()).lines
    other = parse_advice(rows.replace("20,00", "21,00").encode()).lines
    key = transfer_key(7, date(2025, 8, 20), lines_digest(first))
    assert transfer_key(7, date(2025, 8, 20), lines_digest(resaved)) == key
    assert transfer_key(7, date(2025, 8, 20), lines_digest(reordered)) == key
    assert transfer_key(7, date(2025, 8, 21), lines_digest(first)) != key
    assert transfer_key(8, date(2025, 8, 20), lines_digest(first)) != key
    assert transfer_key(7, date(2025, 8, 20), lines_digest(other)) != key
