from datetime import date

from odoo import Command
from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon
from odoo.tests import tagged
from odoo.tests.common import new_test_user

from .billing_common import BillingCommon

MARCH = date(2026, 3, 1)


@tagged("post_install", "-at_install")
class TestSituationTour(BillingCommon, AccountTestInvoicingHttpCommon):
    """The operator fills in a MAS resident's situation in the web client, in French, and bills him (billing-rules
    §9, §10): the run of March had left him out, his fund and resources missing (a blocked line); the tour fills in
    the tab *Situation pour la facturation* and computes the run again. Worked example F with a third payer: the fund
    245,80 a day, the resident 12 days of daily hospital fee, the mutual insurance the other 19."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        partner = cls.env["res.partner"]
        cls.cpam = partner.create({"name": "CPAM tour des Pyrénées-Orientales", "essms_payer_kind": "health_insurance"})
        cls.mutual = partner.create({"name": "Mutuelle tour Catalane", "essms_payer_kind": "other"})
        cls.mas = cls._create_establishment("TMAS", "MAS tour La Tramontane", tariff=0)
        cls.mas.kind = "mas"
        accommodation = cls.mas.agreement_ids
        accommodation.write({"payer_rule": "health_fund", "payer_id": False})
        cls.env["essms.tariff"].create({"agreement_id": accommodation.id, "kind": "accommodation",
                                        "date_from": date(2024, 1, 1), "amount": 245.80})
        cls.env["essms.agreement"].create({
            "name": "MAS tour – forfait journalier", "establishment_id": cls.mas.id, "component": "fjh",
            "payer_rule": "resident", "absence_policy_id": cls.policy.id, "date_start": date(2024, 1, 1),
        })
        cls.stay = cls._create_resident("Tour Résident Blaise Ferrer", establishment=cls.mas, decision=None)
        cls._validated_statement(cls.mas, MARCH)
        cls.march_run = cls._run(cls.mas, MARCH)
        cls.march_run.action_compute()
        cls.operator = new_test_user(
            cls.env, login="essms_situation_tour_operator", password="essms_situation_tour_operator",
            groups="essms_billing.group_essms_operator", company_id=cls.company.id, lang="fr_FR",
            tz="Europe/Paris",
        )
        cls.operator.company_ids = [Command.link(cls.company.id)]

    def test_operator_fills_in_the_situation_and_bills_the_resident(self):
        self.assertEqual(self.march_run.line_ids.mapped("blocked"), [True])
        self.start_tour("/odoo", "essms_situation_tour", login=self.operator.login)
        self.env.invalidate_all()
        situation = self.stay.beneficiary_id.situation_ids
        self.assertRecordValues(situation, [{
            "date_from": date(2026, 1, 1), "resources_monthly": 600.0, "resources_known": True,
            "health_fund_id": self.cpam.id, "fjh_third_payer_id": self.mutual.id, "create_uid": self.operator.id,
        }])
        self.assertEqual(self.march_run.state, "computed")
        lines = {line.payer_id: line for line in self.march_run.line_ids}
        self.assertFalse(self.march_run.line_ids.filtered("blocked"))
        resident = self.stay.beneficiary_id.partner_id
        self.assertEqual(set(lines), {self.cpam, resident, self.mutual})
        self.assertAlmostEqual(lines[self.cpam].amount, 7619.80)
        self.assertAlmostEqual(lines[resident].amount, 276.00)
        self.assertAlmostEqual(lines[self.mutual].amount, 437.00)
