"""Legal interest on a claim (C. civ. 1344-1, recovery-rules §2, example R2) and the fixed recovery indemnity.

The interest runs from the day after the formal notice was received (``received_date`` of the sent formal notice
letter, typed in from the acknowledgment of receipt) to the payment, or today while something is due, per period of
one base and one half-yearly rate (``engine/legal_interest.py``). It is shown on the invoice; where the debtor's
dunning policy claims legal interest, *Post the legal interest* bills it as a claim of its own: one invoice line
per period, quantity 1 at the period's amount, labelled ``base x rate x days / 365``, and for a professional debtor
the fixed recovery indemnity (40 €, a dated parameter) on a line of its own. The letters print
``_essms_legal_interest_figures()`` (amount, periods, indemnity).
"""

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import format_date
from odoo.tools import formatLang

from ..engine import legal_interest as engine
from ..engine import prescription

INTEREST_CODE = "legal_interest_company"
INDEMNITY_CODE = "recovery_indemnity"


class EssmsParameter(models.Model):
    _inherit = "essms.parameter"

    code = fields.Selection(
        selection_add=[(INDEMNITY_CODE, "Fixed recovery indemnity, professional debtors")],
        ondelete={INDEMNITY_CODE: "cascade"},
    )


class EssmsDunningLetter(models.Model):
    _inherit = "essms.dunning.letter"

    received_date = fields.Date(
        string="Received on", copy=False,
        help="The day the debtor received the letter (the acknowledgment of receipt of a registered letter): the "
             "legal interest runs from the day after a formal notice was received.")


    def _legal_interest_lines(self):
        """What the letter prints about the legal interest of its invoices (``report_dunning_letter_interest``):
        for each invoice whose formal notice was received before the letter's date, the interest up to that date
        per half-year and the fixed indemnity of a professional debtor, where the debtor's policy claims legal
        interest. ``{lines: [{invoice, start, periods: [{label, amount}], indemnity}], total, indemnity,
        grand_total}``, amounts formatted; ``lines`` empty otherwise (a formal notice prints the rate only)."""
        self.ensure_one()
        result = {"lines": [], "total": "", "indemnity": "", "grand_total": ""}
        if not self.policy_id.legal_interest or not self.date:
            return result
        moves = self.line_ids.move_id.sudo()
        figures = moves._essms_legal_interest_all(end=self.date)
        total = indemnities = 0.0
        for move in moves.sorted(lambda move: (move.invoice_date_due or move.invoice_date, move.id)):
            item = figures.get(move.id)
            if not item or item["start"] >= self.date:
                continue
            amount, indemnity = float(item["interest"].amount), float(item["indemnity"])
            if not amount and not indemnity:
                continue
            result["lines"].append({
                "invoice": move.name,
                "start": format_date(self.env, item["start"]),
                "periods": [
                    {"label": move._essms_interest_period_computation(period),
                     "amount": self._format_amount(float(period.amount))}
                    for period in item["interest"].periods if period.amount
                ],
                "indemnity": self._format_amount(indemnity) if indemnity else "",
            })
            total += amount
            indemnities += indemnity
        if result["lines"]:
            result.update(total=self._format_amount(total),
                          indemnity=self._format_amount(indemnities) if indemnities else "",
                          grand_total=self._format_amount(total + indemnities))
        return result


class AccountMove(models.Model):
    _inherit = "account.move"

    essms_legal_interest_start = fields.Date(
        string="Formal notice received on", compute="_compute_essms_legal_interest",
        help="The receipt of the first formal notice sent for the invoice: the legal interest runs from the day "
             "after.")
    essms_legal_interest = fields.Monetary(
        string="Legal interest", compute="_compute_essms_legal_interest",
        help="From the day after the formal notice was received to the payment (or today), on what was still due "
             "each day, at the legal rate of each half-year (C. civ. 1344-1).")
    essms_legal_interest_detail = fields.Text(string="Legal interest detail", compute="_compute_essms_legal_interest")
    essms_recovery_indemnity = fields.Monetary(
        string="Fixed recovery indemnity", compute="_compute_essms_legal_interest",
        help="40 € per late invoice, due by professional debtors only (C. com. L441-10, D441-5): never by residents, "
             "families or public payers.")
    essms_legal_interest_move_id = fields.Many2one(
        "account.move", string="Legal interest invoice", copy=False, readonly=True, index="btree_not_null",
        help="The invoice that claims the legal interest of this invoice.")

    def _essms_is_professional_debtor(self):
        self.ensure_one()
        partner = self.commercial_partner_id
        return partner.is_company and prescription.debtor_class(partner.essms_payer_kind) == prescription.PRIVATE

    @api.depends("essms_dunning_line_ids.letter_id.received_date", "amount_residual",
                 "line_ids.matched_credit_ids.max_date")
    def _compute_essms_legal_interest(self):
        figures = self._essms_legal_interest_all()
        for move in self:
            result = figures.get(move.id)
            move.essms_legal_interest_start = result["start"] if result else False
            move.essms_legal_interest = float(result["interest"].amount) if result else 0.0
            move.essms_legal_interest_detail = result["detail"] if result else False
            move.essms_recovery_indemnity = float(result["indemnity"]) if result else 0.0

    def _essms_legal_interest_all(self, end=None):
        """``{move id: figures}`` for the invoices of ``self`` with a formal notice received: the rates read once."""
        today = end or fields.Date.context_today(self)
        claims = self.filtered(lambda move: move.move_type == "out_invoice" and move.state == "posted")
        starts = {}
        for move in claims:
            received = [
                letter.received_date for letter in move.essms_dunning_line_ids.letter_id
                if letter.state == "sent" and letter.letter_kind == "formal_notice" and letter.received_date
            ]
            if received:
                starts[move.id] = min(received)
        if not starts:
            return {}
        Parameter = self.env["essms.parameter"].sudo()
        series = Parameter._get_series([INTEREST_CODE, INDEMNITY_CODE])
        rates = series[INTEREST_CODE]
        result = {}
        for move in claims.filtered(lambda move: move.id in starts):
            start = starts[move.id]
            payments = []
            for line in move.line_ids.filtered(lambda line: line.account_type == "asset_receivable"):
                payments += [(partial.max_date, partial.amount) for partial in line.matched_credit_ids]
            end_day = today
            if move.currency_id.is_zero(move.amount_residual) and payments:
                end_day = max(day for day, _amount in payments)
            interest = engine.legal_interest(move.amount_total, start, end_day, rates, payments)
            indemnity_amount = engine.rate_on(series[INDEMNITY_CODE], start) or 0
            indemnity = engine.recovery_indemnity(move._essms_is_professional_debtor(), indemnity_amount)
            result[move.id] = {
                "start": start,
                "end": end_day,
                "interest": interest,
                "indemnity": indemnity,
                "detail": "\n".join(move._essms_interest_period_label(period) for period in interest.periods),
            }
        return result

    def _essms_interest_period_label(self, period):
        return self.env._(
            "%(base)s x %(rate)s %% x %(days)s / 365 days (%(start)s to %(end)s) = %(amount)s",
            base=formatLang(self.env, float(period.base), currency_obj=self.currency_id),
            rate=formatLang(self.env, float(period.rate), digits=2),
            days=period.days,
            start=format_date(self.env, period.date_from),
            end=format_date(self.env, period.date_to),
            amount=formatLang(self.env, float(period.amount), currency_obj=self.currency_id),
        )

    def _essms_interest_period_computation(self, period):
        """A period's computation as a letter prints it next to its amount."""
        return self.env._(
            "%(base)s x %(rate)s %% x %(days)s / 365 days, from %(start)s to %(end)s",
            base=formatLang(self.env, float(period.base), currency_obj=self.currency_id),
            rate=formatLang(self.env, float(period.rate), digits=2),
            days=period.days,
            start=format_date(self.env, period.date_from),
            end=format_date(self.env, period.date_to),
        )

    def _essms_legal_interest_figures(self):
        """What a letter prints about the interest of this invoice: ``{start, end, amount, periods: [label],
        indemnity}`` (amounts in the invoice's currency), or ``{}`` without a formal notice received."""
        self.ensure_one()
        figures = self._essms_legal_interest_all().get(self.id)
        if not figures:
            return {}
        return {
            "start": figures["start"],
            "end": figures["end"],
            "amount": float(figures["interest"].amount),
            "periods": [self._essms_interest_period_label(period) for period in figures["interest"].periods],
            "indemnity": float(figures["indemnity"]),
        }

    def action_essms_post_legal_interest(self):
        """Bill the legal interest (and, for a professional debtor, the fixed indemnity) of each invoice of ``self``
        as an invoice of its own, where the debtor's dunning policy claims legal interest."""
        invoices = self.env["account.move"]
        figures = self._essms_legal_interest_all()
        for move in self:
            policy = self.env["essms.dunning.policy"]._policy_by_kind(move.company_id).get(
                move.commercial_partner_id.essms_payer_kind or "other")
            if not policy or not policy.legal_interest:
                raise UserError(self.env._(
                    "Invoice %(invoice)s: the dunning policy of %(debtor)s does not claim legal interest; enable it "
                    "on the policy first.", invoice=move.name, debtor=move.commercial_partner_id.name))
            if move.essms_legal_interest_move_id and move.essms_legal_interest_move_id.state != "cancel":
                raise UserError(self.env._(
                    "Invoice %(invoice)s: its legal interest is already billed on %(interest)s.",
                    invoice=move.name, interest=move.essms_legal_interest_move_id.name))
            result = figures.get(move.id)
            if not result or (not result["interest"].amount and not result["indemnity"]):
                raise UserError(self.env._(
                    "Invoice %(invoice)s: no legal interest to bill (no formal notice received, or nothing due "
                    "since).", invoice=move.name))
            lines = [
                {"name": self.env._("Legal interest on %(invoice)s: %(detail)s", invoice=move.name,
                                    detail=move._essms_interest_period_label(period)),
                 "quantity": 1, "price_unit": float(period.amount), "tax_ids": []}
                for period in result["interest"].periods if period.amount
            ]
            if result["indemnity"]:
                lines.append({"name": self.env._("Fixed recovery indemnity (C. com. L441-10) on %(invoice)s",
                                                 invoice=move.name),
                              "quantity": 1, "price_unit": float(result["indemnity"]), "tax_ids": []})
            account = self.env["account.account"].with_company(move.company_id).search(
                [("code", "=like", "7638%"), ("company_ids", "in", move.company_id.id)], limit=1)
            if account:
                for line in lines:
                    line["account_id"] = account.id
            interest = self.env["account.move"].with_company(move.company_id).create({
                "move_type": "out_invoice",
                "partner_id": move.partner_id.id,
                "journal_id": move.journal_id.id,
                "invoice_date": fields.Date.context_today(self),
                "ref": self.env._("Legal interest on %(invoice)s", invoice=move.name),
                "invoice_line_ids": [(0, 0, line) for line in lines],
            })
            interest.action_post()
            move.essms_legal_interest_move_id = interest
            move.message_post(body=self.env._("Legal interest billed on %(interest)s.", interest=interest.name))
            invoices |= interest
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [("id", "in", invoices.ids)],
            "name": self.env._("Legal interest"),
        }
