"""Write-offs (admission en non-valeur, extinct claims), recovery-rules §7, §8 and example R1, as the operator.

The operator proposes, a finance director approves, the board decides (reference and date), the finance director
posts the entry: 654 against the claim's receivable account, reconciled with the invoice, the impairment reversed
(491 → 7817). A payment received later reopens the admission en non-valeur: revenue of the year on 7714. The
company's chart here has the accounts of the French chart but 7714 (as l10n_fr, which has none): reopening names it.
"""

from datetime import date

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import freeze_time
from odoo.tests import tagged

from .test_approval import ApprovalCommon
from .test_dunning import DUE

DECIDED = date(2026, 6, 20)
TODAY = "2026-06-30"


class WriteoffCommon(ApprovalCommon):
    """The accounts of the French chart the closing entries use, but 7714 (as l10n_fr)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Account = cls.env["account.account"]

        def account(code, name, account_type, reconcile=False):
            return Account.create({"code": code, "name": name, "account_type": account_type,
                                   "reconcile": reconcile, "company_ids": [Command.set(cls.company.ids)]})

        cls.doubtful = account("416000", "Clients douteux ou litigieux", "asset_receivable", reconcile=True)
        cls.provision = account("491000", "Provisions pour dépréciation des comptes de clients", "asset_current")
        cls.loss = account("654100", "Créances de l'exercice", "expense")
        cls.charge = account("681740", "Dotations aux dépréciations des créances", "expense")
        cls.reversal = account("781740", "Reprises sur dépréciations des créances", "income")

    def _balance(self, account, moves):
        lines = moves.line_ids.filtered(lambda line: line.account_id == account)
        return round(sum(lines.mapped("debit")) - sum(lines.mapped("credit")), 2)

    def _writeoff(self, invoices, amounts=None, impairments=None, kind="non_valeur", **vals):
        amounts = amounts or [invoice.amount_residual for invoice in invoices]
        # No impairment given: the claim's share of the impairment in force (none here).
        impairments = impairments or [None] * len(invoices)
        return self.env["essms.writeoff"].with_user(self.operator).create({
            "partner_id": invoices[0].partner_id.id,
            "kind": kind,
            "reason": "insolvent",
            "date": DECIDED,
            "line_ids": [Command.create({"move_id": invoice.id, "amount": amount,
                                         **({"impairment_amount": impairment} if impairment is not None else {})})
                         for invoice, amount, impairment in zip(invoices, amounts, impairments, strict=True)],
            **vals,
        })

    def _decide(self, writeoff):
        writeoff.action_submit()
        writeoff.with_user(self.manager).action_approve()
        writeoff.with_user(self.operator).write({"board_reference": "CA 2026-06", "date_decision": DECIDED})
        writeoff.with_user(self.manager).action_post()
        return writeoff

    def _entries(self, writeoff):
        return self.env["account.move"].search([("ref", "like", writeoff.name)])


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestWriteoff(WriteoffCommon):
    def test_r1_writeoff_of_a_doubtful_impaired_claim_then_reopened(self):
        """R1: 850 € on 416, impaired 425 €; written off whole; 200 € come in later."""
        self.martin.partner_id.property_account_receivable_id = self.doubtful
        invoice = self._invoice(self.martin.partner_id, amount=850.0)
        writeoff = self._writeoff(invoice, impairments=[425.0])
        self.assertEqual((writeoff.amount, writeoff.move_ids), (850.0, invoice))

        writeoff.action_submit()
        self.assertEqual((writeoff.state, writeoff.approval_mode), ("to_approve", "approval_required"))
        self.assertEqual(len(self._manager_activities(writeoff)), 1)
        # The operator can neither approve nor post, whatever the way in.
        with self.assertRaises(AccessError):
            writeoff.with_user(self.operator).action_approve()
        with self.assertRaises(AccessError):
            writeoff.with_user(self.operator).write({"state": "approved"})
        writeoff.with_user(self.manager).action_approve()
        self.assertEqual((writeoff.state, writeoff.approved_by_id), ("approved", self.manager))
        with self.assertRaises(AccessError):
            writeoff.with_user(self.operator).action_post()
        # The rule wants the board's decision.
        with self.assertRaisesRegex(UserError, "board's decision"):
            writeoff.with_user(self.manager).action_post()
        self.assertFalse(self._entries(writeoff))
        writeoff.with_user(self.operator).write({"board_reference": "CA 2026-06", "date_decision": DECIDED})
        writeoff.with_user(self.manager).action_post()

        entry = writeoff.account_move_id
        self.assertEqual((writeoff.state, entry.state, entry.date), ("posted", "posted", DECIDED))
        self.assertEqual(self._balance(self.loss, entry), 850.0)
        self.assertEqual(self._balance(self.doubtful, entry), -850.0)
        self.assertEqual(self._balance(self.provision, entry), 425.0)
        self.assertEqual(self._balance(self.reversal, entry), -425.0)
        # Net cost of the year: 850 - 425.
        self.assertEqual(self._balance(self.loss, entry) + self._balance(self.reversal, entry), 425.0)
        self.assertEqual((invoice.amount_residual, invoice.essms_recovery_stage), (0.0, "written_off"))
        self.assertTrue(invoice.line_ids.filtered(lambda line: line.account_id == self.doubtful).reconciled)
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            writeoff.with_user(self.operator).write({"board_reference": "CA 2026-09"})

        # 200 € come in: reopening is the finance director's; the chart has no 7714 yet.
        with self.assertRaises(AccessError):
            writeoff.with_user(self.operator).action_reopen()
        writeoff.with_user(self.manager).write({"reopen_amount": 200.0, "reopen_date": date(2026, 6, 29)})
        with self.assertRaisesRegex(UserError, "Account 7714"):
            writeoff.with_user(self.manager).action_reopen()
        recovered = self.env["account.account"].create({
            "code": "771400", "name": "Recouvrements sur créances admises en non-valeur", "account_type": "income",
            "company_ids": [Command.set(self.company.ids)]})
        writeoff.with_user(self.manager).write({"reopen_amount": 850.01})
        with self.assertRaisesRegex(UserError, "more than what is written off"):
            writeoff.with_user(self.manager).action_reopen()
        writeoff.with_user(self.manager).write({"reopen_amount": 200.0})
        writeoff.with_user(self.manager).action_reopen()
        reopening = writeoff.reopen_move_ids
        self.assertEqual((writeoff.state, writeoff.amount_reopened, len(reopening)), ("reopened", 200.0, 1))
        self.assertEqual(self._balance(self.doubtful, reopening), 200.0)
        self.assertEqual(self._balance(recovered, reopening), -200.0)
        self.assertTrue(invoice.message_ids.filtered(lambda message: "reopened" in (message.body or "")))

    def test_extinct_claim_is_final(self):
        invoice = self._invoice(self.martin.partner_id)
        # As the proceedings propose it: one write-off per debtor for what its invoices still owe, submitted.
        writeoff = self.env["essms.writeoff"].with_user(self.operator)._propose(
            invoice, "extinction", "erased", note="Rétablissement personnel", day=DECIDED)
        self.assertEqual((writeoff.state, writeoff.line_ids.amount, writeoff.partner_id),
                         ("to_approve", 723.32, self.martin.partner_id))
        writeoff.with_user(self.manager).action_approve()
        writeoff.with_user(self.operator).write({"board_reference": "CA 2026-06", "date_decision": DECIDED})
        writeoff.with_user(self.manager).action_post()
        self.assertEqual(invoice.essms_recovery_stage, "extinct")
        self.assertEqual(self._balance(self.loss, writeoff.account_move_id), 723.32)
        writeoff.with_user(self.manager).write({"reopen_amount": 10.0})
        with self.assertRaisesRegex(UserError, "never reopened"):
            writeoff.with_user(self.manager).action_reopen()

    def test_written_off_claim_is_never_proposed_again(self):
        written_off = self._invoice(self.martin.partner_id)
        other = self._invoice(self.martin.partner_id, amount=100.0)
        # A partial write-off closes the claim as well: the rest is not pursued.
        self._decide(self._writeoff(written_off, amounts=[700.0]))
        self.assertEqual((written_off.amount_residual, written_off.essms_recovery_stage), (23.32, "written_off"))
        # A claim proposed for a write-off waits for the board: not reminded meanwhile.
        proposed = self._invoice(self.martin.partner_id, amount=60.0)
        self._writeoff(proposed).action_submit()
        run = self._run(date(2026, 2, 15))
        self.assertEqual(run.letter_ids.line_ids.move_id, other)

    def test_bad_input_posts_nothing(self):
        invoice = self._invoice(self.martin.partner_id)
        above = self._writeoff(invoice, amounts=[723.33])
        with self.assertRaisesRegex(UserError, "more than it still owes"):
            above.action_submit()
        self.assertEqual(above.state, "draft")

        paid = self._invoice(self.martin.partner_id, amount=50.0)
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=paid.ids).create(
            {"payment_date": DUE}).action_create_payments()
        with self.assertRaisesRegex(UserError, "is paid"):
            self._writeoff(paid, amounts=[50.0]).action_submit()

        first = self._writeoff(invoice)
        first.action_submit()
        with self.assertRaisesRegex(UserError, "already in write-off"):
            self._writeoff(invoice).action_submit()
        first.with_user(self.manager).action_approve()
        first.with_user(self.operator).write({"board_reference": "CA 2026-06", "date_decision": DECIDED})
        first.with_user(self.manager).action_post()
        with self.assertRaisesRegex(UserError, "already written off"):
            self._writeoff(invoice, amounts=[1.0]).action_submit()

        locked = self._invoice(self.martin.partner_id, amount=80.0)
        self.company.fiscalyear_lock_date = date(2026, 6, 25)
        late = self._writeoff(locked)
        with self.assertRaisesRegex(UserError, "is locked"):
            late.action_submit()
        self.assertEqual(late.state, "draft")
        self.assertFalse(self._entries(above) | self._entries(late))
        # Once submitted, the claims and amounts are the decision's.
        with self.assertRaisesRegex(UserError, "can no longer be changed"):
            first.with_user(self.operator).line_ids.write({"amount": 1.0})

    def test_board_decision_is_a_setting_of_the_rule(self):
        """A rule not requiring the board's decision (small amounts decided by the director): posted without it."""
        self.env.ref("essms_billing.approval_rule_writeoff").board_decision_required = False
        invoice = self._invoice(self.martin.partner_id, amount=12.0)
        writeoff = self._writeoff(invoice, reason="below_threshold")
        writeoff.action_submit()
        writeoff.with_user(self.manager).action_approve()
        writeoff.with_user(self.manager).action_post()
        self.assertEqual((writeoff.state, invoice.essms_recovery_stage), ("posted", "written_off"))
        self.assertFalse(writeoff.board_reference)
