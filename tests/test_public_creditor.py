"""Public-creditor mode (recovery-rules §4 and §5, example R5), as the recovery operator and the authorising officer.

A public EHPAD: a titre of 12,00 € is refused (below the 15 € floor); a titre of 480,00 € taken in charge on
5 January 2026, a mise en demeure de payer on 20 February, an SATD to the debtor's bank on 25 March (480,00 €
frozen, 646,52 € left available), a contest on the merits on 10 April within 2 months: enforcement suspended. The
prescription runs 4 years from the taking in charge and starts again from the SATD.
"""

import io
from datetime import date

from openpyxl import load_workbook

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import freeze_time
from odoo.tests import new_test_user
from odoo.tests import tagged

from .billing_common import BillingCommon
from .test_dunning import DunningCommon

JULY = date(2025, 7, 1)
OFFICER = "essms_billing.group_essms_authorising_officer"
TAKEN = date(2026, 1, 5)
NOTICE = date(2026, 2, 20)
SATD_DAY = date(2026, 3, 25)


@tagged("post_install", "-at_install")
class PublicCommon(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({
            "name": "EHPAD public Les Tilleuls",
            "essms_creditor_kind": "public_body",
            "essms_authorising_officer": "Le directeur, ordonnateur",
            "essms_public_accountant": "Service de gestion comptable de Perpignan",
            "essms_appeal_court": "le tribunal judiciaire de Perpignan",
        })
        cls.officer = new_test_user(
            cls.env, "public_officer", groups=OFFICER, company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)])
        with freeze_time(TAKEN):
            cls.titre = cls._invoice(cls.martin.partner_id, amount=480.0, due=date(2026, 1, 4))
            cls.titre.with_user(cls.operator)._essms_take_in_charge(TAKEN)
        cls.bank = cls.env["essms.debtor.third.party"].create({
            "debtor_id": cls.martin.partner_id.id,
            "partner_id": cls.env["res.partner"].create({"name": "Banque Populaire du Sud"}).id,
            "kind": "bank", "source": "FICOBA", "date_info": date(2026, 3, 1), "reference": "FR76 1234",
        })
        cls.caf = cls.env["essms.debtor.third.party"].create({
            "debtor_id": cls.martin.partner_id.id,
            "partner_id": cls.env["res.partner"].create({"name": "CAF des Pyrénées-Orientales"}).id,
            "kind": "caf", "benefit": "rsa", "source": "CAF", "date_info": date(2026, 3, 1),
        })

    def _authorise(self, **vals):
        return self.env["essms.enforcement.authorisation"].with_user(self.officer).create(
            {"scope": "titres", "move_ids": [Command.set(self.titre.ids)], "date": NOTICE, **vals})

    def _satd(self, third_party=None, **vals):
        return self.env["essms.third.party.notice"].with_user(self.operator).create({
            "debtor_id": self.martin.partner_id.id,
            "third_party_id": (third_party or self.bank).id,
            "move_ids": [Command.set(self.titre.ids)],
            "amount": 480.0,
            "date": SATD_DAY,
            **vals,
        })

    def assertNothingIssued(self, notice, *parts):
        events = self.env["essms.recovery.event"].search_count([])
        stage = self.titre.essms_recovery_stage
        with self.assertRaises(UserError) as caught:
            notice.action_issue()
        message = str(caught.exception)
        self.assertIn("No SATD was issued", message)
        for part in parts:
            self.assertIn(part, message)
        self.assertEqual(notice.state, "draft")
        self.assertFalse(notice.frozen_amount)
        self.assertEqual(self.env["essms.recovery.event"].search_count([]), events)
        self.assertEqual(self.titre.essms_recovery_stage, stage)


@tagged("post_install", "-at_install")
class TestPublicCreditor(PublicCommon):
    @freeze_time("2026-04-15")
    def test_example_r5_end_to_end(self):
        # The 12,00 € titre is refused: nothing posted.
        small = self.env["account.move"].create({
            "move_type": "out_invoice", "partner_id": self.martin.partner_id.id, "journal_id": self.journal.id,
            "invoice_date": TAKEN,
            "invoice_line_ids": [Command.create({"name": "Repas", "price_unit": 12.0, "tax_ids": []})],
        })
        with self.assertRaises(UserError) as caught:
            small.action_post()
        self.assertIn("12,00 € is below the 15,00 € floor of a titre", str(caught.exception))
        self.assertEqual(small.state, "draft")

        # The 480,00 € titre, taken in charge on 5 January: barred 4 years later.
        self.assertEqual(self.titre.essms_taken_in_charge, TAKEN)
        self.assertEqual(self.titre.essms_prescription_date, date(2030, 1, 6))
        # The mise en demeure de payer does not interrupt.
        self.env["essms.recovery.event"].with_user(self.operator).create({
            "kind": "written_demand", "date": NOTICE, "move_ids": [Command.set(self.titre.ids)]})
        self.assertEqual(self.titre.essms_prescription_date, date(2030, 1, 6))

        # The authorising officer authorises enforcement of the titre; the operator issues the SATD to the bank.
        self._authorise()
        satd = self._satd()
        satd.action_issue()
        self.assertEqual(satd.state, "issued")
        self.assertEqual(satd.frozen_amount, 480.0, "below 2 000 €: only its amount is frozen")
        self.assertFalse(satd.whole_balance)
        self.assertEqual(satd.left_available, 646.52, "the unseizable balance: the monthly RSA for one person")
        self.assertEqual(satd.block_end, date(2026, 4, 9))
        self.assertEqual(satd.pay_by, date(2026, 4, 24))
        self.assertTrue(satd.name.startswith("SATD/"))
        self.assertEqual(satd.event_id.kind, "enforcement_act")
        self.assertEqual(self.titre.essms_recovery_stage, "enforcing")
        self.assertEqual(self.titre.essms_prescription_date, date(2030, 3, 26), "the SATD starts a new period")

        # The debtor contests the merits on 10 April, within 2 months of the mise en demeure: suspended.
        self.env["essms.recovery.hold"].with_user(self.operator).create({
            "reason": "contest_merits", "move_id": self.titre.id, "date_start": date(2026, 4, 10),
            "date_notified": NOTICE})
        second = self._satd(date=date(2026, 4, 15), amount=100.0)
        self.assertNothingIssued(second, "enforcement is suspended", "Contest on the merits")

        # Both documents print what was stored.
        for xmlid in ("essms_billing.action_report_essms_satd_third_party",
                      "essms_billing.action_report_essms_satd_debtor"):
            html = self.env["ir.actions.report"]._render_qweb_html(xmlid, satd.ids)[0].decode()
            self.assertIn("480,00", html)
            self.assertIn("646,52", html)
            self.assertIn("Banque Populaire du Sud", html)

    @freeze_time("2026-04-15")
    def test_a_late_contest_does_not_suspend(self):
        with self.assertRaises(ValidationError) as caught:
            self.env["essms.recovery.hold"].with_user(self.operator).create({
                "reason": "contest_merits", "move_id": self.titre.id, "date_start": date(2026, 4, 15),
                "date_notified": date(2026, 2, 10)})
        self.assertIn("after the 2-month delay that ran out on 10/04/2026", str(caught.exception))

    @freeze_time("2026-04-15")
    def test_a_stay_of_payment_suspends_enforcement(self):
        self._authorise()
        self.env["essms.recovery.hold"].with_user(self.operator).create({
            "reason": "stay_of_payment", "partner_id": self.martin.partner_id.id, "date_start": date(2026, 3, 1)})
        self.assertNothingIssued(self._satd(), "Stay of payment")

    @freeze_time("2026-04-15")
    def test_only_the_authorising_officer_authorises(self):
        with self.assertRaises(AccessError):
            self.env["essms.enforcement.authorisation"].with_user(self.operator).create(
                {"scope": "permanent", "date": NOTICE})
        # Without the authorisation, the operator's SATD is refused on the server.
        self.assertNothingIssued(self._satd(), "has not authorised enforcement of %s" % self.titre.name)
        # The officer cannot issue it himself.
        with self.assertRaises(AccessError):
            self._satd().with_user(self.officer).write({"amount": 10})
        # A permanent authorisation covers every titre of the company.
        self.env["essms.enforcement.authorisation"].with_user(self.officer).create(
            {"scope": "permanent", "date": NOTICE})
        notice = self._satd()
        notice.action_issue()
        self.assertEqual(notice.state, "issued")

    @freeze_time("2026-04-15")
    def test_bad_input_nothing_issued(self):
        self._authorise()
        self.assertNothingIssued(self._satd(self.caf), "CAF des Pyrénées-Orientales pays the debtor RSA",
                                 "never seizable")
        self.caf.benefit = "aah"
        self.assertNothingIssued(self._satd(self.caf, upkeep=False), "only for the person's own upkeep costs")
        self.assertNothingIssued(self._satd(amount=480.01),
                                 "The SATD claims 480,01 €, more than the 480,00 € still due")
        self.env["essms.satd.threshold"].create({"company_id": self.company.id, "kind": "bank", "amount": 500.0})
        self.assertNothingIssued(self._satd(), "below the 500,00 € threshold agreed for a third party of kind Bank")
        # Two SATDs issued together: one refused, none issued.
        good = self._satd(self.caf, upkeep=True)
        bad = self._satd()
        events = self.env["essms.recovery.event"].search_count([])
        with self.assertRaises(UserError):
            (good | bad).action_issue()
        self.assertEqual((good | bad).mapped("state"), ["draft", "draft"])
        self.assertEqual(self.env["essms.recovery.event"].search_count([]), events)

    @freeze_time("2026-04-30")
    def test_answer_matched_to_the_titres(self):
        self._authorise()
        notice = self._satd()
        notice.action_issue()
        notice.write({"answer": "funds", "answer_date": date(2026, 4, 20), "amount_received": 480.0})
        notice.action_record_answer()
        self.assertEqual(notice.state, "answered")
        self.assertEqual(self.titre.payment_state, "paid")
        self.assertIn(self.titre.name, notice.allocation)

    def test_public_dunning_path_ends_with_the_mise_en_demeure_de_payer(self):
        policies = self.env["essms.dunning.policy"]._policy_by_kind(self.company)
        self.assertEqual(policies["resident"], self.env.ref("essms_billing.dunning_policy_public_resident"))
        # Taken in charge, the titre is enforceable (recovery-rules §1, P), and the public policy still reaches it.
        self.assertEqual(self.titre.essms_recovery_stage, "enforceable")
        with freeze_time("2026-02-05"):
            first = self._send(date(2026, 2, 5))
        self.assertEqual(first.letter_ids.level_id.letter_kind, "reminder")
        self.assertEqual(self.titre.essms_recovery_stage, "enforceable", "a reminder does not make it amicable again")
        self.assertEqual(self.titre.essms_dunning_level_id, first.letter_ids.level_id)
        with freeze_time("2026-03-10"):
            run = self._run(date(2026, 3, 10))
        letter = run.letter_ids
        self.assertEqual(letter.level_id.letter_kind, "public_formal_notice")
        self.assertEqual(letter.line_ids.move_id, self.titre)
        html = self.env["ir.actions.report"]._render_qweb_html(
            "essms_billing.action_report_essms_dunning_letter", letter.ids)[0].decode()
        self.assertIn("MISE EN DEMEURE DE PAYER", html)
        self.assertIn("saisie administrative à tiers détenteur", html)
        self.assertIn("Service de gestion comptable de Perpignan", html)
        self.assertNotIn("legal rate", html, "no legal interest on a titre")
        # An association's policy cannot carry the public notice, nor a public policy the formal notice.
        with self.assertRaises(ValidationError):
            self.env.ref("essms_billing.dunning_policy_public_resident_notice").letter_kind = "formal_notice"

    @freeze_time("2026-04-15")
    def test_mass_satd_reviewed_then_issued(self):
        other = self._resident("Paul Garcia")
        with freeze_time(TAKEN):
            second = self._invoice(other.partner_id, amount=300.0, due=date(2026, 1, 4))
            second._essms_take_in_charge(TAKEN)
        # Only the first titre is authorised: its SATD is issued, the other one stays a draft with its reason.
        self._authorise()
        action = (self.titre | second).with_user(self.operator).action_essms_prepare_satd()
        batch = self.env["essms.enforcement.batch"].browse(action["res_id"])
        self.assertEqual(batch.not_prepared, "No bank known for: Paul Garcia")
        self.assertEqual(len(batch.notice_ids), 1)
        self.env["essms.debtor.third.party"].create({
            "debtor_id": other.partner_id.id, "kind": "bank", "source": "FICOBA",
            "partner_id": self.env["res.partner"].create({"name": "Crédit Agricole"}).id})
        batch2 = self.env["essms.enforcement.batch"].browse(
            (self.titre | second).with_user(self.operator).action_essms_prepare_satd()["res_id"])
        self.assertEqual(len(batch2.notice_ids), 2)
        self.assertEqual(sorted(batch2.notice_ids.mapped("amount")), [300.0, 480.0])
        batch2.with_user(self.operator).action_issue()
        issued = batch2.notice_ids.filtered(lambda notice: notice.state == "issued")
        self.assertEqual(issued.move_ids, self.titre)
        self.assertEqual((batch2.notice_ids - issued).state, "draft")
        self.assertIn("has not authorised enforcement of %s" % second.name, batch2.message_ids[0].body)

    def test_switching_the_creditor_kind_is_refused_once_posted(self):
        with self.assertRaises(UserError) as caught:
            self.company.essms_creditor_kind = "association"
        self.assertIn("already posted invoices", str(caught.exception))
        self.assertEqual(self.company.essms_creditor_kind, "public_body")
        with self.assertRaises(UserError):
            self.env["res.company"].with_user(self.operator)._essms_migrate_creditor_kind(self.company, "association")
        self.env["res.company"]._essms_migrate_creditor_kind(self.company, "association")
        self.assertEqual(self.company.essms_creditor_kind, "association")
        # Back in association mode, a small invoice posts as before.
        small = self._invoice(self.martin.partner_id, amount=12.0)
        self.assertEqual(small.state, "posted")

    def test_write_off_list_goes_to_the_deliberative_assembly(self):
        Board = self.env["essms.writeoff.board"].with_company(self.company)
        self.assertEqual(Board.default_get(["body"])["body"], "assembly")
        self.company.with_context(essms_creditor_migration=True).essms_creditor_kind = "association"
        self.assertEqual(Board.default_get(["body"])["body"], "board")

    def test_printed_titre_carries_the_avis_mentions(self):
        html = self.env["ir.actions.report"]._render_qweb_html("account.account_invoices", self.titre.ids)[0].decode()
        self.assertIn("Avis des sommes à payer", html)
        self.assertIn("Service de gestion comptable de Perpignan", html)
        self.assertIn("CGCT L1617-5", html)



@tagged("post_install", "-at_install")
class TestPublicRun(BillingCommon):
    @freeze_time("2025-08-05")
    def test_run_issues_titres_in_the_public_series_and_none_below_the_floor(self):
        company = self.establishment.company_id
        titres = self.env["account.journal"].create(
            {"name": "Titres de recettes", "code": "TIT", "type": "sale", "company_id": company.id})
        company.write({"essms_creditor_kind": "public_body", "essms_titre_journal_id": titres.id})
        stay = self._create_resident("Martin")
        self._example_c(stay)
        self._validated_statement(self.establishment, JULY)
        run = self._run(self.establishment, JULY)
        run.action_compute()
        resident = run.line_ids.filtered(lambda line: line.role == "resident")
        resident.amount = 12.0
        run.action_invoice()
        self.assertEqual(run.state, "invoiced", "the line set aside is not left to bill")
        self.assertTrue(resident.titre_refused)
        self.assertFalse(resident.move_id)
        self.assertEqual(len(run.move_ids), 1)
        self.assertEqual(run.move_ids.journal_id, titres)
        self.assertTrue(run.move_ids.name.startswith("TIT/"))
        self.assertIn("1 titres not issued, below the floor", "".join(run.message_ids.mapped("body")))
        self.assertIn("12,00 € is below the 15,00 € floor", "".join(run.message_ids.mapped("body")))


@tagged("post_install", "-at_install")
class TestPublicReferral(PublicCommon):
    @freeze_time("2026-04-15")
    def test_referral_to_the_commissaire_needs_the_authorisation(self):
        debtor = self.martin.partner_id.with_user(self.operator)
        with self.assertRaises(UserError) as caught:
            debtor._essms_make_bailiff_file()
        self.assertIn("no referral to the commissaire de justice without that permission", str(caught.exception))
        self._authorise()
        self.env["essms.recovery.hold"].create({
            "reason": "stay_of_payment", "move_id": self.titre.id, "date_start": date(2026, 4, 1)})
        with self.assertRaises(UserError) as caught:
            debtor._essms_make_bailiff_file()
        self.assertIn("suspended by a contest or a stay of payment", str(caught.exception))

    @freeze_time("2026-04-15")
    def test_referral_file_opens_on_the_titres_enforceable_and_the_acts_done(self):
        self._authorise()
        notice = self._satd(amount=100.0)
        notice.action_issue()
        self.env["essms.recovery.event"].with_user(self.operator).create({
            "kind": "written_demand", "date": NOTICE, "move_ids": [Command.set(self.titre.ids)],
            "reference": "1A 234 567 8901 2"})
        debtor = self.martin.partner_id.with_user(self.operator)
        html = self.env["ir.actions.report"]._render_qweb_html(
            "essms_billing.action_report_essms_public_referral", debtor.ids)[0].decode()
        for text in ("REFERRAL TO THE COMMISSAIRE DE JUSTICE", "L252 A", self.titre.name, "Service de gestion "
                     "comptable de Perpignan", self.officer.name, notice.name, "Banque Populaire du Sud",
                     "1A 234 567 8901 2", "05/01/2026"):
            self.assertIn(text, html)
        attachments = debtor._essms_make_bailiff_file()
        bundle = attachments.filtered(lambda attachment: attachment.mimetype == "application/pdf")
        self.assertTrue(bundle.raw.startswith(b"%PDF"))
        self.assertEqual(len(attachments), 2, "the PDF bundle and the CSV of the titres")


@tagged("post_install", "-at_install")
class TestPublicWageSeizure(PublicCommon):
    @freeze_time("2026-04-15")
    def test_satd_to_an_employer_withholds_the_quotite_saisissable(self):
        """A monthly net wage of 1 500,00 € without dependent, scale of 2026 (décret n° 2025-1299): 18,67 + 35,42 +
        71,17 + 88,13 + 21,39 = 234,78 € a month, below the 480,00 € claimed."""
        self._authorise()
        employer = self.env["essms.debtor.third.party"].create({
            "debtor_id": self.martin.partner_id.id,
            "partner_id": self.env["res.partner"].create({"name": "Mairie de Prades"}).id,
            "kind": "employer", "source": "debtor", "date_info": date(2026, 3, 1),
        })
        self.assertNothingIssued(self._satd(employer), "needs the debtor's monthly net wage")
        self.assertNothingIssued(self._satd(employer, wage=1500.0, dependents=-1),
                                 "The number of dependents cannot be negative (-1)")
        self.assertNothingIssued(self._satd(employer, wage=600.0),
                                 "A monthly net wage of 600,00 € leaves nothing seizable", "646,52 €")
        notice = self._satd(employer, wage=1500.0)
        notice.action_issue()
        self.assertEqual(notice.state, "issued")
        self.assertEqual(notice.wage_scale_amount, 234.78)
        self.assertEqual(notice.wage_seizable, 234.78)
        self.assertEqual(notice.monthly_withholding, 234.78)
        self.assertEqual(notice.frozen_amount, 480.0)
        self.assertEqual([band["fraction"] for band in notice.wage_bands], ["1/20", "1/10", "1/5", "1/4", "1/3"])
        self.assertEqual([band["amount"] for band in notice.wage_bands], [18.67, 35.42, 71.17, 88.13, 21.39])
        html = self.env["ir.actions.report"]._render_qweb_html(
            "essms_billing.action_report_essms_satd_third_party", notice.ids)[0].decode()
        self.assertIn("essms_satd_wage_bands", html)
        for text in ("373,33", "354,17", "1/20", "234,78", "1\xa0500,00"):
            self.assertIn(text, html)
        # Two dependents and a higher wage: capped at the claim.
        second = self._satd(employer, wage=2400.0, dependents=2, amount=400.0, date=date(2026, 4, 15))
        second.action_issue()
        self.assertEqual(second.wage_seizable, 559.56)
        self.assertEqual(second.monthly_withholding, 400.0)


@tagged("post_install", "-at_install")
class TestPublicWording(PublicCommon):
    """The ageing sheet and the dashboard's workbook speak of titres and restes à recouvrer for a public body, of
    invoices and outstanding amounts for an association."""

    def _headers(self, book, sheet):
        return [cell.value for cell in book[sheet][4]]

    def _books(self):
        ageing = self.env["essms.receivable.ageing.export"].create({"date": date(2026, 4, 15)})
        dashboard = self.env["essms.recovery.dashboard"].create(
            {"date_from": date(2026, 1, 1), "date_to": date(2026, 4, 15)})
        return (load_workbook(io.BytesIO(ageing._render_xlsx())),
                load_workbook(io.BytesIO(self.env["essms.recovery.dashboard.xlsx"]._render(
                    dashboard, dashboard._figures()))))

    def test_public_body_workbooks_speak_of_titres(self):
        ageing, dashboard = self._books()
        summary = ageing["Summary"]
        self.assertTrue(summary["A1"].value.startswith("Titres remaining to recover – EHPAD public Les Tilleuls"))
        self.assertEqual(summary["A2"].value, "All the titres remaining to recover")
        self.assertEqual(self._headers(ageing, "Summary")[0], "Kind of debtor")
        kind_sheet = ageing.sheetnames[1]
        self.assertEqual(self._headers(ageing, kind_sheet)[:5],
                         ["Debtor of the titre", "Establishment", "Beneficiary", "Titre", "Date of the titre"])
        self.assertIn(self.titre.name, [row[3] for row in ageing[kind_sheet].iter_rows(min_row=5, values_only=True)])

        self.assertIn("Remaining to recover", dashboard.sheetnames)
        self.assertIn("Titres close to prescription", dashboard.sheetnames)
        self.assertEqual(dashboard["Summary"]["A1"].value, "Titres remaining to recover – EHPAD public Les Tilleuls")
        figures = [row[0] for row in dashboard["Summary"].iter_rows(min_row=5, values_only=True)]
        for label in ("Titres issued in the period", "Amount of the titres issued",
                      "Reductions and cancellations of titres", "Remaining to recover on the end date"):
            self.assertIn(label, figures)
        self.assertEqual(self._headers(dashboard, "DSO")[:3],
                         ["Kind of debtor", "Titres issued (net of reductions)", "Remaining to recover"])
        self.assertEqual(self._headers(dashboard, "Stages"), ["Stage", "Titres", "Remaining to recover"])

    def test_association_workbooks_keep_their_words(self):
        self.env["res.company"]._essms_migrate_creditor_kind(self.company, "association")
        ageing, dashboard = self._books()
        self.assertTrue(ageing["Summary"]["A1"].value.startswith("Due-date tracking sheet – EHPAD public Les Tilleuls"))
        self.assertEqual(self._headers(ageing, "Summary")[0], "Payer kind")
        self.assertEqual(self._headers(ageing, ageing.sheetnames[1])[:5],
                         ["Payer", "Establishment", "Beneficiary", "Document", "Document date"])
        self.assertIn("Outstanding", dashboard.sheetnames)
        self.assertNotIn("Remaining to recover", dashboard.sheetnames)
        self.assertEqual(dashboard["Summary"]["A1"].value, "Recovery dashboard – EHPAD public Les Tilleuls")
        self.assertEqual(self._headers(dashboard, "Stages"), ["Stage", "Claims", "Outstanding"])
