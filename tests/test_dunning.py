"""Dunning runs (recovery-rules §1, §2): proposal → review → send, as the billing operator.

Residents are reminded by the shipped policy: reminder D+15, firm reminder D+30, phone call D+35, formal notice
D+45 by registered letter; départements get an administrative reminder at D+30 and a written payment demand at
D+60. Every invoice below is 723.32 € (a month of resident contribution) due on 31 January 2026 unless stated.
"""

import io
from contextlib import nullcontext
from datetime import date
from unittest.mock import patch

from odoo import Command
from odoo import fields
from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import freeze_time
from odoo.tests import new_test_user
from odoo.tests import tagged
from odoo.tools import SQL
from odoo.tools import mute_logger
from odoo.tools.pdf import OdooPdfFileReader

from ..models import essms_dunning_letter_line as line_module
from ..models import essms_dunning_run as run_module
from .common import EssmsFixtureMixin
from .pdf_common import PdfMixin
from .pdf_common import pdf_pages_text

OPERATOR = "essms_billing.group_essms_operator"
ESTABLISHMENT = "essms_billing.group_essms_establishment"
DUE = date(2026, 1, 31)
AMOUNT = 723.32
SMTP_CONNECT = "odoo.addons.base.models.ir_mail_server.IrMailServer.connect"
SMTP_SEND = "odoo.addons.base.models.ir_mail_server.IrMailServer.send_email"


class DunningCommon(AccountTestInvoicingCommon, EssmsFixtureMixin):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.groups_id = [Command.link(cls.env.ref("essms_billing.group_essms_manager").id)]
        cls.company = cls.company_data["company"]
        cls.env.ref("base.lang_fr").active = True
        cls.env.ref("base.EUR").active = True
        cls.company.write({
            "name": "Association Les Oliviers",
            "currency_id": cls.env.ref("base.EUR").id,
            "street": "2 avenue de la Gare",
            "zip": "66000",
            "city": "Perpignan",
            "country_id": cls.env.ref("base.fr").id,
            "siret": "33417522100004",
            "email": "recouvrement@association.example",
            "phone": "04 68 00 00 00",
        })
        cls.operator = new_test_user(
            cls.env, "dunning_operator", groups=OPERATOR, company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.journal = cls.company_data["default_journal_sale"]
        cls.residents = cls.env.ref("essms_billing.dunning_policy_resident")
        cls.level = {
            key: cls.env.ref("essms_billing.dunning_policy_resident_%s" % key)
            for key in ("reminder", "firm", "call", "notice")
        }
        cls.departements = cls.env.ref("essms_billing.dunning_policy_departement")
        cls.establishment = cls._create_establishment("Foyer de vie Les Albères", code="ALB")
        cls.martin = cls._resident("Jeanne Martin", "66100", "Perpignan")

    @classmethod
    def _resident(cls, name, zip_code="66000", city="Perpignan", **beneficiary):
        beneficiary = cls._create_beneficiary(name, **beneficiary)
        beneficiary.partner_id.write({"street": "1 rue des Lilas", "zip": zip_code, "city": city, "lang": "fr_FR"})
        return beneficiary

    @classmethod
    def _invoice(cls, partner, amount=AMOUNT, due=DUE, beneficiary=None, move_type="out_invoice"):
        move = cls.env["account.move"].create({
            "move_type": move_type,
            "partner_id": partner.id,
            "journal_id": cls.journal.id,
            "invoice_date": due,
            "invoice_date_due": due,
            "essms_beneficiary_id": beneficiary.id if beneficiary else False,
            "invoice_line_ids": [Command.create({"name": "Contribution", "price_unit": amount, "tax_ids": []})],
        })
        move.action_post()
        return move

    def _run(self, day):
        run = self.env["essms.dunning.run"].with_user(self.operator).create({"date": day})
        run.action_propose()
        return run

    def _send(self, day):
        return self._deliver(self._run(day))

    def _deliver(self, run):
        """*Send*, then what the sending job does with the queued letters."""
        run.action_send()
        run._send_queued()
        return run

    def _letter(self, run, partner):
        return run.letter_ids.filtered(lambda letter: letter.partner_id == partner)


@tagged("post_install", "-at_install")
class TestDunningLevels(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Letters are printed for real in these tests only where a test looks at them: the others mock the PDF.
        cls.startClassPatcher(patch(
            "odoo.addons.essms_billing.models.essms_dunning_letter.EssmsDunningLetter._render_document",
            autospec=True,
            side_effect=lambda letter: None,
        ))

    def test_each_level_at_its_delay_then_nothing_more(self):
        move = self._invoice(self.martin.partner_id)
        self.assertFalse(self._run(date(2026, 2, 14)).letter_ids, "14 days late: too early for a reminder")
        steps = [
            (date(2026, 2, 15), "reminder", "reminded"),
            (date(2026, 3, 2), "firm", "firm_reminder"),
            (date(2026, 3, 7), "call", "firm_reminder"),
            (date(2026, 3, 17), "notice", "formal_notice"),
        ]
        for day, level, stage in steps:
            run = self._send(day)
            letter = self._letter(run, self.martin.partner_id)
            self.assertEqual(letter.level_id, self.level[level])
            self.assertEqual(letter.state, "sent")
            self.assertEqual(letter.amount_due, AMOUNT)
            self.assertEqual((move.essms_recovery_stage, move.essms_dunning_level_id, move.essms_dunning_date),
                             (stage, self.level[level], day))
        self.assertTrue(letter.registered_letter, "the formal notice goes by registered letter")
        self.assertFalse(self._run(date(2026, 5, 1)).letter_ids, "after the formal notice the amicable phase ends")

    def test_phone_level_schedules_a_call(self):
        self._invoice(self.martin.partner_id)
        self._send(date(2026, 2, 15))
        self._send(date(2026, 3, 2))
        run = self._send(date(2026, 3, 7))
        call = self.martin.partner_id.activity_ids.filtered(
            lambda activity: activity.activity_type_id == self.env.ref("mail.mail_activity_data_call")
        )
        self.assertEqual(len(call), 1)
        self.assertIn("723,32", call.summary.replace("\N{NO-BREAK SPACE}", " ").replace(".", ","))
        self.assertFalse(self._letter(run, self.martin.partner_id).channel_letter)

    def test_missed_runs_advance_one_level_at_a_time(self):
        move = self._invoice(self.martin.partner_id)
        self._send(date(2026, 5, 1))
        self.assertEqual(move.essms_dunning_level_id, self.level["reminder"], "90 days late but never reminded")
        self.assertFalse(self._run(date(2026, 5, 10)).letter_ids, "the firm reminder waits 15 days")
        self.assertEqual(self._letter(self._run(date(2026, 5, 16)), self.martin.partner_id).level_id,
                         self.level["firm"])

    def test_partial_payment_reminds_what_is_left(self):
        move = self._invoice(self.martin.partner_id)
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=move.ids).create(
            {"amount": 500.0, "payment_date": date(2026, 2, 10)}
        )._create_payments()
        letter = self._letter(self._run(date(2026, 2, 20)), self.martin.partner_id)
        self.assertRecordValues(letter.line_ids, [{"amount_total": 723.32, "residual": 223.32, "amount_due": 223.32}])
        self.assertEqual(letter.amount_due, 223.32)

    def test_unallocated_credit_note_is_netted_on_the_oldest_invoice(self):
        january = self._invoice(self.martin.partner_id)
        february = self._invoice(self.martin.partner_id, due=date(2026, 2, 28))
        self._invoice(self.martin.partner_id, amount=800.0, due=date(2026, 3, 5), move_type="out_refund")
        letter = self._letter(self._run(date(2026, 3, 20)), self.martin.partner_id)
        # 800.00 pays January (723.32) and 76.68 of February: 646.64 is still due, on February only.
        self.assertEqual(letter.line_ids.move_id, february)
        self.assertRecordValues(letter.line_ids, [{"residual": 723.32, "amount_due": 646.64}])
        self.assertEqual((letter.amount_due, letter.credits_netted), (646.64, 800.0))
        self.assertNotIn(january, letter.line_ids.move_id)

    def test_no_reminder_for_a_debt_already_paid(self):
        self._invoice(self.martin.partner_id)
        self._invoice(self.martin.partner_id, move_type="out_refund", due=date(2026, 2, 3))
        self.assertFalse(self._run(date(2026, 2, 20)).letter_ids)

    def test_holds_on_an_invoice_a_payer_a_beneficiary(self):
        move = self._invoice(self.martin.partner_id)
        hold_model = self.env["essms.recovery.hold"].with_user(self.operator)
        for target in ({"move_id": move.id}, {"partner_id": self.martin.partner_id.id},
                       {"beneficiary_id": self.martin.id}):
            with self.subTest(target=target):
                hold = hold_model.create({"reason": "dispute", "date_start": date(2026, 2, 1), **target})
                self.assertFalse(self._run(date(2026, 2, 20)).letter_ids, "no reminder while the hold is active")
                hold.date_end = date(2026, 2, 19)
        self.assertTrue(self._run(date(2026, 2, 20)).letter_ids, "the claim is reminded again once the holds end")

    def test_held_invoice_left_out_of_the_letter(self):
        january = self._invoice(self.martin.partner_id)
        february = self._invoice(self.martin.partner_id, due=date(2026, 2, 5))
        self.env["essms.recovery.hold"].create(
            {"reason": "pending_correction", "move_id": january.id, "date_start": date(2026, 2, 1)}
        )
        letter = self._letter(self._run(date(2026, 2, 25)), self.martin.partner_id)
        self.assertEqual(letter.line_ids.move_id, february)

    def test_a_hold_needs_one_target(self):
        with self.assertRaisesRegex(ValidationError, "one invoice, or one payer, or one beneficiary"):
            self.env["essms.recovery.hold"].create({"reason": "dispute"})
        move = self._invoice(self.martin.partner_id)
        with self.assertRaisesRegex(ValidationError, "one invoice, or one payer, or one beneficiary"):
            self.env["essms.recovery.hold"].create(
                {"reason": "dispute", "move_id": move.id, "partner_id": self.martin.partner_id.id}
            )

    def test_review_date_wakes_the_hold_once(self):
        hold = self.env["essms.recovery.hold"].create({
            "reason": "pending_decision",
            "beneficiary_id": self.martin.id,
            "date_start": date(2026, 1, 10),
            "date_review": date(2026, 3, 1),
        })
        with freeze_time("2026-02-28"):
            self.env["essms.recovery.hold"]._cron_review_due()
        self.assertFalse(hold.activity_ids)
        with freeze_time("2026-03-01"):
            self.env["essms.recovery.hold"]._cron_review_due()
            self.env["essms.recovery.hold"]._cron_review_due()
        self.assertEqual(len(hold.activity_ids), 1)
        self.assertIn("Funding decision pending", hold.activity_ids.summary)
        hold.date_review = date(2026, 4, 1)
        with freeze_time("2026-04-02"):
            self.env["essms.recovery.hold"]._cron_review_due()
        self.assertEqual(len(hold.activity_ids), 2, "a new review date asks for a new review")

    def test_tutelle_letters_go_to_the_guardian_consolidated(self):
        guardian = self._create_payer("ATI 66 – Service mandataire", kind="guardian", zip="66000", city="Perpignan",
                                      lang="fr_FR")
        dupont = self._resident("Louis Dupont", legal_protection="tutelle", protector_id=guardian.id,
                                protection_reference="RG 24/00123")
        roux = self._resident("Anne Roux", legal_protection="tutelle", protector_id=guardian.id)
        self._invoice(dupont.partner_id, beneficiary=dupont)
        self._invoice(roux.partner_id, amount=300.0, beneficiary=roux)
        run = self._run(date(2026, 2, 20))
        letter = self._letter(run, guardian)
        self.assertEqual(len(letter), 1, "one letter to the guardian service for both people")
        self.assertEqual(letter.debtor_ids, dupont.partner_id | roux.partner_id)
        self.assertEqual(letter.represented_ids, dupont | roux)
        self.assertEqual(letter.amount_due, 1023.32)
        self.assertFalse(run.letter_ids.filtered(lambda letter: letter.partner_id in letter.debtor_ids))
        html = self.env["ir.actions.report"].with_context(lang="fr_FR")._render_qweb_html(
            "essms_billing.action_report_essms_dunning_letter", letter.ids)[0].decode()
        self.assertIn("Louis Dupont, personne protégée sous tutelle (mesure RG 24/00123), que vous représentez.",
                      html.replace("\N{NO-BREAK SPACE}", " "))

    def test_curatelle_letter_to_the_person_and_the_curator(self):
        curator = self._create_payer("Mme Élise Fabre", kind="guardian", zip="66200", city="Elne")
        moreau = self._resident("Paul Moreau", legal_protection="curatelle", protector_id=curator.id,
                                protection_reference="RG 23/00456")
        self._invoice(moreau.partner_id, beneficiary=moreau)
        letter = self._letter(self._run(date(2026, 2, 20)), moreau.partner_id)
        self.assertEqual(letter.copy_partner_id, curator)
        self.assertEqual(letter._letter_recipients(), moreau.partner_id | curator)
        html = self.env["ir.actions.report"]._render_qweb_html(
            "essms_billing.action_report_essms_dunning_letter", letter.ids
        )[0].decode()
        self.assertEqual(html.count('class="article o_essms_letter"'), 2, "a copy for the person and the curator")
        self.assertIn("66200 ELNE", html, "the curator's address, in the window envelope's form")
        self.assertFalse(letter.action_print()["context"].get("essms_letter_recipient_id"),
                         "the preview prints both copies (the web client would not pass the action's context)")

    def test_a_deceased_resident_is_not_reminded_but_flagged(self):
        bernard = self._resident("Marcel Bernard")
        self._create_stay(bernard, self.establishment, date(2025, 1, 1), date(2026, 2, 3), end_reason="death")
        move = self._invoice(bernard.partner_id, beneficiary=bernard)
        run = self._run(date(2026, 2, 20))
        letter = self._letter(run, bernard.partner_id)
        self.assertRecordValues(letter, [{"state": "excluded", "exclusion_reason": "deceased", "amount_due": 723.32}])
        self._deliver(run)
        self.assertEqual(letter.state, "excluded")
        self.assertFalse(move.essms_recovery_stage)
        with self.assertRaises(UserError):
            letter.action_include()

    def test_public_payer_never_gets_a_formal_notice(self):
        departement = self._create_payer("Département des Pyrénées-Orientales", zip="66020", city="Perpignan")
        move = self._invoice(departement, due=date(2025, 1, 31))
        kinds = []
        for day in (date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1), date(2026, 6, 1)):
            letter = self._letter(self._send(day), departement)
            kinds.append(letter.level_id.letter_kind or False)
        self.assertEqual(kinds, ["administrative_reminder", "payment_demand", False, False])
        self.assertEqual(move.essms_recovery_stage, "firm_reminder")
        with self.assertRaisesRegex(ValidationError, "never receives a formal notice"):
            self.departements.level_ids[-1].write({"letter_kind": "formal_notice", "stage": "formal_notice",
                                                   "payment_days": 15})

    def test_operator_excludes_a_debtor_in_review(self):
        garcia = self._resident("Luis Garcia")
        martin_move = self._invoice(self.martin.partner_id)
        garcia_move = self._invoice(garcia.partner_id)
        run = self._run(date(2026, 2, 20))
        self._letter(run, garcia.partner_id).action_exclude()
        self._deliver(run)
        self.assertEqual(self._letter(run, garcia.partner_id).state, "excluded")
        self.assertFalse(garcia_move.essms_recovery_stage)
        self.assertEqual(martin_move.essms_recovery_stage, "reminded")
        self.assertEqual(run.state, "sent")

    def test_never_sent_twice(self):
        move = self._invoice(self.martin.partner_id)
        first = self._run(date(2026, 2, 20))
        second = self._run(date(2026, 2, 20))
        self.assertFalse(second.letter_ids, "the claim waits in the first run, still open: not proposed twice")
        self._deliver(first)
        with self.assertRaises(UserError):
            first.action_send()
        self.assertEqual(len(move.message_ids.filtered(lambda message: first.name in (message.body or ""))), 1)
        self.assertFalse(self._run(date(2026, 2, 21)).letter_ids, "already reminded at this level")

    def test_a_run_locked_elsewhere_is_sent_a_minute_later(self):
        move = self._invoice(self.martin.partner_id)
        run = self._run(date(2026, 2, 20))
        run.action_send()
        cron = self.env.ref("essms_billing.ir_cron_essms_dunning_send")
        with patch(
            "odoo.addons.essms_billing.models.essms_dunning_run.EssmsDunningRun._lock",
            side_effect=UserError("being sent by someone else"),
        ):
            self.assertEqual(self.env["essms.dunning.run"]._cron_send_letters(), 1, "the run is left to send")
        self.assertEqual((run.state, run.letter_ids.state), ("sending", "queued"))
        self.assertFalse(move.essms_recovery_stage)
        later = self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)], order="call_at desc", limit=1)
        self.assertGreater(later.call_at, fields.Datetime.now(), "woken up again in a minute, not waited for")
        self.assertEqual(self.env["essms.dunning.run"]._cron_send_letters(), 0)
        self.assertEqual((run.state, run.letter_ids.state), ("sent", "sent"))

    def test_letters_to_print_that_cannot_be_merged_do_not_undo_the_sending(self):
        move = self._invoice(self.martin.partner_id)
        run = self._run(date(2026, 2, 20))
        with patch(
            "odoo.addons.essms_billing.models.essms_dunning_run.EssmsDunningRun._attach_batch",
            side_effect=ValueError("damaged PDF"),
        ), mute_logger(run_module.__name__):
            self._deliver(run)
        self.assertEqual((run.state, run.letter_ids.state), ("sent", "sent"))
        self.assertEqual(move.essms_recovery_stage, "reminded")
        self.assertTrue(run.message_ids.filtered(lambda message: "damaged PDF" in message.body))

    def test_sending_is_logged_on_the_debtor_and_the_invoice(self):
        move = self._invoice(self.martin.partner_id)
        run = self._send(date(2026, 2, 20))
        for record in (move, self.martin.partner_id):
            self.assertTrue(record.message_ids.filtered(lambda message: run.name in (message.body or "")), record)

    def test_email_channel_failure_is_an_error_not_sent(self):
        self.level["reminder"].channel_email = True
        self.martin.partner_id.email = "jeanne.martin@example.org"
        move = self._invoice(self.martin.partner_id)
        run = self._run(date(2026, 2, 20))
        with mute_logger("odoo.addons.mail.models.mail_mail"), patch(SMTP_CONNECT), patch(
            SMTP_SEND, side_effect=ConnectionRefusedError("SMTP server refused the connection")
        ):
            self._deliver(run)
        letter = self._letter(run, self.martin.partner_id)
        self.assertEqual(letter.state, "error")
        self.assertIn("could not be sent", letter.error_message)
        self.assertFalse(move.essms_recovery_stage)
        self.assertEqual(run.state, "review")
        with patch(SMTP_CONNECT), patch(SMTP_SEND, return_value="<sent@test>"):
            self._deliver(run)
        self.assertEqual((letter.state, letter.mail_id.state), ("sent", "sent"), letter.error_message)
        self.assertIn(self.martin.partner_id, letter.mail_id.recipient_ids)
        self.assertEqual(move.essms_recovery_stage, "reminded")

    def test_email_without_address_is_an_error(self):
        self.level["reminder"].channel_email = True
        self._invoice(self.martin.partner_id)
        run = self._send(date(2026, 2, 20))
        letter = self._letter(run, self.martin.partner_id)
        self.assertEqual(letter.state, "error")
        self.assertIn("no e-mail address", letter.error_message)

    def test_minimum_amount_of_a_level(self):
        self.level["reminder"].min_amount = 1000.0
        self._invoice(self.martin.partner_id)
        self.assertFalse(self._run(date(2026, 2, 20)).letter_ids)
        self._invoice(self.martin.partner_id, amount=300.0, due=date(2026, 2, 1))
        self.assertEqual(self._letter(self._run(date(2026, 2, 20)), self.martin.partner_id).amount_due, 1023.32)


@tagged("post_install", "-at_install")
class TestDunningSecurity(DunningCommon):
    def test_least_privileged_users(self):
        self._invoice(self.martin.partner_id)
        run = self._run(date(2026, 2, 20))
        secretary = new_test_user(self.env, "dunning_secretary", groups=ESTABLISHMENT)
        for model in ("essms.dunning.run", "essms.dunning.letter", "essms.recovery.hold", "essms.dunning.policy"):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(secretary).search([])
        with self.assertRaises(AccessError):
            self.residents.with_user(self.operator).write({"allow_skip": True})
        self.assertEqual(run.with_user(self.operator).letter_ids.amount_due, AMOUNT)

    def test_letter_lines_inserted_with_the_checks_of_a_create(self):
        # A proposal inserts its lines in one statement; the rights, the companies and the letter's amount due
        # are what the ORM's create would give.
        self._invoice(self.martin.partner_id)
        run = self._run(date(2026, 2, 20))
        letter = run.letter_ids
        line = letter.line_ids
        self.assertEqual((line.amount_due, line.create_uid, letter.amount_due), (AMOUNT, self.operator, AMOUNT))
        vals = {name: getattr(line[name], "id", line[name]) for name in line_module.INSERTED_COLUMNS}
        vals["claim_open"] = False  # the invoice is held by the line above: a second open line would be refused
        lines = self.env["essms.dunning.letter.line"].with_user(self.operator)
        added = lines._insert_lines([{**vals, "amount_due": 10.004}])
        self.assertEqual((added.amount_due, added.letter_id), (10.0, letter))
        self.assertEqual(letter.amount_due, AMOUNT + 10.0)
        secretary = new_test_user(self.env, "dunning_secretary", groups=ESTABLISHMENT)
        other = self.env["res.company"].create({"name": "Association Les Amandiers"})
        outsider = new_test_user(self.env, "dunning_other", groups=OPERATOR, company_id=other.id,
                                 company_ids=[Command.set(other.ids)])
        for user in (secretary, outsider):
            with self.subTest(user=user.login), self.assertRaises(AccessError), self.env.cr.savepoint():
                lines.with_user(user)._insert_lines([vals])
        with self.assertRaises(UserError), self.env.cr.savepoint():
            lines.sudo()._insert_lines([{**vals, "company_id": other.id}])  # the invoice is not of that company
        self.assertEqual(letter.line_ids, line | added)

    def test_array_param_read_as_psycopg_adapts(self):
        # The inserts pass ids, amounts and dates as the text of an array (array_param): PostgreSQL reads the same
        # values as from psycopg's adaptation, value by value; strings and booleans are still adapted by psycopg.
        cases = [
            ([3, None, 7], "int4", True),
            ([512.35, 0.1, 1e-05, 12345678.9, -3.0, None], "numeric", True),
            ([date(2026, 12, 7), None, date(1999, 1, 31)], "date", True),
            (['Facture "A", {B} \\ C', None], "varchar", False),
            ([True, False, None], "bool", False),
        ]
        for values, sql_type, as_text in cases:
            param = line_module.array_param(values, sql_type)
            self.assertEqual(isinstance(param.params[0], str), as_text, sql_type)
            self.env.cr.execute(SQL("SELECT %s, %s::%s[]", param, values, SQL(sql_type)))
            read, adapted = self.env.cr.fetchone()
            self.assertEqual(read, adapted, sql_type)
            self.assertEqual(len(read), len(values))

    def test_letters_inserted_as_the_orm_creates_them(self):
        # A proposal inserts its letters and lines by a few statements (_insert_letters): every stored field, the
        # many2many links and the caches are what the ORM's create writes, for each kind of letter (a guardian's
        # for two people, a curator's copy, a deceased resident's, a debtor with a credit, a public payer).
        guardian = self._create_payer("ATI 66", kind="guardian", zip="66000", city="Perpignan")
        curator = self._create_payer("Mme Élise Fabre", kind="guardian", zip="66200", city="Elne")
        dupont = self._resident("Louis Dupont", legal_protection="tutelle", protector_id=guardian.id)
        roux = self._resident("Anne Roux", "66300", legal_protection="tutelle", protector_id=guardian.id)
        moreau = self._resident("Paul Moreau", legal_protection="curatelle", protector_id=curator.id)
        bernard = self._resident("Marcel Bernard")
        self._create_stay(bernard, self.establishment, date(2025, 1, 1), date(2026, 2, 3), end_reason="death")
        for person in (dupont, roux, moreau, bernard):
            self._invoice(person.partner_id, beneficiary=person)
        self._invoice(roux.partner_id, amount=120.255, due=date(2025, 12, 15), beneficiary=roux)
        martin_move = self._invoice(self.martin.partner_id, due=date(2025, 11, 30))
        self._invoice(self.martin.partner_id, amount=50.0, move_type="out_refund")
        departement = self._create_payer("Département des Pyrénées-Orientales", zip="66020", city="Perpignan")
        self._invoice(departement, due=date(2025, 12, 1))
        Letter = self.env["essms.dunning.letter"]
        skipped = {"id", "create_date", "write_date"}
        letter_fields = [name for name, field in Letter._fields.items()
                         if field.store and field.type != "one2many" and name not in skipped]
        line_fields = [name for name, field in self.env["essms.dunning.letter.line"]._fields.items()
                       if field.store and name not in skipped]

        def proposal(orm):
            run = self.env["essms.dunning.run"].with_user(self.operator).create({"date": date(2026, 2, 20)})
            Line = type(self.env["essms.dunning.letter.line"])
            with (
                patch.object(type(Letter), "_insert_letters", return_value=None) if orm else nullcontext(),
                patch.object(Line, "_insert_lines", lambda lines, vals_list, **_kw: lines.create(vals_list))
                if orm else nullcontext(),
            ):
                run.action_propose()
                run.env.flush_all()  # as the operator's request does (the ORM's computed amounts are written then)
            # The caches see the new records at once: the run's letters and counts, the invoice's letter lines.
            self.assertEqual((len(run.letter_ids), run.letter_count), (5, 5))
            self.assertEqual(martin_move.essms_dunning_line_ids, run.letter_ids.line_ids.filtered(
                lambda line: line.move_id == martin_move))
            self.env.invalidate_all()
            def values(record, names):
                return tuple(record._fields[name].convert_to_read(record[name], record) for name in names)

            letters = sorted([
                (values(letter, [name for name in letter_fields if name != "run_id"]),
                 sorted([values(line, [name for name in line_fields if name != "letter_id"])
                         for line in letter.line_ids], key=repr))
                for letter in run.letter_ids
            ], key=repr)
            run.unlink()  # its claims would be open elsewhere for the next run
            return letters

        inserted = proposal(orm=False)
        self.assertEqual(inserted, proposal(orm=True))
        names = [name for name in letter_fields if name != "run_id"]
        kinds = {(values[names.index("state")], values[names.index("exclusion_reason")]) for values, _lines in inserted}
        self.assertEqual(kinds, {("draft", False), ("excluded", "deceased")})
        # The companies are checked as by the ORM: a letter to another company's partner is refused.
        other = self.env["res.company"].create({"name": "Association Les Amandiers"})
        stranger = self.env["res.partner"].create({"name": "Débiteur d'une autre association", "company_id": other.id})
        run = self.env["essms.dunning.run"].create({"date": date(2026, 2, 20)})
        vals = {"run_id": run.id, "currency_id": run.currency_id.id, "company_id": run.company_id.id,
                "partner_id": stranger.id, "debtor_ids": [Command.set(stranger.ids)], "policy_id": self.residents.id}
        with self.assertRaisesRegex(UserError, "partner_id"), self.env.cr.savepoint():
            Letter._create_with_lines([{**vals, "line_ids": []}])
        self.assertTrue(Letter._insert_letters([{**vals, "partner_id": self.martin.partner_id.id,
                                                  "debtor_ids": [Command.set(self.martin.partner_id.ids)]}], [[]]))

    def test_other_company_sees_no_run(self):
        run = self._run(date(2026, 2, 20))
        other = self.env["res.company"].create({"name": "Association Les Amandiers"})
        user = new_test_user(self.env, "dunning_other", groups=OPERATOR, company_id=other.id,
                             company_ids=[Command.set(other.ids)])
        self.assertFalse(self.env["essms.dunning.run"].with_user(user).search([("id", "=", run.id)]))


@tagged("post_install", "-at_install")
class TestDunningLetters(DunningCommon, PdfMixin):
    """The printed letters, rendered for real by wkhtmltopdf."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.partner.bank"].create({
            "acc_number": "FR7630001007941234567890185",
            "partner_id": cls.company.partner_id.id,
            "allow_out_payment": True,
        })

    def _pdf_text(self, attachment):
        reader = OdooPdfFileReader(io.BytesIO(attachment.raw), strict=False)
        # The words, whatever spacing the PDF engine put between them.
        return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)

    def test_batch_of_letters_sorted_by_postal_code(self):
        garcia = self._resident("Luis Garcia", "11000", "Carcassonne")
        self._invoice(self.martin.partner_id)
        self._invoice(garcia.partner_id)
        run = self._send(date(2026, 2, 20))
        self.assertEqual(run.letter_ids.mapped("state"), ["sent", "sent"])
        self.assertTrue(all(letter.attachment_id.raw.startswith(b"%PDF") for letter in run.letter_ids))
        batch = run.batch_attachment_id
        self.assertTrue(batch.raw.startswith(b"%PDF"))
        text = self._pdf_text(batch)
        self.assertLess(text.index("11000 CARCASSONNE"), text.index("66100 PERPIGNAN"), "11000 is printed before 66100")
        self.assertIn("Relance", text)

    def test_job_runners_send_each_letter_once_in_parts(self):
        """The letters are sent by parts the job runners claim; a part done twice, or a letter the daily job sent
        meanwhile, is not sent again."""
        garcia = self._resident("Luis Garcia", "11000", "Carcassonne")
        petit = self._resident("Paul Petit", "66300", "Thuir")
        for person in (self.martin, garcia, petit):
            self._invoice(person.partner_id)
        run = self._run(date(2026, 2, 20))
        with patch.object(run_module, "SEND_CHUNK_SIZE", 1):
            run.action_send()
        chunks = self.env["essms.job.chunk"].sudo().search([("dunning_run_id", "=", run.id)])
        self.assertEqual(len(chunks), 3, "one letter per part here")
        self.assertEqual(self.env["essms.dunning.run"]._cron_send_letters(limit=1), 1, "the daily job sends one")
        chunks[:1].copy()
        self.env["essms.job.chunk"]._run_pending()
        self.assertEqual(set(chunks.mapped("state")), {"done"})
        self.assertEqual(run.state, "sent")
        self.assertEqual(run.letter_ids.mapped("state"), ["sent"] * 3)
        self.assertTrue(run.batch_attachment_id.raw.startswith(b"%PDF"), "the letters to print, gathered once")
        for letter in run.letter_ids:
            attachments = self.env["ir.attachment"].search_count(
                [("res_model", "=", "essms.dunning.letter"), ("res_id", "=", letter.id)])
            self.assertEqual(attachments, 1, "each letter printed once")
        self.assertIn("3 lettres envoyées, 0 en erreur", run.message_ids[0].body)

    def test_send_returns_at_once_and_the_job_prints_each_letter_once(self):
        """*Send* only queues the letters; the job prints, records and batches them, a bounded number per call,
        and a job called again sends nothing twice."""
        garcia = self._resident("Luis Garcia", "11000", "Carcassonne")
        petit = self._resident("Paul Petit", "66300", "Thuir")
        moves = {person: self._invoice(person.partner_id) for person in (self.martin, garcia, petit)}
        run = self._run(date(2026, 2, 20))
        self._letter(run, petit.partner_id).action_exclude()
        cron = self.env.ref("essms_billing.ir_cron_essms_job_runner_1")
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])

        run.action_send()
        self.assertEqual(run.state, "sending")
        self.assertEqual(run.sent_by_id, self.operator)
        self.assertEqual(run.queued_count, 2)
        self.assertEqual(sorted(run.letter_ids.mapped("state")), ["excluded", "queued", "queued"])
        self.assertFalse(run.letter_ids.attachment_id, "nothing is printed in the click")
        self.assertFalse(moves[self.martin].essms_recovery_stage, "nothing is recorded before the letter is sent")
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]) - triggers,
                        "the click wakes the job runners up")
        self.assertEqual(run.env["essms.job.chunk"].sudo().search([("dunning_run_id", "=", run.id)]).record_ids,
                         run.letter_ids.filtered(lambda letter: letter.state == "queued").sorted(
                             lambda letter: letter.partner_id.zip).ids,
                         "one part for the job runners, the letters in postal code order")
        with self.assertRaisesRegex(UserError, "already being sent, by "):
            run.action_send()
        with self.assertRaisesRegex(UserError, "was sent"):
            run.action_propose()
        with self.assertRaises(UserError):
            self._letter(run, garcia.partner_id).action_exclude()

        Run = self.env["essms.dunning.run"]
        self.assertEqual(Run._cron_send_letters(limit=1), 1, "one letter per call here: the run is still sending")
        first = self._letter(run, garcia.partner_id)
        self.assertEqual((first.state, run.state), ("sent", "sending"), "letters go in postal code order")
        self.assertTrue(first.attachment_id.raw.startswith(b"%PDF"))
        logged = garcia.partner_id.message_ids.filtered(lambda message: run.name in (message.body or ""))
        self.assertEqual(logged.author_id, self.operator.partner_id, "the job writes in the name of who sent")
        self.assertFalse(run.batch_attachment_id, "the letters to print come once every letter is done")
        self.assertEqual(Run._cron_send_letters(limit=1), 0)
        self.assertEqual(run.state, "sent")
        self.assertEqual(run.letter_ids.mapped("state"), ["sent", "sent", "excluded"])
        self.assertFalse(self._letter(run, petit.partner_id).attachment_id)
        self.assertFalse(moves[petit].essms_recovery_stage)
        batch = run.batch_attachment_id
        text = self._pdf_text(batch)
        self.assertLess(text.index("11000 CARCASSONNE"), text.index("66100 PERPIGNAN"))
        self.assertNotIn("Paul Petit", text, "the excluded debtor gets no letter")
        self.assertIn("2 lettres envoyées, 0 en erreur", run.message_ids[0].body, "in the language of who sent")
        # The job woken up again (by another run's click, or its daily call) has nothing left to do here.
        attachments = self.env["ir.attachment"].search_count([("res_model", "=", "essms.dunning.letter"),
                                                              ("res_id", "in", run.letter_ids.ids)])
        self.assertEqual(Run._cron_send_letters(), 0)
        with self.assertRaisesRegex(UserError, "already sent"):
            first._send_one()
        self.assertEqual(self.env["ir.attachment"].search_count([("res_model", "=", "essms.dunning.letter"),
                                                                 ("res_id", "in", run.letter_ids.ids)]), attachments)
        self.assertEqual(run.batch_attachment_id, batch)
        for person in (self.martin, garcia):
            self.assertEqual(moves[person].essms_recovery_stage, "reminded")
            logged = moves[person].message_ids.filtered(lambda message: run.name in (message.body or ""))
            self.assertEqual(len(logged), 1, "reminded once")

    def _print(self, letter, name):
        """The letter's Print button on its form, as the operator: the PDF the browser downloads."""
        content, filename = self.render_print_action(letter.with_user(self.operator).action_print(),
                                                     user=self.operator)
        self.keep_pdf(name, content)
        self.assertTrue(filename.endswith(".pdf") and not filename.endswith(".pdf.pdf"), filename)
        return content

    def _letterhead(self):
        return ("Association Les Oliviers", "2 avenue de la Gare", "33417522100004")

    def test_each_resident_letter_kind_printed_from_its_form(self):
        """Reminder, firm reminder, formal notice, and the curatelle letter with the curator's copy: printed from
        the letter's form, an A4 PDF with the letterhead and the amounts; the curator's copy informs and asks
        nothing."""
        garcia = self._resident("Luis Garcia", "11000", "Carcassonne")
        curator = self._create_payer("Mme Élise Fabre", kind="guardian", zip="66200", city="Elne")
        moreau = self._resident("Paul Moreau", legal_protection="curatelle", protector_id=curator.id,
                                protection_reference="RG 23/00456")
        curator.lang = "fr_FR"
        self.operator.lang = "fr_FR"
        notice = self._invoice(self.martin.partner_id)
        notice.write({"essms_dunning_level_id": self.level["call"].id, "essms_dunning_date": date(2026, 3, 7),
                      "essms_recovery_stage": "firm_reminder"})
        firm = self._invoice(garcia.partner_id, amount=450.0)
        firm.write({"essms_dunning_level_id": self.level["reminder"].id, "essms_dunning_date": date(2026, 2, 20),
                    "essms_recovery_stage": "reminded"})
        self._invoice(moreau.partner_id, amount=612.5)
        run = self._run(date(2026, 3, 17))
        letters = {person: self._letter(run, person.partner_id) for person in (self.martin, garcia, moreau)}
        self.assertEqual(
            [letters[person].level_id.letter_kind for person in (self.martin, garcia, moreau)],
            ["formal_notice", "firm_reminder", "reminder"],
        )
        for person, name, amount, expected in (
            (self.martin, "letter_formal_notice.pdf", "723,32 €", "MISE EN DEMEURE"),
            (garcia, "letter_firm_reminder.pdf", "450,00 €", "Malgré notre précédente relance"),
        ):
            text = self.assert_pdf(self._print(letters[person], name), pages=1)
            for mention in (*self._letterhead(), person.name, amount, expected, "Page 1 / 1"):
                self.assertIn(mention, text)

        content = self._print(letters[moreau], "letter_curatelle.pdf")
        self.assert_pdf(content, pages=2)
        person_copy, curator_copy = [page for page in pdf_pages_text(content) if page.strip()]
        for page in (person_copy, curator_copy):
            for mention in (*self._letterhead(), "612,50 €", "Page 1 / 1"):
                self.assertIn(mention, page)
        self.assertIn("Merci de régler", person_copy, "the person is asked to pay")
        self.assertIn("66200 ELNE", curator_copy, "the copy goes to the curator's address")
        self.assertIn("COPIE POUR INFORMATION AU CURATEUR", curator_copy)
        self.assertIn("aucun paiement ne vous est demandé", curator_copy)
        self.assertNotIn("Merci de régler", curator_copy, "the curator is not asked to pay")

    def test_each_public_payer_letter_kind_printed_from_its_form(self):
        departement = self._create_payer("Département des Pyrénées-Orientales", zip="66020", city="Perpignan")
        other = self._create_payer("Département de l'Aude", zip="11000", city="Carcassonne")
        garcia = self._resident("Luis Garcia")
        self._invoice(departement, amount=5535.0, due=date(2026, 2, 10), beneficiary=garcia)
        demand = self._invoice(other, amount=4210.4, due=date(2026, 1, 10), beneficiary=garcia)
        demand.write({"essms_dunning_level_id": self.env.ref("essms_billing.dunning_policy_departement_admin").id,
                      "essms_dunning_date": date(2026, 2, 10), "essms_recovery_stage": "reminded"})
        run = self._run(date(2026, 3, 17))
        self.assertEqual(self._letter(run, departement).level_id.letter_kind, "administrative_reminder")
        self.assertEqual(self._letter(run, other).level_id.letter_kind, "payment_demand")
        for partner, name, amount, expected in (
            (departement, "letter_administrative_reminder.pdf", "5 535,00 €", "état des factures impayées"),
            (other, "letter_payment_demand.pdf", "4 210,40 €", "68-1250"),
        ):
            text = self.assert_pdf(self._print(self._letter(run, partner), name), pages=1)
            for mention in (*self._letterhead(), partner.name, "Luis Garcia", amount, expected):
                self.assertIn(mention, text)

    def _html(self, letter):
        report = self.env["ir.actions.report"].with_context(lang="fr_FR")
        html = report._render_qweb_html("essms_billing.action_report_essms_dunning_letter", letter.ids)[0].decode()
        return html.replace("\N{NO-BREAK SPACE}", " ").replace("&nbsp;", " ")

    def _formal_notice(self):
        move = self._invoice(self.martin.partner_id)
        move.write({"essms_dunning_level_id": self.level["call"].id, "essms_dunning_date": date(2026, 3, 7),
                    "essms_recovery_stage": "firm_reminder"})
        letter = self._letter(self._run(date(2026, 3, 17)), self.martin.partner_id)
        self.assertEqual(letter.level_id, self.level["notice"])
        return letter

    def test_formal_notice_has_its_legal_content(self):
        letter = self._formal_notice()
        letter.registered_number = "1A 234 567 8901 2"
        html = self._html(letter)
        for text in (
            "MISE EN DEMEURE",
            "Lettre recommandée avec accusé de réception n° 1A 234 567 8901 2",
            "Association Les Oliviers",
            "Jeanne Martin",
            "nous vous mettons en demeure de nous régler la somme de 723,32 € dans un délai de 15 jours",
            "soit au plus tard le 1er avril 2026",
            "commissaire de justice",
            "article 1344 du code civil",
            "FR76 3000 1007 9412 3456 7890 185",
        ):
            self.assertIn(text, html)
        self.assertNotIn("taux légal", html, "no legal interest claimed from a resident by default")

    def test_legal_interest_only_where_the_policy_enables_it(self):
        self.residents.legal_interest = True
        html = self._html(self._formal_notice())
        self.assertIn("intérêts au taux légal, 2,62 % pour le semestre en cours", html)

    def test_administrative_reminder_lists_the_unpaid_invoices(self):
        departement = self._create_payer("Département des Pyrénées-Orientales", zip="66020", city="Perpignan")
        garcia = self._resident("Luis Garcia")
        move = self._invoice(departement, amount=5535.0, due=date(2026, 1, 15), beneficiary=garcia)
        move.essms_period_start = date(2025, 12, 1)
        letter = self._letter(self._run(date(2026, 2, 20)), departement)
        html = self._html(letter)
        for text in ("Objet : Relance – état des factures impayées", "Luis Garcia", "12/2025", move.name,
                     "5 535,00 €", "Bénéficiaire", "Décision"):
            self.assertIn(text, html)
        self.assertNotIn("mise en demeure", html.lower())


@tagged("post_install", "-at_install")
class TestDunningCron(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.startClassPatcher(patch(
            "odoo.addons.essms_billing.models.essms_dunning_letter.EssmsDunningLetter._render_document",
            autospec=True,
            side_effect=lambda letter: None,
        ))

    def test_daily_job_proposes_in_batches_and_resumes(self):
        guardian = self._create_payer("ATI 66", kind="guardian")
        dupont = self._resident("Louis Dupont", legal_protection="tutelle", protector_id=guardian.id)
        garcia = self._resident("Luis Garcia")
        roux = self._resident("Anne Roux", legal_protection="tutelle", protector_id=guardian.id)
        for person in (self.martin, dupont, garcia, roux):
            self._invoice(person.partner_id)
        Run = self.env["essms.dunning.run"].sudo()  # as the cron's user
        with freeze_time("2026-02-20"), patch.object(run_module, "CRON_BATCH_DEBTORS", 3):
            self.assertEqual(Run._cron_prepare_proposals(), 1, "4 debtors by 3: one left after the first call")
            run = Run.search([("is_automatic", "=", True), ("date", "=", date(2026, 2, 20))])
            self.assertEqual((run.state, len(run.letter_ids)), ("draft", 3))
            # Interrupted here, the job starts again from the last debtor proposed.
            self.assertEqual(Run._cron_prepare_proposals(), 0)
            self.assertEqual(Run._cron_prepare_proposals(), 0, "nothing is proposed twice")
        self.assertEqual(run.state, "review")
        self.assertEqual(len(Run.search([("is_automatic", "=", True)])), 1)
        self.assertEqual(sorted(run.letter_ids.partner_id.mapped("name")),
                         ["ATI 66", "Jeanne Martin", "Luis Garcia"])
        letter = self._letter(run, guardian)
        self.assertEqual(letter.debtor_ids, dupont.partner_id | roux.partner_id, "one letter for the guardian")
        self.assertEqual(letter.amount_due, 2 * AMOUNT)
        self._deliver(run)
        self.assertEqual(set(run.letter_ids.mapped("state")), {"sent"})

    def test_daily_job_makes_no_empty_run(self):
        with freeze_time("2026-02-20"):
            self.env["essms.dunning.run"].sudo()._cron_prepare_proposals()
        self.assertFalse(self.env["essms.dunning.run"].sudo().search([("is_automatic", "=", True)]))
