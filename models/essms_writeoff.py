"""Write-off (admission en non-valeur) and extinct claims (créances éteintes), recovery-rules §7, §8, example R1.

The operator proposes: the debtor, one line per invoice with the amount written off (and the impairment booked on the
claim, reversed with it), the kind and the reason. The write-off approval rule decides who approves (by default a
finance director always does). Once approved, the board's decision (reference and date) is recorded and a finance
director posts the entry: debit 654, credit the claim's receivable account (411 or 416), reconciled with each
invoice; the impairment reversed (debit 491, credit 7817). The invoices reach the *written off* or *extinct* stage,
so no dunning run proposes them again. An admission en non-valeur is reopened for a payment received later: the claim
back on its receivable account, the revenue of the year on 7714, the invoice's history telling it. Extinct claims
never come back. The entries are built by ``engine/writeoff.py``.
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
from .essms_workflow_mixin import in_transition
from .essms_workflow_mixin import transition

CLOSING_STAGES = ("written_off", "extinct")
OPEN_STATES = ("draft", "to_approve", "approved")


class EssmsWriteoff(models.Model):
    _name = "essms.writeoff"
    _description = "Write-off"
    _inherit = ["essms.recovery.arrangement", "essms.approval.mixin", "essms.workflow.mixin", "essms.closing.mixin"]
    _workflow_fields = ("state", "account_move_id", "reopen_move_ids")
    _order = "date desc, id desc"
    _approval_decision_type = "writeoff"

    name = fields.Char(required=True, copy=False, readonly=True, default=lambda self: self.env._("New"))
    kind = fields.Selection(
        selection=[("non_valeur", "Admission en non-valeur"), ("extinction", "Extinct claim")],
        required=True, default="non_valeur", tracking=True,
        help="Admission en non-valeur: irrecoverable for now, reopened if the debtor returns to better fortune. "
             "Extinct claim (debt erasure, closure of insolvency proceedings): final.",
    )
    reason = fields.Selection(
        selection=[
            ("insolvent", "Insolvent debtor"),
            ("unknown_address", "Unknown address"),
            ("below_threshold", "Below the recovery threshold"),
            ("erased", "Debt erased"),
            ("deceased", "Deceased without estate"),
            ("other", "Other"),
        ],
        required=True, tracking=True,
    )
    reason_note = fields.Text(string="Actions taken", help="What was done to recover the claim, the documents held.")
    date = fields.Date(string="Accounting date", required=True, default=fields.Date.context_today, tracking=True)
    line_ids = fields.One2many("essms.writeoff.line", "writeoff_id", string="Claims", copy=False)
    amount = fields.Monetary(string="Amount written off", compute="_compute_amounts", store=True)
    amount_impairment = fields.Monetary(string="Impairment reversed", compute="_compute_amounts", store=True)
    amount_reopened = fields.Monetary(string="Reopened", compute="_compute_amounts", store=True)
    board_reference = fields.Char(string="Board decision", tracking=True,
                                  help="The reference of the board's (or assembly's) deliberation.")
    date_decision = fields.Date(string="Decided on", tracking=True)
    state = fields.Selection(
        selection=[
            ("draft", "Draft"),
            ("to_approve", "To approve"),
            ("approved", "Approved"),
            ("posted", "Posted"),
            ("reopened", "Reopened"),
            ("refused", "Refused"),
            ("cancelled", "Cancelled"),
        ],
        default="draft", required=True, readonly=True, copy=False, tracking=True,
    )
    account_move_id = fields.Many2one("account.move", string="Write-off entry", readonly=True, copy=False)
    reopen_move_ids = fields.Many2many(
        "account.move", "essms_writeoff_reopen_move_rel", "writeoff_id", "move_id", string="Reopening entries",
        readonly=True, copy=False,
    )
    reopen_amount = fields.Monetary(string="Amount received", copy=False,
                                    help="What the debtor paid after the write-off: the amount to reopen.")
    reopen_date = fields.Date(string="Received on", copy=False)

    @api.depends("line_ids.amount", "line_ids.impairment_amount", "line_ids.reopened_amount")
    def _compute_amounts(self):
        for writeoff in self:
            writeoff.amount = sum(writeoff.line_ids.mapped("amount"))
            writeoff.amount_impairment = sum(writeoff.line_ids.mapped("impairment_amount"))
            writeoff.amount_reopened = sum(writeoff.line_ids.mapped("reopened_amount"))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("name") or vals["name"] == self.env._("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("essms.writeoff") or self.env._("New")
        writeoffs = super().create(vals_list)
        writeoffs._sync_moves()
        return writeoffs

    def write(self, vals):
        if not in_transition() and not self.env.su and {"kind", "partner_id", "line_ids", "date"} & set(vals):
            self._check_draft()
        if not in_transition() and not self.env.su and {"board_reference", "date_decision"} & set(vals):
            recorded = self.filtered(lambda writeoff: writeoff.state not in ("draft", "to_approve", "approved"))
            if recorded:
                raise UserError(self.env._(
                    "Write-off %(name)s is posted: the board's decision it was posted under cannot be changed.",
                    name=recorded[0].name))
        result = super().write(vals)
        if "line_ids" in vals:
            self._sync_moves()
        return result

    @api.model
    def _propose(self, invoices, kind, reason, note=None, day=None, submit=True):
        """One write-off per debtor of ``invoices`` for what each still owes (e.g. the extinct claims of a closed
        insolvency or a debt erasure, issue 17), submitted under the write-off rule unless ``submit`` is false.
        Returns the write-offs."""
        by_debtor = {}
        for invoice in invoices.filtered(lambda move: move.amount_residual > 0):
            by_debtor.setdefault(invoice.commercial_partner_id, self.env["account.move"])
            by_debtor[invoice.commercial_partner_id] |= invoice
        writeoffs = self.create([{
            "partner_id": debtor.id, "kind": kind, "reason": reason, "reason_note": note or False,
            "date": day or fields.Date.context_today(self),
            "line_ids": [Command.create({"move_id": move.id, "amount": move.amount_residual}) for move in moves],
        } for debtor, moves in by_debtor.items()])
        if submit and writeoffs:
            writeoffs.action_submit()
        return writeoffs

    def _sync_moves(self):
        """The invoices of the record are those of its lines."""
        for writeoff in self:
            if writeoff.move_ids != writeoff.line_ids.move_id:
                writeoff.write({"move_ids": [Command.set(writeoff.line_ids.move_id.ids)]})

    def _check_draft(self):
        decided = self.filtered(lambda writeoff: writeoff.state != "draft")
        if decided:
            raise UserError(self.env._(
                "Write-off %(name)s is submitted: its claims and amounts can no longer be changed.",
                name=decided[0].name))

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        if self.filtered(lambda writeoff: writeoff.state not in ("draft", "cancelled")):
            raise UserError(self.env._("A write-off submitted is kept as the record of the decision."))

    def _approval_subject(self):
        self.ensure_one()
        return self.company_id, self.partner_id.commercial_partner_id.essms_payer_kind, self.amount

    # Checks ------------------------------------------------------------------------------------------------

    def _engine_lines(self):
        self.ensure_one()
        return [
            engine.WriteOffLine(line.move_id.id, line._receivable_account(), to_decimal(line.move_id.amount_residual),
                                to_decimal(line.amount), to_decimal(line.impairment_amount))
            for line in self.line_ids
        ]

    def _check_can_post(self):
        """Every claim still open, not written off elsewhere, each amount within what it owes, the date open."""
        self.ensure_one()
        if not self.line_ids:
            raise UserError(self.env._("Write-off %(name)s: choose the invoices it writes off.", name=self.name))
        for line in self.line_ids:
            move = line.move_id
            if move.essms_recovery_stage in CLOSING_STAGES:
                raise UserError(self.env._("Write-off %(name)s: invoice %(invoice)s is already written off.",
                                           name=self.name, invoice=move.name))
        others = self.env["essms.writeoff.line"].search([
            ("move_id", "in", self.line_ids.move_id.ids), ("writeoff_id", "!=", self.id),
            ("writeoff_id.state", "in", ("to_approve", "approved")),
        ], limit=1)
        if others:
            raise UserError(self.env._(
                "Write-off %(name)s: invoice %(invoice)s is already in write-off %(other)s.",
                name=self.name, invoice=others.move_id.name, other=others.writeoff_id.name))
        names = {line.move_id.id: line.move_id.name for line in self.line_ids}
        try:
            engine.writeoff_entry(self._engine_lines())
        except engine.WriteOffError as error:
            invoice = names.get(error.key, "")
            messages = {
                "closed": self.env._("Write-off %(name)s: invoice %(invoice)s is paid; there is nothing to write off.",
                                     name=self.name, invoice=invoice),
                "not_positive": self.env._("Write-off %(name)s: the amount of invoice %(invoice)s must be positive.",
                                           name=self.name, invoice=invoice),
                "above_open": self.env._(
                    "Write-off %(name)s: %(amount)s on invoice %(invoice)s is more than it still owes (%(due)s).",
                    name=self.name, invoice=invoice, amount=self._format(error.amount or ZERO),
                    due=self._format(error.limit or ZERO)),
                "impairment": self.env._(
                    "Write-off %(name)s: the impairment reversed on invoice %(invoice)s (%(amount)s) cannot be "
                    "negative or above the amount written off (%(due)s).",
                    name=self.name, invoice=invoice, amount=self._format(error.amount or ZERO),
                    due=self._format(error.limit or ZERO)),
            }
            raise UserError(messages.get(error.code, str(error))) from None
        shares = self.env["essms.impairment"]._current_shares(self.line_ids.move_id)
        for line in self.line_ids:
            share = shares.get(line.move_id.id)
            if share and line.impairment_amount > share.amount_left + 0.001:
                raise UserError(self.env._(
                    "Write-off %(name)s: the impairment reversed on invoice %(invoice)s (%(amount)s) is more than "
                    "its share of %(impairment)s not reversed yet (%(left)s).",
                    name=self.name, invoice=line.move_id.name, amount=self._format(line.impairment_amount),
                    impairment=share.impairment_id.name, left=self._format(share.amount_left)))
        self._check_date(self.date)

    def _check_date(self, day):
        self.ensure_one()
        journal = self._journal()
        violated = self.company_id._get_violated_lock_dates(day, False, journal)
        if violated:
            raise UserError(self.env._(
                "Write-off %(name)s: the period of %(date)s is locked (lock date %(lock)s); choose a date after it.",
                name=self.name, date=format_date(self.env, day), lock=format_date(self.env, violated[-1][0])))

    def _check_board(self):
        self.ensure_one()
        required = not self.approval_rule_id or self.approval_rule_id.board_decision_required
        if required and not (self.board_reference and self.date_decision):
            raise UserError(self.env._(
                "Write-off %(name)s: record the board's decision (its reference and date) before posting the entry.",
                name=self.name))
        if self.date_decision and self.date_decision > fields.Date.context_today(self):
            raise UserError(self.env._("Write-off %(name)s: the board's decision cannot be dated in the future.",
                                       name=self.name))

    def _journal(self):
        Journal = self.env["account.journal"].sudo()
        journal = Journal.search(
            [*Journal._check_company_domain(self.company_id), ("type", "=", "general")], order="sequence, id", limit=1)
        if not journal:
            raise UserError(self.env._("Company %(company)s has no miscellaneous journal to post write-offs in.",
                                       company=self.company_id.name))
        return journal

    def _account(self, role):
        """The account of ``role`` in the company's chart, by its French code; missing: a configuration error."""
        self.ensure_one()
        return self._closing_account(role, self.company_id, self.env._("post write-offs"))

    # Transitions -------------------------------------------------------------------------------------------

    @transition
    def action_submit(self):
        """The operator submits the proposal: approved at once within the rules' autonomy, else sent for approval."""
        for writeoff in self:
            if writeoff.state != "draft":
                raise UserError(self.env._("Write-off %(name)s was already submitted.", name=writeoff.name))
            writeoff._check_can_post()
        by_mode = self._approval_propose()
        waiting = by_mode.get("approval_required", self.browse())
        waiting.write({"state": "to_approve"})
        for writeoff in waiting:
            writeoff._approval_ask(
                self.env._("Write-off to approve: %(name)s", name=writeoff.name),
                self.env._("%(debtor)s: %(amount)s, proposed by %(user)s.", debtor=writeoff.partner_id.display_name,
                           amount=writeoff._format(writeoff.amount), user=self.env.user.name),
            )
        (self - waiting).write({"state": "approved"})
        for writeoff in by_mode.get("autonomous_notify", self.browse()):
            writeoff._approval_tell(self.env._(
                "Write-off %(name)s proposed by %(user)s: %(debtor)s, %(amount)s.", name=writeoff.name,
                user=self.env.user.name, debtor=writeoff.partner_id.display_name,
                amount=writeoff._format(writeoff.amount)))
        return True

    @transition
    def _approval_approved(self):
        self.write({"state": "approved"})

    @transition
    def _approval_refused(self):
        self.write({"state": "refused"})
        for writeoff in self:
            writeoff._notify_operator(
                self.env._("Write-off refused: %(name)s", name=writeoff.name),
                self.env._("Refused by %(user)s. %(note)s", user=self.env.user.name,
                           note=writeoff.approval_note or ""),
            )

    @transition
    def action_cancel(self):
        if self.filtered(lambda writeoff: writeoff.state not in OPEN_STATES):
            raise UserError(self.env._("Only a write-off not posted yet can be cancelled."))
        self.write({"state": "cancelled"})
        self.activity_unlink(["essms_billing.mail_activity_type_essms_approval"])

    @transition
    def action_post(self):
        """The finance director posts the entry decided by the board, reconciled with the invoices."""
        self._check_manager(self.env._("Only a finance director can post or reopen a write-off."))
        for writeoff in self:
            if writeoff.state != "approved":
                raise UserError(self.env._("Write-off %(name)s is not approved: it cannot be posted.",
                                           name=writeoff.name))
            if writeoff._approval_needed():
                raise UserError(self.env._("Write-off %(name)s waits for a finance director's approval.",
                                           name=writeoff.name))
            writeoff._check_board()
            writeoff._check_can_post()
            writeoff._post_entry()
        return True

    def _post_entry(self):
        self.ensure_one()
        entry = engine.writeoff_entry(self._engine_lines())
        lines_by_move = {line.move_id.id: line for line in self.line_ids}
        partial_doubtful = self._partial_doubtful_lines()
        for line in partial_doubtful:
            entry += engine.doubtful_partial_rows(line.move_id.id, line._invoice_receivable_account(),
                                                  to_decimal(line.amount))
        label = self.env._("Write-off %(name)s (%(kind)s)", name=self.name,
                           kind=dict(self._fields["kind"]._description_selection(self.env))[self.kind])
        partner = self.partner_id.commercial_partner_id
        move_lines = []
        for row in entry:
            if row.role in (engine.RECEIVABLE, engine.DOUBTFUL_INVOICE, engine.DOUBTFUL_RECLASSIFICATION):
                account = row.account
                name = self.env._("Write-off of invoice %(invoice)s", invoice=lines_by_move[row.key].move_id.name)
            else:
                account = self._account(row.role).id
                name = label
            move_lines.append(Command.create({
                "name": name, "account_id": account, "partner_id": partner.id,
                "debit": float(row.debit), "credit": float(row.credit),
            }))
        move = self.env["account.move"].sudo().create({
            "move_type": "entry", "journal_id": self._journal().id, "company_id": self.company_id.id,
            "date": self.date, "ref": self._entry_ref(), "line_ids": move_lines,
        })
        move.action_post()
        # The entry's lines in the order of the engine's rows (no tax: one line per row).
        items = dict(zip(entry, move.line_ids.sorted("id"), strict=True))
        for line in partial_doubtful:
            key, reclassified = line.move_id.id, line.move_id.sudo().essms_doubtful_line_id
            rows = {row.role: items[row] for row in entry if row.key == key}
            (reclassified.doubtful_item_id | rows[engine.RECEIVABLE]).reconcile()
            (line.move_id.sudo().line_ids.filtered(
                lambda aml: aml.account_type == "asset_receivable" and not aml.reconciled
            ) | rows[engine.DOUBTFUL_INVOICE]).reconcile()
            (reclassified.receivable_item_id | rows[engine.DOUBTFUL_RECLASSIFICATION]).reconcile()
        # One credit line per claim, in the order of the engine's rows.
        for row, credit in items.items():
            if row.role != engine.RECEIVABLE or lines_by_move[row.key] in partial_doubtful:
                continue
            key = row.key
            invoice = lines_by_move[key].move_id.sudo()
            reclassified = invoice.essms_doubtful_line_id
            if reclassified:
                # A doubtful receivable: 416 is settled against the reclassification's item on 416, and the invoice
                # against its item on 411, so nothing is left open on either account.
                (reclassified.doubtful_item_id | credit).reconcile()
                (invoice.line_ids.filtered(
                    lambda aml: aml.account_type == "asset_receivable" and not aml.reconciled
                ) | reclassified.receivable_item_id).reconcile()
                continue
            (invoice.line_ids.filtered(
                lambda aml, credit=credit: aml.account_id == credit.account_id and not aml.reconciled
            ) | credit).reconcile()
        # The impairment in force no longer holds what this entry reversed.
        shares = self.env["essms.impairment"]._current_shares(self.line_ids.move_id)
        for line in self.line_ids.filtered("impairment_amount"):
            share = shares.get(line.move_id.id)
            if share:
                share.released_amount += min(line.impairment_amount, share.amount_left)
        stage = "written_off" if self.kind == "non_valeur" else "extinct"
        self.line_ids.move_id.sudo().write({"essms_recovery_stage": stage})
        self.write({"state": "posted", "account_move_id": move.id})
        for invoice in self.line_ids.move_id:
            invoice.message_post(body=self.env._(
                "Written off by %(writeoff)s (board decision %(board)s), entry %(entry)s.", writeoff=self.name,
                board=self.board_reference or "—", entry=move.name))
        self.message_post(body=self.env._("Posted: entry %(entry)s.", entry=move.name))

    def _partial_doubtful_lines(self):
        """The lines writing off a doubtful claim (on 416) in part: the rest stays doubtful."""
        return self.line_ids.filtered(
            lambda line: line.move_id.sudo().essms_doubtful_line_id
            and line.move_id.currency_id.compare_amounts(line.amount, line.move_id.amount_residual) < 0)

    def _entry_ref(self):
        if self.board_reference:
            return self.env._("%(name)s – board decision %(board)s of %(date)s", name=self.name,
                              board=self.board_reference, date=format_date(self.env, self.date_decision))
        return self.name

    @transition
    def action_reopen(self):
        """A payment came in after an admission en non-valeur: reopen that amount, revenue of the year (7714).
        Spread over the claims oldest first; each reopening entry leaves the amount open on the claim's receivable
        account, where the payment is matched."""
        self._check_manager(self.env._("Only a finance director can post or reopen a write-off."))
        for writeoff in self:
            if writeoff.kind != "non_valeur":
                raise UserError(self.env._("Write-off %(name)s is an extinct claim: it is never reopened.",
                                           name=writeoff.name))
            if writeoff.state not in ("posted", "reopened"):
                raise UserError(self.env._("Write-off %(name)s is not posted: there is nothing to reopen.",
                                           name=writeoff.name))
            day = writeoff.reopen_date or fields.Date.context_today(self)
            left = cents(to_decimal(writeoff.reopen_amount))
            if left <= ZERO:
                raise UserError(self.env._("Write-off %(name)s: enter the amount received to reopen.",
                                           name=writeoff.name))
            open_total = cents(sum(to_decimal(line.amount - line.reopened_amount) for line in writeoff.line_ids))
            if left > open_total:
                raise UserError(self.env._(
                    "Write-off %(name)s: %(amount)s is more than what is written off and not reopened yet (%(left)s).",
                    name=writeoff.name, amount=writeoff._format(left), left=writeoff._format(open_total)))
            writeoff._check_date(day)
            recovered = writeoff._account(engine.RECOVERED)
            moves = self.env["account.move"]
            for line in writeoff.line_ids.sorted(lambda line: (line.move_id.invoice_date_due or line.move_id.date,
                                                               line.id)):
                share = min(left, cents(to_decimal(line.amount - line.reopened_amount)))
                if share <= ZERO:
                    continue
                rows = engine.reopen_entry(line.move_id.id, line._reopen_account(), share,
                                           to_decimal(line.amount), to_decimal(line.reopened_amount))
                moves |= writeoff._post_reopening(line, rows, recovered, day)
                line.reopened_amount += float(share)
                left -= share
            writeoff.write({"state": "reopened", "reopen_move_ids": [Command.link(move.id) for move in moves],
                            "reopen_amount": 0, "reopen_date": False})
        return True

    def _post_reopening(self, line, rows, recovered, day):
        invoice = line.move_id
        partner = self.partner_id.commercial_partner_id
        name = self.env._("Reopening of %(writeoff)s for invoice %(invoice)s (received later)",
                          writeoff=self.name, invoice=invoice.name)
        move = self.env["account.move"].sudo().create({
            "move_type": "entry", "journal_id": self._journal().id, "company_id": self.company_id.id,
            "date": day, "ref": name,
            "line_ids": [Command.create({
                "name": name, "partner_id": partner.id,
                "account_id": row.account if row.role == engine.RECEIVABLE else recovered.id,
                "debit": float(row.debit), "credit": float(row.credit),
            }) for row in rows],
        })
        move.action_post()
        self._match_received(move, rows)
        invoice.message_post(body=self.env._(
            "Write-off %(writeoff)s reopened for %(amount)s received later (entry %(entry)s, revenue of the year).",
            writeoff=self.name, amount=self._format(rows[0].debit), entry=move.name))
        self.message_post(body=self.env._("Reopened for %(amount)s on invoice %(invoice)s: entry %(entry)s.",
                                          amount=self._format(rows[0].debit), invoice=invoice.name, entry=move.name))
        return move

    def _match_received(self, move, rows):
        """Match the claim put back on its receivable account with the debtor's payments received since the
        write-off and not matched yet on that account, oldest first (the money that made it reopen); what they hold
        beyond the reopened amount stays open."""
        account = rows[0].account
        item = move.line_ids.filtered(lambda aml: aml.account_id.id == account and aml.debit > 0)
        received = self.env["account.move.line"].sudo().search([
            ("company_id", "=", self.company_id.id), ("account_id", "=", account),
            ("partner_id", "=", self.partner_id.commercial_partner_id.id), ("parent_state", "=", "posted"),
            ("reconciled", "=", False), ("credit", ">", 0), ("id", "not in", move.line_ids.ids),
            ("date", ">=", self.date),
            "|", ("payment_id", "!=", False), ("statement_line_id", "!=", False),
        ], order="date, id")
        if item and received:
            (item | received).reconcile()

    def action_view_entries(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Entries"),
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [("id", "in", (self.account_move_id | self.reopen_move_ids).ids)],
        }

    def _actions_taken(self):
        """What was done to recover the claims, oldest first, as the board list prints it: the letters sent (their
        level), the payment plans (signed, broken), the holds (reason, dates); each ``{"date", "label"}``."""
        self.ensure_one()
        invoices = self.line_ids.move_id
        actions = []
        letters = invoices.essms_dunning_line_ids.letter_id.filtered(lambda letter: letter.state == "sent")
        for letter in letters:
            day = letter.sent_date.date() if letter.sent_date else letter.date
            actions.append((day, self.env._("%(level)s sent", level=letter.level_id.name or self.env._("Letter"))))
        for plan in invoices.essms_payment_plan_ids.filtered("date_signed"):
            actions.append((plan.date_signed, self.env._("Payment plan %(plan)s signed", plan=plan.name)))
            if plan.state == "broken":
                actions.append((plan.date_end or plan.date_signed,
                                self.env._("Payment plan %(plan)s broken (instalment missed)", plan=plan.name)))
        holds = self.env["essms.recovery.hold"].search([
            "|", "|", ("move_id", "in", invoices.ids), ("partner_id", "=", self.partner_id.commercial_partner_id.id),
            ("beneficiary_id", "in", invoices.essms_beneficiary_id.ids)])
        reasons = dict(holds._fields["reason"]._description_selection(self.env))
        for hold in holds:
            actions.append((hold.date_start, self.env._("On hold: %(reason)s", reason=reasons.get(hold.reason, ""))))
        return [{"date": day, "label": label} for day, label in sorted(actions, key=lambda action: action[0])]


class EssmsWriteoffLine(models.Model):
    _name = "essms.writeoff.line"
    _description = "Claim written off"
    _check_company_auto = True

    writeoff_id = fields.Many2one(
        "essms.writeoff", string="Write-off", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="writeoff_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="writeoff_id.currency_id")
    move_id = fields.Many2one(
        "account.move", string="Invoice", required=True, check_company=True, index=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'), ('amount_residual', '>', 0), "
               "('essms_recovery_stage', 'not in', ('written_off', 'extinct'))]",
    )
    invoice_date_due = fields.Date(related="move_id.invoice_date_due", string="Due date")
    payer_kind = fields.Selection(related="move_id.commercial_partner_id.essms_payer_kind", store=True,
                                  string="Payer kind")
    amount_open = fields.Monetary(related="move_id.amount_residual", string="Open amount")
    amount = fields.Monetary(string="Written off", required=True)
    impairment_amount = fields.Monetary(
        string="Impairment to reverse", compute="_compute_impairment_amount", store=True, readonly=False,
        help="The impairment (491) booked on this claim: reversed on 7817. By default its share of the year-end "
             "impairment in force not reversed yet.")
    reopened_amount = fields.Monetary(string="Reopened", readonly=True, copy=False)

    _sql_constraints = [
        ("move_unique", "unique(writeoff_id, move_id)", "An invoice appears once in a write-off."),
    ]

    @api.constrains("move_id")
    def _check_debtor(self):
        for line in self:
            if line.move_id.commercial_partner_id != line.writeoff_id.partner_id.commercial_partner_id:
                raise ValidationError(self.env._(
                    "Write-off %(name)s: invoice %(invoice)s is made out to %(payer)s, not to the debtor %(debtor)s.",
                    name=line.writeoff_id.name, invoice=line.move_id.name,
                    payer=line.move_id.commercial_partner_id.display_name,
                    debtor=line.writeoff_id.partner_id.display_name))

    @api.depends("move_id")
    def _compute_impairment_amount(self):
        shares = self.env["essms.impairment"]._current_shares(self.move_id)
        for line in self:
            share = shares.get(line.move_id.id)
            line.impairment_amount = min(share.amount_left, line.amount or share.amount_left) if share else 0.0

    @api.onchange("move_id")
    def _onchange_move_id(self):
        """An invoice chosen is written off for what it still owes."""
        if self.move_id and not self.amount:
            self.amount = self.move_id.amount_residual

    def _receivable_account(self):
        """The receivable account the claim stands on (411, or 416 once reclassified)."""
        self.ensure_one()
        if self.move_id.essms_doubtful_line_id:
            return self.move_id.essms_doubtful_line_id.doubtful_item_id.account_id.id
        receivable = self.move_id.line_ids.filtered(lambda aml: aml.account_type == "asset_receivable")
        open_lines = receivable.filtered(lambda aml: not aml.reconciled) or receivable
        return open_lines[:1].account_id.id

    def _invoice_receivable_account(self):
        """The invoice's own receivable account (411), even when the claim stands on 416."""
        self.ensure_one()
        receivable = self.move_id.sudo().line_ids.filtered(lambda aml: aml.account_type == "asset_receivable")
        return receivable[:1].account_id.id

    def _reopen_account(self):
        """Where a reopened claim goes back: its receivable account, but for a claim reclassified as doubtful, whose
        reclassification the write-off settled, the invoice's own (411), where the payment received is."""
        self.ensure_one()
        if self.move_id.sudo().essms_doubtful_line_id:
            return self._invoice_receivable_account()
        return self._receivable_account()

    @api.model_create_multi
    def create(self, vals_list):
        if not in_transition() and not self.env.su:
            self.env["essms.writeoff"].browse(
                [vals["writeoff_id"] for vals in vals_list if vals.get("writeoff_id")])._check_draft()
        return super().create(vals_list)

    def write(self, vals):
        if not in_transition() and not self.env.su:
            if "reopened_amount" in vals:
                raise AccessError(self.env._("The amount reopened is written by the reopening only."))
            self.writeoff_id._check_draft()
        return super().write(vals)

    def unlink(self):
        if not in_transition() and not self.env.su:
            self.writeoff_id._check_draft()
        return super().unlink()
