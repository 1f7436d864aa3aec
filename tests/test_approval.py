"""Autonomy levels, phone-call outcomes and automatic sending (recovery-rules §2, §8), as the billing operator.

The shipped rules: a resident's payment plan below 2 000 € is the operator's decision, a larger one waits for the
finance director; a formal notice is sent by the operator, the director being told. Jeanne Martin owes 723.32 € due
on 31 January 2026 (see test_dunning); she is reminded on 15 February, firmly on 2 March, called on 7 March and sent
a formal notice on 17 March.
"""

from datetime import date
from datetime import timedelta
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import freeze_time
from odoo.tests import new_test_user
from odoo.tests import tagged

from ..models import essms_dunning_run as run_module
from .test_dunning import AMOUNT
from .test_dunning import ESTABLISHMENT
from .test_dunning import DunningCommon

MANAGER = "essms_billing.group_essms_manager"
APPROVAL_ACTIVITY = "essms_billing.mail_activity_type_essms_approval"
REMINDER, FIRM, CALL, NOTICE = date(2026, 2, 15), date(2026, 3, 2), date(2026, 3, 7), date(2026, 3, 17)


class ApprovalCommon(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.startClassPatcher(patch(
            "odoo.addons.essms_billing.models.essms_dunning_letter.EssmsDunningLetter._render_document",
            autospec=True,
            side_effect=lambda letter: None,
        ))
        cls.manager = new_test_user(
            cls.env, "approval_manager", groups=MANAGER, company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.notice_rule = cls.env.ref("essms_billing.approval_rule_formal_notice")

    def _manager_activities(self, record):
        return record.activity_ids.filtered(
            lambda activity: activity.user_id == self.manager
            and activity.activity_type_id == self.env.ref(APPROVAL_ACTIVITY))

    def _notified(self, record, user):
        return record.message_ids.filtered(lambda message: user.partner_id in message.partner_ids)

    def _up_to(self, day):
        """Send Jeanne Martin's reminders up to ``day`` (excluded)."""
        for step in (REMINDER, FIRM, CALL):
            if step < day:
                self._send(step)


@tagged("post_install", "-at_install")
class TestPlanApproval(ApprovalCommon):
    def _plan(self, amount):
        move = self._invoice(self.martin.partner_id, amount=amount)
        with freeze_time("2026-02-05"):
            plan = self.env["essms.payment.plan"].with_user(self.operator).create({
                "partner_id": self.martin.partner_id.id,
                "move_ids": [Command.set(move.ids)],
                "instalment_count": 4,
                "date_first": date(2026, 2, 28),
            })
            plan.action_generate_instalments()
            plan.action_sign()
        return plan

    def test_small_resident_plan_is_the_operators_decision(self):
        plan = self._plan(1999.99)
        self.assertEqual((plan.state, plan.approval_mode, plan.approval_state), ("active", "autonomous", False))
        self.assertEqual(plan.proposed_by_id, self.operator)
        self.assertTrue(plan.proposed_date)
        self.assertFalse(self._manager_activities(plan))

    def test_large_plan_waits_for_the_finance_director(self):
        plan = self._plan(2000.0)
        self.assertEqual((plan.state, plan.approval_mode, plan.approval_state),
                         ("to_approve", "approval_required", "to_approve"))
        self.assertEqual(plan.hold_ids.mapped("reason"), ["payment_plan"], "no reminder while the director decides")
        self.assertEqual(len(self._manager_activities(plan)), 1)
        as_operator = plan.with_user(self.operator)
        with self.assertRaises(AccessError):
            as_operator.action_approve()
        with self.assertRaises(AccessError):
            as_operator.write({"approval_state": "approved"})
        with self.assertRaises(AccessError):
            as_operator.write({"approved_by_id": self.operator.id})
        self.assertEqual(plan.state, "to_approve")
        plan.with_user(self.manager).action_approve()
        self.assertEqual((plan.state, plan.approval_state), ("active", "approved"))
        self.assertEqual((plan.proposed_by_id, plan.approved_by_id), (self.operator, self.manager))
        self.assertTrue(plan.approved_date)
        self.assertFalse(self._manager_activities(plan), "the director's to-do is done")
        with self.assertRaises(UserError):
            plan.with_user(self.manager).action_approve()

    def test_refused_plan_ends_its_holds(self):
        plan = self._plan(2500.0)
        self.assertFalse(self._run(date(2026, 2, 20)).letter_ids, "held while waiting")
        with freeze_time("2026-02-20"):
            plan.with_user(self.manager).action_refuse()
        self.assertEqual((plan.state, plan.approval_state, plan.approved_by_id), ("refused", "refused", self.manager))
        with freeze_time("2026-02-21"):
            letter = self._letter(self._run(date(2026, 2, 21)), self.martin.partner_id)
        self.assertEqual(letter.line_ids.move_id, plan.move_ids, "reminded again once refused")

    def test_autonomous_notify_tells_the_finance_director(self):
        self.env.ref("essms_billing.approval_rule_plan_resident").mode = "autonomous_notify"
        plan = self._plan(500.0)
        self.assertEqual((plan.state, plan.approval_mode), ("active", "autonomous_notify"))
        self.assertTrue(self._notified(plan, self.manager))

    def test_a_rule_of_the_company_wins_over_the_shared_one(self):
        self.env["essms.approval.rule"].create({
            "decision_type": "plan", "company_id": self.company.id, "payer_kind": "resident",
            "mode": "approval_required", "amount_min": 100, "amount_max": 1000,
        })
        self.assertEqual(self._plan(500.0).state, "to_approve")
        self.assertEqual(self._plan(1500.0).state, "active")

    def test_operator_reads_the_rules_but_cannot_change_them(self):
        rules = self.env["essms.approval.rule"].with_user(self.operator).search([])
        self.assertIn(self.notice_rule, rules)
        with self.assertRaises(AccessError):
            self.notice_rule.with_user(self.operator).mode = "autonomous"
        with self.assertRaises(AccessError):
            self.env["essms.approval.rule"].with_user(self.operator).create(
                {"decision_type": "plan", "mode": "autonomous"})
        secretary = new_test_user(self.env, "approval_secretary", groups=ESTABLISHMENT)
        with self.assertRaises(AccessError):
            self.env["essms.approval.rule"].with_user(secretary).search([])


@tagged("post_install", "-at_install")
class TestNoticeApproval(ApprovalCommon):
    def test_formal_notice_sent_and_the_director_told(self):
        move = self._invoice(self.martin.partner_id)
        self._up_to(NOTICE)
        run = self._send(NOTICE)
        letter = self._letter(run, self.martin.partner_id)
        self.assertEqual((letter.state, letter.approval_mode), ("sent", "autonomous_notify"))
        self.assertEqual(move.essms_recovery_stage, "formal_notice")
        self.assertTrue(self._notified(run, self.manager))
        firm = self._letter(self.env["essms.dunning.run"].search([("date", "=", FIRM)]), self.martin.partner_id)
        self.assertFalse(firm.approval_mode, "a firm reminder is no decision under the rules")

    def test_formal_notice_waits_for_the_director(self):
        self.notice_rule.mode = "approval_required"
        move = self._invoice(self.martin.partner_id)
        self._up_to(NOTICE)
        run = self._send(NOTICE)
        letter = self._letter(run, self.martin.partner_id)
        self.assertEqual((letter.state, letter.approval_state), ("draft", "to_approve"), "not sent")
        self.assertEqual(move.essms_recovery_stage, "firm_reminder")
        self.assertEqual((run.state, run.to_approve_count), ("review", 1))
        self.assertEqual(len(self._manager_activities(run)), 1)
        with self.assertRaises(AccessError):
            letter.with_user(self.operator).action_approve()
        with self.assertRaises(AccessError):
            run.with_user(self.operator).action_approve_notices()
        with self.assertRaises(AccessError):
            letter.with_user(self.operator).write({"approval_state": "approved"})
        run.with_user(self.operator).action_send()
        self.assertEqual(letter.state, "draft", "sending again does not bypass the approval")
        run.with_user(self.manager).action_approve_notices()
        self.assertFalse(self._manager_activities(run))
        run.with_user(self.operator).action_send()
        run._send_queued()  # the sending job
        self.assertEqual((letter.state, run.state, move.essms_recovery_stage), ("sent", "sent", "formal_notice"))
        self.assertEqual((letter.proposed_by_id, letter.approved_by_id), (self.operator, self.manager))

    def test_refused_formal_notice_is_excluded(self):
        self.notice_rule.mode = "approval_required"
        move = self._invoice(self.martin.partner_id)
        self._up_to(NOTICE)
        run = self._run(NOTICE)
        letter = self._letter(run, self.martin.partner_id)
        letter.with_user(self.manager).action_refuse()
        self.assertEqual((letter.state, letter.exclusion_reason), ("excluded", "refused"))
        with self.assertRaises(UserError):
            letter.with_user(self.operator).action_include()
        run.action_send()
        self.assertEqual((run.state, move.essms_recovery_stage), ("sent", "firm_reminder"))

    def test_rule_made_stricter_after_the_proposal_holds_the_notice(self):
        self._invoice(self.martin.partner_id)
        self._up_to(NOTICE)
        run = self._run(NOTICE)
        letter = self._letter(run, self.martin.partner_id)
        self.assertEqual((letter.approval_mode, letter.approval_state), ("autonomous_notify", False))
        self.notice_rule.mode = "approval_required"
        run.action_send()
        self.assertEqual((letter.state, letter.approval_state), ("draft", "to_approve"))

    def test_operator_cannot_forge_an_autonomous_letter(self):
        self._invoice(self.martin.partner_id)
        letter = self._letter(self._run(REMINDER), self.martin.partner_id)
        with self.assertRaises(AccessError):
            letter.with_user(self.operator).write({"approval_mode": "autonomous"})


@tagged("post_install", "-at_install")
class TestCallOutcome(ApprovalCommon):
    def _call_letter(self):
        move = self._invoice(self.martin.partner_id)
        self._up_to(CALL)
        letter = self._letter(self._send(CALL), self.martin.partner_id)
        self.assertTrue(letter.channel_phone and letter.call_activity_id)
        return move, letter

    def _record(self, letter, **vals):
        action = letter.with_user(self.operator).action_record_call()
        wizard = self.env[action["res_model"]].with_user(self.operator).with_context(**action["context"]).create(vals)
        wizard.action_record()
        return wizard

    def test_promise_creates_a_promise_to_pay(self):
        move, letter = self._call_letter()
        with freeze_time(CALL):
            self._record(letter, outcome="promise", date_promised=date(2026, 3, 31), amount=300.0,
                         note="Paiera à réception de l'AAH")
        promise = letter.promise_id
        self.assertEqual((promise.partner_id, promise.move_ids, promise.amount, promise.date_promised),
                         (self.martin.partner_id, move, 300.0, date(2026, 3, 31)))
        self.assertEqual(promise.hold_ids.mapped("reason"), ["promise_to_pay"])
        self.assertEqual((letter.call_outcome, letter.call_user_id), ("promise", self.operator))
        self.assertFalse(letter.call_activity_id, "the call is done")
        for record in (self.martin.partner_id, move):
            self.assertTrue(record.message_ids.filtered(lambda message: "AAH" in (message.body or "")), record)

    def test_dispute_holds_the_invoices(self):
        move, letter = self._call_letter()
        with freeze_time(CALL):
            self._record(letter, outcome="dispute", note="Conteste les jours d'hospitalisation")
        self.assertEqual(letter.dispute_hold_ids.mapped("reason"), ["dispute"])
        self.assertEqual(letter.dispute_hold_ids.move_id, move)
        with freeze_time(NOTICE):
            self.assertFalse(self._run(NOTICE).letter_ids, "no formal notice on a disputed invoice")

    def test_no_answer_keeps_the_call_to_make(self):
        _move, letter = self._call_letter()
        self._record(letter, outcome="no_answer")
        self.assertEqual(letter.call_outcome, "no_answer")
        self.assertTrue(letter.call_activity_id)
        self._record(letter, outcome="reached")
        self.assertEqual(letter.call_outcome, "reached")
        self.assertFalse(letter.call_activity_id)

    def test_promise_needs_a_date_and_an_amount(self):
        _move, letter = self._call_letter()
        with self.assertRaises(UserError):
            self._record(letter, outcome="promise", amount=0.0)
        self.assertFalse(letter.call_outcome)


@tagged("post_install", "-at_install")
class TestAutomaticSending(ApprovalCommon):
    def _cron(self, day):
        with freeze_time(day):
            remaining = self.env["essms.dunning.run"].sudo()._cron_prepare_proposals()
        self.env.invalidate_all()
        return remaining

    def _auto_run(self, day):
        return self.env["essms.dunning.run"].search([("is_automatic", "=", True), ("date", "=", day)])

    def test_sent_in_batches_once_even_when_interrupted(self):
        self.residents.auto_send = True
        self.level["reminder"].channel_email = True
        people = [self.martin] + [self._resident(name) for name in ("Luis Garcia", "Anne Roux")]
        moves = self.env["account.move"]
        for person in people:
            person.partner_id.email = "%s@example.org" % person.partner_id.name.replace(" ", ".").lower()
            moves |= self._invoice(person.partner_id)
        with patch.object(run_module, "CRON_BATCH_LETTERS", 2):
            self.assertEqual(self._cron(REMINDER), 3, "proposed: three letters to send")
            run = self._auto_run(REMINDER)
            self.assertEqual((run.state, len(run.letter_ids)), ("review", 3))
            # A first sending interrupted: its transaction is rolled back, nothing is kept, nothing left.
            with self.assertRaises(RuntimeError), self.env.cr.savepoint():
                self._cron(REMINDER)
                raise RuntimeError("worker killed")
            self.env.invalidate_all()
            self.assertEqual(set(run.letter_ids.mapped("state")), {"draft"})
            self.assertEqual(self._cron(REMINDER), 1, "two sent, one left")
            self.assertEqual(self._cron(REMINDER), 0)
            self.assertEqual(self._cron(REMINDER), 0, "nothing sent twice")
        self.assertEqual((run.state, set(run.letter_ids.mapped("state"))), ("sent", {"sent"}))
        self.assertEqual(set(moves.mapped("essms_recovery_stage")), {"reminded"})
        mails = self.env["mail.mail"].search(
            [("model", "=", "essms.dunning.letter"), ("res_id", "in", run.letter_ids.ids)])
        self.assertEqual(len(mails), 3, "one e-mail per letter, the interrupted batch's are gone")
        self.assertEqual(set(mails.mapped("state")), {"outgoing"}, "queued, sent after the commit")
        for move in moves:
            self.assertEqual(len(move.message_ids.filtered(lambda message: run.name in (message.body or ""))), 1)

    def test_letters_left_unsent_at_midnight_are_proposed_again_not_sent_late(self):
        self.residents.auto_send = True
        people = [self.martin] + [self._resident(name) for name in ("Luis Garcia", "Anne Roux")]
        for person in people:
            self._invoice(person.partner_id)
        next_day = REMINDER + timedelta(days=1)
        with patch.object(run_module, "CRON_BATCH_LETTERS", 2):
            self._cron(REMINDER)
            self.assertEqual(self._cron(REMINDER), 1, "two sent, one left when the job stops for the day")
            first = self._auto_run(REMINDER)
            left = first.letter_ids.filtered(lambda letter: letter.state == "draft")
            self.assertEqual(len(left), 1)
            self._cron(next_day)
        self.assertEqual((left.state, left.exclusion_reason), ("excluded", "outdated"))
        self.assertEqual(first.state, "sent", "its sending is closed: two letters sent, the third left out")
        second = self._auto_run(next_day)
        self.assertEqual(second.letter_ids.partner_id, left.partner_id, "the claim is proposed again, only it")
        self.assertEqual(second.letter_ids.level_id, left.level_id)
        self.assertEqual(self._cron(next_day), 0)
        self.assertEqual(second.letter_ids.state, "sent", "sent once, by the day's run")
        self.assertEqual(left.state, "excluded")

    def test_manual_policy_waits_for_the_operator(self):
        self._invoice(self.martin.partner_id)
        self.assertEqual(self._cron(REMINDER), 0)
        self.assertEqual(self._cron(REMINDER), 0)
        run = self._auto_run(REMINDER)
        self.assertEqual((run.state, run.letter_ids.state), ("review", "draft"))

    def test_never_a_formal_notice_under_approval(self):
        self.notice_rule.mode = "approval_required"
        self.residents.auto_send = True
        garcia = self._resident("Luis Garcia")
        self._invoice(self.martin.partner_id)
        self._up_to(NOTICE)
        self._invoice(garcia.partner_id, due=date(2026, 2, 28))
        self._cron(NOTICE)
        self._cron(NOTICE)
        run = self._auto_run(NOTICE)
        notice = self._letter(run, self.martin.partner_id)
        self.assertEqual((notice.state, notice.approval_state), ("draft", "to_approve"))
        self.assertEqual(self._letter(run, garcia.partner_id).state, "sent", "the reminder went out")
        notice.with_user(self.manager).action_approve()
        self.assertEqual(self._cron(NOTICE), 0)
        self.assertEqual(notice.state, "draft", "an approved notice is sent by a person, not by the job")
        run.with_user(self.operator).action_send()
        run._send_queued()  # the sending job
        self.assertEqual((notice.state, run.state), ("sent", "sent"))
        self.assertEqual(notice.amount_due, AMOUNT)


@tagged("post_install", "-at_install")
class TestRemission(ApprovalCommon):
    """Jeanne Martin asks for a remission of 900 € on two invoices of 723.32 € (1 446.64 € due)."""

    def _remission(self, amount=900.0):
        self.first = self._invoice(self.martin.partner_id)
        self.second = self._invoice(self.martin.partner_id, due=date(2026, 2, 28))
        return self.env["essms.remission"].with_user(self.operator).create({
            "partner_id": self.martin.partner_id.id,
            "move_ids": [Command.set((self.first | self.second).ids)],
            "amount": amount,
            "reason": "Demande de la tutrice : ressources insuffisantes",
            "social_note": "AAH seule, loyer à charge",
        })

    def test_remission_waits_for_the_director_then_is_a_credit_note(self):
        remission = self._remission()
        remission.action_submit()
        self.assertEqual((remission.state, remission.approval_mode), ("to_approve", "approval_required"))
        self.assertEqual(self.first.amount_residual, AMOUNT, "nothing accounted before the decision")
        self.assertEqual(len(self._manager_activities(remission)), 1)
        with self.assertRaises(AccessError):
            remission.action_approve()
        remission.with_user(self.manager).action_approve()
        self.assertEqual((remission.state, remission.proposed_by_id, remission.approved_by_id),
                         ("done", self.operator, self.manager))
        notes = remission.credit_note_ids
        self.assertEqual(notes.mapped("move_type"), ["out_refund", "out_refund"])
        self.assertEqual(set(notes.mapped("state")), {"posted"})
        self.assertEqual(sorted(notes.mapped("amount_total")), [176.68, AMOUNT], "oldest invoice first")
        self.assertEqual((self.first.amount_residual, self.first.payment_state), (0.0, "reversed"))
        self.assertEqual(self.first.essms_recovery_stage, "remitted")
        self.assertAlmostEqual(self.second.amount_residual, 2 * AMOUNT - 900.0)
        self.assertNotEqual(self.second.essms_recovery_stage, "remitted")

    def test_refused_remission_accounts_nothing(self):
        remission = self._remission()
        remission.action_submit()
        remission.with_user(self.manager).action_refuse()
        self.assertEqual((remission.state, remission.approval_state), ("refused", "refused"))
        self.assertFalse(remission.credit_note_ids)
        self.assertEqual(self.first.amount_residual, AMOUNT)

    def test_remission_above_what_is_due_is_refused(self):
        remission = self._remission(amount=2000.0)
        with self.assertRaises(UserError):
            remission.action_submit()

    def test_remission_within_an_autonomous_rule_is_accounted_at_once(self):
        self.env["essms.approval.rule"].create({
            "decision_type": "remission", "payer_kind": "resident", "amount_max": 1000, "mode": "autonomous_notify",
        })
        remission = self._remission()
        remission.action_submit()
        self.assertEqual((remission.state, remission.approval_mode), ("done", "autonomous_notify"))
        self.assertTrue(self._notified(remission, self.manager))
        self.assertEqual(len(remission.credit_note_ids), 2)


@tagged("post_install", "-at_install")
class TestApprovalQueries(ApprovalCommon):
    def test_rules_read_once_for_a_batch_of_letters(self):
        people = [self.martin] + [self._resident("Résident %s" % index) for index in range(5)]
        for person in people:
            self._invoice(person.partner_id)
        self._up_to(NOTICE)
        letters = self._run(NOTICE).letter_ids
        self.assertEqual(set(letters.mapped("approval_mode")), {"autonomous_notify"})
        counts = []
        # The first batch warms the caches (user, groups, access rules); then 2 letters and 4 letters.
        for batch in (letters[:1], letters[1:3], letters[3:]):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            batch._apply_approval_rules()
            self.env.flush_all()
            counts.append(self.env.cr.sql_log_count - before)
        self.assertEqual(len(letters[3:]), 3)
        self.assertEqual(counts[1], counts[2], "as many queries for 3 letters as for 2")
