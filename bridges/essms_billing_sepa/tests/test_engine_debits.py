"""engine/debits.py without a database: collection dates, every refusal named."""

from datetime import date

from odoo.tests import BaseCase

from ..engine import debits

TODAY = date(2025, 8, 5)
GOOD = "FR76 1010 7001 0112 3456 7890 129"


def candidate(invoice_id, **vals):
    return debits.Candidate(
        invoice_id=invoice_id,
        amount_due=vals.pop("amount_due", 723.32),
        due=vals.pop("due", date(2025, 9, 4)),
        mandate_id=vals.pop("mandate_id", 1),
        iban=vals.pop("iban", GOOD),
        **vals,
    )


class TestEngineDebits(BaseCase):
    def test_one_order_per_collection_date_a_past_due_date_collected_today(self):
        plan = debits.plan(
            [candidate(1), candidate(2, due=date(2025, 8, 1)), candidate(3), candidate(4, due=TODAY)], TODAY
        )
        self.assertEqual(plan.problems, ())
        self.assertEqual(plan.orders, {TODAY: (2, 4), date(2025, 9, 4): (1, 3)})

    def test_every_problem_of_every_invoice_is_named(self):
        plan = debits.plan(
            [
                candidate(1),
                candidate(2, mandate_id=None, iban=None),
                candidate(3, iban="FR76 1010 7001 0112 3456 7890 128"),
                candidate(4, hold="Litige", order="PAY0001"),
                candidate(5, amount_due=0.0),
            ],
            TODAY,
        )
        self.assertEqual(
            [(p.invoice_id, p.kind, p.detail) for p in plan.problems],
            [
                (2, debits.MISSING_MANDATE, None),
                (3, debits.BAD_IBAN, "FR76 1010 7001 0112 3456 7890 128"),
                (4, debits.ALREADY_IN_ORDER, "PAY0001"),
                (4, debits.HELD, "Litige"),
                (5, debits.NOTHING_DUE, None),
            ],
        )
        self.assertEqual(plan.orders, {date(2025, 9, 4): (1,)})

    def test_iban_check_digits(self):
        self.assertTrue(debits.iban_is_valid("FR7630004000031234567890143"))
        self.assertFalse(debits.iban_is_valid("FR7630004000031234567890144"))
        self.assertFalse(debits.iban_is_valid("FR76 3000 4000 0312 3456"))
        self.assertFalse(debits.iban_is_valid(""))
        self.assertFalse(debits.iban_is_valid(None))
