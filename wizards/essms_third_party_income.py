from odoo import api
from odoo import fields
from odoo import models

from ..models.essms_resident_money import INCOME_SOURCES


class EssmsThirdPartyIncomeBase(models.AbstractModel):
    """What the two income wizards share: the bank statement line received, the kind of income and its month."""

    _name = "essms.third.party.income.base"
    _description = "Income received for a resident"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    statement_line_id = fields.Many2one(
        "account.bank.statement.line", string="Bank statement line", required=True,
        domain="[('company_id', '=', company_id), ('is_reconciled', '=', False), ('amount', '>', 0)]",
    )
    amount = fields.Monetary(related="statement_line_id.amount")
    currency_id = fields.Many2one(related="statement_line_id.currency_id")
    source = fields.Selection(selection=INCOME_SOURCES, string="Income", required=True, default="aah")
    month = fields.Date(required=True, help="The month the income is for (any day of it).")

    @api.onchange("statement_line_id")
    def _onchange_statement_line_id(self):
        if self.statement_line_id and not self.month:
            self.month = self.statement_line_id.date


class EssmsThirdPartyIncome(models.TransientModel):
    """Match a bank statement line to a resident's income collected by the establishment (467)."""

    _name = "essms.third.party.income"
    _inherit = "essms.third.party.income.base"
    _description = "Income received for a resident"

    beneficiary_id = fields.Many2one(
        "essms.beneficiary", string="Resident", required=True, domain="[('company_id', '=', company_id)]"
    )

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


class EssmsThirdPartyIncomeSplit(models.TransientModel):
    """One bank statement line paying the income of several residents (a CAF transfer of several AAH), split over
    them: one row per resident, the rows adding up to the line."""

    _name = "essms.third.party.income.split"
    _inherit = "essms.third.party.income.base"
    _description = "Income received for several residents"

    line_ids = fields.One2many("essms.third.party.income.split.line", "wizard_id", string="Residents")
    amount_split = fields.Monetary(string="Split", compute="_compute_amount_split")
    amount_left = fields.Monetary(string="Left to split", compute="_compute_amount_split")

    @api.depends("line_ids.amount", "amount")
    def _compute_amount_split(self):
        for wizard in self:
            wizard.amount_split = sum(wizard.line_ids.mapped("amount"))
            wizard.amount_left = wizard.amount - wizard.amount_split

    def action_record(self):
        self.ensure_one()
        moves = self.env["essms.resident.money"]._record_income_split(
            self.statement_line_id, [(line.beneficiary_id, line.amount) for line in self.line_ids], self.source,
            self.month,
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Income received"),
            "res_model": "account.move",
            "domain": [("id", "in", moves.ids)],
            "view_mode": "list,form",
            "views": [(self.env.ref("essms_billing.essms_third_party_movement_view_list").id, "list"), (False, "form")],
        }


class EssmsThirdPartyIncomeSplitLine(models.TransientModel):
    _name = "essms.third.party.income.split.line"
    _description = "Income received for several residents: one resident's share"

    wizard_id = fields.Many2one("essms.third.party.income.split", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="wizard_id.company_id")
    currency_id = fields.Many2one(related="wizard_id.currency_id")
    beneficiary_id = fields.Many2one(
        "essms.beneficiary", string="Resident", required=True, domain="[('company_id', '=', company_id)]"
    )
    amount = fields.Monetary(required=True)
