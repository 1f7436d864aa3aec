"""Shared set-up of the bridge's tests: the association's SEPA payment mode and the residents' mandates."""

from datetime import date

from odoo import Command
from odoo.addons.essms_billing.tests.billing_common import BillingCommon
from odoo.tests import new_test_user

JULY = date(2025, 7, 1)
IBAN_MARIE = "FR76 1010 7001 0112 3456 7890 129"
IBAN_UDAF = "FR76 3000 4000 0312 3456 7890 143"
IBAN_SISTER = "FR84 1273 9000 7070 0000 0001 234"
IBAN_COMPANY = "FR27 3000 3035 0000 0500 0000 056"


class SepaCommon(BillingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("base.EUR").active = True
        cls.company.write({"currency_id": cls.env.ref("base.EUR").id, "sepa_creditor_identifier": "FR78ZZZ424242"})
        cls.env.user.groups_id = [Command.link(cls.env.ref("account_payment_order.group_account_payment").id)]
        bank = cls.env["res.bank"].create({"name": "Crédit Agricole Sud Méditerranée", "bic": "AGRIFRPP871"})
        cls.bank_journal = cls.company_data["default_journal_bank"]
        cls.bank_journal.write({
            "bank_account_id": cls.env["res.partner.bank"].create({
                "acc_number": IBAN_COMPANY, "bank_id": bank.id, "partner_id": cls.company.partner_id.id,
                "company_id": cls.company.id,
            }).id,
            "inbound_payment_method_line_ids": [Command.create({
                "payment_method_id": cls.env.ref("account_banking_sepa_direct_debit.sepa_direct_debit").id,
            })],
        })
        cls.sdd = cls.env["account.payment.mode"].create({
            "name": "Prélèvement SEPA des résidents",
            "company_id": cls.company.id,
            "payment_method_id": cls.env.ref("account_banking_sepa_direct_debit.sepa_direct_debit").id,
            "bank_account_link": "fixed",
            "fixed_journal_id": cls.bank_journal.id,
        })
        cls.udaf = cls.env["res.partner"].create(
            {"name": "UDAF 66 – service mandataire", "is_company": True, "essms_payer_kind": "guardian"}
        )
        cls.sister = cls.env["res.partner"].create({"name": "Claire Durand", "essms_payer_kind": "family"})
        cls.marie = cls._create_resident("Marie Roux").beneficiary_id
        cls.lucie = cls._create_resident("Lucie Bernard", legal_protection="tutelle", protector_id=cls.udaf.id)
        cls.lucie = cls.lucie.beneficiary_id
        cls.paul = cls._create_resident("Paul Durand").beneficiary_id
        cls.jean = cls._create_resident("Jean Martin").beneficiary_id
        (cls.marie | cls.lucie | cls.paul).partner_id.customer_payment_mode_id = cls.sdd
        (cls.lucie | cls.paul).partner_id.property_payment_term_id = cls.term_30
        cls.mandate_marie = cls._mandate(cls.marie.partner_id, IBAN_MARIE, "RUM-ROUX")
        cls.mandate_lucie = cls._mandate(cls.udaf, IBAN_UDAF, "RUM-BERNARD", beneficiary=cls.lucie)
        cls.mandate_paul = cls._mandate(cls.sister, IBAN_SISTER, "RUM-DURAND", beneficiary=cls.paul)
        cls.operator = new_test_user(
            cls.env, "sepa_operator", password="sepa_operator", groups="essms_billing.group_essms_operator",
            company_id=cls.company.id, company_ids=[Command.set(cls.company.ids)], lang="fr_FR",
            tz="Europe/Paris",
        )

    @classmethod
    def _mandate(cls, holder, iban, reference, beneficiary=None):
        account = cls.env["res.partner.bank"].create({"acc_number": iban, "partner_id": holder.id})
        mandate = cls.env["account.banking.mandate"].create({
            "format": "sepa",
            "type": "recurrent",
            "recurrent_sequence_type": "first",
            "signature_date": date(2025, 6, 20),
            "partner_bank_id": account.id,
            "company_id": cls.company.id,
            "unique_mandate_reference": reference,
            "essms_beneficiary_id": beneficiary.id if beneficiary else False,
        })
        mandate.validate()
        return mandate

    def _invoiced_run(self):
        self._validated_statement(self.establishment, JULY)
        run = self._run(self.establishment, JULY)
        run.action_compute()
        run.action_invoice()
        return run

    def _resident_invoice(self, run, beneficiary):
        return run.move_ids.filtered(lambda move: move.partner_id == beneficiary.partner_id)
