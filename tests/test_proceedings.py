"""Insolvency, over-indebtedness and estates (recovery-rules §6), as the billing operator, with frozen dates."""

from datetime import date

from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import freeze_time
from odoo.tests import tagged

from .pdf_common import PdfMixin
from .test_legal_events import LegalCommon


@tagged("post_install", "-at_install")
class TestProceedings(PdfMixin, LegalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.business = cls.env["res.partner"].create({"name": "SARL Transports Catalans", "is_company": True,
                                                      "essms_payer_kind": "other"})
        cls.business_invoice = cls._invoice(cls.business, amount=2400.0, due=date(2026, 1, 31))
        cls.family = cls._create_payer("Famille Durand", kind="family")
        cls.family_invoice = cls._invoice(cls.family, amount=300.0, due=date(2026, 1, 31))

    def _proceeding(self, **vals):
        return self.env["essms.proceeding"].with_user(self.operator).create(vals)

    def _alerts(self, proceeding, day):
        with freeze_time(day):
            self.env["essms.proceeding"]._cron_deadline_alerts()
        return proceeding.activity_ids

    def test_collective_proceedings_from_publication_to_extinction(self):
        with freeze_time("2026-03-02"):
            mandataire = self.env["res.partner"].create({
                "name": "SELARL Mandataires Associés", "street": "12 quai Vauban", "zip": "66000",
                "city": "Perpignan", "country_id": self.env.ref("base.fr").id})
            proceeding = self._proceeding(kind="collective", partner_id=self.business.id,
                                          date_start=date(2026, 3, 2), reference="RG 26/00123",
                                          representative_id=mandataire.id)
        self.assertEqual(proceeding.move_ids, self.business_invoice)
        self.assertEqual((proceeding.date_declaration_deadline, proceeding.date_relief_deadline),
                         (date(2026, 5, 2), date(2026, 9, 2)))
        self.assertEqual(proceeding.hold_ids.reason, "collective_proceedings")
        # No reminder while the proceeding is open.
        with freeze_time("2026-03-10"):
            run = self._run(date(2026, 3, 10))
        self.assertNotIn(self.business_invoice, run.letter_ids.line_ids.move_id)
        # The declaration alert 15 days before its deadline, not before, once.
        self.assertFalse(self._alerts(proceeding, "2026-04-16"))
        alert = self._alerts(proceeding, "2026-04-17")
        self.assertEqual(len(alert), 1)
        self.assertIn("Declare the claims", alert.summary)
        self.assertEqual(self._alerts(proceeding, "2026-04-18"), alert)
        with freeze_time("2026-04-20"):
            proceeding.with_user(self.operator).action_declare()
        self.assertEqual((proceeding.date_declared, proceeding.amount_declared), (date(2026, 4, 20), 2400.0))
        letter = self.env["ir.attachment"].search([("res_model", "=", "essms.proceeding"),
                                                   ("res_id", "=", proceeding.id)])
        self.assertTrue(letter.raw.startswith(b"%PDF"), "the declaration letter to the mandataire")
        self.assertEqual(self.business_invoice.essms_prescription_date, date(2031, 4, 21),
                         "the declaration interrupts the prescription: 5 years from it")
        self.assertEqual(self._alerts(proceeding, "2026-08-03"), alert, "declared: no relief to ask")
        with freeze_time("2026-06-30"):
            proceeding.with_user(self.operator).write({"amount_admitted": 2000.0, "amount_rejected": 400.0,
                                                       "closure_reason": "lack_of_assets"})
            proceeding.with_user(self.operator).action_close()
        self.assertEqual(proceeding.date_closed, date(2026, 6, 30))
        self.assertEqual(proceeding.hold_ids.date_end, date(2026, 6, 30))
        writeoff = proceeding.writeoff_id
        self.assertEqual((writeoff.kind, writeoff.state, writeoff.amount), ("extinction", "draft", 2400.0))
        # A declaration after the closure is refused, and nothing is written.
        with freeze_time("2026-07-01"), self.assertRaises(UserError):
            proceeding.with_user(self.operator).action_declare()
        with freeze_time("2026-07-01"), self.assertRaises(ValidationError) as error:
            proceeding.with_user(self.operator).write({"date_declared": date(2026, 7, 1)})
        self.assertIn("after the closure", str(error.exception))
        self.assertEqual(proceeding.date_declared, date(2026, 4, 20))

    def test_not_declared_in_time_asks_for_relief(self):
        with freeze_time("2026-03-02"):
            proceeding = self._proceeding(kind="collective", partner_id=self.business.id, date_start=date(2026, 3, 2))
        self.assertEqual(len(self._alerts(proceeding, "2026-04-17")), 1)
        self.assertEqual(len(self._alerts(proceeding, "2026-08-02")), 1, "relief alert 30 days before its deadline")
        relief = self._alerts(proceeding, "2026-08-03")
        self.assertEqual(len(relief), 2)
        self.assertEqual(self._alerts(proceeding, "2026-08-04"), relief)

    def test_over_indebtedness_contest_window_and_erasure(self):
        with freeze_time("2026-03-01"):
            proceeding = self._proceeding(kind="over_indebtedness", partner_id=self.family.id,
                                          date_start=date(2026, 2, 20), date_statement=date(2026, 3, 1))
        self.assertEqual(proceeding.hold_ids.reason, "over_indebtedness")
        self.assertEqual(proceeding.date_contest_deadline, date(2026, 3, 31))
        self.assertFalse(self._alerts(proceeding, "2026-03-20"))
        alert = self._alerts(proceeding, "2026-03-21")
        self.assertEqual(len(alert), 1)
        self.assertEqual(self._alerts(proceeding, "2026-03-22"), alert)
        with freeze_time("2026-03-25"):
            run = self._run(date(2026, 3, 25))
        self.assertNotIn(self.family_invoice, run.letter_ids.line_ids.move_id)
        with freeze_time("2026-09-01"):
            proceeding.with_user(self.operator).write({"closure_reason": "erasure"})
            proceeding.with_user(self.operator).action_close()
        self.assertEqual((proceeding.writeoff_id.kind, proceeding.writeoff_id.reason), ("extinction", "erased"))

    def test_over_indebtedness_plan_followed_like_a_payment_plan(self):
        with freeze_time("2026-03-01"):
            proceeding = self._proceeding(kind="over_indebtedness", partner_id=self.family.id,
                                          date_start=date(2026, 2, 20), reference="BdF 066-26-0311")
            action = proceeding.with_user(self.operator).action_over_indebtedness_plan()
        plan = proceeding.payment_plan_id
        self.assertEqual((action["res_model"], action["res_id"]), ("essms.payment.plan", plan.id))
        self.assertEqual((plan.move_ids, plan.state), (self.family_invoice, "draft"))
        self.assertEqual(proceeding.with_user(self.operator).action_over_indebtedness_plan()["res_id"], plan.id,
                         "one plan per file")
        with freeze_time("2026-03-02"):
            plan.with_user(self.operator).write({"instalment_count": 3, "date_first": date(2026, 4, 5)})
            plan.with_user(self.operator).action_generate_instalments()
            plan.with_user(self.operator).action_sign()
        self.assertEqual(plan.state, "active")
        self.assertEqual(plan.instalment_ids.mapped("amount"), [100.0, 100.0, 100.0])
        self._pay(self.family_invoice, 100.0, date(2026, 4, 3))
        # The May instalment is missed: the notice on the day after, the plan broken after the notice delay.
        with freeze_time("2026-05-06"):
            self.env["essms.payment.plan"]._cron_monitor()
        self.assertEqual(plan.notice_for, date(2026, 5, 5))
        with freeze_time("2026-05-21"):
            self.env["essms.payment.plan"]._cron_monitor()
        self.assertEqual(plan.state, "broken")
        # The file is still open: its hold keeps the reminders off.
        with freeze_time("2026-05-22"):
            run = self._run(date(2026, 5, 22))
        self.assertNotIn(self.family_invoice, run.letter_ids.line_ids.move_id)
        with self.assertRaises(UserError):
            self._proceeding(kind="collective", partner_id=self.business.id,
                             date_start=date(2026, 2, 1)).action_over_indebtedness_plan()

    def test_estate_without_heirs_is_not_reminded(self):
        with freeze_time("2026-03-01"):
            run = self._run(date(2026, 3, 1))
            self.assertIn(self.r4, run.letter_ids.line_ids.move_id, "reminded before the estate is recorded")
            run.unlink()
            estate = self._proceeding(kind="estate", partner_id=self.martin.partner_id.id,
                                      date_start=date(2026, 2, 10))
            run = self._run(date(2026, 3, 1))
        self.assertNotIn(self.r4, run.letter_ids.line_ids.move_id)
        with self.assertRaises(UserError):
            estate.with_user(self.operator).action_notary_letter()

    def test_small_claims_answer_deadline_alerted_on_its_day_once(self):
        with freeze_time("2026-03-02"):
            small = self._proceeding(kind="small_claims", partner_id=self.family.id, date_start=date(2026, 3, 2),
                                     reference="PC 26-0042")
        self.assertEqual(small.hold_ids.reason, "court_procedure")
        self.assertEqual(small.date_answer_deadline, date(2026, 4, 2))
        with freeze_time("2026-03-10"):
            run = self._run(date(2026, 3, 10))
        self.assertNotIn(self.family_invoice, run.letter_ids.line_ids.move_id, "no reminder during the procedure")
        self.assertFalse(self._alerts(small, "2026-04-01"))
        alert = self._alerts(small, "2026-04-02")
        self.assertEqual(len(alert), 1)
        self.assertIn("apply for a payment order", alert.summary)
        self.assertEqual(self._alerts(small, "2026-04-03"), alert, "once")

    def test_small_claims_above_5000_refused(self):
        big = self._invoice(self.business, amount=4000.0, due=date(2026, 1, 31))
        count = self.env["essms.proceeding"].search_count([])
        with freeze_time("2026-03-02"), self.assertRaises(ValidationError) as error:
            self._proceeding(kind="small_claims", partner_id=self.business.id, date_start=date(2026, 3, 2))
        self.assertIn("SARL Transports Catalans", str(error.exception))
        self.assertIn("5\xa0000,00\xa0€", str(error.exception))
        self.assertEqual(self.env["essms.proceeding"].search_count([]), count, "nothing recorded")
        self.assertFalse(self.env["essms.recovery.hold"].search([("partner_id", "=", self.business.id)]))
        with freeze_time("2026-03-02"):
            small = self._proceeding(kind="small_claims", partner_id=self.business.id, date_start=date(2026, 3, 2),
                                     move_ids=[(6, 0, big.ids)])
        self.assertEqual(small.move_ids, big, "the claims chosen, 4 000 €: accepted")

    def test_payment_order_deadlines_each_alerted_on_its_day_once(self):
        with freeze_time("2026-03-02"):
            order = self._proceeding(kind="payment_order", partner_id=self.business.id, date_start=date(2026, 3, 2),
                                     reference="IP 26/118")
        self.assertEqual(order.date_serve_deadline, date(2026, 9, 2))
        # Serve within 6 months: alerted 15 days before, not the day before that, once.
        self.assertFalse(self._alerts(order, "2026-08-17"))
        service = self._alerts(order, "2026-08-18")
        self.assertEqual(len(service), 1)
        self.assertIn("served by 02/09/2026", service.summary)
        self.assertEqual(self._alerts(order, "2026-08-19"), service)
        service.action_feedback()
        with freeze_time("2026-08-20"):
            order.with_user(self.operator).date_served = date(2026, 8, 20)
        self.assertEqual((order.date_objection_deadline, order.date_formula_deadline),
                         (date(2026, 9, 20), date(2026, 10, 20)))
        # One month to object: alerted on its last day.
        self.assertFalse(self._alerts(order, "2026-09-19"))
        objection = self._alerts(order, "2026-09-20")
        self.assertEqual(len(objection), 1)
        self.assertIn("time to object ends on 20/09/2026", objection.summary)
        self.assertEqual(self._alerts(order, "2026-09-21"), objection)
        objection.action_feedback()
        # Then one month to ask for the enforceable formula: alerted 10 days before.
        self.assertFalse(self._alerts(order, "2026-10-09"))
        formula = self._alerts(order, "2026-10-10")
        self.assertEqual(len(formula), 1)
        self.assertIn("enforceable formula by 20/10/2026", formula.summary)
        self.assertEqual(self._alerts(order, "2026-10-11"), formula, "once")
        # Asked too early: refused, nothing written; on time: accepted.
        with freeze_time("2026-10-12"):
            with self.assertRaises(ValidationError) as error:
                order.with_user(self.operator).date_formula = date(2026, 9, 15)
            self.assertIn("time to object has run out", str(error.exception))
            order.with_user(self.operator).date_formula = date(2026, 10, 12)
        self.assertEqual(order.date_formula, date(2026, 10, 12))

    def test_payment_order_bad_dates_refused(self):
        with freeze_time("2026-03-02"):
            order = self._proceeding(kind="payment_order", partner_id=self.business.id, date_start=date(2026, 3, 2))
        with freeze_time("2026-12-01"):
            with self.assertRaises(ValidationError) as error:
                order.with_user(self.operator).date_served = date(2026, 9, 3)
            self.assertIn("lapsed", str(error.exception))
            with self.assertRaises(ValidationError):
                order.with_user(self.operator).date_served = date(2026, 3, 1)
            with self.assertRaises(ValidationError):
                order.with_user(self.operator).date_objection = date(2026, 4, 1)
        self.assertFalse(order.date_served)

    def test_estate_heirs_recorded_as_debtors_and_written_to(self):
        with freeze_time("2026-03-01"):
            estate = self._proceeding(kind="estate", partner_id=self.martin.partner_id.id,
                                      date_start=date(2026, 2, 10), reference="Succession Martin")
        with self.assertRaisesRegex(UserError, "record the heirs first"):
            estate.with_user(self.operator).action_heirs_letter()
        notary = self.env["res.partner"].create({"name": "Maître Anne Roig, notaire", "street": "3 rue Foch",
                                                 "zip": "66000", "city": "Perpignan"})
        heirs = self.env["res.partner"].create([
            {"name": "Paul Martin", "street": "8 rue des Lilas", "zip": "66100", "city": "Perpignan"},
            {"name": "Lucie Martin", "street": "2 place Arago", "zip": "66000", "city": "Perpignan"},
        ])
        estate.with_user(self.operator).write({"representative_id": notary.id, "heir_ids": [(6, 0, heirs.ids)]})
        with freeze_time("2026-03-05"):
            estate.with_user(self.operator).action_notary_letter()
            estate.with_user(self.operator).action_heirs_letter()
        self.assertEqual(self.r4.essms_heir_ids, heirs, "the heirs are the claim's debtors")
        letters = self.env["ir.attachment"].search([("res_model", "=", "essms.proceeding"),
                                                    ("res_id", "=", estate.id)])
        self.assertEqual(len(letters), 3, "the notary's letter and one per heir")
        paul = letters.filtered(lambda letter: "Paul Martin" in letter.name)
        self.keep_pdf("estate_heir_letter.pdf", paul.raw)
        text = self.assert_pdf(paul.raw)
        self.assertIn("8 rue des Lilas", text)
        self.assertIn("8 rue des Lilas", text)
        names = " ".join(letters.mapped("name"))
        self.assertIn("Paul Martin", names)
        self.assertIn("Lucie Martin", names)
        html = self.env["ir.actions.report"].with_context(essms_recipient_id=heirs[0].id)._render_qweb_html(
            "essms_billing.report_proceeding_declaration", estate.ids)[0].decode()
        self.assertIn("8 rue des Lilas", html, "addressed to the heir")
        self.assertIn("article 870", html)
        self.assertIn(self.r4.name, html)
        # The runs still leave the deceased's claims out.
        with freeze_time("2026-03-10"):
            run = self._run(date(2026, 3, 10))
        self.assertNotIn(self.r4, run.letter_ids.filtered(lambda letter: letter.state != "excluded").line_ids.move_id)

    def test_a_debtor_without_open_claim_is_refused(self):
        stranger = self._create_payer("Famille Sans Dette", kind="family")
        count = self.env["essms.proceeding"].search_count([])
        with freeze_time("2026-03-01"), self.assertRaises(ValidationError) as error:
            self._proceeding(kind="over_indebtedness", partner_id=stranger.id, date_start=date(2026, 2, 20))
        self.assertIn("Famille Sans Dette", str(error.exception))
        self.assertEqual(self.env["essms.proceeding"].search_count([]), count)


@tagged("post_install", "-at_install")
class TestBailiffFile(LegalCommon):
    def test_bundle_and_csv_kept_on_the_debtor(self):
        with freeze_time("2026-06-01"):
            attachments = self.martin.partner_id.with_user(self.operator)._essms_make_bailiff_file()
        pdf = attachments.filtered(lambda attachment: attachment.mimetype == "application/pdf")
        csv_file = attachments - pdf
        self.assertTrue(pdf.raw.startswith(b"%PDF"))
        self.assertEqual((pdf.res_model, pdf.res_id), ("res.partner", self.martin.partner_id.id))
        lines = csv_file.raw.decode("utf-8-sig").splitlines()
        self.assertEqual(len(lines), 2)
        self.assertIn("%s;2024-03-15;2024-03-15;500,00;100,00;400,00;2026-10-11" % self.r4.name, lines[1])
        stranger = self._create_payer("Famille Sans Dette", kind="family")
        with self.assertRaises(UserError):
            stranger.with_user(self.operator)._essms_make_bailiff_file()
