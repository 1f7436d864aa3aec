from datetime import date
from datetime import timedelta

import pytz

from odoo.tests import HttpCase
from odoo.tests import tagged
from odoo.tests.common import new_test_user


@tagged("post_install", "-at_install")
class TestReferentialTour(HttpCase):
    """The operator's referential journey in the web client, in French: beneficiary, stay, hospital absence.

    The tour (static/src/tours/essms_referential_tour.js) types the values; this test prepares what an
    operator finds in place (an establishment with an agreement and an absence policy) and checks what the
    web client really wrote.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        company = cls.env.company
        payer = cls.env["res.partner"].create(
            {
                "name": "Département tour des Pyrénées-Orientales",
                "is_company": True,
                "essms_payer_kind": "departement",
                "company_id": company.id,
            }
        )
        cls.establishment = cls.env["essms.establishment"].create(
            {
                "name": "Foyer de vie Tour Les Albères",
                "code": "TOURFV",
                "finess": "660012345",
                "kind": "foyer_vie",
                "capacity": 40,
                "company_id": company.id,
            }
        )
        # The quota shown on the file comes from the absence policy of the establishment's agreement.
        policy = cls.env["essms.absence.policy"].create(
            {"name": "RDAS tour", "payer_id": payer.id, "company_id": company.id, "quota_days": 30}
        )
        cls.env["essms.agreement"].create(
            {
                "name": "Convention tour",
                "establishment_id": cls.establishment.id,
                "payer_id": payer.id,
                "absence_policy_id": policy.id,
                "date_start": date(date.today().year - 1, 1, 1),
            }
        )
        # The operator group alone, the least privilege for this journey: it implies contact creation, the
        # resident's contact is created on the fly from the file.
        cls.operator = new_test_user(
            cls.env,
            login="essms_tour_operator",
            password="essms_tour_operator",
            groups="essms_billing.group_essms_operator",
            company_id=company.id,
            lang="fr_FR",
            tz="Europe/Paris",
        )

    def test_operator_records_beneficiary_stay_and_hospital_absence(self):
        self.start_tour("/odoo", "essms_referential_tour", login=self.operator.login)

        self.env.invalidate_all()
        year = date.today().year
        beneficiary = self.env["essms.beneficiary"].search([("file_number", "=", "TOUR-0042")])
        self.assertEqual(len(beneficiary), 1, "The tour should have created one beneficiary file TOUR-0042.")
        self.assertEqual(beneficiary.partner_id.name, "Tour Résident Martin")
        self.assertEqual(
            beneficiary.partner_id.essms_payer_kind,
            "resident",
            "A contact created on the fly from the file is the resident, who pays their contribution.",
        )
        self.assertEqual(beneficiary.company_id, self.env.company)
        self.assertEqual(beneficiary.create_uid, self.operator)

        stay = beneficiary.stay_ids
        self.assertEqual(len(stay), 1)
        self.assertEqual(stay.establishment_id, self.establishment)
        self.assertEqual(stay.accommodation, "full_board")
        self.assertEqual(stay.date_start, date(year, 1, 1))
        self.assertFalse(stay.date_end)
        self.assertEqual(beneficiary.current_stay_id, stay)

        absence = beneficiary.absence_ids
        self.assertEqual(len(absence), 1, "The hospital absence should be recorded on the beneficiary's stay.")
        self.assertEqual(absence.stay_id, stay)
        self.assertEqual(absence.kind, "hospital")
        self.assertEqual(absence.note, "Hospitalisation tour CH Perpignan")
        self.assertEqual(absence.create_uid, self.operator)
        # 5 January 10:00 to 9 January 12:00 as typed in the browser: over the 72-hour threshold.
        self.assertAlmostEqual(absence.duration_hours, 98.0)
        self.assertEqual(absence.duration_days, 5)
        paris = pytz.timezone("Europe/Paris")
        local_start, local_end = (
            pytz.utc.localize(value).astimezone(paris).date() for value in (absence.date_start, absence.date_end)
        )
        self.assertEqual((local_start, local_end), (date(year, 1, 5), date(year, 1, 9)))
        self.assertGreater(absence.date_end - absence.date_start, timedelta(hours=72))

        self.assertEqual(beneficiary.hospital_days_year, 5)
        self.assertEqual(beneficiary.absence_days_year, 5)
        self.assertEqual(beneficiary.absence_quota_days, 30)
