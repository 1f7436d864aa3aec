"""Residents' payments in a batch (issue 4, item 2): oldest invoices first, a guardian's payment split per
protected person, a direct-debit return that reopens the invoice, bad input refused whole.

The residents' invoices (figures to the cent):
- Marie Roux: September 723,32 € due 10/10/2026, October 723,32 € due 10/11/2026;
- under the tutelle of the UDAF 66: Lucie Bernard, 500,00 € due 05/10/2026 and 500,00 € due 05/11/2026;
  Paul Durand, 600,00 € due 10/10/2026;
- Jean Martin: October 723,32 € due 10/11/2026.
"""

from datetime import date
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import new_test_user
from odoo.tests import tagged

from .billing_common import BillingCommon

OPERATOR = "essms_billing.group_essms_operator"
ESTABLISHMENT = "essms_billing.group_essms_establishment"


@tagged("post_install", "-at_install")
class TestPaymentBatch(BillingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bank = cls.company_data["default_journal_bank"]
        cls.udaf = cls.env["res.partner"].create(
            {"name": "UDAF 66 – service mandataire", "is_company": True, "essms_payer_kind": "guardian"}
        )
        cls.family = cls.env["res.partner"].create({"name": "Famille Roux", "essms_payer_kind": "family"})
        cls.marie = cls._create_resident("Marie Roux").beneficiary_id
        cls.lucie = cls._create_resident("Lucie Bernard", legal_protection="tutelle", protector_id=cls.udaf.id)
        cls.lucie = cls.lucie.beneficiary_id
        cls.paul = cls._create_resident("Paul Durand", legal_protection="tutelle", protector_id=cls.udaf.id)
        cls.paul = cls.paul.beneficiary_id
        cls.jean = cls._create_resident("Jean Martin").beneficiary_id
        cls.marie_sep = cls._invoice(cls.marie, 723.32, date(2026, 10, 10))
        cls.marie_oct = cls._invoice(cls.marie, 723.32, date(2026, 11, 10))
        cls.lucie_sep = cls._invoice(cls.lucie, 500.00, date(2026, 10, 5))
        cls.lucie_oct = cls._invoice(cls.lucie, 500.00, date(2026, 11, 5))
        cls.paul_sep = cls._invoice(cls.paul, 600.00, date(2026, 10, 10))
        cls.jean_oct = cls._invoice(cls.jean, 723.32, date(2026, 11, 10))
        cls.operator = new_test_user(cls.env, "payments_operator", groups=OPERATOR)

    @classmethod
    def _invoice(cls, beneficiary, amount, due):
        move = cls.env["account.move"].create({
            "move_type": "out_invoice",
            "partner_id": beneficiary.partner_id.id,
            "journal_id": cls.establishment.journal_id.id,
            "invoice_date": date(2026, 10, 1),
            "invoice_payment_term_id": False,
            "invoice_date_due": due,
            "essms_establishment_id": cls.establishment.id,
            "essms_beneficiary_id": beneficiary.id,
            "invoice_line_ids": [Command.create({
                "name": "Contribution",
                "quantity": 1,
                "price_unit": amount,
                "tax_ids": [],
                "account_id": cls.company_data["default_account_revenue"].id,
            })],
        })
        move.action_post()
        return move

    def _batch(self, *lines, user=None):
        return self.env["essms.payment.batch"].with_user(user or self.operator).create({
            "journal_id": self.bank.id,
            "date": date(2026, 11, 20),
            "line_ids": [Command.create(line) for line in lines],
        })

    def _payments(self):
        return self.env["account.payment"].search([("company_id", "=", self.company.id)])

    def test_cheque_settles_the_oldest_invoice_first(self):
        batch = self._batch({"partner_id": self.marie.partner_id.id, "amount": 1000.00, "method": "cheque",
                             "reference": "CHQ 0012345"})
        batch.action_register()
        self.assertRecordValues(self.marie_sep | self.marie_oct, [
            {"payment_state": "paid", "amount_residual": 0.0},
            {"payment_state": "partial", "amount_residual": 446.64},
        ])
        self.assertRecordValues(batch.payment_ids, [
            {"partner_id": self.marie.partner_id.id, "amount": 1000.00, "date": date(2026, 11, 20),
             "memo": "Cheque – CHQ 0012345"},
        ])

    def test_excess_stays_as_the_payer_credit(self):
        batch = self._batch({"partner_id": self.jean.partner_id.id, "amount": 800.00, "method": "transfer",
                             "reference": "VIR MARTIN"})
        batch.action_register()
        self.assertEqual(self.jean_oct.payment_state, "paid")
        self.assertEqual(sorted(batch.payment_ids.mapped("amount")), [76.68, 723.32])
        credit = batch.payment_ids.filtered(lambda payment: payment.amount == 76.68)
        self.assertEqual(credit.partner_id, self.jean.partner_id)
        self.assertEqual(self.jean.partner_id.credit, -76.68, "the excess is owed back to Jean Martin")

    def test_family_pays_chosen_invoices_of_the_resident(self):
        batch = self._batch({"partner_id": self.family.id, "amount": 723.32, "method": "transfer",
                             "reference": "VIR ROUX", "invoice_ids": [Command.set(self.marie_oct.ids)]})
        batch.action_register()
        self.assertEqual(self.marie_oct.payment_state, "paid")
        self.assertEqual(self.marie_sep.payment_state, "not_paid", "the chosen invoice, not the oldest")
        self.assertEqual(batch.payment_ids.partner_id, self.marie.partner_id)
        self.assertEqual(batch.payment_ids.memo, "Transfer – VIR ROUX – paid by Famille Roux")

    def test_guardian_payment_split_per_protected_person(self):
        # 1 400,00 € from the UDAF: Lucie's 05/10 (500,00), Paul's 10/10 (600,00), Lucie's 05/11 in part (300,00).
        self.assertEqual(self.lucie_sep.essms_address_partner_id, self.udaf)
        batch = self._batch({"partner_id": self.udaf.id, "amount": 1400.00, "method": "transfer",
                             "reference": "UDAF NOV"})
        batch.action_register()
        by_person = {payment.partner_id: payment.amount for payment in batch.payment_ids}
        self.assertEqual(by_person, {self.lucie.partner_id: 800.00, self.paul.partner_id: 600.00})
        self.assertRecordValues(self.lucie_sep | self.lucie_oct | self.paul_sep, [
            {"payment_state": "paid", "amount_residual": 0.0},
            {"payment_state": "partial", "amount_residual": 200.00},
            {"payment_state": "paid", "amount_residual": 0.0},
        ])
        self.assertTrue(all("paid by UDAF 66" in memo for memo in batch.payment_ids.mapped("memo")))

    def test_direct_debit_return_reopens_the_invoice(self):
        debit = self._batch({"partner_id": self.jean.partner_id.id, "amount": 723.32, "method": "direct_debit",
                             "reference": "PRLV NOV"})
        debit.action_register()
        payment = debit.payment_ids
        self.assertEqual(self.jean_oct.payment_state, "paid")

        returned = self._batch({"kind": "direct_debit_return", "returned_payment_id": payment.id,
                                "partner_id": self.jean.partner_id.id, "amount": 723.32,
                                "reference": "AM04 provision insuffisante", "date": date(2026, 11, 25)})
        returned.action_register()
        self.assertEqual(self.jean_oct.payment_state, "not_paid")
        self.assertEqual(self.jean_oct.amount_residual, 723.32)
        self.assertEqual(payment.state, "rejected")
        reversal = self.env["account.move"].search([("reversed_entry_id", "=", payment.move_id.id)])
        self.assertEqual(reversal.date, date(2026, 11, 25))
        self.assertEqual(reversal.state, "posted")
        self.assertIn("AM04", reversal.ref)
        self.assertEqual(self.jean.partner_id.credit, 723.32, "Jean Martin owes the invoice again")
        # Returning it twice is refused.
        again = self._batch({"kind": "direct_debit_return", "returned_payment_id": payment.id,
                             "partner_id": self.jean.partner_id.id, "amount": 723.32})
        with self.assertRaises(UserError) as error:
            again.action_register()
        self.assertIn("is not a posted incoming payment", str(error.exception))

    def test_bad_lines_named_and_nothing_written(self):
        before = self._payments()
        batch = self._batch(
            {"partner_id": self.marie.partner_id.id, "amount": 100.00, "method": "transfer", "reference": "OK"},
            {"partner_id": False, "amount": 50.00, "method": "transfer"},
            {"partner_id": self.jean.partner_id.id, "amount": -20.00, "method": "transfer"},
            {"partner_id": self.jean.partner_id.id, "amount": 20.00, "method": "cheque"},
            {"kind": "direct_debit_return", "partner_id": self.jean.partner_id.id, "amount": 723.32},
        )
        with self.assertRaises(UserError) as error:
            batch.action_register()
        message = str(error.exception)
        self.assertIn("Line 2 (?), Payer: the payer is missing.", message)
        self.assertIn("Line 3 (Jean Martin), Amount: the amount must be positive.", message)
        self.assertIn("Line 4 (Jean Martin), Reference: give the cheque number.", message)
        self.assertIn("Line 5 (Jean Martin), Returned payment: choose the payment the bank returned.", message)
        self.assertNotIn("Line 1", message)
        self.assertEqual(self._payments(), before)
        self.assertEqual(self.marie_sep.payment_state, "not_paid")

    def test_return_of_another_amount_refused(self):
        debit = self._batch({"partner_id": self.jean.partner_id.id, "amount": 723.32, "method": "direct_debit",
                             "reference": "PRLV NOV"})
        debit.action_register()
        batch = self._batch({"kind": "direct_debit_return", "returned_payment_id": debit.payment_ids.id,
                             "partner_id": self.marie.partner_id.id, "amount": 700.00})
        with self.assertRaises(UserError) as error:
            batch.action_register()
        self.assertIn("Line 1 (Marie Roux), Payer:", str(error.exception))
        self.assertIn("Line 1 (Marie Roux), Amount:", str(error.exception))
        self.assertEqual(self.jean_oct.payment_state, "paid")

    def test_failure_while_registering_leaves_nothing(self):
        before = self._payments()
        batch = self._batch(
            {"partner_id": self.marie.partner_id.id, "amount": 723.32, "method": "transfer", "reference": "A"},
            {"partner_id": self.udaf.id, "amount": 1100.00, "method": "transfer", "reference": "B"},
        )
        with patch.object(type(batch), "_register_returns", side_effect=UserError("bank down")), \
                self.assertRaises(UserError):
            batch.action_register()
        self.assertEqual(self._payments(), before)
        self.assertEqual(self.marie_sep.payment_state, "not_paid")
        self.assertEqual(self.lucie_sep.payment_state, "not_paid")

    def test_establishment_user_cannot_register_payments(self):
        secretary = new_test_user(self.env, "payments_secretary", groups=ESTABLISHMENT)
        with self.assertRaises(AccessError):
            self._batch({"partner_id": self.marie.partner_id.id, "amount": 10.0}, user=secretary)
