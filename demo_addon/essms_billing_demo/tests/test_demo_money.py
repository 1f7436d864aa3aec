"""The demo's residents' money: a generated resident whose income is collected, billed by the demo's own monthly
runs, the AAH received for three months, the minimum left paid, two months paid over with their recap and the
third left for the operator; once the operator pays it over, the 467 balance is 0.

The generator runs into a company created by the test, as the demo data run it into the main company, on a day
fixed here (the demo uses the day it is installed): nothing here relies on the demo data being loaded.
"""

from datetime import date

from odoo.tests import TransactionCase
from odoo.tests import tagged

DATE_REF = date(2026, 3, 2)
NOVEMBER, DECEMBER, JANUARY = date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1)


@tagged("post_install", "-at_install")
class TestDemoMoney(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        generator = cls.env["essms.demo.generator"]
        cls.company = cls.env["res.company"].create({"name": "Association de démonstration"})
        generator._setup_company(cls.company)
        generator.generate(60, seed=66, company=cls.company, date_ref=DATE_REF)
        cls.billing = generator._setup_billing_scenarios(cls.company, date_ref=DATE_REF)
        cls.money = generator._setup_money_scenario(cls.company, date_ref=DATE_REF)
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=[cls.company.id]))
        cls.person = cls.money["beneficiary"]
        cls.service = cls.env["essms.resident.money"]

    def _balance(self):
        partner = self.person.partner_id
        return self.service._balances(self.company, partner).get(partner.id, 0.0)

    def test_a_resident_of_the_normal_runs_whose_income_is_collected(self):
        decision = self.money["decision"]
        self.assertEqual(self.person.name, "Christophe Gauthier")
        self.assertRecordValues(decision, [{"state": "granted", "contribution_mode": "income_collected",
                                            "contribution_monthly": 723.32}])
        self.assertEqual(decision.payer_id.name, "Département des Pyrénées-Orientales")
        # Billed by the demo's regular runs (no recall): the département the gross, the contribution on 467.
        runs = self.billing["earlier_runs"] | self.billing["run"]
        lines = runs.line_ids.filtered(lambda line: line.beneficiary_id == self.person)
        self.assertEqual(set(lines.run_id.mapped("kind")), {"regular"})
        payer_lines = lines.filtered(lambda line: line.role == "payer").sorted("period_start")
        self.assertEqual(payer_lines.mapped("period_start"), [NOVEMBER, DECEMBER, JANUARY])
        self.assertEqual(payer_lines.mapped("gross_amount"), [5535.0, 5719.5, 5719.5])  # 30 and 31 days x 184,50
        self.assertEqual(payer_lines.mapped("amount"), [5535.0, 5719.5, 5719.5])
        self.assertEqual(payer_lines.mapped("third_party_amount"), [723.32, 723.32, 723.32])
        self.assertFalse(lines.filtered(lambda line: line.role == "resident" and line.amount))
        self.assertFalse(self.env["account.move"].search([("partner_id", "=", self.person.partner_id.id),
                                                          ("move_type", "=", "out_invoice")]))

    def test_income_pocket_money_and_transfers_to_the_cent(self):
        incomes, pocket, transfers = self.money["incomes"], self.money["pocket_money"], self.money["transfers"]
        # The CAF's AAH, received on the 5th of the next month, matched from the bank statement lines.
        self.assertEqual([(move.date, move.essms_period_start, move.essms_income_source, move.essms_third_party_amount)
                          for move in incomes],
                         [(date(2025, 12, 5), NOVEMBER, "aah", 1033.32), (date(2026, 1, 5), DECEMBER, "aah", 1033.32),
                          (date(2026, 2, 5), JANUARY, "aah", 1033.32)])
        self.assertEqual(set(incomes.mapped("state")), {"posted"})
        statement_lines = self.env["account.bank.statement.line"].search([("move_id", "in", incomes.ids)])
        self.assertEqual(statement_lines.partner_id, self.person.partner_id)
        self.assertEqual(statement_lines.sorted("date").mapped("payment_ref"), [
            "CAF AAH 11/2025 CHRISTOPHE GAUTHIER", "CAF AAH 12/2025 CHRISTOPHE GAUTHIER",
            "CAF AAH 01/2026 CHRISTOPHE GAUTHIER"])
        # The minimum left, 1 033,32 - 723,32 = 310,00 a month, paid to him (no protection) on the 10th.
        self.assertEqual([(move.date, move.essms_third_party_amount) for move in pocket],
                         [(date(2025, 12, 10), 310.0), (date(2026, 1, 10), 310.0), (date(2026, 2, 10), 310.0)])
        # Two months paid over to the CD66 with their recap; the third computed, for the operator to pay over.
        self.assertEqual(transfers.mapped("state"), ["posted", "posted", "computed"])
        self.assertEqual(transfers.mapped("period_start"), [NOVEMBER, DECEMBER, JANUARY])
        self.assertEqual(transfers.mapped("date"), [date(2025, 12, 20), date(2026, 1, 20), date(2026, 2, 20)])
        for transfer in transfers:
            self.assertRecordValues(transfer.line_ids, [{"beneficiary_id": self.person.id, "income": 1033.32,
                                                         "minimum_left": 310.0, "contribution": 723.32,
                                                         "paid_over": 723.32}])
        self.assertEqual(transfers[:2].move_ids.mapped("essms_third_party_amount"), [723.32, 723.32])
        # The recaps' totals are the 467 movements: 3 x 1 033,32 in, 3 x 310,00 and 2 x 723,32 out.
        self.assertAlmostEqual(self._balance(), 723.32, places=2)
        rows, balance = self.service._statement(self.person)
        self.assertEqual(len(rows), 8)
        self.assertAlmostEqual(sum(row["received"] for row in rows), 3099.96, places=2)
        self.assertAlmostEqual(sum(row["paid"] for row in rows), 930.0 + 1446.64, places=2)
        self.assertAlmostEqual(balance, 723.32, places=2)

        # The operator pays the third month over: the balance is 0.
        transfers[-1].action_post()
        self.assertEqual(transfers[-1].move_ids.mapped("essms_third_party_amount"), [723.32])
        self.assertAlmostEqual(self._balance(), 0.0, places=2)
        self.assertEqual(sum(transfers.mapped("amount_income")), 3099.96)
        self.assertEqual(sum(transfers.mapped("amount_minimum_left")), 930.0)
        self.assertEqual(sum(transfers.mapped("amount_paid_over")), 2169.96)
