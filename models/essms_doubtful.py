"""Doubtful receivables (clients douteux, recovery-rules §2 and §7): reclassification 411 → 416, and back.

A batch on a date: *to doubtful* proposes the open claims a policy trigger makes doubtful on that date — a dispute
hold, a collective-proceedings or over-indebtedness hold, a formal notice sent and still unpaid after the company's
delay (*Paramètres du recouvrement*) — and *back to normal* the doubtful claims paid or without a trigger any more
(``engine.reclassification``, one call per batch). The operator proposes; a finance director posts one entry for the
batch: per claim, credit the invoice's receivable account (411) and debit 416 for its open amount, on the payer,
due on the invoice's due date. The invoice itself stays open (its reminders, its prescription and its payments are
unchanged); the reclassification's two items stay open until the claim is settled: a write-off credits 416 against
the item on 416 and matches the invoice with the item on 411; *back to normal* posts the opposite entry, matched
with both. So the receivable balance per payer, the due-date tracking and the general ledger stay equal.
"""

from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tools import format_date

from ..engine import writeoff as engine
from ..engine.money import cents
from ..engine.money import to_decimal
from .essms_approval_mixin import MANAGER_GROUP
from .essms_closing_mixin import DOUBTFUL
from .essms_workflow_mixin import in_transition
from .essms_workflow_mixin import transition

CLOSING_STAGES = ("written_off", "extinct")


class EssmsDoubtfulBatch(models.Model):
    _name = "essms.doubtful.batch"
    _description = "Reclassification of doubtful receivables"
    _inherit = ["mail.thread", "essms.workflow.mixin", "essms.closing.mixin"]
    _workflow_fields = ("state", "account_move_id")
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    kind = fields.Selection(
        selection=[("to_doubtful", "To doubtful receivables (411 → 416)"), ("to_normal", "Back to normal (416 → 411)")],
        required=True, default="to_doubtful", tracking=True,
    )
    state = fields.Selection(
        selection=[("draft", "Draft"), ("posted", "Posted"), ("cancelled", "Cancelled")],
        default="draft", required=True, readonly=True, copy=False, tracking=True,
    )
    line_ids = fields.One2many("essms.doubtful.line", "batch_id", string="Claims", readonly=True)
    amount = fields.Monetary(compute="_compute_amount", store=True)
    account_move_id = fields.Many2one("account.move", string="Entry", readonly=True, copy=False)

    @api.depends("date", "kind")
    def _compute_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for batch in self:
            batch.name = self.env._("%(kind)s on %(date)s", kind=kinds.get(batch.kind, ""),
                                    date=format_date(self.env, batch.date))

    @api.depends("line_ids.amount")
    def _compute_amount(self):
        for batch in self:
            batch.amount = sum(batch.line_ids.mapped("amount"))

    def write(self, vals):
        changed = {"date", "kind", "company_id"} & set(vals)
        if changed and not in_transition() and not self.env.su and self.filtered(lambda b: b.state != "draft"):
            raise UserError(self.env._("%(name)s is posted: it cannot be changed.", name=self[0].name))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        if self.filtered(lambda batch: batch.state == "posted"):
            raise UserError(self.env._("A posted reclassification is kept as the record of its entry."))

    @transition
    def action_propose(self):
        """The claims the triggers move on the batch's date (one engine call per batch)."""
        Move = self.env["account.move"]
        for batch in self:
            if batch.state != "draft":
                raise UserError(self.env._("%(name)s is posted: its claims are kept.", name=batch.name))
            invoices = Move.search([
                ("company_id", "=", batch.company_id.id), ("move_type", "=", "out_invoice"), ("state", "=", "posted"),
                ("essms_recovery_stage", "not in", CLOSING_STAGES),
                "|", ("amount_residual", ">", 0), ("essms_doubtful_line_id", "!=", False),
            ])
            # A claim written off in part keeps its rest on 416 until it is paid (or brought back).
            invoices |= Move.search([
                ("company_id", "=", batch.company_id.id), ("move_type", "=", "out_invoice"), ("state", "=", "posted"),
                ("essms_recovery_stage", "in", CLOSING_STAGES),
                ("essms_doubtful_line_id.doubtful_item_id.reconciled", "=", False),
            ])
            pending = self.env["essms.doubtful.line"].search([
                ("batch_id.state", "=", "draft"), ("batch_id", "!=", batch.id), ("move_id", "in", invoices.ids)])
            invoices -= pending.move_id
            claims = batch._engine_claims(invoices)
            to_doubtful, to_normal = engine.reclassification(
                claims, batch.date, batch.company_id.essms_doubtful_notice_days)
            if batch.kind == "to_doubtful":
                vals = [Command.create({"move_id": key, "trigger": trigger, "amount": float(amount)})
                        for key, trigger, amount in to_doubtful]
            else:
                doubtful = {move.id: move.essms_doubtful_line_id for move in invoices}
                # What 416 still holds for the claim (less than reclassified once a part was written off).
                vals = [Command.create({"move_id": key, "origin_id": doubtful[key].id,
                                        "trigger": doubtful[key].trigger,
                                        "amount": doubtful[key].doubtful_item_id.amount_residual})
                        for key in to_normal]
            batch.write({"line_ids": [Command.clear(), *vals]})
        return True

    def _engine_claims(self, invoices):
        """The engine's view of ``invoices`` on the batch's date: active holds by reason (one search per trigger
        reason) and the date of the formal notice still standing (their last dunning level)."""
        self.ensure_one()
        Hold = self.env["essms.recovery.hold"]
        reasons = {}
        for reason in engine.DOUBTFUL_HOLDS:
            for move in Hold._held_moves(invoices, self.date, reasons=(reason,)):
                reasons.setdefault(move.id, set()).add(reason)
        claims = []
        for move in invoices:
            notice = move.essms_dunning_date if move.essms_dunning_level_id.stage == "formal_notice" else None
            claims.append(engine.DoubtfulClaim(
                move.id, to_decimal(move.amount_residual), frozenset(reasons.get(move.id, ())), notice,
                bool(move.essms_doubtful_line_id)))
        return claims

    @transition
    def action_cancel(self):
        if self.filtered(lambda batch: batch.state != "draft"):
            raise UserError(self.env._("Only a reclassification not posted yet can be cancelled."))
        self.write({"state": "cancelled"})
        return True

    @transition
    def action_post(self):
        """The finance director posts the batch: one entry, each item on the payer, matched where it settles."""
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a finance director can post a reclassification."))
        for batch in self:
            if batch.state != "draft":
                raise UserError(self.env._("%(name)s is already posted.", name=batch.name))
            if not batch.line_ids:
                raise UserError(self.env._("%(name)s has no claim to reclassify: propose them first.",
                                           name=batch.name))
            batch._closing_check_date(batch.company_id, batch.date, batch.name)
            if batch.kind == "to_doubtful":
                batch._post_to_doubtful()
            else:
                batch._post_to_normal()
        return True

    def _check_lines(self):
        self.ensure_one()
        for line in self.line_ids:
            move = line.move_id
            # A claim written off in part may still be brought back for what 416 holds of it.
            rest_on_416 = self.kind == "to_normal" and line.origin_id and not line.origin_id.doubtful_item_id.reconciled
            if move.essms_recovery_stage in CLOSING_STAGES and not rest_on_416:
                raise UserError(self.env._("%(name)s: invoice %(invoice)s is written off; it is not reclassified.",
                                           name=self.name, invoice=move.name))
            if self.kind == "to_doubtful" and move.essms_doubtful_line_id:
                raise UserError(self.env._("%(name)s: invoice %(invoice)s is already a doubtful receivable.",
                                           name=self.name, invoice=move.name))
            if self.kind == "to_doubtful" and cents(to_decimal(line.amount)) != cents(to_decimal(move.amount_residual)):
                raise UserError(self.env._(
                    "%(name)s: invoice %(invoice)s now owes %(due)s, not %(amount)s: propose the claims again.",
                    name=self.name, invoice=move.name, due=self._format(move.amount_residual),
                    amount=self._format(line.amount)))
            if self.kind == "to_normal" and move.essms_doubtful_line_id != line.origin_id:
                raise UserError(self.env._("%(name)s: invoice %(invoice)s is not a doubtful receivable any more.",
                                           name=self.name, invoice=move.name))

    def _post_to_doubtful(self):
        self._check_lines()
        doubtful = self._closing_account(DOUBTFUL, self.company_id, self.env._("reclassify doubtful receivables"))
        move_lines = []
        for line in self.line_ids:
            invoice = line.move_id
            receivable = invoice.line_ids.filtered(lambda aml: aml.account_type == "asset_receivable")[:1]
            label = self.env._("Doubtful receivable: invoice %(invoice)s", invoice=invoice.name)
            common = {"name": label, "partner_id": invoice.commercial_partner_id.id,
                      "date_maturity": invoice.invoice_date_due or invoice.date}
            move_lines += [
                Command.create({**common, "account_id": doubtful.id, "debit": line.amount}),
                Command.create({**common, "account_id": receivable.account_id.id, "credit": line.amount}),
            ]
        move = self._create_entry(move_lines)
        items = move.line_ids.sorted("id")
        for line, (debit, credit) in zip(self.line_ids, zip(items[0::2], items[1::2], strict=True), strict=True):
            line.write({"doubtful_item_id": debit.id, "receivable_item_id": credit.id})
            line.move_id.sudo().essms_doubtful_line_id = line
        self.write({"state": "posted", "account_move_id": move.id})
        self._tell(move)

    def _post_to_normal(self):
        self._check_lines()
        move_lines = []
        for line in self.line_ids:
            origin = line.origin_id
            label = self.env._("Back to normal: invoice %(invoice)s", invoice=line.move_id.name)
            common = {"name": label, "partner_id": origin.doubtful_item_id.partner_id.id,
                      "date_maturity": origin.doubtful_item_id.date_maturity}
            move_lines += [
                Command.create({**common, "account_id": origin.doubtful_item_id.account_id.id,
                                "credit": origin.doubtful_item_id.amount_residual}),
                Command.create({**common, "account_id": origin.receivable_item_id.account_id.id,
                                "debit": -origin.receivable_item_id.amount_residual}),
            ]
        move = self._create_entry(move_lines)
        items = move.line_ids.sorted("id")
        for line, (credit, debit) in zip(self.line_ids, zip(items[0::2], items[1::2], strict=True), strict=True):
            origin = line.origin_id
            (origin.doubtful_item_id | credit).reconcile()
            (origin.receivable_item_id | debit).reconcile()
            line.write({"doubtful_item_id": credit.id, "receivable_item_id": debit.id})
            line.move_id.sudo().essms_doubtful_line_id = False
        self.write({"state": "posted", "account_move_id": move.id})
        self._tell(move)

    def _create_entry(self, move_lines):
        move = self.env["account.move"].sudo().create({
            "move_type": "entry", "journal_id": self._closing_journal(self.company_id).id,
            "company_id": self.company_id.id, "date": self.date, "ref": self.name, "line_ids": move_lines,
        })
        move.action_post()
        return move

    def _tell(self, move):
        body = self.env._("%(name)s: entry %(entry)s.", name=self.name, entry=move.name)
        for invoice in self.line_ids.move_id:
            invoice.message_post(body=body)
        self.message_post(body=self.env._("Posted: entry %(entry)s.", entry=move.name))


class EssmsDoubtfulLine(models.Model):
    _name = "essms.doubtful.line"
    _description = "Claim reclassified"
    _order = "batch_id, move_id"

    batch_id = fields.Many2one("essms.doubtful.batch", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="batch_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="batch_id.currency_id")
    move_id = fields.Many2one("account.move", string="Invoice", required=True, index=True)
    partner_id = fields.Many2one(related="move_id.commercial_partner_id", string="Payer")
    invoice_date_due = fields.Date(related="move_id.invoice_date_due", string="Due date")
    trigger = fields.Selection(
        selection=[(engine.DISPUTE, "Dispute"), (engine.INSOLVENCY, "Insolvency or over-indebtedness"),
                   (engine.FORMAL_NOTICE, "Formal notice unpaid")],
        required=True,
    )
    amount = fields.Monetary(required=True)
    origin_id = fields.Many2one("essms.doubtful.line", string="Reclassified by", readonly=True)
    doubtful_item_id = fields.Many2one("account.move.line", string="Item on 416", readonly=True)
    receivable_item_id = fields.Many2one("account.move.line", string="Item on 411", readonly=True)

    def write(self, vals):
        if not in_transition() and not self.env.su:
            raise AccessError(self.env._("The claims of a reclassification are written by its proposal only."))
        return super().write(vals)


class AccountMove(models.Model):
    _inherit = "account.move"

    essms_doubtful_line_id = fields.Many2one(
        "essms.doubtful.line", string="Doubtful receivable", copy=False, readonly=True, index="btree_not_null",
        help="The reclassification that moved the claim to 416 (doubtful receivables), while it stands there.")

