from datetime import date

from odoo import Command
from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon
from odoo.tests import tagged
from odoo.tests.common import new_test_user

from .billing_common import BillingCommon


@tagged("post_install", "-at_install")
class TestPaymentsTour(BillingCommon, AccountTestInvoicingHttpCommon):
    """In the web client: the operator allocates the excess of a posted advice, and splits a guardian's payment.

    The advice paid 5 687,68 € for an invoice of 4 687,68 €: 1 000,00 € of excess. The tour
    (static/src/tours/essms_remittance_excess_tour.js) allocates it to the other invoice, of 5 400,00 €, which
    then owes 4 400,00 €.

    The UDAF's cheque of 1 400,00 € says 500,00 € for Lucie (owes 1 000,00 €) and 900,00 € for Paul (owes
    600,00 €); the tour (static/src/tours/essms_payment_batch_split_tour.js) enters it: Lucie is paid 500,00 €,
    Paul 600,00 € and keeps 300,00 € of credit.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.invoices = cls.env["account.move"]
        for name, amount in (("Tour Dupont Marie", 4687.68), ("Tour Roux Anne", 5400.00)):
            beneficiary = cls._create_resident(name).beneficiary_id
            move = cls.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": cls.departement.id,
                    "invoice_date": date(2025, 8, 1),
                    "journal_id": cls.establishment.journal_id.id,
                    "essms_beneficiary_id": beneficiary.id,
                    "essms_period_start": date(2025, 7, 1),
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Prix de journée",
                                "quantity": 1,
                                "price_unit": amount,
                                "tax_ids": [],
                                "account_id": cls.company_data["default_account_revenue"].id,
                            }
                        )
                    ],
                }
            )
            move.action_post()
            cls.invoices |= move
        cls.operator = new_test_user(
            cls.env,
            login="essms_excess_tour_operator",
            password="essms_excess_tour_operator",
            groups="essms_billing.group_essms_operator",
            company_id=cls.company.id,
            lang="fr_FR",
            tz="Europe/Paris",
        )

    def test_operator_allocates_the_excess_of_a_posted_advice(self):
        dupont, roux = self.invoices
        self.assertEqual(roux.name, "FDV/2025/00002", "The tour types this number to pick the invoice.")
        remittance = self.env["essms.remittance"].create(
            {"partner_id": self.departement.id, "date": date(2025, 8, 20),
             "journal_id": self.company_data["default_journal_bank"].id}
        )
        self.env["essms.remittance.line"].create(
            {"remittance_id": remittance.id, "row": 2, "invoice_ref": dupont.name, "amount": 5687.68}
        )
        remittance.action_check()
        remittance.action_post()
        self.assertEqual(remittance.amount_credit_left, 1000.00)

        self.start_tour(
            "/odoo/action-essms_billing.essms_remittance_action/%s" % remittance.id,
            "essms_remittance_excess_tour",
            login=self.operator.login,
        )

        self.env.invalidate_all()
        self.assertRecordValues(
            dupont + roux,
            [{"payment_state": "paid", "amount_residual": 0.0},
             {"payment_state": "partial", "amount_residual": 4400.00}],
        )
        self.assertEqual(remittance.amount_credit_left, 0.0)

    def test_operator_splits_a_guardian_payment_per_person(self):
        udaf = self.env["res.partner"].create(
            {"name": "Tour UDAF 66", "is_company": True, "essms_payer_kind": "guardian"}
        )
        persons = {}
        for name, amount in (("Tour Lucie Bernard", 1000.00), ("Tour Paul Durand", 600.00)):
            beneficiary = self._create_resident(name, legal_protection="tutelle", protector_id=udaf.id).beneficiary_id
            persons[name] = beneficiary
            move = self.env["account.move"].create({
                "move_type": "out_invoice",
                "partner_id": beneficiary.partner_id.id,
                "journal_id": self.establishment.journal_id.id,
                "invoice_date": date(2025, 8, 1),
                "essms_beneficiary_id": beneficiary.id,
                "invoice_line_ids": [Command.create({
                    "name": "Contribution", "quantity": 1, "price_unit": amount, "tax_ids": [],
                    "account_id": self.company_data["default_account_revenue"].id,
                })],
            })
            move.action_post()

        self.start_tour("/odoo", "essms_payment_batch_split_tour", login=self.operator.login)

        self.env.invalidate_all()
        payments = self.env["account.payment"].search([("memo", "like", "CHQ 0077")])
        self.assertEqual(
            sorted((payment.partner_id.name, payment.amount) for payment in payments),
            [("Tour Lucie Bernard", 500.00), ("Tour Paul Durand", 300.00), ("Tour Paul Durand", 600.00)],
        )
        self.assertEqual(persons["Tour Lucie Bernard"].partner_id.credit, 500.00)
        self.assertEqual(persons["Tour Paul Durand"].partner_id.credit, -300.00)
