from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError

from ..engine.money import ZERO
from ..engine.money import cents
from ..engine.money import to_decimal


def _paid_on_moves(env, records, date_from, date_to=None):
    """``{record id: amount}``: what was reconciled with each record's invoices between its two dates.

    One query for every record: the partial reconciliations of the invoices' receivable lines, in company
    currency, counted from ``date_from(record)`` (and up to ``date_to(record)`` when given).
    """
    lines = records.move_ids.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
    if not lines:
        return {record.id: ZERO for record in records}
    starts = [date_from(record) for record in records if date_from(record)]
    partials = env["account.partial.reconcile"].sudo().search_fetch(
        [("debit_move_id", "in", lines.ids), ("max_date", ">=", min(starts) if starts else fields.Date.today())],
        ["debit_move_id", "amount", "max_date"],
    )
    by_move = {}
    for partial in partials:
        by_move.setdefault(partial.debit_move_id.move_id.id, []).append(partial)
    paid = {}
    for record in records:
        start, end = date_from(record), date_to(record) if date_to else None
        total = ZERO
        for move_id in record.move_ids.ids:
            for partial in by_move.get(move_id, ()):
                if start and partial.max_date >= start and (not end or partial.max_date <= end):
                    total += to_decimal(partial.amount)
        paid[record.id] = cents(total)
    return paid


class EssmsRecoveryArrangement(models.AbstractModel):
    """What plans and promises share: a debtor, invoices of that debtor, holds on them while they run."""

    _name = "essms.recovery.arrangement"
    _description = "Recovery arrangement"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _check_company_auto = True
    _hold_reason = None
    _hold_field = None

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner", string="Debtor", required=True, index=True, check_company=True, tracking=True
    )
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        check_company=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'), "
               "('payment_state', 'not in', ('paid', 'in_payment', 'reversed')), "
               "('commercial_partner_id', '=', partner_id)]",
    )
    user_id = fields.Many2one("res.users", string="Operator", default=lambda self: self.env.user, tracking=True)
    note = fields.Text()

    @api.constrains("partner_id", "move_ids")
    def _check_invoices(self):
        for record in self:
            for move in record.move_ids:
                if move.move_type != "out_invoice" or move.state != "posted":
                    raise ValidationError(self.env._(
                        "%(record)s: %(invoice)s is not a posted customer invoice.",
                        record=record.display_name, invoice=move.display_name))
                if move.commercial_partner_id != record.partner_id.commercial_partner_id:
                    raise ValidationError(self.env._(
                        "%(record)s: invoice %(invoice)s is made out to %(payer)s, not to the debtor %(debtor)s.",
                        record=record.display_name, invoice=move.display_name,
                        payer=move.commercial_partner_id.display_name, debtor=record.partner_id.display_name))

    def _put_holds(self, day):
        values = [
            {"reason": self._hold_reason, "move_id": move.id, "company_id": record.company_id.id,
             "date_start": day, self._hold_field: record.id}
            for record in self for move in record.move_ids
        ]
        return self.env["essms.recovery.hold"].create(values)

    def _notify_operator(self, summary, body):
        for record in self:
            record.message_post(body=body)
            record.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=fields.Date.context_today(record),
                summary=summary,
                user_id=record.user_id.id or self.env.uid,
            )
