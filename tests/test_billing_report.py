"""Billing reporting: its figures are the invoices' and the statements' of a billed month; a director sees only
their own establishments' figures."""

import base64
import io
from datetime import date
from datetime import datetime

from openpyxl import load_workbook

from odoo.tests import new_test_user
from odoo.tests import tagged

from .billing_common import BillingCommon

JULY = date(2025, 7, 1)


@tagged("post_install", "-at_install")
class TestBillingReport(BillingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls._create_establishment("OTH", "Foyer d'hébergement Les Albères", capacity=12, tariff=150.0)
        cls.director = new_test_user(
            cls.env, "report_director", groups="essms_billing.group_essms_establishment", company_id=cls.company.id
        )
        cls.other.user_ids = cls.director
        stay = cls._create_resident("Garcia")
        cls._absence(stay, "hospital", datetime(2025, 7, 10, 9), datetime(2025, 7, 20, 18))
        cls._create_resident("Martin")
        cls._create_resident("Roux", establishment=cls.other)
        cls.statements = {
            establishment: cls._validated_statement(establishment, JULY)
            for establishment in (cls.establishment, cls.other)
        }
        cls.billing_run = cls._run(cls.establishment | cls.other, JULY)
        cls.billing_run.action_compute()
        cls.billing_run.action_invoice()

    def _figures(self, report, establishment, **domain):
        rows = report.search(
            [("establishment_id", "=", establishment.id), ("month", "=", JULY)]
            + [(name, "=", value) for name, value in domain.items()]
        )
        return rows

    def test_totals_are_the_invoices_and_the_statements(self):
        report = self.env["essms.billing.report"]
        for establishment, statement in self.statements.items():
            moves = self.billing_run.move_ids.filtered(lambda move, e=establishment: move.essms_establishment_id == e)
            self.assertTrue(moves and all(move.state == "posted" for move in moves))
            invoiced = sum(move.amount_untaxed_signed for move in moves)
            billed = self._figures(report, establishment, row_type="billed")
            self.assertAlmostEqual(sum(billed.mapped("amount")), invoiced, places=2, msg=establishment.name)
            to_departement = billed.filtered(lambda row: row.payer_id == self.departement)
            self.assertAlmostEqual(
                sum(to_departement.mapped("days_billed")),
                sum(statement.line_ids.mapped("days_full_price")) + sum(statement.line_ids.mapped("days_reduced")),
                places=2,
            )
            activity = self._figures(report, establishment, row_type="activity")
            self.assertEqual(len(activity), 1, "one activity row per validated statement")
            self.assertAlmostEqual(activity.days_present, sum(statement.line_ids.mapped("days_present")), places=2)
            self.assertEqual(activity.capacity_days, establishment.capacity * 31)
            self.assertAlmostEqual(activity.occupancy_rate, 100 * activity.days_present / activity.capacity_days,
                                   places=4)
        # The same by the pivot's grouped query: per establishment and payer kind.
        groups = report._read_group(
            [("month", "=", JULY), ("row_type", "=", "billed")], ["establishment_id"], ["amount:sum"]
        )
        self.assertAlmostEqual(
            sum(amount for __, amount in groups),
            sum(self.billing_run.move_ids.mapped("amount_untaxed_signed")),
            places=2,
        )
        hospital = self._figures(report, self.establishment, row_type="activity").absence_hospital
        self.assertGreater(hospital, 0)

    def test_director_sees_only_their_establishment(self):
        report = self.env["essms.billing.report"].with_user(self.director)
        groups = report._read_group([("month", "=", JULY)], ["establishment_id"], ["amount:sum", "days_present:sum"])
        self.assertEqual([establishment for establishment, __, __ in groups], [self.other])
        self.assertNotIn("absence_hospital", report.fields_get(), "hospital stays are the operators' to see")
        self.assertNotIn("move_id", report.fields_get())
        report.search([]).read(["payer_id", "beneficiary_id", "amount", "days_present"])

    def _workbook(self, user):
        export = self.env["essms.billing.report.export"].with_user(user).create({"period_start": date(2025, 7, 15)})
        export.action_export()
        return load_workbook(io.BytesIO(base64.b64decode(export.file)))

    def test_month_summary_workbook(self):
        """The finance director's workbook: one row per establishment, its total the month's invoices; the
        director's: their establishment only, without hospital stays."""
        sheet = self._workbook(self.env.user)["Summary"]
        rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=4)]
        headers, *establishments, total = rows
        self.assertEqual([row[0] for row in establishments], sorted([self.establishment.name, self.other.name]))
        self.assertEqual(total[0], "Total")
        self.assertIn("Hospital", headers)
        self.assertAlmostEqual(
            total[headers.index("Total billed")], sum(self.billing_run.move_ids.mapped("amount_untaxed_signed")),
            places=2,
        )
        self.assertAlmostEqual(
            total[headers.index("Days present")],
            sum(sum(statement.line_ids.mapped("days_present")) for statement in self.statements.values()),
            places=2,
        )
        sheet = self._workbook(self.director)["Summary"]
        headers, *establishments, total = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=4)]
        self.assertEqual([row[0] for row in establishments], [self.other.name])
        self.assertNotIn("Hospital", headers)
        moves = self.billing_run.move_ids.filtered(lambda move: move.essms_establishment_id == self.other)
        self.assertAlmostEqual(total[headers.index("Total billed")], sum(moves.mapped("amount_untaxed_signed")),
                               places=2)
