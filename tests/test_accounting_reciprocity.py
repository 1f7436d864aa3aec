"""Billing vs accounting control (réciprocité comptable): the July 2025 run, invoiced on 5 August, compared over
August 2025. Nothing to report on clean data (a payment, a run credit note); then each planted fault shows
with the journal item that causes it: a manual revenue entry in the sales journal (150,00), a run invoice put
back to draft, a payment matched with another payer's invoice (100,00)."""

import base64
import io
from datetime import date

from openpyxl import load_workbook

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import ValidationError
from odoo.tests import freeze_time
from odoo.tests import new_test_user
from odoo.tests import tagged

from .portal_common import PortalCommon

AUGUST_START = date(2025, 8, 1)
AUGUST_END = date(2025, 8, 31)


def _receivable(lines):
    return lines.filtered(lambda line: line.account_id.account_type == "asset_receivable")


@tagged("post_install", "-at_install")
class TestAccountingReciprocity(PortalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.journal = cls.establishment.journal_id
        cls.moves = cls.billing_run.move_ids
        cls.income_account = cls.moves[0].invoice_line_ids[0].account_id
        cls.receivable_account = cls.departement.with_company(cls.company).property_account_receivable_id

    def _move(self, stay, role):
        return self.billing_run.line_ids.filtered(lambda line: line.stay_id == stay and line.role == role).move_id

    def _compare(self, date_from=AUGUST_START, date_to=AUGUST_END):
        wizard = self.env["essms.accounting.reciprocity"].create(
            {"date_from": date_from, "date_to": date_to, "establishment_ids": [Command.set(self.establishment.ids)]}
        )
        wizard.action_compute()
        return wizard

    def _journal_row(self, wizard):
        return wizard.journal_line_ids.filtered(lambda row: row.journal_id == self.journal)

    def _payer_row(self, wizard, partner):
        return wizard.payer_line_ids.filtered(lambda row: row.partner_id == partner)

    def _pay(self, move, amount, partner=None, pay_date=date(2025, 8, 20)):
        payment = self.env["account.payment"].create({
            "payment_type": "inbound",
            "partner_type": "customer",
            "partner_id": (partner or move.partner_id).id,
            "amount": amount,
            "date": pay_date,
            "journal_id": self.company_data["default_journal_bank"].id,
        })
        payment.action_post()
        payment_line = _receivable(payment.move_id.line_ids)
        (payment_line | _receivable(move.line_ids)).reconcile()
        return payment_line

    def _manual_revenue_entry(self, amount):
        move = self.env["account.move"].create({
            "move_type": "entry",
            "journal_id": self.journal.id,
            "date": date(2025, 8, 25),
            "ref": "Saisie manuelle",
            "line_ids": [
                Command.create({"account_id": self.receivable_account.id, "partner_id": self.departement.id,
                                "debit": amount, "name": "Saisie manuelle"}),
                Command.create({"account_id": self.income_account.id, "partner_id": self.departement.id,
                                "credit": amount, "name": "Saisie manuelle"}),
            ],
        })
        move.action_post()
        return move

    def test_clean_data_shows_no_difference(self):
        martin_cd66 = self._move(self.martin, "payer")
        self._pay(martin_cd66, 4696.68)
        bernard_cd66 = self._move(self.bernard, "payer")
        refund = bernard_cd66._reverse_moves(
            default_values_list=[{"date": date(2025, 8, 28), "invoice_date": date(2025, 8, 28),
                                  "essms_run_id": self.billing_run.id}]
        )
        refund.action_post()
        billed = sum(self.moves.mapped("amount_untaxed")) - bernard_cd66.amount_untaxed
        self.assertGreater(billed, 0)

        wizard = self._compare()
        self.assertEqual(wizard.difference_count, 0)
        self.assertRecordValues(self._journal_row(wizard), [{
            "establishment_id": self.establishment.id, "expected_amount": billed, "unposted_amount": 0.0,
            "ledger_amount": billed, "difference": 0.0, "has_difference": False,
        }])
        self.assertFalse(self._journal_row(wizard).move_line_ids)
        # Martin's département invoice is paid, Bernard's is cancelled by the credit note (matched by Odoo).
        cd66 = self._payer_row(wizard, self.departement)
        self.assertEqual(cd66.expected_amount, cd66.ledger_amount)
        self.assertFalse(wizard.payer_line_ids.filtered("has_difference"))
        self.assertAlmostEqual(sum(wizard.payer_line_ids.mapped("ledger_amount")), billed - 4696.68, places=2)
        # Before the invoicing (July) there is nothing to compare, and nothing wrong.
        july = self._compare(date(2025, 7, 1), date(2025, 7, 31))
        self.assertRecordValues(self._journal_row(july), [{"expected_amount": 0.0, "ledger_amount": 0.0}])
        self.assertEqual(july.difference_count, 0)

    def test_manual_revenue_entry_is_shown_in_journal_and_payer(self):
        billed = sum(self.moves.mapped("amount_untaxed"))
        manual = self._manual_revenue_entry(150.00)
        wizard = self._compare()
        row = self._journal_row(wizard)
        self.assertRecordValues(row, [{
            "expected_amount": billed, "ledger_amount": billed + 150.00, "difference": 150.00,
            "has_difference": True,
        }])
        income_line = manual.line_ids.filtered(lambda line: line.account_id == self.income_account)
        self.assertEqual(row.move_line_ids, income_line)
        items = self.env["account.move.line"].search(row.action_view_items()["domain"])
        self.assertEqual(items, income_line)
        # The same entry debits the département's receivable outside any invoice: the general ledger holds
        # 150,00 more than the due-date tracking of its invoices and payments.
        cd66 = self._payer_row(wizard, self.departement)
        self.assertRecordValues(cd66, [{"difference": 150.00, "has_difference": True}])
        self.assertAlmostEqual(cd66.ledger_amount - cd66.expected_amount, 150.00, places=2)
        self.assertEqual(cd66.move_line_ids, manual.line_ids - income_line)
        self.assertEqual(wizard.difference_count, 2)
        self.assertEqual(wizard.journal_line_ids[:1], row, "differences come first")

    def test_draft_run_invoice_is_shown(self):
        roux = self._move(self.roux, "resident")
        amount = roux.amount_untaxed
        self.assertAlmostEqual(amount, 31 * 180.0)
        roux.button_draft()
        billed = sum(self.moves.mapped("amount_untaxed"))
        wizard = self._compare()
        row = self._journal_row(wizard)
        self.assertRecordValues(row, [{
            "expected_amount": billed, "unposted_amount": amount, "ledger_amount": billed - amount,
            "difference": -amount, "has_difference": True,
        }])
        self.assertEqual(row.move_line_ids, roux.invoice_line_ids)

    def test_payment_matched_with_another_payers_invoice(self):
        martin_resident = self._move(self.martin, "resident")
        roux_partner = self.roux.beneficiary_id.partner_id
        payment_line = self._pay(martin_resident, 100.00, partner=roux_partner)
        wizard = self._compare()
        self.assertFalse(self._journal_row(wizard).has_difference)
        martin_partner = self.martin.beneficiary_id.partner_id
        martin_row = self._payer_row(wizard, martin_partner)
        roux_row = self._payer_row(wizard, roux_partner)
        # Martin's contribution shows 623,32 due on the ageing, 723,32 in the ledger; Roux's payment left the
        # ageing (matched) but still credits Roux in the ledger.
        self.assertRecordValues(martin_row | roux_row, [
            {"expected_amount": 623.32, "ledger_amount": 723.32, "difference": 100.00, "has_difference": True},
            {"expected_amount": 5580.00, "ledger_amount": 5480.00, "difference": -100.00, "has_difference": True},
        ])
        invoice_line = _receivable(martin_resident.line_ids)
        self.assertEqual(martin_row.move_line_ids, invoice_line)
        self.assertEqual(roux_row.move_line_ids, payment_line)
        items = self.env["account.move.line"].search(roux_row.action_view_items()["domain"])
        self.assertEqual(items, payment_line)

    @freeze_time("2025-09-15")
    def test_default_period_is_last_month_and_dates_checked(self):
        wizard = self.env["essms.accounting.reciprocity"].create({})
        self.assertEqual((wizard.date_from, wizard.date_to), (AUGUST_START, AUGUST_END))
        with self.assertRaisesRegex(ValidationError, "starts after it ends"):
            wizard.date_from = date(2025, 9, 1)
            wizard.flush_recordset()

    def test_establishment_user_is_refused(self):
        director = new_test_user(self.env, "reciprocity_director", groups="essms_billing.group_essms_establishment")
        with self.assertRaises(AccessError):
            self.env["essms.accounting.reciprocity"].with_user(director).create(
                {"date_from": AUGUST_START, "date_to": AUGUST_END}
            )
        operator = new_test_user(self.env, "reciprocity_operator", groups="essms_billing.group_essms_operator",
                                 company_id=self.company.id, company_ids=[Command.set(self.company.ids)])
        wizard = self.env["essms.accounting.reciprocity"].with_user(operator).create(
            {"date_from": AUGUST_START, "date_to": AUGUST_END}
        )
        wizard.action_compute()
        self.assertEqual(wizard.difference_count, 0)

    def test_workbook_of_the_control(self):
        manual = self._manual_revenue_entry(150.00)
        wizard = self.env["essms.accounting.reciprocity"].create({
            "date_from": AUGUST_START, "date_to": AUGUST_END,
            "establishment_ids": [Command.set(self.establishment.ids)],
        })
        action = wizard.action_export()
        self.assertIn("download=true", action["url"])
        book = load_workbook(io.BytesIO(base64.b64decode(wizard.file)))
        self.assertEqual(book.sheetnames, ["Summary", "Sales journals", "Payers", "Items causing differences"])
        journals = list(book["Sales journals"].iter_rows(min_row=5, values_only=True))
        billed = sum(self.moves.mapped("amount_untaxed"))
        self.assertEqual(journals[-1][0], "Total")
        self.assertAlmostEqual(journals[-1][2], billed, places=2)
        self.assertAlmostEqual(journals[-1][4], billed + 150.00, places=2)
        self.assertAlmostEqual(journals[-1][5], 150.00, places=2)
        self.assertEqual(book["Sales journals"].freeze_panes, "B5")
        payers = list(book["Payers"].iter_rows(min_row=5, values_only=True))
        self.assertAlmostEqual(payers[-1][3], 150.00, places=2)
        items = list(book["Items causing differences"].iter_rows(min_row=5, values_only=True))
        self.assertEqual(sorted(row[2] for row in items), [manual.name, manual.name])
        self.assertEqual(sorted(row[6] for row in items), [-150.00, 150.00])
