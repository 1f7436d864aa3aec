"""Remission (remise gracieuse, recovery-rules §2): a request, the social file, a decision, the amount, the signer;
accounted as a credit note.

The operator records the request (the invoices, the amount remitted, the reason and the social file note) and
submits it; the approval rule of remissions decides who signs (by default a finance director always does). Once
decided, one credit note per invoice, for its share of the amount (oldest invoice first), is posted and reconciled
with the invoice; an invoice remitted in full reaches the ``remitted`` stage.
"""

from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError

from ..engine.money import ZERO
from ..engine.money import cents
from ..engine.money import to_decimal
from .essms_workflow_mixin import transition


class EssmsRemission(models.Model):
    _name = "essms.remission"
    _description = "Remission"
    _inherit = ["essms.recovery.arrangement", "essms.approval.mixin", "essms.workflow.mixin", "essms.closing.mixin"]
    _workflow_fields = ("state", "credit_note_ids")
    _order = "date desc, id desc"
    _approval_decision_type = "remission"

    name = fields.Char(required=True, copy=False, readonly=True, default=lambda self: self.env._("New"))
    date = fields.Date(string="Requested on", required=True, default=fields.Date.context_today, tracking=True)
    amount = fields.Monetary(string="Amount remitted", required=True, tracking=True)
    reason = fields.Text(string="Request", required=True, help="Who asks, and why.")
    social_note = fields.Text(
        string="Social file", help="What the social file says of the debtor's situation (resources, charges)."
    )
    state = fields.Selection(
        selection=[
            ("draft", "Draft"),
            ("to_approve", "To approve"),
            ("done", "Accounted"),
            ("refused", "Refused"),
            ("cancelled", "Cancelled"),
        ],
        default="draft", required=True, readonly=True, copy=False, tracking=True,
    )
    credit_note_ids = fields.Many2many(
        "account.move", "essms_remission_credit_note_rel", "remission_id", "move_id", string="Credit notes",
        readonly=True, copy=False,
    )
    amount_due = fields.Monetary(string="Left to pay", compute="_compute_amount_due")

    @api.depends("move_ids.amount_residual")
    def _compute_amount_due(self):
        for remission in self:
            remission.amount_due = sum(remission.move_ids.mapped("amount_residual"))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("name") or vals["name"] == self.env._("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("essms.remission") or self.env._("New")
        return super().create(vals_list)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        if self.filtered(lambda remission: remission.state not in ("draft", "cancelled")):
            raise UserError(self.env._("A remission submitted is kept as the record of the decision."))

    @api.constrains("amount")
    def _check_amount(self):
        for remission in self:
            if remission.amount <= 0:
                raise ValidationError(self.env._("Remission %(name)s: the amount must be positive.",
                                                 name=remission.name))

    def _approval_subject(self):
        self.ensure_one()
        return self.company_id, self.partner_id.commercial_partner_id.essms_payer_kind, self.amount

    @transition
    def action_submit(self):
        """The operator submits the request: accounted at once within the rules' autonomy, else sent for approval."""
        for remission in self:
            if remission.state != "draft":
                raise UserError(self.env._("Remission %(name)s was already submitted.", name=remission.name))
            remission._check_can_account()
        by_mode = self._approval_propose()
        waiting = by_mode.get("approval_required", self.browse())
        waiting.write({"state": "to_approve"})
        for remission in waiting:
            remission._approval_ask(
                self.env._("Remission to approve: %(name)s", name=remission.name),
                self.env._("%(debtor)s: %(amount)s, proposed by %(user)s.", debtor=remission.partner_id.display_name,
                           amount=remission._format(remission.amount), user=self.env.user.name),
            )
        (self - waiting)._account()
        for remission in by_mode.get("autonomous_notify", self.browse()):
            remission._approval_tell(self.env._(
                "Remission %(name)s granted by %(user)s: %(debtor)s, %(amount)s.", name=remission.name,
                user=self.env.user.name, debtor=remission.partner_id.display_name,
                amount=remission._format(remission.amount)))
        return True

    @transition
    def action_cancel(self):
        if self.filtered(lambda remission: remission.state not in ("draft", "to_approve")):
            raise UserError(self.env._("Only a remission not decided yet can be cancelled."))
        self.write({"state": "cancelled"})
        self.activity_unlink(["essms_billing.mail_activity_type_essms_approval"])

    def action_view_credit_notes(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Credit notes"),
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [("id", "in", self.credit_note_ids.ids)],
        }

    def _approval_approved(self):
        self._account()

    @transition
    def _approval_refused(self):
        self.write({"state": "refused"})
        for remission in self:
            remission._notify_operator(
                self.env._("Remission refused: %(name)s", name=remission.name),
                self.env._("Refused by %(user)s. %(note)s", user=self.env.user.name,
                           note=remission.approval_note or ""),
            )

    def _check_can_account(self):
        self.ensure_one()
        if not self.move_ids:
            raise UserError(self.env._("Remission %(name)s: choose the invoices it remits.", name=self.name))
        due = cents(sum(to_decimal(move.amount_residual) for move in self.move_ids))
        if cents(to_decimal(self.amount)) > due:
            raise UserError(self.env._(
                "Remission %(name)s: %(amount)s is more than the invoices still owe (%(due)s).",
                name=self.name, amount=self._format(self.amount), due=self._format(float(due))))

    def _shares(self):
        """``[(invoice, amount)]``: the amount remitted spread over the invoices, oldest first."""
        left = cents(to_decimal(self.amount))
        shares = []
        for move in self.move_ids.sorted(lambda move: (move.invoice_date_due or move.date, move.id)):
            share = min(left, cents(to_decimal(move.amount_residual)))
            if share > ZERO:
                shares.append((move, share))
                left -= share
        return shares

    def _prepare_credit_note_vals(self, move, amount):
        income = move.invoice_line_ids.filtered(lambda line: line.display_type == "product")[:1]
        return {
            "move_type": "out_refund",
            "partner_id": move.partner_id.id,
            "journal_id": move.journal_id.id,
            "company_id": move.company_id.id,
            "currency_id": move.currency_id.id,
            "invoice_date": fields.Date.context_today(self),
            "reversed_entry_id": move.id,
            "ref": self.env._("Remission %(name)s of %(invoice)s", name=self.name, invoice=move.name),
            "essms_beneficiary_id": move.essms_beneficiary_id.id,
            "essms_establishment_id": move.essms_establishment_id.id,
            "invoice_line_ids": [Command.create({
                "name": self.env._("Remission (remise gracieuse) of invoice %(invoice)s", invoice=move.name),
                "account_id": income.account_id.id,
                "quantity": 1,
                "price_unit": float(amount),
                "tax_ids": [Command.clear()],
            })],
        }

    @transition
    def _account(self):
        """Post and reconcile one credit note per invoice for its share; fully remitted invoices are ``remitted``."""
        for remission in self:
            remission._check_can_account()
            shares = remission._shares()
            credit_notes = self.env["account.move"].create(
                [remission._prepare_credit_note_vals(move, amount) for move, amount in shares])
            credit_notes.action_post()
            for (move, _amount), credit_note in zip(shares, credit_notes, strict=True):
                (move.line_ids | credit_note.line_ids).filtered(
                    lambda line: line.account_type == "asset_receivable" and not line.reconciled
                ).reconcile()
            remitted = self.env["account.move"].browse(
                [move.id for move, _amount in shares if move.currency_id.is_zero(move.amount_residual)])
            remitted.write({"essms_recovery_stage": "remitted"})
            remission.write({"state": "done", "credit_note_ids": [Command.set(credit_notes.ids)]})
            remission.message_post(body=self.env._(
                "Accounted: credit notes %(notes)s.", notes=", ".join(credit_notes.mapped("name"))))
