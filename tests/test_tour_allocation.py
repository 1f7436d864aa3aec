from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon
from odoo.fields import Date
from odoo.tests import tagged
from odoo.tests.common import new_test_user

from .billing_common import BillingCommon


@tagged("post_install", "-at_install")
class TestAllocationTour(BillingCommon, AccountTestInvoicingHttpCommon):
    """In the web client: the operator calls this month's twelfth of an ESAT's allocation (billing-rules §12) with
    *Facturation > Appeler les douzièmes* (static/src/tours/essms_allocation_call_tour.js): one posted invoice of
    1 248 000,00 / 12 = 104 000,00 to the ARS."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        ars = cls.env["res.partner"].create({"name": "ARS Tour", "is_company": True, "essms_payer_kind": "state"})
        cls.esat = cls._create_establishment("TOUR", "ESAT Tour", tariff=None)
        cls.agreement = cls.esat.agreement_ids
        cls.agreement.write({"name": "ARS – ESAT Tour", "payer_id": ars.id, "financing": "global_allocation"})
        cls.year = Date.context_today(cls.env.user).year
        cls.env["essms.allocation"].create({"agreement_id": cls.agreement.id, "year": cls.year, "amount": 1248000.0})
        cls.operator = new_test_user(
            cls.env, login="essms_allocation_tour_operator", password="essms_allocation_tour_operator",
            groups="essms_billing.group_essms_operator", company_id=cls.company.id, lang="fr_FR",
            tz="Europe/Paris",
        )

    def test_operator_calls_the_twelfths(self):
        self.start_tour(
            "/odoo/action-essms_billing.essms_allocation_call_action", "essms_allocation_call_tour",
            login=self.operator.login,
        )
        call = self.env["essms.allocation.call"].search([("agreement_id", "=", self.agreement.id)])
        self.assertEqual(len(call), 1)
        self.assertRecordValues(call, [{"year": self.year, "amount": 104000.0, "create_uid": self.operator.id}])
        self.assertEqual(call.move_id.state, "posted")
        self.assertEqual(call.move_id.amount_total, 104000.0)
