from odoo import fields
from odoo import models


class AccountPaymentOrder(models.Model):
    _inherit = "account.payment.order"

    essms_billing_run_id = fields.Many2one(
        "essms.billing.run", string="Billing run", readonly=True, index=True, ondelete="set null", copy=False
    )

    def draft2open(self):
        # A dispute or a mandate revoked between the draft and its confirmation stops the whole order.
        for order in self.filtered(lambda o: o.payment_type == "inbound" and o.payment_method_id.mandate_required):
            moves = order.payment_line_ids.move_line_id.move_id.filtered("essms_beneficiary_id")
            if moves:
                moves.with_context(essms_debit_order=order.id)._essms_debit_plan(raise_problems=True)
        return super().draft2open()
