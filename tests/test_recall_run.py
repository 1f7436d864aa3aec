"""Recalls and regularisations (flow 3): pending files decided late, retroactive tariffs, corrected
absences. Only differences are billed, by new invoices and credit notes; posted invoices never change."""

import ast
import logging
from datetime import date

import psycopg2

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import freeze_time
from odoo.tests import tagged
from odoo.tools import format_date
from odoo.tools import mute_logger

from .billing_common import CONTRIBUTION
from .billing_common import BillingCommon

_logger = logging.getLogger(__name__)

MARCH, APRIL, MAY, JUNE, JULY = (date(2025, month, 1) for month in (3, 4, 5, 6, 7))


@tagged("post_install", "-at_install")
class TestRecallRun(BillingCommon):
    @classmethod
    def _invoiced(cls, establishment, month, today):
        with freeze_time(today):
            cls._validated_statement(establishment, month)
            run = cls._run(establishment, month)
            run.action_compute()
            run.action_invoice()
        return run

    def _correction(self, kind, establishments, first, last, beneficiaries=None):
        return self.env["essms.billing.run"].create(
            {
                "kind": kind,
                "period_start": first,
                "period_end": last,
                "establishment_ids": [Command.set(establishments.ids)],
                "beneficiary_ids": [Command.set(beneficiaries.ids)] if beneficiaries else [],
            }
        )

    def _snapshot(self, moves):
        """What a reader of the posted invoices sees: it must never change after they are posted."""
        return [
            (move.name, move.state, move.amount_total, move.move_type,
             [(line.name, line.price_unit, line.price_subtotal) for line in move.invoice_line_ids])
            for move in moves.sorted("id")
        ]

    def _example_e(self, date_filed=date(2025, 4, 2)):
        """Entry 2025-03-10, request filed; March to June billed while the decision is pending."""
        stay = self._create_resident("Petit", entry=date(2025, 3, 10), decision="to_file")
        decision = stay.beneficiary_id.decision_ids
        for month, today in ((MARCH, "2025-04-05"), (APRIL, "2025-05-05"), (MAY, "2025-06-05"), (JUNE, "2025-07-05")):
            if date_filed.isoformat() < today and decision.state == "to_file":
                decision.write({"state": "filed", "date_filed": date_filed})
            self._invoiced(self.establishment, month, today)
        return stay, decision

    def _decide(self, decision, state, **vals):
        decision.write({"state": state, "date_decision": date(2025, 7, 15), **vals})
        action = decision.action_create_recall_run()
        return self.env["essms.billing.run"].browse(action["res_id"])

    def _late_example_c(self, stay):
        """Example C's absences reported after July was invoiced: the statement is reopened, corrected and
        validated again (billing-rules §13), then a regularisation bills the difference."""
        statement = self.env["essms.activity.statement"].search(
            [("establishment_id", "=", stay.establishment_id.id), ("period_start", "=", JULY)]
        )
        statement._reopen("Hospital stay reported late by the establishment")
        self._example_c(stay)
        statement.action_refresh()
        statement.action_submit()
        statement.action_validate()

    def _moves_to(self, run, partner):
        return run.move_ids.filtered(lambda move: move.partner_id == partner)

    @freeze_time("2025-07-20")
    def test_example_e_recall_to_the_cent(self):
        stay, decision = self._example_e()
        resident = stay.beneficiary_id.partner_id
        pending = self.env["essms.billing.line"].search(
            [("decision_id", "=", decision.id), ("pending_decision", "=", True)]
        )
        self.assertEqual(max(pending.mapped("to_bill_on_decision_total")), 17656.72)
        billed_before = self.env["account.move"].search([("essms_beneficiary_id", "=", stay.beneficiary_id.id)])
        before = self._snapshot(billed_before)

        run = self._decide(decision, "granted")
        self.assertRecordValues(
            run, [{"kind": "recall", "period_start": MARCH, "period_end": date(2025, 6, 30), "decision_id": decision.id,
                   "establishment_ids": self.establishment.ids, "beneficiary_ids": stay.beneficiary_id.ids}]
        )
        run.action_compute()
        payer_lines = run.line_ids.filtered(lambda line: line.role == "payer").sorted("period_start")
        self.assertEqual(payer_lines.mapped("amount"), [3446.68, 4676.68, 4856.68, 4676.68])
        self.assertFalse(run.line_ids.filtered(lambda line: line.role == "resident"))  # provision = contribution
        self.assertIn(
            "billed %s, due %s, difference +%s" % (self._money(0), self._money(3446.68), self._money(3446.68)),
            payer_lines[0].explanation,
        )
        self.assertIn("the funding decision was granted", payer_lines[0].explanation)

        run.action_invoice()
        departement = self._moves_to(run, self.departement)
        self.assertRecordValues(
            departement,
            [{"move_type": "out_invoice", "state": "posted", "amount_total": 17656.72,
              "invoice_date": date(2025, 7, 20), "essms_run_kind": "recall", "essms_period_start": MARCH,
              "essms_period_end": date(2025, 6, 30)}],
        )
        self.assertEqual(departement.invoice_line_ids.mapped("price_subtotal"),
                         [3960.0, -513.32, 5400.0, -CONTRIBUTION, 5580.0, -CONTRIBUTION, 5400.0, -CONTRIBUTION])
        self.assertFalse(self._moves_to(run, resident))
        self.assertEqual(self._snapshot(billed_before), before)
        # Once decided, the file leaves the list of shares to bill on decision.
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "essms_billing.essms_billing_line_action_to_bill_on_decision"
        )
        self.assertFalse(self.env["essms.billing.line"].search(ast.literal_eval(action["domain"])) & pending)

        # Recalled again, nothing is left to bill.
        again = self._decide(decision, "granted")
        again.action_compute()
        self.assertFalse(again.line_ids)

    @freeze_time("2025-07-20")
    def test_contribution_decided_adjusts_the_provision(self):
        stay, decision = self._example_e()
        run = self._decide(decision, "granted", contribution_monthly=700.0)
        run.action_compute()
        run.action_invoice()
        resident_move = self._moves_to(run, stay.beneficiary_id.partner_id)
        # March 700.00 * 22/31 = 496.77 instead of 513.32; April to June 700.00 instead of 723.32.
        self.assertRecordValues(resident_move, [{"move_type": "out_refund", "amount_total": 86.51}])
        self.assertAlmostEqual(self._moves_to(run, self.departement).amount_total, 17656.72 + 86.51)
        line = run.line_ids.filtered(lambda line: line.role == "resident" and line.period_start == MARCH)
        self.assertIn(
            "the provision of %s is adjusted to the contribution decided, %s"
            % (self._money(513.32), self._money(496.77)),
            line.explanation,
        )

    @freeze_time("2025-07-20")
    def test_filed_late_the_uncovered_months_fall_on_the_resident(self):
        stay, decision = self._example_e(date_filed=date(2025, 5, 20))
        self.assertEqual(decision.date_effect, JUNE)
        run = self._decide(decision, "granted")
        run.action_compute()
        run.action_invoice()
        # March and April were billed as a provision, May already in full by its regular run (filed late by then).
        self.assertAlmostEqual(self._moves_to(run, stay.beneficiary_id.partner_id).amount_total, 3446.68 + 4676.68)
        self.assertEqual(self._moves_to(run, self.departement).amount_total, 4676.68)
        resident_line = run.line_ids.filtered(lambda line: line.role == "resident" and line.period_start == MARCH)
        self.assertIn("now fall on the resident", resident_line.explanation)

    @freeze_time("2025-07-20")
    def test_refused_decision_bills_the_resident(self):
        stay, decision = self._example_e()
        run = self._decide(decision, "refused")
        run.action_compute()
        run.action_invoice()
        self.assertFalse(self._moves_to(run, self.departement))
        self.assertRecordValues(
            self._moves_to(run, stay.beneficiary_id.partner_id),
            [{"move_type": "out_invoice", "amount_total": 17656.72}],
        )

    def test_recall_needs_a_decision_and_invoiced_months(self):
        stay = self._create_resident("Petit", entry=date(2025, 3, 10), decision="filed", date_filed=date(2025, 4, 2))
        with self.assertRaisesRegex(UserError, "not decided yet"):
            stay.beneficiary_id.decision_ids.action_create_recall_run()
        run = self._correction("regularisation", self.establishment, MARCH, date(2025, 4, 30))
        with self.assertRaisesRegex(UserError, "03/2025, 04/2025 not invoiced by a regular billing run"):
            run.action_compute()

    def _retroactive_decree(self, amount):
        self.establishment.agreement_ids.tariff_ids.date_to = date(2024, 12, 31)
        self.env["essms.tariff"].create({
            "agreement_id": self.agreement.id, "accommodation": "full_board", "kind": "accommodation",
            "date_from": date(2025, 1, 1), "amount": amount, "decree_ref": "Arrêté 2025-07 (effet 01/01/2025)",
        })

    @freeze_time("2025-07-20")
    def test_retroactive_tariff_bills_each_month_the_difference_and_only_once(self):
        stays = self._create_resident("Martin") | self._create_resident("Dupont")
        regular = self.env["account.move"]
        for month, today in ((APRIL, "2025-05-05"), (MAY, "2025-06-05"), (JUNE, "2025-07-05")):
            regular |= self._invoiced(self.establishment, month, today).move_ids
        before = self._snapshot(regular)
        self._retroactive_decree(186.0)

        run = self._correction("regularisation", self.establishment, APRIL, date(2025, 6, 30))
        run.action_compute()
        self.assertEqual(len(run.line_ids), 6)  # 2 beneficiaries, 3 months, the département only
        self.assertEqual(run.line_ids.payer_id, self.departement)
        line = run.line_ids.filtered(lambda line: line.stay_id == stays[0] and line.period_start == APRIL)
        self.assertRecordValues(line, [{"billed_amount": 4676.68, "due_amount": 4856.68, "amount": 180.0}])
        self.assertIn(
            "%s to %s: billed %s, due %s, difference +%s, because:" % (
                format_date(self.env, APRIL), format_date(self.env, date(2025, 4, 30)), self._money(4676.68),
                self._money(4856.68), self._money(180.0),
            ),
            line.explanation,
        )
        self.assertIn(
            "the daily price changed from %s to %s" % (self._money(180.0), self._money(186.0)), line.explanation
        )
        run.action_invoice()
        self.assertEqual(len(run.move_ids), 6)  # one invoice per beneficiary, payer and month
        self.assertEqual(
            sorted((move.essms_beneficiary_id.name, move.essms_period_start, move.amount_total)
                   for move in run.move_ids),
            sorted((stay.beneficiary_id.name, month, 6.0 * days) for stay in stays
                   for month, days in ((APRIL, 30), (MAY, 31), (JUNE, 30))),
        )
        self.assertTrue(all(move.move_type == "out_invoice" and move.state == "posted" for move in run.move_ids))
        self.assertEqual(self._snapshot(regular), before)

        # The same regularisation run again: the differences are now zero, nothing is billed twice.
        again = self._correction("regularisation", self.establishment, APRIL, date(2025, 6, 30))
        again.action_compute()
        self.assertFalse(again.line_ids)
        again.action_invoice()
        self.assertFalse(again.move_ids)
        self.assertEqual(again.state, "invoiced")

        # A second decree lowering the price again: credit notes against what was billed, this time.
        self.env["essms.tariff"].search([("date_from", "=", date(2025, 1, 1))]).amount = 183.0
        third = self._correction("regularisation", self.establishment, APRIL, date(2025, 4, 30))
        third.action_compute()
        third.action_invoice()
        self.assertEqual(third.move_ids.mapped("move_type"), ["out_refund", "out_refund"])
        self.assertEqual(third.move_ids.mapped("amount_total"), [90.0, 90.0])
        self.assertEqual(self._snapshot(regular), before)

    @freeze_time("2025-08-20")
    def test_absence_corrected_after_invoicing_is_credited_against_the_invoice(self):
        stay = self._create_resident("Martin")
        july = self._invoiced(self.establishment, JULY, "2025-08-05")
        invoice = self._moves_to(july, self.departement)
        before = self._snapshot(july.move_ids)
        self._late_example_c(stay)  # hospital 10 to 20 July recorded late: 8 days at 160.00 instead of 180.00

        run = self._correction("regularisation", self.establishment, JULY, date(2025, 7, 31))
        run.action_compute()
        line = run.line_ids
        self.assertRecordValues(line, [{"role": "payer", "amount": -160.0, "days_reduced": 8.0,
                                        "origin_move_id": invoice.id}])
        self.assertIn(
            "absences or stay dates were corrected: 31 days billed, 8 at a reduced price, instead of 31 and 0",
            line.explanation,
        )
        run.action_invoice()
        self.assertRecordValues(
            run.move_ids,
            [{"move_type": "out_refund", "partner_id": self.departement.id, "amount_total": 160.0,
              "reversed_entry_id": invoice.id, "state": "posted", "essms_period_start": JULY}],
        )
        self.assertEqual(self._snapshot(july.move_ids), before)
        self.assertEqual(invoice.amount_residual, 4856.68 - 160.0)  # the credit note is matched with the invoice

    @freeze_time("2025-08-20")
    def test_a_regularisation_computed_before_another_was_invoiced_is_refused(self):
        stay = self._create_resident("Martin")
        self._invoiced(self.establishment, JULY, "2025-08-05")
        self._late_example_c(stay)
        first = self._correction("regularisation", self.establishment, JULY, date(2025, 7, 31))
        second = self._correction("regularisation", self.establishment, JULY, date(2025, 7, 31))
        (first | second).action_compute()
        first.action_invoice()
        with self.assertRaisesRegex(UserError, "compute it again"):
            second.action_invoice()
        second.action_compute()
        self.assertFalse(second.line_ids)

    @freeze_time("2025-08-20")
    def test_one_document_per_run_payer_beneficiary_and_month(self):
        stay = self._create_resident("Martin")
        self._invoiced(self.establishment, JULY, "2025-08-05")
        self._late_example_c(stay)
        run = self._correction("regularisation", self.establishment, JULY, date(2025, 7, 31))
        run.action_compute()
        run.action_invoice()
        with self.assertRaises(psycopg2.IntegrityError), mute_logger("odoo.sql_db"):
            run.move_ids.copy({
                "essms_run_id": run.id, "essms_run_kind": "regularisation", "essms_period_start": JULY,
                "essms_establishment_id": self.establishment.id, "essms_beneficiary_id": stay.beneficiary_id.id,
            })
            self.env.flush_all()

    def test_regularisation_queries_do_not_grow_with_beneficiaries(self):
        counts = []
        for size, code in ((2, "RW"), (5, "RA"), (10, "RB")):
            establishment = self._create_establishment(code, "Foyer %s" % code)
            for index in range(size):
                self._create_resident("R%s" % index, establishment=establishment)
            for month in (MAY, JUNE):
                self._invoiced(establishment, month, "2025-07-05")
            establishment.agreement_ids.tariff_ids.amount = 190.0
            run = self._correction("regularisation", establishment, MAY, date(2025, 6, 30))
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            run.action_compute()
            self.env.flush_all()
            counts.append(self.cr.sql_log_count - before)
            self.assertEqual(len(run.line_ids), 2 * size)
        _logger.info("Queries of a regularisation compute over 2 months: %s for 5 beneficiaries, %s for 10",
                     *counts[1:])
        self.assertEqual(counts[1], counts[2])

    @freeze_time("2025-07-20")
    def test_income_collected_recall_carries_the_contribution_to_pay_over(self):
        """Granted with income collected (billing-rules §2 mode 2): the recall invoices the département the gross
        and its lines carry the contribution collected as third-party money, month by month, as a regular run's
        would; without it the residents' money had nothing to pay over for the recalled months."""
        stay, decision = self._example_e()
        run = self._decide(decision, "granted", contribution_mode="income_collected")
        run.action_compute()
        payer_lines = run.line_ids.filtered(lambda line: line.role == "payer").sorted("period_start")
        self.assertEqual(payer_lines.mapped("amount"), [3960.0, 5400.0, 5580.0, 5400.0])
        self.assertEqual(payer_lines.mapped("third_party_amount"), [513.32, CONTRIBUTION, CONTRIBUTION, CONTRIBUTION])
        # The provisions billed to the resident while the file was pending are credited: the income pays them.
        resident_lines = run.line_ids.filtered(lambda line: line.role == "resident").sorted("period_start")
        self.assertEqual(resident_lines.mapped("amount"), [-513.32, -CONTRIBUTION, -CONTRIBUTION, -CONTRIBUTION])
        self.assertEqual(resident_lines.mapped("third_party_amount"), [0.0] * 4)
        run.action_invoice()
        contributions = self.env["essms.resident.money"]._contributions(
            self.company, stay.beneficiary_id, MARCH, JULY)
        self.assertEqual(contributions, {(stay.beneficiary_id.id, MARCH): 513.32, (stay.beneficiary_id.id, APRIL):
                                         CONTRIBUTION, (stay.beneficiary_id.id, MAY): CONTRIBUTION,
                                         (stay.beneficiary_id.id, JUNE): CONTRIBUTION})
        # Recalled again, nothing is left to bill, and the contributions are not counted twice.
        again = self._decide(decision, "granted")
        again.action_compute()
        self.assertFalse(again.line_ids)
