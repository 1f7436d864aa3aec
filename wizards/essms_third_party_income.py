from odoo import api
from odoo import fields
from odoo import models

from ..models.essms_resident_money import INCOME_SOURCES


class EssmsThirdPartyIncome(models.TransientModel):
    """Match a bank statement line to a resident's income collected by the establishment (467)."""

    _name = "essms.third.party.income"
    _description = "Income received for a resident"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    statement_line_id = fields.Many2one(
        "account.bank.statement.line", string="Bank statement line", required=True,
        domain="[('company_id', '=', company_id), ('is_reconciled', '=', False), ('amount', '>', 0)]",
    )
    amount = fields.Monetary(related="statement_line_id.amount")
    currency_id = fields.Many2one(related="statement_line_id.currency_id")
    beneficiary_id = fields.Many2one(
        "essms.beneficiary", string="Resident", required=True, domain="[('company_id', '=', company_id)]"
    )
    source = fields.Selection(selection=INCOME_SOURCES, string="Income", required=True, default="aah")
    month = fields.Date(required=True, help="The month the income is for (any day of it).")

    @api.onchange("statement_line_id")
    def _onchange_statement_line_id(self):
        if self.statement_line_id and not self.month:
            self.month = self.statement_line_id.date

    def action_record(self):
        self.ensure_one()
        move = self.env["essms.resident.money"]._record_income(
            self.statement_line_id, self.beneficiary_id, self.source, self.month
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": move.id,
            "view_mode": "form",
        }
