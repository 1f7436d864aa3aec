from stdnum import iban as stdnum_iban

from odoo import Command
from odoo import api
from odoo import fields
from odoo import models

# The demo association's creditor identifier (ICS) and bank account, and the bank of the debtors' accounts.
DEMO_ICS = "FR78ZZZ424242"
DEMO_COMPANY_IBAN = "FR27 3000 3035 0000 0500 0000 056"
DEMO_DEBTORS = 8


def demo_iban(index):
    """A French IBAN whose check digits are right (a demo account at La Banque Postale, branch 66)."""
    bank, branch, account = "20041", "01010", "%011d" % (66000000000 + index)
    key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97
    bban = "%s%s%s%02d" % (bank, branch, account, key)
    return stdnum_iban.format("FR" + stdnum_iban.calc_check_digits("FR00" + bban) + bban)


class EssmsDemoSepa(models.AbstractModel):
    """The bridge's demo: mandates for some residents of the last invoiced month and its debit order."""

    _name = "essms.demo.sepa"
    _description = "SEPA direct debit demo"

    @api.model
    def _setup_sepa_scenario(self, company):
        company = self.env["res.company"].browse(company)
        env = self.with_company(company).with_context(mail_create_nosubscribe=True, tracking_disable=True).env
        if not company.sepa_creditor_identifier:
            company.sepa_creditor_identifier = DEMO_ICS
        method = env.ref("account_banking_sepa_direct_debit.sepa_direct_debit")
        journal = env["account.journal"].search([("company_id", "=", company.id), ("type", "=", "bank")], limit=1)
        if not journal.bank_account_id:
            bank = env["res.bank"].create({"name": "Crédit Agricole Sud Méditerranée", "bic": "AGRIFRPP871"})
            journal.bank_account_id = env["res.partner.bank"].create({
                "acc_number": DEMO_COMPANY_IBAN, "bank_id": bank.id, "partner_id": company.partner_id.id,
                "company_id": company.id,
            })
        if method not in journal.inbound_payment_method_line_ids.payment_method_id:
            journal.inbound_payment_method_line_ids = [Command.create({"payment_method_id": method.id})]
        mode = env["account.payment.mode"].create({
            "name": "Prélèvement SEPA des résidents",
            "company_id": company.id,
            "payment_method_id": method.id,
            "bank_account_link": "fixed",
            "fixed_journal_id": journal.id,
        })
        # The demo's month: the last one its regular runs invoiced. Several runs may bill it (the association's
        # establishments, and those billing in components, already paid): the run whose residents' invoices are
        # open, the one with the most of them.
        runs = env["essms.billing.run"].search(
            [("company_id", "=", company.id), ("kind", "=", "regular"), ("state", "=", "invoiced")],
            order="period_start desc, id",
        )
        today = fields.Date.context_today(self)
        month_runs = runs.filtered(lambda run: run.period_start == runs[:1].period_start)
        open_invoices = {
            run: run.move_ids.filtered(
                lambda move: move.move_type == "out_invoice" and move.state == "posted"
                and move.commercial_partner_id.essms_payer_kind == "resident" and move.essms_beneficiary_id
                and move.amount_residual > 0
            )
            for run in month_runs
        }
        run = max(month_runs, key=lambda run: len(open_invoices[run]), default=runs[:0])
        invoices = open_invoices.get(run, env["account.move"])
        invoices -= env["essms.recovery.hold"]._held_moves(invoices, today)
        invoices -= invoices.filtered(lambda move: move.essms_beneficiary_id.legal_protection != "none"
                                      and not move.essms_beneficiary_id.protector_id)
        invoices = invoices.sorted("name")[:DEMO_DEBTORS]
        mandates = env["account.banking.mandate"]
        relative = None
        for index, move in enumerate(invoices):
            person = move.essms_beneficiary_id
            # The guardian service pays for a protected person, a relative for one resident, the others themselves.
            if person.protector_id:
                holder = person.protector_id
            elif relative is None:
                holder = relative = env["res.partner"].create(
                    {"name": "Famille %s" % person.partner_id.name.split()[-1], "essms_payer_kind": "family"}
                )
            else:
                holder = person.partner_id
            account = env["res.partner.bank"].create({"acc_number": demo_iban(index + 1), "partner_id": holder.id})
            mandates |= env["account.banking.mandate"].create({
                "format": "sepa",
                "type": "recurrent",
                "recurrent_sequence_type": "first",
                "signature_date": run.period_start,
                "partner_bank_id": account.id,
                "company_id": company.id,
                "unique_mandate_reference": "RUM-%s" % person.file_number,
                "essms_beneficiary_id": person.id,
            })
        mandates.validate()
        invoices.partner_id.customer_payment_mode_id = mode
        invoices.payment_mode_id = mode
        if invoices:
            run.action_essms_debit_order()
        return {"mode": mode, "mandates": mandates, "run": run, "orders": run.essms_debit_order_ids}
