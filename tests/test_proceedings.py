"""Insolvency, over-indebtedness and estates (recovery-rules §6), as the billing operator, with frozen dates."""

from datetime import date

from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import freeze_time
from odoo.tests import tagged

from .test_legal_events import LegalCommon


@tagged("post_install", "-at_install")
class TestProceedings(LegalCommon):
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


@tagged("post_install", "-at_install")
class TestLegalDemo(LegalCommon):
    def test_demo_has_one_claim_in_each_situation(self):
        with freeze_time("2026-12-01"):
            made = self.env["essms.demo.generator"]._setup_legal_scenarios(self.company.id)
        self.assertEqual(made["mediation"].essms_prescription_date, date(2027, 1, 2),
                         "6 months at least after the mediation's end")
        self.assertTrue(date(2026, 12, 1) < made["resident"].essms_prescription_date <= date(2027, 3, 1))
        self.assertEqual(made["collective"].date_declaration_deadline, date(2027, 1, 11))
        self.assertEqual(made["over_indebtedness"].date_contest_deadline, date(2026, 12, 26))
        self.assertEqual(made["estate"].hold_ids.reason, "deceased")
