import logging
from datetime import date

import psycopg2.errors

from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools import format_date
from odoo.tools import mute_logger

from ..engine.allocation import DIFFERENCE
from ..engine.allocation import TWELFTH
from ..engine.allocation import AllocationError
from ..engine.allocation import due_date
from ..engine.allocation import monthly_call
from ..engine.allocation import regularisation
from ..engine.dates import month_end
from ..engine.money import to_decimal
from .essms_workflow_mixin import transition

_logger = logging.getLogger(__name__)

ALLOCATION_PRODUCT = "essms_billing.product_global_allocation"


class EssmsAllocationCall(models.Model):
    """The call of one month's twelfth of a global allocation, or the regularisation of a year (billing-rules §12):
    one posted invoice to the financing body, so that it is matched, aged and reminded like any other claim.
    A month is called once per agreement (a unique index; cancelling the invoice frees the month)."""

    _name = "essms.allocation.call"
    _description = "Call of a global allocation twelfth"
    _inherit = ["essms.workflow.mixin"]
    # Only the calling methods write what was called.
    _workflow_fields = ("move_id", "amount", "line_ids")
    _order = "year desc, month desc, establishment_id, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    agreement_id = fields.Many2one(
        "essms.agreement", required=True, ondelete="restrict", index=True, readonly=True
    )  # the call's company is the agreement's
    establishment_id = fields.Many2one(related="agreement_id.establishment_id", store=True, index=True)
    payer_id = fields.Many2one(related="agreement_id.payer_id", store=True, string="Financing body")
    company_id = fields.Many2one(related="agreement_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    kind = fields.Selection(
        selection=[("twelfth", "Monthly twelfth"), ("regularisation", "Regularisation of the year")],
        required=True, default="twelfth", readonly=True,
    )
    year = fields.Integer(required=True, readonly=True)
    month = fields.Integer(readonly=True, help="1 to 12; empty for the regularisation of a year.")
    allocation_id = fields.Many2one(
        "essms.allocation", string="Allocation used", ondelete="restrict", index=True, readonly=True,
        check_company=True,
        help="The arrêté the twelfth was taken from: the year's, or the previous year's while the year's is not known.",
    )
    provisional = fields.Boolean(
        readonly=True, help="Called with the previous year's twelfth: the year's arrêté was not known yet."
    )
    amount = fields.Monetary(currency_field="currency_id", readonly=True)
    date_due = fields.Date(string="Due date", readonly=True)
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True, index=True, check_company=True)
    payment_state = fields.Selection(related="move_id.payment_state", string="Payment")
    cancelled = fields.Boolean(
        compute="_compute_cancelled", store=True, help="The invoice is cancelled: the month can be called again."
    )
    line_ids = fields.One2many("essms.allocation.call.line", "call_id", string="Months paid for", readonly=True)

    def init(self):
        res = super().init()
        # Never the same month twice for one agreement (billing-rules §12): two users (or the job and a user)
        # calling at once cannot both commit.
        self.env.cr.execute(
            SQL(
                """
                CREATE UNIQUE INDEX IF NOT EXISTS essms_allocation_call_month_once
                    ON essms_allocation_call (agreement_id, year, month)
                 WHERE kind = 'twelfth' AND cancelled IS NOT TRUE
                """
            )
        )
        return res

    @api.depends("agreement_id", "year", "month", "kind")
    def _compute_name(self):
        for call in self:
            period = "%02d/%s" % (call.month, call.year) if call.kind == "twelfth" else str(call.year)
            label = self.env._("Regularisation") if call.kind == "regularisation" else self.env._("Twelfth")
            call.name = "%s %s – %s" % (label, period, call.agreement_id.name or "")

    @api.depends("move_id.state")
    def _compute_cancelled(self):
        for call in self:
            call.cancelled = call.move_id.state == "cancel"

    @api.ondelete(at_uninstall=False)
    def _unlink_except_invoiced(self):
        if self.filtered(lambda call: call.move_id and call.move_id.state != "cancel"):
            raise UserError(
                self.env._("A call whose invoice is not cancelled cannot be deleted: issue a credit note instead.")
            )

    def _action_view(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("essms_billing.essms_allocation_call_action")
        action["domain"] = [("id", "in", self.ids)]
        return action

    # Control §8.7 ----------------------------------------------------------------------------------------

    @api.model
    def _control_totals(self, agreement_ids, years):
        """``{(agreement, year): (months called, called, received)}`` over the calls not cancelled, in one query:
        received is what was paid on their invoices (credit notes deducted)."""
        if not agreement_ids or not years:
            return {}
        self.env["account.move"].flush_model(["amount_total_signed", "amount_residual_signed", "state"])
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT call.agreement_id, call.year,
                       COUNT(DISTINCT call.month) FILTER (WHERE call.kind = 'twelfth'),
                       COALESCE(SUM(call.amount), 0),
                       COALESCE(SUM(move.amount_total_signed - move.amount_residual_signed)
                                FILTER (WHERE move.state = 'posted'), 0)
                  FROM essms_allocation_call call
                  LEFT JOIN account_move move ON move.id = call.move_id
                 WHERE call.agreement_id IN %(agreements)s AND call.year IN %(years)s
                   AND call.cancelled IS NOT TRUE
                 GROUP BY call.agreement_id, call.year
                """,
                agreements=tuple(agreement_ids),
                years=tuple(years),
            )
        )
        return {(row[0], row[1]): (row[2], row[3], row[4]) for row in self.env.cr.fetchall()}

    # Calling ---------------------------------------------------------------------------------------------

    @api.model
    def _agreements_to_call(self, companies, year, month):
        """The agreements financed by a global allocation running in the month, not called for it yet."""
        start = date(year, month, 1)
        agreements = self.env["essms.agreement"].search([
            ("company_id", "in", companies.ids),
            ("financing", "=", "global_allocation"),
            ("date_start", "<=", month_end(start)),
            "|", ("date_end", "=", False), ("date_end", ">=", start),
        ])
        called = self.search([
            ("agreement_id", "in", agreements.ids), ("kind", "=", "twelfth"), ("year", "=", year),
            ("month", "=", month), ("cancelled", "=", False),
        ])
        return agreements - called.agreement_id

    @api.model
    def _cron_call_twelfths(self):
        """Daily: on and after the due day of the month (company setting), call the month's twelfth of every
        agreement not called yet. An agreement that cannot be called is reported on it; the others are called."""
        for company in self.env["res.company"].search([]):
            today = fields.Date.context_today(self.with_company(company))
            if today < due_date(today.year, today.month, company.essms_allocation_due_day or 20):
                continue
            calls = self.with_company(company).with_context(allowed_company_ids=company.ids)
            agreements = calls._agreements_to_call(company, today.year, today.month)
            if agreements:
                calls._call_month(agreements, today.year, today.month, raise_on_error=False)

    @transition
    def _call_month(self, agreements, year, month, raise_on_error=True, invoice_date=None):
        """Call ``month`` of ``year`` for ``agreements``: the engine gives each call's lines, one invoice per
        agreement is created and posted to its financing body in the establishment's sales journal, dated
        ``invoice_date`` (today by default).

        Months already called are skipped. Bad input (no allocation for the year nor for the previous year, no
        sales journal) raises one message naming every agreement, nothing written; with ``raise_on_error`` False
        (the daily job), those agreements are reported on their record and the others called.
        """
        if not 1 <= month <= 12:
            raise UserError(self.env._("The month to call must be between 1 and 12 (given: %(month)s).", month=month))
        agreements = agreements.filtered(lambda agreement: agreement.financing == "global_allocation")
        if not agreements:
            return self.browse()
        self._lock_agreements(agreements)
        allocations = self._allocations_by_key(agreements, (year - 1, year))
        called = self._called_by_month(agreements, year)
        prepared, errors = [], []
        for agreement in agreements:
            if month in called.get(agreement.id, {}):
                continue
            if not agreement.establishment_id.journal_id:
                errors.append((agreement, self.env._(
                    "Agreement %(agreement)s: set the sales journal of %(establishment)s (one invoice series per "
                    "establishment) before calling its allocation.",
                    agreement=agreement.display_name, establishment=agreement.establishment_id.display_name,
                )))
                continue
            current = allocations.get((agreement.id, year))
            previous = allocations.get((agreement.id, year - 1))
            try:
                result = monthly_call(
                    year, month,
                    to_decimal(current.amount) if current else None,
                    to_decimal(previous.amount) if previous else None,
                    called.get(agreement.id, {}),
                )
            except AllocationError as error:
                errors.append((agreement, self._error_message(agreement, error)))
                continue
            prepared.append((agreement, current or previous, result))
        if errors:
            if raise_on_error:
                raise UserError("\n".join(message for _agreement, message in errors))
            for agreement, message in errors:
                _logger.warning("Allocation call: %s", message)
                agreement.sudo().message_post(body=message)
        return self._create_calls(prepared, invoice_date)

    @transition
    def _regularise(self, allocations):
        """Call, for each allocation whose twelve months are called, the difference between its arrêté and what
        was called for each month (an arrêté arriving after December's call, or a revised one)."""
        self._lock_agreements(allocations.agreement_id)
        prepared = []
        for allocation in allocations:
            called = self._called_by_month(allocation.agreement_id, allocation.year).get(allocation.agreement_id.id, {})
            if len(called) < 12:
                raise UserError(self.env._(
                    "Allocation %(name)s: %(count)s months of 12 are called; the difference with the arrêté is "
                    "added to the next monthly call, not regularised.",
                    name=allocation.display_name, count=len(called),
                ))
            result = regularisation(allocation.year, to_decimal(allocation.amount), called)
            if not result.lines:
                raise UserError(self.env._(
                    "Allocation %(name)s: the months called add up to the arrêté; there is nothing to regularise.",
                    name=allocation.display_name,
                ))
            if not allocation.establishment_id.journal_id:
                raise UserError(self.env._(
                    "Agreement %(agreement)s: set the sales journal of %(establishment)s (one invoice series per "
                    "establishment) before calling its allocation.",
                    agreement=allocation.agreement_id.display_name,
                    establishment=allocation.establishment_id.display_name,
                ))
            prepared.append((allocation.agreement_id, allocation, result))
        return self._create_calls(prepared)

    def _error_message(self, agreement, error):
        if error.code == "no_allocation":
            return self.env._(
                "Agreement %(agreement)s: no allocation for %(year)s nor for %(previous)s. Enter the arrêté of the "
                "year (menu Configuration > Global allocations) before calling %(month)02d/%(year)s.",
                agreement=agreement.display_name, year=error.year, previous=error.year - 1, month=error.month,
            )
        return self.env._("Agreement %(agreement)s: the allocation cannot be called (%(code)s).",
                          agreement=agreement.display_name, code=error.code)

    def _lock_agreements(self, agreements):
        """Serialise the calls of these agreements: the catch-up reads what was called, so two calls of different
        months computed at once must not both commit. The row is locked, or someone else is told to wait; then
        written, so that a transaction that read it before fails at commit instead of calling twice."""
        self.env["essms.agreement"].flush_model()
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint(flush=False):
                self.env.cr.execute(SQL(
                    "SELECT id FROM essms_agreement WHERE id IN %s FOR UPDATE NOWAIT", tuple(agreements.ids)
                ))
        except psycopg2.errors.LockNotAvailable:
            raise UserError(self.env._(
                "The allocations of %(agreements)s are being called by someone else right now; try again in a "
                "moment.",
                agreements=", ".join(agreements.mapped("display_name")),
            )) from None
        self.env.cr.execute(SQL(
            "UPDATE essms_agreement SET write_date = write_date WHERE id IN %s", tuple(agreements.ids)
        ))

    @api.model
    def _allocations_by_key(self, agreements, years):
        allocations = self.env["essms.allocation"].search(
            [("agreement_id", "in", agreements.ids), ("year", "in", list(years))]
        )
        return {(allocation.agreement_id.id, allocation.year): allocation for allocation in allocations}

    @api.model
    def _called_by_month(self, agreements, year):
        """``{agreement: {month: amount called for it}}`` over the calls of the year not cancelled, in one query."""
        self.flush_model()
        self.env["essms.allocation.call.line"].flush_model()
        self.env.cr.execute(SQL(
            """
            SELECT call.agreement_id, line.month, SUM(line.amount)
              FROM essms_allocation_call_line line
              JOIN essms_allocation_call call ON call.id = line.call_id
             WHERE call.agreement_id IN %(agreements)s AND call.year = %(year)s AND call.cancelled IS NOT TRUE
             GROUP BY call.agreement_id, line.month
            """,
            agreements=tuple(agreements.ids), year=year,
        ))
        called = {}
        for agreement_id, month, amount in self.env.cr.fetchall():
            called.setdefault(agreement_id, {})[month] = to_decimal(amount)
        return called

    def _create_calls(self, prepared, invoice_date=None):
        """One invoice per call, created and posted in one batch, then the calls; a concurrent call of the same
        month makes the whole batch fail (unique index), nothing half-written."""
        if not prepared:
            return self.browse()
        today = invoice_date or fields.Date.context_today(self)
        vals_list = [self._prepare_invoice_vals(agreement, allocation, result, today)
                     for agreement, allocation, result in prepared]
        try:
            with self.env.cr.savepoint():
                moves = self.env["account.move"].create(vals_list)
                moves.action_post()
                calls = self.create([
                    self._prepare_call_vals(agreement, allocation, result, move)
                    for (agreement, allocation, result), move in zip(prepared, moves, strict=True)
                ])
                calls.flush_recordset()
        except psycopg2.errors.UniqueViolation:
            raise UserError(self.env._(
                "These allocations were called by someone else at the same time: reload the list, nothing was "
                "called twice."
            )) from None
        return calls

    def _prepare_call_vals(self, agreement, allocation, result, move):
        lines = []
        for line in result.lines:
            lines.extend(
                Command.create({"month": month, "kind": line.kind, "amount": float(line.unit_price)})
                for month in line.months
            )
        return {
            "agreement_id": agreement.id,
            "kind": "twelfth" if result.month else "regularisation",
            "year": result.year,
            "month": result.month or False,
            "allocation_id": allocation.id,
            "provisional": result.provisional,
            "amount": float(result.amount),
            "date_due": move.invoice_date_due,
            "move_id": move.id,
            "line_ids": lines,
        }

    def _prepare_invoice_vals(self, agreement, allocation, result, today):
        establishment = agreement.establishment_id
        payer = agreement.payer_id
        lang = payer.lang or self.env.lang
        env = self.with_context(lang=lang).env
        company = agreement.company_id
        analytic = establishment.analytic_account_id
        tax_ids = company._essms_exempt_tax().ids
        refund = result.amount < 0
        sign = -1 if refund else 1
        commands = []
        for line in result.lines:
            commands.append(Command.create({
                "product_id": self.env.ref(ALLOCATION_PRODUCT).id,
                "name": self._line_label(env, lang, agreement, allocation, result, line),
                "quantity": line.quantity,
                "price_unit": sign * float(line.unit_price),
                "tax_ids": [Command.set(tax_ids)],
                "analytic_distribution": {str(analytic.id): 100} if analytic else False,
            }))
        if result.month:
            period_start = date(result.year, result.month, 1)
            period_end = month_end(period_start)
            due = max(due_date(result.year, result.month, company.essms_allocation_due_day or 20), today)
        else:
            period_start, period_end, due = date(result.year, 1, 1), date(result.year, 12, 31), today
        return {
            "move_type": "out_refund" if refund else "out_invoice",
            "partner_id": payer.id,
            "journal_id": establishment.journal_id.id,
            "company_id": company.id,
            "invoice_date": today,
            "invoice_payment_term_id": False,
            "invoice_date_due": due,
            "invoice_origin": allocation.arrete_ref or allocation.display_name,
            "narration": env._("VAT exemption: article 261-7-1°-b of the French General Tax Code (CGI)."),
            "fiscal_position_id": False,
            "buyer_reference": agreement.service_code or False,
            "purchase_order_reference": agreement.commitment_number or False,
            "essms_establishment_id": establishment.id,
            "essms_period_start": period_start,
            "essms_period_end": period_end,
            "invoice_line_ids": commands,
        }

    def _line_label(self, env, lang, agreement, allocation, result, line):
        def month_name(month):
            return format_date(env, date(result.year, month, 1), lang_code=lang, date_format="MMMM y")

        reference = allocation.arrete_ref or str(allocation.year)
        if line.kind == TWELFTH:
            if result.provisional:
                return env._(
                    "Global allocation %(agreement)s – twelfth of %(month)s, provisional: twelfth of the %(year)s "
                    "allocation (%(reference)s) until the %(current)s arrêté",
                    agreement=agreement.name, month=month_name(line.months[0]), year=allocation.year,
                    reference=reference, current=result.year,
                )
            return env._(
                "Global allocation %(agreement)s – twelfth of %(month)s (arrêté %(reference)s)",
                agreement=agreement.name, month=month_name(line.months[0]), reference=reference,
            )
        assert line.kind == DIFFERENCE
        return env._(
            "Difference with the arrêté %(reference)s for the months already called: %(months)s",
            reference=reference, months=", ".join(month_name(month) for month in line.months),
        )
