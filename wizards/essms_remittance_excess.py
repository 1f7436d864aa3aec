from decimal import Decimal

from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import formatLang

from ..engine.payments import OpenItem
from ..engine.payments import allocate

MODES = [("allocate", "Allocate to other invoices"), ("refund", "Refund the payer")]


class EssmsRemittanceExcess(models.TransientModel):
    """Use the excess of a posted payment advice: pay other open invoices of the payer with it, or refund it."""

    _name = "essms.remittance.excess"
    _description = "Payment advice excess"
    _check_company_auto = True

    remittance_id = fields.Many2one("essms.remittance", string="Payment advice", required=True, readonly=True)
    company_id = fields.Many2one(related="remittance_id.company_id")
    currency_id = fields.Many2one(related="remittance_id.currency_id")
    partner_id = fields.Many2one(related="remittance_id.partner_id", string="Payer")
    commercial_partner_id = fields.Many2one(related="remittance_id.partner_id.commercial_partner_id")
    mode = fields.Selection(selection=MODES, required=True, default="allocate")
    amount_available = fields.Monetary(string="Excess left", compute="_compute_amount_available")
    reason = fields.Text(required=True, help="Kept on the advice's history.")
    invoice_ids = fields.Many2many(
        "account.move",
        string="Invoices to pay",
        check_company=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'), "
        "('commercial_partner_id', '=', commercial_partner_id), ('payment_state', 'in', ('not_paid', 'partial'))]",
        help="The payer's open invoices to pay with the excess: the preview settles them oldest due first; "
        "the amounts can be changed.",
    )
    line_ids = fields.One2many("essms.remittance.excess.line", "wizard_id", string="Preview")
    amount = fields.Monetary(string="Amount to refund")
    date = fields.Date(string="Refund date", default=fields.Date.context_today)
    journal_id = fields.Many2one(
        "account.journal",
        string="Bank journal",
        check_company=True,
        domain="[('type', '=', 'bank'), ('company_id', '=', company_id)]",
    )

    @api.depends("remittance_id")
    def _compute_amount_available(self):
        for wizard in self:
            wizard.amount_available = wizard.remittance_id._excess_available() if wizard.remittance_id else 0.0

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        remittance = self.env["essms.remittance"].browse(values.get("remittance_id"))
        if remittance:
            values.setdefault("amount", remittance._excess_available())
            values.setdefault("journal_id", remittance.journal_id.id)
        return values

    @api.onchange("invoice_ids")
    def _onchange_invoice_ids(self):
        """The preview: the excess settles the chosen invoices oldest due first (computed again whenever the choice
        changes; the operator changes the amounts last)."""
        invoices = self.invoice_ids._origin
        result = allocate(
            Decimal(str(self.remittance_id._excess_available())),
            [
                OpenItem(move.id, 0, move.invoice_date_due or move.date, Decimal(str(move.amount_residual)), move.id)
                for move in invoices
            ],
        )
        amounts = {allocation.key: float(allocation.amount) for allocation in result.allocations}
        self.line_ids = [Command.clear()] + [
            Command.create({"move_id": move.id, "amount": amounts.get(move.id, 0.0)})
            for move in invoices.sorted(lambda move: (move.invoice_date_due or move.date, move.id))
        ]

    def action_confirm(self):
        self.ensure_one()
        remittance = self.remittance_id
        if self.mode == "refund":
            remittance._refund_excess(self.amount, self.reason, date=self.date, journal=self.journal_id)
            return True
        self._check_lines()
        allocations = {}
        for line in self.line_ids.filtered("amount"):
            allocations[line.move_id] = allocations.get(line.move_id, 0.0) + line.amount
        remittance._allocate_excess(allocations, self.reason)
        return True

    def _check_lines(self):
        """Every problem of the preview in one message, each naming its line and field."""
        problems = []
        currency = self.currency_id
        if not self.line_ids.filtered("amount"):
            problems.append(self.env._("Choose the invoices to pay with the excess."))
        for number, line in enumerate(self.line_ids, 1):
            move = line.move_id

            def problem(field, message, number=number, line=line):
                problems.append(
                    self.env._(
                        "Line %(number)s (%(invoice)s), %(field)s: %(message)s",
                        number=number,
                        invoice=line.move_id.name or "?",
                        field=line._fields[field]._description_string(self.env),
                        message=message,
                    )
                )

            if not move:
                problem("move_id", self.env._("the invoice is missing."))
                continue
            if currency.compare_amounts(line.amount, 0.0) < 0:
                problem("amount", self.env._("the amount cannot be negative."))
            if move.commercial_partner_id != self.partner_id.commercial_partner_id:
                problem("move_id", self.env._("the invoice is not the payer's."))
            elif move.state != "posted" or move.move_type != "out_invoice" or move.payment_state not in (
                "not_paid",
                "partial",
            ):
                problem("move_id", self.env._("the invoice is not open any more."))
            elif currency.compare_amounts(line.amount, move.amount_residual) > 0:
                residual = formatLang(self.env, move.amount_residual, currency_obj=currency)
                problem("amount", self.env._("more than the invoice still owes (%(residual)s).", residual=residual))
        total = sum(self.line_ids.mapped("amount"))
        if currency.compare_amounts(total, self.amount_available) > 0:
            problems.append(
                self.env._(
                    "The preview pays %(total)s, the advice has %(available)s of excess left.",
                    total=formatLang(self.env, total, currency_obj=currency),
                    available=formatLang(self.env, self.amount_available, currency_obj=currency),
                )
            )
        if problems:
            raise UserError("\n".join(problems))


class EssmsRemittanceExcessLine(models.TransientModel):
    _name = "essms.remittance.excess.line"
    _description = "Payment advice excess allocation"

    wizard_id = fields.Many2one("essms.remittance.excess", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="wizard_id.currency_id")
    move_id = fields.Many2one("account.move", string="Invoice")
    invoice_date_due = fields.Date(related="move_id.invoice_date_due", string="Due date")
    amount_residual = fields.Monetary(related="move_id.amount_residual", string="Amount due")
    amount = fields.Monetary(string="Amount to pay")
    amount_after = fields.Monetary(compute="_compute_amount_after", string="Left due")

    @api.depends("amount", "amount_residual")
    def _compute_amount_after(self):
        for line in self:
            line.amount_after = line.amount_residual - line.amount
