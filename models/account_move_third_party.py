"""Residents' money entries on account 467 (billing-rules §2, mode 2): what each entry is, for whom and which month.

The ledger is the journal entries themselves (no parallel ledger): these fields let the recap, the resident's
statement and the controls find them without parsing labels.
"""

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError

from .essms_resident_money import INCOME_SOURCES
from .essms_resident_money import THIRD_PARTY_KINDS


class AccountMove(models.Model):
    _inherit = "account.move"

    essms_third_party_kind = fields.Selection(
        selection=THIRD_PARTY_KINDS, string="Residents' money", copy=False, readonly=True, index=True,
        help="An entry of a resident's third-party account (467): income received, minimum left paid to the "
        "resident or the guardian, or contribution paid over to the département.",
    )
    essms_income_source = fields.Selection(selection=INCOME_SOURCES, string="Income", copy=False, readonly=True)
    essms_third_party_transfer_id = fields.Many2one(
        "essms.third.party.transfer", string="Transfer to the département", copy=False, readonly=True, index=True,
        ondelete="restrict",
    )
    essms_third_party_amount = fields.Monetary(
        string="Third-party amount", compute="_compute_essms_third_party_amount", store=True,
        currency_field="company_currency_id",
        help="What the entry moved on the resident's 467 account: received (income) or paid out.",
    )

    @api.depends("essms_third_party_kind", "essms_beneficiary_id", "line_ids.balance", "line_ids.account_id",
                 "line_ids.partner_id")
    def _compute_essms_third_party_amount(self):
        for move in self:
            if not move.essms_third_party_kind:
                move.essms_third_party_amount = 0.0
                continue
            account = self.env["essms.resident.money"]._account(move.company_id)
            # The resident's own lines: an income split from a payer's transfer also moves the payer's 467 line.
            resident = move.essms_beneficiary_id.partner_id
            balance = sum(move.line_ids.filtered(
                lambda line, acc=account, partner=resident: line.account_id == acc
                and (not partner or line.partner_id == partner)
            ).mapped("balance"))
            move.essms_third_party_amount = abs(balance)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_third_party(self):
        if any(move.essms_third_party_transfer_id for move in self):
            raise UserError(self.env._("An entry paying a contribution over belongs to its transfer: cancel the "
                                       "transfer instead."))
