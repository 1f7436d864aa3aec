"""Payment plans (échéanciers) and promises to pay (recovery-rules §2).

A plan covers invoices of one debtor: their residual at signature is its total, split into instalments. While it
is active, each of its invoices carries a ``payment_plan`` hold (``essms.recovery.hold``), so the dunning runs
leave them out through the holds they already read. A daily job follows the payments reconciled with the plan's
invoices since the signature: a missed instalment sends a notice; after the notice delay the plan is broken, its
holds end and the claims are reminded again from their stage; a fully paid plan completes and ends its holds.

A promise to pay is its own record rather than fields on a hold: it covers several invoices (one hold each), has
an amount, a date and an outcome (kept, broken) that the recovery follow-up counts; its holds end with it.
"""

import logging
from datetime import timedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import format_date
from odoo.tools import formatLang
from odoo.tools import split_every
from odoo.tools.pdf import merge_pdf

from ..engine import addressee
from ..engine import plans as engine
from ..engine.money import ZERO
from ..engine.money import cents
from ..engine.money import to_decimal
from .essms_dunning_letter import long_date as letter_long_date
from .essms_recovery_arrangement import _paid_on_moves
from .essms_workflow_mixin import transition

_logger = logging.getLogger(__name__)

MONITOR_BATCH_SIZE = 500
NOTICE_REPORT = "essms_billing.action_report_essms_payment_plan_notice"


class EssmsPaymentPlan(models.Model):
    _name = "essms.payment.plan"
    _description = "Payment plan"
    _inherit = ["essms.recovery.arrangement", "essms.approval.mixin", "essms.workflow.mixin"]
    _workflow_fields = ("state",)
    _approval_decision_type = "plan"
    _order = "date_signed desc, id desc"
    _hold_reason = "payment_plan"
    _hold_field = "payment_plan_id"

    name = fields.Char(required=True, copy=False, readonly=True, default=lambda self: self.env._("New"))
    state = fields.Selection(
        selection=[
            ("draft", "Draft"),
            ("to_approve", "To approve"),
            ("active", "Active"),
            ("completed", "Completed"),
            ("broken", "Broken"),
            ("cancelled", "Cancelled"),
            ("refused", "Refused"),
        ],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
    )
    amount_total = fields.Monetary(
        string="Total", readonly=True, copy=False, tracking=True,
        help="The invoices' amount still due when the plan is signed.",
    )
    instalment_count = fields.Integer(string="Number of instalments", default=3)
    date_first = fields.Date(string="First instalment")
    date_signed = fields.Date(string="Signed on", readonly=True, copy=False, tracking=True)
    date_end = fields.Date(string="Ended on", readonly=True, copy=False, tracking=True)
    notice_days = fields.Integer(
        string="Notice delay (days)",
        default=lambda self: self.env.company.essms_plan_notice_days,
        help="Days after a missed instalment before the plan is ended as broken.",
    )
    instalment_ids = fields.One2many("essms.payment.plan.instalment", "plan_id", string="Instalments", copy=True)
    hold_ids = fields.One2many("essms.recovery.hold", "payment_plan_id", string="Holds")
    hold_count = fields.Integer(compute="_compute_hold_count")
    invoice_count = fields.Integer(compute="_compute_hold_count")
    amount_paid = fields.Monetary(string="Paid", compute="_compute_amount_paid")
    amount_left = fields.Monetary(string="Left to pay", compute="_compute_amount_paid")
    notice_for = fields.Date(
        string="Notice sent for", readonly=True, copy=False,
        help="The due date of the missed instalment the debtor was last told about.",
    )
    notice_date = fields.Date(string="Notice sent on", readonly=True, copy=False)
    notice_attachment_id = fields.Many2one(
        "ir.attachment", string="Notice letter", readonly=True, copy=False,
        help="The letter telling the debtor of the missed instalment, the delay to pay it and what follows.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("name") or vals["name"] == self.env._("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("essms.payment.plan") or self.env._("New")
        return super().create(vals_list)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        for plan in self:
            if plan.state != "draft":
                raise UserError(self.env._(
                    "Plan %(plan)s was signed: cancel it rather than delete it.", plan=plan.name))

    @api.depends("hold_ids", "move_ids")
    def _compute_hold_count(self):
        for plan in self:
            plan.hold_count = len(plan.hold_ids)
            plan.invoice_count = len(plan.move_ids)

    @api.depends("instalment_ids.amount", "move_ids", "date_signed")
    def _compute_amount_paid(self):
        paid = _paid_on_moves(self.env, self, lambda plan: plan.date_signed)
        for plan in self:
            plan.amount_paid = float(paid.get(plan.id, ZERO)) if plan.date_signed else 0.0
            plan.amount_left = plan.amount_total - plan.amount_paid

    def _residual_total(self):
        self.ensure_one()
        return cents(sum(to_decimal(move.amount_residual) for move in self.move_ids))

    def action_generate_instalments(self):
        """Replace the instalments with equal monthly ones over the invoices' amount still due."""
        for plan in self:
            if plan.state != "draft":
                raise UserError(self.env._("Plan %(plan)s is signed: its schedule can no longer change.",
                                           plan=plan.name))
            if not plan.move_ids:
                raise UserError(self.env._("Plan %(plan)s: choose the invoices it covers.", plan=plan.name))
            if plan.instalment_count < 1:
                raise UserError(self.env._("Plan %(plan)s: the number of instalments must be at least 1.",
                                           plan=plan.name))
            if not plan.date_first:
                raise UserError(self.env._("Plan %(plan)s: give the date of the first instalment.",
                                           plan=plan.name))
            total = plan._residual_total()
            if total <= ZERO:
                raise UserError(self.env._("Plan %(plan)s: its invoices have nothing left to pay.", plan=plan.name))
            schedule = engine.schedule(total, plan.instalment_count, plan.date_first)
            plan.write({
                "amount_total": float(total),
                "instalment_ids": [fields.Command.clear()] + [
                    fields.Command.create({"date": item.date, "amount": float(item.amount)}) for item in schedule
                ],
            })

    @transition
    def action_sign(self):
        """The debtor signed: the schedule must add up to what is due; the invoices are held while it runs.

        The plan goes through its approval rule (recovery-rules §8): within the operator's autonomy it is active at
        once (the finance directors are told when the rule says so); otherwise it waits for a finance director,
        its invoices already held, and becomes active on approval.
        """
        today = fields.Date.context_today(self)
        for plan in self:
            if plan.state != "draft":
                raise UserError(self.env._("Plan %(plan)s is not a draft.", plan=plan.name))
            if not plan.instalment_ids:
                raise UserError(self.env._("Plan %(plan)s has no instalments.", plan=plan.name))
            total = plan._residual_total()
            scheduled = cents(sum(to_decimal(item.amount) for item in plan.instalment_ids))
            if scheduled != total:
                raise UserError(self.env._(
                    "Plan %(plan)s: the instalments add up to %(scheduled)s but the invoices still owe %(total)s.",
                    plan=plan.name, scheduled=formatLang(self.env, float(scheduled), currency_obj=plan.currency_id),
                    total=formatLang(self.env, float(total), currency_obj=plan.currency_id)))
            others = self.search([("id", "!=", plan.id), ("state", "in", ("to_approve", "active")),
                                  ("move_ids", "in", plan.move_ids.ids)], limit=1)
            if others:
                raise UserError(self.env._("Plan %(plan)s: some of its invoices are already in the active plan "
                                           "%(other)s.", plan=plan.name, other=others.name))
            plan.write({"date_signed": today, "amount_total": float(total)})
        by_mode = self._approval_propose()
        waiting = by_mode.get("approval_required", self.browse())
        waiting.write({"state": "to_approve"})
        (self - waiting).write({"state": "active"})
        self._put_holds(today)
        for plan in waiting:
            amount = formatLang(self.env, plan.amount_total, currency_obj=plan.currency_id)
            plan._approval_ask(
                self.env._("Payment plan to approve: %(plan)s", plan=plan.name),
                self.env._("%(debtor)s, %(amount)s in %(count)s instalments, proposed by %(user)s.",
                           debtor=plan.partner_id.display_name, amount=amount, count=len(plan.instalment_ids),
                           user=self.env.user.name),
            )
            plan.message_post(body=self.env._(
                "Signed by the debtor; waits for a finance director's approval (%(amount)s).", amount=amount))
        for plan in by_mode.get("autonomous_notify", self.browse()):
            plan._approval_tell(self.env._(
                "Payment plan %(plan)s signed by %(user)s: %(debtor)s, %(amount)s in %(count)s instalments.",
                plan=plan.name, user=self.env.user.name, debtor=plan.partner_id.display_name,
                amount=formatLang(self.env, plan.amount_total, currency_obj=plan.currency_id),
                count=len(plan.instalment_ids)))

    def _approval_subject(self):
        self.ensure_one()
        return (self.company_id, self.partner_id.commercial_partner_id.essms_payer_kind,
                self.amount_total or float(self._residual_total()))

    @transition
    def _approval_approved(self):
        self.filtered(lambda plan: plan.state == "to_approve").write({"state": "active"})
        for plan in self:
            plan.message_post(body=self.env._("Approved by %(user)s: the plan is active.", user=self.env.user.name))

    def _approval_refused(self):
        self.filtered(lambda plan: plan.state == "to_approve")._end("refused")
        for plan in self:
            plan._notify_operator(
                self.env._("Payment plan refused: %(plan)s", plan=plan.name),
                self.env._("Refused by %(user)s: the invoices are reminded again. %(note)s",
                           user=self.env.user.name, note=plan.approval_note or ""),
            )

    def action_cancel(self):
        for plan in self:
            if plan.state not in ("draft", "to_approve", "active"):
                raise UserError(self.env._("Plan %(plan)s is already ended.", plan=plan.name))
        self._end("cancelled")
        self.activity_unlink(["essms_billing.mail_activity_type_essms_approval"])

    @transition
    def _end(self, state):
        self.hold_ids._end_now()
        self.write({"state": state, "date_end": fields.Date.context_today(self)})

    def _agreement_invoices(self):
        """``[(invoice, amount still due at signature)]`` for the printed agreement (now, for a draft)."""
        self.ensure_one()
        since = {}
        if self.date_signed:
            lines = self.move_ids.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
            partials = self.env["account.partial.reconcile"].sudo().search_fetch(
                [("debit_move_id", "in", lines.ids), ("max_date", ">=", self.date_signed)],
                ["debit_move_id", "amount"],
            )
            for partial in partials:
                move = partial.debit_move_id.move_id
                since[move.id] = since.get(move.id, 0.0) + partial.amount
        return [(move, move.amount_residual + since.get(move.id, 0.0))
                for move in self.move_ids.sorted(lambda move: (move.invoice_date_due or move.date, move.id))]

    def action_view_holds(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Holds"),
            "res_model": "essms.recovery.hold",
            "view_mode": "list,form",
            "domain": [("payment_plan_id", "in", self.ids)],
        }

    def action_view_invoices(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Invoices"),
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [("id", "in", self.move_ids.ids)],
        }

    def _statuses(self, day=None):
        """``{plan id: engine PlanStatus}`` on ``day`` (today), the payments read once for every plan."""
        today = day or fields.Date.context_today(self)
        paid = _paid_on_moves(self.env, self, lambda plan: plan.date_signed)
        return {
            plan.id: engine.plan_status(
                [engine.Instalment(item.date, to_decimal(item.amount)) for item in plan.instalment_ids],
                paid[plan.id] if plan.date_signed else ZERO,
                today,
                plan.notice_days,
            )
            for plan in self
        }

    @api.model
    def _cron_monitor(self):
        """Daily: complete the paid plans, warn about missed instalments, break the plans late beyond the delay."""
        plans = self.search([("state", "=", "active")], order="id")
        for batch in split_every(MONITOR_BATCH_SIZE, plans.ids, self.browse):
            batch._monitor()
        promises = self.env["essms.promise"].search([("state", "=", "open")], order="id")
        for batch in split_every(MONITOR_BATCH_SIZE, promises.ids, promises.browse):
            batch._monitor_open()

    def _monitor(self):
        statuses = self._statuses()
        completed = self.filtered(lambda plan: statuses[plan.id].state == engine.COMPLETED)
        broken = self.filtered(lambda plan: statuses[plan.id].state == engine.BROKEN)
        completed._end("completed")
        for plan in completed:
            plan.message_post(body=self.env._("Every instalment is paid: the plan is completed."))
        broken._end("broken")
        for plan in broken:
            plan._notify_operator(
                self.env._("Payment plan broken: %(plan)s", plan=plan.name),
                self.env._("The instalment of %(date)s is still unpaid %(days)s days later: the plan is broken "
                           "and the invoices are reminded again.",
                           date=format_date(self.env, statuses[plan.id].first_late), days=plan.notice_days),
            )
        for plan in self - completed - broken:
            first_late = statuses[plan.id].first_late
            if statuses[plan.id].notice_due and plan.notice_for != first_late:
                plan.write({"notice_for": first_late, "notice_date": fields.Date.context_today(plan)})
                letter = plan._attach_notice_letter()
                body = self.env._(
                    "The instalment of %(date)s is unpaid. Without payment by %(deadline)s the plan will be ended "
                    "and the invoices reminded again.",
                    date=format_date(self.env, first_late),
                    deadline=format_date(self.env, plan._notice_deadline()),
                )
                if letter:
                    body += " " + self.env._("The notice letter to send to the debtor is attached.")
                plan.message_post(body=body, attachment_ids=letter.ids)
                plan.activity_schedule(
                    "mail.mail_activity_data_todo",
                    date_deadline=fields.Date.context_today(plan),
                    summary=self.env._("Missed instalment: %(plan)s", plan=plan.name),
                    note=self.env._("Send the notice letter attached to the plan.") if letter else False,
                    user_id=plan.user_id.id or self.env.uid,
                )

    # The notice of a missed instalment -----------------------------------------------------------------

    def _notice_deadline(self):
        """The last day to pay the missed instalment: its due date plus the notice delay (the plan is broken the
        day after, see ``engine.plans.plan_status``)."""
        self.ensure_one()
        return self.notice_for + timedelta(days=self.notice_days)

    def _attach_notice_letter(self):
        """Print the notice letter of the missed instalment and attach it to the plan; a PDF that cannot be made
        is said on the chatter (the notice and the activity go on without it)."""
        self.ensure_one()
        report = self.env["ir.actions.report"].with_company(self.company_id).with_context(force_report_rendering=True)
        try:
            with self.env.cr.savepoint():
                contents = []
                for recipient in self._notice_recipients():
                    content, _report_type = report.with_context(
                        essms_notice_recipient_id=recipient.id
                    )._render_qweb_pdf(NOTICE_REPORT, res_ids=self.ids)
                    if not content or not content.startswith(b"%PDF"):
                        raise UserError(self.env._("The PDF engine returned nothing."))
                    contents.append(content)
                attachment = self.env["ir.attachment"].create({
                    "name": self.env._("Notice %(plan)s - instalment of %(date)s.pdf",
                                       plan=(self.name or "").replace("/", "-"), date=self.notice_for),
                    "raw": merge_pdf(contents) if len(contents) > 1 else contents[0],
                    "mimetype": "application/pdf",
                    "res_model": self._name,
                    "res_id": self.id,
                })
        except Exception as error:
            _logger.warning("Notice letter of payment plan %s not printed", self.id, exc_info=True)
            self.message_post(body=self.env._(
                "The notice letter could not be printed (%(error)s).", error=str(error) or error.__class__.__name__))
            return self.env["ir.attachment"]
        self.notice_attachment_id = attachment
        return attachment

    def _notice_recipients(self):
        """Who receives the notice: the debtor, or the guardian who represents the debtor (tutelle, habilitation
        familiale), and the curator's copy under curatelle (engine/addressee.py); only the
        ``essms_notice_recipient_id`` of the context when given."""
        self.ensure_one()
        mail = self._notice_mail()
        recipients = self.partner_id.browse(mail.addressee) | self.partner_id.browse(mail.copy or [])
        only = self.env.context.get("essms_notice_recipient_id")
        return recipients.filtered(lambda partner: partner.id == only) if only else recipients

    def _notice_mail(self):
        """The engine's answer (engine/addressee.py) for the plan's debtor: addressee, copy, represented."""
        self.ensure_one()
        person = self._notice_person()
        return addressee.recipients(person.legal_protection, self.partner_id.id, person.protector_id.id or None)

    def _notice_person(self):
        self.ensure_one()
        return self.env["essms.beneficiary"].sudo().search(
            [("partner_id", "=", self.partner_id.id), ("company_id", "=", self.company_id.id)], limit=1
        )

    def _notice_instalments(self):
        """The schedule as it stood when the notice was sent: ``[(number, engine InstalmentStatus)]``."""
        self.ensure_one()
        status = self._statuses(self.notice_date)[self.id]
        return list(enumerate(status.instalments, start=1)), status

    def _notice_values(self, recipient):
        """The values the notice letter prints for ``recipient``, formatted in the language of the environment.

        The sentences are QWeb (``essms_billing.report_payment_plan_notice_text``), so that they can be adapted
        without a developer; this method only computes: the schedule, what is late, the amounts, the dates, the
        bank details and whom the letter is about."""
        self.ensure_one()
        rows, status = self._notice_instalments()
        late = [item for _number, item in rows if item.state == engine.LATE]
        money = lambda amount: formatLang(self.env, float(amount), currency_obj=self.currency_id)  # noqa: E731
        long_date = lambda day: letter_long_date(self.env, day)  # noqa: E731
        left = sum((item.amount - item.paid for item in late), ZERO)
        balance = cents(to_decimal(self.amount_total)) - status.paid
        company = self.company_id
        bank = company.partner_id.bank_ids[:1]
        person = self._notice_person()
        city = company.partner_id.city
        day = long_date(self.notice_date)
        return {
            "plan": self.name,
            "signed": long_date(self.date_signed),
            "total": money(self.amount_total),
            "count": len(rows),
            "invoices": ", ".join(self.move_ids.sorted("name").mapped("name")),
            # One late instalment (paid in part or not at all), or several.
            "late": [
                {"date": long_date(item.date), "amount": money(item.amount),
                 "paid": money(item.paid) if item.paid else ""}
                for item in late
            ],
            "late_dates": ", ".join(long_date(item.date) for item in late),
            "left": money(left),
            "deadline": long_date(self._notice_deadline()),
            "days": self.notice_days,
            "balance": money(balance),
            "iban": bank.acc_number or "",
            "bank_name": (bank.bank_id.name or company.name) if bank else "",
            # To a guardian who represents the debtor, or the curator's copy (engine/addressee.py).
            "represented": recipient != self.partner_id and self._notice_mail().represented,
            "copy": recipient != self.partner_id and not self._notice_mail().represented,
            "person": person.name,
            "reference": person.protection_reference or "-",
            "place_date": self.env._("%(city)s, %(date)s", city=city, date=day) if city else day,
            "rows": rows,
        }
