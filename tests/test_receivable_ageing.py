"""Due-date tracking (tableau de suivi des échéances): open receivables aged, the pivot model and the XLSX.

A small ledger built on 30/11/2026 (figures to the cent):

| Payer | Document | Date | Due | Amount | Open on 30/11/2026 | Days | Bucket |
|---|---|---|---|---|---|---|---|
| CD66 (département) | A | 31/10/2026 | 30/11/2026 | 10 234,56 | 10 234,56 | 0 | 0-30 |
| CD66 | B | 01/10/2026 | 31/10/2026 | 5 000,10 | 5 000,10 | 30 | 0-30 |
| CD66 | C | 30/09/2026 | 30/10/2026 | 3 100,25 | 3 100,25 | 31 | 31-60 |
| Marie Roux (resident) | D | 31/10/2025 | 30/11/2025 | 1 200,00 | 949,60 (250,40 paid 10/11/2026) | 365 | 181-365 |
| Marie Roux | E | 30/10/2025 | 29/11/2025 | 800,00 | 800,00 | 366 | over 365 |
| Marie Roux | F | 15/11/2026 | 15/12/2026 | 600,00 | 600,00 | — | not due |
| Marie Roux | credit note R | 20/11/2026 | 20/11/2026 | -100,00 | -100,00 | — | unallocated credit |
| Famille Dupont (family) | G | 01/09/2026 | 01/10/2026 | 450,00 | paid 15/11/2026 | | |
| Famille Dupont | payment not matched | 25/11/2026 | | -75,00 | -75,00 | — | unallocated credit |

Totals: département 18 334,91; resident 2 249,60; family -75,00; all 20 509,51. A credit (a credit note or a payment
not matched yet) is owed to the payer, not late: it has a column of its own, never an age.
"""

import base64
import io
import zipfile
from datetime import date
from datetime import timedelta

from freezegun import freeze_time
from lxml import etree
from openpyxl import load_workbook

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user
from odoo.tests import tagged
from odoo.tools import format_date

from .billing_common import BillingCommon

TODAY = date(2026, 11, 30)
ESTABLISHMENT = "essms_billing.group_essms_establishment"
OPERATOR = "essms_billing.group_essms_operator"


@tagged("post_install", "-at_install")
class TestReceivableAgeing(BillingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Ageing = cls.env["essms.receivable.ageing"]
        cls.marie_stay = cls._create_resident("Marie Roux")
        cls.marie = cls.marie_stay.beneficiary_id
        cls.resident = cls.marie.partner_id
        cls.family = cls.env["res.partner"].create({"name": "Famille Dupont", "essms_payer_kind": "family"})
        cls.partners = cls.departement | cls.resident | cls.family
        with freeze_time(TODAY):
            cls.inv_a = cls._invoice(cls.departement, 10234.56, date(2026, 10, 31), date(2026, 11, 30))
            cls.inv_b = cls._invoice(cls.departement, 5000.10, date(2026, 10, 1), date(2026, 10, 31))
            cls.inv_c = cls._invoice(cls.departement, 3100.25, date(2026, 9, 30), date(2026, 10, 30))
            cls.inv_d = cls._invoice(cls.resident, 1200.00, date(2025, 10, 31), date(2025, 11, 30))
            cls.inv_e = cls._invoice(cls.resident, 800.00, date(2025, 10, 30), date(2025, 11, 29))
            cls.inv_f = cls._invoice(cls.resident, 600.00, date(2026, 11, 15), date(2026, 12, 15))
            cls.refund_r = cls._invoice(cls.resident, 100.00, date(2026, 11, 20), date(2026, 11, 20),
                                        move_type="out_refund")
            cls.inv_g = cls._invoice(cls.family, 450.00, date(2026, 9, 1), date(2026, 10, 1), beneficiary=False)
            cls._pay(cls.inv_d, 250.40, date(2026, 11, 10))
            cls._pay(cls.inv_g, 450.00, date(2026, 11, 15))
            cls.unmatched = cls.env["account.payment"].create({
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": cls.family.id,
                "amount": 75.00,
                "date": date(2026, 11, 25),
                "journal_id": cls.company_data["default_journal_bank"].id,
            })
            cls.unmatched.action_post()

    @classmethod
    def _invoice(cls, partner, amount, invoice_date, due, move_type="out_invoice", beneficiary=None):
        beneficiary = cls.marie if beneficiary is None and partner == cls.resident else beneficiary
        move = cls.env["account.move"].create({
            "move_type": move_type,
            "partner_id": partner.id,
            "journal_id": cls.establishment.journal_id.id,
            "invoice_date": invoice_date,
            "date": invoice_date,
            "invoice_payment_term_id": False,
            "invoice_date_due": due,
            "essms_establishment_id": cls.establishment.id,
            "essms_beneficiary_id": beneficiary.id if beneficiary else False,
            "invoice_line_ids": [
                Command.create({
                    "name": "Hébergement",
                    "quantity": 1,
                    "price_unit": amount,
                    "tax_ids": [],
                    "account_id": cls.company_data["default_account_revenue"].id,
                })
            ],
        })
        move.action_post()
        return move

    @classmethod
    def _pay(cls, invoice, amount, when):
        return cls.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"amount": amount, "payment_date": when})._create_payments()

    def _ledger_balance(self, as_of=TODAY):
        """Odoo's receivable balance per partner on `as_of`: the receivable journal items' balance."""
        groups = self.env["account.move.line"]._read_group(
            [
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("partner_id", "in", self.partners.ids),
                ("date", "<=", as_of),
            ],
            ["partner_id"],
            ["balance:sum"],
        )
        return {partner: self.company.currency_id.round(balance) for partner, balance in groups}

    def _sheet_balance(self, as_of=None):
        ageing = self.Ageing.with_context(essms_ageing_date=as_of) if as_of else self.Ageing
        groups = ageing._read_group([("partner_id", "in", self.partners.ids)], ["partner_id"], ["amount_residual:sum"])
        return {partner: self.company.currency_id.round(amount) for partner, amount in groups}

    def _buckets(self, as_of=None, partners=None):
        ageing = self.Ageing.with_context(essms_ageing_date=as_of) if as_of else self.Ageing
        groups = ageing._read_group(
            [("partner_id", "in", (partners or self.partners).ids)], ["bucket"], ["amount_residual:sum"]
        )
        return {bucket: self.company.currency_id.round(amount) for bucket, amount in groups}

    def _export(self, user=None, lang="en_US", **vals):
        wizard = self.env["essms.receivable.ageing.export"].with_user(user or self.env.user).with_context(
            lang=lang
        ).create(
            {"date": TODAY, **vals}
        )
        action = wizard.action_export()
        self.assertIn("download=true", action["url"])
        return load_workbook(io.BytesIO(base64.b64decode(wizard.file))), wizard

    # The items and their buckets ------------------------------------------------------------------------

    @freeze_time(TODAY)
    def test_totals_equal_the_receivable_balance(self):
        self.assertEqual(
            self._sheet_balance(),
            {self.departement: 18334.91, self.resident: 2249.60, self.family: -75.00},
        )
        self.assertEqual(self._sheet_balance(), self._ledger_balance())

    @freeze_time(TODAY)
    def test_buckets_of_the_worked_example(self):
        self.assertEqual(
            self._buckets(),
            {
                "0_not_due": 600.00,
                "1_0_30": 15234.66,
                "2_31_60": 3100.25,
                "5_181_365": 949.60,
                "6_over_365": 800.00,
                "7_credit": -175.00,
            },
        )
        items = self.Ageing.search([("move_id", "=", self.inv_d.id)])
        self.assertRecordValues(items, [{
            "partner_id": self.resident.id,
            "payer_kind": "resident",
            "establishment_id": self.establishment.id,
            "beneficiary_id": self.marie.id,
            "date_maturity": date(2025, 11, 30),
            "days_overdue": 365,
            "bucket": "5_181_365",
            "amount_residual": 949.60,
        }])
        self.assertFalse(self.Ageing.search([("move_id", "=", self.inv_g.id)]), "a paid invoice is not listed")
        payment = self.Ageing.search([("move_id", "=", self.unmatched.move_id.id)])
        self.assertRecordValues(
            payment, [{"payer_kind": "family", "establishment_id": False, "amount_residual": -75.0,
                       "bucket": "7_credit", "days_overdue": 0}]
        )

    def test_buckets_at_their_boundaries(self):
        # Invoice A is due on 30/11/2026: on the due date itself it is due (0 days), the day before it is not.
        expected = {
            -1: "0_not_due", 0: "1_0_30", 30: "1_0_30", 31: "2_31_60", 60: "2_31_60", 61: "3_61_90",
            90: "3_61_90", 91: "4_91_180", 180: "4_91_180", 181: "5_181_365", 365: "5_181_365", 366: "6_over_365",
        }
        for days, bucket in expected.items():
            today = self.inv_a.invoice_date_due + timedelta(days=days)
            with self.subTest(days=days), freeze_time(today):
                self.env.invalidate_all()
                item = self.Ageing.search([("move_id", "=", self.inv_a.id)])
                self.assertEqual((item.bucket, item.days_overdue), (bucket, max(days, 0)))
    def test_as_of_an_earlier_date(self):
        # On 05/11/2026 the partial payment of D, the payment of G, the credit note and the unmatched payment
        # had not happened: D and G are open in full; F was not invoiced yet and A was not due.
        as_of = date(2026, 11, 5)
        self.assertEqual(
            self._sheet_balance(as_of),
            {self.departement: 18334.91, self.resident: 2000.00, self.family: 450.00},
        )
        self.assertEqual(self._sheet_balance(as_of), self._ledger_balance(as_of))
        self.assertEqual(
            self._buckets(as_of),
            {
                "0_not_due": 10234.56,
                "1_0_30": 8100.35,
                "2_31_60": 450.00,
                "5_181_365": 2000.00,
            },
        )

    @freeze_time(TODAY)
    def test_data_gathered_in_one_query(self):
        service = self.env["essms.receivable.ageing.xlsx"]
        domain = [("partner_id", "in", self.partners.ids)]
        service._gather(TODAY, domain)  # access rules and the like, read once per registry
        self.env.flush_all()
        with self.assertQueryCount(1):
            documents = service._gather(TODAY, domain)
        self.assertEqual(len(documents), 8)

    # The workbook ---------------------------------------------------------------------------------------

    @freeze_time(TODAY)
    def test_workbook_sheets_totals_and_layout(self):
        book, _wizard = self._export()
        kinds = [name for name in book.sheetnames if name != "Summary"]
        self.assertEqual(book.sheetnames[0], "Summary")
        self.assertEqual(set(kinds), {"Département", "Resident", "Family"})

        summary = book["Summary"]
        self.assertIn(self.company.name, summary["A1"].value)
        self.assertIn(format_date(self.env, TODAY), summary["A1"].value)
        header = [cell.value for cell in summary[4]]
        self.assertEqual(
            header,
            ["Payer kind", "Not due", "0–30 days", "31–60 days", "61–90 days", "91–180 days", "181–365 days",
             "Over 365 days", "Unallocated credits", "Total", "Share"],
        )
        rows = {row[0]: row[1:10] for row in summary.iter_rows(min_row=5, values_only=True)}
        self.assertEqual(rows["Département"], (0, 15234.66, 3100.25, 0, 0, 0, 0, 0, 18334.91))
        self.assertEqual(rows["Resident"], (600.0, 0, 0, 0, 0, 949.60, 800.0, -100.0, 2249.60))
        self.assertEqual(rows["Family"], (0, 0, 0, 0, 0, 0, 0, -75.0, -75.0))
        self.assertEqual(rows["Total"], (600.0, 15234.66, 3100.25, 0, 0, 949.60, 800.0, -175.0, 20509.51))
        self.assertEqual(summary.freeze_panes, "B5")
        self.assertEqual(summary["J5"].number_format, '#,##0.00 "€"')
        self.assertTrue(summary["A4"].font.bold)

        resident = book["Resident"]
        self.assertEqual(
            [cell.value for cell in resident[4]][:7],
            ["Payer", "Establishment", "Beneficiary", "Document", "Document date", "Due date", "Days overdue"],
        )
        documents = list(resident.iter_rows(min_row=5, max_row=resident.max_row - 1, values_only=True))
        self.assertEqual(len(documents), 4)
        by_name = {row[3]: row for row in documents}
        d_row = by_name[self.inv_d.name]
        self.assertEqual(d_row[:3], ("Marie Roux", self.establishment.name, "Marie Roux"))
        self.assertEqual(d_row[5].date(), date(2025, 11, 30))
        self.assertEqual(d_row[6], 365)
        self.assertEqual(d_row[12], 949.60, "D in the 181–365 column")
        self.assertEqual(d_row[15], 949.60, "its total")
        credit_note = by_name[self.refund_r.name]
        self.assertEqual((credit_note[6], credit_note[14]), (None, -100.0), "a credit: no days overdue")
        total = [cell.value for cell in resident[resident.max_row]]
        self.assertEqual(total[0], "Total Resident")
        self.assertEqual(total[7:], [600.0, 0, 0, 0, 0, 949.60, 800.0, -100.0, 2249.60])
        self.assertEqual(resident.freeze_panes, "B5")
        self.assertEqual(resident.auto_filter.ref, "A4:P8")
        self.assertEqual(resident["M5"].number_format, '#,##0.00 "€"')
        self.assertEqual(resident["F5"].number_format, "DD/MM/YYYY")
        self.assertEqual(resident.column_dimensions["A"].width, 34)
        # Every sheet's total adds up to the summary's.
        grand = sum(book[name].cell(book[name].max_row, 16).value for name in kinds)
        self.assertAlmostEqual(grand, 20509.51, places=2)

    @freeze_time(TODAY)
    def test_workbook_rows_in_sequence(self):
        # The document rows are written as ready-made XML among openpyxl's own rows (headings, totals): one
        # sheetData, rows numbered one after the other, text escaped as openpyxl would.
        self.departement.name = " Conseil départemental <66> & co "
        book, wizard = self._export()
        departement = book["Département"]
        self.assertEqual(departement["A5"].value, " Conseil départemental <66> & co ")
        self.assertEqual(departement[departement.max_row][0].value, "Total Département")
        namespace = {"main": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
        with zipfile.ZipFile(io.BytesIO(base64.b64decode(wizard.file))) as archive:
            sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/sheet")]
            self.assertEqual(len(sheets), 4)
            for name in sheets:
                root = etree.fromstring(archive.read(name))
                self.assertEqual(len(root.findall("main:sheetData", namespace)), 1, name)
                numbers = [int(row.get("r")) for row in root.findall("main:sheetData/main:row", namespace)]
                self.assertEqual(numbers, list(range(1, len(numbers) + 1)), name)

    @freeze_time(TODAY)
    def test_workbook_filtered_by_payer_kind(self):
        book, _wizard = self._export(include_departement=False, include_family=False)
        self.assertEqual(book.sheetnames, ["Summary", "Resident"])
        summary = book["Summary"]
        self.assertIn("Payer kinds:", summary["A2"].value)
        rows = {row[0]: row[9] for row in summary.iter_rows(min_row=5, values_only=True)}
        self.assertEqual(rows["Total"], 2249.60)
        self.assertNotIn("Département", rows)

    @freeze_time(TODAY)
    def test_workbook_in_french(self):
        if not self.env["res.lang"]._lang_get("fr_FR"):
            self.env["res.lang"]._activate_lang("fr_FR")
            self.env["ir.module.module"]._load_module_terms(["essms_billing"], ["fr_FR"], overwrite=True)
        book, wizard = self._export(lang="fr_FR")
        self.assertEqual(book.sheetnames[0], "Synthèse")
        self.assertIn("Résident", book.sheetnames)
        summary = book["Synthèse"]
        self.assertIn("30/11/2026", summary["A1"].value)
        self.assertEqual(summary["B4"].value, "Non échu")
        self.assertEqual(summary["I4"].value, "Crédits non affectés")
        self.assertEqual(summary["J4"].value, "Total")
        self.assertEqual(wizard.filename, "Suivi des échéances 2026-11-30.xlsx")

    # Who sees it ----------------------------------------------------------------------------------------

    def test_establishment_user_cannot_see_it(self):
        secretary = new_test_user(self.env, "ageing_secretary", groups=ESTABLISHMENT)
        self.establishment.user_ids = secretary
        with self.assertRaises(AccessError):
            self.Ageing.with_user(secretary).search([])
        with self.assertRaises(AccessError):
            self.env["essms.receivable.ageing.export"].with_user(secretary).create({"date": TODAY})

    @freeze_time(TODAY)
    def test_operator_exports_it(self):
        operator = new_test_user(self.env, "ageing_operator", groups=OPERATOR)
        self.assertEqual(self._buckets(partners=self.family), {"7_credit": -75.0})
        book, wizard = self._export(user=operator)
        self.assertIn("Family", book.sheetnames)
        # "Analyse" opens the same items, as of the wizard's date, in the pivot view.
        wizard.date = date(2026, 11, 5)
        action = wizard.action_open_analysis()
        self.assertEqual(action["res_model"], "essms.receivable.ageing")
        items = self.Ageing.with_user(operator).with_context(**action["context"]).search(action["domain"])
        self.assertEqual(set(items.move_id.ids), set((self.inv_a | self.inv_b | self.inv_c | self.inv_d
                                                      | self.inv_e | self.inv_g).ids))

    def test_other_company_items_are_not_seen(self):
        other = self.setup_other_company()["company"]
        self.assertFalse(self.Ageing.with_company(other).search([("company_id", "=", self.company.id)]))
