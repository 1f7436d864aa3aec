"""Legal events, prescription alerts and radar (recovery-rules §5, example R4), as the billing operator.

A resident's invoice due on 15 March 2024 (2 years), partly paid on 10 October 2024, a mediation from 1 March to
31 May 2026: time-barred from 11 January 2027, alerts on 11 July and 11 October 2026.
"""

from datetime import date

from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import freeze_time
from odoo.tests import new_test_user
from odoo.tests import tagged

from .pdf_common import PdfMixin
from .pdf_common import pdf_text
from .test_dunning import ESTABLISHMENT
from .test_dunning import DunningCommon

R4_DUE = date(2024, 3, 15)
LETTER_REPORT = "essms_billing.action_report_essms_dunning_letter"


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


@tagged("post_install", "-at_install")
class TestPrescriptionAlerts(LegalCommon):
    """R4 without its mediation: time-barred from 11/10/2026, alerts on 11/04/2026 and 11/07/2026."""

    def _alerts(self, day):
        with freeze_time(day):
            self.env["account.move"]._cron_essms_prescription_alerts()
        # The summary is in the company's language: found by the invoice's number, whatever the language.
        return self.r4.activity_ids.filtered(lambda activity: self.r4.name in (activity.summary or ""))

    def test_each_alert_on_its_day_not_before_and_once(self):
        self.assertEqual(self.r4.essms_prescription_date, date(2026, 10, 11))
        self.assertFalse(self._alerts("2026-04-10"), "not before the day")
        six = self._alerts("2026-04-11")
        self.assertEqual(len(six), 1, "on its day")
        self.assertRegex(six.summary, r"\b6\b")
        self.assertIn("11/10/2026", six.summary)
        self.assertEqual(self._alerts("2026-04-11"), six, "never twice")
        self.assertEqual(self._alerts("2026-07-10"), six, "the 3-month alert not before its day")
        both = self._alerts("2026-07-11")
        self.assertEqual(len(both), 2)
        self.assertRegex((both - six).summary, r"\b3\b")
        self.assertEqual(self._alerts("2026-08-01"), both, "once")
        # An acknowledgment moves the date two years on: the alerts will come again for the new date, not now.
        with freeze_time("2026-08-02"):
            self._event(kind="acknowledgment", date=date(2026, 8, 2), move_ids=self.r4.ids)
        self.assertEqual(self.r4.essms_prescription_date, date(2028, 8, 3))
        self.assertEqual(self._alerts("2026-08-03"), both)
        self.assertEqual(len(self._alerts("2028-02-03")), 3)

    def test_late_job_gives_the_3_month_alert_only(self):
        alerts = self._alerts("2026-08-01")
        self.assertEqual(len(alerts), 1)
        self.assertRegex(alerts.summary, r"\b3\b")
        self.assertEqual(self._alerts("2026-08-02"), alerts)

    def test_no_alert_for_a_paid_or_barred_claim(self):
        self.assertFalse(self._alerts("2026-10-11"), "time-barred: nothing left to interrupt")


@tagged("post_install", "-at_install")
class TestPrescriptionRadar(LegalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cd66 = cls._create_payer("Département des Pyrénées-Orientales", email="paiements@cd66.example")
        # Services of June 2022: the right arose in 2022, 4 years from 1 January 2023: barred from 1 January 2027.
        cls.public = cls._invoice(cls.cd66, amount=1234.56, due=date(2022, 6, 30))

    @freeze_time("2026-06-01")
    def test_radar_lists_the_claims_and_one_click_interrupts_a_public_payers(self):
        action = self.env.ref("essms_billing.account_move_action_essms_radar")
        self.assertEqual(self.public.essms_prescription_date, date(2027, 1, 1))
        Move = self.env["account.move"].with_user(self.operator)
        in_12 = Move.search(action._get_eval_domain() if hasattr(action, "_get_eval_domain") else [
            ("move_type", "=", "out_invoice"), ("state", "=", "posted"), ("amount_residual", ">", 0),
            ("essms_prescription_date", ">", "2026-06-01"), ("essms_prescription_date", "<=", "2027-06-01")])
        self.assertIn(self.public, in_12)
        self.assertIn(self.r4, in_12)
        self.assertEqual(self.public.essms_radar_action, "written_demand")
        self.assertEqual(self.r4.essms_radar_action, "small_claims")
        with self.assertRaises(UserError):
            self.r4.with_user(self.operator).action_essms_written_demand()
        self.public.with_user(self.operator).action_essms_written_demand()
        event = self.public.essms_recovery_event_ids
        self.assertEqual((event.kind, event.date, event.partner_id), ("written_demand", date(2026, 6, 1), self.cd66))
        self.assertEqual(self.public.essms_prescription_date, date(2031, 1, 1), "4 years from 1 January 2027")
        attachment = self.env["ir.attachment"].search([("res_model", "=", "essms.recovery.event"),
                                                       ("res_id", "=", event.id)])
        self.assertTrue(attachment.raw.startswith(b"%PDF"))
        self.assertTrue(event.message_ids.filtered(lambda message: self.cd66 in message.partner_ids),
                        "sent to the payer's address")


@tagged("post_install", "-at_install")
class TestLegalInterest(PdfMixin, LegalCommon):
    """R2: 1 000,00 € due, formal notice received on 10/02/2026, paid on 11/05/2026: 90 days at 2,62 % = 6,46 €."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.family = cls._create_payer("Famille Martin", kind="family")
        cls.r2 = cls._invoice(cls.family, amount=1000.0, due=date(2026, 1, 15))
        level = cls.env.ref("essms_billing.dunning_policy_family_notice")
        run = cls.env["essms.dunning.run"].sudo().create({"date": date(2026, 2, 2), "state": "sent"})
        cls.notice = cls.env["essms.dunning.letter"].sudo().create({
            "run_id": run.id, "company_id": cls.company.id, "currency_id": cls.company.currency_id.id,
            "partner_id": cls.family.id, "debtor_ids": [(6, 0, cls.family.ids)], "policy_id": level.policy_id.id,
            "level_id": level.id, "state": "sent", "sent_date": "2026-02-02 09:00:00",
            "line_ids": [(0, 0, {
                "move_id": cls.r2.id, "partner_id": cls.family.id, "company_id": cls.company.id,
                "currency_id": cls.company.currency_id.id, "level_id": level.id, "invoice_name": cls.r2.name,
                "amount_total": 1000.0, "residual": 1000.0, "amount_due": 1000.0,
            })],
        }).sudo(False)

    def test_example_r2_to_the_cent_and_billed(self):
        self.assertFalse(self.r2.essms_legal_interest_start, "no interest before the notice is received")
        self.notice.with_user(self.operator).received_date = date(2026, 2, 10)
        self._pay(self.r2, 1000.0, date(2026, 5, 11))
        with freeze_time("2026-06-01"):
            self.r2.invalidate_recordset()
            self.assertEqual(self.r2.essms_legal_interest_start, date(2026, 2, 10))
            self.assertEqual(self.r2.essms_legal_interest, 6.46)
            self.assertIn("1\xa0000,00\xa0€ x 2,62 % x 90 / 365 days (11/02/2026 to 11/05/2026) = 6,46\xa0€",
                          self.r2.essms_legal_interest_detail)
            self.assertEqual(self.r2.essms_recovery_indemnity, 0.0, "never for a family")
            self.assertEqual(self.r2._essms_legal_interest_figures()["amount"], 6.46)
            with self.assertRaisesRegex(UserError, "does not claim legal interest"):
                self.r2.with_user(self.operator).action_essms_post_legal_interest()
            self.env.ref("essms_billing.dunning_policy_family").legal_interest = True
            self.r2.with_user(self.operator).action_essms_post_legal_interest()
            interest = self.r2.essms_legal_interest_move_id
            self.assertEqual(interest.state, "posted")
            self.assertEqual(interest.partner_id, self.family)
            self.assertEqual(
                [(line.quantity, line.price_unit, line.price_subtotal) for line in interest.invoice_line_ids],
                [(1.0, 6.46, 6.46)])
            self.assertEqual(interest.amount_total, 6.46)
            with self.assertRaisesRegex(UserError, "already billed"):
                self.r2.with_user(self.operator).action_essms_post_legal_interest()

    def test_fixed_indemnity_for_a_professional_debtor_only(self):
        company_debtor = self.env["res.partner"].create({"name": "SARL Transports Catalans", "is_company": True,
                                                         "essms_payer_kind": "other"})
        self.notice.sudo().write({"partner_id": company_debtor.id, "received_date": date(2026, 2, 10)})
        invoice = self._invoice(company_debtor, amount=1000.0, due=date(2026, 1, 15))
        self.notice.line_ids.sudo().move_id = invoice
        with freeze_time("2026-05-11"):
            self.assertEqual(invoice.essms_recovery_indemnity, 40.0)
            self.assertEqual(invoice.essms_legal_interest, 6.46, "still due: to today")
            self.assertEqual(self.r4.essms_recovery_indemnity, 0.0)

    def _later_letter(self, debtor, invoice, day):
        """A letter of a run on ``day`` (after the formal notice) that reminds ``invoice``."""
        level = self.env.ref("essms_billing.dunning_policy_family_notice")
        run = self.env["essms.dunning.run"].sudo().create({"date": day})
        return self.env["essms.dunning.letter"].sudo().create({
            "run_id": run.id, "company_id": self.company.id, "currency_id": self.company.currency_id.id,
            "partner_id": debtor.id, "debtor_ids": [(6, 0, debtor.ids)], "policy_id": level.policy_id.id,
            "level_id": level.id, "line_ids": [(0, 0, {
                "move_id": invoice.id, "partner_id": debtor.id, "company_id": self.company.id,
                "currency_id": self.company.currency_id.id, "level_id": level.id, "invoice_name": invoice.name,
                "amount_total": invoice.amount_total, "residual": invoice.amount_residual,
                "amount_due": invoice.amount_residual,
            })],
        }).sudo(False)

    def test_example_r2_printed_on_the_letter_after_the_formal_notice(self):
        """R2 on paper: a letter of 11/05/2026 after the notice received on 10/02/2026 prints 90 days = 6,46 €,
        no indemnity for a family; the notice itself and a policy that does not claim interest print none."""
        self.notice.sudo().received_date = date(2026, 2, 10)
        self.family.lang = "fr_FR"
        later = self._later_letter(self.family, self.r2, date(2026, 5, 11))
        self.assertFalse(later._legal_interest_lines()["lines"], "the policy does not claim legal interest")
        self.env.ref("essms_billing.dunning_policy_family").legal_interest = True
        self.assertFalse(self.notice._legal_interest_lines()["lines"], "the notice itself: received after it")
        with freeze_time("2026-05-11"):
            content = self.render_report(LETTER_REPORT, later.with_user(self.operator), lang="fr_FR")
        self.keep_pdf("legal_interest_r2.pdf", content)
        text = self.assert_pdf(content)
        self.assertIn("ces intérêts s'élèvent à 6,46 €", text)
        rows = " ".join(pdf_text(content, layout=True).split())
        self.assertIn("1 000,00 € x 2,62 % x 90 / 365 jours, du 11/02/2026 au 11/05/2026 6,46 €", rows)
        self.assertIn("Total des intérêts légaux et indemnités 6,46 €", rows)
        self.assertNotIn("indemnité forfaitaire", text, "never for a family")

    def test_professional_debtor_letter_prints_the_indemnity(self):
        self.env.ref("essms_billing.dunning_policy_family").legal_interest = True
        company_debtor = self.env["res.partner"].create({"name": "SARL Transports Catalans", "is_company": True,
                                                         "essms_payer_kind": "other", "lang": "fr_FR"})
        invoice = self._invoice(company_debtor, amount=1000.0, due=date(2026, 1, 15))
        self.notice.sudo().write({"partner_id": company_debtor.id, "received_date": date(2026, 2, 10)})
        self.notice.line_ids.sudo().move_id = invoice
        later = self._later_letter(company_debtor, invoice, date(2026, 5, 11))
        with freeze_time("2026-05-11"):
            content = self.render_report(LETTER_REPORT, later.with_user(self.operator), lang="fr_FR")
        self.keep_pdf("legal_interest_professional.pdf", content)
        self.assert_pdf(content)
        rows = " ".join(pdf_text(content, layout=True).split())
        self.assertIn("Indemnité forfaitaire pour frais de recouvrement 40,00 €", rows)
        self.assertIn("Total des intérêts légaux et indemnités 46,46 €", rows)
