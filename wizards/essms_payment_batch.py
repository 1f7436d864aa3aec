from collections import defaultdict
from decimal import Decimal

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import format_date
from odoo.tools import formatLang

from ..engine.payments import OpenItem
from ..engine.payments import allocate

METHODS = [
    ("cheque", "Cheque"),
    ("transfer", "Transfer"),
    ("direct_debit", "Direct debit"),
    ("cash", "Cash"),
]


class EssmsPaymentBatch(models.TransientModel):
    """Register a batch of payments from residents, families and guardians, and direct-debit returns.

    Each payment line settles the payer's open invoices from the oldest (or the invoices chosen on the line);
    a guardian service's payment is split per protected person and settles each person's invoices; a direct
    debit return reverses the returned payment, which reopens the invoices it had paid. All lines are checked
    before anything is written, and written in one savepoint: a batch is registered whole or not at all.
    """

    _name = "essms.payment.batch"
    _description = "Residents' payments batch"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    journal_id = fields.Many2one(
        "account.journal",
        string="Bank journal",
        required=True,
        check_company=True,
        domain="[('type', 'in', ('bank', 'cash')), ('company_id', '=', company_id)]",
        default=lambda self: self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", self.env.company.id)], limit=1
        ),
    )
    date = fields.Date(string="Date", required=True, default=fields.Date.context_today)
    line_ids = fields.One2many("essms.payment.batch.line", "batch_id", string="Lines")
    payment_ids = fields.Many2many("account.payment", string="Payments registered", readonly=True)

    def action_register(self):
        """Check every line, then register the whole batch; open the payments made."""
        self.ensure_one()
        self._check_lines()
        with self.env.cr.savepoint():
            payments = self._register_payments()
            returned = self._register_returns()
        self.payment_ids = payments | returned
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Payments registered"),
            "res_model": "account.payment",
            "view_mode": "list,form",
            "domain": [("id", "in", (payments | returned).ids)],
            "context": {"create": False},
        }

    # Checks -----------------------------------------------------------------------------------------------

    def _check_lines(self):
        """Every problem of every line in one message, each naming its line and field; raises if any."""
        problems = []
        if not self.line_ids:
            problems.append(self.env._("The batch has no line."))
        for number, line in enumerate(self.line_ids, 1):
            problems += line._check_problems(number)
        if problems:
            raise UserError("\n".join(problems))

    # Payments ---------------------------------------------------------------------------------------------

    def _open_items(self, partners):
        """The open receivable items of `partners` in this company, loaded at once."""
        return self.env["account.move.line"].search_fetch(
            [
                ("company_id", "=", self.company_id.id),
                ("partner_id", "in", partners.ids),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
                ("amount_residual", ">", 0),
            ],
            ["partner_id", "move_id", "date_maturity", "date", "amount_residual"],
        )

    def _register_payments(self):
        """Allocate each payment line (the engine), create the payments in one batch, then reconcile them."""
        lines = self.line_ids.filtered(lambda line: line.kind == "payment")
        if not lines:
            return self.env["account.payment"]
        protected = self.env["essms.beneficiary"].search(
            [("protector_id", "in", lines.partner_id.ids), ("company_id", "=", self.company_id.id)]
        )
        persons_of = defaultdict(lambda: self.env["res.partner"])
        for beneficiary in protected:
            persons_of[beneficiary.protector_id] |= beneficiary.partner_id
        items = self._open_items(lines.partner_id | protected.partner_id | lines.invoice_ids.partner_id)
        residual = {item.id: Decimal(str(item.amount_residual)) for item in items}
        items_of = defaultdict(list)
        for item in items:
            items_of[item.partner_id].append(item)

        plans = []  # (line, partner paid for, amount, items to reconcile)
        for line in lines:
            if line.invoice_ids:
                candidates = [item for item in items if item.move_id in line.invoice_ids]
            else:
                persons = persons_of.get(line.partner_id) or line.partner_id
                candidates = [item for person in persons for item in items_of[person]]
            result = allocate(
                Decimal(str(line.amount)),
                [
                    OpenItem(item.id, item.partner_id.id, item.date_maturity or item.date, residual[item.id],
                             item.move_id.id)
                    for item in candidates
                ],
            )
            by_key = {item.id: item for item in candidates}
            settled = defaultdict(lambda: self.env["account.move.line"])
            for allocation in result.allocations:
                residual[allocation.key] -= allocation.amount
                settled[allocation.person] |= by_key[allocation.key]
            for person_id, amount in result.by_person().items():
                plans.append((line, self.env["res.partner"].browse(person_id), float(amount), settled[person_id]))
            if result.unallocated > 0:
                # Nothing (more) owed: the rest stays as the payer's credit, to be refunded or used later.
                plans.append((line, line.partner_id, float(result.unallocated), self.env["account.move.line"]))

        payments = self.env["account.payment"].create([self._prepare_payment_vals(*plan) for plan in plans])
        payments.action_post()
        reconcile_plan = []
        for payment, (_line, _partner, _amount, to_settle) in zip(payments, plans, strict=True):
            if to_settle:
                counterpart = payment.move_id.line_ids.filtered(
                    lambda aml, payment=payment: aml.account_id == payment.destination_account_id
                )
                reconcile_plan.append(counterpart | to_settle)
        if reconcile_plan:
            self.env["account.move.line"]._reconcile_plan(reconcile_plan)
        return payments

    def _prepare_payment_vals(self, line, partner, amount, to_settle):
        methods = dict(self.env["essms.payment.batch.line"]._fields["method"]._description_selection(self.env))
        memo = " – ".join(filter(None, [methods.get(line.method), line.reference]))
        if partner != line.partner_id:
            memo = self.env._("%(memo)s – paid by %(payer)s", memo=memo, payer=line.partner_id.name)
        return {
            "payment_type": "inbound",
            "partner_type": "customer",
            "partner_id": partner.id,
            "amount": amount,
            "date": line.date or self.date,
            "journal_id": self.journal_id.id,
            "company_id": self.company_id.id,
            "memo": memo,
        }

    # Direct-debit returns ---------------------------------------------------------------------------------

    def _register_returns(self):
        """Reverse each returned payment: its matchings undone, its entry reversed, the payment rejected."""
        lines = self.line_ids.filtered(lambda line: line.kind == "direct_debit_return")
        payments = lines.returned_payment_id
        if not payments:
            return payments
        invoices = payments.reconciled_invoice_ids
        moves = self.env["account.move"].concat(*(line.returned_payment_id.move_id for line in lines))
        moves.line_ids.filtered(lambda aml: aml.account_id.reconcile).remove_move_reconcile()
        moves._reverse_moves(
            [
                {
                    "date": line.date or self.date,
                    "ref": self.env._(
                        "Direct debit return %(payment)s%(reason)s",
                        payment=line.returned_payment_id.name,
                        reason=" – %s" % line.reference if line.reference else "",
                    ),
                }
                for line in lines
            ],
            cancel=True,
        )
        payments.action_reject()
        for line in lines:
            line.returned_payment_id.message_post(
                body=self.env._(
                    "Direct debit returned on %(date)s%(reason)s: the payment is reversed and the invoices it paid "
                    "are open again.",
                    date=format_date(self.env, line.date or self.date),
                    reason=" (%s)" % line.reference if line.reference else "",
                )
            )
        for invoice in invoices:
            invoice.message_post(body=self.env._("A direct debit that paid this invoice was returned by the bank."))
        return payments


class EssmsPaymentBatchLine(models.TransientModel):
    _name = "essms.payment.batch.line"
    _description = "Residents' payments batch line"
    _order = "sequence, id"

    batch_id = fields.Many2one("essms.payment.batch", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="batch_id.company_id")
    sequence = fields.Integer(default=10)
    kind = fields.Selection(
        selection=[("payment", "Payment"), ("direct_debit_return", "Direct debit return")],
        required=True,
        default="payment",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Payer",
        help="The resident, the family or the guardian service. A guardian's payment is split between the persons "
        "it protects.",
    )
    amount = fields.Monetary(currency_field="currency_id")
    currency_id = fields.Many2one(related="batch_id.company_id.currency_id")
    method = fields.Selection(selection=METHODS, default="cheque")
    reference = fields.Char(help="Cheque number, transfer reference, or the bank's reason for a return.")
    date = fields.Date(help="Leave empty for the batch's date.")
    invoice_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'), "
        "('payment_state', 'in', ('not_paid', 'partial'))]",
        help="Settle these invoices (oldest first) instead of the payer's oldest ones.",
    )
    returned_payment_id = fields.Many2one(
        "account.payment",
        string="Returned payment",
        domain="[('payment_type', '=', 'inbound'), ('state', 'in', ('in_process', 'paid'))]",
    )

    @api.onchange("returned_payment_id")
    def _onchange_returned_payment_id(self):
        if self.returned_payment_id:
            self.partner_id = self.returned_payment_id.partner_id
            self.amount = self.returned_payment_id.amount
            self.method = "direct_debit"

    def _field_label(self, name):
        return self._fields[name]._description_string(self.env)

    def _check_problems(self, number):
        """What is wrong with this line, each problem naming the line (its number and payer) and the field."""
        self.ensure_one()
        problems = []

        def problem(field, message, **values):
            problems.append(self.env._(
                "Line %(number)s (%(payer)s), %(field)s: %(message)s",
                number=number,
                payer=self.partner_id.display_name or "?",
                field=self._field_label(field),
                message=message % values if values else message,
            ))

        currency = self.batch_id.company_id.currency_id
        if not self.partner_id:
            problem("partner_id", self.env._("the payer is missing."))
        if currency.compare_amounts(self.amount, 0) <= 0:
            problem("amount", self.env._("the amount must be positive."))
        if self.kind == "payment":
            if not self.method:
                problem("method", self.env._("the payment method is missing."))
            if self.method == "cheque" and not self.reference:
                problem("reference", self.env._("give the cheque number."))
            invoices = self.invoice_ids
            settled = invoices.filtered(lambda move: move.state != "posted" or move.payment_state
                                        not in ("not_paid", "partial"))
            if settled:
                problem("invoice_ids", self.env._("%(invoices)s is not open any more."),
                        invoices=", ".join(settled.mapped("name")))
        else:
            payment = self.returned_payment_id
            if not payment:
                problem("returned_payment_id", self.env._("choose the payment the bank returned."))
            else:
                if payment.state not in ("in_process", "paid") or payment.payment_type != "inbound":
                    problem("returned_payment_id", self.env._("%(payment)s is not a posted incoming payment."),
                            payment=payment.name)
                if self.partner_id and payment.partner_id != self.partner_id:
                    problem("partner_id", self.env._("%(payment)s was paid by %(partner)s."),
                            payment=payment.name, partner=payment.partner_id.display_name)
                if currency.compare_amounts(self.amount, payment.amount) != 0:
                    problem("amount", self.env._("%(payment)s is of %(amount)s: a return reverses it whole."),
                            payment=payment.name,
                            amount=formatLang(self.env, payment.amount, currency_obj=payment.currency_id))
                if len(self.batch_id.line_ids.filtered(lambda line: line.returned_payment_id == payment)) > 1:
                    problem("returned_payment_id", self.env._("%(payment)s is returned twice in this batch."),
                            payment=payment.name)
        return problems
