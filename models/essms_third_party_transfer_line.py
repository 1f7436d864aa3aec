from odoo import fields
from odoo import models


class EssmsThirdPartyTransferLine(models.Model):
    _name = "essms.third.party.transfer.line"
    _description = "Nominative recap line"
    _order = "transfer_id, beneficiary_id, month"

    transfer_id = fields.Many2one("essms.third.party.transfer", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="transfer_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="transfer_id.currency_id")
    beneficiary_id = fields.Many2one("essms.beneficiary", string="Resident", required=True, ondelete="restrict",
                                     index=True)
    file_number = fields.Char(related="beneficiary_id.file_number")
    month = fields.Date(required=True)
    income = fields.Monetary(string="Income received")
    minimum_left = fields.Monetary(string="Minimum left")
    contribution = fields.Monetary(string="Contribution decided")
    paid_over = fields.Monetary(string="Paid over")
    move_id = fields.Many2one("account.move", string="Entry", readonly=True, ondelete="restrict")
