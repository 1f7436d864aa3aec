"""Who sees and changes what: the three groups, the establishment rules, health details, multi-company.

Every check runs as the user concerned (`with_user`), never as superuser.
"""

from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import new_test_user
from odoo.tests import tagged

from .common import EssmsReferentialCase

ESTABLISHMENT = "essms_billing.group_essms_establishment"
OPERATOR = "essms_billing.group_essms_operator"
MANAGER = "essms_billing.group_essms_manager"

# Model access per group: r(ead), w(rite), c(reate), u(nlink). DESIGN.md, "Users and security groups".
ACCESS = {
    "essms.establishment": {ESTABLISHMENT: "r", OPERATOR: "r", MANAGER: "rwcu"},
    "essms.beneficiary": {ESTABLISHMENT: "r", OPERATOR: "rwcu", MANAGER: "rwcu"},
    "essms.stay": {ESTABLISHMENT: "r", OPERATOR: "rwcu", MANAGER: "rwcu"},
    "essms.absence": {ESTABLISHMENT: "rwcu", OPERATOR: "rwcu", MANAGER: "rwcu"},
    "essms.agreement": {ESTABLISHMENT: "", OPERATOR: "rwcu", MANAGER: "rwcu"},
    "essms.tariff": {ESTABLISHMENT: "", OPERATOR: "rwcu", MANAGER: "rwcu"},
    "essms.funding.decision": {ESTABLISHMENT: "", OPERATOR: "rwcu", MANAGER: "rwcu"},
    "essms.absence.policy": {ESTABLISHMENT: "r", OPERATOR: "r", MANAGER: "rwcu"},
    "essms.parameter": {ESTABLISHMENT: "r", OPERATOR: "r", MANAGER: "rwcu"},
}
OPERATIONS = {"r": "read", "w": "write", "c": "create", "u": "unlink"}
# What the beneficiary form asks the server for (a subset), as an establishment user.
FORM_SPEC = {
    "name": {},
    "file_number": {},
    "current_stay_id": {"fields": {"display_name": {}}},
    "current_establishment_id": {"fields": {"display_name": {}}},
    "absence_days_year": {},
    "stay_ids": {"fields": {"date_start": {}, "establishment_id": {"fields": {"display_name": {}}}}},
    "absence_ids": {"fields": {"kind": {}}},
}


class EssmsSecurityCase(EssmsReferentialCase):
    """Two establishments of one company, with their users, and residents who moved between them.

    - Les Albères (A, `cls.establishment`) and Le Canigou (B), each with an agreement and a tariff;
    - Paul Durand lived at B (a hospital stay there in February 2025), then moved to A on 3 March 2025
      (a personal absence in April); he has a funding decision;
    - Lucie Bernard lives at B only, Marc Petit at A only.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_a = new_test_user(cls.env, "secretary_alberes", groups=ESTABLISHMENT)
        cls.user_b = new_test_user(cls.env, "secretary_canigou", groups=ESTABLISHMENT)
        cls.operator = new_test_user(cls.env, "operator_essms", groups=OPERATOR)
        cls.manager = new_test_user(cls.env, "manager_essms", groups=MANAGER)
        cls.establishment.user_ids = cls.user_a
        cls.canigou = cls._create_establishment("Foyer d'hébergement Le Canigou", code="CAN", users=cls.user_b)
        cls.agreement_b = cls._create_agreement(cls.canigou, cls.payer, policy=cls.policy)
        cls.tariff_a = cls._create_tariff(cls.agreement, date(2025, 1, 1))
        cls.tariff_b = cls._create_tariff(cls.agreement_b, date(2025, 1, 1))

        cls.paul = cls._create_beneficiary("Paul Durand")
        cls.paul_stay_b = cls._create_stay(cls.paul, cls.canigou, date(2024, 1, 1), date(2025, 3, 3),
                                           end_reason="transfer")
        cls.paul_stay_a = cls._create_stay(cls.paul, cls.establishment, date(2025, 3, 3))
        cls.paul_hospital_b = cls._create_absence(
            cls.paul_stay_b, date(2025, 2, 10), date(2025, 2, 14), kind="hospital",
            note="Cardiology, Perpignan hospital",
        )
        cls.paul_absence_a = cls._create_absence(cls.paul_stay_a, date(2025, 4, 14), date(2025, 4, 16),
                                                 note="Visit to his sister")
        cls.paul_decision = cls._create_decision(
            cls.paul, agreement=cls.agreement, state="granted", date_filed=date(2025, 3, 20),
            date_decision=date(2025, 5, 2), date_end=date(2030, 3, 2),
        )
        cls.lucie = cls._create_beneficiary("Lucie Bernard")
        cls.lucie_stay = cls._create_stay(cls.lucie, cls.canigou, date(2024, 6, 1))
        cls.lucie_absence = cls._create_absence(cls.lucie_stay, date(2025, 5, 1), date(2025, 5, 4), kind="holidays")
        cls.marc = cls._create_beneficiary("Marc Petit")
        cls.marc_stay = cls._create_stay(cls.marc, cls.establishment, date(2023, 9, 1))


@tagged("post_install", "-at_install")
class TestEstablishmentUser(EssmsSecurityCase):
    """The least-privileged user: a secretary attached to Les Albères only."""

    def test_sees_own_establishment_only(self):
        Establishment = self.env["essms.establishment"].with_user(self.user_a)
        visible = Establishment.search([])
        self.assertIn(self.establishment, visible)
        self.assertNotIn(self.canigou, visible)
        self.assertFalse(Establishment.search([("name", "ilike", "Canigou")]))
        self.assertEqual(Establishment.browse(self.establishment.id).read(["name"])[0]["name"],
                         "Foyer de vie Les Albères")
        with self.assertRaises(AccessError):
            Establishment.browse(self.canigou.id).read(["name"])

    def test_sees_residents_of_own_establishment_only(self):
        Beneficiary = self.env["essms.beneficiary"].with_user(self.user_a)
        visible = Beneficiary.search([("id", "in", (self.paul | self.lucie | self.marc).ids)])
        self.assertEqual(visible, self.paul | self.marc)
        self.assertFalse(Beneficiary.search([("name", "=", "Lucie Bernard")]))
        self.assertFalse(Beneficiary.name_search("Lucie"))
        with self.assertRaises(AccessError):
            Beneficiary.browse(self.lucie.id).read(["name", "birth_date"])

    def test_sees_stays_of_own_establishment_only(self):
        Stay = self.env["essms.stay"].with_user(self.user_a)
        visible = Stay.search([("beneficiary_id", "in", (self.paul | self.lucie | self.marc).ids)])
        self.assertEqual(visible, self.paul_stay_a | self.marc_stay)
        # What the beneficiary form reads, in a request of this user (nothing in cache).
        self.env.invalidate_all()
        form = self.paul.with_user(self.user_a).web_read(FORM_SPEC)[0]
        self.assertEqual([stay["id"] for stay in form["stay_ids"]], self.paul_stay_a.ids, "not Le Canigou's stay")
        self.assertEqual(form["stay_ids"][0]["establishment_id"]["display_name"], "Foyer de vie Les Albères")
        with self.assertRaises(AccessError):
            Stay.browse(self.paul_stay_b.id).read(["date_start", "establishment_id"])
        with self.assertRaises(AccessError):
            Stay.browse(self.lucie_stay.id).read(["date_start"])

    def test_does_not_see_absences_of_other_establishments(self):
        Absence = self.env["essms.absence"].with_user(self.user_a)
        mine = (self.paul | self.lucie | self.marc).ids
        self.assertEqual(Absence.search([("beneficiary_id", "in", mine)]), self.paul_absence_a)
        self.assertFalse(Absence.search([("kind", "=", "hospital")]))
        self.assertFalse(Absence.search([("note", "ilike", "Cardiology")]))
        groups = Absence._read_group([("beneficiary_id", "in", mine)], ["kind"], ["__count"])
        self.assertEqual(groups, [("personal", 1)])
        self.env.invalidate_all()
        form = self.paul.with_user(self.user_a).web_read(FORM_SPEC)[0]
        self.assertEqual(form["absence_ids"], [{"id": self.paul_absence_a.id, "kind": "personal"}])
        with self.assertRaises(AccessError):
            Absence.browse(self.paul_hospital_b.id).read(["kind", "note"])
        with self.assertRaises(AccessError):
            Absence.browse(self.lucie_absence.id).read(["date_start"])

    @freeze_time("2025-06-15 12:00:00")
    def test_counter_includes_hidden_hospital_days(self):
        paul = self.paul.with_user(self.user_a)
        paul.invalidate_recordset()
        # 5 hospital days at Le Canigou (hidden) + 3 personal days at Les Albères.
        values = paul.read(["absence_days_year", "absence_quota_days"])[0]
        self.assertEqual(values["absence_days_year"], 8)
        self.assertEqual(values["absence_quota_days"], 30)
        for fname in ("hospital_days_year", "other_absence_days_year", "current_decision_id",
                      "current_decision_state"):
            with self.subTest(field=fname), self.assertRaises(AccessError):
                paul.read([fname])

    def test_beneficiary_form_hides_health_and_funding_details(self):
        arch = self.env["essms.beneficiary"].with_user(self.user_a).get_view(view_type="form")["arch"]
        self.assertIn('name="absence_days_year"', arch)
        for fname in ("hospital_days_year", "other_absence_days_year", "current_decision_id", "decision_ids"):
            self.assertNotIn('name="%s"' % fname, arch)

    def test_cannot_read_agreements_tariffs_decisions(self):
        for record in (self.agreement, self.tariff_a, self.paul_decision):
            model = self.env[record._name].with_user(self.user_a)
            with self.subTest(model=record._name):
                with self.assertRaises(AccessError):
                    model.search([])
                with self.assertRaises(AccessError):
                    model.browse(record.id).read(["display_name"])
        with self.assertRaises(AccessError):
            self.paul.with_user(self.user_a).read(["decision_ids"])

    def test_cannot_change_the_referential(self):
        paul = self.paul.with_user(self.user_a)
        with self.assertRaises(AccessError):
            paul.write({"birth_name": "Martin"})
        with self.assertRaises(AccessError):
            self._create_beneficiary_as(self.user_a)
        stay = self.paul_stay_a.with_user(self.user_a)
        with self.assertRaises(AccessError):
            stay.write({"date_end": date(2025, 12, 31), "end_reason": "departure"})
        with self.assertRaises(AccessError):
            self.env["essms.stay"].with_user(self.user_a).create(
                {"beneficiary_id": self.marc.id, "establishment_id": self.establishment.id,
                 "date_start": date(2026, 1, 1), "accommodation": "day_care"}
            )
        with self.assertRaises(AccessError):
            self.marc_stay.with_user(self.user_a).unlink()
        with self.assertRaises(AccessError):
            self.establishment.with_user(self.user_a).write({"capacity": 60})
        with self.assertRaises(AccessError):
            self.policy.with_user(self.user_a).write({"quota_days": 60})
        self.assertEqual(self.paul_stay_a.date_end, False)
        self.assertEqual(self.policy.quota_days, 30)

    def _create_beneficiary_as(self, user):
        partner = self.env["res.partner"].create({"name": "Hugo Lefèvre"})
        return self.env["essms.beneficiary"].with_user(user).create({"partner_id": partner.id, "file_number": "X1"})

    def test_records_absences_in_own_establishment(self):
        Absence = self.env["essms.absence"].with_user(self.user_a)
        start, end = self._absence_bounds(date(2025, 5, 20), date(2025, 5, 22))
        absence = Absence.create({"stay_id": self.marc_stay.id, "kind": "hospital", "date_start": start,
                                  "date_end": end, "note": "Appendicitis"})
        self.assertEqual(absence.establishment_id, self.establishment)
        self.assertEqual(absence.duration_days, 3)
        start, end = self._absence_bounds(date(2025, 5, 20), date(2025, 5, 25))
        absence.write({"date_end": end, "note": "Appendicitis, back on Sunday"})
        self.assertEqual(absence.duration_days, 6)
        absence.unlink()
        self.assertFalse(absence.exists())

    def test_cannot_record_absences_elsewhere(self):
        Absence = self.env["essms.absence"].with_user(self.user_a)
        start, end = self._absence_bounds(date(2025, 6, 2), date(2025, 6, 3))
        with self.assertRaises(AccessError):
            Absence.create({"stay_id": self.lucie_stay.id, "kind": "personal", "date_start": start,
                            "date_end": end})
        with self.assertRaises(AccessError):
            Absence.browse(self.lucie_absence.id).write({"note": "Changed"})
        with self.assertRaises(AccessError):
            Absence.browse(self.lucie_absence.id).unlink()
        self.assertFalse(self.lucie_absence.note)

    def test_cannot_move_an_absence_to_another_establishment(self):
        # What the constraints read of the other stay happens to be in the transaction's cache already (read by
        # code running as superuser), and no tracking message reads it (an import): only the record rules can
        # refuse the move.
        self.lucie_stay.read(["date_start", "date_end", "beneficiary_id", "establishment_id"])
        self.lucie.read(["name"])
        self.assertTrue(self.canigou.partner_id.tz)
        own = self.paul_absence_a.with_user(self.user_a).with_context(tracking_disable=True)
        # Not self.assertRaises(AccessError): it empties the cache first, and the constraints would then fail
        # on reading the other stay, which is not what is tested here.
        raised = None
        try:
            with self.env.cr.savepoint():
                own.write({"stay_id": self.lucie_stay.id})
        except AccessError as error:
            raised = error
        self.assertIsInstance(raised, AccessError)
        self.assertIn("essms.absence", str(raised))
        self.env.invalidate_all()
        self.assertEqual(self.paul_absence_a.stay_id, self.paul_stay_a)
        # Within its own establishment, the move is allowed.
        own.write({"stay_id": self.marc_stay.id})
        self.assertEqual(self.paul_absence_a.beneficiary_id, self.marc)

    def test_overlap_refused_without_revealing_the_other_absence(self):
        # Noé is in full board at Les Albères and in day care at Le Canigou, which recorded an absence.
        noe = self._create_beneficiary("Noé Garcia")
        stay_a = self._create_stay(noe, self.establishment, date(2025, 1, 1))
        stay_b = self._create_stay(noe, self.canigou, date(2025, 1, 1), accommodation="day_care")
        self._create_absence(stay_b, date(2025, 5, 5), date(2025, 5, 6), kind="hospital", note="Oncology")
        start, end = self._absence_bounds(date(2025, 5, 6), date(2025, 5, 7))
        self.env.invalidate_all()  # a request of the secretary: nothing of Le Canigou's absence in cache
        with self.assertRaises(ValidationError) as error:
            self.env["essms.absence"].with_user(self.user_a).create(
                {"stay_id": stay_a.id, "kind": "personal", "date_start": start, "date_end": end}
            )
        message = str(error.exception)
        self.assertIn("Noé Garcia", message)
        self.assertIn("05/05/2025", message)
        self.assertNotIn("Oncology", message)
        self.assertNotIn("ospital", message)

    def test_other_establishment_user_sees_the_mirror(self):
        Beneficiary = self.env["essms.beneficiary"].with_user(self.user_b)
        # Paul left Le Canigou, whose staff still see his file and stays there, not those at Les Albères.
        self.assertEqual(Beneficiary.search([("id", "in", (self.paul | self.lucie | self.marc).ids)]),
                         self.paul | self.lucie)
        self.env.invalidate_all()
        form = self.paul.with_user(self.user_b).web_read(FORM_SPEC)[0]
        self.assertEqual([stay["id"] for stay in form["stay_ids"]], self.paul_stay_b.ids)
        self.assertEqual(form["absence_ids"], [{"id": self.paul_hospital_b.id, "kind": "hospital"}])

    @freeze_time("2025-06-15 12:00:00")
    def test_former_establishment_does_not_learn_where_the_resident_went(self):
        self.env.invalidate_all()
        # Computed as superuser first (as the quota does), then read by each establishment's staff.
        self.assertEqual(self.paul.sudo().current_establishment_id, self.establishment)
        at_b = self.paul.with_user(self.user_b).web_read(FORM_SPEC)[0]
        self.assertFalse(at_b["current_stay_id"])
        self.assertFalse(at_b["current_establishment_id"])
        self.env.invalidate_all()  # another request
        at_a = self.paul.with_user(self.user_a).web_read(FORM_SPEC)[0]
        self.assertEqual(at_a["current_stay_id"]["id"], self.paul_stay_a.id)
        self.assertEqual(at_a["current_establishment_id"]["display_name"], "Foyer de vie Les Albères")

    def test_can_read_policies_and_parameters(self):
        self.assertEqual(self.policy.with_user(self.user_a).read(["quota_days"])[0]["quota_days"], 30)
        parameters = self.env["essms.parameter"].search([])
        self.assertTrue(parameters, "the legal values are shipped as data")
        self.assertEqual(self.env["essms.parameter"].with_user(self.user_a).search([]), parameters)


@tagged("post_install", "-at_install")
class TestOperatorAndManager(EssmsSecurityCase):
    def test_operator_sees_every_establishment_and_detail(self):
        for model, records in (
            ("essms.establishment", self.establishment | self.canigou),
            ("essms.beneficiary", self.paul | self.lucie | self.marc),
            ("essms.stay", self.paul_stay_a | self.paul_stay_b | self.lucie_stay | self.marc_stay),
            ("essms.absence", self.paul_absence_a | self.paul_hospital_b | self.lucie_absence),
            ("essms.agreement", self.agreement | self.agreement_b),
            ("essms.tariff", self.tariff_a | self.tariff_b),
            ("essms.funding.decision", self.paul_decision),
        ):
            with self.subTest(model=model):
                found = self.env[model].with_user(self.operator).search([("id", "in", records.ids)])
                self.assertEqual(found, records)
        hospital = self.paul_hospital_b.with_user(self.operator).read(["kind", "note"])[0]
        self.assertEqual((hospital["kind"], hospital["note"]), ("hospital", "Cardiology, Perpignan hospital"))

    @freeze_time("2025-06-15 12:00:00")
    def test_operator_reads_health_and_funding_details(self):
        paul = self.paul.with_user(self.operator)
        paul.invalidate_recordset()
        values = paul.read(["absence_days_year", "hospital_days_year", "other_absence_days_year",
                            "current_decision_id"])[0]
        self.assertEqual(values["absence_days_year"], 8)
        self.assertEqual(values["hospital_days_year"], 5)
        self.assertEqual(values["other_absence_days_year"], 3)
        self.assertEqual(values["current_decision_id"][0], self.paul_decision.id)

    def test_operator_works_on_the_referential(self):
        self.paul.with_user(self.operator).write({"birth_name": "Durand-Roig"})
        self.paul_stay_a.with_user(self.operator).write({"date_end": date(2025, 12, 31)})
        self.paul_decision.with_user(self.operator).write({"reference": "CD66-2025-0042"})
        self.tariff_a.with_user(self.operator).write({"amount": 182.5})
        self.agreement.with_user(self.operator).write({"commitment_number": "EJ-1234"})
        self.assertEqual(self.paul.birth_name, "Durand-Roig")
        self.assertEqual(self.tariff_a.amount, 182.5)

    def test_operator_cannot_configure_policies_or_parameters(self):
        with self.assertRaises(AccessError):
            self.policy.with_user(self.operator).write({"quota_days": 45})
        with self.assertRaises(AccessError):
            self.env["essms.absence.policy"].with_user(self.operator).create({"name": "RDAS 11"})
        with self.assertRaises(AccessError):
            self.env["essms.parameter"].with_user(self.operator).create(
                {"code": "fjh", "date_from": date(2031, 1, 1), "value": 25.0}
            )
        parameter = self.env["essms.parameter"].search([], limit=1)
        if parameter:
            with self.assertRaises(AccessError):
                parameter.with_user(self.operator).write({"value": 1.0})
        with self.assertRaises(AccessError):
            self.establishment.with_user(self.operator).write({"capacity": 60})
        self.assertEqual(self.policy.quota_days, 30)

    def test_manager_configures_policies_and_parameters(self):
        self.policy.with_user(self.manager).write({"quota_days": 45})
        self.assertEqual(self.policy.quota_days, 45)
        parameter = self.env["essms.parameter"].with_user(self.manager).create(
            {"code": "fjh", "date_from": date(2031, 1, 1), "value": 25.0}
        )
        parameter.write({"value": 26.0})
        self.assertEqual(parameter.value, 26.0)
        self.establishment.with_user(self.manager).write({"capacity": 60})
        self.assertEqual(self.establishment.capacity, 60)


@tagged("post_install", "-at_install")
class TestAccessRights(EssmsSecurityCase):
    def test_access_matrix_of_the_groups(self):
        users = {ESTABLISHMENT: self.user_a, OPERATOR: self.operator, MANAGER: self.manager}
        for model, per_group in ACCESS.items():
            for group, allowed in per_group.items():
                for letter, operation in OPERATIONS.items():
                    with self.subTest(model=model, group=group, operation=operation):
                        granted = self.env[model].with_user(users[group]).has_access(operation)
                        self.assertEqual(granted, letter in allowed)

    def test_plain_internal_user_has_no_access(self):
        employee = new_test_user(self.env, "employee_essms", groups="base.group_user")
        for model in ACCESS:
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(employee).search([])

    def test_every_model_has_access_rights(self):
        models = self.env["ir.model"].search([("model", "=like", "essms.%")])
        self.assertIn("essms.funding.decision", models.mapped("model"))
        for model in models.filtered(lambda m: not self.env[m.model]._abstract):
            with self.subTest(model=model.model):
                self.assertTrue(self.env["ir.model.access"].search_count([("model_id", "=", model.id)]))

    def test_every_company_model_has_a_company_rule(self):
        models = self.env["ir.model"].search([("model", "=like", "essms.%")])
        for model in models:
            Model = self.env[model.model]
            field = Model._fields.get("company_id")
            if Model._abstract or Model._transient or not field or not field.store:
                continue
            with self.subTest(model=model.model):
                rules = self.env["ir.rule"].search([("model_id", "=", model.id), ("global", "=", True)])
                self.assertTrue(any("company_ids" in rule.domain_force for rule in rules))


@tagged("post_install", "-at_install")
class TestMultiCompany(EssmsSecurityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_1 = cls.company
        cls.company_2 = cls._create_company("Association Les Amandiers")
        cls.establishment_2 = cls._create_establishment("MAS Les Amandiers", code="AMA", company=cls.company_2)
        cls.agreement_2 = cls._create_agreement(cls.establishment_2, cls.payer)
        cls.tariff_2 = cls._create_tariff(cls.agreement_2, date(2025, 1, 1))
        cls.beneficiary_2 = cls._create_beneficiary("Rose Amandier", company=cls.company_2)
        cls.stay_2 = cls._create_stay(cls.beneficiary_2, cls.establishment_2, date(2025, 1, 1))
        cls.absence_2 = cls._create_absence(cls.stay_2, date(2025, 2, 1))
        cls.decision_2 = cls._create_decision(cls.beneficiary_2, agreement=cls.agreement_2)
        cls.manager_1 = new_test_user(
            cls.env, "manager_company_1", groups=MANAGER, company_id=cls.company_1.id,
            company_ids=[(6, 0, cls.company_1.ids)],
        )
        cls.manager_both = new_test_user(
            cls.env, "manager_both", groups=MANAGER, company_id=cls.company_1.id,
            company_ids=[(6, 0, (cls.company_1 | cls.company_2).ids)],
        )
        cls.records_2 = [cls.establishment_2, cls.beneficiary_2, cls.stay_2, cls.absence_2, cls.agreement_2,
                         cls.tariff_2, cls.decision_2]

    def test_manager_of_company_1_sees_nothing_of_company_2(self):
        for record in self.records_2:
            model = self.env[record._name].with_user(self.manager_1)
            with self.subTest(model=record._name):
                self.assertFalse(model.search([("id", "=", record.id)]))
                with self.assertRaises(AccessError):
                    model.browse(record.id).read(["display_name"])
        # …while seeing company 1 as usual.
        self.assertEqual(
            self.env["essms.beneficiary"].with_user(self.manager_1).search([("id", "=", self.paul.id)]), self.paul
        )

    def test_only_the_selected_companies_are_seen(self):
        one = self.env["essms.beneficiary"].with_user(self.manager_both).with_context(
            allowed_company_ids=self.company_1.ids
        )
        self.assertFalse(one.search([("id", "=", self.beneficiary_2.id)]))
        both = one.with_context(allowed_company_ids=(self.company_1 | self.company_2).ids)
        self.assertEqual(both.search([("id", "=", self.beneficiary_2.id)]), self.beneficiary_2)
        decisions = self.env["essms.funding.decision"].with_user(self.manager_both).with_context(
            allowed_company_ids=self.company_1.ids
        )
        self.assertFalse(decisions.search([("id", "=", self.decision_2.id)]))

    def test_records_cannot_mix_companies(self):
        # Odoo's own message on a mixed-company record names the offending field by its technical name.
        attempts = {
            "beneficiary_id": lambda: self._create_stay(self.beneficiary_2, self.establishment, date(2025, 1, 1),
                                                        accommodation="day_care"),
            "agreement_id": lambda: self._create_decision(self.paul, agreement=self.agreement_2),
            "absence_policy_id": lambda: self._create_agreement(self.establishment_2, self.payer,
                                                                policy=self.policy),
        }
        for fname, attempt in attempts.items():
            with self.subTest(field=fname), self.assertRaises(UserError) as error:
                attempt()
            self.assertNotIsInstance(error.exception, ValidationError)
            self.assertIn(fname, str(error.exception))
