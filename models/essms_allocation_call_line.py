from odoo import fields
from odoo import models


class EssmsAllocationCallLine(models.Model):
    """What a call paid for one month of its year: the month's twelfth, or a catch-up difference (billing-rules
    §12). The next call's catch-up is computed from these rows: what each month received so far."""

    _name = "essms.allocation.call.line"
    _description = "Month paid for by an allocation call"
    _order = "call_id, month, id"
    _check_company_auto = True

    call_id = fields.Many2one("essms.allocation.call", required=True, ondelete="cascade", index=True, readonly=True)
    company_id = fields.Many2one(related="call_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="call_id.currency_id")
    month = fields.Integer(required=True, readonly=True)
    kind = fields.Selection(
        selection=[("twelfth", "Twelfth"), ("difference", "Difference with the arrêté")], required=True, readonly=True
    )
    amount = fields.Monetary(currency_field="currency_id", readonly=True)
