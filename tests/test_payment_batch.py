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
from odoo.tests import Form
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

    # Bank statement lines ---------------------------------------------------------------------------------

    def _statement_line(self, partner, amount, day, ref="VIR"):
        return self.env["account.bank.statement.line"].create(
            {"journal_id": self.bank.id, "date": day, "payment_ref": ref, "partner_id": partner.id, "amount": amount}
        )

    def test_transfer_reconciled_with_its_bank_statement_line(self):
        jean_line = self._statement_line(self.jean.partner_id, 723.32, date(2026, 11, 22), "VIR MARTIN NOV")
        paul_line = self._statement_line(self.paul.partner_id, 600.00, date(2026, 11, 18), "PRLV DURAND")
        # Not Jean's (another payer), not his amount, too far from the payment's date: none is taken.
        self._statement_line(self.marie.partner_id, 723.32, date(2026, 11, 20))
        self._statement_line(self.jean.partner_id, 723.00, date(2026, 11, 20))
        self._statement_line(self.jean.partner_id, 723.32, date(2026, 11, 1))
        batch = self._batch(
            {"partner_id": self.jean.partner_id.id, "amount": 723.32, "method": "transfer", "reference": "VIR"},
            {"partner_id": self.marie.partner_id.id, "amount": 723.32, "method": "cheque", "reference": "CHQ 1"},
            {"partner_id": self.paul.partner_id.id, "amount": 600.00, "method": "direct_debit", "reference": "PRLV"},
        )
        # The operator sees which lines are matched before registering.
        batch.action_find_statement_lines()
        self.assertEqual(batch.line_ids.mapped("statement_line_id"), jean_line | paul_line)
        self.assertFalse(batch.line_ids[1].statement_line_id, "a cheque is not matched with a transfer")
        batch.action_register()
        jean_payment = batch.payment_ids.filtered(lambda payment: payment.partner_id == self.jean.partner_id)
        self.assertTrue(jean_line.is_reconciled)
        self.assertTrue(paul_line.is_reconciled)
        self.assertTrue(jean_payment.is_matched)
        self.assertEqual(self.paul_sep.payment_state, "paid")
        self.assertEqual(self.jean_oct.payment_state, "paid")
        self.assertIn("VIR MARTIN NOV", jean_payment.message_ids[0].body)

    def test_a_statement_line_an_advice_holds_is_not_proposed_again(self):
        """One rule for a taken line (``essms.statement.matching._taken``): an advice holds its line until it is
        cancelled. The batch used to free the line of a posted advice whose bank reconciliation was undone, and
        proposed the same money for a resident's transfer."""
        jean_line = self._statement_line(self.jean.partner_id, 723.32, date(2026, 11, 22), "VIR MARTIN NOV")
        advice = self.env["essms.remittance"].create(
            {"partner_id": self.jean.partner_id.id, "date": date(2026, 11, 22), "journal_id": self.bank.id}
        )
        advice.statement_line_id = jean_line
        self.env.cr.execute("UPDATE essms_remittance SET state = 'posted' WHERE id = %s", [advice.id])
        advice.invalidate_recordset(["state"])
        batch = self._batch(
            {"partner_id": self.jean.partner_id.id, "amount": 723.32, "method": "transfer", "reference": "VIR"},
        )
        batch.action_find_statement_lines()
        self.assertFalse(batch.line_ids.statement_line_id)
        # Cancelled, the advice lets it go.
        self.env.cr.execute("UPDATE essms_remittance SET state = 'cancel' WHERE id = %s", [advice.id])
        advice.invalidate_recordset(["state"])
        batch.action_find_statement_lines()
        self.assertEqual(batch.line_ids.statement_line_id, jean_line)

    def test_guardian_transfer_split_as_given_and_reconciled_with_its_statement_line(self):
        # The UDAF says: 500,00 € for Lucie, 900,00 € for Paul. Lucie's 05/10 invoice is paid, her 05/11 one stays
        # owed (not the oldest-first 300,00 €); Paul's 600,00 € is paid and 300,00 € stay as Paul's credit.
        udaf_line = self._statement_line(self.udaf, 1400.00, date(2026, 11, 19), "VIR UDAF 66")
        with Form(self.env["essms.payment.batch"].with_user(self.operator)) as form:
            form.journal_id = self.bank
            form.date = date(2026, 11, 20)
            with form.line_ids.new() as line:
                line.partner_id = self.udaf
                line.amount = 1400.00
                line.method = "transfer"
                line.reference = "UDAF NOV"
            # One breakdown row per person the UDAF protects, with what they owe.
            rows = {row["beneficiary_id"]: row for row in form.split_ids._records}
            self.assertEqual(set(rows), {self.lucie.id, self.paul.id})
            self.assertEqual(rows[self.lucie.id]["amount_due"], 1000.00)
            self.assertEqual(rows[self.paul.id]["amount_due"], 600.00)
            for index in range(len(form.split_ids)):
                with form.split_ids.edit(index) as row:
                    row.amount = 500.00 if row.beneficiary_id == self.lucie else 900.00
        batch = form.record
        batch.action_register()
        self.assertEqual(
            sorted((payment.partner_id.name, payment.amount) for payment in batch.payment_ids),
            [("Lucie Bernard", 500.00), ("Paul Durand", 300.00), ("Paul Durand", 600.00)],
        )
        self.assertRecordValues(self.lucie_sep | self.lucie_oct | self.paul_sep, [
            {"payment_state": "paid", "amount_residual": 0.0},
            {"payment_state": "not_paid", "amount_residual": 500.00},
            {"payment_state": "paid", "amount_residual": 0.0},
        ])
        self.assertEqual(self.paul.partner_id.credit, -300.00, "Paul's share beyond his debt is his credit")
        self.assertTrue(udaf_line.is_reconciled)
        self.assertTrue(all(batch.payment_ids.mapped("is_matched")))

    def test_bad_breakdown_or_statement_line_named_and_nothing_written(self):
        before = self._payments()
        wrong_amount = self._statement_line(self.jean.partner_id, 700.00, date(2026, 11, 20))
        batch = self._batch(
            {"partner_id": self.udaf.id, "amount": 1400.00, "method": "transfer", "reference": "UDAF"},
            {"partner_id": self.jean.partner_id.id, "amount": 723.32, "method": "transfer", "reference": "VIR",
             "statement_line_id": wrong_amount.id},
        )
        batch.split_ids = [
            Command.create({"guardian_id": self.udaf.id, "beneficiary_id": self.lucie.id, "amount": 500.00}),
            Command.create({"guardian_id": self.udaf.id, "beneficiary_id": self.marie.id, "amount": 800.00}),
            Command.create({"guardian_id": self.family.id, "beneficiary_id": self.marie.id, "amount": 10.00}),
        ]
        with self.assertRaises(UserError) as error:
            batch.action_register()
        message = str(error.exception)
        self.assertIn("Breakdown per person, Famille Roux: no payment of this guardian in the batch.", message)
        self.assertIn("Line 1 (UDAF 66 – service mandataire), Breakdown per person: Marie Roux is not protected by "
                      "this payer.", message)
        self.assertIn("Line 1 (UDAF 66 – service mandataire), Breakdown per person: the amounts per person add up "
                      "to %s, the payment is of %s." % (self._money(1300.00), self._money(1400.00)), message)
        self.assertIn("Line 2 (Jean Martin), Bank statement line: %s is of %s, not of the payment's amount."
                      % (wrong_amount.display_name, self._money(700.00)), message)
        self.assertEqual(self._payments(), before)
        self.assertFalse(wrong_amount.is_reconciled)

    def test_failure_while_reconciling_the_statement_line_leaves_nothing(self):
        before = self._payments()
        jean_line = self._statement_line(self.jean.partner_id, 723.32, date(2026, 11, 20))
        batch = self._batch({"partner_id": self.jean.partner_id.id, "amount": 723.32, "method": "direct_debit",
                             "reference": "PRLV NOV"})
        with patch.object(type(batch), "_reconcile_statement_lines", side_effect=UserError("bank down")), \
                self.assertRaises(UserError):
            batch.action_register()
        self.assertEqual(self._payments(), before)
        self.assertEqual(self.jean_oct.payment_state, "not_paid")
        self.assertFalse(jean_line.is_reconciled)
