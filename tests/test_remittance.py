"""Payment advices in Odoo: import, preview, correction by hand, one payment reconciled with the invoices."""

import base64
import io
from datetime import date
from decimal import Decimal
from unittest.mock import patch

import openpyxl

from odoo import Command
from odoo.addons.essms_billing.engine.remittance import AMBIGUOUS_AMOUNT
from odoo.addons.essms_billing.engine.remittance import FILE_TOO_BIG
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import Form
from odoo.tests import new_test_user
from odoo.tests import tagged
from odoo.tools import format_date
from odoo.tools import formatLang

from .billing_common import BillingCommon

JULY = date(2025, 7, 1)
TRANSFER_DATE = date(2025, 8, 20)

# What the Département sends: Windows-1252, semicolons, decimal commas, a title block, a total line.
ADVICE_ROWS = [
    # row 5: the invoice number, the exact amount
    "{inv1};DUPONT Marie;07/2025;4 687,68",
    # row 6: no number: the beneficiary and the period, less than the invoice
    ";Élodie MARTIN;juillet 2025;1 000,00",
    # row 7: the number, more than the invoice
    "{inv3};GARCIA José;07/2025;1 000,00",
    # row 8: an invoice paid before the advice
    "{inv4};LEFÈVRE Noël;07/2025;500,00",
    # row 9: only an amount, which one open invoice has
    ";;;321,00",
    # row 10: an invoice nobody knows
    "FDV/2025/99999;BLANC Paul;07/2025;250,00",
    # row 11: row 5 again
    "{inv1};DUPONT Marie;07/2025;4 687,68",
]


class RemittanceCase(BillingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bank_journal = cls.company_data["default_journal_bank"]
        cls.invoices = {}
        for key, name, amount in (
            ("inv1", "Marie Dupont", 4687.68),
            ("inv2", "Élodie Martin", 1234.56),
            ("inv3", "José Garcia", 900.00),
            ("inv4", "Noël Lefèvre", 500.00),
            ("inv5", "Jean Petit", 321.00),
            ("inv6", "Anne Roux", 5400.00),
        ):
            beneficiary = cls._create_resident(name).beneficiary_id
            cls.invoices[key] = cls._invoice(amount, beneficiary)
        # Paid by cheque before the advice came.
        cls.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=cls.invoices["inv4"].ids
        ).create({"payment_date": date(2025, 8, 5)})._create_payments()
        cls.operator = new_test_user(cls.env, "operator_remittance", groups="essms_billing.group_essms_operator")
        cls.secretary = new_test_user(
            cls.env, "secretary_remittance", groups="essms_billing.group_essms_establishment"
        )

    @classmethod
    def _invoice(cls, amount, beneficiary, partner=None):
        move = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": (partner or cls.departement).id,
                "invoice_date": date(2025, 8, 1),
                "journal_id": cls.establishment.journal_id.id,
                "essms_beneficiary_id": beneficiary.id,
                "essms_period_start": JULY,
                "essms_period_end": date(2025, 7, 31),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Prix de journée",
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [],
                            "account_id": cls.company_data["default_account_revenue"].id,
                        }
                    )
                ],
            }
        )
        move.action_post()
        return move

    def _csv(self, rows=None):
        lines = ["Département des Pyrénées-Orientales;;;", "Avis de paiement n° 2025-0815;;;", ";;;",
                 "N° Facture;Nom Prénom;Période;Montant réglé"]
        names = {key: move.name for key, move in self.invoices.items()}
        lines += [row.format(**names) for row in (rows or ADVICE_ROWS)]
        lines.append("Total;;;12 446,36")
        return "\r\n".join(lines).encode("cp1252")

    def _remittance(self, content, filename="avis.csv", user=None, **vals):
        model = self.env["essms.remittance"].with_user(user or self.env.user)
        return model.create(
            {
                "partner_id": self.departement.id,
                "date": TRANSFER_DATE,
                "journal_id": self.bank_journal.id,
                "file": base64.b64encode(content),
                "filename": filename,
                **vals,
            }
        )

    def _lines(self, remittance):
        return [
            (line.row, line.status, line.match_method or "", line.move_id, line.amount_allocated, line.amount_excess)
            for line in remittance.line_ids
        ]



@tagged("post_install", "-at_install")
class TestRemittance(RemittanceCase):
    def test_preview_says_how_each_line_matched_and_what_it_pays(self):
        remittance = self._remittance(self._csv())
        remittance.action_import()
        inv = self.invoices
        self.assertEqual(remittance.encoding, "cp1252")
        self.assertEqual(
            self._lines(remittance),
            [
                (5, "matched", "invoice_number", inv["inv1"], 4687.68, 0.0),
                (6, "partial", "beneficiary_period", inv["inv2"], 1000.00, 0.0),
                (7, "overpaid", "invoice_number", inv["inv3"], 900.00, 100.00),
                (8, "already_paid", "invoice_number", inv["inv4"], 0.0, 500.00),
                (9, "matched", "amount", inv["inv5"], 321.00, 0.0),
                (10, "unknown", "", inv["inv1"].browse(), 0.0, 250.00),
                (11, "already_paid", "invoice_number", inv["inv1"], 0.0, 4687.68),
            ],
        )
        self.assertEqual(remittance.state, "checked")
        self.assertRecordValues(
            remittance,
            [{"amount_total": 12446.36, "amount_allocated": 6908.68, "amount_excess": 5287.68,
              "amount_suspense": 250.00, "unknown_count": 1, "blocking_count": 0}],
        )
        duplicate = remittance.line_ids.filtered(lambda line: line.row == 11)
        self.assertIn("Row 11 repeats row 5.", duplicate.message)
        self.assertIn("already paid by row 5", duplicate.message)
        self.assertIn("Row 12 is a total line", remittance.import_notes)
        unknown = remittance.line_ids.filtered(lambda line: line.row == 10)
        self.assertEqual(unknown.message, "No invoice FDV/2025/99999 among this payer's posted invoices.")

    def test_post_pays_the_invoices_keeps_the_excess_as_credit_and_lists_the_unknown_line(self):
        statement_line = self.env["account.bank.statement.line"].create(
            {
                "journal_id": self.bank_journal.id,
                "date": date(2025, 8, 22),
                "payment_ref": "VIR CD66 AVIS 2025-0815",
                "partner_id": self.departement.id,
                "amount": 12446.36,
            }
        )
        other_line = self.env["account.bank.statement.line"].create(
            {"journal_id": self.bank_journal.id, "date": date(2025, 8, 20), "payment_ref": "VIR CD66",
             "partner_id": self.departement.id, "amount": 12000.00}
        )
        remittance = self._remittance(self._csv())
        remittance.action_import()
        self.assertEqual(remittance.statement_line_id, statement_line)
        # Another transfer of the payer cannot be reconciled with this advice.
        remittance.statement_line_id = other_line
        with self.assertRaises(UserError):
            remittance.action_post()
        remittance.statement_line_id = statement_line
        remittance.action_post()
        inv = self.invoices
        payment = remittance.payment_id
        self.assertRecordValues(
            payment,
            [{"amount": 12446.36, "partner_id": self.departement.id, "payment_type": "inbound", "state": "paid",
              "is_matched": True}],
        )
        self.assertTrue(statement_line.is_reconciled)
        self.assertRecordValues(
            inv["inv1"] + inv["inv2"] + inv["inv3"] + inv["inv4"] + inv["inv5"] + inv["inv6"],
            [
                {"amount_residual": 0.0, "payment_state": "paid"},
                {"amount_residual": 234.56, "payment_state": "partial"},
                {"amount_residual": 0.0, "payment_state": "paid"},
                {"amount_residual": 0.0, "payment_state": "paid"},
                {"amount_residual": 0.0, "payment_state": "paid"},
                {"amount_residual": 5400.00, "payment_state": "not_paid"},
            ],
        )
        receivable = payment.move_id.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        # The excess (100.00 + 500.00 + 4 687.68) and the unknown line (250.00) stay as the payer's credit.
        self.assertAlmostEqual(receivable.amount_residual, -5537.68, places=2)
        self.assertEqual(remittance.state, "posted")

        suspense = self.env["essms.remittance.line"].search([("in_suspense", "=", True)])
        self.assertEqual(suspense.mapped("row"), [10])
        # Later, the operator finds the invoice of the unknown line: choosing it reconciles it.
        suspense.with_user(self.operator).move_id = inv["inv6"]
        self.assertRecordValues(
            suspense, [{"status": "partial", "match_method": "manual", "resolved": True, "in_suspense": False,
                        "amount_allocated": 250.00}]
        )
        self.assertEqual(inv["inv6"].amount_residual, 5150.00)
        self.assertAlmostEqual(receivable.amount_residual, -5287.68, places=2)
        self.assertFalse(self.env["essms.remittance.line"].search([("in_suspense", "=", True)]))
        self.assertIn("Row 10", remittance.message_ids[0].body)

    def test_operator_corrects_a_line_by_hand_before_posting(self):
        remittance = self._remittance(self._csv(), user=self.operator)
        remittance.action_import()
        unknown = remittance.line_ids.filtered(lambda line: line.row == 10)
        unknown.move_id = self.invoices["inv6"]
        self.assertEqual(
            (unknown.status, unknown.match_method, unknown.amount_allocated, unknown.amount_excess),
            ("partial", "manual", 250.00, 0.0),
        )
        self.assertEqual(remittance.amount_suspense, 0.0)
        remittance.action_post()
        self.assertEqual(self.invoices["inv6"].amount_residual, 5150.00)
        self.assertFalse(remittance.line_ids.filtered("in_suspense"))

    def test_a_file_imported_twice_is_refused_with_the_earlier_import(self):
        first = self._remittance(self._csv())
        first.action_import()
        second = self._remittance(self._csv())
        second.action_import()
        self.assertEqual(second.duplicate_of_id, first)
        self.assertEqual(second.state, "draft")
        with self.assertRaises(UserError) as caught:
            second.action_post()
        self.assertIn(first.name, str(caught.exception))
        self.assertIn(format_date(self.env, TRANSFER_DATE), str(caught.exception))
        first.action_cancel()
        second.action_import()
        self.assertFalse(second.duplicate_of_id)
        self.assertEqual(second.state, "checked")

    def test_the_same_transfer_resaved_is_recorded_once_unless_the_operator_says_why(self):
        """Issue 12, item 2: the advice re-saved (another line ending, another encoding, one more empty line)
        is the same transfer: it was imported and posted twice."""
        first = self._remittance(self._csv(), user=self.operator)
        first.action_import()
        first.action_post()
        resaved = self._csv().decode("cp1252").replace("\r\n", "\n") + "\n;;;\n"
        second = self._remittance(("\ufeff" + resaved).encode("utf-8"), filename="avis (1).csv", user=self.operator)
        second.action_import()
        self.assertNotEqual(second.file_hash, first.file_hash)
        self.assertEqual(second.duplicate_of_id, first)
        self.assertEqual((second.state, second.blocking_count), ("draft", 1))
        payments = self.env["account.payment"].search_count([])
        with self.assertRaises(UserError) as caught:
            second.action_post()
        message = str(caught.exception)
        self.assertIn(first.name, message)
        self.assertIn("already recorded", message)
        self.assertEqual(self.env["account.payment"].search_count([]), payments)
        # Another transfer of the same payer the same day (one line differs) is not refused.
        other_rows = [*ADVICE_ROWS[:-1], "{inv6};ROUX Anne;07/2025;10,00"]
        other = self._remittance(self._csv(other_rows), user=self.operator)
        other.action_import()
        self.assertFalse(other.duplicate_of_id)
        # The operator who really means it says why; the reason is on the advice's history.
        reason = "Le Département a payé deux fois ce virement (relevé du 22/08)."
        second.with_user(self.operator).duplicate_reason = reason
        self.assertEqual(second.state, "checked")
        second.action_post()
        self.assertEqual(second.state, "posted")
        self.assertTrue(any("payé deux fois" in message.body and first.name in message.body
                            for message in second.message_ids))

    def test_an_advice_posted_by_someone_else_says_so_and_by_whom(self):
        """Issue 12, item 10: the second click on Post said the advice had errors to correct."""
        remittance = self._remittance(self._csv(), user=self.operator)
        remittance.action_import()
        remittance.with_user(self.operator).action_post()
        with self.assertRaises(UserError) as caught:
            remittance.action_post()
        message = str(caught.exception)
        self.assertIn("already posted", message)
        self.assertIn(self.operator.name, message)
        self.assertNotIn("errors to correct", message)

    def test_absurd_amounts_are_refused_in_the_file_and_by_hand(self):
        rows = ["{inv1};DUPONT Marie;07/2025;100000000000000000000", "{inv5};PETIT Jean;07/2025;(-321,00)"]
        remittance = self._remittance(self._csv(rows))
        remittance.action_import()
        self.assertEqual(remittance.state, "draft")
        huge, signed = remittance.line_ids.sorted("row")
        self.assertIn("Row 5, column Montant réglé", huge.message)
        self.assertIn("largest amount", huge.message)
        self.assertIn("Row 6, column Montant réglé", signed.message)
        self.assertTrue(huge.blocking and signed.blocking)
        with self.assertRaises(UserError):
            huge.amount = 1e15
        huge.amount = 4687.68
        self.assertFalse(huge.blocking)

    def test_lines_in_error_block_the_posting_until_corrected(self):
        rows = ["{inv1};DUPONT Marie;07/2025;4 687,68", "{inv5};PETIT Jean;07/2025;trois cent vingt et un",
                "{inv3};GARCIA José;07/2025;-900,00"]
        remittance = self._remittance(self._csv(rows))
        remittance.action_import()
        self.assertEqual(remittance.state, "draft")
        self.assertEqual(remittance.blocking_count, 2)
        bad = remittance.line_ids.filtered(lambda line: line.row == 6)
        self.assertEqual(bad.status, "error")
        self.assertIn("Row 6, column Montant réglé: “trois cent vingt et un” is not an amount.", bad.message)
        negative = remittance.line_ids.filtered(lambda line: line.row == 7)
        self.assertIn("is negative", negative.message)
        with self.assertRaises(UserError):
            remittance.action_post()
        bad.amount = 321.00
        negative.unlink()
        remittance.action_check()
        self.assertEqual(remittance.state, "checked")
        self.assertEqual(bad.status, "matched")
        with self.assertRaises(UserError):
            bad.amount = -5.0

    def test_a_missing_column_names_it_and_imports_nothing(self):
        content = "Facture;Nom;Règlement\nF1;X;10,00\n".encode("cp1252")
        remittance = self._remittance(content)
        remittance.action_import()
        self.assertFalse(remittance.line_ids)
        self.assertTrue(remittance.file_error)
        self.assertIn("no column of row 1 is named as the amount (amount | montant", remittance.import_notes)
        self.assertIn("Facture, Nom, Règlement", remittance.import_notes)
        self.assertEqual(remittance.state, "draft")

    def test_a_failure_while_posting_leaves_nothing_posted(self):
        remittance = self._remittance(self._csv())
        remittance.action_import()
        payments_before = self.env["account.payment"].search_count([])
        with (
            patch.object(type(self.env["account.move.line"]), "reconcile", side_effect=UserError("Lock date")),
            self.assertRaises(UserError),
        ):
            remittance.action_post()
        self.assertEqual(self.env["account.payment"].search_count([]), payments_before)
        self.assertEqual(remittance.state, "checked")
        self.assertFalse(remittance.payment_id)
        self.assertEqual(self.invoices["inv1"].payment_state, "not_paid")

    def test_xlsx_with_the_payer_layout(self):
        layout = self.env["essms.remittance.layout"].create(
            {"name": "CD66", "partner_id": self.departement.id, "invoice_ref_headers": "Réf. pièce",
             "amount_headers": "Mt mandaté"}
        )
        # Layouts share one mixin: a copy is named as a copy, as the portal and entries layouts always did.
        self.assertEqual(layout.copy({"partner_id": False}).name, "CD66 (copy)")
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(["Réf pièce", "Bénéficiaire", "Mois", "Mt mandaté"])
        sheet.append([self.invoices["inv1"].name, "Dupont Marie", date(2025, 7, 31), 4687.68])
        sheet.append([None, "Petit Jean", "07/2025", 321])
        buffer = io.BytesIO()
        workbook.save(buffer)
        remittance = self._remittance(buffer.getvalue(), filename="avis.xlsx")
        self.assertEqual(remittance.layout_id.name, "CD66")
        remittance.action_import()
        self.assertEqual(
            self._lines(remittance),
            [
                (2, "matched", "invoice_number", self.invoices["inv1"], 4687.68, 0.0),
                (3, "matched", "beneficiary_period_amount", self.invoices["inv5"], 321.00, 0.0),
            ],
        )
        remittance.action_post()
        self.assertEqual((self.invoices["inv1"] + self.invoices["inv5"]).mapped("payment_state"), ["paid", "paid"])
        self.assertEqual(remittance.amount_excess, 0.0)

    def test_engine_messages_render_sizes_as_numbers_and_amounts_in_the_currency(self):
        """One renderer for every engine message: the advice's used to print any decimal as money, so the size of
        a file too big could only travel as text with a decimal point, whatever the user's language."""
        advice = self._remittance(self._csv())
        currency = advice.currency_id
        self.assertEqual(
            advice._render(FILE_TOO_BIG(size=Decimal("10.5"), limit=10)),
            self.env["essms.billing.input"]._render(FILE_TOO_BIG(size=Decimal("10.5"), limit=10), currency),
        )
        self.assertNotIn(currency.symbol, advice._render(FILE_TOO_BIG(size=Decimal("10.5"), limit=10)))
        self.assertIn("%s MB" % formatLang(self.env, 10.5, digits=1),
                      advice._render(FILE_TOO_BIG(size=Decimal("10.5"), limit=10)))
        self.assertIn(currency.symbol, advice._render(AMBIGUOUS_AMOUNT(count=2, amount=Decimal("12.5"))))

    def test_establishment_users_see_no_advice_operators_post_them(self):
        remittance = self._remittance(self._csv(), user=self.operator)
        remittance.action_import()
        remittance.action_post()
        self.assertEqual(self.invoices["inv1"].payment_state, "paid")
        for model in ("essms.remittance", "essms.remittance.line", "essms.remittance.layout"):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(self.secretary).search([])
        with self.assertRaises(UserError):
            remittance.with_user(self.operator).unlink()

    def test_posting_queries_do_not_grow_with_the_invoices(self):
        """One payment reconciled with every invoice of the advice: paying 2 invoices or 5 costs the same
        number of queries (Odoo's reconciliation would read each invoice's taxes on its own)."""
        beneficiary = self.invoices["inv6"].essms_beneficiary_id
        counts = []
        # The first posting of the transaction also warms the caches: it is not counted.
        for size in (1, 2, 5):
            invoices = self.env["account.move"].concat(*(
                self._invoice(100.0 + 10 * size + index, beneficiary) for index in range(size)
            ))
            rows = ["%s;Anne ROUX;07/2025;%s" % (invoice.name, ("%.2f" % invoice.amount_total).replace(".", ","))
                    for invoice in invoices]
            remittance = self._remittance(self._csv(rows))
            remittance.action_import()
            self.env.flush_all()
            self.env.invalidate_all()
            start = self.env.cr.sql_log_count
            remittance.action_post()
            self.env.flush_all()
            counts.append(self.env.cr.sql_log_count - start)
            self.assertEqual(set(invoices.mapped("payment_state")), {"paid"})
        self.assertEqual(counts[1], counts[2], counts)

    def test_import_queries_do_not_grow_with_the_lines(self):
        """The advice is read, matched and written in bulk: 2 lines or 7 cost the same number of queries."""
        counts = []
        # The first import of the transaction also warms the caches (sequence, layout): it is not counted.
        for rows in (ADVICE_ROWS[:1], ADVICE_ROWS[:2], ADVICE_ROWS):
            remittance = self._remittance(self._csv(rows))
            self.env.flush_all()
            self.env.invalidate_all()
            start = self.env.cr.sql_log_count
            remittance.action_import()
            self.env.flush_all()
            counts.append(self.env.cr.sql_log_count - start)
            self.assertEqual(len(remittance.line_ids), len(rows))
            remittance.action_cancel()
        self.assertEqual(counts[1], counts[2], counts)



@tagged("post_install", "-at_install")
class TestRemittanceAfterPosting(RemittanceCase):
    """The excess of a posted advice allocated or refunded; a posted advice cancelled, corrected, posted again.

    The advice of ``ADVICE_ROWS`` pays 12 446,36 €: 7 158,68 € pay invoices, 5 287,68 € are paid beyond them
    (100,00 € on inv3, 500,00 € on inv4 already paid, 4 687,68 € of row 11 repeating row 5) and 250,00 € of row 10
    wait for their invoice. Still open afterwards: inv2 234,56 € and inv6 5 400,00 €.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(cls.env, "manager_remittance", groups="essms_billing.group_essms_manager")

    def _posted(self, statement_line=True, user=None):
        if statement_line:
            self.statement_line = self.env["account.bank.statement.line"].create(
                {"journal_id": self.bank_journal.id, "date": date(2025, 8, 22), "payment_ref": "VIR CD66",
                 "partner_id": self.departement.id, "amount": 12446.36}
            )
        remittance = self._remittance(self._csv(), user=user or self.operator)
        remittance.action_import()
        remittance.action_post()
        return remittance

    def _excess(self, remittance, mode, user=None, **vals):
        return self.env["essms.remittance.excess"].with_user(user or self.operator).with_context(
            default_remittance_id=remittance.id, default_mode=mode
        ).create(vals)

    def test_excess_allocated_to_chosen_invoices_then_refunded(self):
        remittance = self._posted()
        inv = self.invoices
        self.assertEqual(remittance.amount_credit_left, 5287.68)
        # The preview settles the chosen invoices oldest first: inv2's 234,56 €, then 5 053,12 € of inv6.
        wizard_model = self.env["essms.remittance.excess"].with_user(self.operator).with_context(
            default_remittance_id=remittance.id, default_mode="allocate"
        )
        with Form(wizard_model) as wizard:
            wizard.invoice_ids.add(inv["inv6"])
            wizard.invoice_ids.add(inv["inv2"])
            self.assertEqual(wizard.amount_available, 5287.68)
            self.assertEqual(
                [(line["move_id"], line["amount"], line["amount_after"]) for line in wizard.line_ids._records],
                [(inv["inv2"].id, 234.56, 0.0), (inv["inv6"].id, 5053.12, 346.88)],
            )
            # The operator keeps part of the excess: 1 000,00 € for inv6.
            with wizard.line_ids.edit(1) as line:
                line.amount = 1000.00
            wizard.reason = "Factures de septembre du même payeur"
        wizard.record.action_confirm()
        self.assertRecordValues(
            inv["inv2"] + inv["inv6"],
            [{"amount_residual": 0.0, "payment_state": "paid"},
             {"amount_residual": 4400.00, "payment_state": "partial"}],
        )
        self.assertEqual(remittance.amount_credit_left, 4053.12)
        self.assertIn("Factures de septembre", remittance.message_ids[0].body)

        # The rest goes back to the payer: 5 287,68 - 1 234,56 = 4 053,12 €.
        refund_wizard = self._excess(remittance, "refund", reason="Trop-perçu, demande du Département")
        self.assertEqual(refund_wizard.amount, 4053.12)
        self.assertEqual(refund_wizard.journal_id, self.bank_journal)
        refund_wizard.action_confirm()
        refund = remittance.refund_payment_ids
        self.assertRecordValues(
            refund, [{"payment_type": "outbound", "partner_type": "customer", "partner_id": self.departement.id,
                      "amount": 4053.12}]
        )
        refund_line = refund.move_id.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        self.assertTrue(refund_line.reconciled)
        self.assertEqual(remittance.amount_credit_left, 0.0)
        self.assertIn("Trop-perçu", remittance.message_ids[0].body)
        payment_line = remittance.payment_id.move_id.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )
        # The unmatched row 10 keeps its 250,00 €, which pay its invoice once found.
        self.assertAlmostEqual(payment_line.amount_residual, -250.00, places=2)
        row_10 = remittance.line_ids.filtered(lambda line: line.row == 10)
        row_10.with_user(self.operator).move_id = inv["inv6"]
        self.assertEqual(inv["inv6"].amount_residual, 4150.00)
        self.assertTrue(payment_line.reconciled)

    def test_excess_beyond_what_is_left_or_owed_is_refused_whole(self):
        remittance = self._posted()
        inv = self.invoices
        wizard = self._excess(
            remittance, "allocate", reason="x",
            line_ids=[Command.create({"move_id": inv["inv2"].id, "amount": 300.00}),
                      Command.create({"move_id": inv["inv6"].id, "amount": 5200.00})],
        )
        with self.assertRaises(UserError) as caught:
            wizard.action_confirm()
        message = str(caught.exception)
        self.assertIn(
            "Line 1 (%s), Amount to pay: more than the invoice still owes (%s)."
            % (inv["inv2"].name, self._money(234.56)), message,
        )
        self.assertIn("The preview pays %s, the advice has %s of excess left."
                      % (self._money(5500.00), self._money(5287.68)), message)
        stranger = self._invoice(100.00, inv["inv6"].essms_beneficiary_id,
                                 partner=self.env["res.partner"].create({"name": "Autre payeur"}))
        wizard = self._excess(remittance, "allocate", reason="x",
                              line_ids=[Command.create({"move_id": stranger.id, "amount": 100.00})])
        with self.assertRaises(UserError) as caught:
            wizard.action_confirm()
        self.assertIn("Line 1 (%s), Invoice: the invoice is not the payer's." % stranger.name, str(caught.exception))
        with self.assertRaises(UserError) as caught:
            self._excess(remittance, "refund", reason="x", amount=6000.00).action_confirm()
        self.assertIn("has %s of excess left, not %s" % (self._money(5287.68), self._money(6000.00)),
                      str(caught.exception))
        self.assertEqual(inv["inv2"].amount_residual, 234.56)
        self.assertFalse(remittance.refund_payment_ids)

    def test_a_failure_while_refunding_leaves_no_refund(self):
        remittance = self._posted()
        payments_before = self.env["account.payment"].search_count([])
        with (
            patch.object(type(self.env["account.move.line"]), "reconcile", side_effect=UserError("Lock date")),
            self.assertRaises(UserError),
        ):
            self._excess(remittance, "refund", reason="x").action_confirm()
        self.assertEqual(self.env["account.payment"].search_count([]), payments_before)
        self.assertFalse(remittance.refund_payment_ids)
        self.assertEqual(remittance.amount_credit_left, 5287.68)

    def test_manager_cancels_a_posted_advice_which_is_corrected_and_posted_again(self):
        remittance = self._posted()
        inv = self.invoices
        self._excess(remittance, "allocate", reason="x",
                     line_ids=[Command.create({"move_id": inv["inv6"].id, "amount": 1000.00})]).action_confirm()
        payment = remittance.payment_id
        payment_name = payment.name
        self.assertTrue(self.statement_line.is_reconciled)
        # Operators post advices; only the finance director cancels one.
        with self.assertRaises(AccessError):
            self.env["essms.remittance.cancel"].with_user(self.operator).create(
                {"remittance_id": remittance.id, "reason": "x"}
            )
        with self.assertRaises(AccessError):
            remittance.with_user(self.operator)._cancel_posting("x")
        self.assertEqual(remittance.state, "posted")

        self.env["essms.remittance.cancel"].with_user(self.manager).create(
            {"remittance_id": remittance.id, "reason": "Ligne 11 en double dans l'avis"}
        ).action_confirm()
        self.assertEqual(payment.state, "canceled")
        self.assertFalse(payment.move_id, "Odoo deletes the entry of a cancelled payment")
        self.assertFalse(self.statement_line.is_reconciled)
        self.assertRecordValues(
            inv["inv1"] + inv["inv2"] + inv["inv3"] + inv["inv5"] + inv["inv6"],
            [{"amount_residual": 4687.68}, {"amount_residual": 1234.56}, {"amount_residual": 900.00},
             {"amount_residual": 321.00}, {"amount_residual": 5400.00}],
        )
        self.assertEqual(remittance.state, "checked")
        self.assertFalse(remittance.payment_id)
        self.assertEqual(remittance.statement_line_id, self.statement_line)
        self.assertIn("Ligne 11 en double", remittance.message_ids[0].body)
        self.assertIn(payment_name, remittance.message_ids[0].body)

        # The same file is imported again into this advice (its own import does not count as a duplicate), row 11
        # is given its true invoice by hand, and the advice is posted again with the same bank statement line.
        remittance.with_user(self.operator).action_import()
        self.assertEqual(len(remittance.line_ids), 7)
        remittance.line_ids.filtered(lambda line: line.row == 11).with_user(self.operator).move_id = inv["inv6"]
        remittance.with_user(self.operator).action_post()
        self.assertEqual(remittance.state, "posted")
        self.assertNotEqual(remittance.payment_id, payment)
        self.assertEqual(remittance.payment_id.amount, 12446.36)
        self.assertTrue(self.statement_line.is_reconciled)
        self.assertEqual(inv["inv1"].payment_state, "paid")
        self.assertEqual(inv["inv6"].amount_residual, 712.32)
        # Another advice of the same file is still refused: this one holds it.
        again = self._remittance(self._csv())
        again.action_import()
        self.assertEqual(again.duplicate_of_id, remittance)
        with self.assertRaises(UserError):
            again.action_post()

    def test_cancel_reverses_the_payment_of_a_locked_period(self):
        remittance = self._posted(statement_line=False)
        payment = remittance.payment_id
        self.company.fiscalyear_lock_date = date(2025, 8, 31)
        self.env["essms.remittance.cancel"].with_user(self.manager).create(
            {"remittance_id": remittance.id, "reason": "Mauvais payeur"}
        ).action_confirm()
        reversal = self.env["account.move"].search([("reversed_entry_id", "=", payment.move_id.id)])
        self.assertEqual(reversal.state, "posted")
        self.assertGreater(reversal.date, date(2025, 8, 31))
        self.assertEqual(payment.move_id.state, "posted", "a locked entry is reversed, not cancelled")
        self.assertEqual(payment.state, "canceled")
        self.assertEqual(self.invoices["inv1"].amount_residual, 4687.68)
        self.assertEqual(remittance.state, "checked")
        self.assertIn("locked", remittance.message_ids[0].body)

    def test_cancel_in_a_locked_period_keeps_the_bank_line_for_the_next_posting(self):
        remittance = self._posted()
        payment = remittance.payment_id
        self.company.fiscalyear_lock_date = date(2025, 8, 31)
        self.env["essms.remittance.cancel"].with_user(self.manager).create(
            {"remittance_id": remittance.id, "reason": "Mauvais rapprochement"}
        ).action_confirm()
        reversal = self.env["account.move"].search([("reversed_entry_id", "=", payment.move_id.id)])
        self.assertEqual(reversal.state, "posted")
        self.assertEqual(payment.state, "canceled")
        self.assertEqual(self.invoices["inv1"].amount_residual, 4687.68)
        # The statement line's entry is locked: it keeps its line on the outstanding receipts, open again.
        receipt = remittance.bank_receipt_line_id
        self.assertEqual(receipt.move_id, self.statement_line.move_id)
        self.assertFalse(receipt.reconciled)
        self.assertAlmostEqual(receipt.amount_residual, -12446.36, places=2)
        self.assertFalse(remittance.statement_line_id)
        self.assertEqual(remittance.state, "checked")

        # Posted again (dated after the lock), the new payment takes the transfer's receipt.
        remittance.with_user(self.operator).date = date(2025, 9, 1)
        remittance.with_user(self.operator).action_post()
        self.assertTrue(receipt.reconciled)
        self.assertTrue(remittance.payment_id.is_matched)
        self.assertEqual(self.invoices["inv1"].payment_state, "paid")

    def test_cancel_refused_while_refunded_and_a_failure_changes_nothing(self):
        remittance = self._posted()
        payment = remittance.payment_id
        refund = self._excess(remittance, "refund", reason="x", amount=100.00)
        refund.action_confirm()
        cancel = self.env["essms.remittance.cancel"].with_user(self.manager).create(
            {"remittance_id": remittance.id, "reason": "x"}
        )
        with self.assertRaises(UserError) as caught:
            cancel.action_confirm()
        self.assertIn("was refunded by %s: cancel that refund first" % remittance.refund_payment_ids.name,
                      str(caught.exception))
        remittance.refund_payment_ids.action_draft()
        remittance.refund_payment_ids.action_cancel()
        # A failure in the middle leaves the advice posted and everything reconciled.
        with (
            patch.object(type(self.env["account.payment"]), "action_cancel", side_effect=UserError("boom")),
            self.assertRaises(UserError),
        ):
            cancel.action_confirm()
        self.assertEqual(remittance.state, "posted")
        self.assertEqual(remittance.payment_id, payment)
        self.assertTrue(self.statement_line.is_reconciled)
        self.assertEqual(self.invoices["inv1"].payment_state, "paid")
        self.assertNotIn(payment.state, ("draft", "canceled"))
