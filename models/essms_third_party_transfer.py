"""The contributions collected from residents' income, paid over to the département (billing-rules §2, mode 2).

A transfer covers one département and one period on its rhythm (a month or a calendar quarter). Computing it
reads what the billing decided (the billing lines' third-party money) and what the 467 account received and paid
per resident and month; the engine builds the nominative recap and its controls. Posting it writes one entry per
resident and month, debit 467 (the resident) credit the outstanding payments (the département): all of them or
none, never a month twice.
"""

from collections import defaultdict
from decimal import Decimal

from psycopg2 import errors

from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..engine import resident_money
from ..engine.dates import month_start
from .essms_workflow_mixin import transition


class EssmsThirdPartyTransfer(models.Model):
    _name = "essms.third.party.transfer"
    _description = "Contributions paid over to the département"
    _inherit = ["mail.thread", "essms.workflow.mixin"]
    _workflow_fields = ("state",)
    _order = "period_start desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    payer_id = fields.Many2one(
        "res.partner", string="Département", required=True, domain=[("essms_payer_kind", "=", "departement")],
        tracking=True, index=True,
    )
    rhythm = fields.Selection(related="payer_id.essms_transfer_rhythm")
    period_start = fields.Date(
        string="Period", required=True, tracking=True,
        help="Any day of the month (or of the quarter, for a quarterly département): the transfer covers the "
        "whole period.",
    )
    period_end = fields.Date(string="Until (excluded)", readonly=True)
    date = fields.Date(string="Payment date", required=True, default=fields.Date.context_today, tracking=True)
    state = fields.Selection(
        selection=[("draft", "Draft"), ("computed", "To pay over"), ("posted", "Paid over"),
                   ("cancelled", "Cancelled")],
        default="draft", required=True, readonly=True, tracking=True, copy=False,
    )
    line_ids = fields.One2many("essms.third.party.transfer.line", "transfer_id", string="Nominative recap",
                               readonly=True)
    move_ids = fields.One2many("account.move", "essms_third_party_transfer_id", string="Entries", readonly=True)
    amount_income = fields.Monetary(string="Income received", compute="_compute_totals", store=True)
    amount_minimum_left = fields.Monetary(string="Minimum left", compute="_compute_totals", store=True)
    amount_contribution = fields.Monetary(string="Contribution decided", compute="_compute_totals", store=True)
    amount_paid_over = fields.Monetary(string="Paid over", compute="_compute_totals", store=True, tracking=True)

    @api.depends("payer_id", "period_start", "period_end")
    def _compute_name(self):
        for transfer in self:
            if transfer.payer_id and transfer.period_start:
                transfer.name = "%s – %s" % (transfer.payer_id.name, transfer.period_start.strftime("%m/%Y"))
            else:
                transfer.name = self.env._("New transfer")

    @api.depends("line_ids.income", "line_ids.minimum_left", "line_ids.contribution", "line_ids.paid_over")
    def _compute_totals(self):
        for transfer in self:
            lines = transfer.line_ids
            transfer.amount_income = sum(lines.mapped("income"))
            transfer.amount_minimum_left = sum(lines.mapped("minimum_left"))
            transfer.amount_contribution = sum(lines.mapped("contribution"))
            transfer.amount_paid_over = sum(lines.mapped("paid_over"))

    @api.ondelete(at_uninstall=False)
    def _unlink_except_posted(self):
        if any(transfer.state == "posted" for transfer in self):
            raise UserError(self.env._("A transfer paid over is kept as the proof of the payment."))

    # Actions ---------------------------------------------------------------------------------------------

    @transition
    def action_compute(self):
        """(Re)compute the nominative recap; an anomaly stops it and nothing is written."""
        for transfer in self:
            if transfer.state == "posted":
                raise UserError(self.env._("Transfer %(name)s was paid over.", name=transfer.name))
            if transfer.state == "cancelled":
                raise UserError(self.env._("Transfer %(name)s was cancelled: make a new transfer of the period.",
                                           name=transfer.name))
            outcome = transfer._recap()
            self.env["essms.resident.money"]._raise_anomalies(outcome.anomalies)
            if not outcome.rows:
                details = self.env["essms.billing.input"]._render_all(outcome.left_out)
                raise UserError(
                    self.env._("Nothing to pay over to %(payer)s for this period.", payer=transfer.payer_id.name)
                    + ("\n" + details if details else "")
                )
            transfer.line_ids = [Command.clear()] + [
                Command.create({
                    "beneficiary_id": row.resident_key,
                    "month": row.month,
                    "income": float(row.income),
                    "minimum_left": float(row.minimum_left),
                    "contribution": float(row.contribution),
                    "paid_over": float(row.paid_over),
                })
                for row in outcome.rows
            ]
            transfer.state = "computed"
            if outcome.left_out:
                transfer.message_post(body=self.env._(
                    "Left out of the recap: %(details)s",
                    details=self.env["essms.billing.input"]._render_all(outcome.left_out),
                ))
        return True

    @transition
    def action_post(self):
        """Pay the contributions over: the recap is recomputed under a lock and must be the one reviewed."""
        service = self.env["essms.resident.money"]
        for transfer in self:
            if transfer.state != "computed":
                raise UserError(self.env._("Compute the transfer %(name)s before paying it over.", name=transfer.name))
            transfer._lock()
            outcome = transfer._recap(strict=True)
            service._raise_anomalies(outcome.anomalies)
            service._raise_anomalies(resident_money.check_paid_over(outcome.rows))
            reviewed = {(line.beneficiary_id.id, line.month): transfer.currency_id.round(line.paid_over)
                        for line in transfer.line_ids}
            now = {(row.resident_key, row.month): float(row.paid_over) for row in outcome.rows}
            if reviewed != now:
                raise UserError(
                    self.env._("The income or the contributions changed since the recap of %(name)s was computed: "
                               "compute it again and review it.", name=transfer.name)
                )
            people = self.env["essms.beneficiary"].browse([row.resident_key for row in outcome.rows])
            outgoing = defaultdict(Decimal)
            for row in outcome.rows:
                outgoing[row.resident_key] += row.paid_over
            service._check_balances(transfer.company_id, people, outgoing)
            vals_list = [
                service._prepare_out_vals(transfer.company_id, people.browse(row.resident_key), row.month,
                                          "paid_over", float(row.paid_over), transfer.payer_id, transfer.date,
                                          transfer)
                for row in outcome.rows
            ]
            moves = self.env["account.move"].sudo().create(vals_list)
            moves.action_post()
            by_key = {(move.essms_beneficiary_id.id, move.essms_period_start): move for move in moves}
            for line in transfer.line_ids:
                line.move_id = by_key[(line.beneficiary_id.id, line.month)]
            transfer.state = "posted"
            transfer.message_post(body=self.env._(
                "%(amount)s paid over to %(payer)s for %(count)s resident-months.",
                amount=service._format(transfer.company_id, transfer.amount_paid_over),
                payer=transfer.payer_id.name, count=len(moves),
            ))
        return True

    @transition
    def action_cancel(self):
        """Cancel a transfer paid over by mistake: each of its entries is reversed (an entry of its own, dated today:
        the 467 account holds the money again), and its months can be paid over again by a new transfer. Refused
        once one of its entries is reconciled with the bank: the money has left, the département refunds it first."""
        for transfer in self:
            if transfer.state != "posted":
                raise UserError(self.env._("Transfer %(name)s was not paid over: there is nothing to cancel.",
                                           name=transfer.name))
            transfer._lock()
            reconciled = transfer.move_ids.line_ids.filtered(
                lambda line: line.reconciled or line.matched_debit_ids or line.matched_credit_ids
            ).move_id
            if reconciled:
                raise UserError(self.env._(
                    "Transfer %(name)s cannot be cancelled: its entries %(entries)s are reconciled with the bank. "
                    "Undo that reconciliation first, once the département has refunded the amount.",
                    name=transfer.name, entries=", ".join(reconciled.mapped("name")),
                ))
            moves = transfer.move_ids.sudo()
            today = fields.Date.context_today(self)
            reversals = moves._reverse_moves([{
                "date": max(today, move.date),
                "ref": self.env._("Cancellation of %(entry)s (transfer %(name)s)", entry=move.name, name=transfer.name),
            } for move in moves])
            reversals.action_post()
            transfer.state = "cancelled"
            transfer.message_post(body=self.env._(
                "Transfer cancelled: %(amount)s back on the residents' accounts (%(entries)s); its months can be paid "
                "over again.",
                amount=self.env["essms.resident.money"]._format(transfer.company_id, transfer.amount_paid_over),
                entries=", ".join(reversals.mapped("name")),
            ))
        return True

    def action_print_recap(self):
        return self.env.ref("essms_billing.action_report_essms_third_party_recap").report_action(self)

    # Business methods --------------------------------------------------------------------------------------

    def _period(self):
        self.ensure_one()
        return resident_money.transfer_periods(month_start(self.period_start), self.payer_id.essms_transfer_rhythm)

    def _recap(self, strict=False):
        self.ensure_one()
        first, end = self._period()
        if (self.period_start, self.period_end) != (first, end):
            self.write({"period_start": first, "period_end": end})
        months = self.env["essms.resident.money"]._resident_months(self.company_id, None, first, end, self.payer_id)
        return resident_money.transfer_recap(months, strict)

    def _lock(self):
        """Two transfers of one département paid over at once: the second is refused (it would pay twice)."""
        self.flush_recordset()
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(SQL("SELECT id FROM res_partner WHERE id = %s FOR UPDATE NOWAIT", self.payer_id.id))
        except errors.LockNotAvailable:
            raise UserError(
                self.env._("Contributions are being paid over to %(payer)s by someone else; try again in a moment.",
                           payer=self.payer_id.name)
            ) from None
