"""Year-end impairment (recovery-rules §7, example R3), posted against the ledger, and reversed as the claims impaired
are written off or paid. The operator computes and submits the proposal; only a finance director posts it."""

from datetime import date

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import freeze_time
from odoo.tests import tagged

from .test_writeoff import WriteoffCommon

CLOSING = date(2026, 12, 31)


@tagged("post_install", "-at_install")
@freeze_time("2027-01-15")
class TestImpairment(WriteoffCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        partner = cls.martin.partner_id
        # R3: 4 000 € overdue 91 to 180 days, 2 000 € 181 to 365 days, 1 200 € over 365 days.
        cls.a = cls._invoice(partner, amount=2500.0, due=date(2026, 8, 1))  # 152 days
        cls.b = cls._invoice(partner, amount=1500.0, due=date(2026, 9, 30))  # 92 days
        cls.c = cls._invoice(partner, amount=2000.0, due=date(2026, 4, 1))  # 274 days
        cls.d = cls._invoice(partner, amount=1200.0, due=date(2025, 12, 30))  # 366 days
        cls.young = cls._invoice(partner, amount=300.0, due=date(2026, 10, 2))  # 90 days: not impaired
        departement = cls.env["res.partner"].create({"name": "Département des Pyrénées-Orientales",
                                                     "is_company": True, "essms_payer_kind": "departement"})
        cls.public = cls._invoice(departement, amount=9000.0, due=date(2025, 1, 31))
        # Last year's impairment: 2 500 € on 491.
        last_year = cls.env["account.move"].create({
            "move_type": "entry", "date": date(2025, 12, 31), "journal_id": cls.company_data["default_journal_misc"].id,
            "line_ids": [Command.create({"name": "Dépréciation 2025", "account_id": cls.charge.id, "debit": 2500.0}),
                         Command.create({"name": "Dépréciation 2025", "account_id": cls.provision.id,
                                         "credit": 2500.0})]})
        last_year.action_post()

    def _ledger(self, account):
        lines = self.env["account.move.line"].search([("account_id", "=", account.id), ("parent_state", "=", "posted")])
        return round(sum(lines.mapped("balance")), 2)

    def test_r3_proposal_posted_then_reversed_by_writeoff_and_payment(self):
        impairment = self.env["essms.impairment"].with_user(self.operator).create({"date": CLOSING})
        impairment.action_compute()
        groups = {(line.rate_id.min_days, line.payer_kind): (line.base, line.rate, line.amount, line.claim_count)
                  for line in impairment.line_ids}
        self.assertEqual(groups, {
            (91, "resident"): (4000.0, 25.0, 1000.0, 2),
            (181, "resident"): (2000.0, 50.0, 1000.0, 1),
            (366, "resident"): (1200.0, 100.0, 1200.0, 1),
        })
        for line in impairment.line_ids:  # every amount is the base times the rate
            self.assertEqual(round(line.base * line.rate / 100, 2), line.amount)
        self.assertEqual((impairment.amount_total, impairment.amount_previous, impairment.amount_difference),
                         (3200.0, 2500.0, 700.0))
        self.assertEqual(impairment.excluded_count, 1)  # the département
        shares = {claim.move_id: claim.amount for claim in impairment.claim_ids}
        self.assertEqual(shares, {self.a: 625.0, self.b: 375.0, self.c: 1000.0, self.d: 1200.0})

        impairment.action_submit()
        # The operator proposes, only a finance director posts, whatever the way in.
        with self.assertRaises(AccessError):
            impairment.action_post()
        with self.assertRaises(AccessError):
            impairment.write({"state": "posted"})
        impairment.with_user(self.manager).action_post()
        entry = impairment.account_move_id
        self.assertEqual((impairment.state, entry.state, entry.date), ("posted", "posted", CLOSING))
        self.assertEqual(self._balance(self.charge, entry), 700.0)
        self.assertEqual(self._balance(self.provision, entry), -700.0)
        self.assertEqual(self._ledger(self.provision), -3200.0)

        # Writing off claim c reverses its share (491 / 7817), by default.
        writeoff = self._writeoff(self.c, date=date(2027, 1, 10))
        self.assertEqual(writeoff.line_ids.impairment_amount, 1000.0)
        writeoff.line_ids.impairment_amount = 1000.01
        with self.assertRaisesRegex(UserError, "more than its share"):
            writeoff.action_submit()
        writeoff.line_ids.impairment_amount = 1000.0
        self._decide(writeoff)
        self.assertEqual(self._balance(self.provision, writeoff.account_move_id), 1000.0)
        self.assertEqual(self._balance(self.reversal, writeoff.account_move_id), -1000.0)

        # Claim a paid: its share is reversed in batch by the finance director.
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=self.a.ids).create(
            {"payment_date": date(2027, 1, 12)}).action_create_payments()
        with self.assertRaises(AccessError):
            impairment.with_user(self.operator).action_release_paid()
        impairment.with_user(self.manager).action_release_paid()
        self.assertEqual(self._balance(self.provision, impairment.release_move_ids), 625.0)
        with self.assertRaisesRegex(UserError, "no claim impaired has been paid"):
            impairment.with_user(self.manager).action_release_paid()
        # The ledger's 491 holds what is still impaired, claim by claim: b and d.
        self.assertEqual(sum(impairment.claim_ids.mapped("amount_left")), 1575.0)
        self.assertEqual(self._ledger(self.provision), -1575.0)

        # Next year-end: the proposal starts from that balance.
        following = self.env["essms.impairment"].with_user(self.operator).create({"date": date(2027, 1, 15)})
        following.action_compute()
        self.assertEqual(following.amount_previous, 1575.0)

    def test_missing_account_is_named(self):
        self.charge.code = "681999"
        self.charge.deprecated = True
        self.env["account.account"].search([("code", "=like", "6817%")]).deprecated = True
        impairment = self.env["essms.impairment"].with_user(self.operator).create({"date": CLOSING})
        impairment.action_compute()
        impairment.action_submit()
        with self.assertRaisesRegex(UserError, "Account 6817 .* is missing"):
            impairment.with_user(self.manager).action_post()
        self.assertFalse(impairment.account_move_id)
