"""The stored detailed result (billing-rules §13): every document reads the same rows, each amount a quantity times
a unit price; a run invoice is corrected by a regularisation run, never by a credit note made by hand."""

from contextlib import contextmanager
from datetime import date
from datetime import datetime

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import freeze_time
from odoo.tests import new_test_user
from odoo.tests import tagged
from odoo.tools.misc import format_date

from .billing_common import CONTRIBUTION
from .billing_common import BillingCommon

JUNE = date(2025, 6, 1)
JULY = date(2025, 7, 1)


@tagged("post_install", "-at_install")
class TestBillingDetail(BillingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator = new_test_user(
            cls.env, "detail_operator", groups="essms_billing.group_essms_operator", company_id=cls.company.id
        )

    def _billed(self, establishment, month, invoice=True):
        self._validated_statement(establishment, month)
        run = self._run(establishment, month)
        run.action_compute()
        if invoice:
            run.action_invoice()
        return run

    def _lines(self, move):
        return [(line.quantity, line.price_unit, line.price_subtotal) for line in move.invoice_line_ids]

    def _assert_checkable(self, moves):
        """Every invoice line is its quantity x unit price and the lines make the total; the rows are stored."""
        for move in moves:
            for line in move.invoice_line_ids:
                self.assertAlmostEqual(line.quantity * line.price_unit, line.price_subtotal, places=2)
                self.assertTrue(line.essms_detail_id, "%s is read from a stored detail row" % line.name)
            self.assertAlmostEqual(sum(move.invoice_line_ids.mapped("price_subtotal")), move.amount_total, places=2)
            self.assertAlmostEqual(sum(move.essms_line_ids.mapped("amount")) * (-1 if move.move_type == "out_refund"
                                   else 1), move.amount_total, places=2)

    @freeze_time("2025-08-05")
    def test_advance_billing_regularises_last_month_on_lines_of_its_own(self):
        """The FAM case: July billed in advance as if present, June's hospital stay regularised on its own lines
        naming June, instead of "31 d x 180.00 → gross 5,420.00" (issue 11)."""
        fam = self._create_establishment("FAM", "FAM Les Cerisiers")
        fam.agreement_ids.billing_term = "advance"
        stay = self._create_resident("Garcia", establishment=fam)
        self._absence(stay, "hospital", datetime(2025, 6, 10, 9), datetime(2025, 6, 20, 18))
        june = self._billed(fam, JUNE)
        june_move = june.move_ids.filtered(lambda move: move.partner_id == self.departement)
        self.assertEqual(self._lines(june_move), [(30.0, 180.0, 5400.0), (1.0, -CONTRIBUTION, -CONTRIBUTION)])

        july = self._billed(fam, JULY)
        move = july.move_ids.filtered(lambda move: move.partner_id == self.departement)
        self.assertEqual(
            self._lines(move),
            [(31.0, 180.0, 5580.0), (1.0, -CONTRIBUTION, -CONTRIBUTION), (-8.0, 180.0, -1440.0), (8.0, 160.0, 1280.0)],
        )
        self.assertAlmostEqual(move.amount_total, 4696.68 + 0.0 + 5580.0 - 5420.0 - 160.0, places=2)
        regularisation = move.invoice_line_ids[2:]
        june_label = "%s to %s" % (format_date(self.env, JUNE), format_date(self.env, date(2025, 6, 30)))
        for line in regularisation:
            self.assertIn("Regularisation of %s" % june_label, line.name)
            self.assertEqual(line.essms_detail_id.kind, "regularisation")
            self.assertEqual((line.essms_detail_id.date_from, line.essms_detail_id.date_to), (JUNE, date(2025, 6, 30)))
        self._assert_checkable(june.move_ids | july.move_ids)

        # The nominative statement prints the regularisation on a row of its own under the beneficiary.
        row = move._essms_statement_rows()[move.id][0]
        self.assertEqual((row["days_full"], row["days_reduced"], row["gross"], row["contribution"]),
                         (31.0, 0.0, 5580.0, CONTRIBUTION))
        self.assertEqual(row["regularisations"], regularisation.essms_detail_id)
        totals = move._essms_statement_totals([row])
        self.assertAlmostEqual(totals["net"], move.amount_total, places=2)
        self.assertAlmostEqual(totals["gross"] - totals["contribution"], move.amount_total, places=2)
        # The activity control counts June's regularised days in June: no day billed twice, none missing.
        control = self.env["essms.activity.billing.control"].search(
            [("beneficiary_id", "=", stay.beneficiary_id.id)]
        )
        self.assertRecordValues(
            control.sorted("period_start"),
            [{"period_start": JUNE, "activity_days": 30, "invoiced_days": 30, "has_difference": False,
              "invoiced_amount": 5400.0 - 160.0},
             {"period_start": JULY, "activity_days": 31, "invoiced_days": 31, "has_difference": False,
              "invoiced_amount": 5580.0}],
        )

    @freeze_time("2025-08-05")
    def test_grouped_invoice_lists_each_beneficiary_rows(self):
        grouped = self._create_establishment("GRP", "Foyer groupé", grouping="payer")
        first = self._create_resident("Alpha", establishment=grouped)
        self._create_resident("Beta", establishment=grouped)
        self._absence(first, "hospital", datetime(2025, 7, 10, 9), datetime(2025, 7, 20, 18))
        run = self._billed(grouped, JULY)
        move = run.move_ids.filtered(lambda move: move.partner_id == self.departement)
        self.assertEqual(
            self._lines(move),
            [(23.0, 180.0, 4140.0), (8.0, 160.0, 1280.0), (1.0, -CONTRIBUTION, -CONTRIBUTION),
             (31.0, 180.0, 5580.0), (1.0, -CONTRIBUTION, -CONTRIBUTION)],
        )
        self.assertIn("Alpha (file F-GRP-Alpha)", move.invoice_line_ids[0].name)
        self.assertIn("Beta (file F-GRP-Beta)", move.invoice_line_ids[3].name)
        self._assert_checkable(run.move_ids)

    @freeze_time("2025-08-05")
    def test_run_invoice_cannot_be_reversed_by_hand_and_a_regularisation_credits_once(self):
        stay = self._create_resident("Martin")
        self._example_c(stay)
        run = self._billed(self.establishment, JULY)
        move = run.move_ids.filtered(lambda move: move.partner_id == self.departement)
        as_operator = move.with_user(self.operator)
        with self.assertRaisesRegex(UserError, "regularisation"):
            as_operator.action_reverse()
        wizard = self.env["account.move.reversal"].with_user(self.operator).create(
            {"move_ids": [Command.set(move.ids)], "journal_id": move.journal_id.id, "date": date(2025, 8, 5)}
        )
        with self.assertRaisesRegex(UserError, "regularisation"):
            wizard.reverse_moves()
        self.assertFalse(self.env["account.move"].search([("reversed_entry_id", "=", move.id)]))

        # A decree lowers July's price to 170.00: the regularisation credits the difference, once.
        tariff = self.agreement.tariff_ids
        tariff.date_to = date(2025, 6, 30)
        tariff.copy({"date_from": JULY, "date_to": False, "amount": 170.0, "decree_ref": "Arrêté 2025-07"})
        correction = self.env["essms.billing.run"].with_user(self.operator).create(
            {"kind": "regularisation", "period_start": JULY, "period_end": date(2025, 7, 31),
             "establishment_ids": [Command.set(self.establishment.ids)]}
        )
        correction.action_compute()
        correction.action_invoice()
        refund = correction.move_ids
        self.assertEqual(refund.mapped("move_type"), ["out_refund"])
        self.assertAlmostEqual(refund.amount_total, 31 * 10.0, places=2)
        self.assertEqual(refund.reversed_entry_id, move)
        self._assert_checkable(refund)
        self.assertEqual(
            sorted((line.quantity, line.price_unit) for line in refund.invoice_line_ids),
            sorted([(23.0, -170.0), (8.0, -150.0), (-23.0, -180.0), (-8.0, -160.0)]),
        )
        again = self.env["essms.billing.run"].with_user(self.operator).create(
            {"kind": "regularisation", "period_start": JULY, "period_end": date(2025, 7, 31),
             "establishment_ids": [Command.set(self.establishment.ids)]}
        )
        again.action_compute()
        self.assertFalse(again.line_ids, "what the credit note corrected is not credited a second time")


@tagged("post_install", "-at_install")
class TestValidatedMonthIsBilled(BillingCommon):
    """The validated month is what is billed (billing-rules §13): absences and stays inside a month whose statement
    is validated cannot change until it is reopened, with the reason in its chatter; so the days sent to the
    département (the statement and its portal file) and the days billed cannot diverge."""

    def _absence_as(self, user, stay, start, end):
        absences = self.env["essms.absence"].with_user(user)
        return absences.create({"stay_id": stay.id, "kind": "hospital", "date_start": absences._local_to_utc(start),
                                "date_end": absences._local_to_utc(end)})

    @contextmanager
    def _refused(self, text):
        # Odoo's assertRaises rolls back to a savepoint (unittest's assertRaisesRegex does not): the refused
        # write leaves nothing behind.
        with self.assertRaises(UserError) as caught:
            yield
        self.assertIn(text, str(caught.exception))

    @freeze_time("2025-08-20")
    def test_days_sent_to_the_departement_and_days_billed_cannot_diverge(self):
        stay = self._create_resident("Martin")
        statement = self._validated_statement(self.establishment, JULY)
        run = self._run(self.establishment, JULY)
        run.action_compute()
        run.action_invoice()
        operator = new_test_user(self.env, "month_operator", groups="essms_billing.group_essms_operator",
                                 company_id=self.company.id)
        as_operator = self.env(user=operator)

        # A hospital stay reported late, an exit backdated, an absence moved: refused while July is validated.
        with self._refused(statement.name):
            self._absence_as(operator, stay, datetime(2025, 7, 10, 9), datetime(2025, 7, 20, 18))
        with self._refused(statement.name):
            stay.with_env(as_operator).write({"date_end": date(2025, 7, 25), "end_reason": "departure"})
        june_absence = self._absence(stay, "personal", datetime(2025, 6, 2, 9), datetime(2025, 6, 6, 18))
        with self._refused(statement.name):
            june_absence.with_env(as_operator).date_end = datetime(2025, 7, 3, 16)
        # An absence of another month, an exit after the month: allowed.
        june_absence.with_env(as_operator).date_end = datetime(2025, 6, 7, 16)
        stay.with_env(as_operator).write({"date_end": date(2025, 9, 30), "end_reason": "departure"})

        # Reopened with its reason: the month can be corrected; a regularisation waits for its validation.
        wizard = as_operator["essms.activity.statement.reopen"].create(
            {"statement_ids": [Command.set(statement.ids)], "reason": "Hospital stay reported late"}
        )
        wizard.action_reopen()
        self.assertEqual(statement.state, "draft")
        self.assertIn("Hospital stay reported late", statement.message_ids[0].body)
        self._absence(stay, "hospital", datetime(2025, 7, 10, 9), datetime(2025, 7, 20, 18))
        correction = as_operator["essms.billing.run"].create(
            {"kind": "regularisation", "period_start": JULY, "period_end": date(2025, 7, 31),
             "establishment_ids": [Command.set(self.establishment.ids)]}
        )
        with self.assertRaisesRegex(UserError, "not validated"):
            correction.action_compute()
        statement.action_refresh()
        statement.action_submit()
        statement.action_validate()
        correction.action_compute()
        correction.action_invoice()
        self.assertAlmostEqual(sum(correction.line_ids.mapped("amount")), -160.0, places=2)

        # The statement (what the portal file sends) and the invoices show the same days, reduced ones included.
        line = statement.line_ids.filtered(lambda line: line.stay_id == stay)
        billed = self.env["essms.billing.line.detail"].search(
            [("line_id.stay_id", "=", stay.id), ("line_id.move_id.state", "=", "posted"),
             ("date_from", ">=", JULY), ("date_from", "<=", date(2025, 7, 31))]
        )
        reduced = sum(detail.quantity for detail in billed if "reduced" in (detail.kind, detail.base_kind))
        self.assertEqual((line.days_full_price, line.days_reduced), (23, 8))
        self.assertEqual(reduced, line.days_reduced)
        self.assertEqual(sum(detail.quantity for detail in billed if detail._is_day_row()),
                         line.days_full_price + line.days_reduced)
        control = self.env["essms.activity.billing.control"].search(
            [("beneficiary_id", "=", stay.beneficiary_id.id), ("period_start", "=", JULY)]
        )
        self.assertRecordValues(control, [{"activity_days": 31, "invoiced_days": 31, "has_difference": False}])

    @freeze_time("2025-08-20")
    def test_detail_rows_are_the_operators_and_the_establishment_cannot_record_in_a_validated_month(self):
        stay = self._create_resident("Martin")
        self._validated_statement(self.establishment, JULY)
        run = self._run(self.establishment, JULY)
        run.action_compute()
        details = run.line_ids.detail_ids
        self.assertTrue(details)
        director = new_test_user(self.env, "month_director", groups="essms_billing.group_essms_establishment",
                                 company_id=self.company.id)
        self.establishment.user_ids = director
        with self.assertRaises(AccessError):
            details.with_user(director).read(["amount"])
        operator = new_test_user(self.env, "month_reader", groups="essms_billing.group_essms_operator",
                                 company_id=self.company.id)
        self.assertEqual(details.with_user(operator).mapped("amount"), details.mapped("amount"))
        with self._refused("FDV 2025-07"):
            self._absence_as(director, stay, datetime(2025, 7, 10, 9), datetime(2025, 7, 20, 18))
