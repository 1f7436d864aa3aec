"""Legal events, prescription alerts and radar (recovery-rules §5, example R4), as the billing operator.

A resident's invoice due on 15 March 2024 (2 years), partly paid on 10 October 2024, a mediation from 1 March to
31 May 2026: time-barred from 11 January 2027, alerts on 11 July and 11 October 2026.
"""

from datetime import date

from odoo.exceptions import AccessError
from odoo.exceptions import ValidationError
from odoo.tests import freeze_time
from odoo.tests import new_test_user
from odoo.tests import tagged

from .test_dunning import ESTABLISHMENT
from .test_dunning import DunningCommon

R4_DUE = date(2024, 3, 15)


@tagged("post_install", "-at_install")
class LegalCommon(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.r4 = cls._invoice(cls.martin.partner_id, amount=500.0, due=R4_DUE)
        cls._pay(cls.r4, 100.0, date(2024, 10, 10))

    @classmethod
    def _pay(cls, invoice, amount, day):
        with freeze_time(day):
            cls.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create({"amount": amount, "payment_date": day})._create_payments()

    def _event(self, user=None, lang=None, **vals):
        Event = self.env["essms.recovery.event"].with_user(user or self.operator)
        return (Event.with_context(lang=lang) if lang else Event).create(vals)


@tagged("post_install", "-at_install")
class TestLegalEvents(LegalCommon):
    @freeze_time("2026-12-02")
    def test_example_r4_on_the_invoice(self):
        self.assertEqual(self.r4.essms_prescription_date, date(2026, 10, 11), "the partial payment interrupts")
        mediation = self._event(kind="suspension", suspension_reason="mediation", date=date(2026, 3, 1),
                                date_end=date(2026, 5, 31), move_ids=self.r4.ids)
        self.assertEqual(self.r4.essms_prescription_date, date(2027, 1, 11), "224 days left, run again from 1 June")
        notice = self._event(kind="written_demand", date=date(2026, 12, 1), partner_id=self.martin.partner_id.id)
        self.assertEqual(notice.move_ids, self.r4, "the debtor's open claims on that day")
        self.assertEqual(self.r4.essms_prescription_date, date(2027, 1, 11), "a formal notice changes nothing")
        self.assertIn("11/01/2027", mediation.effect)
        self.assertIn("does not interrupt", notice.effect)
        timeline = self.r4.essms_prescription_timeline
        self.assertIn("Partial payment (matched)", timeline)
        self.assertIn("10/10/2024", timeline)
        # An event recorded by mistake is removed by a finance director: the date goes back.
        mediation.with_user(self.env.user).unlink()
        self.assertEqual(self.r4.essms_prescription_date, date(2026, 10, 11))

    @freeze_time("2026-06-01")
    def test_a_running_suspension_pauses_the_clock_until_its_end(self):
        event = self._event(kind="suspension", suspension_reason="conciliation", date=date(2026, 3, 1),
                            move_ids=self.r4.ids)
        self.assertFalse(self.r4.essms_prescription_date)
        event.date_end = date(2026, 5, 31)
        self.assertEqual(self.r4.essms_prescription_date, date(2027, 1, 11))

    @freeze_time("2026-06-01")
    def test_bad_input_is_refused_and_nothing_recorded(self):
        Event = self.env["essms.recovery.event"]
        before = Event.search_count([])
        cases = [
            ({"kind": "acknowledgment", "date": date(2026, 6, 2)}, "in the future"),
            ({"kind": "suspension", "suspension_reason": "mediation", "date": date(2026, 3, 1),
              "date_end": date(2026, 2, 1)}, "ends (01/02/2026) before it starts (01/03/2026)"),
            ({"kind": "suspension", "date": date(2026, 3, 1)}, "say what suspends"),
            ({"kind": "suspension", "suspension_reason": "mediation", "date": date(2026, 3, 1),
              "date_end": date(2026, 7, 1)}, "in the future"),
        ]
        other = self._resident("Paul Durand").partner_id
        cases += [
            ({"kind": "acknowledgment", "date": date(2026, 5, 1), "partner_id": other.id, "move_ids": []},
             "Paul Durand has no open claim"),
            ({"kind": "acknowledgment", "date": date(2026, 5, 1), "partner_id": other.id}, "not all the debtor's"),
        ]
        for vals, message in cases:
            # Odoo's assertRaises rolls back what the failed create did, as the request would.
            with self.subTest(vals=vals), self.assertRaises(ValidationError) as error:
                self._event(**{"move_ids": self.r4.ids, **vals})
            self.assertIn(message, str(error.exception))
        self.assertEqual(Event.search_count([]), before)

    @freeze_time("2026-06-01")
    def test_least_privileged_users(self):
        event = self._event(kind="acknowledgment", date=date(2026, 5, 1), move_ids=self.r4.ids)
        with self.assertRaises(AccessError):
            event.with_user(self.operator).unlink()
        secretary = new_test_user(self.env, "legal_secretary", groups=ESTABLISHMENT, company_id=self.company.id)
        with self.assertRaises(AccessError):
            event.with_user(secretary).read(["kind"])
        other = self.setup_other_company()["company"]
        outsider = new_test_user(self.env, "legal_outsider", groups="essms_billing.group_essms_manager",
                                 company_id=other.id, company_ids=[(6, 0, other.ids)])
        self.assertFalse(self.env["essms.recovery.event"].with_user(outsider).search([("id", "=", event.id)]))
