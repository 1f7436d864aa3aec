"""The demo generator: coherent data for the operator's demo, deterministic and batched for the benchmarks.

Every generation goes into a company created by the test: nothing here relies on the demo data.
"""

from collections import defaultdict
from datetime import date
from datetime import timedelta
from itertools import pairwise

from dateutil.relativedelta import relativedelta
from stdnum.fr import siret

from odoo.addons.essms_billing.models.essms_funding_decision import DECISION_STATES
from odoo.tests import TransactionCase
from odoo.tests import new_test_user
from odoo.tests import tagged

DATE_REF = date(2026, 3, 16)


@tagged("post_install", "-at_install")
class TestDemoGenerator(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.generator = cls.env["essms.demo.generator"]
        cls.companies = {}
        cls.summaries = {}
        for n in (20, 40):
            cls.companies[n] = cls._new_company("Association de test %d" % n)
            cls.summaries[n] = cls.generator.generate(n, seed=7, company=cls.companies[n], date_ref=DATE_REF)

    @classmethod
    def _new_company(cls, name):
        return cls.env["res.company"].create({"name": name})

    def _search(self, model, company, domain=()):
        return self.env[model].with_context(active_test=False).search([("company_id", "=", company.id), *domain])

    def _signature(self, company):
        """What a user would compare between two generations: people, stays, decisions, absences."""
        beneficiaries = self._search("essms.beneficiary", company).sorted("file_number")
        return [
            (
                b.file_number,
                b.name,
                b.birth_date,
                b.legal_protection,
                b.protector_id.name,
                [(s.establishment_id.code, s.accommodation, s.date_start, s.date_end, s.end_reason)
                 for s in b.stay_ids.sorted("date_start")],
                [(d.payer_id.name, d.state, d.date_filed, d.date_decision, d.date_effect, d.date_end,
                  d.contribution_monthly) for d in b.decision_ids.sorted(lambda d: (d.date_entry, d.id))],
                [(a.kind, a.date_start, a.date_end) for a in b.absence_ids.sorted("date_start")],
            )
            for b in beneficiaries
        ]

    def test_every_beneficiary_has_a_stay_an_adult_age_and_a_decision(self):
        for n, company in self.companies.items():
            beneficiaries = self._search("essms.beneficiary", company)
            self.assertEqual(len(beneficiaries), n)
            self.assertEqual(self.summaries[n]["beneficiaries"], n)
            for beneficiary in beneficiaries:
                self.assertTrue(beneficiary.stay_ids, "%s has no stay" % beneficiary.name)
                self.assertTrue(beneficiary.decision_ids, "%s has no funding decision" % beneficiary.name)
                first_entry = min(beneficiary.stay_ids.mapped("date_start"))
                self.assertGreaterEqual(first_entry, beneficiary.birth_date + relativedelta(years=18))
                self.assertEqual(beneficiary.partner_id.essms_payer_kind, "resident")
            stays = self._search("essms.stay", company)
            current = stays.filtered(lambda s: not s.date_end or s.date_end >= DATE_REF)
            self.assertGreater(len(current), 0.8 * n, "most stays are current")
            self.assertEqual(set(stays.filtered("end_reason").mapped("end_reason")), {"departure", "death", "transfer"})
            # Rights end with a departure or a death: nothing to renew.
            for stay in stays.filtered(lambda s: s.end_reason in ("departure", "death")):
                self.assertEqual(max(stay.beneficiary_id.decision_ids.mapped("date_end")), stay.date_end)
            # A transfer closes a stay and opens the next one the day after, in another establishment.
            for stay in stays.filtered(lambda s: s.end_reason == "transfer"):
                following = stay.beneficiary_id.stay_ids - stay
                self.assertEqual(following.date_start, stay.date_end + timedelta(days=1))
                self.assertNotEqual(following.establishment_id, stay.establishment_id)

    def test_decisions_in_every_state_with_the_deadlines_of_pending_files(self):
        company = self.companies[20]
        decisions = self._search("essms.funding.decision", company)
        self.assertEqual(set(decisions.mapped("state")), {state for state, _label in DECISION_STATES})
        to_file = decisions.filtered(lambda d: d.state == "to_file")
        self.assertTrue(to_file.filtered(lambda d: d.date_filing_deadline >= DATE_REF), "a file still in time")
        self.assertTrue(to_file.filtered(lambda d: d.date_filing_deadline < DATE_REF), "a file past its deadline")
        granted = decisions.filtered(lambda d: d.state in ("granted", "partially_granted"))
        expiring = granted.filtered(lambda d: DATE_REF < d.date_end <= DATE_REF + relativedelta(months=6))
        self.assertTrue(expiring, "a decision to renew within six months")
        for decision in granted:
            self.assertTrue(decision.date_filed <= decision.date_decision <= DATE_REF)
            self.assertGreaterEqual(decision.date_effect, decision.date_entry)
        for decision in decisions.filtered(lambda d: d.state == "filed"):
            self.assertLessEqual(decision.date_filed, decision.date_filing_deadline)
            self.assertEqual(decision.date_effect, decision.date_entry)
        partial = decisions.filtered(lambda d: d.state == "partially_granted")
        self.assertTrue(all(d.date_filed > d.date_filing_deadline and d.date_effect > d.date_entry for d in partial))
        # AAH only, not working: the contribution of billing-rules §2.
        self.assertIn(723.32, granted.filtered(lambda d: d.contribution_mode == "net_billing").mapped(
            "contribution_monthly"))
        self.assertEqual(set(decisions.filtered(lambda d: d.state == "refused").mapped("contribution_monthly")), {0.0})

    def test_absences_never_overlap_and_stay_inside_their_stay(self):
        for company in self.companies.values():
            absences = self._search("essms.absence", company)
            self.assertEqual(set(absences.mapped("kind")), {"hospital", "holidays", "family_weekend"})
            by_beneficiary = defaultdict(list)
            for absence in absences:
                by_beneficiary[absence.beneficiary_id].append(absence)
                start, end = absence._local_dates()
                stay = absence.stay_id
                self.assertTrue(stay.date_start <= start and (not stay.date_end or end <= stay.date_end))
                self.assertTrue(DATE_REF - timedelta(days=366) <= start and end < DATE_REF)
                if absence.kind == "hospital":
                    self.assertTrue(4 <= absence.duration_days <= 15)
                elif absence.kind == "family_weekend":
                    departure, back = absence._local_datetimes()
                    self.assertEqual((departure.weekday(), departure.hour, back.weekday(), back.hour), (4, 18, 6, 18))
                    self.assertIn(absence.duration_hours, (47, 48, 49), "48 h, but for a change of summer time")
                else:
                    self.assertIn(absence.duration_days, (8, 15))
            for beneficiary_absences in by_beneficiary.values():
                ordered = sorted(beneficiary_absences, key=lambda a: a.date_start)
                for previous, following in pairwise(ordered):
                    self.assertLess(previous.date_end, following.date_start)

    def test_tariff_changes_once_during_the_year(self):
        company = self.companies[20]
        change = (DATE_REF - relativedelta(months=5)).replace(day=1)
        agreements = self._search("essms.agreement", company)
        daily = agreements.filtered(lambda a: a.financing == "daily_price")
        self.assertEqual(len(daily), 3 * 3, "each establishment with each of the three départements")
        for agreement in daily:
            for accommodation in set(agreement.tariff_ids.mapped("accommodation")):
                old, new = agreement.tariff_ids.filtered(lambda t, a=accommodation: t.accommodation == a).sorted(
                    "date_from"
                )
                self.assertEqual((old.date_to, new.date_from, new.date_to), (change - timedelta(days=1), change, False))
                self.assertGreater(new.amount, old.amount)
                self.assertTrue(old.decree_ref and new.decree_ref and old.decree_ref != new.decree_ref)
        foyer_vie = self._search("essms.establishment", company, [("kind", "=", "foyer_vie")])
        prices = self._search("essms.tariff", company, [("establishment_id", "=", foyer_vie.id)]).mapped("amount")
        self.assertEqual(set(prices), {180.00, 184.50})
        fam_care = agreements.filtered(lambda a: a.financing == "global_allocation")
        self.assertEqual(fam_care.payer_id.essms_payer_kind, "health_insurance")
        self.assertEqual(fam_care.establishment_id.kind, "fam")
        self.assertGreater(fam_care.annual_allocation, 0)

    def test_payers_establishments_and_policies_are_valid(self):
        company = self.companies[20]
        payers = self._search("res.partner", company, [("essms_payer_kind", "in", ("departement", "health_insurance"))])
        self.assertEqual(len(payers), 4)
        self.assertTrue(all(siret.is_valid(payer.siret) for payer in payers))
        establishments = self._search("essms.establishment", company)
        self.assertEqual(set(establishments.mapped("kind")), {"foyer_vie", "fam", "foyer_hebergement"})
        self.assertTrue(all(e.finess.startswith("66") and len(e.finess) == 9 for e in establishments))
        self.assertEqual(len(establishments.journal_id), 3, "one invoice series per establishment")
        self.assertTrue(all(e.capacity >= e.current_stay_count for e in establishments))
        policies = self._search("essms.absence.policy", company)
        cd66 = policies.filtered(lambda p: p.payer_id.name == "Département des Pyrénées-Orientales")
        self.assertEqual((cd66.quota_days, cd66.threshold_hours, cd66.reduction_start), (35, 72, "after_threshold"))
        self.assertEqual(set((policies - cd66).mapped("reduction_start")), {"first_day"})
        # Residents come under CD66 and under the two other départements (domicile de secours).
        decisions = self._search("essms.funding.decision", company)
        self.assertEqual(len(decisions.payer_id), 3)

    def test_guardians_represent_several_people(self):
        for n, company in self.companies.items():
            protected = self._search("essms.beneficiary", company, [("legal_protection", "!=", "none")])
            self.assertAlmostEqual(len(protected), 0.2 * n, delta=1)
            self.assertTrue(all(protected.mapped("protector_id")))
            self.assertTrue(all(protected.mapped("protection_reference")))
            services = protected.protector_id.filtered(lambda p: p.essms_payer_kind == "guardian")
            self.assertEqual(len(services), 1)
            self.assertGreaterEqual(len(services.essms_protected_ids), 2)
            family = protected.protector_id.filtered(lambda p: p.essms_payer_kind == "family")
            self.assertTrue(family, "some residents are protected by a relative")
            for relative in family:
                surname = relative.name.split(" ", 1)[1]
                self.assertEqual(relative.essms_protected_ids.partner_id.name.split(" ", 1)[1], surname)

    def test_generation_is_deterministic_for_a_seed(self):
        again = self._new_company("Association de test bis")
        summary = self.generator.generate(20, seed=7, company=again, date_ref=DATE_REF)
        self.assertEqual(summary, self.summaries[20])
        self.assertEqual(self._signature(again), self._signature(self.companies[20]))
        other_seed = self._new_company("Association de test ter")
        self.generator.generate(20, seed=8, company=other_seed, date_ref=DATE_REF)
        self.assertNotEqual(self._signature(other_seed), self._signature(self.companies[20]))

    def test_queries_do_not_grow_with_the_number_of_beneficiaries(self):
        self.generator.generate(5, seed=3, company=self._new_company("Échauffement"), date_ref=DATE_REF)
        counts = {}
        for n in (20, 40):
            company = self._new_company("Comptage %d" % n)
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            summary = self.generator.generate(n, seed=3, company=company, date_ref=DATE_REF)
            self.env.flush_all()
            counts[n] = self.env.cr.sql_log_count - before
            self.assertGreater(summary["absences"], 4 * n)
        # Twenty more residents mean about 150 more records; one query per record would add 20 at least.
        # Only the ORM's insert batches of 100 rows may add a few.
        self.assertLessEqual(counts[40] - counts[20], 8, counts)

    def test_setup_company_and_demo_users(self):
        company = self._new_company("Future association")
        self.generator._setup_company(company)
        self.assertEqual(company.chart_template, "fr")
        self.assertEqual((company.city, company.zip, company.country_id.code), ("Perpignan", "66000", "FR"))
        self.assertEqual(company.currency_id, self.env.ref("base.EUR"))
        self.assertTrue(siret.is_valid(company.siret))
        self.generator.generate(20, seed=7, company=company, date_ref=DATE_REF, xmlid_prefix="test_demo")
        foyer_vie = self.env.ref("essms_billing_demo.test_demo_establishment_foyer_vie")
        self.assertEqual((foyer_vie.kind, foyer_vie.company_id), ("foyer_vie", company))
        self.assertEqual(
            self.env.ref("essms_billing_demo.test_demo_payer_cd66").name, "Département des Pyrénées-Orientales"
        )
        self.assertEqual(self.env.ref("essms_billing_demo.test_demo_policy_cd66").quota_days, 35)
        # The establishment's invoices go to its own journal, on the French revenue account of services.
        self.assertTrue(foyer_vie.journal_id.default_account_id.with_company(company).code.startswith("706"))

        self.env["res.lang"]._activate_lang("fr_FR")
        director = new_test_user(self.env, "test_directeur", groups="essms_billing.group_essms_establishment")
        operator = new_test_user(self.env, "test_operateur", groups="essms_billing.group_essms_operator")
        self.generator._setup_demo_users((director | operator).ids, foyer_vie.id, director.ids)
        self.assertEqual(foyer_vie.user_ids, director)
        self.assertEqual(set((director | operator).mapped("tz")), {"Europe/Paris"})
        self.assertEqual(set((director | operator).mapped("lang")), {"fr_FR"})

    def test_billing_scenarios_a_recall_and_a_regularisation_to_show(self):
        company = self._new_company("Association facturée")
        self.generator._setup_company(company)
        self.generator.generate(20, seed=7, company=company, date_ref=DATE_REF)
        scenarios = self.generator._setup_billing_scenarios(company, date_ref=DATE_REF)
        january = date(2026, 1, 1)

        # The month before last is invoiced, every establishment's statement validated without a blocking anomaly.
        establishments = self._search("essms.establishment", company)
        statements = scenarios["statements"]
        self.assertEqual(statements.establishment_id, establishments)
        self.assertEqual(set(statements.mapped("period_start")), {january})
        self.assertEqual(set(statements.mapped("state")), {"validated"})
        run = scenarios["run"]
        self.assertRecordValues(run, [{"kind": "regular", "period_start": january, "state": "invoiced"}])
        self.assertTrue(run.move_ids)
        self.assertEqual(set(run.move_ids.mapped("state")), {"posted"})
        self.assertEqual(run.move_ids.mapped("journal_id"), establishments.journal_id)
        # The last complete month is left to the operator.
        self.assertFalse(self._search("essms.activity.statement", company, [("period_start", "=", date(2026, 2, 1))]))

        # The two months before it were invoiced first, each on the first working day from the 3rd of the next.
        earlier = scenarios["earlier_runs"]
        self.assertEqual(earlier.mapped("period_start"), [date(2025, 11, 1), date(2025, 12, 1)])
        self.assertEqual(set(earlier.mapped("state")), {"invoiced"})
        self.assertEqual(set(run.move_ids.mapped("invoice_date")), {date(2026, 2, 3)})
        self.assertEqual(set(earlier[1].move_ids.mapped("invoice_date")), {date(2026, 1, 5)}, "3 January: Saturday")

        # A pending file accrued the département's share of the month: granted, its recall bills it.
        pending = self._search("essms.funding.decision", company, [("state", "=", "filed")])
        self.assertTrue(pending)
        accrued = run.line_ids.filtered(lambda line: line.pending_decision and line.decision_id in pending)
        self.assertTrue(accrued, "a pending file should have accrued its share in the invoiced month")
        decision = accrued[0].decision_id
        decision.write({"state": "granted", "date_decision": DATE_REF, "reference": "CD66-ASH-TEST"})
        recall = self.env["essms.billing.run"].browse(decision.action_create_recall_run()["res_id"])
        recall.action_compute()
        payer_lines = recall.line_ids.filtered(lambda line: line.role == "payer")
        self.assertIn(january, payer_lines.mapped("period_start"))
        accrued_all = (earlier | run).line_ids.filtered(
            lambda line: line.pending_decision and line.decision_id == decision
        )
        self.assertAlmostEqual(sum(payer_lines.mapped("amount")),
                               sum(accrued_all.mapped("to_bill_on_decision")), places=2)

        # The decree raises the foyer de vie's price from the invoiced month: the regularisation bills the rise.
        foyer_vie = establishments.filtered(lambda establishment: establishment.kind == "foyer_vie")
        tariffs = scenarios["tariffs"]
        self.assertEqual(tariffs.establishment_id, foyer_vie)
        self.assertEqual(set(tariffs.mapped("date_from")), {january})
        regularisation = self.env["essms.billing.run"].create(
            {"kind": "regularisation", "company_id": company.id, "period_start": january,
             "period_end": date(2026, 1, 31), "establishment_ids": foyer_vie.ids}
        )
        regularisation.action_compute()
        self.assertTrue(regularisation.line_ids)
        self.assertGreater(regularisation.amount_total, 0)
        self.assertIn("tariff decree", "\n".join(regularisation.line_ids.mapped("explanation")))
