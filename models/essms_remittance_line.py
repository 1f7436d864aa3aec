from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import float_compare
from odoo.tools import formatLang

from ..engine.remittance import MAX_AMOUNT
from .essms_remittance import METHODS
from .essms_remittance import STATUSES


class EssmsRemittanceLine(models.Model):
    """One payment of an advice: what the payer says it pays, and the invoice it was matched to."""

    _name = "essms.remittance.line"
    _description = "Payment advice line"
    _order = "remittance_id, row, id"
    _check_company_auto = True

    remittance_id = fields.Many2one(
        "essms.remittance", string="Payment advice", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="remittance_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="remittance_id.currency_id")
    partner_id = fields.Many2one(related="remittance_id.partner_id", string="Payer", store=True, index=True)
    remittance_state = fields.Selection(related="remittance_id.state", string="Advice status", store=True)
    row = fields.Integer(readonly=True, help="The row of the file this line comes from.")
    invoice_ref = fields.Char(string="Invoice reference", readonly=True)
    beneficiary_name = fields.Char(string="Beneficiary", readonly=True)
    file_number = fields.Char(string="File number", readonly=True)
    period = fields.Date(readonly=True)
    amount = fields.Monetary()
    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        index=True,
        check_company=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'),"
        " ('commercial_partner_id', '=', partner_id), ('payment_state', 'in', ('not_paid', 'partial'))]",
    )
    invoice_residual = fields.Monetary(related="move_id.amount_residual", string="Invoice amount due")
    amount_still_due = fields.Monetary(
        compute="_compute_amount_still_due",
        string="Still due",
        help="What the invoice still owes once this line is paid: before posting, its amount due less what the line "
        "pays; once posted, its amount due today.",
    )
    match_method = fields.Selection(selection=METHODS, string="Matched by", readonly=True)
    status = fields.Selection(selection=STATUSES, required=True, default="unknown", readonly=True, index=True)
    amount_allocated = fields.Monetary(string="Paying the invoice", readonly=True)
    amount_excess = fields.Monetary(string="Left as credit", readonly=True)
    blocking = fields.Boolean(readonly=True, help="The file's line cannot be read: correct its amount or delete it.")
    parse_message = fields.Text(string="File problems", readonly=True)
    match_message = fields.Text(string="Matching note", readonly=True)
    message = fields.Text(compute="_compute_message", string="Notes")
    resolved = fields.Boolean(readonly=True, copy=False, help="An unmatched line whose invoice was found later.")
    in_suspense = fields.Boolean(
        compute="_compute_in_suspense",
        store=True,
        string="Unmatched",
        help="Paid by a posted advice, but its invoice is not known yet: its amount waits on the payer's account.",
    )

    @api.depends("parse_message", "match_message")
    def _compute_message(self):
        for line in self:
            line.message = "\n".join(text for text in (line.parse_message, line.match_message) if text) or False

    @api.depends("move_id.amount_residual", "amount_allocated", "remittance_state")
    def _compute_amount_still_due(self):
        for line in self:
            residual = line.move_id.amount_residual
            if line.remittance_state in ("draft", "checked"):
                residual = max(residual - line.amount_allocated, 0.0)
            line.amount_still_due = line.currency_id.round(residual) if line.move_id else 0.0

    @api.depends("remittance_state", "status", "resolved")
    def _compute_in_suspense(self):
        for line in self:
            line.in_suspense = line.remittance_state == "posted" and line.status == "unknown" and not line.resolved

    @api.ondelete(at_uninstall=False)
    def _unlink_except_posted(self):
        if any(line.remittance_state == "posted" for line in self) and not self.env.context.get("force_delete"):
            raise UserError(self.env._("The lines of a posted payment advice cannot be deleted."))

    def action_open_line(self):
        """The line on a page of its own: the file's row, the invoice found, what it pays and what is left."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Row %(row)s of %(advice)s", row=self.row, advice=self.remittance_id.name),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(self.env.ref("essms_billing.essms_remittance_line_view_form").id, "form")],
            "target": "new",
        }

    def write(self, vals):
        if self.env.context.get("essms_remittance_matching"):
            return super().write(vals)
        operator_fields = {"move_id", "amount"}
        if not operator_fields.intersection(vals):
            return super().write(vals)
        if "amount" in vals and float_compare(vals["amount"], 0.0, precision_digits=2) <= 0:
            raise UserError(self.env._("An advice line pays a positive amount; delete the line instead."))
        if "amount" in vals and vals["amount"] >= float(MAX_AMOUNT):
            raise UserError(
                self.env._("No advice line pays 1 000 000 000 or more: correct the amount of row %(rows)s.",
                           rows=", ".join(str(row) for row in self.mapped("row")))
            )
        posted = self.filtered(lambda line: line.remittance_state == "posted")
        if posted:
            if set(vals) != {"move_id"} or not vals["move_id"]:
                raise UserError(
                    self.env._("On a posted payment advice, only the invoice of an unmatched line can be chosen.")
                )
            if any(not line.in_suspense for line in posted):
                raise UserError(self.env._("Only unmatched lines of a posted payment advice can be given an invoice."))
        if self.filtered(lambda line: line.remittance_state == "cancel"):
            raise UserError(self.env._("A cancelled payment advice cannot be changed."))
        draft = self - posted
        if "move_id" in vals:
            vals = dict(vals, match_method="manual" if vals["move_id"] else False)
        if "amount" in vals:
            # The operator corrected the amount the file had wrong.
            vals = dict(vals, blocking=False, parse_message=False)
        res = super().write(vals)
        draft.remittance_id._match()
        if posted:
            posted._resolve()
        return res

    def _resolve(self):
        """Reconcile unmatched lines of a posted advice with the invoice chosen since: the line's amount, out of
        what the advice's payment still holds, pays it."""
        for line in self:
            remittance = line.remittance_id
            currency = line.currency_id
            payment_line = remittance.payment_id.move_id.line_ids.filtered(
                lambda aml: aml.account_type == "asset_receivable" and not aml.reconciled
            )
            available = -sum(payment_line.mapped("amount_residual"))
            invoice_residual = line.move_id.amount_residual
            allocated = currency.round(min(line.amount, invoice_residual, available))
            if currency.compare_amounts(allocated, 0.0) <= 0:
                raise UserError(
                    self.env._(
                        "Row %(row)s cannot pay %(invoice)s: the invoice is paid, or the advice's payment has "
                        "nothing left.",
                        row=line.row,
                        invoice=line.move_id.display_name,
                    )
                )
            caps, invoice_lines = remittance._reconcile_caps({line.move_id.id: allocated})
            (payment_line + invoice_lines).with_context(essms_reconcile_caps=caps).reconcile()
            if currency.compare_amounts(line.amount, invoice_residual) < 0:
                status = "partial"
            elif currency.compare_amounts(line.amount, invoice_residual) > 0:
                status = "overpaid"
            else:
                status = "matched"
            line.with_context(essms_remittance_matching=True).write(
                {
                    "status": status,
                    "resolved": True,
                    "amount_allocated": allocated,
                    "amount_excess": currency.round(line.amount - allocated),
                    "match_message": False,
                }
            )
            remittance.message_post(
                body=self.env._(
                    "Row %(row)s (%(amount)s) now pays %(invoice)s.",
                    row=line.row,
                    amount=formatLang(self.env, allocated, currency_obj=currency),
                    invoice=line.move_id.display_name,
                )
            )
