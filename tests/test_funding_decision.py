"""Pending files (billing-rules §4): filing deadline, date of effect, renewal alert, pending list, alerts."""

from datetime import date

from freezegun import freeze_time

from odoo.tests import new_test_user
from odoo.tests import tagged
from odoo.tools import format_date
from odoo.tools.safe_eval import safe_eval

from .common import EssmsReferentialCase

ENTRY_E = date(2025, 3, 10)  # worked example E


@tagged("post_install", "-at_install")
class TestFundingDecisionDeadlines(EssmsReferentialCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.canigou = cls._create_establishment("Foyer d'hébergement Le Canigou", code="CAN")
        cls.jeanne = cls._create_beneficiary("Jeanne Martin")
        # An earlier stay elsewhere: the deadline runs from the entry into the agreement's establishment.
        cls._create_stay(cls.jeanne, cls.canigou, date(2023, 5, 1), date(2024, 12, 31))
        cls.stay = cls._create_stay(cls.jeanne, cls.establishment, ENTRY_E)

    def _decision(self, **vals):
        return self._create_decision(self.jeanne, agreement=self.agreement, **vals)

    def test_filing_deadline_two_months_after_entry(self):
        decision = self._decision()
        self.assertEqual(decision.date_entry, ENTRY_E)
        self.assertEqual(decision.establishment_id, self.establishment)
        self.assertEqual(decision.date_filing_deadline, date(2025, 5, 10))
        self.assertEqual(decision.date_next_deadline, date(2025, 5, 10))

    def test_filing_deadline_with_the_extension(self):
        decision = self._decision()
        decision.deadline_extended = True
        self.assertEqual(decision.date_filing_deadline, date(2025, 7, 10))
        self.assertEqual(decision.date_next_deadline, date(2025, 7, 10))

    def test_entry_date_follows_a_stay_recorded_after_the_decision(self):
        """The file is opened before the stay is keyed in: the deadline must follow the stay once it is."""
        paul = self._create_beneficiary("Paul Vidal")
        decision = self._create_decision(paul, agreement=self.agreement)
        self.assertFalse(decision.date_filing_deadline)
        stay = self._create_stay(paul, self.establishment, date(2025, 4, 7))
        self.assertEqual(decision.date_entry, date(2025, 4, 7))
        self.assertEqual(decision.date_filing_deadline, date(2025, 6, 7))
        stay.date_start = date(2025, 4, 1)
        self.assertEqual(decision.date_filing_deadline, date(2025, 6, 1))

    def test_clearing_the_filing_date_clears_the_pending_date_of_effect(self):
        decision = self._decision(date_filed=date(2025, 4, 2))
        self.assertEqual(decision.date_effect, ENTRY_E)
        decision.write({"state": "to_file", "date_filed": False})
        self.assertFalse(decision.date_effect)

    def test_entry_date_corrected_by_hand(self):
        decision = self._decision()
        decision.date_entry = date(2025, 3, 12)
        self.assertEqual(decision.date_filing_deadline, date(2025, 5, 12))

    def test_example_e_filed_in_time_takes_effect_on_entry(self):
        decision = self._decision(state="filed", date_filed=date(2025, 4, 2))
        self.assertEqual(decision.date_effect, ENTRY_E)
        self.assertFalse(decision.date_next_deadline, "a filed request waits for the payer: no deadline of ours")

    def test_filed_on_the_deadline_is_in_time(self):
        self.assertEqual(self._decision(state="filed", date_filed=date(2025, 5, 10)).date_effect, ENTRY_E)

    def test_example_e_filed_late_takes_effect_next_fortnight(self):
        self.assertEqual(self._decision(state="filed", date_filed=date(2025, 5, 20)).date_effect, date(2025, 6, 1))
        self.assertEqual(self._decision(state="filed", date_filed=date(2025, 5, 11)).date_effect, date(2025, 5, 16))

    def test_extension_makes_the_late_filing_timely(self):
        decision = self._decision(state="filed", date_filed=date(2025, 5, 20))
        self.assertEqual(decision.date_effect, date(2025, 6, 1))
        decision.deadline_extended = True
        self.assertEqual(decision.date_effect, ENTRY_E)

    def test_pending_date_of_effect_follows_the_filing_date(self):
        decision = self._decision(state="filed", date_filed=date(2025, 4, 2))
        decision.date_filed = date(2025, 5, 20)
        self.assertEqual(decision.date_effect, date(2025, 6, 1))

    def test_decided_date_of_effect_set_by_hand_survives(self):
        decision = self._decision(state="filed", date_filed=date(2025, 4, 2))
        # The département decided another date than the computed one: it prevails…
        decision.write({"state": "granted", "date_decision": date(2025, 7, 15), "date_effect": date(2025, 4, 1)})
        self.assertEqual(decision.date_effect, date(2025, 4, 1))
        # …through later edits of the file, including the dates the computation depends on.
        decision.write({"date_end": date(2030, 3, 31), "reference": "CD66-2025-0042"})
        decision.deadline_extended = True
        decision.date_filed = date(2025, 4, 3)
        decision.date_entry = date(2025, 3, 11)
        self.assertEqual(decision.date_effect, date(2025, 4, 1))
        decision.invalidate_recordset()
        self.assertEqual(decision.date_effect, date(2025, 4, 1))

    def test_granted_at_once_takes_the_computed_date(self):
        decision = self._decision(state="granted", date_filed=date(2025, 5, 20), date_decision=date(2025, 7, 15))
        self.assertEqual(decision.date_effect, date(2025, 6, 1))

    def test_renewal_alert_from_the_company_notice(self):
        decision = self._decision(state="granted", date_filed=date(2025, 4, 2), date_decision=date(2025, 7, 15),
                                  date_end=date(2030, 3, 9))
        self.assertEqual(self.company.essms_renewal_notice_months, 6)
        self.assertEqual(decision.date_renewal_alert, date(2029, 9, 9))
        self.assertEqual(decision.date_next_deadline, date(2029, 9, 9))
        self.company.essms_renewal_notice_months = 3
        self.assertEqual(decision.date_renewal_alert, date(2029, 12, 9))
        self.assertEqual(decision.date_next_deadline, date(2029, 12, 9))

    def test_open_ended_decision_has_no_renewal_alert(self):
        decision = self._decision(state="granted", date_filed=date(2025, 4, 2), date_decision=date(2025, 7, 15))
        self.assertFalse(decision.date_renewal_alert)
        self.assertFalse(decision.date_next_deadline)
        self.assertEqual(decision.deadline_status, "none")

    def test_refused_decision_has_no_deadline(self):
        decision = self._decision(state="refused", date_filed=date(2025, 4, 2), date_decision=date(2025, 7, 15))
        self.assertFalse(decision.date_next_deadline)

    def test_deadline_status_boundaries(self):
        # Deadline 2 months after a hand-written entry date; today is 10 June 2025, "soon" is within 15 days.
        expected = {
            date(2025, 4, 9): "overdue",  # deadline 9 June
            date(2025, 4, 10): "soon",  # deadline today
            date(2025, 4, 25): "soon",  # deadline 25 June
            date(2025, 4, 26): "ok",  # deadline 26 June
        }
        decisions = {entry: self._decision(date_entry=entry) for entry in expected}
        with freeze_time("2025-06-10 12:00:00"):
            for entry, status in expected.items():
                decision = decisions[entry]
                decision.invalidate_recordset(["deadline_status"])
                self.assertEqual(decision.deadline_status, status, "entry %s" % entry)


@tagged("post_install", "-at_install")
class TestPendingFiles(EssmsReferentialCase):
    """The 'pending files' list, overdue first, and the daily alerts of the deadlines."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator = new_test_user(cls.env, "operator_pending", groups="essms_billing.group_essms_operator")

    def _file(self, name, entry, **vals):
        """A resident entered on `entry` and their decision, recorded by the operator."""
        beneficiary = self._create_beneficiary(name)
        self._create_stay(beneficiary, self.establishment, entry)
        return self.env["essms.funding.decision"].with_user(self.operator).create(
            {
                "beneficiary_id": beneficiary.id,
                "payer_id": self.payer.id,
                "agreement_id": self.agreement.id,
                **vals,
            }
        )

    def _activities(self, decision):
        return self.env["mail.activity"].search(
            [("res_model", "=", "essms.funding.decision"), ("res_id", "=", decision.id)], order="id"
        )

    @freeze_time("2025-06-10 12:00:00")
    def test_pending_files_overdue_first(self):
        late_pending = {"state": "filed", "date_filed": date(2025, 5, 2)}
        ok = self._file("Anne Ok", date(2025, 6, 1))  # deadline 1 August
        filed = self._file("Bruno Filed", date(2025, 3, 1), **late_pending)  # no deadline: waits for the payer
        soon = self._file("Claire Soon", date(2025, 4, 20))  # deadline 20 June
        overdue = self._file("Denis Overdue", date(2025, 1, 5))  # deadline 5 March
        extended = self._file("Emma Extended", date(2025, 2, 1), deadline_extended=True)  # deadline 1 June
        appealed = self._file("Félix Appealed", date(2025, 1, 6), state="appealed", date_filed=date(2025, 2, 1),
                              date_decision=date(2025, 4, 1))
        granted = self._file("Gaëlle Granted", date(2025, 1, 7), state="granted", date_filed=date(2025, 2, 1),
                             date_decision=date(2025, 4, 1), date_end=date(2025, 7, 1))
        refused = self._file("Henri Refused", date(2025, 1, 8), state="refused", date_filed=date(2025, 2, 1),
                             date_decision=date(2025, 4, 1))

        action = self.env.ref("essms_billing.essms_funding_decision_action_pending")
        domain = safe_eval(action.domain or "[]")
        context = safe_eval(action.context or "{}")
        mine = (ok | filed | soon | overdue | extended | appealed | granted | refused).ids
        listed = self.env[action.res_model].with_user(self.operator).with_context(**context).search(
            [*domain, ("id", "in", mine)]
        )
        self.assertEqual(listed, overdue | extended | soon | ok | filed | appealed)
        self.assertEqual(listed.mapped("deadline_status"), ["overdue", "overdue", "soon", "ok", "none", "none"])
        self.assertEqual(
            listed.mapped("date_next_deadline"),
            [date(2025, 3, 5), date(2025, 6, 1), date(2025, 6, 20), date(2025, 8, 1), False, False],
        )
        self.assertFalse(granted & listed or refused & listed)
        self.assertEqual(granted.deadline_status, "overdue", "its renewal alert (1 January) has passed")

    def test_pending_list_shows_the_deadlines(self):
        action = self.env.ref("essms_billing.essms_funding_decision_action_pending")
        arch = self.env[action.res_model].with_user(self.operator).get_view(
            action.view_id.id or None, view_type="list"
        )["arch"]
        for fname in ("date_filing_deadline", "date_next_deadline", "deadline_status", "state"):
            self.assertIn('name="%s"' % fname, arch)

    @freeze_time("2025-06-10 12:00:00")
    def test_cron_schedules_one_activity_per_decision(self):
        due = self._file("Claire Soon", date(2025, 4, 20))  # deadline 20 June: within 15 days
        overdue = self._file("Denis Overdue", date(2025, 1, 5))  # deadline 5 March
        far = self._file("Anne Ok", date(2025, 6, 1))  # deadline 1 August: not yet
        filed = self._file("Bruno Filed", date(2025, 3, 1), state="filed", date_filed=date(2025, 4, 2))
        granted_far = self._file("Gaëlle Granted", date(2025, 1, 7), state="granted", date_filed=date(2025, 2, 1),
                                 date_decision=date(2025, 4, 1), date_end=date(2030, 1, 6))
        decisions = self.env["essms.funding.decision"]

        decisions._cron_deadline_alerts()
        activity = self._activities(due)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.date_deadline, date(2025, 6, 20))
        self.assertIn(format_date(self.env, date(2025, 6, 20)), activity.summary)
        self.assertEqual(activity.user_id, self.operator, "the operator who last worked on the file")
        self.assertEqual(len(self._activities(overdue)), 1)
        for quiet in (far, filed, granted_far):
            self.assertFalse(self._activities(quiet), quiet.beneficiary_id.name)

        # The next day's run adds nothing.
        decisions._cron_deadline_alerts()
        self.assertEqual(self._activities(due), activity)
        self.assertEqual(len(self._activities(overdue)), 1)

        # Filed: nothing to alert. Granted until December: the renewal alert (1 June) is due, a new activity.
        due.write({"state": "filed", "date_filed": date(2025, 6, 12)})
        decisions._cron_deadline_alerts()
        self.assertEqual(self._activities(due), activity)
        due.write({"state": "granted", "date_decision": date(2025, 6, 13), "date_end": date(2025, 12, 1)})
        self.assertEqual(due.date_next_deadline, date(2025, 6, 1))
        decisions._cron_deadline_alerts()
        activities = self._activities(due)
        self.assertEqual(len(activities), 2)
        renewal = activities - activity
        self.assertIn(format_date(self.env, date(2025, 12, 1)), renewal.summary)
        self.assertEqual(renewal.date_deadline, date(2025, 6, 1))
        decisions._cron_deadline_alerts()
        self.assertEqual(len(self._activities(due)), 2)

    @freeze_time("2025-06-10 12:00:00")
    def test_scheduled_action_runs_the_alerts(self):
        due = self._file("Claire Soon", date(2025, 4, 20))
        cron = self.env.ref("essms_billing.ir_cron_funding_decision_deadlines")
        self.assertTrue(cron.active)
        cron.method_direct_trigger()
        self.assertEqual(len(self._activities(due)), 1)
        cron.method_direct_trigger()
        self.assertEqual(len(self._activities(due)), 1)
