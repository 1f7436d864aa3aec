from odoo import fields
from odoo import models


class EssmsRemittanceCancel(models.TransientModel):
    """Cancel the posting of a payment advice, with the reason kept on its history (finance director only)."""

    _name = "essms.remittance.cancel"
    _description = "Cancel a posted payment advice"

    remittance_id = fields.Many2one("essms.remittance", string="Payment advice", required=True, readonly=True)
    reason = fields.Text(required=True, help="Kept on the advice's history.")

    def action_confirm(self):
        self.ensure_one()
        self.remittance_id._cancel_posting(self.reason)
        return True
