"""Residents' money on 467 (billing-rules §2, mode 2), through the screens' server methods: worked example M to the
cent, and the bad inputs that must write nothing. The figures are those of ``test_engine_resident_money.py``."""

import io
from datetime import date
from datetime import timedelta

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import freeze_time
from odoo.tests import new_test_user
from odoo.tests import tagged
from odoo.tools.pdf import PdfFileReader

from .billing_common import BillingCommon

AAH = 1033.32
PENSION = 45.18
CONTRIBUTION = 700.00
JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)
AFTER_DUE = date.today() + timedelta(days=90)


@tagged("post_install", "-at_install")
class TestResidentMoney(BillingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account_467 = cls.env["account.account"].create(
            {"code": "467100", "name": "Fonds déposés des résidents", "account_type": "liability_current",
             "company_ids": [Command.set(cls.company.ids)]}
        )
        cls.company.write({
            "essms_third_party_account_id": cls.account_467.id,
            "essms_third_party_journal_id": cls.company_data["default_journal_bank"].id,
        })
        cls.departement.essms_transfer_rhythm = "quarterly"
        cls.bank = cls.company_data["default_journal_bank"]
        stay = cls._create_resident("Paul Martin", entry=date(2025, 1, 1))
        cls.paul = stay.beneficiary_id
        cls.paul.decision_ids.write({"contribution_mode": "income_collected", "contribution_monthly": CONTRIBUTION})
        cls.claire = cls._create_resident("Claire Net", entry=date(2025, 1, 1)).beneficiary_id
        for month in (JAN, FEB, MAR):
            cls._validated_statement(cls.establishment, month)
            run = cls._run(cls.establishment, month)
            run.action_compute()
            run.action_invoice()
        cls.operator = new_test_user(cls.env, login="money_operator", groups="essms_billing.group_essms_operator",
                                     company_id=cls.company.id, company_ids=cls.company.ids)

    def _statement_line(self, amount, day, ref="CAF AAH"):
        return self.env["account.bank.statement.line"].create(
            {"journal_id": self.bank.id, "date": day, "payment_ref": ref, "amount": amount}
        )

    def _income(self, amount, month, source="aah", beneficiary=None, user=None):
        line = self._statement_line(amount, month.replace(day=5), "CAF AAH %s" % month.month)
        wizard = self.env["essms.third.party.income"].with_user(user or self.operator).create({
            "statement_line_id": line.id, "beneficiary_id": (beneficiary or self.paul).id, "source": source,
            "month": month,
        })
        wizard.action_record()
        return line

    def _pocket_money(self, month):
        wizard = self.env["essms.pocket.money"].with_user(self.operator).create(
            {"month": month, "date": month.replace(day=10)}
        )
        return self.env["account.move"].search(wizard.action_pay()["domain"])

    def _transfer(self, month=FEB):
        return self.env["essms.third.party.transfer"].with_user(self.operator).create(
            {"payer_id": self.departement.id, "period_start": month, "date": date(2026, 4, 15)}
        )

    def _balance(self):
        return self.env["essms.resident.money"]._balances(self.company, self.paul.partner_id).get(
            self.paul.partner_id.id, 0.0)

    def test_the_billing_feeds_the_third_party_money(self):
        lines = self.env["essms.billing.line"].search([("beneficiary_id", "=", self.paul.id)])
        self.assertEqual(sorted(set(lines.mapped("third_party_amount")) - {0.0}), [CONTRIBUTION])
        self.assertFalse(self.env["account.move"].search([("partner_id", "=", self.paul.partner_id.id),
                                                          ("move_type", "=", "out_invoice")]),
                         "Under income collected the resident is not invoiced: the département pays the gross.")

    @freeze_time("2026-04-15")
    def test_worked_example_m_to_the_cent(self):
        for month in (JAN, FEB, MAR):
            self._income(AAH, month)
        self._income(PENSION, MAR, source="pension")
        self.assertAlmostEqual(self._balance(), 3145.14)
        paid = self._pocket_money(JAN) | self._pocket_money(FEB) | self._pocket_money(MAR)
        self.assertEqual(paid.mapped("essms_third_party_amount"), [333.32, 333.32, 378.50])
        transfer = self._transfer()
        transfer.action_compute()
        self.assertEqual((transfer.period_start, transfer.period_end), (JAN, date(2026, 4, 1)))
        self.assertEqual(transfer.line_ids.beneficiary_id, self.paul, "Claire is in net billing: not on the recap.")
        self.assertEqual(transfer.line_ids.mapped("minimum_left"), [333.32, 333.32, 378.50])
        self.assertEqual(
            (transfer.amount_income, transfer.amount_minimum_left, transfer.amount_contribution,
             transfer.amount_paid_over),
            (3145.14, 1045.14, 2100.00, 2100.00),
        )
        transfer.action_post()
        self.assertEqual(transfer.state, "posted")
        self.assertEqual(len(transfer.move_ids), 3)
        # The recap's totals are the 467 movements, and the resident's account ends at 0.
        movements = self.env["account.move"].search([("essms_beneficiary_id", "=", self.paul.id),
                                                     ("essms_third_party_kind", "!=", False)])
        by_kind = {kind: sum(movements.filtered(lambda m, k=kind: m.essms_third_party_kind == k)
                             .mapped("essms_third_party_amount")) for kind in ("income", "pocket_money", "paid_over")}
        self.assertAlmostEqual(by_kind["income"], transfer.amount_income)
        self.assertAlmostEqual(by_kind["pocket_money"], transfer.amount_minimum_left)
        self.assertAlmostEqual(by_kind["paid_over"], transfer.amount_paid_over)
        self.assertAlmostEqual(self._balance(), 0.0)
        rows, balance = self.env["essms.resident.money"]._statement(self.paul)
        self.assertEqual(len(rows), 10)
        self.assertAlmostEqual(balance, 0.0)
        # Never counted as revenue: no income account moved by the residents' money.
        self.assertFalse(movements.line_ids.filtered(lambda line: line.account_id.internal_group == "income"))
        # The recap and the guardian's statement print.
        self.env["ir.actions.report"]._render_qweb_html("essms_billing.report_third_party_recap", transfer.ids)
        html = self.env["ir.actions.report"]._render_qweb_html("essms_billing.report_resident_money",
                                                               self.paul.ids)[0]
        self.assertIn(b"Paul Martin", html)

    @freeze_time("2026-04-15")
    def test_paying_over_twice_is_refused_and_writes_nothing(self):
        for month in (JAN, FEB, MAR):
            self._income(AAH, month)
        first = self._transfer()
        first.action_compute()
        first.action_post()
        second = self._transfer(MAR)
        with self.assertRaisesRegex(UserError, "Nothing to pay over(.|\n)*already paid over"):
            second.action_compute()
        self.assertEqual(second.state, "draft")
        self.assertFalse(second.line_ids)
        self.assertEqual(len(self.env["account.move"].search([("essms_third_party_kind", "=", "paid_over")])), 3)

    @freeze_time("2026-04-15")
    def test_two_transfers_computed_before_either_is_posted_pay_once(self):
        for month in (JAN, FEB, MAR):
            self._income(AAH, month)
        first, second = self._transfer(), self._transfer(MAR)
        first.action_compute()
        second.action_compute()
        first.action_post()
        with self.assertRaisesRegex(UserError, "already paid over"):
            second.action_post()
        self.assertEqual(second.state, "computed")
        self.assertFalse(second.move_ids)

    @freeze_time("2026-04-15")
    def test_a_month_without_income_waits_for_it(self):
        self._income(AAH, JAN)
        self._income(AAH, FEB)
        transfer = self._transfer()
        transfer.action_compute()
        self.assertEqual(transfer.line_ids.mapped("month"), [JAN, FEB])
        self.assertIn("03/2026", transfer.message_ids[0].body)
        transfer.action_post()
        # Its income arrives: the quarter's transfer again pays over March only.
        self._income(AAH, MAR)
        again = self._transfer(MAR)
        again.action_compute()
        self.assertEqual(again.line_ids.mapped("month"), [MAR])

    @freeze_time("2026-04-15")
    def test_pocket_money_twice_or_above_the_income_is_refused(self):
        self._income(AAH, JAN)
        self._pocket_money(JAN)
        with self.assertRaisesRegex(UserError, "minimum left was already paid"):
            self._pocket_money(JAN)
        self._income(650.00, FEB)
        with self.assertRaisesRegex(UserError, "income received .*650,00.* is below the contribution decided"):
            self._pocket_money(FEB)
        self.assertEqual(len(self.env["account.move"].search([("essms_third_party_kind", "=", "pocket_money")])), 1)

    @freeze_time("2026-04-15")
    def test_a_balance_going_into_debit_is_refused(self):
        for month in (JAN, FEB, MAR):
            self._income(AAH, month)
        # An entry paid out of Paul's 467 by hand (a purchase for him) leaves less than the contributions.
        manual = self.env["account.move"].create({
            "move_type": "entry", "journal_id": self.company_data["default_journal_misc"].id, "date": MAR,
            "line_ids": [
                Command.create({"account_id": self.account_467.id, "partner_id": self.paul.partner_id.id,
                                "debit": 1500.00}),
                Command.create({"account_id": self.bank.default_account_id.id,
                                "credit": 1500.00}),
            ],
        })
        manual.action_post()
        self.assertAlmostEqual(self._balance(), 1599.96)
        transfer = self._transfer()
        transfer.action_compute()
        with self.assertRaisesRegex(UserError, "Paul Martin.*in debit by .*500,04"):
            transfer.action_post()
        self.assertFalse(transfer.move_ids)

    @freeze_time("2026-05-15")
    def test_no_minimum_left_for_a_month_not_billed_yet(self):
        self._income(AAH, date(2026, 4, 1))
        with self.assertRaisesRegex(UserError, "04/2026.*not invoiced yet"):
            self._pocket_money(date(2026, 4, 1))
        self.assertFalse(self.env["account.move"].search([("essms_third_party_kind", "=", "pocket_money")]))

    def test_income_for_a_resident_in_net_billing_is_refused(self):
        line = self._statement_line(AAH, date(2026, 1, 5))
        wizard = self.env["essms.third.party.income"].with_user(self.operator).create(
            {"statement_line_id": line.id, "beneficiary_id": self.claire.id, "month": JAN}
        )
        with self.assertRaisesRegex(UserError, "Claire Net.*no granted decision"):
            wizard.action_record()
        self.assertFalse(line.move_id.essms_third_party_kind)

    def test_income_matched_twice_or_a_payment_is_refused(self):
        line = self._income(AAH, JAN)
        wizard = self.env["essms.third.party.income"].with_user(self.operator).create(
            {"statement_line_id": line.id, "beneficiary_id": self.paul.id, "month": FEB}
        )
        with self.assertRaisesRegex(UserError, "already matched"):
            wizard.action_record()
        out = self._statement_line(-50.0, date(2026, 1, 6), "CB")
        wizard.statement_line_id = out
        with self.assertRaisesRegex(UserError, "not income received"):
            wizard.action_record()

    def test_establishment_users_have_no_access(self):
        director = new_test_user(self.env, login="money_director", groups="essms_billing.group_essms_establishment")
        with self.assertRaises(AccessError):
            self.env["essms.third.party.transfer"].with_user(director).search([])


    @freeze_time("2026-04-15")
    def test_a_transfer_cancelled_is_reversed_and_its_months_paid_over_again(self):
        for month in (JAN, FEB, MAR):
            self._income(AAH, month)
        self._pocket_money(JAN)
        transfer = self._transfer()
        transfer.action_compute()
        transfer.action_post()
        self.assertAlmostEqual(self._balance(), AAH * 3 - (AAH - CONTRIBUTION) - CONTRIBUTION * 3, places=2)
        transfer.with_user(self.operator).action_cancel()
        self.assertEqual(transfer.state, "cancelled")
        reversals = transfer.move_ids.reversal_move_ids
        self.assertEqual(len(reversals), 3)
        self.assertEqual(set(reversals.mapped("state")), {"posted"})
        self.assertEqual(set(reversals.mapped("date")), {date(2026, 4, 15)})
        self.assertFalse(reversals.filtered("essms_third_party_kind"), "A reversal is not a movement of its own.")
        # The 467 account holds the contributions again; the statement lists the reversals.
        self.assertAlmostEqual(self._balance(), AAH * 3 - (AAH - CONTRIBUTION), places=2)
        rows, balance = self.env["essms.resident.money"]._statement(self.paul)
        self.assertEqual(len(rows), 3 + 1 + 3 + 3)
        self.assertAlmostEqual(balance, 2 * AAH + CONTRIBUTION, places=2)
        with self.assertRaisesRegex(UserError, "was cancelled"):
            transfer.action_compute()
        with self.assertRaisesRegex(UserError, "nothing to cancel"):
            transfer.action_cancel()
        # The months are payable again: a new transfer of the quarter pays them over, once.
        again = self._transfer()
        again.action_compute()
        self.assertEqual(again.amount_paid_over, 3 * CONTRIBUTION)
        again.action_post()
        self.assertAlmostEqual(self._balance(), AAH * 3 - (AAH - CONTRIBUTION) - CONTRIBUTION * 3, places=2)

    @freeze_time("2026-04-15")
    def test_a_transfer_reconciled_with_the_bank_cannot_be_cancelled(self):
        self._income(AAH, JAN)
        transfer = self._transfer(JAN)
        self.departement.essms_transfer_rhythm = "monthly"
        transfer.action_compute()
        transfer.action_post()
        # The bank statement line of the transfer, matched with its entry's outstanding line.
        outstanding = transfer.move_ids.line_ids.filtered(lambda line: line.partner_id == self.departement)
        statement = self._statement_line(-CONTRIBUTION, date(2026, 4, 16), "VIR CD66 REVERSEMENT 01/2026")
        if outstanding.account_id.reconcile:
            _liquidity, suspense, _other = statement._seek_for_lines()
            suspense.account_id = outstanding.account_id
            suspense.partner_id = self.departement
            (suspense | outstanding).reconcile()
        else:
            # Posted on the bank account itself: reconciled when the statement line is matched against it.
            outstanding.account_id.reconcile = True
            (outstanding | statement.move_id.line_ids.filtered(
                lambda line: line.account_id == outstanding.account_id)).reconcile()
        self.assertTrue(outstanding.reconciled or outstanding.matched_debit_ids or outstanding.matched_credit_ids)
        with self.assertRaisesRegex(UserError, "reconciled with the bank"):
            transfer.action_cancel()
        self.assertEqual(transfer.state, "posted")
        self.assertFalse(transfer.move_ids.reversal_move_ids)

    def _split(self, line, shares, user=None):
        wizard = self.env["essms.third.party.income.split"].with_user(user or self.operator).create({
            "statement_line_id": line.id, "source": "aah", "month": JAN,
            "line_ids": [Command.create({"beneficiary_id": person.id, "amount": amount}) for person, amount in shares],
        })
        return self.env["account.move"].search(wizard.action_record()["domain"])

    @freeze_time("2026-04-15")
    def test_a_caf_line_paying_several_residents_is_split_over_them(self):
        other = self._create_establishment("LB", "Foyer Les Bruyères")  # its months have no statement yet
        lucie = self._create_resident("Lucie Bosch", entry=date(2025, 1, 1), establishment=other).beneficiary_id
        lucie.decision_ids.write({"contribution_mode": "income_collected", "contribution_monthly": CONTRIBUTION})
        caf = self.env["res.partner"].create({"name": "CAF des Pyrénées-Orientales", "is_company": True})
        line = self._statement_line(AAH + 800.0, date(2026, 2, 5), "CAF AAH 01/2026 2 BENEFICIAIRES")
        line.partner_id = caf
        # Bad input first: nothing is written.
        for shares, message in (
            ([(self.paul, AAH), (lucie, 700.0)], "add up to"),
            ([(self.paul, AAH), (self.paul, 800.0)], "listed twice"),
            ([(self.paul, AAH + 800.0), (lucie, 0.0)], "must be positive"),
            ([(self.paul, AAH), (self.claire, 800.0)], "Claire Net: no granted decision"),
        ):
            with self.assertRaisesRegex(UserError, message):
                self._split(line, shares)
            self.assertFalse(self.env["account.move"].search([("essms_third_party_kind", "=", "income")]))
            self.assertFalse(line.is_reconciled)
        moves = self._split(line, [(self.paul, AAH), (lucie, 800.0)])
        self.assertEqual(len(moves), 2)
        self.assertEqual(set(moves.mapped("state")), {"posted"})
        self.assertEqual({(move.essms_beneficiary_id, move.essms_period_start, move.essms_income_source,
                           move.essms_third_party_amount) for move in moves},
                         {(self.paul, JAN, "aah", AAH), (lucie, JAN, "aah", 800.0)})
        self.assertTrue(line.is_reconciled)
        balances = self.env["essms.resident.money"]._balances(self.company, self.paul.partner_id | lucie.partner_id
                                                             | caf)
        self.assertAlmostEqual(balances[self.paul.partner_id.id], AAH, places=2)
        self.assertAlmostEqual(balances[lucie.partner_id.id], 800.0, places=2)
        self.assertAlmostEqual(balances.get(caf.id, 0.0), 0.0, places=2)
        # The recap and the minimum left read each resident's share like a line matched to one resident.
        months = self.env["essms.resident.money"]._resident_months(self.company, self.paul, JAN, FEB)
        self.assertEqual([(item.income, item.contribution) for item in months], [(AAH, CONTRIBUTION)])
        with self.assertRaisesRegex(UserError, "already matched"):
            self._split(line, [(self.paul, AAH), (lucie, 800.0)])

@tagged("post_install", "-at_install")
class TestLevers(BillingCommon):
    """The dunning proposal offers the CAF request (R344-31) and the département request (L132-4).

    The invoices are dated the day the test runs: the proposals are made well after their due date."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.claire = cls._create_resident("Claire Net", entry=date(2025, 1, 1)).beneficiary_id
        for month in (JAN, FEB, MAR):
            cls._validated_statement(cls.establishment, month)
            run = cls._run(cls.establishment, month)
            run.action_compute()
            run.action_invoice()
        cls.invoices = cls.env["account.move"].search(
            [("partner_id", "=", cls.claire.partner_id.id), ("move_type", "=", "out_invoice")],
            order="essms_period_start",
        )
        cls.operator = new_test_user(cls.env, login="lever_operator", groups="essms_billing.group_essms_operator",
                                     company_id=cls.company.id, company_ids=cls.company.ids)
        cls.director = new_test_user(cls.env, login="lever_director", groups="essms_billing.group_essms_manager",
                                     company_id=cls.company.id, company_ids=cls.company.ids)

    def _propose(self, day):
        run = self.env["essms.dunning.run"].with_user(self.operator).create(
            {"date": day, "company_id": self.company.id}
        )
        run.action_propose()
        return run, self.env["essms.lever.request"].with_user(self.operator).search([("run_id", "=", run.id)])

    def test_three_unpaid_months_offer_both_requests_with_their_figures(self):
        self.assertEqual(len(self.invoices), 3)
        _run, requests = self._propose(AFTER_DUE)
        self.assertEqual(sorted(requests.mapped("kind")), ["caf", "departement"])
        caf = requests.filtered(lambda r: r.kind == "caf")
        self.assertEqual(caf.month_count, 3)
        self.assertEqual(caf.line_ids.mapped("month"), [JAN, FEB, MAR])
        self.assertAlmostEqual(caf.amount_unpaid, 3 * 723.32)
        self.assertAlmostEqual(caf.aah_monthly, 1033.32)
        departement = requests.filtered(lambda r: r.kind == "departement")
        self.assertEqual(departement.recipient_id, self.departement)
        self.assertEqual(set(requests.mapped("approval_state")), {"to_approve"})
        # Sent only once a finance director approved it; the operator cannot approve.
        with self.assertRaisesRegex(UserError, "finance director must approve"):
            departement.action_send()
        with self.assertRaises(AccessError):
            departement.action_approve()
        departement.with_user(self.director).action_approve()
        departement.action_send()
        self.assertEqual(departement.state, "sent")
        html = self.env["ir.actions.report"]._render_qweb_html("essms_billing.report_lever_request",
                                                               departement.ids)[0]
        self.assertIn(b"L132-4", html)
        # A new proposal does not ask twice.
        _run, again = self._propose(AFTER_DUE + timedelta(days=14))
        self.assertFalse(again)

    def test_two_unpaid_months_offer_the_caf_request_only(self):
        payment = self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=self.invoices[:1].ids
        ).create({"payment_date": date(2026, 2, 10)})
        payment._create_payments()
        _run, requests = self._propose(AFTER_DUE)
        self.assertEqual(requests.mapped("kind"), ["caf"])
        self.assertEqual(requests.line_ids.mapped("month"), [FEB, MAR])

    def test_settings_switch_a_lever_off(self):
        self.company.essms_lever_caf_months = 0
        _run, requests = self._propose(AFTER_DUE)
        self.assertEqual(requests.mapped("kind"), ["departement"])

    def test_statement_of_account_lists_open_invoices_credits_and_balance(self):
        payment = self.env["account.payment"].create({
            "partner_id": self.claire.partner_id.id, "amount": 100.0, "payment_type": "inbound",
            "partner_type": "customer", "journal_id": self.company_data["default_journal_bank"].id,
        })
        payment.action_post()
        sections = self.env["essms.account.statement"].with_user(self.operator)._sections(
            self.claire.partner_id, self.company)
        self.assertEqual(len(sections), 1)
        self.assertEqual(sections[0]["invoices"].move_id, self.invoices)
        self.assertEqual(len(sections[0]["credits"]), 1)
        self.assertAlmostEqual(sections[0]["balance"], 3 * 723.32 - 100.0)
        html = self.env["ir.actions.report"]._render_qweb_html("essms_billing.report_account_statement",
                                                               self.claire.partner_id.ids)[0]
        self.assertIn(self.invoices[0].name.encode(), html)

    def test_guardians_get_one_statement_a_month_for_the_people_they_protect(self):
        guardian = self.env["res.partner"].create(
            {"name": "ATMP 66", "essms_payer_kind": "guardian", "email": "atmp@example.com"}
        )
        self.claire.write({"legal_protection": "tutelle", "protector_id": guardian.id})
        statements = self.env["essms.account.statement"]
        with freeze_time("2027-01-05"):
            self.assertEqual(statements._send_to_guardians(self.company), guardian)
            self.assertEqual(guardian.essms_statement_month, date(2027, 1, 1))
            self.assertFalse(statements._send_to_guardians(self.company), "Never twice in a month.")
        with freeze_time("2027-02-02"):
            self.assertEqual(statements._send_to_guardians(self.company), guardian)
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", guardian.id)]
        )
        self.assertEqual(len(attachments), 2)
        self.assertTrue(attachments[0].raw.startswith(b"%PDF"))

    def test_a_level_that_says_so_adds_the_statement_to_its_letter(self):
        run = self.env["essms.dunning.run"].create({"date": AFTER_DUE, "company_id": self.company.id})
        run.action_propose()
        letter = run.letter_ids.filtered(lambda letter: letter.partner_id == self.claire.partner_id)
        self.assertTrue(letter)
        letter._render_document()
        plain = len(PdfFileReader(io.BytesIO(letter.attachment_id.raw)).pages)
        letter.level_id.attach_statement = True
        letter._render_document()
        self.assertGreater(len(PdfFileReader(io.BytesIO(letter.attachment_id.raw)).pages), plain)
