"""Doubtful receivables (411 → 416 and back) by batch, then the impairment and a write-off of a doubtful claim: the
billing-vs-accounting control and the due-date tracking stay equal to the general ledger throughout."""

from datetime import date

from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import freeze_time
from odoo.tests import tagged

from ..models.essms_receivable_ageing import AGEING_DATE_KEY
from .test_writeoff import WriteoffCommon

CLOSING = date(2026, 12, 31)


@tagged("post_install", "-at_install")
@freeze_time("2027-01-15")
class TestDoubtful(WriteoffCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        partner = cls.martin.partner_id
        cls.establishment.journal_id = cls.journal  # the control compares the establishments' sales journals
        cls.disputed = cls._invoice(partner, amount=850.0, due=date(2026, 6, 30))  # 184 days: 50 %
        cls.noticed = cls._invoice(partner, amount=300.0, due=date(2026, 8, 31))  # 122 days: 25 %
        cls.normal = cls._invoice(partner, amount=120.0, due=date(2026, 10, 15))
        cls.env["essms.recovery.hold"].create({"reason": "dispute", "move_id": cls.disputed.id,
                                               "date_start": date(2026, 11, 1)})
        # A formal notice sent on 1 October and still unpaid: doubtful 60 days later.
        cls.noticed.write({"essms_dunning_level_id": cls.level["notice"].id, "essms_dunning_date": date(2026, 10, 1)})
        cls.normal.write({"essms_dunning_level_id": cls.level["notice"].id, "essms_dunning_date": date(2026, 11, 15)})

    def _batch(self, kind, day=CLOSING):
        batch = self.env["essms.doubtful.batch"].with_user(self.operator).create({"kind": kind, "date": day})
        batch.action_propose()
        return batch

    def _assert_books_agree(self, day):
        """The due-date tracking adds up to the receivable ledger, and the control finds no difference per payer."""
        ageing = self.env["essms.receivable.ageing"].with_context(**{AGEING_DATE_KEY: day}).search(
            [("company_id", "=", self.company.id)])
        ledger = self.env["account.move.line"].search([
            ("company_id", "=", self.company.id), ("account_id.account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"), ("date", "<=", day)])
        self.assertAlmostEqual(sum(ageing.mapped("amount_residual")), sum(ledger.mapped("balance")), places=2)
        control = self.env["essms.accounting.reciprocity"].create(
            {"company_id": self.company.id, "date_from": day.replace(day=1), "date_to": day})
        control.action_compute()
        self.assertFalse(control.payer_line_ids.filtered("has_difference"))

    def _on(self, account):
        lines = self.env["account.move.line"].search([("account_id", "=", account.id), ("parent_state", "=", "posted")])
        return round(sum(lines.mapped("balance")), 2)

    def test_reclassify_impair_write_off_and_back_to_normal(self):
        batch = self._batch("to_doubtful")
        self.assertEqual({(line.move_id, line.trigger, line.amount) for line in batch.line_ids},
                         {(self.disputed, "dispute", 850.0), (self.noticed, "formal_notice", 300.0)})
        with self.assertRaises(AccessError):
            batch.action_post()
        batch.with_user(self.manager).action_post()
        entry = batch.account_move_id
        self.assertEqual((self._balance(self.doubtful, entry), entry.date), (1150.0, CLOSING))
        self.assertEqual(self.disputed.essms_doubtful_line_id.batch_id, batch)
        # The invoices stay open (their reminders and payments are unchanged).
        self.assertEqual((self.disputed.amount_residual, self.noticed.amount_residual), (850.0, 300.0))
        self.assertFalse(self._batch("to_doubtful").line_ids)  # nothing twice
        self._assert_books_agree(CLOSING)

        impairment = self.env["essms.impairment"].with_user(self.operator).create({"date": CLOSING})
        impairment.action_compute()
        self.assertEqual(impairment.amount_total, 425.0 + 75.0)  # 850 at 50 %, 300 at 25 %, 120 (77 days) not yet
        impairment.action_submit()
        impairment.with_user(self.manager).action_post()
        self._assert_books_agree(CLOSING)

        # R1 on a doubtful claim: written off whole against 416, its impairment (425) reversed.
        writeoff = self._writeoff(self.disputed, date=date(2027, 1, 10))
        self.assertEqual(writeoff.line_ids.impairment_amount, 425.0)
        self._decide(writeoff)
        posted = writeoff.account_move_id
        self.assertEqual((self._balance(self.loss, posted), self._balance(self.doubtful, posted)), (850.0, -850.0))
        self.assertEqual(self._balance(self.reversal, posted), -425.0)
        self.assertEqual(self.disputed.amount_residual, 0.0)
        # The recovery analysis reads it as written off, not collected; the prescription clock did not restart.
        claim = self.env["essms.recovery.claim"].search([("move_id", "=", self.disputed.id)])
        self.assertEqual((claim.stage, claim.amount_written_off, claim.amount_collected), ("written_off", 850.0, 0.0))
        self.assertEqual(self.disputed.essms_prescription_date, date(2028, 7, 1))
        self._assert_books_agree(date(2027, 1, 10))

        # The noticed claim is paid: back to normal, 416 is empty again.
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=self.noticed.ids
                                                          ).create({"payment_date": date(2027, 1, 12)}
                                                                   ).action_create_payments()
        back = self._batch("to_normal", day=date(2027, 1, 14))
        self.assertEqual(back.line_ids.move_id, self.noticed)
        back.with_user(self.manager).action_post()
        self.assertFalse(self.noticed.essms_doubtful_line_id)
        self.assertEqual(self._on(self.doubtful), 0.0)
        self.assertFalse(self.env["account.move.line"].search(
            [("account_id", "=", self.doubtful.id), ("reconciled", "=", False)]))
        self._assert_books_agree(date(2027, 1, 14))

    def test_partial_write_off_of_a_doubtful_claim_then_paid_and_back_to_normal(self):
        """300 € on 416, 100 € written off: the invoice owes 200, 416 holds 200, 411 is level; the rest paid, the
        claim back to normal leaves nothing open on 416; the ledger agrees at each step."""
        self._batch("to_doubtful").with_user(self.manager).action_post()
        reclassified = self.noticed.essms_doubtful_line_id
        partial = self._decide(self._writeoff(self.noticed, amounts=[100.0], date=date(2027, 1, 10)))
        entry = partial.account_move_id
        self.assertEqual((self._balance(self.loss, entry), self._balance(self.doubtful, entry)), (100.0, -100.0))
        receivable = reclassified.receivable_item_id.account_id
        self.assertEqual(self._balance(receivable, entry), 0.0, "411 level: the invoice less, the other item more")
        self.assertEqual(self.noticed.amount_residual, 200.0)
        items = reclassified.doubtful_item_id | reclassified.receivable_item_id
        self.assertEqual(items.mapped("amount_residual"), [200.0, -200.0])
        self.assertEqual(self._on(self.doubtful), 850.0 + 200.0)
        self._assert_books_agree(date(2027, 1, 10))
        # Over what the claim owes: refused, nothing posted.
        too_much = self._writeoff(self.disputed, amounts=[850.01], date=date(2027, 1, 10))
        with self.assertRaisesRegex(UserError, "more than it still owes"):
            too_much.action_submit()
        self.assertFalse(self._entries(too_much))

        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=self.noticed.ids
                                                          ).create({"payment_date": date(2027, 1, 12)}
                                                                   ).action_create_payments()
        self.assertEqual(self.noticed.amount_residual, 0.0)
        back = self._batch("to_normal", day=date(2027, 1, 14))
        self.assertEqual((back.line_ids.move_id, back.line_ids.amount), (self.noticed, 200.0))
        back.with_user(self.manager).action_post()
        self.assertFalse(self.env["account.move.line"].search([
            ("account_id", "=", self.doubtful.id), ("reconciled", "=", False),
            ("move_id", "in", (entry | reclassified.batch_id.account_move_id | back.account_move_id).ids),
            ("partner_id", "=", self.martin.partner_id.id), ("amount_residual", "!=", 0),
            ("id", "!=", self.disputed.essms_doubtful_line_id.doubtful_item_id.id)]))
        self._assert_books_agree(date(2027, 1, 14))

    def test_reopened_doubtful_claim_matched_with_the_payment(self):
        """A doubtful claim written off whole, then 200 € received: the reopening puts 200 € back on the invoice's
        411 and matches it with the payment, nothing left open by hand."""
        self._batch("to_doubtful").with_user(self.manager).action_post()
        writeoff = self._decide(self._writeoff(self.disputed, date=date(2027, 1, 10)))
        recovered = self.env["account.account"].create({
            "code": "771400", "name": "Recouvrements sur créances admises en non-valeur", "account_type": "income",
            "company_ids": [(6, 0, self.company.ids)]})
        receivable = self.disputed.essms_doubtful_line_id.receivable_item_id.account_id
        payment = self.env["account.payment"].create({
            "payment_type": "inbound", "partner_type": "customer", "partner_id": self.martin.partner_id.id,
            "amount": 200.0, "date": date(2027, 1, 13), "journal_id": self.company_data["default_journal_bank"].id})
        payment.action_post()
        writeoff.with_user(self.manager).write({"reopen_amount": 200.0, "reopen_date": date(2027, 1, 13)})
        writeoff.with_user(self.manager).action_reopen()
        reopening = writeoff.reopen_move_ids
        self.assertEqual((self._balance(receivable, reopening), self._balance(recovered, reopening)), (200.0, -200.0))
        self.assertEqual(self._balance(self.doubtful, reopening), 0.0, "not back on 416")
        item = reopening.line_ids.filtered(lambda line: line.account_id == receivable)
        self.assertTrue(item.reconciled, "matched with the payment")
        self.assertTrue(payment.move_id.line_ids.filtered(lambda line: line.account_id == receivable).reconciled)
        self._assert_books_agree(date(2027, 1, 14))

    def test_missing_416_is_named(self):
        self.doubtful.code = "419900"
        batch = self._batch("to_doubtful")
        with self.assertRaisesRegex(UserError, "Account 416 .* is missing"):
            batch.with_user(self.manager).action_post()
        self.assertFalse(batch.account_move_id)
