from datetime import date

from odoo import Command
from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon
from odoo.tests import tagged
from odoo.tests.common import new_test_user

from .billing_common import BillingCommon

AAH = 1033.32
CONTRIBUTION = 700.00
MONTHS = (date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1))


@tagged("post_install", "-at_install")
class TestResidentMoneyTour(BillingCommon, AccountTestInvoicingHttpCommon):
    """The operator computes and pays over a quarter's contributions in the web client, in French, by clicks only.

    The tour (static/src/tours/essms_resident_money_tour.js) clicks; this test prepares the 467 account and checks
    what the web client really did, to the cent.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        account = cls.env["account.account"].create(
            {"code": "467100", "name": "Fonds déposés des résidents", "account_type": "liability_current",
             "company_ids": [Command.set(cls.company.ids)]}
        )
        bank = cls.company_data["default_journal_bank"]
        cls.company.write({"essms_third_party_account_id": account.id, "essms_third_party_journal_id": bank.id})
        cls.departement.essms_transfer_rhythm = "quarterly"
        cls.paul = cls._create_resident("Paul Martin", entry=date(2025, 1, 1)).beneficiary_id
        cls.paul.decision_ids.write({"contribution_mode": "income_collected", "contribution_monthly": CONTRIBUTION})
        money = cls.env["essms.resident.money"]
        for month in MONTHS:
            cls._validated_statement(cls.establishment, month)
            run = cls._run(cls.establishment, month)
            run.action_compute()
            run.action_invoice()
            line = cls.env["account.bank.statement.line"].create(
                {"journal_id": bank.id, "date": month.replace(day=5), "payment_ref": "CAF AAH", "amount": AAH}
            )
            money._record_income(line, cls.paul, "aah", month)
            money._pay_pocket_money(cls.company, month, cls.paul)
        cls.transfer = cls.env["essms.third.party.transfer"].create(
            {"payer_id": cls.departement.id, "period_start": date(2026, 2, 1), "date": date(2026, 4, 15)}
        )
        cls.operator = new_test_user(
            cls.env,
            login="essms_money_tour_operator",
            password="essms_money_tour_operator",
            groups="essms_billing.group_essms_operator",
            company_id=cls.company.id,
            lang="fr_FR",
            tz="Europe/Paris",
        )

    def test_operator_computes_and_pays_over_the_recap(self):
        action = self.env.ref("essms_billing.essms_third_party_transfer_action")
        self.start_tour("/odoo/action-%s" % action.id, "essms_resident_money_tour", login=self.operator.login)
        self.env.invalidate_all()
        self.assertRecordValues(self.transfer, [{
            "state": "posted", "amount_income": 3099.96, "amount_minimum_left": 999.96,
            "amount_contribution": 2100.00, "amount_paid_over": 2100.00,
        }])
        self.assertEqual(self.transfer.line_ids.mapped("month"), list(MONTHS))
        self.assertEqual(len(self.transfer.move_ids), 3)
        self.assertEqual(self.transfer.move_ids.create_uid, self.operator, "Paid over by the operator's click.")
        balance = self.env["essms.resident.money"]._balances(self.company, self.paul.partner_id)
        self.assertAlmostEqual(balance.get(self.paul.partner_id.id, 0.0), 0.0)
