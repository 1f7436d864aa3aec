"""Year-end impairment of receivables (recovery-rules §7, example R3).

The operator computes the proposal on a closing date: the claims open on that date (the due-date tracking as of
that date: invoices only), grouped by age bucket and payer kind, each group at the rate of the company's impairment
rates (*Configuration > Taux de dépréciation*); public payers and claims under a payment plan kept on that date are
left out unless the proposal says otherwise. Each claim carries its share of its group (``engine.allocate``). The
operator submits it for review; a finance director posts one entry: the difference between the proposal and the
balance of 491 in the ledger on that date (debit 6817 / credit 491 when it grows, debit 491 / credit 7817 when it
shrinks), so that 491 then holds the proposal. Afterwards a claim's share is reversed (491 / 7817) when it is
written off (by the write-off's entry) or paid (*Reprendre les créances réglées*, in batch).
"""

from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tools import format_date

from ..engine import writeoff as engine
from ..engine.money import ZERO
from ..engine.money import cents
from ..engine.money import to_decimal
from ..engine.payers import PUBLIC_KINDS
from .essms_receivable_ageing import AGEING_DATE_KEY
from .essms_receivable_ageing import _payer_kinds
from .essms_workflow_mixin import in_transition
from .essms_workflow_mixin import transition


class EssmsImpairmentRate(models.Model):
    """One age bucket of the impairment policy: claims overdue from ``min_days`` to ``max_days`` at ``rate``."""

    _name = "essms.impairment.rate"
    _description = "Impairment rate"
    _order = "min_days, payer_kind, id"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", index=True,
                                 help="Empty: the rate applies to every company without rates of its own.")
    payer_kind = fields.Selection(selection=_payer_kinds, help="Empty: every payer kind not left out.")
    min_days = fields.Integer(string="From (days overdue)", required=True)
    max_days = fields.Integer(string="To (days overdue)", help="Included; empty: no upper bound.")
    rate = fields.Float(string="Rate (%)", required=True, digits=(5, 2))
    active = fields.Boolean(default=True)

    @api.depends("min_days", "max_days")
    def _compute_display_name(self):
        for rate in self:
            if rate.max_days:
                rate.display_name = self.env._("%(min)s–%(max)s days", min=rate.min_days, max=rate.max_days)
            else:
                rate.display_name = self.env._("%(min)s days and over", min=rate.min_days)

    @api.constrains("min_days", "max_days", "rate")
    def _check_bounds(self):
        for rate in self:
            if rate.min_days < 0 or (rate.max_days and rate.max_days < rate.min_days):
                raise ValidationError(self.env._(
                    "Impairment rate from %(min)s days: the upper bound must be after the lower one.",
                    min=rate.min_days))
            if not 0 <= rate.rate <= 100:
                raise ValidationError(self.env._(
                    "Impairment rate from %(min)s days: the rate is a percentage between 0 and 100.",
                    min=rate.min_days))

    def _buckets(self, company):
        """The engine's buckets of ``company``: its own rates, else the shared ones."""
        rates = self.search([("company_id", "=", company.id)]) or self.search([("company_id", "=", False)])
        return [
            engine.Bucket(str(rate.id), rate.min_days, rate.max_days or None, to_decimal(rate.rate) / 100,
                          frozenset({rate.payer_kind}) if rate.payer_kind else frozenset())
            for rate in rates.sorted(lambda rate: (rate.min_days, not rate.payer_kind, rate.id))
        ]


class EssmsImpairment(models.Model):
    _name = "essms.impairment"
    _description = "Year-end impairment"
    _inherit = ["mail.thread", "essms.workflow.mixin", "essms.closing.mixin"]
    _workflow_fields = ("state", "account_move_id", "release_move_ids")
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(string="Closing date", required=True, tracking=True, default=lambda self: self._default_date())
    exclude_public = fields.Boolean(string="Leave out public payers", default=True,
                                    help="Départements, health insurance funds and the State are not impaired.")
    exclude_kept_plans = fields.Boolean(string="Leave out kept payment plans", default=True,
                                        help="Claims under a payment plan active on the closing date.")
    state = fields.Selection(
        selection=[("draft", "Draft"), ("to_post", "To post"), ("posted", "Posted"), ("cancelled", "Cancelled")],
        default="draft", required=True, readonly=True, copy=False, tracking=True,
    )
    line_ids = fields.One2many("essms.impairment.line", "impairment_id", string="Proposal", readonly=True)
    claim_ids = fields.One2many("essms.impairment.claim", "impairment_id", string="Claims", readonly=True)
    amount_total = fields.Monetary(string="Impairment proposed", readonly=True)
    amount_previous = fields.Monetary(string="Balance of 491", readonly=True,
                                      help="The balance of the impairment account in the ledger on the closing date.")
    amount_difference = fields.Monetary(string="Entry", compute="_compute_difference",
                                        help="Positive: a charge (6817 / 491); negative: a reversal (491 / 7817).")
    excluded_count = fields.Integer(string="Claims left out", readonly=True)
    account_move_id = fields.Many2one("account.move", string="Impairment entry", readonly=True, copy=False)
    release_move_ids = fields.Many2many(
        "account.move", "essms_impairment_release_move_rel", "impairment_id", "move_id",
        string="Reversals for claims paid", readonly=True, copy=False)
    superseded = fields.Boolean(readonly=True, copy=False,
                                help="A later impairment was posted: its shares are the claims' impairment now.")

    @api.model
    def _default_date(self):
        """The last closing: 31 December of last year."""
        today = fields.Date.context_today(self)
        return today.replace(year=today.year - 1, month=12, day=31)

    @api.depends("date")
    def _compute_name(self):
        for impairment in self:
            impairment.name = self.env._("Impairment at %(date)s", date=format_date(self.env, impairment.date))

    @api.depends("amount_total", "amount_previous")
    def _compute_difference(self):
        for impairment in self:
            impairment.amount_difference = impairment.amount_total - impairment.amount_previous

    def write(self, vals):
        changed = {"date", "exclude_public", "exclude_kept_plans"} & set(vals)
        if changed and not in_transition() and not self.env.su and self.filtered(lambda i: i.state != "draft"):
            raise UserError(self.env._("%(name)s is submitted: compute a new proposal to change it.",
                                       name=self[0].name))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        if self.filtered(lambda impairment: impairment.state == "posted"):
            raise UserError(self.env._("A posted impairment is kept as the record of its entry."))

    # Proposal ----------------------------------------------------------------------------------------------

    def _open_claims(self):
        """The engine's claims: the invoices open on the closing date, in one read of the
        due-date tracking as of that date, with the payer kind and whether a payment plan kept covers them."""
        self.ensure_one()
        rows = self.env["essms.receivable.ageing"].with_context(**{AGEING_DATE_KEY: self.date}).sudo().search_fetch(
            [("company_id", "=", self.company_id.id), ("move_id.move_type", "=", "out_invoice"),
             ("amount_residual", ">", 0)],
            ["move_id", "payer_kind", "date_maturity", "amount_residual"])
        amounts = {}
        for row in rows:
            key = row.move_id.id
            row_due = row.date_maturity or self.date
            due, kind, amount = amounts.get(key, (row_due, row.payer_kind, ZERO))
            amounts[key] = (min(due, row_due), kind, amount + to_decimal(row.amount_residual))
        invoices = rows.move_id
        closed = set(invoices.filtered(lambda move: move.essms_recovery_stage in ("written_off", "extinct")).ids)
        plans = self.env["essms.payment.plan"].sudo().search([
            ("move_ids", "in", invoices.ids), ("state", "in", ("active", "completed")),
            ("date_signed", "<=", self.date)])
        planned = set(plans.move_ids.ids)
        claims = [
            engine.Claim(key, kind or "other", due, amount, kept_plan=key in planned)
            for key, (due, kind, amount) in amounts.items() if key not in closed
        ]
        return claims

    def _ledger_balance(self):
        """The credit balance of 491 on the closing date: what is impaired in the books."""
        self.ensure_one()
        account = self._closing_account(engine.IMPAIRMENT, self.company_id, self.env._("post the impairment"))
        groups = self.env["account.move.line"].sudo()._read_group(
            [("account_id", "=", account.id), ("company_id", "=", self.company_id.id),
             ("parent_state", "=", "posted"), ("date", "<=", self.date)],
            aggregates=["balance:sum"])
        return cents(-to_decimal(groups[0][0] or 0.0)) if groups else ZERO

    def _proposal(self, claims):
        self.ensure_one()
        buckets = self.env["essms.impairment.rate"]._buckets(self.company_id)
        if not buckets:
            raise UserError(self.env._("%(name)s: no impairment rate is set (Configuration › Impairment rates).",
                                       name=self.name))
        return engine.impairment_proposal(
            claims, buckets, self.date, previous=self._ledger_balance(),
            excluded_kinds=PUBLIC_KINDS if self.exclude_public else (),
            exclude_kept_plans=self.exclude_kept_plans)

    @transition
    def action_compute(self):
        """The operator computes (again) the proposal of a draft: one engine call per impairment."""
        for impairment in self:
            if impairment.state != "draft":
                raise UserError(self.env._("%(name)s is submitted: its proposal is kept.", name=impairment.name))
            claims = impairment._open_claims()
            open_amounts = {claim.key: claim.open_amount for claim in claims}
            proposal = impairment._proposal(claims)
            shares = engine.allocate(proposal, claims)
            rates = {str(rate.id): rate for rate in self.env["essms.impairment.rate"].search([])}
            claim_vals = []
            line_vals = []
            for line in proposal.lines:
                line_vals.append(Command.create({
                    "rate_id": int(line.bucket), "payer_kind": line.payer_kind, "base": float(line.base),
                    "rate": float(line.rate * 100), "amount": float(line.amount), "claim_count": len(line.keys)}))
                for key in line.keys:
                    claim_vals.append(Command.create({
                        "move_id": key, "rate_id": rates[line.bucket].id,
                        "base": float(open_amounts[key]),
                        "amount": float(shares[key])}))
            impairment.write({
                "line_ids": [Command.clear(), *line_vals], "claim_ids": [Command.clear(), *claim_vals],
                "amount_total": float(proposal.total), "amount_previous": float(proposal.previous),
                "excluded_count": len(proposal.excluded),
            })
        return True

    @transition
    def action_submit(self):
        for impairment in self:
            if impairment.state != "draft":
                raise UserError(self.env._("%(name)s was already submitted.", name=impairment.name))
            if not impairment.line_ids and not impairment.amount_previous:
                raise UserError(self.env._("%(name)s: compute the proposal before submitting it.",
                                           name=impairment.name))
        self.write({"state": "to_post"})
        return True

    @transition
    def action_draft(self):
        if self.filtered(lambda impairment: impairment.state != "to_post"):
            raise UserError(self.env._("Only a proposal not posted yet goes back to draft."))
        self.write({"state": "draft"})
        return True

    @transition
    def action_cancel(self):
        if self.filtered(lambda impairment: impairment.state == "posted"):
            raise UserError(self.env._("A posted impairment cannot be cancelled: post the next one."))
        self.write({"state": "cancelled"})
        return True

    @transition
    def action_post(self):
        """The finance director posts the reviewed proposal: one entry, the difference with the ledger's 491."""
        self._check_manager(self.env._("Only a finance director can post an impairment or reverse it."))
        for impairment in self:
            if impairment.state != "to_post":
                raise UserError(self.env._("%(name)s is not submitted for review: it cannot be posted.",
                                           name=impairment.name))
            impairment._closing_check_date(impairment.company_id, impairment.date, impairment.name)
            # The ledger may have moved since the review (a write-off, a reversal): the entry brings 491 to the
            # proposal, whatever its balance is now.
            previous = impairment._ledger_balance()
            proposal = engine.ImpairmentProposal((), cents(to_decimal(impairment.amount_total)), previous, ())
            rows = proposal.entry()
            move = impairment._post_rows(rows, impairment.date, impairment.name) if rows else self.env["account.move"]
            self.search([("company_id", "=", impairment.company_id.id), ("state", "=", "posted"),
                         ("id", "!=", impairment.id)]).write({"superseded": True})
            impairment.write({"state": "posted", "account_move_id": move.id, "amount_previous": float(previous)})
            impairment.message_post(body=self.env._(
                "Posted: %(total)s impaired, %(previous)s in the ledger before, entry %(entry)s.",
                total=impairment._format(impairment.amount_total), previous=impairment._format(previous),
                entry=move.name or "—"))
        return True

    def _post_rows(self, rows, day, label):
        self.ensure_one()
        purpose = self.env._("post the impairment")
        move = self.env["account.move"].sudo().create({
            "move_type": "entry", "journal_id": self._closing_journal(self.company_id).id,
            "company_id": self.company_id.id, "date": day, "ref": label,
            "line_ids": [Command.create({
                "name": label, "account_id": self._closing_account(row.role, self.company_id, purpose).id,
                "debit": float(row.debit), "credit": float(row.credit),
            }) for row in rows],
        })
        move.action_post()
        return move

    @transition
    def action_release_paid(self):
        """Reverse (491 / 7817) the shares of the claims paid since the closing date, in one entry per impairment."""
        self._check_manager(self.env._("Only a finance director can post an impairment or reverse it."))
        for impairment in self:
            if impairment.state != "posted" or impairment.superseded:
                raise UserError(self.env._("%(name)s is not the impairment in force: nothing to reverse.",
                                           name=impairment.name))
            paid = impairment.claim_ids.filtered(
                lambda claim: claim.amount_left > 0 and claim.move_id.amount_residual <= 0
                and claim.move_id.essms_recovery_stage not in ("written_off", "extinct"))
            total = cents(sum((to_decimal(claim.amount_left) for claim in paid), ZERO))
            if total <= ZERO:
                raise UserError(self.env._("%(name)s: no claim impaired has been paid since.", name=impairment.name))
            day = fields.Date.context_today(self)
            label = self.env._("%(name)s: reversal for the claims paid", name=impairment.name)
            impairment._closing_check_date(impairment.company_id, day, label)
            rows = engine.ImpairmentProposal((), ZERO, total, ()).entry()
            move = impairment._post_rows(rows, day, label)
            for claim in paid:
                claim.released_amount += claim.amount_left
            impairment.write({"release_move_ids": [Command.link(move.id)]})
            impairment.message_post(body=self.env._(
                "%(count)s claims paid: %(amount)s reversed, entry %(entry)s.", count=len(paid),
                amount=impairment._format(total), entry=move.name))
        return True

    @api.model
    def _current_shares(self, invoices):
        """``{invoice id: impairment claim line}``: the share of each invoice in the impairment in force."""
        claims = self.env["essms.impairment.claim"].sudo().search([
            ("move_id", "in", invoices.ids), ("impairment_id.state", "=", "posted"),
            ("impairment_id.superseded", "=", False)])
        return {claim.move_id.id: claim for claim in claims}

    def action_view_entries(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Entries"),
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [("id", "in", (self.account_move_id | self.release_move_ids).ids)],
        }


class EssmsImpairmentLine(models.Model):
    """One group of the proposal: an age bucket and a payer kind, the base times the rate."""

    _name = "essms.impairment.line"
    _description = "Impairment by age and payer kind"
    _order = "impairment_id, min_days, payer_kind"

    impairment_id = fields.Many2one("essms.impairment", string="Year-end impairment", required=True, ondelete="cascade",
                                    index=True)
    company_id = fields.Many2one(related="impairment_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="impairment_id.currency_id")
    rate_id = fields.Many2one("essms.impairment.rate", string="Age bucket", ondelete="restrict")
    min_days = fields.Integer(related="rate_id.min_days", store=True)
    payer_kind = fields.Selection(selection=_payer_kinds)
    claim_count = fields.Integer(string="Claims")
    base = fields.Monetary(string="Open amount")
    rate = fields.Float(string="Rate (%)", digits=(5, 2))
    amount = fields.Monetary(string="Impairment")



class EssmsImpairmentClaim(models.Model):
    """A claim's share of the impairment: what its write-off reverses, or its payment releases."""

    _name = "essms.impairment.claim"
    _description = "Claim impaired"
    _order = "impairment_id, move_id"

    impairment_id = fields.Many2one("essms.impairment", string="Year-end impairment", required=True, ondelete="cascade",
                                    index=True)
    company_id = fields.Many2one(related="impairment_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="impairment_id.currency_id")
    move_id = fields.Many2one("account.move", string="Invoice", required=True, index=True)
    partner_id = fields.Many2one(related="move_id.commercial_partner_id", string="Payer")
    rate_id = fields.Many2one("essms.impairment.rate", string="Age bucket", ondelete="restrict")
    base = fields.Monetary(string="Open amount")
    amount = fields.Monetary(string="Impairment")
    released_amount = fields.Monetary(string="Reversed", readonly=True)
    amount_left = fields.Monetary(string="Still impaired", compute="_compute_amount_left")

    @api.depends("amount", "released_amount")
    def _compute_amount_left(self):
        for claim in self:
            claim.amount_left = claim.amount - claim.released_amount

    def write(self, vals):
        if not in_transition() and not self.env.su:
            raise AccessError(self.env._("The claims of an impairment are written by its computation only."))
        return super().write(vals)
