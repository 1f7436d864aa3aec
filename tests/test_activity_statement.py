"""Monthly activity statement: lines per stay, controls of billing-rules §8, workflow and rights."""

from datetime import date
from datetime import datetime

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import new_test_user
from odoo.tests import tagged
from odoo.tools import format_date

from .billing_common import BillingCommon

JULY = date(2025, 7, 1)


@tagged("post_install", "-at_install")
class TestActivityStatement(BillingCommon):
    def _statement(self, establishment=None, month=JULY):
        return self.env["essms.activity.statement"].create(
            {"establishment_id": (establishment or self.establishment).id, "period_start": month}
        )

    def _codes(self, statement, severity=None):
        anomalies = statement.anomaly_ids.filtered(lambda a: severity in (None, a.severity))
        return sorted(anomalies.mapped("code"))

    def test_lines_of_example_c(self):
        stay = self._create_resident("Martin")
        self._example_c(stay)
        statement = self._statement()
        line = statement.line_ids
        self.assertEqual(len(line), 1)
        self.assertRecordValues(
            line,
            [
                {
                    "days_present": 18,
                    "absence_hospital": 11,
                    "absence_family_weekend": 2,
                    "days_full_price": 23,
                    "days_reduced": 8,
                    "year_absence_days": 11,
                }
            ],
        )
        self.assertFalse(statement.anomaly_ids)

    def test_yearly_counter_carries_earlier_absences_of_the_year(self):
        quota = self.policy.copy({"name": "Quota 105", "threshold_scope": "once_a_year", "quota_days": 105})
        establishment = self._create_establishment("FQ", "Foyer quota", policy=quota)
        stay = self._create_resident("Durand", establishment=establishment)
        self._absence(stay, "personal", datetime(2025, 2, 3, 0), datetime(2025, 2, 14, 23))
        self._absence(stay, "personal", datetime(2025, 3, 3, 0), datetime(2025, 3, 14, 23))
        line = self._statement(establishment, date(2025, 3, 1)).line_ids
        # February granted the 3 full-price days of the year: every day of March's absence is reduced.
        self.assertEqual(line.year_absence_days, 24)
        self.assertEqual(line.days_reduced, 12)
        self.assertEqual(line.quota_days, 105)

    def test_yearly_counter_counts_absences_in_other_establishments(self):
        quota = self.policy.copy(
            {"name": "Quota 14", "threshold_scope": "once_a_year", "quota_days": 14, "after_quota": "resident"}
        )
        first = self._create_establishment("FA", "Foyer A", policy=quota)
        second = self._create_establishment("FB", "Foyer B", policy=quota)
        stay = self._create_resident("Durand", establishment=first)
        stay.write({"date_end": date(2025, 3, 15), "end_reason": "transfer"})
        self._absence(stay, "personal", datetime(2025, 2, 3, 0), datetime(2025, 2, 14, 23))  # 12 days
        moved = self.env["essms.stay"].create(
            {"beneficiary_id": stay.beneficiary_id.id, "establishment_id": second.id,
             "accommodation": "full_board", "date_start": date(2025, 3, 16)}
        )
        self._absence(moved, "personal", datetime(2025, 4, 7, 0), datetime(2025, 4, 11, 23))  # 5 days
        line = self._statement(second, date(2025, 4, 1)).line_ids
        # The 12 days counted in Foyer A come first: the quota of 14 is used after 2 days in Foyer B.
        self.assertEqual(line.year_absence_days, 17)
        self.assertEqual(line.days_resident, 3)

    def test_day_billed_twice_follows_the_exit_day_rule(self):
        stay = self._create_resident("Transfer")
        stay.write({"date_end": date(2025, 7, 15), "end_reason": "departure"})
        other = self._create_establishment("ADJ", "Accueil de jour")
        self.env["essms.stay"].create(
            {"beneficiary_id": stay.beneficiary_id.id, "establishment_id": other.id,
             "accommodation": "day_care", "date_start": date(2025, 7, 15)}
        )
        # The exit day is not billed by default: the day of the move is billed once, by the day care.
        statement = self._statement()
        self.assertNotIn("billed_twice", self._codes(statement))
        # A département whose rules bill the exit day: the transfer day is billed by both stays.
        self.establishment.agreement_ids.absence_policy_id = self.policy.copy(
            {"name": "Exit day billed", "exit_day_billed": True}
        )
        statement.action_refresh()
        anomaly = statement.anomaly_ids.filtered(lambda a: a.code == "billed_twice")
        day = format_date(self.env, date(2025, 7, 15))
        self.assertIn("Transfer: 1 days from %s to %s" % (day, day), anomaly.message)

    def test_day_billed_twice_leaves_out_the_days_day_care_is_closed(self):
        """Day care bills no weekend and no public holiday (billing-rules §3): those days are not billed twice.

        The control used to apply only the entry and exit day rules, so a full-board stay beside day care elsewhere
        was flagged for the weekend and the 14 July the day care never bills."""
        stay = self._create_resident("Closed")
        other = self._create_establishment("ADJ", "Accueil de jour")
        self.env["essms.stay"].create(
            {"beneficiary_id": stay.beneficiary_id.id, "establishment_id": other.id,
             "accommodation": "day_care", "date_start": date(2025, 7, 11), "date_end": date(2025, 7, 16)}
        )
        anomaly = self._statement().anomaly_ids.filtered(lambda a: a.code == "billed_twice")
        # Friday 11 and Tuesday 15: not Saturday 12, Sunday 13, Monday 14 July, nor Wednesday 16, the exit day.
        self.assertIn(
            "Closed: 2 days from %s to %s" % (format_date(self.env, date(2025, 7, 11)),
                                              format_date(self.env, date(2025, 7, 15))),
            anomaly.message,
        )

    def test_each_control_of_section_8(self):
        self.establishment.capacity = 1
        # §8.1 absence outside the stay. The ORM refuses it since stays cannot be shortened over their
        # absences, so it only comes from data loaded around the ORM (a migration): the control stays the net.
        shortened = self._create_resident("Absent")
        self._absence(shortened, "personal", datetime(2025, 7, 20, 9), datetime(2025, 7, 25, 18))
        self.env.cr.execute(
            "UPDATE essms_stay SET date_end = %s, end_reason = 'departure' WHERE id = %s",
            (date(2025, 7, 22), shortened.id),
        )
        shortened.invalidate_recordset(["date_end", "end_reason"])
        # §8.2 no decision, and an expired one.
        self._create_resident("Nodecision", decision=None)
        expired = self._create_resident("Expired")
        expired.beneficiary_id.decision_ids.date_end = date(2025, 7, 15)
        # §8.1 a day billed twice: day care elsewhere during the full-board stay (its exit day is not billed).
        twice = self._create_resident("Twice")
        other = self._create_establishment("EXT", "Accueil de jour")
        self.env["essms.stay"].create(
            {
                "beneficiary_id": twice.beneficiary_id.id,
                "establishment_id": other.id,
                "accommodation": "day_care",
                "date_start": date(2025, 7, 7),
                "date_end": date(2025, 7, 11),
            }
        )
        # §8.4 missing tariff.
        no_tariff = self._create_establishment("NT", "Foyer sans tarif", tariff=0)
        self._create_resident("Untariffed", establishment=no_tariff)

        statement = self._statement()
        self.assertEqual(
            self._codes(statement, "blocking"), ["absence_outside_stay", "billed_twice"]
        )
        self.assertEqual(self._codes(statement, "warning"), ["capacity", "decision_expired", "no_decision"])
        messages = dict(zip(statement.anomaly_ids.mapped("code"), statement.anomaly_ids.mapped("message"), strict=True))
        # Dates as the user writes them, never ISO.
        def day(month_day):
            return format_date(self.env, date(2025, 7, month_day))

        self.assertIn("Twice: 4 days from %s to %s" % (day(7), day(10)), messages["billed_twice"])
        self.assertIn("ended on %s" % day(15), messages["decision_expired"])
        self.assertIn("from %s to %s" % (day(20), day(25)), messages["absence_outside_stay"])
        for message in statement.anomaly_ids.mapped("message"):
            self.assertNotRegex(message, r"\d{4}-\d{2}-\d{2}")
        self.assertEqual(self._codes(self._statement(no_tariff), "blocking"), ["no_tariff"])

        statement.action_submit()
        with self.assertRaisesRegex(UserError, "2 blocking anomalies"):
            statement.action_validate()

    def test_workflow_and_rights(self):
        self._create_resident("Martin")
        director = new_test_user(self.env, "director", groups="essms_billing.group_essms_establishment")
        operator = new_test_user(self.env, "operator", groups="essms_billing.group_essms_operator")
        self.establishment.user_ids = [Command.link(director.id)]

        statement = self._statement().with_user(director)
        statement.action_submit()
        self.assertEqual(statement.state, "submitted")
        with self.assertRaises(AccessError):
            statement.action_validate()
        with self.assertRaises(AccessError):
            statement.write({"state": "validated"})
        # Runs and invoices stay out of establishment users' sight.
        with self.assertRaises(AccessError):
            self.env["essms.billing.run"].with_user(director).search([])
        with self.assertRaises(AccessError):
            self.env["account.move"].with_user(director).search([])
        # Another establishment's statement is invisible to them.
        other = self._statement(self._create_establishment("OTH", "Other"))
        self.assertFalse(self.env["essms.activity.statement"].with_user(director).search([("id", "=", other.id)]))

        statement.with_user(operator).action_validate()
        self.assertEqual(statement.state, "validated")
        self.assertEqual(statement.validated_by_id, operator)
