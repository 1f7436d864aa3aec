from odoo import api
from odoo import fields
from odoo import models

from ..models.essms_dunning_letter import CALL_OUTCOMES


class EssmsCallOutcome(models.TransientModel):
    """The outcome of a dunning call, typed by the operator after calling (recovery-rules §2)."""

    _name = "essms.call.outcome"
    _description = "Dunning call outcome"

    letter_id = fields.Many2one("essms.dunning.letter", string="Letter", required=True, readonly=True)
    debtor_ids = fields.Many2many(related="letter_id.debtor_ids")
    currency_id = fields.Many2one(related="letter_id.currency_id")
    partner_id = fields.Many2one("res.partner", string="Debtor", required=True, domain="[('id', 'in', debtor_ids)]")
    outcome = fields.Selection(CALL_OUTCOMES, required=True)
    note = fields.Text(help="What was said: kept on the letter and on the debtor's history.")
    move_ids = fields.Many2many(
        "account.move", string="Invoices", compute="_compute_move_ids", store=True, readonly=False,
        help="The invoices the promise or the dispute is about.",
    )
    date_promised = fields.Date(string="Promised for")
    amount = fields.Monetary(string="Promised amount", compute="_compute_amount", store=True, readonly=False)
    date_review = fields.Date(string="Review the dispute on")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if values.get("letter_id") and "partner_id" in fields_list and not values.get("partner_id"):
            values["partner_id"] = self.env["essms.dunning.letter"].browse(values["letter_id"]).debtor_ids[:1].id
        return values

    @api.depends("letter_id", "partner_id")
    def _compute_move_ids(self):
        for wizard in self:
            lines = wizard.letter_id.line_ids.filtered(lambda line, wizard=wizard: line.partner_id == wizard.partner_id)
            wizard.move_ids = lines.move_id.filtered(lambda move: move.amount_residual > 0)

    @api.depends("move_ids")
    def _compute_amount(self):
        for wizard in self:
            wizard.amount = sum(wizard.move_ids.mapped("amount_residual"))

    def action_record(self):
        self.ensure_one()
        self.letter_id._record_call_outcome(
            self.partner_id, self.outcome, note=self.note, moves=self.move_ids, date_promised=self.date_promised,
            amount=self.amount, date_review=self.date_review,
        )
        return {"type": "ir.actions.act_window_close"}
