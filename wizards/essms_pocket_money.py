from odoo import fields
from odoo import models


class EssmsPocketMoney(models.TransientModel):
    """Pay the month's minimum left (argent de poche) to every resident whose income the establishment collects."""

    _name = "essms.pocket.money"
    _description = "Minimum left to pay"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    month = fields.Date(required=True, help="The month whose income was received (any day of it).")
    date = fields.Date(string="Payment date", required=True, default=fields.Date.context_today)

    def action_pay(self):
        self.ensure_one()
        moves = self.env["essms.resident.money"]._pay_pocket_money(self.company_id, self.month, date=self.date)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Minimum left paid"),
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [("id", "in", moves.ids)],
        }
