import base64
import hashlib
from decimal import Decimal

import psycopg2

from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools import float_compare
from odoo.tools import format_date
from odoo.tools import format_datetime
from odoo.tools import formatLang

from ..engine.money import to_decimal
from ..engine.remittance import AdviceLine
from ..engine.remittance import Invoice
from ..engine.remittance import lines_digest
from ..engine.remittance import match_advice
from ..engine.remittance import normalize_ref
from ..engine.remittance import parse_advice
from ..engine.remittance import transfer_key
from .essms_workflow_mixin import transition

STATUSES = [
    ("matched", "Matched"),
    ("partial", "Partially paid"),
    ("overpaid", "Overpaid"),
    ("already_paid", "Already paid"),
    ("unknown", "Unknown"),
    ("error", "Error"),
]
METHODS = [
    ("invoice_number", "Invoice number"),
    ("beneficiary_period_amount", "Beneficiary, period and amount"),
    ("beneficiary_period", "Beneficiary and period"),
    ("amount", "Amount"),
    ("manual", "By hand"),
]
# How far the bank statement line of the transfer may be from the advice's date.
# One transfer is posted once: two posted advices of a company cannot have the same transfer, unless the operator
# said why (the payer really paid the same thing twice).
TRANSFER_INDEX = "essms_remittance_transfer_posted_once"


class EssmsRemittance(models.Model):
    """A payment advice: the detail of one transfer of a payer, matched to its invoices, then paid in one payment."""

    _name = "essms.remittance"
    _description = "Payment advice"
    _inherit = ["mail.thread", "mail.activity.mixin", "essms.workflow.mixin"]
    _workflow_fields = ("state", "payment_id")
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(default="/", readonly=True, copy=False, required=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True, readonly=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner", string="Payer", required=True, index=True, check_company=True, tracking=True
    )
    date = fields.Date(
        string="Transfer date", required=True, default=fields.Date.context_today, tracking=True
    )
    journal_id = fields.Many2one(
        "account.journal",
        string="Bank journal",
        required=True,
        check_company=True,
        domain="[('type', '=', 'bank')]",
        default=lambda self: self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", self.env.company.id)], limit=1
        ),
        tracking=True,
    )
    file = fields.Binary(string="Advice file", attachment=True, copy=False)
    filename = fields.Char(copy=False)
    file_hash = fields.Char(readonly=True, copy=False, index=True)
    lines_digest = fields.Char(
        readonly=True, copy=False, help="The lines of the file as the payer wrote them, whatever the file's bytes."
    )
    transfer_key = fields.Char(
        compute="_compute_transfer_key",
        store=True,
        copy=False,
        index=True,
        help="The payer, the date and the lines of the file: the same transfer has the same key.",
    )
    duplicate_of_id = fields.Many2one(
        "essms.remittance",
        string="Same transfer as",
        readonly=True,
        copy=False,
        check_company=True,
        help="An earlier advice of the same transfer (same payer, date, amount and lines): this one cannot be "
        "posted unless you say why the payer paid it twice.",
    )
    duplicate_reason = fields.Text(
        string="Why record it again",
        copy=False,
        help="The payer really paid this transfer twice: say why (kept on the advice's history).",
    )
    posted_by_id = fields.Many2one("res.users", string="Posted by", readonly=True, copy=False)
    posted_at = fields.Datetime(string="Posted on", readonly=True, copy=False)
    encoding = fields.Selection(
        selection=[
            ("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8 with BOM (Excel)"), ("utf-16", "UTF-16 (Excel Unicode text)"),
            ("cp1252", "Windows (ANSI, Windows-1252)"), ("mac_roman", "Mac (Mac-Roman)"), ("cp437", "DOS (CP437)"),
            ("latin-1", "Latin-1 (accents to check)"),
            ("xlsx", "Excel workbook (XLSX)"), ("xls", "Excel 97-2003 workbook (XLS)"),
        ],
        string="Read as", readonly=True, copy=False,
    )
    layout_id = fields.Many2one(
        "essms.remittance.layout",
        string="Layout",
        compute="_compute_layout_id",
        store=True,
        readonly=False,
        help="Which columns of the file hold the invoice, the beneficiary, the period and the amount.",
    )
    state = fields.Selection(
        selection=[("draft", "Draft"), ("checked", "Checked"), ("posted", "Posted"), ("cancel", "Cancelled")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
    )
    line_ids = fields.One2many("essms.remittance.line", "remittance_id", string="Lines", copy=False)
    import_notes = fields.Text(readonly=True, copy=False, help="What the file itself has wrong, row by row.")
    file_error = fields.Boolean(readonly=True, copy=False, help="The file cannot be imported as it is.")
    amount_total = fields.Monetary(compute="_compute_amounts", store=True, string="Transfer amount")
    amount_allocated = fields.Monetary(compute="_compute_amounts", store=True, string="Paying invoices")
    amount_excess = fields.Monetary(
        compute="_compute_amounts",
        store=True,
        string="Payer's credit",
        help="Paid beyond the invoices: it stays on the payer's account as a credit, which Odoo offers on "
        "their next invoices (outstanding credits).",
    )
    amount_suspense = fields.Monetary(
        compute="_compute_amounts", store=True, string="Unmatched", help="Lines whose invoice is not known yet."
    )
    blocking_count = fields.Integer(compute="_compute_counts", string="Errors")
    unknown_count = fields.Integer(compute="_compute_counts", string="Unknown lines")
    payment_id = fields.Many2one("account.payment", string="Payment", readonly=True, copy=False, check_company=True)
    statement_line_id = fields.Many2one(
        "account.bank.statement.line",
        string="Bank statement line",
        copy=False,
        check_company=True,
        help="The transfer on the bank statement: posting the advice also reconciles it.",
    )
    amount_credit_left = fields.Monetary(
        compute="_compute_amount_credit_left",
        string="Credit left",
        help="What the advice's payment still holds beyond its unmatched lines: it can be allocated to other "
        "invoices of the payer or refunded to them.",
    )
    bank_receipt_line_id = fields.Many2one(
        "account.move.line",
        string="Bank receipt",
        readonly=True,
        copy=False,
        check_company=True,
        help="When a posting was cancelled in a locked period: the transfer's line, still on the bank statement, "
        "that the next posting of the advice reconciles.",
    )
    refund_payment_ids = fields.Many2many(
        "account.payment",
        "essms_remittance_refund_payment_rel",
        "remittance_id",
        "payment_id",
        string="Refunds",
        readonly=True,
        copy=False,
        help="The payments that refunded the advice's excess to the payer.",
    )

    @api.depends("partner_id")
    def _compute_layout_id(self):
        for remittance in self:
            remittance.layout_id = self.env["essms.remittance.layout"]._for_payer(
                remittance.partner_id, remittance.company_id or self.env.company
            )

    @api.depends("partner_id", "date", "lines_digest")
    def _compute_transfer_key(self):
        for remittance in self:
            remittance.transfer_key = remittance.lines_digest and transfer_key(
                remittance.partner_id.commercial_partner_id.id, remittance.date, remittance.lines_digest
            )

    @api.depends("line_ids.amount", "line_ids.amount_allocated", "line_ids.amount_excess", "line_ids.status")
    def _compute_amounts(self):
        for remittance in self:
            lines = remittance.line_ids
            remittance.amount_total = sum(lines.mapped("amount"))
            remittance.amount_allocated = sum(lines.mapped("amount_allocated"))
            unknown = lines.filtered(lambda line: line.status == "unknown")
            remittance.amount_excess = sum((lines - unknown).mapped("amount_excess"))
            remittance.amount_suspense = sum(unknown.mapped("amount"))

    @api.depends("line_ids.blocking", "line_ids.status", "file_error", "duplicate_of_id", "duplicate_reason")
    def _compute_counts(self):
        for remittance in self:
            remittance.blocking_count = (
                len(remittance.line_ids.filtered("blocking"))
                + int(remittance.file_error)
                + int(remittance._duplicate_blocks())
            )
            remittance.unknown_count = len(remittance.line_ids.filtered(lambda line: line.status == "unknown"))

    @api.depends("payment_id.move_id.line_ids.amount_residual", "state", "line_ids.in_suspense", "line_ids.amount")
    def _compute_amount_credit_left(self):
        for remittance in self:
            remittance.amount_credit_left = remittance._excess_available() if remittance.state == "posted" else 0.0

    def init(self):
        res = super().init()
        self.env.cr.execute(
            SQL(
                """
                CREATE UNIQUE INDEX IF NOT EXISTS %s ON essms_remittance (company_id, transfer_key)
                 WHERE state = 'posted' AND transfer_key IS NOT NULL AND COALESCE(duplicate_reason, '') = ''
                """,
                SQL.identifier(TRANSFER_INDEX),
            )
        )
        return res

    def write(self, vals):
        res = super().write(vals)
        if "duplicate_reason" in vals:
            for remittance in self.filtered(lambda remittance: (remittance.duplicate_reason or "").strip()):
                remittance.message_post(
                    body=self.env._(
                        "Recorded although the same transfer was recorded by %(name)s. Reason: %(reason)s",
                        name=remittance.duplicate_of_id.name or "—",
                        reason=remittance.duplicate_reason,
                    )
                )
            self._update_state()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_posted(self):
        if any(remittance.state == "posted" for remittance in self):
            raise UserError(self.env._("A posted payment advice cannot be deleted."))

    # Actions ---------------------------------------------------------------------------------------------

    def action_import(self):
        """Read the file into lines and match them; a clean result is ready to post."""
        for remittance in self:
            if remittance.state not in ("draft", "checked"):
                raise UserError(self.env._("Only a draft payment advice can be imported again."))
            if not remittance.file:
                raise UserError(self.env._("Upload the payer's advice file first."))
            content = base64.b64decode(remittance.file)
            remittance.file_hash = hashlib.sha256(content).hexdigest()
            remittance._import_content(content)
        return True

    def action_check(self):
        """Match the lines again (after a correction by hand, or new invoices)."""
        self._match()
        return True

    def action_post(self):
        """One payment for the transfer, reconciled with every matched invoice, all or nothing."""
        self._lock_for_posting()
        for remittance in self:
            remittance._check_postable()
        # All or nothing: a failure in the middle leaves no payment nor partial reconciliation behind.
        try:
            with self.env.cr.savepoint():
                for remittance in self:
                    remittance._post()
        except psycopg2.errors.UniqueViolation as error:
            if error.diag.constraint_name != TRANSFER_INDEX:
                raise
            # Another user posted the same transfer from another advice since this one was read: the database
            # refused the second posting; name the first one, as committed (this transaction cannot see it).
            raise UserError(self._transfer_posted_elsewhere_message()) from None
        return True

    def _lock_for_posting(self):
        """Two users posting one advice at once: the second is refused at once, not after a second payment. (When
        the first has committed since this transaction began, PostgreSQL's serialization failure lets Odoo retry
        the request, which then finds the advice posted.)"""
        if not self:
            return
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL("SELECT id FROM essms_remittance WHERE id IN %s FOR UPDATE NOWAIT", tuple(self.ids))
                )
        except psycopg2.errors.LockNotAvailable:
            raise UserError(
                self.env._(
                    "The payment advice %(name)s is being posted by another user right now: reload it in a moment.",
                    name=", ".join(self.mapped("name")),
                )
            ) from None

    def _transfer_posted_elsewhere_message(self):
        with self.env.registry.cursor() as cr:
            cr.execute(
                SQL(
                    """
                    SELECT r.id, r.name, r.posted_at, p.name
                      FROM essms_remittance r
                      LEFT JOIN res_users u ON u.id = r.posted_by_id
                      LEFT JOIN res_partner p ON p.id = u.partner_id
                     WHERE r.company_id = %s AND r.transfer_key IN %s AND r.state = 'posted'
                       AND COALESCE(r.duplicate_reason, '') = ''
                     LIMIT 1
                    """,
                    self.company_id[:1].id,
                    tuple(self.mapped("transfer_key")),
                )
            )
            row = cr.fetchone()
        name, posted_at, user = (row[1], row[2], row[3]) if row else ("?", None, "?")
        return self.env._(
            "This transfer was posted a moment ago by %(user)s with the payment advice %(name)s (%(when)s): it is "
            "not posted twice. If the payer really paid it twice, say why in “Why record it again”.",
            user=user or "?",
            name=name,
            when=format_datetime(self.env, posted_at) if posted_at else "",
        )

    @transition
    def action_cancel(self):
        if any(remittance.state == "posted" for remittance in self):
            raise UserError(
                self.env._(
                    "A posted payment advice is cancelled with “Cancel the posting”, by the finance director."
                )
            )
        self.state = "cancel"
        return True

    @transition
    def action_reset_to_draft(self):
        self.filtered(lambda remittance: remittance.state == "cancel").state = "draft"
        return True

    def action_open_excess_allocate(self):
        """Pay other open invoices of the payer with the advice's excess."""
        return self._open_excess("allocate")

    def action_open_excess_refund(self):
        """Refund the advice's excess to the payer."""
        return self._open_excess("refund")

    def _open_excess(self, mode):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Payer's excess"),
            "res_model": "essms.remittance.excess",
            "view_mode": "form",
            "target": "new",
            "context": {"default_remittance_id": self.id, "default_mode": mode},
        }

    def action_open_cancel_posting(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Cancel the posting"),
            "res_model": "essms.remittance.cancel",
            "view_mode": "form",
            "target": "new",
            "context": {"default_remittance_id": self.id},
        }

    def action_open_payment(self):
        self.ensure_one()
        return self.payment_id._get_records_action()

    # Import ----------------------------------------------------------------------------------------------

    def _import_content(self, content):
        self.ensure_one()
        parsed = parse_advice(content, self.layout_id._engine_layout())
        rows = {line.row for line in parsed.lines}
        issues_by_row = {}
        notes = []
        for issue in parsed.issues:
            if issue.row in rows:
                issues_by_row.setdefault(issue.row, []).append(issue)
            else:
                notes.append(issue)
        blocked_rows = {row for row, issues in issues_by_row.items() if any(issue.blocking for issue in issues)}
        matches = self._match_lines(parsed.lines, blocked_rows)
        vals_list = []
        for line, match in zip(parsed.lines, matches, strict=True):
            messages = [self._render(issue.message) for issue in issues_by_row.get(line.row, [])]
            vals = {
                "remittance_id": self.id,
                "row": line.row,
                "invoice_ref": line.invoice_ref,
                "beneficiary_name": line.beneficiary,
                "file_number": line.file_number,
                "period": line.period,
                "amount": float(line.amount),
                "parse_message": "\n".join(messages) or False,
                "blocking": line.row in blocked_rows,
            }
            vals.update(self._match_vals(match))
            vals_list.append(vals)
        self.line_ids.unlink()
        self.env["essms.remittance.line"].create(vals_list)
        if self.name == "/":
            self.name = self.env["ir.sequence"].next_by_code("essms.remittance") or "/"
        self.write(
            {
                # How the file was read, in words; a way the engine learns later is not worth a failed import.
                "encoding": parsed.encoding if parsed.encoding in dict(self._fields["encoding"].selection) else False,
                "file_error": any(issue.blocking for issue in notes),
                "import_notes": "\n".join(self._render(issue.message) for issue in notes) or False,
                "lines_digest": lines_digest(parsed.lines) if parsed.lines else False,
            }
        )
        self._find_same_transfer()
        self._find_statement_line()
        self._update_state()
        self.message_post(
            body=self.env._(
                "%(count)s lines imported from %(file)s: %(amount)s.",
                count=len(vals_list),
                file=self.filename or "",
                amount=formatLang(self.env, self.amount_total, currency_obj=self.currency_id),
            )
        )

    def _same_transfer(self):
        """The advice that recorded this transfer before: a posted one, or an earlier one still open."""
        self.ensure_one()
        if not self.transfer_key:
            return self.browse()
        others = self.search(
            [
                ("transfer_key", "=", self.transfer_key),
                ("company_id", "=", self.company_id.id),
                ("state", "!=", "cancel"),
                ("id", "!=", self.id),
            ],
            order="id",
        )
        posted = others.filtered(lambda other: other.state == "posted")
        return (posted or others.filtered(lambda other: other.id < (self.id or 0)))[:1]

    def _find_same_transfer(self):
        for remittance in self.filtered(lambda remittance: remittance.state in ("draft", "checked")):
            remittance.duplicate_of_id = remittance._same_transfer()

    def _duplicate_blocks(self):
        self.ensure_one()
        return bool(self.duplicate_of_id) and not (self.duplicate_reason or "").strip()

    def _duplicate_message(self):
        earlier = self.duplicate_of_id
        return self.env._(
            "This transfer (%(payer)s, %(date)s, %(amount)s, the same lines) was already recorded by the payment "
            "advice %(name)s (%(state)s): it is not recorded twice. If the payer really paid it twice, say why in "
            "“Why record it again”.",
            payer=earlier.partner_id.display_name,
            date=format_date(self.env, earlier.date),
            amount=formatLang(self.env, earlier.amount_total, currency_obj=earlier.currency_id),
            name=earlier.name,
            state=dict(earlier._fields["state"]._description_selection(self.env)).get(earlier.state),
        )

    def _render(self, message):
        """An engine ``Message`` in the user's language, amounts in the advice's currency (one renderer for every
        engine message: ``essms.billing.input._render``)."""
        return self.env["essms.billing.input"]._render(message, self.currency_id)

    # Matching --------------------------------------------------------------------------------------------

    def _invoices_for(self, references=(), move_ids=()):
        """The payer's posted customer invoices the advice may pay: the open ones, and the paid ones it names."""
        self.ensure_one()
        domain = [
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("company_id", "=", self.company_id.id),
            "|",
            "|",
            ("id", "in", list(move_ids)),
            "&",
            ("commercial_partner_id", "=", self.partner_id.commercial_partner_id.id),
            "|",
            ("payment_state", "in", ("not_paid", "partial")),
            ("name", "in", list(references)),
            "&",
            ("commercial_partner_id", "=", self.partner_id.commercial_partner_id.id),
            ("payment_reference", "in", list(references)),
        ]
        moves = self.env["account.move"].search_fetch(
            domain,
            ["name", "payment_reference", "amount_residual", "essms_beneficiary_id", "essms_period_start"],
        )
        moves.essms_beneficiary_id.fetch(["name", "file_number"])
        return [
            Invoice(
                id=move.id,
                number=move.name,
                residual=to_decimal(move.currency_id.round(move.amount_residual)).quantize(Decimal("0.01")),
                beneficiary=move.essms_beneficiary_id.name or "",
                file_number=move.essms_beneficiary_id.file_number or "",
                period=move.essms_period_start or None,
                reference=move.payment_reference or "",
            )
            for move in moves
        ]

    def _match_lines(self, advice_lines, blocked_rows, manual=None):
        references = {line.invoice_ref.strip() for line in advice_lines if line.invoice_ref}
        references |= {normalize_ref(reference) for reference in references}
        invoices = self._invoices_for(references, (manual or {}).values())
        return match_advice(advice_lines, invoices, manual=manual, blocked_rows=blocked_rows)

    @api.model
    def _match_vals(self, match):
        return {
            "move_id": match.invoice_id or False,
            "match_method": match.method or False,
            "status": match.status,
            "amount_allocated": float(match.allocated),
            "amount_excess": float(match.excess),
            "match_message": self._render(match.message) if match.message else False,
        }

    def _match(self):
        """Match the lines again, the operator's choices first; write only what changed."""
        for remittance in self.filtered(lambda remittance: remittance.state in ("draft", "checked")):
            lines = remittance.line_ids
            advice_lines = [
                AdviceLine(
                    row=line.row,
                    amount=to_decimal(line.currency_id.round(line.amount)).quantize(Decimal("0.01")),
                    invoice_ref=line.invoice_ref or "",
                    beneficiary=line.beneficiary_name or "",
                    file_number=line.file_number or "",
                    period=line.period or None,
                )
                for line in lines
            ]
            manual = {line.row: line.move_id.id for line in lines if line.match_method == "manual" and line.move_id}
            blocked = {line.row for line in lines if line.blocking}
            matches = remittance._match_lines(advice_lines, blocked, manual)
            for line, match in zip(lines, matches, strict=True):
                vals = remittance._match_vals(match)
                changed = {
                    name: value
                    for name, value in vals.items()
                    if (line[name].id if name == "move_id" else line[name]) != value
                }
                if changed:
                    line.with_context(essms_remittance_matching=True).write(changed)
            remittance._find_same_transfer()
            remittance._find_statement_line()
            remittance._update_state()

    @transition
    def _update_state(self):
        for remittance in self.filtered(lambda remittance: remittance.state in ("draft", "checked")):
            clean = remittance.line_ids and not remittance.blocking_count
            remittance.state = "checked" if clean else "draft"

    def _find_statement_line(self):
        """The unreconciled bank statement line of this transfer: same journal, payer and amount, a few days apart
        (``essms.statement.matching``, shared with the residents' payment batch)."""
        matching = self.env["essms.statement.matching"]
        for remittance in self:
            if not remittance.amount_total:
                continue
            candidates = matching._candidates(
                remittance.journal_id, [remittance.amount_total], remittance.date, remittance.date
            )
            candidates -= matching._taken(candidates, remittance)
            remittance.statement_line_id = matching._nearest(
                candidates, remittance.partner_id, remittance.amount_total, remittance.date, remittance.currency_id
            )

    # Posting ---------------------------------------------------------------------------------------------

    def _check_postable(self):
        self.ensure_one()
        if self.state == "posted":
            raise UserError(
                self.env._(
                    "The payment advice %(name)s is already posted, by %(user)s on %(when)s.",
                    name=self.name,
                    user=self.posted_by_id.name or self.write_uid.name,
                    when=format_datetime(self.env, self.posted_at or self.write_date),
                )
            )
        if self.state == "cancel":
            raise UserError(self.env._("The payment advice %(name)s is cancelled.", name=self.name))
        self._find_same_transfer()
        if self._duplicate_blocks():
            raise UserError(self._duplicate_message())
        if self.state != "checked" or self.blocking_count:
            raise UserError(
                self.env._("The payment advice %(name)s has errors to correct before posting.", name=self.name)
            )
        if float_compare(self.amount_total, 0.0, precision_rounding=self.currency_id.rounding) <= 0:
            raise UserError(self.env._("The payment advice %(name)s pays nothing.", name=self.name))
        statement_line = self.statement_line_id
        if statement_line and self.currency_id.compare_amounts(statement_line.amount, self.amount_total):
            raise UserError(
                self.env._(
                    "The bank statement line %(line)s is of %(line_amount)s, the advice of %(amount)s: choose the "
                    "transfer's line or none.",
                    line=statement_line.display_name,
                    line_amount=formatLang(self.env, statement_line.amount, currency_obj=self.currency_id),
                    amount=formatLang(self.env, self.amount_total, currency_obj=self.currency_id),
                )
            )

    def _prepare_payment_vals(self):
        return {
            "payment_type": "inbound",
            "partner_type": "customer",
            "partner_id": self.partner_id.commercial_partner_id.id,
            "amount": self.amount_total,
            "date": self.date,
            "journal_id": self.journal_id.id,
            "company_id": self.company_id.id,
            "memo": self.env._("Payment advice %(name)s", name=self.name),
        }

    def _reconcile_caps(self, allocations):
        """``{receivable line id: amount}`` for ``{invoice: amount}``: each invoice's share on its open receivable
        lines, earliest due first (an invoice with instalments has several)."""
        caps = {}
        moves = self.env["account.move"].browse(list(allocations))
        receivables = moves.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable" and not line.reconciled
        )
        for move, lines in receivables.grouped("move_id").items():
            left = allocations[move.id]
            for line in lines.sorted(lambda line: (line.date_maturity or line.date, line.id)):
                share = min(left, line.amount_residual)
                if share > 0:
                    caps[line.id] = share
                    left = self.currency_id.round(left - share)
        return caps, receivables.filtered(lambda line: line.id in caps)

    @transition
    def _post(self):
        self.ensure_one()
        payment = self.env["account.payment"].create(self._prepare_payment_vals())
        payment.action_post()
        allocations = {}
        for line in self.line_ids.filtered(lambda line: line.move_id and line.amount_allocated):
            allocations[line.move_id.id] = allocations.get(line.move_id.id, 0.0) + line.amount_allocated
        payment_receivable = payment.move_id.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )
        caps, invoice_lines = self._reconcile_caps(allocations)
        if invoice_lines:
            # Odoo's reconciliation re-reads the taxes of every invoice line one invoice at a time (a query per
            # invoice, 5 000 for an advice): read them for all the invoices at once first.
            invoice_lines.move_id.line_ids.fetch(["tax_ids"])
            (payment_receivable + invoice_lines).with_context(essms_reconcile_caps=caps).reconcile()
        if self.statement_line_id:
            self._reconcile_statement_line(payment)
        self._reconcile_bank_receipt(payment)
        self.write(
            {
                "payment_id": payment.id,
                "state": "posted",
                "posted_by_id": self.env.uid,
                "posted_at": fields.Datetime.now(),
            }
        )
        self.message_post(
            body=self.env._(
                "Posted: payment %(payment)s of %(amount)s, %(allocated)s paying %(count)s invoices, "
                "%(excess)s left as the payer's credit, %(suspense)s in the unmatched lines.",
                payment=payment.name,
                amount=formatLang(self.env, self.amount_total, currency_obj=self.currency_id),
                allocated=formatLang(self.env, self.amount_allocated, currency_obj=self.currency_id),
                count=len(allocations),
                excess=formatLang(self.env, self.amount_excess, currency_obj=self.currency_id),
                suspense=formatLang(self.env, self.amount_suspense, currency_obj=self.currency_id),
            )
        )

    def _reconcile_statement_line(self, payment):
        """The bank reconciliation of the transfer: its statement line against the payment's outstanding receipt."""
        statement_line = self.statement_line_id
        if statement_line.is_reconciled:
            raise UserError(
                self.env._("The bank statement line %(name)s is already reconciled.", name=statement_line.display_name)
            )
        _liquidity, suspense, _other = statement_line.with_context(
            skip_account_move_synchronization=True
        )._seek_for_lines()
        outstanding = payment.move_id.line_ids.filtered(
            lambda line: line.account_id == payment.outstanding_account_id
        )
        suspense.with_context(skip_account_move_synchronization=True).account_id = outstanding.account_id
        (suspense + outstanding).reconcile()

    # After posting: the payer's excess, cancelling --------------------------------------------------------
    # Kept apart from the posting above: they only act on what a posted advice left behind.

    def _payment_credit_lines(self):
        """The receivable lines of the advice's payment still open: the money not yet paying an invoice."""
        self.ensure_one()
        return self.payment_id.move_id.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable" and not line.reconciled
        )

    def _excess_available(self):
        """The payer's credit this advice can still give away: what its payment holds beyond the unmatched lines,
        which keep their amount until their invoice is found."""
        self.ensure_one()
        if self.state != "posted" or not self.payment_id:
            return 0.0
        held = -sum(self._payment_credit_lines().mapped("amount_residual"))
        suspense = sum(self.line_ids.filtered("in_suspense").mapped("amount"))
        return max(self.currency_id.round(held - suspense), 0.0)

    def _check_excess(self, amount):
        self.ensure_one()
        if self.state != "posted":
            raise UserError(
                self.env._("The payment advice %(name)s is not posted: it has no excess to use.", name=self.name)
            )
        available = self._excess_available()
        if self.currency_id.compare_amounts(amount, 0.0) <= 0:
            raise UserError(self.env._("Give a positive amount of the excess to use."))
        if self.currency_id.compare_amounts(amount, available) > 0:
            raise UserError(
                self.env._(
                    "The payment advice %(name)s has %(available)s of excess left, not %(amount)s.",
                    name=self.name,
                    available=formatLang(self.env, available, currency_obj=self.currency_id),
                    amount=formatLang(self.env, amount, currency_obj=self.currency_id),
                )
            )

    def _allocate_excess(self, allocations, reason):
        """Pay other open invoices of the payer out of the advice's excess: ``{invoice: amount}``, exactly."""
        self.ensure_one()
        self._check_excess(sum(allocations.values()))
        with self.env.cr.savepoint():
            caps, invoice_lines = self._reconcile_caps({move.id: amount for move, amount in allocations.items()})
            (self._payment_credit_lines() + invoice_lines).with_context(essms_reconcile_caps=caps).reconcile()
            for move, amount in allocations.items():
                move.message_post(
                    body=self.env._(
                        "%(amount)s paid out of the excess of the payment advice %(name)s.",
                        amount=formatLang(self.env, amount, currency_obj=self.currency_id),
                        name=self.name,
                    )
                )
            self.message_post(
                body=self.env._(
                    "Excess of %(amount)s allocated to %(invoices)s. Reason: %(reason)s",
                    amount=formatLang(self.env, sum(allocations.values()), currency_obj=self.currency_id),
                    invoices=", ".join(
                        "%s (%s)" % (move.name, formatLang(self.env, amount, currency_obj=self.currency_id))
                        for move, amount in allocations.items()
                    ),
                    reason=reason,
                )
            )

    def _refund_excess(self, amount, reason, date=None, journal=None):
        """Send the excess back to the payer: an outgoing payment reconciled with the advice's payment."""
        self.ensure_one()
        self._check_excess(amount)
        with self.env.cr.savepoint():
            refund = self.env["account.payment"].create(
                {
                    "payment_type": "outbound",
                    "partner_type": "customer",
                    "partner_id": self.partner_id.commercial_partner_id.id,
                    "amount": amount,
                    "date": date or fields.Date.context_today(self),
                    "journal_id": (journal or self.journal_id).id,
                    "company_id": self.company_id.id,
                    "memo": self.env._("Refund of the excess of the payment advice %(name)s", name=self.name),
                }
            )
            refund.action_post()
            refund_line = refund.move_id.line_ids.filtered(
                lambda line: line.account_id == refund.destination_account_id
            )
            (self._payment_credit_lines() + refund_line).reconcile()
            if not refund_line.reconciled:
                raise UserError(
                    self.env._(
                        "The refund of the payment advice %(name)s could not be reconciled with its payment.",
                        name=self.name,
                    )
                )
            self.refund_payment_ids = [Command.link(refund.id)]
            self.message_post(
                body=self.env._(
                    "Excess of %(amount)s refunded to %(payer)s by the payment %(payment)s. Reason: %(reason)s",
                    amount=formatLang(self.env, amount, currency_obj=self.currency_id),
                    payer=self.partner_id.display_name,
                    payment=refund.name,
                    reason=reason,
                )
            )
        return refund

    def _cancel_posting(self, reason):
        """Undo a posted advice: its invoices back to what they owed, its payment cancelled (reversed when its
        period is locked), the bank statement line open again; the advice back to draft, to correct and post again.
        All or nothing."""
        if not self.env.user.has_group("essms_billing.group_essms_manager"):
            raise AccessError(self.env._("Only the finance director may cancel a posted payment advice."))
        for remittance in self:
            if remittance.state != "posted":
                raise UserError(self.env._("The payment advice %(name)s is not posted.", name=remittance.name))
            refunds = remittance.refund_payment_ids.filtered(
                lambda payment: payment.state not in ("canceled", "rejected")
            )
            if refunds:
                raise UserError(
                    self.env._(
                        "The excess of the payment advice %(name)s was refunded by %(payments)s: cancel that refund "
                        "first.",
                        name=remittance.name,
                        payments=", ".join(refunds.mapped("name")),
                    )
                )
        with self.env.cr.savepoint():
            for remittance in self:
                remittance._cancel_one_posting(reason)
        return True

    @transition
    def _cancel_one_posting(self, reason):
        self.ensure_one()
        payment = self.payment_id
        payment_name = payment.name
        invoices = payment.move_id.line_ids.matched_debit_ids.debit_move_id.move_id.filtered(
            lambda move: move.is_invoice()
        )
        statement_line = self.statement_line_id if self.statement_line_id.is_reconciled else self.env[
            "account.bank.statement.line"
        ]
        bank_receipt = self.bank_receipt_line_id
        if statement_line and self._locks(statement_line.move_id):
            # Its entry cannot be rewritten in a locked period: only its matching is undone, and its line on the
            # outstanding receipts account waits for the next posting of the advice.
            statement_line.line_ids.remove_move_reconcile()
            bank_receipt = statement_line.line_ids.filtered(
                lambda line: line.account_id == payment.outstanding_account_id and not line.reconciled
            )[:1]
        elif statement_line:
            # Statement lines are written by accountants only; the finance director was checked above.
            statement_line.sudo().action_undo_reconciliation()
        payment.move_id.line_ids.remove_move_reconcile()
        if self._locks(payment.move_id):
            today = fields.Date.context_today(self)
            payment.move_id._reverse_moves(
                [{"date": today, "ref": self.env._("Cancellation of the payment advice %(name)s", name=self.name)}],
                cancel=True,
            )
            payment.state = "canceled"
            how = self.env._("reversed on %(date)s (its period is locked)", date=format_date(self.env, today))
        else:
            payment.action_draft()
            payment.action_cancel()
            how = self.env._("cancelled")
        self.line_ids.filtered("resolved").with_context(essms_remittance_matching=True).resolved = False
        self.write({"state": "draft", "payment_id": False, "bank_receipt_line_id": bank_receipt.id})
        self._match()
        self.message_post(
            body=self.env._(
                "Posting cancelled: payment %(payment)s %(how)s, %(count)s invoices owe again what it paid, the bank "
                "statement line waits for the next posting. Reason: %(reason)s",
                payment=payment_name,
                how=how,
                count=len(invoices),
                reason=reason,
            )
        )

    def _reconcile_bank_receipt(self, payment):
        """After a posting cancelled in a locked period, the transfer's receipt still on the bank statement is
        reconciled with the new payment's outstanding receipt."""
        receipt = self.bank_receipt_line_id
        outstanding = payment.move_id.line_ids.filtered(
            lambda line: line.account_id == payment.outstanding_account_id
        )
        if not receipt or receipt.reconciled or outstanding.reconciled:
            return
        if receipt.account_id != outstanding.account_id or self.currency_id.compare_amounts(
            -receipt.amount_residual, self.amount_total
        ):
            raise UserError(
                self.env._(
                    "The transfer of %(receipt_amount)s on the bank statement (%(receipt)s) cannot receive this advice "
                    "of %(amount)s: post an advice of the transfer's amount on the journal %(journal)s.",
                    receipt_amount=formatLang(self.env, -receipt.amount_residual, currency_obj=self.currency_id),
                    receipt=receipt.move_id.display_name,
                    amount=formatLang(self.env, self.amount_total, currency_obj=self.currency_id),
                    journal=receipt.journal_id.display_name,
                )
            )
        (receipt + outstanding).reconcile()

    def _locks(self, move):
        return self.company_id._get_violated_lock_dates(move.date, False, move.journal_id)
