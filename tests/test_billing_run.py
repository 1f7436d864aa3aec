"""Billing runs: worked examples C, D, E through compute and invoicing, grouping, safety, query counts."""

import logging
import time
from datetime import date
from datetime import datetime
from unittest.mock import patch

import psycopg2

from odoo.exceptions import UserError
from odoo.tests import freeze_time
from odoo.tests import tagged
from odoo.tools import mute_logger

from .billing_common import CONTRIBUTION
from .billing_common import BillingCommon

_logger = logging.getLogger(__name__)

JULY = date(2025, 7, 1)


@tagged("post_install", "-at_install")
class TestBillingRun(BillingCommon):
    def _billed(self, establishment, month):
        self._validated_statement(establishment, month)
        run = self._run(establishment, month)
        run.action_compute()
        return run

    def _line(self, run, stay, role):
        return run.line_ids.filtered(lambda line: line.stay_id == stay and line.role == role)

    @freeze_time("2025-08-05")
    def test_invoice_lines_carry_the_establishment_analytic_account(self):
        plan = self.env["account.analytic.plan"].create({"name": "Établissements"})
        analytic = self.env["account.analytic.account"].create(
            {"name": "Foyer de vie Les Oliviers", "plan_id": plan.id, "company_id": self.establishment.company_id.id}
        )
        self.establishment.analytic_account_id = analytic
        self._example_c(self._create_resident("Martin"))
        run = self._billed(self.establishment, JULY)
        run.action_invoice()
        lines = run.move_ids.invoice_line_ids
        self.assertTrue(lines)
        for line in lines:
            self.assertEqual(line.analytic_distribution, {str(analytic.id): 100})

    @freeze_time("2025-08-05")
    def test_example_c_full_run_to_the_cent(self):
        stay = self._create_resident("Martin")
        self._example_c(stay)
        run = self._billed(self.establishment, JULY)
        payer, resident = self._line(run, stay, "payer"), self._line(run, stay, "resident")
        self.assertRecordValues(
            payer,
            [{"payer_id": self.departement.id, "gross_amount": 5420.0, "contribution_amount": CONTRIBUTION,
              "amount": 4696.68, "days_billed": 31, "days_reduced": 8, "unit_price": 180.0}],
        )
        self.assertIn("8 days × %s = %s" % (self._money(160), self._money(1280)), payer.explanation)
        self.assertEqual(resident.payer_id, stay.beneficiary_id.partner_id)
        self.assertEqual(resident.amount, CONTRIBUTION)

        run.action_invoice()
        self.assertEqual(run.state, "invoiced")
        departement_move = run.move_ids.filtered(lambda m: m.partner_id == self.departement)
        resident_move = run.move_ids - departement_move
        self.assertRecordValues(
            departement_move,
            [{"state": "posted", "amount_total": 4696.68, "amount_tax": 0.0,
              "journal_id": self.establishment.journal_id.id, "buyer_reference": "SERV-FDV",
              "purchase_order_reference": "ENG-FDV", "essms_beneficiary_id": stay.beneficiary_id.id,
              "essms_period_start": JULY, "essms_period_end": date(2025, 7, 31),
              "invoice_date": date(2025, 8, 5), "invoice_date_due": date(2025, 9, 4)}],
        )
        self.assertRecordValues(resident_move, [{"state": "posted", "amount_total": 723.32, "amount_tax": 0.0}])
        self.assertIn("261-7-1°-b", str(departement_move.narration))
        # Days x daily price, the reduced days on their own line, the contribution as a negative line (§13).
        self.assertEqual(
            [(line.quantity, line.price_unit, line.price_subtotal) for line in departement_move.invoice_line_ids],
            [(23.0, 180.0, 4140.0), (8.0, 160.0, 1280.0), (1.0, -CONTRIBUTION, -CONTRIBUTION)],
        )
        accommodation = self.env.ref("essms_billing.product_daily_price_accommodation")
        contribution = self.env.ref("essms_billing.product_resident_contribution")
        self.assertEqual(departement_move.invoice_line_ids.product_id.ids, [accommodation.id, contribution.id])
        self.assertEqual(departement_move.invoice_line_ids.essms_detail_id, payer.detail_ids)
        self.assertEqual(
            [(line.quantity, line.price_unit) for line in resident_move.invoice_line_ids], [(1.0, CONTRIBUTION)]
        )
        self.assertEqual(payer.move_id, departement_move)

    @freeze_time("2025-08-05")
    def test_invoices_bear_the_run_invoicing_date(self):
        """The run's *Date de facturation*: today by default, changed before invoicing, on every invoice."""
        stay = self._create_resident("Martin")
        run = self._billed(self.establishment, JULY)
        self.assertEqual(run.invoice_date, date(2025, 8, 5), "today by default")
        run.invoice_date = date(2025, 8, 3)
        run.action_invoice()
        self.assertEqual(run.state, "invoiced")
        self.assertEqual(set(run.move_ids.mapped("invoice_date")), {date(2025, 8, 3)})
        departement_move = run.move_ids.filtered(lambda move: move.partner_id == self.departement)
        self.assertEqual(departement_move.essms_beneficiary_id, stay.beneficiary_id)
        self.assertEqual(departement_move.invoice_date_due, date(2025, 9, 2), "30 days after the invoicing date")

    def test_example_d_quota_policy(self):
        quota = self.policy.copy({"name": "Quota 105", "threshold_scope": "once_a_year", "quota_days": 105})
        establishment = self._create_establishment("FQ", "Foyer quota", policy=quota)
        stay = self._create_resident("Durand", establishment=establishment)
        self._absence(stay, "personal", datetime(2025, 3, 3, 0), datetime(2025, 3, 14, 23))
        run = self._billed(establishment, date(2025, 3, 1))
        payer = self._line(run, stay, "payer")
        self.assertIn(
            "3 days × %s = %s (first 72 h of absence, full price)" % (self._money(180), self._money(540)),
            payer.explanation,
        )
        self.assertIn("9 days × %s = %s" % (self._money(160), self._money(1440)), payer.explanation)
        self.assertEqual(payer.gross_amount, 5400.0)
        self.assertEqual(payer.amount, 5400.0 - CONTRIBUTION)
        self.assertEqual(
            [(detail.kind, detail.quantity, detail.unit_price, detail.amount) for detail in payer.detail_ids],
            [("full", 22.0, 180.0, 3960.0), ("reduced", 9.0, 160.0, 1440.0),
             ("contribution", 1.0, -CONTRIBUTION, -CONTRIBUTION)],
        )

    @freeze_time("2025-05-05")
    def test_example_e_pending_months_accrue_and_are_not_invoiced(self):
        stay = self._create_resident("Petit", entry=date(2025, 3, 10), decision="filed", date_filed=date(2025, 4, 2))
        march = self._billed(self.establishment, date(2025, 3, 1))
        payer = self._line(march, stay, "payer")
        self.assertRecordValues(
            payer, [{"gross_amount": 3960.0, "amount": 0.0, "to_bill_on_decision": 3446.68,
                     "to_bill_on_decision_total": 3446.68, "pending_decision": True}]
        )
        self.assertEqual(self._line(march, stay, "resident").amount, 513.32)
        march.action_invoice()
        self.assertEqual(march.move_ids.partner_id, stay.beneficiary_id.partner_id)
        self.assertEqual(march.move_ids.amount_total, 513.32)
        self.assertIn("Provision pending the funding decision", march.move_ids.invoice_line_ids.name)
        self.assertEqual(
            [(line.quantity, line.price_unit) for line in march.move_ids.invoice_line_ids], [(1.0, 513.32)]
        )
        # The accrued share keeps its detail: 22 days x 180.00 less the contribution, to recall on decision.
        self.assertEqual(
            [(detail.kind, detail.quantity, detail.amount) for detail in payer.detail_ids],
            [("full", 22.0, 3960.0), ("contribution", 1.0, -513.32)],
        )

        april = self._billed(self.establishment, date(2025, 4, 1))
        self.assertEqual(self._line(april, stay, "payer").to_bill_on_decision, 4676.68)
        self.assertEqual(self._line(april, stay, "payer").to_bill_on_decision_total, 8123.36)

    def test_run_blocked_by_an_unvalidated_statement(self):
        self._create_resident("Martin")
        self.env["essms.activity.statement"].create({"establishment_id": self.establishment.id, "period_start": JULY})
        with self.assertRaisesRegex(UserError, "not validated for Foyer de vie Les Oliviers"):
            self._run(self.establishment, JULY).action_compute()

    def test_recompute_replaces_the_lines_and_a_second_run_is_refused(self):
        stay = self._create_resident("Martin")
        run = self._billed(self.establishment, JULY)
        first = run.line_ids
        # A hospital stay reported before invoicing: the statement is reopened, corrected and validated again.
        statement = self.env["essms.activity.statement"].search(
            [("establishment_id", "=", self.establishment.id), ("period_start", "=", JULY)]
        )
        statement._reopen("Hospital stay reported late")
        self._absence(stay, "hospital", datetime(2025, 7, 10, 9), datetime(2025, 7, 20, 18))
        statement.action_refresh()
        statement.action_submit()
        statement.action_validate()
        run.action_compute()
        self.assertFalse(first.exists())
        self.assertEqual(len(run.line_ids), 2)
        self.assertEqual(self._line(run, stay, "payer").gross_amount, 5420.0)
        with self.assertRaisesRegex(UserError, "already bills Foyer de vie Les Oliviers"):
            self._run(self.establishment, JULY).action_compute()

    def test_amount_changed_vs_last_month(self):
        stay = self._create_resident("Martin")
        self._billed(self.establishment, date(2025, 6, 1))
        self._example_c(stay)
        july = self._billed(self.establishment, JULY)
        payer = self._line(july, stay, "payer")
        self.assertEqual(payer.previous_amount, 5400.0 - CONTRIBUTION)
        self.assertTrue(payer.amount_changed)
        self.assertFalse(self._line(july, stay, "resident").amount_changed)

    def test_never_billed_twice_by_the_database(self):
        stay = self._create_resident("Martin")
        run = self._billed(self.establishment, JULY)
        run.action_invoice()
        move = run.move_ids.filtered(lambda m: m.partner_id == self.departement)
        with self.assertRaises(psycopg2.IntegrityError), mute_logger("odoo.sql_db"):
            move.copy({
                "essms_run_id": run.id, "essms_run_kind": "regular", "essms_establishment_id": self.establishment.id,
                "essms_beneficiary_id": stay.beneficiary_id.id, "essms_period_start": JULY,
            })
            self.env.flush_all()

    def test_failure_while_invoicing_leaves_no_invoice(self):
        self._create_resident("Martin")
        self._create_resident("Dupont")
        run = self._billed(self.establishment, JULY)
        with patch.object(type(self.env["account.move"]), "action_post", side_effect=UserError("Lock date")):
            run.action_invoice()
        self.assertFalse(self.env["account.move"].search([("essms_run_id", "=", run.id)]))
        self.assertFalse(run.line_ids.move_id)
        self.assertEqual(run.state, "computed")
        self.assertIn("Lock date", run.message_ids[0].body)

    def test_invoice_grouping_per_payer_or_per_beneficiary(self):
        grouped = self._create_establishment("GRP", "Foyer groupé", grouping="payer")
        stays = self._create_resident("A", establishment=grouped) | self._create_resident("B", establishment=grouped)
        run = self._billed(grouped, JULY)
        run.action_invoice()
        departement_move = run.move_ids.filtered(lambda m: m.partner_id == self.departement)
        self.assertEqual(len(departement_move), 1)
        self.assertFalse(departement_move.essms_beneficiary_id)
        self.assertAlmostEqual(departement_move.amount_total, 2 * (5580.0 - CONTRIBUTION))
        self.assertEqual(len(run.move_ids - departement_move), 2)  # one per resident

        per_beneficiary = self._create_resident("C") | self._create_resident("D")
        run = self._billed(self.establishment, JULY)
        run.action_invoice()
        self.assertEqual(
            run.move_ids.filtered(lambda m: m.partner_id == self.departement).essms_beneficiary_id,
            per_beneficiary.beneficiary_id,
        )
        self.assertTrue(stays)

    def test_resident_invoice_sent_to_the_guardian_under_tutelle(self):
        guardian = self.env["res.partner"].create({"name": "UDAF 66", "street": "1 rue du Mandataire"})
        stay = self._create_resident("Protected", legal_protection="tutelle", protector_id=guardian.id)
        run = self._billed(self.establishment, JULY)
        run.action_invoice()
        resident_move = run.move_ids.filtered(lambda m: m.partner_id == stay.beneficiary_id.partner_id)
        departement_move = run.move_ids - resident_move
        self.assertEqual(resident_move.essms_address_partner_id, guardian)
        self.assertEqual(departement_move.essms_address_partner_id, self.departement)

    def test_compute_queries_do_not_grow_with_beneficiaries(self):
        counts = []
        # The first compute warms the registry caches (xml ids, translations): it is not measured.
        for size, code in ((2, "QW"), (5, "QA"), (10, "QB")):
            establishment = self._create_establishment(code, "Foyer %s" % code)
            for index in range(size):
                stay = self._create_resident("R%s" % index, establishment=establishment)
                self._absence(stay, "hospital", datetime(2025, 7, 10, 9), datetime(2025, 7, 20, 18))
            self._validated_statement(establishment, JULY)
            run = self._run(establishment, JULY)
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            run.action_compute()
            self.env.flush_all()
            counts.append(self.cr.sql_log_count - before)
            self.assertEqual(len(run.line_ids), 2 * size)
        _logger.info("Queries of a compute: %s for 5 beneficiaries, %s for 10", *counts[1:])
        self.assertEqual(counts[1], counts[2])

    def test_200_beneficiaries_timing(self):
        establishment = self._create_establishment("BIG", "Foyer 200", capacity=250)
        for index in range(200):
            self._create_resident("R%03d" % index, establishment=establishment)
        self._validated_statement(establishment, JULY)
        run = self._run(establishment, JULY)
        start = time.perf_counter()
        run.action_compute()
        self.env.flush_all()
        computed = time.perf_counter()
        run._invoice_at_once()  # in the test's transaction, not by the job runners
        self.env.flush_all()
        invoiced = time.perf_counter()
        _logger.info(
            "200 beneficiaries: compute %.2f s, invoice %.2f s (%s invoices)",
            computed - start, invoiced - computed, len(run.move_ids),
        )
        self.assertEqual(len(run.move_ids), 400)
        self.assertEqual(run.state, "invoiced")
        self.assertTrue(all(move.state == "posted" for move in run.move_ids))
