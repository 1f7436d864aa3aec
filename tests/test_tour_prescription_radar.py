from datetime import date

from odoo import Command
from odoo import fields
from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon
from odoo.tests import tagged
from odoo.tests.common import new_test_user

from .test_dunning import OPERATOR
from .test_dunning import DunningCommon


@tagged("post_install", "-at_install")
class TestPrescriptionRadarTour(DunningCommon, AccountTestInvoicingHttpCommon):
    """The operator opens the prescription radar in the web client, in French, and sends a département the written
    payment demand that interrupts its claim's prescription (static/src/tours/essms_prescription_radar_tour.js)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.payer = cls._create_payer("Tour Département")
        # Billed for November four years ago: time-barred on the next 1 January, always within the radar's 12 months.
        today = fields.Date.context_today(cls.env["account.move"])
        cls.claim = cls._invoice(cls.payer, amount=1486.20, due=date(today.year - 4, 11, 30))
        cls.tour_operator = new_test_user(
            cls.env, login="essms_radar_tour_operator", password="essms_radar_tour_operator", groups=OPERATOR,
            company_id=cls.company.id, company_ids=[Command.set(cls.company.ids)], lang="fr_FR", tz="Europe/Paris",
        )

    def test_operator_sends_a_written_demand_from_the_radar(self):
        barred = self.claim.essms_prescription_date
        self.start_tour("/odoo", "essms_prescription_radar_tour", login=self.tour_operator.login)
        self.env.invalidate_all()
        event = self.claim.essms_recovery_event_ids
        self.assertEqual((event.kind, event.create_uid), ("written_demand", self.tour_operator))
        self.assertGreater(self.claim.essms_prescription_date, barred, "the demand interrupted the prescription")
