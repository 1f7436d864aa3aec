from odoo import api
from odoo import models
from odoo.exceptions import UserError


class AccountMoveSend(models.AbstractModel):
    _inherit = "account.move.send"

    @api.model
    def _check_move_constrains(self, moves):
        """An invoice made per payer says its beneficiaries are listed on the nominative statement attached: it is
        never sent without it (billing-rules §6). The statement is made now if the job has not attached it yet."""
        super()._check_move_constrains(moves)
        missing = moves.filtered(lambda move: move._essms_is_grouped() and not move.essms_statement_id)
        if not missing:
            return
        missing._essms_attach_nominative_statements()
        still_missing = missing.filtered(lambda move: not move.essms_statement_id)
        if still_missing:
            raise UserError(
                self.env._(
                    "The nominative statement of %(invoices)s could not be made (%(error)s): the invoice lists its "
                    "beneficiaries on it and is not sent without it. Try again later or print the statement from "
                    "the invoice to see the problem.",
                    invoices=", ".join(still_missing.mapped("name")),
                    error=still_missing[0].essms_statement_error or "",
                )
            )

    @api.model
    def _get_default_mail_partner_ids(self, move, mail_template, mail_lang):
        """The invoice e-mail goes where the printed invoice goes (engine/addressee.py): to the guardian who
        represents the resident instead of the resident, and to the curator as well as the resident."""
        partners = super()._get_default_mail_partner_ids(move, mail_template, mail_lang)
        if not move.essms_beneficiary_id:
            return partners
        to, copy = move._essms_recipients()[move]
        if to != move.partner_id:
            partners -= move.partner_id
        return (partners | to.sudo() | copy.sudo()).filtered("email")

    @api.model
    def _get_invoice_extra_attachments(self, move):
        # The nominative statement travels with the invoice made per payer (billing-rules §6); made now if the
        # job that attaches them after invoicing has not reached this invoice or failed on it.
        if move._essms_is_grouped() and not move.essms_statement_id:
            move._essms_attach_nominative_statements()
        return super()._get_invoice_extra_attachments(move) + move.essms_statement_id
