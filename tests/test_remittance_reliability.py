"""Reliability of the advice import (issue 12): hostile files fuzzed THROUGH THE MODEL.

Each generated file becomes a payment advice (``essms.remittance.create`` with the file, then ``action_import``,
the operator's preview), as an operator would upload it. Files: CSV in six encodings, four separators, three line
endings, title rows, hostile cells (huge and absurd amounts, NaN/INF, ``(-10)``, periods in year 1 or 9999,
formulas, control characters, cells over 128 KB, NUL bytes), and XLSX with numbers, NaN, stale or absurd declared
ranges and a cell at XFD1048576. Counted:

- crashes: ``action_import`` raised;
- unexplained errors: an error (a blocked line or a refused file) whose message names no row, column or file, or
  is one of the reader's last resorts (a Python error shown as it is);
- silent losses: a data row of the file that is neither a line of the advice nor named by a message; or a line
  whose amount is not the one written in the file.

All three must be 0. ``ESSMS_FUZZ_EXAMPLES`` sets the number of files (500 by default, about a minute; the nightly
size is 5 000); the seed is fixed (``derandomize``), so a run is reproducible. ``ESSMS_FUZZ_REPORT``, when set,
is a path where the run's figures are written as JSON (the README's Reliability section quotes them).
"""

import base64
import csv
import io
import json
import logging
import os
import re
import zipfile
from datetime import date
from decimal import Decimal

import openpyxl
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from odoo.tests import TransactionCase
from odoo.tests import tagged

_logger = logging.getLogger(__name__)

EXAMPLES = int(os.environ.get("ESSMS_FUZZ_EXAMPLES") or 500)
HEADER = ["N° Facture", "Nom Prénom", "Période", "Montant réglé"]

HOSTILE_TEXTS = [
    '=HYPERLINK("http://x.example","y")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3", "Total", "TOTAL GÉNÉRAL",
    "Montant", "N° Facture", "\x00", "\x07bell", "Ã©lodie", "DUPONT\u00a0Marie", "ÉLODIE Lefèvre", "\u202e",
    "a;b", "a,b", 'quote"inside', '"unbalanced', "line\nbreak", "\t", "€", "😀", "",
]
AMOUNT_TEXTS = [
    "NaN", "nan", "inf", "-inf", "Infinity", "1e30", "1E5", "(-10)", "(+10)", "(10-)", "--10", "10--", "1e15",
    "100000000000000000000", "9" * 40, "9" * 400, "12,345", "1.234", "0", "0,00", "-0", "", "abc", "10 €",
    "1 000 000 000,00", "999 999 999,99", "(10)", "10-", "1,234.56", "1.234,56",
]
PERIOD_TEXTS = [
    "07/2025", "01/0001", "12/9999", "0001-01-01", "9999-12-31", "juillet 2025", "31/02/2025", "13/2025",
    "printemps", "", "2025", "1/1/1", "07/1989",
]
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "mac_roman", "cp437", "utf-16"]


@st.composite
def valid_amounts(draw):
    cents = draw(st.integers(min_value=1, max_value=99_999_999_99))
    amount = Decimal(cents) / 100
    style = draw(st.sampled_from(["fr", "fr_space", "en", "plain", "euro", "brackets", "minus"]))
    whole, frac = divmod(cents, 100)
    text = {
        "fr": "%d,%02d" % (whole, frac),
        "fr_space": f"{whole:,}".replace(",", " ") + ",%02d" % frac,
        "en": f"{whole:,}" + ".%02d" % frac,
        "plain": "%d.%02d" % (whole, frac),
        "euro": "%d,%02d €" % (whole, frac),
        "brackets": "(%d,%02d)" % (whole, frac),
        "minus": "-%d,%02d" % (whole, frac),
    }[style]
    if style in ("brackets", "minus"):
        amount = -amount
    return text, amount


texts = st.one_of(st.sampled_from(HOSTILE_TEXTS), st.text(max_size=20))
amounts = st.one_of(
    valid_amounts(),
    valid_amounts(),
    st.tuples(st.sampled_from(AMOUNT_TEXTS), st.none()),
    st.tuples(st.text(max_size=12), st.none()),
)
periods = st.one_of(st.sampled_from(PERIOD_TEXTS), st.text(max_size=12))


@st.composite
def rows(draw):
    """``(cells, amount)`` per data row; ``amount`` is the ``Decimal`` the row means, or None if not an amount."""
    result = []
    for _index in range(draw(st.integers(min_value=0, max_value=8))):
        text, amount = draw(amounts)
        cells = [draw(texts), draw(texts), draw(periods), text]
        result.append((cells, amount))
    return result


@st.composite
def csv_files(draw):
    data = draw(rows())
    titles = draw(st.lists(st.lists(texts, max_size=3), max_size=3))
    separator = draw(st.sampled_from([";", ",", "\t", "|"]))
    ending = draw(st.sampled_from(["\r\n", "\n", "\r"]))
    encoding = draw(st.sampled_from(ENCODINGS))
    big_cell = draw(st.sampled_from([None] * 30 + ["header", "data"]))
    quote_all = draw(st.booleans())
    if not quote_all:
        # The csv module quotes a line break only if it is in the line ending: the file's rows would not be ours.
        titles = [[re.sub(r"[\r\n]", " ", cell) for cell in title] for title in titles]
        data = [([re.sub(r"[\r\n]", " ", cell) for cell in cells], amount) for cells, amount in data]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator=ending,
                        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    for title in titles:
        writer.writerow(title)
    writer.writerow(HEADER)
    first_data = len(titles) + 2
    for cells, _amount in data:
        if big_cell == "data":
            cells = [*cells[:1], "x" * (140 * 1024), *cells[2:]]
            big_cell = None
        writer.writerow(cells)
    content = buffer.getvalue().encode(encoding, errors="replace")
    if big_cell == "header":
        content = ("y" * (140 * 1024) + ending).encode() + content
        first_data += 1
    return content, first_data, data, "csv/%s" % encoding


@st.composite
def xlsx_files(draw):
    data = draw(rows())
    numeric = draw(st.booleans())
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Avis de paiement"])
    sheet.append(HEADER)
    expected = []
    for cells, amount in data:
        value = cells[3]
        if numeric and amount is not None:
            value = float(amount)
        elif numeric:
            value = draw(st.sampled_from([float("nan"), float("inf"), 1e30, 10 ** 20, 0, -5, value]))
            if isinstance(value, float | int) and 0 < value < 10 ** 9:
                amount = Decimal(value)
        row = [cell if not isinstance(cell, str) else re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", cell)
               for cell in [*cells[:3], value]]
        sheet.append(row)
        expected.append((row, amount))
    far = draw(st.sampled_from([None] * 8 + ["XFD1048576", "A1048576", "GS3"]))
    if far:
        sheet[far] = "x"
    buffer = io.BytesIO()
    workbook.save(buffer)
    content = buffer.getvalue()
    dimension = draw(st.sampled_from([None, None, "A1:B2", "A1:XFD1048576", "A1:D1"]))
    if dimension:
        source = zipfile.ZipFile(io.BytesIO(content))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                part = source.read(info.filename)
                if info.filename == "xl/worksheets/sheet1.xml":
                    part = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="%s"/>' % dimension.encode(), part)
                target.writestr(info, part)
        content = out.getvalue()
    return content, 3, expected, "xlsx" + ("/far" if far else "") + ("/dim" if dimension else "")


# A message locates its problem when it names a row, a column or the file.
LOCATED = re.compile(r"\bRow \d+|\brows? skipped|^The file\b|^The spreadsheet\b|^No header row\b|column")
LAST_RESORTS = ("The file cannot be read (", "cannot be read (")
ROW_NUMBERS = re.compile(r"\bRow (\d+)")
EMPTY_ROWS = re.compile(r"Empty rows skipped: ([\d, …]+)")


@tagged("post_install", "-at_install")
class TestAdviceReliability(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.payer = cls.env["res.partner"].create({"name": "CD fuzz", "essms_payer_kind": "departement"})
        cls.journal = cls.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", cls.env.company.id)], limit=1
        )

    def _check(self, content, first_data, data, kind, stats):
        stats["files"] += 1
        stats["kinds"][kind.split("/")[0]] = stats["kinds"].get(kind.split("/")[0], 0) + 1
        try:
            with self.env.cr.savepoint():
                remittance = self.env["essms.remittance"].create({
                    "partner_id": self.payer.id,
                    "date": date(2025, 8, 20),
                    "journal_id": self.journal.id,
                    "file": base64.b64encode(content),
                    "filename": "avis.%s" % kind.split("/")[0],
                })
                remittance.action_import()
                notes = (remittance.import_notes or "").splitlines()
                lines = remittance.line_ids
                line_messages = [message for line in lines for message in (line.parse_message or "").splitlines()]
                file_error = remittance.file_error
                blocked = lines.filtered("blocking")
                found = [(line.row, line.amount, line.blocking) for line in lines]
        except Exception as error:
            stats["crashes"].append("%s: %r" % (kind, error))
            return
        errors = [note for note in notes if file_error]
        errors += [message for line in blocked for message in (line.parse_message or "").split("\n")]
        for message in errors:
            if not LOCATED.search(message) or message.startswith(LAST_RESORTS) or " cannot be read (" in message:
                stats["unexplained"].append("%s: %s" % (kind, message[:200]))
        if file_error or blocked:
            stats["clear_errors"] += 1
        if file_error:
            return  # the file is refused whole, with a located message (checked above)
        named = set()
        for message in notes + line_messages:
            named.update(int(number) for number in ROW_NUMBERS.findall(message))
            for listed in EMPTY_ROWS.findall(message):
                named.update(int(number) for number in re.findall(r"\d+", listed))
        by_row = {row: (amount, blocking) for row, amount, blocking in found}
        for offset, (cells, amount) in enumerate(data):
            row = first_data + offset
            if all(not " ".join(str(cell).split()) for cell in cells):
                continue  # an empty row is no line (a trailing one is not even in a spreadsheet's XML)
            if row not in by_row and row not in named:
                if os.environ.get("ESSMS_FUZZ_DUMP"):
                    with open(os.path.join(os.environ["ESSMS_FUZZ_DUMP"], "loss_%d" % stats["files"]), "wb") as dump:
                        dump.write(content)
                stats["losses"].append("%s: row %s neither imported nor named: %r; lines %s; notes %s" % (
                    kind, row, cells, sorted(by_row), notes))
            elif (row in by_row and amount is not None and not by_row[row][1] and amount > 0
                  and abs(Decimal(str(by_row[row][0])) - amount) >= Decimal("0.005")):
                stats["losses"].append("%s: row %s read %s, the file says %s" % (kind, row, by_row[row][0], amount))

    def test_hostile_advice_files_through_the_model(self):
        stats = {"files": 0, "clear_errors": 0, "crashes": [], "unexplained": [], "losses": [], "kinds": {}}

        @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(st.one_of(csv_files(), csv_files(), xlsx_files()))
        def run(generated):
            self._check(*generated, stats)

        run()
        _logger.info(
            "Advice fuzzing through the model: %s files (%s), %s with a clear error, %s crashes, %s unexplained "
            "errors, %s silent losses",
            stats["files"], stats["kinds"], stats["clear_errors"], len(stats["crashes"]), len(stats["unexplained"]),
            len(stats["losses"]),
        )
        if os.environ.get("ESSMS_FUZZ_REPORT"):
            with open(os.environ["ESSMS_FUZZ_REPORT"], "w", encoding="utf-8") as report:
                json.dump({**stats, "crashes": stats["crashes"][:20], "unexplained": stats["unexplained"][:20],
                           "losses": stats["losses"][:20], "counts": {
                               "crashes": len(stats["crashes"]), "unexplained": len(stats["unexplained"]),
                               "losses": len(stats["losses"])}}, report, ensure_ascii=False, indent=1)
        self.assertGreaterEqual(stats["files"], min(EXAMPLES, 500))
        self.assertEqual(stats["crashes"], [])
        self.assertEqual(stats["unexplained"], [])
        self.assertEqual(stats["losses"], [])
