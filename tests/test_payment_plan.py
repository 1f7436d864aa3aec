"""Payment plans and promises to pay (recovery-rules §2), as the billing operator.

Jeanne Martin owes one invoice of 1 000.00 € due on 31 January 2026. On 5 February she signs a plan of three
monthly instalments from 28 February: 333.33, 333.33 and 333.34 € on 28 February, 28 March and 28 April. The
notice delay is 15 days: the plan is broken on 16 March if the instalment of 28 February is still short.
"""

from datetime import date

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import freeze_time
from odoo.tests import new_test_user
from odoo.tests import tagged

from .pdf_common import PdfMixin
from .test_dunning import ESTABLISHMENT
from .test_dunning import OPERATOR
from .test_dunning import DunningCommon

SIGNED = date(2026, 2, 5)
FIRST = date(2026, 2, 28)


class PlanCommon(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls._invoice(cls.martin.partner_id, amount=1000.0)

    def _pay(self, moves, amount, day):
        with freeze_time(day):
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=moves.ids
            ).create({"amount": amount, "payment_date": day})._create_payments()

    def _plan(self, count=3, moves=None):
        with freeze_time(SIGNED):
            plan = self.env["essms.payment.plan"].with_user(self.operator).create({
                "partner_id": self.martin.partner_id.id,
                "move_ids": [Command.set((moves or self.invoice).ids)],
                "instalment_count": count,
                "date_first": FIRST,
            })
            plan.action_generate_instalments()
            plan.action_sign()
        return plan

    def _monitor(self, day):
        with freeze_time(day):
            self.env["essms.payment.plan"]._cron_monitor()
            self.env.invalidate_all()

    def _dunning(self, day):
        with freeze_time(day):
            return self._run(day)


@tagged("post_install", "-at_install")
class TestPaymentPlan(PlanCommon, PdfMixin):
    def test_instalments_and_the_rounding_cent(self):
        plan = self._plan()
        self.assertTrue(plan.name.startswith("ECH/"))
        self.assertEqual(plan.state, "active")
        self.assertEqual(plan.date_signed, SIGNED)
        self.assertEqual(plan.amount_total, 1000.0)
        self.assertEqual(plan.instalment_ids.mapped("date"),
                         [date(2026, 2, 28), date(2026, 3, 28), date(2026, 4, 28)])
        self.assertEqual(plan.instalment_ids.mapped("amount"), [333.33, 333.33, 333.34])

    def test_active_plan_keeps_its_invoices_out_of_the_dunning(self):
        plan = self._plan()
        other = self._invoice(self.martin.partner_id, amount=50.0)
        self.assertEqual(plan.hold_ids.mapped("reason"), ["payment_plan"])
        self.assertEqual(plan.hold_ids.move_id, self.invoice)
        letter = self._letter(self._dunning(date(2026, 2, 20)), self.martin.partner_id)
        self.assertEqual(letter.line_ids.move_id, other, "only the invoice outside the plan is reminded")
        self.assertEqual(letter.amount_due, 50.0)

    def test_plan_kept_completes_and_ends_its_hold(self):
        plan = self._plan()
        self._pay(self.invoice, 333.33, date(2026, 2, 27))
        self._pay(self.invoice, 333.33, date(2026, 3, 27))
        self._monitor(date(2026, 3, 29))
        self.assertEqual(plan.state, "active")
        with freeze_time(date(2026, 3, 29)):
            self.assertEqual(plan.instalment_ids.mapped("state"), ["paid", "paid", "due"])
        self._pay(self.invoice, 333.34, date(2026, 4, 20))
        self._monitor(date(2026, 4, 21))
        self.assertEqual(plan.state, "completed")
        self.assertEqual(plan.amount_paid, 1000.0)
        self.assertEqual(plan.hold_ids.date_end, date(2026, 4, 20))
        self.assertFalse(plan.activity_ids, "a plan kept needs nothing from the operator")

    def test_partial_payment_of_an_instalment(self):
        plan = self._plan()
        self._pay(self.invoice, 20.0, date(2026, 2, 1))  # before the signature: not the plan's
        self._pay(self.invoice, 400.0, date(2026, 3, 1))
        with freeze_time(date(2026, 3, 2)):
            plan.invalidate_recordset()
            plan.instalment_ids.invalidate_recordset()
            self.assertEqual(plan.amount_paid, 400.0)
            self.assertEqual(plan.amount_left, 600.0)
            self.assertEqual(plan.instalment_ids.mapped("amount_paid"), [333.33, 66.67, 0.0])
            self.assertEqual(plan.instalment_ids.mapped("state"), ["paid", "due", "due"])
        with freeze_time(date(2026, 3, 29)):
            plan.instalment_ids.invalidate_recordset()
            self.assertEqual(plan.instalment_ids.mapped("state"), ["paid", "late", "due"])

    def test_missed_instalment_notice_then_broken_after_the_delay(self):
        plan = self._plan()
        self._pay(self.invoice, 100.0, date(2026, 2, 27))
        self._monitor(date(2026, 3, 1))
        self.assertEqual(plan.state, "active")
        self.assertEqual(plan.notice_for, FIRST)
        self.assertEqual(len(plan.activity_ids), 1)
        self.assertIn("Missed instalment", plan.activity_ids.summary)
        self.assertIn("15/03/2026", plan.message_ids[0].body)
        self._monitor(date(2026, 3, 10))
        self.assertEqual(len(plan.activity_ids), 1, "one notice per missed instalment, not one a day")
        self._monitor(date(2026, 3, 15))
        self.assertEqual(plan.state, "active", "the delay has not run out on the 15th")
        self.assertFalse(self._dunning(date(2026, 3, 15)).letter_ids)
        self._monitor(date(2026, 3, 16))
        self.assertEqual(plan.state, "broken")
        self.assertEqual(plan.hold_ids.date_end, date(2026, 3, 15))
        self.assertEqual(len(plan.activity_ids), 2)
        letter = self._letter(self._dunning(date(2026, 3, 16)), self.martin.partner_id)
        self.assertEqual(letter.line_ids.move_id, self.invoice, "the claim is reminded again")
        self.assertEqual(letter.amount_due, 900.0)

    def test_missed_instalment_prints_the_notice_letter(self):
        """The debtor gets a letter: the plan, the missed instalment, what is left of it, the delay to pay it and
        what follows; it is attached to the plan and to the chatter message, once per missed instalment."""
        plan = self._plan()
        self._pay(self.invoice, 100.0, date(2026, 2, 27))
        self._monitor(date(2026, 3, 1))
        letter = plan.notice_attachment_id
        self.assertTrue(letter.raw.startswith(b"%PDF"), "the notice letter is printed")
        self.assertEqual((letter.res_model, letter.res_id), (plan._name, plan.id))
        self.assertEqual(plan.notice_date, date(2026, 3, 1))
        self.assertIn(letter, plan.message_ids[0].attachment_ids, "and logged on the chatter with the notice")
        self.assertEqual(plan.with_context(lang="fr_FR")._notice_values(plan.partner_id)["place_date"],
                         "À Perpignan, le 1er mars 2026")
        self.keep_pdf("plan_notice.pdf", letter.raw)
        # Rendered by wkhtmltopdf, on A4, with the letterhead's legal mentions (the SIRET) and the amounts.
        text = self.assert_pdf(letter.raw, pages=1)
        for expected in (
            "Association Les Oliviers",
            "33417522100004",
            "Page 1 / 1",
            plan.name,
            "Jeanne Martin",
            "signé le 5 février 2026",
            "L'échéance du 28 février 2026, d'un montant de 333,33 €, n'a été réglée qu'en partie (100,00 €) : "
            "il reste 233,33 € à payer",
            "au plus tard le 15 mars 2026",
            "15 jours",
            "900,00 €",  # the whole balance that falls due again
            "l'échéancier prendra fin",
            self.invoice.name,
        ):
            self.assertIn(expected, text)
        self._monitor(date(2026, 3, 10))
        self.assertEqual(plan.notice_attachment_id, letter, "one letter per missed instalment, not one a day")
        self.assertEqual(len(plan.message_ids.attachment_ids), 1)

    def test_notice_letter_goes_to_the_guardian_under_tutelle(self):
        guardian = self._create_payer("ATI 66", kind="guardian", zip="66000", city="Perpignan", lang="fr_FR")
        self.martin.write({"legal_protection": "tutelle", "protector_id": guardian.id,
                           "protection_reference": "RG 24/00123"})
        plan = self._plan()
        self.assertEqual(plan._notice_recipients(), guardian)
        plan.write({"notice_for": FIRST, "notice_date": date(2026, 3, 1)})
        html = self.env["ir.actions.report"].with_context(lang="fr_FR")._render_qweb_html(
            "essms_billing.action_report_essms_payment_plan_notice", plan.ids)[0].decode()
        self.assertIn("Concerne : Jeanne Martin, que vous représentez (mesure RG 24/00123).",
                      html.replace("\N{NO-BREAK SPACE}", " "))

    def test_finance_director_sets_the_notice_delay(self):
        director = new_test_user(self.env, "plan_director", groups="essms_billing.group_essms_manager",
                                 company_id=self.company.id, company_ids=[Command.set(self.company.ids)])
        self.assertFalse(director.has_group("base.group_erp_manager"), "not an administrator")
        settings = self.env["essms.recovery.settings"].with_user(director).with_company(self.company).create({})
        self.assertEqual(settings.plan_notice_days, 15)
        settings.plan_notice_days = 21
        settings.action_save()
        self.assertEqual(self.company.essms_plan_notice_days, 21)
        self.assertEqual(self._plan().notice_days, 21, "the default of new plans")
        with self.assertRaisesRegex(ValidationError, "at least one day"):
            self.env["essms.recovery.settings"].with_user(director).create({"plan_notice_days": 0})
        with self.assertRaises(AccessError):
            self.env["essms.recovery.settings"].with_user(self.operator).create({"plan_notice_days": 30})

    def test_notice_delay_from_the_company(self):
        self.company.essms_plan_notice_days = 30
        plan = self._plan()
        self.assertEqual(plan.notice_days, 30)
        self._monitor(date(2026, 3, 16))
        self.assertEqual(plan.state, "active")
        self._monitor(date(2026, 3, 31))
        self.assertEqual(plan.state, "broken")

    def test_sign_checks_the_schedule(self):
        with freeze_time(SIGNED):
            plan = self.env["essms.payment.plan"].with_user(self.operator).create({
                "partner_id": self.martin.partner_id.id,
                "move_ids": [Command.set(self.invoice.ids)],
                "instalment_ids": [Command.create({"date": FIRST, "amount": 500.0})],
            })
            with self.assertRaisesRegex(UserError, "add up to"):
                plan.action_sign()
            with self.assertRaisesRegex(UserError, "first instalment"):
                plan.action_generate_instalments()
            plan.instalment_ids[0].amount = 1000.0
            plan.action_sign()
            twin = plan.copy({"instalment_ids": [Command.create({"date": FIRST, "amount": 1000.0})]})
            with self.assertRaisesRegex(UserError, "already in the active plan"):
                twin.action_sign()
        stranger = self._resident("Paul Durand")
        with self.assertRaisesRegex(ValidationError, "not to the debtor"):
            self.env["essms.payment.plan"].create({
                "partner_id": stranger.partner_id.id, "move_ids": [Command.set(self.invoice.ids)]})

    def test_cancel_ends_the_hold(self):
        plan = self._plan()
        with freeze_time(date(2026, 2, 10)):
            plan.action_cancel()
        self.assertEqual(plan.state, "cancelled")
        self.assertEqual(plan.hold_ids.date_end, date(2026, 2, 9))
        with self.assertRaisesRegex(UserError, "cancel it rather than delete it"):
            plan.unlink()

    def test_payments_read_once_for_a_batch_of_plans(self):
        plans = self.env["essms.payment.plan"]
        for _index in range(4):
            move = self._invoice(self.martin.partner_id, amount=300.0)
            plans |= self._plan(moves=move)
            self._pay(move, 100.0, date(2026, 2, 27))
        counts = []
        for batch in (plans, plans[:1], plans):  # the first one warms the caches
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            with freeze_time(date(2026, 3, 1)):
                statuses = batch._statuses()
            counts.append(self.env.cr.sql_log_count - before)
        self.assertEqual(counts[1], counts[2], "the queries do not grow with the plans")
        self.assertEqual({status.paid for status in statuses.values()}, {100})
        self.assertEqual({status.instalments[0].state for status in statuses.values()}, {"paid"})

    def test_agreement_prints(self):
        plan = self._plan()
        self._pay(self.invoice, 100.0, date(2026, 2, 27))
        self.assertEqual(plan._agreement_invoices(), [(self.invoice, 1000.0)])
        html = self.env["ir.actions.report"].with_context(lang="fr_FR")._render_qweb_html(
            "essms_billing.report_payment_plan", plan.ids)[0].decode()
        self.assertIn(self.invoice.name, html)
        self.assertIn("333,34", html)


@tagged("post_install", "-at_install")
class TestPromise(PlanCommon):
    def _promise(self, amount=300.0, promised=date(2026, 2, 15)):
        with freeze_time(date(2026, 2, 5)):
            return self.env["essms.promise"].with_user(self.operator).create({
                "partner_id": self.martin.partner_id.id,
                "move_ids": [Command.set(self.invoice.ids)],
                "date_promised": promised,
                "amount": amount,
            })

    def test_promise_kept(self):
        promise = self._promise()
        self.assertEqual(promise.hold_ids.reason, "promise_to_pay")
        self.assertFalse(self._dunning(date(2026, 2, 14)).letter_ids, "no reminder while the promise runs")
        self._pay(self.invoice, 200.0, date(2026, 2, 10))
        self._monitor(date(2026, 2, 11))
        self.assertEqual(promise.state, "open")
        self._pay(self.invoice, 100.0, date(2026, 2, 14))
        self._monitor(date(2026, 2, 14))
        self.assertEqual(promise.state, "kept")
        self.assertEqual(promise.amount_paid, 300.0)
        self.assertEqual(promise.hold_ids.date_end, date(2026, 2, 13))

    def test_promise_broken(self):
        promise = self._promise()
        self._pay(self.invoice, 200.0, date(2026, 2, 10))
        self._pay(self.invoice, 100.0, date(2026, 2, 16))  # a day late: does not keep the promise
        self._monitor(date(2026, 2, 15))
        self.assertEqual(promise.state, "open")
        self._monitor(date(2026, 2, 17))
        self.assertEqual(promise.state, "broken")
        self.assertEqual(promise.amount_paid, 200.0)
        self.assertEqual(len(promise.activity_ids), 1)
        self.assertEqual(self._letter(self._dunning(date(2026, 2, 17)), self.martin.partner_id).amount_due, 700.0)

    def test_promise_needs_invoices_and_a_later_date(self):
        with self.assertRaisesRegex(ValidationError, "before the call"):
            self._promise(promised=date(2026, 2, 1))
        with self.assertRaisesRegex(ValidationError, "positive"):
            self._promise(amount=0.0)


@tagged("post_install", "-at_install")
class TestPlanSecurity(PlanCommon):
    def test_least_privileged_users(self):
        plan = self._plan()
        secretary = new_test_user(self.env, "plan_secretary", groups=ESTABLISHMENT)
        for model in ("essms.payment.plan", "essms.payment.plan.instalment", "essms.promise"):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(secretary).search([])
        with freeze_time(SIGNED):
            self.assertEqual(plan.with_user(self.operator).instalment_ids.mapped("state"), ["due", "due", "due"])
        other = self.env["res.company"].create({"name": "Association Les Amandiers"})
        user = new_test_user(self.env, "plan_other", groups=OPERATOR, company_id=other.id,
                             company_ids=[Command.set(other.ids)])
        for model in ("essms.payment.plan", "essms.payment.plan.instalment", "essms.recovery.hold"):
            with self.subTest(model=model):
                self.assertFalse(self.env[model].with_user(user).search([]))
