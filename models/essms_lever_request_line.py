from odoo import fields
from odoo import models


class EssmsLeverRequestLine(models.Model):
    """One unpaid month of contribution, as the request states it."""

    _name = "essms.lever.request.line"
    _description = "Unpaid contribution of a request"
    _order = "request_id, month"

    request_id = fields.Many2one("essms.lever.request", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="request_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="request_id.currency_id")
    month = fields.Date(required=True)
    move_id = fields.Many2one("account.move", string="Invoice", ondelete="restrict")
    amount_due = fields.Monetary(string="Unpaid")
