from collections import defaultdict
from decimal import Decimal

from odoo import Command
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
    split_ids = fields.One2many(
        "essms.payment.batch.split",
        "batch_id",
        string="Breakdown per person",
        help="How much of a guardian's payment is for each person it protects, when the guardian says so. Leave the "
        "amounts at zero to settle the oldest debts across the persons.",
    )

    @api.onchange("line_ids")
    def _onchange_line_ids_splits(self):
        """One breakdown row per person each guardian of the batch protects, amounts kept; rows of a guardian no
        longer paying in the batch go, unless they hold an amount."""
        guardians = self.line_ids.filtered(lambda line: line.kind == "payment").partner_id._origin
        persons = self.env["essms.beneficiary"].search(
            [("protector_id", "in", guardians.ids), ("company_id", "=", self.company_id.id)]
        )
        rows = {}
        for split in self.split_ids:
            if split.amount or split.guardian_id._origin in guardians:
                rows[(split.guardian_id._origin.id, split.beneficiary_id._origin.id)] = split.amount
        for person in persons:
            rows.setdefault((person.protector_id.id, person.id), 0.0)
        if set(rows) == {(split.guardian_id._origin.id, split.beneficiary_id._origin.id) for split in self.split_ids}:
            return
        self.split_ids = [Command.clear()] + [
            Command.create({"guardian_id": guardian_id, "beneficiary_id": beneficiary_id, "amount": amount})
            for (guardian_id, beneficiary_id), amount in rows.items()
        ]

    def action_register(self):
        """Check every line, then register the whole batch; open the payments made."""
        self.ensure_one()
        self._find_statement_lines()
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

    def action_find_statement_lines(self):
        """Propose the bank statement line of each transfer and direct debit, and show the batch again."""
        self.ensure_one()
        self._find_statement_lines()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Residents' payments"),
        }

    # Bank statement lines ---------------------------------------------------------------------------------

    def _find_statement_lines(self):
        """Give each transfer or direct debit without one the unreconciled bank statement line of the same journal,
        payer and amount, a few days apart (the nearest first); a line given once is not proposed again."""
        lines = self.line_ids.filtered(
            lambda line: line.kind == "payment"
            and line.method in ("transfer", "direct_debit")
            and not line.statement_line_id
            and line.partner_id
            and line.amount > 0
        )
        if not lines:
            return
        dates = [line.date or self.date for line in lines]
        matching = self.env["essms.statement.matching"]
        candidates = matching._candidates(self.journal_id, lines.mapped("amount"), min(dates), max(dates))
        # Lines an advice holds, or another line of this batch, are not free.
        free = candidates - matching._taken(candidates) - self.line_ids.statement_line_id
        for line, day in zip(lines, dates, strict=True):
            found = matching._nearest(free, line.partner_id, line.amount, day, line.currency_id)
            if found:
                line.statement_line_id = found
                free -= found

    def _reconcile_statement_lines(self, payments_of):
        """The bank reconciliation of each line's transfer: its statement line against the outstanding receipts of
        the payments it made (one per protected person for a guardian), all in one reconciliation."""
        suspense_to = defaultdict(lambda: self.env["account.move.line"])  # outstanding account: suspense lines
        reconcile_plan = []
        for line, payments in payments_of.items():
            st_line = line.statement_line_id.with_context(skip_account_move_synchronization=True)
            if not st_line:
                continue
            _liquidity, suspense, _other = st_line._seek_for_lines()
            outstanding = payments.move_id.line_ids.filtered(
                lambda aml: aml.payment_id and aml.account_id == aml.payment_id.outstanding_account_id
            )
            if len(outstanding.account_id) != 1 or len(suspense) != 1:
                raise UserError(
                    self.env._(
                        "Line %(number)s (%(payer)s), %(field)s: %(statement)s cannot be reconciled with its payments.",
                        number=line._number(),
                        payer=line.partner_id.display_name,
                        field=line._field_label("statement_line_id"),
                        statement=st_line.display_name,
                    )
                )
            suspense_to[outstanding.account_id] |= suspense
            reconcile_plan.append(suspense + outstanding)
            for payment in payments:
                payment.message_post(
                    body=self.env._(
                        "Reconciled with the bank statement line %(line)s (%(label)s) of %(date)s.",
                        line=st_line.display_name,
                        label=st_line.payment_ref or "",
                        date=format_date(self.env, st_line.date),
                    )
                )
        for account, suspense in suspense_to.items():
            suspense.with_context(skip_account_move_synchronization=True).account_id = account
        if reconcile_plan:
            self.env["account.move.line"]._reconcile_plan(reconcile_plan)

    # Checks -----------------------------------------------------------------------------------------------

    def _check_lines(self):
        """Every problem of every line in one message, each naming its line and field; raises if any."""
        problems = []
        if not self.line_ids:
            problems.append(self.env._("The batch has no line."))
        for number, line in enumerate(self.line_ids, 1):
            problems += line._check_problems(number)
        paying = self.line_ids.filtered(lambda line: line.kind == "payment").partner_id
        for guardian in self.split_ids.filtered("amount").guardian_id - paying:
            problems.append(
                self.env._(
                    "%(field)s, %(guardian)s: no payment of this guardian in the batch.",
                    field=self._fields["split_ids"]._description_string(self.env),
                    guardian=guardian.display_name,
                )
            )
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
        items = self._open_items(
            lines.partner_id | protected.partner_id | lines.invoice_ids.partner_id | lines.split_ids.partner_id
        )
        residual = {item.id: Decimal(str(item.amount_residual)) for item in items}
        items_of = defaultdict(list)
        for item in items:
            items_of[item.partner_id].append(item)

        plans = []  # (line, partner paid for, amount, items to reconcile)

        def settle(line, amount, candidates, credit_to):
            result = allocate(
                Decimal(str(amount)),
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
            for person_id, settled_amount in result.by_person().items():
                plans.append(
                    (line, self.env["res.partner"].browse(person_id), float(settled_amount), settled[person_id])
                )
            if result.unallocated > 0:
                # Nothing (more) owed: the rest stays as a credit, to be refunded or used later.
                plans.append((line, credit_to, float(result.unallocated), self.env["account.move.line"]))

        for line in lines:
            splits = line.split_ids.filtered("amount")
            if splits:
                # The guardian said how much is for whom: each person's share settles their own oldest debts (or
                # the chosen invoices), what is beyond their debts stays as their credit.
                for split in splits:
                    person = split.beneficiary_id.partner_id
                    candidates = [
                        item for item in items_of[person] if not line.invoice_ids or item.move_id in line.invoice_ids
                    ]
                    settle(line, split.amount, candidates, person)
                continue
            if line.invoice_ids:
                candidates = [item for item in items if item.move_id in line.invoice_ids]
            else:
                persons = persons_of.get(line.partner_id) or line.partner_id
                candidates = [item for person in persons for item in items_of[person]]
            settle(line, line.amount, candidates, line.partner_id)

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
        payments_of = defaultdict(lambda: self.env["account.payment"])
        for payment, plan in zip(payments, plans, strict=True):
            payments_of[plan[0]] |= payment
        self._reconcile_statement_lines(payments_of)
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
    journal_id = fields.Many2one(related="batch_id.journal_id")
    statement_line_id = fields.Many2one(
        "account.bank.statement.line",
        string="Bank statement line",
        domain="[('journal_id', '=', journal_id), ('is_reconciled', '=', False), ('amount', '>', 0)]",
        help="The transfer on the bank statement: registering the payment also reconciles it. Found by the payer, "
        "the amount and the date for transfers and direct debits; can be chosen by hand.",
    )
    split_ids = fields.Many2many(
        "essms.payment.batch.split",
        compute="_compute_split_ids",
        string="Breakdown per person",
        help="For a guardian's payment: how much is for each protected person, as the guardian says. Without it, "
        "the payment settles the oldest debts across the persons.",
    )

    @api.depends("batch_id.split_ids.guardian_id", "partner_id", "kind")
    def _compute_split_ids(self):
        for line in self:
            paying = line.kind == "payment" and line.partner_id
            line.split_ids = line.batch_id.split_ids.filtered(
                lambda split, line=line, paying=paying: paying and split.guardian_id == line.partner_id
            )

    @api.onchange("returned_payment_id")
    def _onchange_returned_payment_id(self):
        if self.returned_payment_id:
            self.partner_id = self.returned_payment_id.partner_id
            self.amount = self.returned_payment_id.amount
            self.method = "direct_debit"

    def _field_label(self, name):
        return self._fields[name]._description_string(self.env)

    def _number(self):
        return list(self.batch_id.line_ids).index(self) + 1

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
            self._check_statement_line(problem, currency)
            self._check_splits(problem, currency)
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

    def _check_statement_line(self, problem, currency):
        st_line = self.statement_line_id
        if not st_line:
            return
        if st_line.journal_id != self.batch_id.journal_id:
            problem("statement_line_id", self.env._("%(line)s is not on the journal %(journal)s."),
                    line=st_line.display_name, journal=self.batch_id.journal_id.display_name)
        if st_line.is_reconciled:
            problem("statement_line_id", self.env._("%(line)s is already reconciled."), line=st_line.display_name)
        if currency.compare_amounts(st_line.amount, self.amount) != 0:
            problem("statement_line_id", self.env._("%(line)s is of %(amount)s, not of the payment's amount."),
                    line=st_line.display_name, amount=formatLang(self.env, st_line.amount, currency_obj=currency))
        if len(self.batch_id.line_ids.filtered(lambda line: line.statement_line_id == st_line)) > 1:
            problem("statement_line_id", self.env._("%(line)s is given to two lines of this batch."),
                    line=st_line.display_name)

    def _check_splits(self, problem, currency):
        splits = self.split_ids.filtered("amount")
        if not splits:
            return
        strangers = splits.beneficiary_id.filtered(lambda person: person.protector_id != self.partner_id)
        if strangers:
            problem("split_ids", self.env._("%(persons)s is not protected by this payer."),
                    persons=", ".join(strangers.mapped("name")))
        if any(currency.compare_amounts(split.amount, 0.0) < 0 for split in splits):
            problem("split_ids", self.env._("an amount per person cannot be negative."))
        if len(splits.beneficiary_id) < len(splits):
            problem("split_ids", self.env._("a person is given twice."))
        same_payer = self.batch_id.line_ids.filtered(
            lambda line: line.kind == "payment" and line.partner_id == self.partner_id
        )
        if len(same_payer) > 1:
            problem("split_ids", self.env._("the guardian pays in several lines of this batch: register the payment "
                                            "with a breakdown in a batch of its own."))
        total = sum(splits.mapped("amount"))
        if currency.compare_amounts(total, self.amount) != 0:
            problem("split_ids",
                    self.env._("the amounts per person add up to %(total)s, the payment is of %(amount)s."),
                    total=formatLang(self.env, total, currency_obj=currency),
                    amount=formatLang(self.env, self.amount, currency_obj=currency))


class EssmsPaymentBatchSplit(models.TransientModel):
    _name = "essms.payment.batch.split"
    _description = "Guardian's payment per protected person"
    _order = "guardian_id, id"

    batch_id = fields.Many2one("essms.payment.batch", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="batch_id.company_id.currency_id")
    guardian_id = fields.Many2one("res.partner", string="Guardian", required=True)
    beneficiary_id = fields.Many2one(
        "essms.beneficiary", string="Protected person", required=True, domain="[('protector_id', '=', guardian_id)]"
    )
    partner_id = fields.Many2one(related="beneficiary_id.partner_id")
    amount_due = fields.Monetary(compute="_compute_amount_due", string="Owes")
    amount = fields.Monetary(string="Amount for them")

    @api.depends("beneficiary_id")
    def _compute_amount_due(self):
        partners = self.beneficiary_id.partner_id
        due = dict(
            self.env["account.move.line"]._read_group(
                [
                    ("partner_id", "in", partners.ids),
                    ("account_id.account_type", "=", "asset_receivable"),
                    ("parent_state", "=", "posted"),
                    ("reconciled", "=", False),
                ],
                ["partner_id"],
                ["amount_residual:sum"],
            )
        )
        for split in self:
            split.amount_due = due.get(split.beneficiary_id.partner_id, 0.0)
