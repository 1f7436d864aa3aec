from odoo import api
from odoo import models


class AccountMoveSend(models.AbstractModel):
    _inherit = "account.move.send"

    @api.model
    def _get_invoice_extra_attachments(self, move):
        # The nominative statement travels with the invoice made per payer (billing-rules §6).
        return super()._get_invoice_extra_attachments(move) + move.essms_statement_id
