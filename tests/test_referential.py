"""Integrity of the referential: what an operator may not record, what must pass, what cannot be deleted."""

from datetime import date
from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import new_test_user
from odoo.tests import tagged

from .common import EssmsReferentialCase


@tagged("post_install", "-at_install")
class TestStayIntegrity(EssmsReferentialCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_establishment = cls._create_establishment("Foyer d'hébergement Le Canigou", code="CAN")
        cls.jeanne = cls._create_beneficiary("Jeanne Martin")

    def test_overlapping_full_board_stays_refused(self):
        self._create_stay(self.jeanne, self.establishment, date(2025, 1, 1), date(2025, 6, 30))
        with self.assertRaises(ValidationError) as error:
            self._create_stay(self.jeanne, self.other_establishment, date(2025, 6, 1))
        self.assertMessageNames(
            error, "Jeanne Martin", "Foyer d'hébergement Le Canigou", "Foyer de vie Les Albères", "Entry date",
            "Exit date", date(2025, 6, 1),
        )

    def test_a_french_user_reads_the_message_in_french(self):
        """i18n/fr.po is loaded with the addon: the operator reads the refusal in French, dates as dd/mm/yyyy."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self._create_stay(self.jeanne, self.establishment, date(2025, 1, 1), date(2025, 6, 30))
        with self.assertRaises(ValidationError) as error:
            self.env["essms.stay"].with_context(lang="fr_FR").create(
                {
                    "beneficiary_id": self.jeanne.id,
                    "establishment_id": self.other_establishment.id,
                    "date_start": date(2025, 6, 1),
                }
            )
        self.assertIn("Le séjour de Jeanne Martin", str(error.exception))
        self.assertIn("01/06/2025", str(error.exception))
        self.assertIn("Date de sortie", str(error.exception))

    def test_open_stay_overlaps_every_later_stay(self):
        self._create_stay(self.jeanne, self.establishment, date(2025, 1, 1))
        with self.assertRaises(ValidationError) as error:
            self._create_stay(self.jeanne, self.other_establishment, date(2027, 1, 1), accommodation="temporary")
        self.assertMessageNames(error, "Jeanne Martin", "no end")

    def test_overlap_found_when_an_existing_stay_is_extended(self):
        first = self._create_stay(self.jeanne, self.establishment, date(2025, 1, 1), date(2025, 3, 31))
        self._create_stay(self.jeanne, self.other_establishment, date(2025, 4, 1))
        with self.assertRaises(ValidationError) as error:
            first.date_end = date(2025, 4, 15)
        self.assertMessageNames(error, "Jeanne Martin")

    def test_one_day_stay_inside_another_refused(self):
        self._create_stay(self.jeanne, self.establishment, date(2025, 1, 1), date(2025, 3, 31))
        with self.assertRaises(ValidationError):
            self._create_stay(self.jeanne, self.other_establishment, date(2025, 2, 10), date(2025, 2, 10))
        with self.assertRaises(ValidationError):
            self._create_stay(self.jeanne, self.other_establishment, date(2025, 1, 1), date(2025, 1, 1))

    def test_stays_touching_on_the_transfer_day_accepted(self):
        # The exit day is the departure day (not billed by default), the entry day of the next stay is billed:
        # a transfer on 31 March is recorded as exit 31 March, entry 31 March.
        self._create_stay(self.jeanne, self.establishment, date(2025, 1, 1), date(2025, 3, 31))
        transfer = self._create_stay(self.jeanne, self.other_establishment, date(2025, 3, 31), date(2025, 5, 31))
        after = self._create_stay(self.jeanne, self.establishment, date(2025, 6, 1))
        self.assertEqual(len(self.jeanne.stay_ids), 3)
        self.assertEqual(transfer.date_start, date(2025, 3, 31))
        self.assertEqual(after.date_start, date(2025, 6, 1))
        # …but one day more is an overlap.
        with self.assertRaises(ValidationError):
            self._create_stay(self.jeanne, self.other_establishment, date(2024, 12, 1), date(2025, 1, 2))

    def test_day_care_beside_full_board_accepted(self):
        self._create_stay(self.jeanne, self.establishment, date(2025, 1, 1))
        day_care = self._create_stay(
            self.jeanne, self.other_establishment, date(2025, 2, 1), accommodation="day_care"
        )
        self.assertEqual(day_care.accommodation, "day_care")
        # A day-care stay does not make a residential one overlap either, whichever comes first.
        other = self._create_beneficiary("Hugo Lefèvre")
        self._create_stay(other, self.other_establishment, date(2025, 1, 1), accommodation="day_care")
        self._create_stay(other, self.establishment, date(2025, 1, 1))
        self.assertEqual(len(other.stay_ids), 2)

    def test_other_beneficiaries_never_overlap(self):
        self._create_stay(self.jeanne, self.establishment, date(2025, 1, 1))
        other = self._create_beneficiary("Hugo Lefèvre")
        self._create_stay(other, self.establishment, date(2025, 1, 1))
        self.assertEqual(self.establishment.stay_ids.beneficiary_id, self.jeanne | other)

    def test_exit_before_entry_refused(self):
        with self.assertRaises(ValidationError) as error:
            self._create_stay(self.jeanne, self.establishment, date(2025, 3, 1), date(2025, 2, 28))
        self.assertMessageNames(error, "Jeanne Martin", "Exit date", "Entry date", date(2025, 2, 28), date(2025, 3, 1))

    def test_end_reason_needs_exit_date(self):
        with self.assertRaises(ValidationError) as error:
            self._create_stay(self.jeanne, self.establishment, date(2025, 3, 1), end_reason="death")
        self.assertMessageNames(error, "Jeanne Martin", "Exit date")

    def test_shortening_a_stay_before_its_absences_refused(self):
        stay = self._create_stay(self.jeanne, self.establishment, date(2025, 1, 1))
        self._create_absence(stay, date(2025, 5, 10), date(2025, 5, 20))
        with self.assertRaises(ValidationError) as error:
            stay.date_end = date(2025, 5, 15)
        self.assertMessageNames(error, "Jeanne Martin", "Departure", "Return", "Foyer de vie Les Albères")
        with self.assertRaises(ValidationError):
            stay.date_start = date(2025, 5, 12)
        stay.date_end = date(2025, 5, 20)
        self.assertEqual(stay.date_end, date(2025, 5, 20))


@tagged("post_install", "-at_install")
class TestAbsenceIntegrity(EssmsReferentialCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.jeanne = cls._create_beneficiary("Jeanne Martin")
        cls.stay = cls._create_stay(cls.jeanne, cls.establishment, date(2025, 1, 10), date(2025, 6, 30))

    def test_absence_before_the_stay_refused(self):
        with self.assertRaises(ValidationError) as error:
            self._create_absence(self.stay, date(2025, 1, 5), date(2025, 1, 12))
        self.assertMessageNames(
            error, "Jeanne Martin", "Departure", "Return", "Foyer de vie Les Albères",
            date(2025, 1, 5), date(2025, 1, 10),
        )

    def test_absence_after_the_stay_refused(self):
        with self.assertRaises(ValidationError) as error:
            self._create_absence(self.stay, date(2025, 6, 28), date(2025, 7, 2))
        self.assertMessageNames(error, "Jeanne Martin", "Return", date(2025, 7, 2), date(2025, 6, 30))

    def test_absence_returning_before_it_leaves_refused(self):
        with self.assertRaises(ValidationError) as error:
            self._create_absence(self.stay, datetime(2025, 3, 10, 18, 0), datetime(2025, 3, 10, 9, 0))
        self.assertMessageNames(error, "Jeanne Martin", "Return", "Departure", date(2025, 3, 10))

    def test_absence_on_the_stay_last_and_first_days_accepted(self):
        last = self._create_absence(self.stay, datetime(2025, 6, 30, 8, 0), datetime(2025, 6, 30, 18, 0))
        whole_last_day = self._create_absence(self.stay, date(2025, 6, 29))
        first = self._create_absence(self.stay, date(2025, 1, 10))
        self.assertEqual(last.duration_days, 1)
        self.assertEqual(last.duration_hours, 10)
        self.assertEqual(whole_last_day.duration_days, 1)
        self.assertEqual(first.duration_days, 1)

    def test_absence_in_an_open_stay_accepted_years_later(self):
        stay = self._create_stay(self._create_beneficiary("Hugo Lefèvre"), self.establishment, date(2025, 1, 1))
        absence = self._create_absence(stay, date(2030, 7, 1), date(2030, 7, 21), kind="holidays")
        self.assertEqual(absence.duration_days, 21)

    def test_days_are_counted_in_the_establishment_time_zone(self):
        # 23:30 in Paris on 9 March is 22:30 UTC: one local day, not two UTC ones.
        absence = self._create_absence(self.stay, datetime(2025, 3, 8, 23, 30), datetime(2025, 3, 9, 23, 30))
        self.assertEqual(absence.duration_days, 2)
        self.assertEqual(absence._local_dates(), (date(2025, 3, 8), date(2025, 3, 9)))

    def test_overlapping_absences_refused(self):
        self._create_absence(self.stay, date(2025, 3, 1), date(2025, 3, 10), kind="hospital")
        with self.assertRaises(ValidationError) as error:
            self._create_absence(self.stay, date(2025, 3, 10), date(2025, 3, 12))
        self.assertMessageNames(error, "Jeanne Martin", date(2025, 3, 1))

    def test_new_absence_appears_once_on_the_beneficiary(self):
        """The absences tab of the file lists a new absence once (no phantom record left in the cache)."""
        absence = self._create_absence(self.stay, date(2025, 4, 1), date(2025, 4, 2))
        self.assertEqual(self.jeanne.absence_ids, absence)

    def test_absences_one_after_the_other_accepted(self):
        first = self._create_absence(self.stay, datetime(2025, 3, 1, 9, 0), datetime(2025, 3, 3, 18, 0))
        second = self._create_absence(self.stay, datetime(2025, 3, 3, 18, 0), datetime(2025, 3, 5, 18, 0))
        self.assertEqual(self.jeanne.absence_ids, first | second)


@tagged("post_install", "-at_install")
class TestTariffIntegrity(EssmsReferentialCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tariff_2025 = cls._create_tariff(cls.agreement, date(2025, 1, 1), date(2025, 12, 31), amount=180.0)

    def test_overlapping_tariff_refused(self):
        with self.assertRaises(ValidationError) as error:
            self._create_tariff(self.agreement, date(2025, 7, 1), amount=185.0)
        self.assertMessageNames(
            error, self.agreement.name, "Full board", "Accommodation",
            date(2025, 7, 1), date(2025, 1, 1), date(2025, 12, 31), "End date",
        )

    def test_tariff_inside_an_open_one_refused(self):
        # A dependency tariff is dated per GIR group (billing-rules §11).
        open_tariff = self._create_tariff(
            self.agreement, date(2026, 1, 1), kind="dependency", amount=20.0, gir_group="1_2"
        )
        with self.assertRaises(ValidationError) as error:
            self._create_tariff(self.agreement, date(2027, 3, 1), date(2027, 3, 31), kind="dependency", gir_group="1_2")
        # Another GIR group of the same dates is another price.
        self._create_tariff(self.agreement, date(2027, 3, 1), date(2027, 3, 31), kind="dependency", gir_group="5_6")
        self.assertMessageNames(error, self.agreement.name, "Dependency", "no end")
        self.assertEqual(open_tariff.date_to, False)

    def test_moving_a_tariff_onto_another_refused(self):
        next_year = self._create_tariff(self.agreement, date(2026, 1, 1), date(2026, 12, 31), amount=190.0)
        with self.assertRaises(ValidationError):
            next_year.date_from = date(2025, 12, 31)

    def test_tariff_starting_the_day_after_the_previous_ends_accepted(self):
        following = self._create_tariff(self.agreement, date(2026, 1, 1), amount=190.0)
        self.assertEqual(
            self.agreement.tariff_ids.sorted("date_from").mapped("amount"), [180.0, 190.0]
        )
        self.assertEqual(following.payer_id, self.payer)

    def test_same_dates_other_kind_accommodation_or_agreement_accepted(self):
        self._create_tariff(self.agreement, date(2025, 1, 1), date(2025, 12, 31), kind="reservation", amount=120.0)
        self._create_tariff(self.agreement, date(2025, 1, 1), date(2025, 12, 31), accommodation="day_care")
        other = self._create_agreement(self.establishment, self._create_payer("CPAM des Pyrénées-Orientales",
                                                                              kind="health_insurance"))
        self._create_tariff(other, date(2025, 1, 1), date(2025, 12, 31))
        self.assertEqual(len(self.agreement.tariff_ids), 3)

    def test_tariff_end_before_start_refused(self):
        with self.assertRaises(ValidationError) as error:
            self._create_tariff(self.agreement, date(2027, 3, 1), date(2027, 2, 1))
        self.assertMessageNames(error, self.agreement.name, "End date", date(2027, 2, 1))

    def test_negative_daily_price_refused(self):
        with self.assertRaises(ValidationError) as error:
            self._create_tariff(self.agreement, date(2027, 1, 1), amount=-1.0)
        self.assertMessageNames(error, self.agreement.name, "Daily price")


@tagged("post_install", "-at_install")
class TestDecisionIntegrity(EssmsReferentialCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.jeanne = cls._create_beneficiary("Jeanne Martin")
        cls._create_stay(cls.jeanne, cls.establishment, date(2025, 3, 10))

    def test_decision_before_filing_refused(self):
        with self.assertRaises(ValidationError) as error:
            self._create_decision(
                self.jeanne, agreement=self.agreement, state="granted", date_filed=date(2025, 4, 2),
                date_decision=date(2025, 3, 30),
            )
        self.assertMessageNames(
            error, "Jeanne Martin", "Decision date", "Filing date", date(2025, 3, 30), date(2025, 4, 2)
        )

    def test_end_of_rights_before_effect_refused(self):
        decision = self._create_decision(
            self.jeanne, agreement=self.agreement, state="granted", date_filed=date(2025, 4, 2),
            date_decision=date(2025, 7, 15),
        )
        self.assertEqual(decision.date_effect, date(2025, 3, 10))
        with self.assertRaises(ValidationError) as error:
            decision.date_end = date(2025, 3, 9)
        self.assertMessageNames(error, "Jeanne Martin", "End of rights", "Date of effect", date(2025, 3, 9))

    def test_filed_without_filing_date_refused(self):
        decision = self._create_decision(self.jeanne, agreement=self.agreement)
        with self.assertRaises(ValidationError) as error:
            decision.state = "filed"
        self.assertMessageNames(error, "Jeanne Martin", "Filing date")

    def test_decided_without_decision_date_refused(self):
        with self.assertRaises(ValidationError) as error:
            self._create_decision(self.jeanne, agreement=self.agreement, state="refused", date_filed=date(2025, 4, 2))
        self.assertMessageNames(error, "Jeanne Martin", "Decision date")

    def test_negative_contribution_refused(self):
        with self.assertRaises(ValidationError) as error:
            self._create_decision(self.jeanne, agreement=self.agreement, contribution_monthly=-10.0)
        self.assertMessageNames(error, "Jeanne Martin", "Monthly contribution")


@tagged("post_install", "-at_install")
class TestFileNumberFinessSiret(EssmsReferentialCase):
    def test_duplicate_file_number_in_a_company_refused(self):
        self._create_beneficiary("Jeanne Martin", file_number="66-2025-001")
        with self.assertRaises(ValidationError) as error:
            self._create_beneficiary("Hugo Lefèvre", file_number="66-2025-001")
        self.assertMessageNames(error, "Hugo Lefèvre", "Jeanne Martin", "File number", "66-2025-001")

    def test_duplicate_of_an_archived_file_refused(self):
        self._create_beneficiary("Jeanne Martin", file_number="66-2025-001").active = False
        with self.assertRaises(ValidationError):
            self._create_beneficiary("Hugo Lefèvre", file_number="66-2025-001")

    def test_renumbering_onto_an_existing_file_refused(self):
        self._create_beneficiary("Jeanne Martin", file_number="66-2025-001")
        hugo = self._create_beneficiary("Hugo Lefèvre", file_number="66-2025-002")
        with self.assertRaises(ValidationError) as error:
            hugo.file_number = "66-2025-001"
        self.assertMessageNames(error, "Hugo Lefèvre", "File number")

    def test_same_file_number_in_another_company_accepted(self):
        self._create_beneficiary("Jeanne Martin", file_number="66-2025-001")
        other_company = self._create_company("Association Les Amandiers")
        hugo = self._create_beneficiary("Hugo Lefèvre", file_number="66-2025-001", company=other_company)
        self.assertEqual(hugo.company_id, other_company)

    def test_malformed_finess_refused(self):
        # 8 characters, 10 characters (never silently cut to 9), letters, and Corsica's code in lower case.
        for finess in ("66078001", "6607800123", "66O780012", "2a0001234", "66 078 001"):
            with self.subTest(finess=finess), self.assertRaises(ValidationError) as error:
                self._create_establishment("Foyer Le Vallespir", finess=finess)
            self.assertMessageNames(error, "Foyer Le Vallespir", "FINESS", finess)

    def test_malformed_finess_refused_on_write(self):
        with self.assertRaises(ValidationError) as error:
            self.establishment.finess = "660780012X"
        self.assertMessageNames(error, "Foyer de vie Les Albères", "FINESS")

    def test_valid_finess_accepted(self):
        for finess in ("660780012", "2A0001234", "2B0005678", "970412345"):
            establishment = self._create_establishment("Foyer %s" % finess, finess=finess)
            self.assertEqual(establishment.finess, finess)

    def test_valid_siret_accepted(self):
        payer = self._create_payer("Département de l'Aude", siret="73282932000074")
        self.assertEqual(payer.siret, "73282932000074")

    def test_invalid_siret_refused(self):
        # The check key (Luhn) of the last digit is wrong.
        with self.assertRaises(ValidationError) as error:
            self._create_payer("Département de l'Aude", siret="73282932000075")
        self.assertMessageNames(error, "Département de l'Aude", "SIRET", "73282932000075")
        with self.assertRaises(ValidationError):
            self.payer.siret = "1234567890123"


@tagged("post_install", "-at_install")
class TestDeletionGuards(EssmsReferentialCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.jeanne = cls._create_beneficiary("Jeanne Martin")
        cls.stay = cls._create_stay(cls.jeanne, cls.establishment, date(2025, 3, 10))

    def test_establishment_with_stays_kept(self):
        with self.assertRaises(ValidationError) as error:
            self.establishment.unlink()
        self.assertMessageNames(error, "Foyer de vie Les Albères")
        self.assertTrue(self.establishment.exists())

    def test_establishment_with_agreements_kept(self):
        establishment = self._create_establishment("Foyer Le Vallespir")
        self._create_agreement(establishment, self.payer)
        with self.assertRaises(ValidationError) as error:
            establishment.unlink()
        self.assertMessageNames(error, "Foyer Le Vallespir")

    def test_unused_establishment_deleted(self):
        establishment = self._create_establishment("Foyer Le Vallespir")
        establishment.unlink()
        self.assertFalse(establishment.exists())

    def test_beneficiary_with_stays_kept(self):
        with self.assertRaises(ValidationError) as error:
            self.jeanne.unlink()
        self.assertMessageNames(error, "Jeanne Martin")

    def test_beneficiary_with_a_decision_only_kept(self):
        hugo = self._create_beneficiary("Hugo Lefèvre")
        self._create_decision(hugo, payer=self.payer)
        with self.assertRaises(ValidationError) as error:
            hugo.unlink()
        self.assertMessageNames(error, "Hugo Lefèvre")

    def test_empty_beneficiary_deleted(self):
        hugo = self._create_beneficiary("Hugo Lefèvre")
        hugo.unlink()
        self.assertFalse(hugo.exists())

    def test_stay_with_absences_kept(self):
        self._create_absence(self.stay, date(2025, 4, 1))
        with self.assertRaises(ValidationError) as error:
            self.stay.unlink()
        self.assertMessageNames(error, "Jeanne Martin")
        self.assertTrue(self.stay.exists())

    def test_stay_without_absences_deleted(self):
        self.stay.unlink()
        self.assertFalse(self.jeanne.stay_ids)

    def test_agreement_with_tariffs_kept(self):
        tariff = self._create_tariff(self.agreement, date(2025, 1, 1))
        with self.assertRaises(ValidationError) as error:
            self.agreement.unlink()
        self.assertMessageNames(error, self.agreement.name)
        self.assertTrue(tariff.exists())

    def test_agreement_with_decisions_kept(self):
        self._create_decision(self.jeanne, agreement=self.agreement)
        with self.assertRaises(ValidationError):
            self.agreement.unlink()

    def test_unused_agreement_deleted(self):
        self.agreement.unlink()
        self.assertFalse(self.agreement.exists())

    def test_decided_decisions_kept(self):
        dates = {"date_filed": date(2025, 4, 2), "date_decision": date(2025, 7, 15)}
        for state in ("granted", "partially_granted", "refused", "appealed"):
            decision = self._create_decision(self.jeanne, agreement=self.agreement, state=state, **dates)
            with self.subTest(state=state), self.assertRaises(ValidationError) as error:
                decision.unlink()
            self.assertMessageNames(error, "Jeanne Martin")

    def test_pending_decisions_deleted(self):
        to_file = self._create_decision(self.jeanne, agreement=self.agreement)
        filed = self._create_decision(self.jeanne, agreement=self.agreement, state="filed",
                                      date_filed=date(2025, 4, 2))
        (to_file | filed).unlink()
        self.assertFalse(self.jeanne.decision_ids)

    def test_policy_used_by_an_agreement_kept(self):
        with self.assertRaises(ValidationError) as error:
            self.policy.unlink()
        self.assertMessageNames(error, "RDAS 66", self.agreement.name)
        self.assertEqual(self.agreement.absence_policy_id, self.policy)

    def test_unused_policy_deleted(self):
        policy = self._create_policy("RDAS 11")
        policy.unlink()
        self.assertFalse(policy.exists())


@tagged("post_install", "-at_install")
class TestBeneficiaryComputedFields(EssmsReferentialCase):
    """Current stay and decision, yearly absence counters and quota, as seen on a given day."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.canigou = cls._create_establishment("Foyer d'hébergement Le Canigou", code="CAN")
        cls.canigou_policy = cls._create_policy("RDAS 66 hébergement", payer=cls.payer, quota_days=45)
        cls._create_agreement(cls.canigou, cls.payer, policy=cls.canigou_policy)
        cls.paul = cls._create_beneficiary("Paul Durand")
        # Paul lived at Le Canigou, then moved to Les Albères on 3 March 2025 (transfer on the exit day).
        cls.stay_canigou = cls._create_stay(cls.paul, cls.canigou, date(2024, 1, 1), date(2025, 3, 3),
                                            end_reason="transfer")
        cls.stay_alberes = cls._create_stay(cls.paul, cls.establishment, date(2025, 3, 3))
        cls._create_absence(cls.stay_canigou, date(2024, 8, 1), date(2024, 8, 20), kind="holidays")
        cls._create_absence(cls.stay_canigou, date(2024, 12, 30), date(2025, 1, 2), kind="family_weekend")
        cls._create_absence(cls.stay_canigou, date(2025, 2, 10), date(2025, 2, 14), kind="hospital")
        cls._create_absence(cls.stay_alberes, date(2025, 4, 14), date(2025, 4, 16), kind="personal")

    def _fresh(self, record):
        record.invalidate_recordset()
        return record

    @freeze_time("2025-06-15 12:00:00")
    def test_current_stay_is_the_stay_of_today(self):
        paul = self._fresh(self.paul)
        self.assertEqual(paul.current_stay_id, self.stay_alberes)
        self.assertEqual(paul.current_establishment_id, self.establishment)

    @freeze_time("2025-02-01 12:00:00")
    def test_current_stay_before_the_move(self):
        paul = self._fresh(self.paul)
        self.assertEqual(paul.current_stay_id, self.stay_canigou)
        self.assertEqual(paul.current_establishment_id, self.canigou)

    @freeze_time("2025-06-15 12:00:00")
    def test_no_current_stay_before_entry_or_after_exit(self):
        planned = self._create_beneficiary("Hugo Lefèvre")
        self._create_stay(planned, self.establishment, date(2025, 9, 1))
        gone = self._create_beneficiary("Lucie Bernard")
        self._create_stay(gone, self.establishment, date(2024, 1, 1), date(2025, 6, 14))
        self.assertFalse(planned.current_stay_id)
        self.assertFalse(gone.current_stay_id)
        self.assertFalse(gone.current_establishment_id)

    @freeze_time("2025-06-15 12:00:00")
    def test_yearly_absence_counters_span_establishments(self):
        paul = self._fresh(self.paul)
        # 2025: 2 days of the New Year weekend, 5 hospital days at Le Canigou, 3 personal days at Les Albères;
        # the summer holidays of 2024 do not count.
        self.assertEqual(paul.absence_days_year, 10)
        self.assertEqual(paul.hospital_days_year, 5)
        self.assertEqual(paul.other_absence_days_year, 5)

    @freeze_time("2024-09-01 12:00:00")
    def test_yearly_absence_counters_of_another_year(self):
        paul = self._fresh(self.paul)
        self.assertEqual(paul.absence_days_year, 22)
        self.assertEqual(paul.hospital_days_year, 0)

    @freeze_time("2025-06-15 12:00:00")
    def test_counters_read_by_an_establishment_user_through_sudo(self):
        # Code run for an establishment user (activity statement…) may read every counter as superuser.
        user = new_test_user(self.env, "secretaire_counters", groups="essms_billing.group_essms_establishment")
        self.establishment.user_ids = user
        paul = self._fresh(self.paul).with_user(user)
        self.assertEqual(paul.absence_days_year, 10)
        self.assertEqual(paul.sudo().hospital_days_year, 5)

    @freeze_time("2025-06-15 12:00:00")
    def test_quota_comes_from_the_current_establishment_policy(self):
        self.assertEqual(self._fresh(self.paul).absence_quota_days, 30)

    @freeze_time("2025-02-01 12:00:00")
    def test_quota_before_the_move(self):
        self.assertEqual(self._fresh(self.paul).absence_quota_days, 45)

    @freeze_time("2025-06-15 12:00:00")
    def test_quota_of_the_decision_payer_prevails(self):
        cpam = self._create_payer("CPAM des Pyrénées-Orientales", kind="health_insurance")
        cpam_policy = self._create_policy("CPAM", payer=cpam, quota_days=35)
        # The CPAM's agreement comes first (payers sort by name): only the decision makes the choice.
        self._create_agreement(self.establishment, cpam, policy=cpam_policy)
        self.assertEqual(self._fresh(self.paul).absence_quota_days, 35)
        self._create_decision(self.paul, agreement=self.agreement)
        self.assertEqual(self._fresh(self.paul).absence_quota_days, 30)

    @freeze_time("2025-06-15 12:00:00")
    def test_no_quota_without_stay_or_policy(self):
        hugo = self._create_beneficiary("Hugo Lefèvre")
        self.assertEqual(hugo.absence_quota_days, 0)
        self.assertEqual(hugo.absence_days_year, 0)

    @freeze_time("2025-09-01 12:00:00")
    def test_current_decision_is_the_one_in_force(self):
        old = self._create_decision(
            self.paul, agreement=self.agreement, state="granted", date_filed=date(2020, 1, 10),
            date_decision=date(2020, 3, 1), date_effect=date(2020, 1, 1), date_end=date(2024, 12, 31),
        )
        paul = self._fresh(self.paul)
        self.assertEqual(paul.current_decision_id, old, "without a decision in force, the latest one")
        pending = self._create_decision(self.paul, agreement=self.agreement, state="filed",
                                        date_filed=date(2025, 3, 20))
        paul = self._fresh(self.paul)
        self.assertEqual(paul.current_decision_id, pending)
        self.assertEqual(paul.current_decision_state, "filed")
        pending.write({"state": "granted", "date_decision": date(2025, 7, 15), "date_end": date(2030, 3, 2)})
        paul = self._fresh(self.paul)
        self.assertEqual(paul.current_decision_id, pending)
        self.assertEqual(paul.current_decision_state, "granted")
        self.assertEqual(pending.date_effect, date(2025, 3, 3))

    @freeze_time("2025-06-15 12:00:00")
    def test_birth_date_in_the_future_refused(self):
        with self.assertRaises(ValidationError) as error:
            self._create_beneficiary("Hugo Lefèvre", birth_date=date(2025, 6, 16))
        self.assertMessageNames(error, "Hugo Lefèvre", date(2025, 6, 16))

    def test_guardian_required_under_tutelle(self):
        with self.assertRaises(ValidationError) as error:
            self._create_beneficiary("Hugo Lefèvre", legal_protection="tutelle")
        self.assertMessageNames(error, "Hugo Lefèvre", "Guardian", "Tutelle")
