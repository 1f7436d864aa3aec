from odoo import api
from odoo import models


class AccountMoveSend(models.AbstractModel):
    _inherit = "account.move.send"

    @api.model
    def _get_invoice_extra_attachments(self, move):
        # The nominative statement travels with the invoice made per payer (billing-rules §6); made now if the
        # job that attaches them after invoicing has not reached this invoice or failed on it.
        if move._essms_is_grouped() and not move.essms_statement_id:
            move._essms_attach_nominative_statements()
        return super()._get_invoice_extra_attachments(move) + move.essms_statement_id
