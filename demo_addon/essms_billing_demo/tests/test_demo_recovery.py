"""The demo's payments and recovery: months billed on their own days, paid but for a few claims, a dunning run
with letters for residents, a mandataire service and a département, a disputed claim held, and the CD66's draft
advice that previews, posts and reconciles the invoices and the bank statement line.

The generator runs into a company created by the test, as the demo data run it into the main company, on a day
fixed here (the demo uses the day it is installed): nothing here relies on the demo data being loaded.
"""

import io
from datetime import date
from datetime import timedelta

from odoo import Command
from odoo.addons.essms_billing.models.essms_receivable_ageing import AGEING_DATE_KEY
from odoo.tests import TransactionCase
from odoo.tests import tagged
from odoo.tools.pdf import OdooPdfFileReader

# A Monday: the month before last (January) was invoiced on 3 February, less than 30 days ago.
DATE_REF = date(2026, 3, 2)
NOVEMBER, DECEMBER, JANUARY = date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1)


@tagged("post_install", "-at_install")
class TestDemoRecovery(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        generator = cls.env["essms.demo.generator"]
        cls.company = cls.env["res.company"].create({"name": "Association de démonstration"})
        generator._setup_company(cls.company)
        generator.generate(60, seed=66, company=cls.company, date_ref=DATE_REF)
        cls.billing = generator._setup_billing_scenarios(cls.company, date_ref=DATE_REF)
        cls.recovery = generator._setup_recovery_scenarios(cls.company, date_ref=DATE_REF)
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=[cls.company.id]))
        cls.runs = cls.billing["earlier_runs"] | cls.billing["run"]
        cls.moves = cls.runs.move_ids.filtered(lambda move: move.move_type == "out_invoice")
        cls.payers = {
            payer.name: payer
            for payer in cls.moves.commercial_partner_id.filtered(lambda p: p.essms_payer_kind == "departement")
        }

    def _invoices(self, month, payer=None, kind=None):
        return self.moves.filtered(
            lambda move: move.essms_period_start == month
            and (not payer or move.commercial_partner_id == payer)
            and (not kind or move.commercial_partner_id.essms_payer_kind == kind)
        )

    def test_months_are_invoiced_on_their_own_day_and_due_as_their_payers_terms_say(self):
        invoiced_on = {NOVEMBER: date(2025, 12, 3), DECEMBER: date(2026, 1, 5), JANUARY: date(2026, 2, 3)}
        self.assertEqual(set(self.runs.mapped("period_start")), set(invoiced_on))
        for run in self.runs:
            moves = run.move_ids
            self.assertTrue(moves)
            self.assertEqual(set(moves.mapped("invoice_date")), {invoiced_on[run.period_start]}, run.name)
            self.assertEqual(set(moves.mapped("date")), {invoiced_on[run.period_start]})
            for move in moves:
                if move.commercial_partner_id.essms_payer_kind == "resident":
                    # No payment terms: due on the day of the invoice, as when the operator invoices today.
                    self.assertEqual(move.invoice_date_due, move.invoice_date, move.name)
                else:
                    self.assertEqual(move.invoice_date_due, move.invoice_date + timedelta(days=30), move.name)
        # The month before last keeps the decree that the regularisation corrects.
        self.assertEqual(set(self.billing["tariffs"].mapped("date_from")), {JANUARY})

    def test_most_claims_are_paid_through_the_advices_and_the_payment_batches(self):
        residents = self.moves.filtered(lambda move: move.commercial_partner_id.essms_payer_kind == "resident")
        left = {move for _person, plan in self.recovery["left_unpaid"].values() for move in plan}
        self.assertEqual(
            {move for move in residents if move.amount_residual}, left, "only the claims left on purpose are due"
        )
        self.assertGreater(len(residents), 100)
        advices = self.recovery["advices"]
        self.assertEqual(set(advices.mapped("state")), {"posted"})
        self.assertTrue(all(advices.statement_line_id.mapped("is_reconciled")), "each transfer is on the bank")
        cd66 = self.payers["Département des Pyrénées-Orientales"]
        cd34 = self.payers["Département de l'Hérault"]
        for month in (NOVEMBER, DECEMBER):
            self.assertFalse(sum(self._invoices(month, cd66).mapped("amount_residual")))
        unpaid_cd34 = self._invoices(NOVEMBER, cd34).filtered("amount_residual")
        self.assertEqual(len(unpaid_cd34), 1, "the Hérault paid November but for one invoice")
        self.assertEqual(self._invoices(DECEMBER, cd34).filtered("amount_residual"), self._invoices(DECEMBER, cd34))

    def test_dunning_run_of_the_day_reminds_residents_a_guardian_service_and_a_departement(self):
        run = self.env["essms.dunning.run"].create({"company_id": self.company.id, "date": DATE_REF})
        run.action_propose()
        letters = run.letter_ids.filtered(lambda letter: letter.state == "draft")
        left = self.recovery["left_unpaid"]
        by_addressee = {letter.partner_id: letter for letter in letters}
        self.assertEqual(len(by_addressee), len(letters), "one letter per addressee")

        # The two people under the tutelle of one mandataire service: one letter, to the service, naming both.
        person_1, person_2 = left["tutelle_1"][0], left["tutelle_2"][0]
        service = person_1.protector_id
        self.assertEqual(person_2.protector_id, service)
        self.assertEqual(service.essms_payer_kind, "guardian")
        guardian_letter = by_addressee[service]
        self.assertEqual(guardian_letter.represented_ids, person_1 | person_2)
        self.assertEqual(guardian_letter.debtor_ids, person_1.partner_id | person_2.partner_id)
        self.assertEqual(guardian_letter.line_ids.move_id, self._plan_moves("tutelle_1", "tutelle_2"))
        self.assertFalse(by_addressee.get(person_1.partner_id) or by_addressee.get(person_2.partner_id))

        # Under curatelle the person gets the letter, the curator a copy.
        curatelle = left["curatelle"][0]
        self.assertEqual(by_addressee[curatelle.partner_id].copy_partner_id, curatelle.protector_id)

        # Residents without protection, each at the first level: a reminder.
        partial, unpaid = left["partial"][0], left["unpaid"][0]
        for person in (partial, unpaid, curatelle):
            letter = by_addressee[person.partner_id]
            self.assertEqual(letter.letter_kind, "reminder")
            self.assertFalse(letter.registered_letter)
        partial_line = by_addressee[partial.partner_id].line_ids.filtered(lambda line: line.period_start == DECEMBER)
        self.assertLess(partial_line.amount_due, partial_line.amount_total, "the cheque paid part of December")
        self.assertGreater(partial_line.amount_due, 0)

        # The Hérault: an administrative reminder with the statement of its unpaid invoices, never a formal notice.
        cd34 = self.payers["Département de l'Hérault"]
        departement_letter = by_addressee[cd34]
        self.assertEqual(departement_letter.letter_kind, "administrative_reminder")
        self.assertIn(self._invoices(NOVEMBER, cd34).filtered("amount_residual"), departement_letter.line_ids.move_id)
        self.assertTrue(all(departement_letter.line_ids.mapped("beneficiary_id")))
        public = letters.filtered(lambda letter: letter.partner_id.essms_payer_kind == "departement")
        self.assertEqual(public, departement_letter, "the other départements paid what is overdue")
        self.assertNotIn("formal_notice", letters.mapped("letter_kind"))

        # The disputed claim is held: no letter for it.
        hold = self.recovery["hold"]
        disputed = next(iter(left["dispute"][1]))
        self.assertRecordValues(hold, [{"reason": "dispute", "move_id": disputed.id}])
        self.assertTrue(hold.date_review > DATE_REF and hold.note)
        self.assertNotIn(hold.move_id, run.letter_ids.line_ids.move_id)
        self.assertNotIn(left["dispute"][0].partner_id, letters.partner_id)

        # Nobody else: everyone else paid.
        self.assertEqual(
            set(letters.partner_id),
            {service, curatelle.partner_id, partial.partner_id, unpaid.partner_id, cd34},
        )

        # Sent: every letter printed, the curatelle one with the curator's copy (two pages, each its own envelope).
        run.action_send()
        run._send_queued()  # the sending job
        self.assertEqual(set(run.letter_ids.mapped("state")), {"sent"}, run.letter_ids.mapped("error_message"))
        copy = by_addressee[curatelle.partner_id].attachment_id
        self.assertEqual(len(OdooPdfFileReader(io.BytesIO(copy.raw), strict=False).pages), 2)
        self.assertTrue(run.batch_attachment_id.raw.startswith(b"%PDF"))

    def _plan_moves(self, *roles):
        moves = self.env["account.move"]
        for role in roles:
            moves |= self.env["account.move"].concat(*self.recovery["left_unpaid"][role][1])
        return moves

    def test_cd66_advice_previews_posts_and_reconciles_the_invoices_and_the_bank_line(self):
        advice = self.recovery["draft_advice"]
        cd66 = self.payers["Département des Pyrénées-Orientales"]
        january = self._invoices(JANUARY, cd66).sorted("name")
        self.assertEqual(len(january), 3, "one invoice per establishment")
        self.assertRecordValues(advice, [{"state": "checked", "partner_id": cd66.id, "encoding": "cp1252",
                                          "blocking_count": 0, "unknown_count": 1}])
        statuses = [(line.status, line.move_id) for line in advice.line_ids.sorted("row")]
        paid_before = (self._invoices(NOVEMBER, cd66) | self._invoices(DECEMBER, cd66)).sorted("name")[0]
        self.assertEqual(
            statuses,
            [("matched", january[0]), ("matched", january[1]), ("partial", january[2]),
             ("already_paid", paid_before), ("unknown", self.env["account.move"])],
        )
        unknown = advice.line_ids.filtered(lambda line: line.status == "unknown")
        self.assertIn("MAS/", unknown.invoice_ref)
        self.assertEqual(advice.amount_suspense, 3412.56)
        self.assertAlmostEqual(advice.amount_excess, paid_before.amount_total, places=2)
        partial = advice.line_ids.filtered(lambda line: line.status == "partial")
        left_out = round(january[2].amount_residual - partial.amount, 2)
        self.assertGreater(left_out, 0)
        statement_line = advice.statement_line_id
        self.assertTrue(statement_line, "the transfer is on the bank statement")
        self.assertRecordValues(statement_line, [{"amount": advice.amount_total, "partner_id": cd66.id,
                                                  "date": advice.date, "is_reconciled": False}])
        self.assertEqual(len(advice.line_ids), 5, "the total line is not a payment")
        self.assertTrue(advice.import_notes)

        advice.action_post()
        self.assertEqual(advice.state, "posted")
        self.assertEqual(january[:2].mapped("amount_residual"), [0.0, 0.0])
        self.assertAlmostEqual(january[2].amount_residual, left_out, places=2)
        self.assertTrue(statement_line.is_reconciled)
        self.assertEqual(advice.payment_id.amount, advice.amount_total)

    def test_both_controls_show_no_difference_on_the_demo(self):
        """Issue 6: on clean demo data the activity vs billing control and the billing vs accounting control find
        nothing, although the months are paid through advices and batches (with their bank lines) and regularised."""
        rows = self.env["essms.activity.billing.control"].search(
            [("company_id", "=", self.company.id), ("period_start", "in", [NOVEMBER, DECEMBER, JANUARY])]
        )
        self.assertEqual(set(rows.mapped("period_start")), {NOVEMBER, DECEMBER, JANUARY})
        self.assertFalse(
            rows.filtered("has_difference"),
            [(row.period_start, row.beneficiary_id.name, row.difference_days) for row in rows if row.has_difference],
        )
        self.assertEqual(sum(rows.mapped("difference_days")), 0)
        wizard = self.env["essms.accounting.reciprocity"].create({
            "date_from": date(2025, 12, 1),
            "date_to": DATE_REF - timedelta(days=1),
            "establishment_ids": [Command.set(self.runs.establishment_ids.ids)],
        })
        wizard.action_compute()
        lines = wizard.journal_line_ids | wizard.payer_line_ids
        self.assertTrue(wizard.journal_line_ids.filtered("expected_amount"), "the run invoices are compared")
        self.assertEqual(
            wizard.difference_count, 0,
            [(line.display_name, line.expected_amount, line.ledger_amount) for line in lines if line.has_difference],
        )

    def test_ledger_agrees_after_reclassification_impairment_and_writeoffs(self):
        """Issue 16: on the demo, the doubtful reclassification, the year-end impairment and the write-offs (the
        demo's posted one and its approved proposal posted here) leave the due-date tracking equal to the
        receivable ledger, and the billing-vs-accounting control shows no difference for the reclassified payer."""
        # The demo's finance director (the administrator) approves and posts in this company too.
        self.env.ref("base.user_admin").company_ids = [Command.link(self.company.id)]
        as_of = date.today()
        writeoffs = self.env["essms.demo.generator"]._setup_closing_scenarios(self.company, date_ref=DATE_REF)
        decided, approved, _waiting = writeoffs
        self.assertEqual((decided.state, approved.state), ("posted", "approved"))
        day = DATE_REF - timedelta(days=1)
        batch = self.env["essms.doubtful.batch"].create({"kind": "to_doubtful", "date": day})
        batch.action_propose()
        self.assertTrue(batch.line_ids, "the disputed claim is reclassified")
        batch.action_post()
        impairment = self.env["essms.impairment"].create({"date": day})
        impairment.action_compute()
        self.assertTrue(impairment.amount_total)
        impairment.action_submit()
        impairment.action_post()
        approved.write({"board_reference": "CA test", "date_decision": day})
        approved.action_post()
        self.assertEqual(approved.state, "posted")
        self.assertLessEqual(max(decided.date, approved.date), as_of)
        ageing = self.env["essms.receivable.ageing"].with_context(**{AGEING_DATE_KEY: as_of}).search(
            [("company_id", "=", self.company.id)])
        ledger = self.env["account.move.line"].search([
            ("company_id", "=", self.company.id), ("account_id.account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"), ("date", "<=", as_of)])
        self.assertAlmostEqual(sum(ageing.mapped("amount_residual")), sum(ledger.mapped("balance")), places=2)
        # The billing-vs-accounting control agrees too: the claim reclassified to 416 is not a manual entry.
        reclassified = batch.line_ids.move_id.commercial_partner_id
        control = self.env["essms.accounting.reciprocity"].create(
            {"company_id": self.company.id, "date_from": as_of.replace(day=1), "date_to": as_of})
        control.action_compute()
        rows = control.payer_line_ids.filtered(lambda row: row.partner_id in reclassified)
        self.assertEqual(len(rows), len(reclassified))
        self.assertFalse(rows.filtered("has_difference"), [(row.partner_id.name, row.difference) for row in rows])
