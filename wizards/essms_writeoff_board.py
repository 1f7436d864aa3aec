from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import format_date

from .download import download_file

PROPOSED_STATES = ("to_approve", "approved")


class EssmsWriteoffBoard(models.TransientModel):
    """The board list (recovery-rules §7): the write-offs proposed for one meeting of the board (association) or of
    the deliberative assembly (public creditor), printed (PDF) or downloaded (XLSX) in French, each with its debtor,
    its invoices and amounts, the reason and the actions already taken; once the board has decided, its
    deliberation's reference and date are recorded on the approved write-offs at once."""

    _name = "essms.writeoff.board"
    _description = "Board list of write-offs"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_meeting = fields.Date(string="Meeting of", required=True, default=fields.Date.context_today)
    body = fields.Selection(
        selection=[("board", "Board of directors"), ("assembly", "Deliberative assembly")],
        string="Deciding body", required=True, default="board",
    )
    writeoff_ids = fields.Many2many(
        "essms.writeoff", string="Write-offs", check_company=True,
        domain="[('company_id', '=', company_id), ('state', 'in', ('to_approve', 'approved'))]",
        default=lambda self: self._default_writeoffs(),
    )
    amount = fields.Monetary(string="Total", compute="_compute_amount")
    board_reference = fields.Char(string="Deliberation", help="The reference of the board's deliberation.")
    file = fields.Binary(readonly=True, attachment=False)
    filename = fields.Char(readonly=True)

    @api.model
    def _default_writeoffs(self):
        """The write-offs chosen in the list, else every one proposed and not decided yet."""
        Writeoff = self.env["essms.writeoff"]
        if self.env.context.get("active_model") == "essms.writeoff" and self.env.context.get("active_ids"):
            return Writeoff.browse(self.env.context["active_ids"]).filtered(
                lambda writeoff: writeoff.state in PROPOSED_STATES)
        return Writeoff.search([("company_id", "=", self.env.company.id), ("state", "in", PROPOSED_STATES),
                                ("board_reference", "=", False)])

    @api.depends("writeoff_ids.amount")
    def _compute_amount(self):
        for board in self:
            board.amount = sum(board.writeoff_ids.mapped("amount"))

    def _check_writeoffs(self):
        self.ensure_one()
        if not self.writeoff_ids:
            raise UserError(self.env._("Choose the write-offs proposed to the meeting."))
        decided = self.writeoff_ids.filtered(lambda writeoff: writeoff.state not in PROPOSED_STATES)
        if decided:
            raise UserError(self.env._("Write-off %(name)s is no longer a proposal: it is not on the board list.",
                                       name=decided[0].name))

    def _rows(self):
        """One dict per write-off, in the order of the list: what the PDF and the workbook print."""
        self.ensure_one()
        rows = []
        reasons = dict(self.env["essms.writeoff"]._fields["reason"]._description_selection(self.env))
        kinds = dict(self.env["essms.writeoff"]._fields["kind"]._description_selection(self.env))
        for writeoff in self.writeoff_ids.sorted(lambda writeoff: (writeoff.partner_id.name or "", writeoff.id)):
            invoices = [{
                "name": line.move_id.name,
                "date": line.move_id.invoice_date,
                "due": line.move_id.invoice_date_due,
                "period": (line.move_id.essms_period_start and line.move_id.essms_period_end and self.env._(
                    "%(start)s to %(end)s", start=format_date(self.env, line.move_id.essms_period_start),
                    end=format_date(self.env, line.move_id.essms_period_end))) or "",
                "beneficiary": line.move_id.essms_beneficiary_id.name or "",
                "billed": line.move_id.amount_total,
                "open": line.move_id.amount_residual,
                "amount": line.amount,
            } for line in writeoff.line_ids.sorted(lambda line: (line.move_id.invoice_date_due or line.move_id.date,
                                                                 line.move_id.id))]
            rows.append({
                "writeoff": writeoff,
                "name": writeoff.name,
                "debtor": writeoff.partner_id.commercial_partner_id,
                "kind": kinds.get(writeoff.kind, ""),
                "reason": reasons.get(writeoff.reason, ""),
                "amount": writeoff.amount,
                "invoices": invoices,
                "actions": writeoff._actions_taken(),
                "note": writeoff.reason_note or "",
            })
        return rows

    def _title(self):
        self.ensure_one()
        if self.body == "assembly":
            return self.env._("Write-offs proposed to the deliberative assembly of %(date)s",
                              date=format_date(self.env, self.date_meeting))
        return self.env._("Write-offs proposed to the board of directors of %(date)s",
                          date=format_date(self.env, self.date_meeting))

    def action_print(self):
        self._check_writeoffs()
        return self.env.ref("essms_billing.action_report_essms_writeoff_board").report_action(self)

    def action_export(self):
        self._check_writeoffs()
        content = self.env["essms.writeoff.board.xlsx"]._render(self)
        filename = self.env._("Write-offs board list %(date)s.xlsx", date=fields.Date.to_string(self.date_meeting))
        return download_file(self, content, filename)

    def action_record_decision(self):
        """The board decided: its deliberation is recorded on the approved write-offs (the others wait for the
        finance director's approval first); posting stays the finance director's."""
        self._check_writeoffs()
        if not self.board_reference:
            raise UserError(self.env._("Enter the reference of the board's deliberation."))
        approved = self.writeoff_ids.filtered(lambda writeoff: writeoff.state == "approved")
        if not approved:
            raise UserError(self.env._("None of these write-offs is approved yet: approve them before recording "
                                       "the board's decision."))
        approved.write({"board_reference": self.board_reference, "date_decision": self.date_meeting})
        return {"type": "ir.actions.act_window_close"}
