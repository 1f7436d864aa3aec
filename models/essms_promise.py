"""Promises to pay (recovery-rules §2): a debtor promises an amount by a date for some invoices, which are held
meanwhile; the promise is kept or broken by what was paid on them by then (``engine/plans.py``)."""

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError
from odoo.tools import format_date
from odoo.tools import formatLang

from ..engine import plans as engine
from ..engine.money import ZERO
from ..engine.money import to_decimal
from .essms_recovery_arrangement import _paid_on_moves
from .essms_workflow_mixin import transition


class EssmsPromise(models.Model):
    _name = "essms.promise"
    _description = "Promise to pay"
    _inherit = ["essms.recovery.arrangement", "essms.workflow.mixin"]
    _workflow_fields = ("state",)
    _order = "date_promised desc, id desc"
    _hold_reason = "promise_to_pay"
    _hold_field = "promise_id"

    date = fields.Date(string="Recorded on", required=True, default=fields.Date.context_today, tracking=True)
    date_promised = fields.Date(string="Promised for", required=True, tracking=True)
    amount = fields.Monetary(string="Promised amount", required=True, tracking=True)
    state = fields.Selection(
        selection=[("open", "Open"), ("kept", "Kept"), ("broken", "Not kept"), ("cancelled", "Cancelled")],
        default="open", required=True, readonly=True, copy=False, tracking=True,
    )
    hold_ids = fields.One2many("essms.recovery.hold", "promise_id", string="Holds")
    amount_paid = fields.Monetary(string="Paid", compute="_compute_amount_paid")

    @api.depends("partner_id", "date_promised", "amount")
    def _compute_display_name(self):
        for promise in self:
            promise.display_name = self.env._(
                "%(debtor)s – %(amount)s by %(date)s", debtor=promise.partner_id.display_name or "",
                amount=formatLang(self.env, promise.amount, currency_obj=promise.currency_id),
                date=format_date(self.env, promise.date_promised))

    @api.depends("move_ids", "date", "date_promised")
    def _compute_amount_paid(self):
        paid = _paid_on_moves(self.env, self, lambda promise: promise.date, lambda promise: promise.date_promised)
        for promise in self:
            promise.amount_paid = float(paid.get(promise.id, ZERO))

    @api.constrains("amount", "date", "date_promised", "move_ids")
    def _check_promise(self):
        for promise in self:
            if promise.amount <= 0:
                raise ValidationError(self.env._("Promise %(name)s: the promised amount must be positive.",
                                                 name=promise.display_name))
            if promise.date_promised < promise.date:
                raise ValidationError(self.env._("Promise %(name)s: the promised date is before the call.",
                                                 name=promise.display_name))
            if not promise.move_ids:
                raise ValidationError(self.env._("Promise %(name)s: choose the invoices it is for.",
                                                 name=promise.display_name))

    @api.model_create_multi
    def create(self, vals_list):
        promises = super().create(vals_list)
        for promise in promises:
            promise._put_holds(promise.date)
        return promises

    def action_cancel(self):
        self.filtered(lambda promise: promise.state == "open")._close("cancelled")

    @transition
    def _close(self, state):
        self.hold_ids._end_now()
        self.state = state

    def _monitor_open(self):
        today = fields.Date.context_today(self)
        promises = self
        paid = _paid_on_moves(self.env, promises, lambda promise: promise.date,
                              lambda promise: promise.date_promised)
        outcome = {
            promise.id: engine.promise_status(to_decimal(promise.amount), paid[promise.id],
                                              promise.date_promised, today)
            for promise in promises
        }
        kept = promises.filtered(lambda promise: outcome[promise.id] == engine.KEPT)
        broken = promises.filtered(lambda promise: outcome[promise.id] == engine.BROKEN)
        kept._close("kept")
        for promise in kept:
            promise.message_post(body=self.env._("The promise to pay is kept."))
        broken._close("broken")
        for promise in broken:
            promise._notify_operator(
                self.env._("Promise to pay not kept: %(name)s", name=promise.display_name),
                self.env._("The promise to pay was not kept: the invoices are reminded again."),
            )
