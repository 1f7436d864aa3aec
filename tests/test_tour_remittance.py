from datetime import date

from odoo import Command
from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon
from odoo.tests import tagged
from odoo.tests.common import new_test_user

from .billing_common import BillingCommon

JULY = date(2025, 7, 1)


@tagged("post_install", "-at_install")
class TestRemittanceTour(BillingCommon, AccountTestInvoicingHttpCommon):
    """The operator imports an advice in the web client, in French, fixes its unknown line by hand and posts it.

    The tour (static/src/tours/essms_remittance_tour.js) uploads the file and clicks; this test prepares the
    invoices it pays and checks what the web client really did, to the cent.
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
                    "essms_period_start": JULY,
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
            login="essms_remittance_tour_operator",
            password="essms_remittance_tour_operator",
            groups="essms_billing.group_essms_operator",
            company_id=cls.company.id,
            lang="fr_FR",
            tz="Europe/Paris",
        )

    def test_operator_imports_fixes_and_posts_an_advice(self):
        self.assertEqual(self.invoices[1].name, "FDV/2025/00002", "The tour types this number to pick the invoice.")
        self.start_tour("/odoo", "essms_remittance_tour", login=self.operator.login)

        self.env.invalidate_all()
        remittance = self.env["essms.remittance"].search([("partner_id", "=", self.departement.id)])
        self.assertEqual(len(remittance), 1, "The tour should have imported one advice.")
        self.assertRecordValues(
            remittance, [{"state": "posted", "amount_total": 4937.68, "amount_suspense": 0.0, "amount_excess": 0.0}]
        )
        self.assertEqual(remittance.create_uid, self.operator)
        self.assertEqual(
            [(line.beneficiary_name, line.match_method, line.status) for line in remittance.line_ids],
            [("Tour Dupont Marie", "beneficiary_period_amount", "matched"), ("Tour Rous Anne", "manual", "partial")],
        )
        dupont, roux = self.invoices
        self.assertRecordValues(
            dupont + roux,
            [{"payment_state": "paid", "amount_residual": 0.0},
             {"payment_state": "partial", "amount_residual": 5150.0}],
        )
        self.assertEqual(remittance.payment_id.amount, 4937.68)
