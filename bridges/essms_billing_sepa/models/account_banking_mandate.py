from odoo import api
from odoo import fields
from odoo import models
from odoo.addons.essms_billing.engine.payers import CONSUMER
from odoo.exceptions import ValidationError

from ..engine import debits


class AccountBankingMandate(models.Model):
    """OCA's SEPA mandate, tied to the resident whose invoices it pays.

    The debtor (the mandate's partner, owner of the bank account) is the resident, a relative or the guardian
    service; the resident is the person billed. A guardian service signs one mandate per protected person.
    """

    _inherit = "account.banking.mandate"

    essms_beneficiary_id = fields.Many2one(
        "essms.beneficiary",
        string="Resident",
        index=True,
        tracking=True,
        check_company=True,
        help="The person whose invoices this mandate pays. Empty: the invoices made out to the account's owner.",
    )

    @api.constrains("partner_bank_id", "format")
    def _check_essms_iban(self):
        # base_iban stores a wrong IBAN silently as a plain account number: the bank would return every debit.
        for mandate in self:
            if mandate.format != "sepa" or not mandate.partner_bank_id:
                continue
            if not debits.iban_is_valid(mandate.partner_bank_id.acc_number):
                raise ValidationError(
                    self.env._(
                        "Mandate %(mandate)s: the IBAN %(iban)s of %(holder)s fails its check (country, length or "
                        "check digits). Correct the bank account before signing the mandate.",
                        mandate=mandate.unique_mandate_reference or mandate.display_name,
                        iban=mandate.partner_bank_id.acc_number,
                        holder=mandate.partner_bank_id.partner_id.display_name,
                    )
                )

    @api.onchange("partner_bank_id")
    def _onchange_essms_partner_bank_id(self):
        persons = self.partner_bank_id.partner_id.essms_beneficiary_ids
        if not self.essms_beneficiary_id and len(persons) == 1:
            self.essms_beneficiary_id = persons

    @api.model
    def _essms_valid_mandates(self, moves):
        """The valid mandate paying each invoice of ``moves`` ({move id: mandate}): the latest signed for its
        resident when the invoice is the resident's share (made out to the resident, a relative or a guardian,
        never the département's invoice for the person), else the latest signed by the owner of the account it is
        made out to. One query."""
        found = {}
        if not moves:
            return found
        persons = moves.filtered(lambda move: move.commercial_partner_id.essms_payer_class == CONSUMER)
        persons = persons.essms_beneficiary_id
        partners = moves.commercial_partner_id
        mandates = self.search(
            [
                ("state", "=", "valid"),
                ("company_id", "in", moves.company_id.ids),
                "|",
                ("essms_beneficiary_id", "in", persons.ids),
                "&", ("essms_beneficiary_id", "=", False), ("partner_id", "in", partners.ids),
            ],
            order="signature_date desc, id desc",
        )
        by_person = {}
        by_partner = {}
        for mandate in mandates:
            if mandate.essms_beneficiary_id:
                by_person.setdefault((mandate.company_id.id, mandate.essms_beneficiary_id.id), mandate)
            else:
                by_partner.setdefault((mandate.company_id.id, mandate.partner_id.id), mandate)
        for move in moves:
            mandate = by_partner.get((move.company_id.id, move.commercial_partner_id.id))
            if move.commercial_partner_id.essms_payer_class == CONSUMER:
                mandate = by_person.get((move.company_id.id, move.essms_beneficiary_id.id)) or mandate
            if mandate:
                found[move.id] = mandate
        return found
