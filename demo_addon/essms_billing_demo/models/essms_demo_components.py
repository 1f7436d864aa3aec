"""Demo data of the components and payers of a stay (billing-rules §9 to §11): a MAS, an EHPAD and a FAM whose care
is billed per day to the health-insurance fund.

Fixed data (no random draw but the FINESS numbers, from a generator of its own), created after the association's
other scenarios so that none of their figures changes: the worked examples I (FAM, two payers), F (MAS, the daily
hospital fee within the 30 % AAH guarantee) and G (EHPAD: private, APA per resident, social aid) as residents of the
association. The month before the last one (M-1) is billed and invoiced, and every invoice of it paid three weeks
later (so that the walkthrough's dunning run is the same with or without them); the last complete month (M) is left
to the operator, who bills it in the README's walkthrough (*Every component and every payer of a stay*).
"""

import random
from datetime import date
from datetime import datetime
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command
from odoo import api
from odoo import fields
from odoo import models

from .essms_demo_generator import PAYERS
from .essms_demo_generator import TZ
from .essms_demo_generator import make_finess

# Its own generator: the FINESS numbers of these establishments do not move the association's other draws.
SEED = 914
PAYMENT_DELAY = timedelta(days=21)
MUTUELLE = {"name": "Mutuelle Catalane", "street": "3 rue Mailly", "zip": "66000", "city": "Perpignan"}

FAM = {
    "key": "fam_care", "kind": "fam", "name": "Foyer d'accueil médicalisé Les Aspres", "code": "FAM2",
    "capacity": 24, "street": "Chemin de la Bastide", "zip": "66300", "city": "Thuir",
}
MAS = {
    "key": "mas", "kind": "mas", "name": "Maison d'accueil spécialisée La Tramontane", "code": "MAS1",
    "capacity": 30, "street": "Avenue du Vallespir", "zip": "66400", "city": "Céret",
}
EHPAD = {
    "key": "ehpad", "kind": "ehpad", "name": "EHPAD Les Mimosas", "code": "EHPAD1",
    "capacity": 60, "street": "Boulevard des Pyrénées", "zip": "66700", "city": "Argelès-sur-Mer",
}
ESTABLISHMENTS = (FAM, MAS, EHPAD)

# The prices of the worked examples (billing-rules §9 to §11), from two years before the demo's day.
FAM_ACCOMMODATION = 184.50
FAM_CARE = 72.35
MAS_DAILY_PRICE = 245.80
EHPAD_ACCOMMODATION = 68.40
DEPENDENCY = (("1_2", 23.10), ("3_4", 14.66), ("5_6", 6.22))

# (name, establishment, birth date, entry years ago, situation, what else): the people of the worked examples.
RESIDENTS = (
    # Example I: the département's accommodation less the contribution, the care to the CPAM; a hospital stay in M.
    {"name": "Inès Roig", "home": "fam_care", "birth": date(1983, 5, 14), "decision": "cd66", "contribution": 723.32,
     "situation": {"health_fund": "cpam66", "resources_monthly": 1033.32}, "hospital_in_m": True},
    {"name": "Martin Py", "home": "fam_care", "birth": date(1976, 11, 2), "decision": "cd66", "contribution": 723.32,
     "situation": {"health_fund": "cpam66", "resources_monthly": 1033.32}},
    # Example F: the daily price to the CPAM; the daily hospital fee to the resident within the guarantee.
    {"name": "Fabien Sala", "home": "mas", "birth": date(1979, 2, 21),
     "situation": {"health_fund": "cpam66", "resources_monthly": 1033.32}},
    {"name": "Firmin Pujol", "home": "mas", "birth": date(1988, 8, 9),
     "situation": {"health_fund": "cpam66", "resources_monthly": 600.00}},
    {"name": "Flora Vidal", "home": "mas", "birth": date(1991, 3, 30),
     "situation": {"health_fund": "cpam66", "resources_monthly": 600.00, "fjh_third_payer": "mutuelle"}},
    # Example G: a private resident (APA by the CD66's allocation), the Hérault's APA per day, social aid.
    {"name": "Gaston Marty", "home": "ehpad", "birth": date(1938, 1, 12), "situation": {"gir_group": "1_2"}},
    {"name": "Germaine Coll", "home": "ehpad", "birth": date(1935, 6, 3), "situation": {"gir_group": "1_2"},
     "decision": "apa34"},
    {"name": "Gisèle Bosch", "home": "ehpad", "birth": date(1940, 9, 25),
     "situation": {"gir_group": "1_2", "resources_monthly": 1450.00}, "decision": "cd66", "contribution": 1305.00},
    {"name": "Henri Coste", "home": "ehpad", "birth": date(1942, 4, 17), "situation": {"gir_group": "5_6"}},
)


class EssmsDemoGenerator(models.AbstractModel):
    _inherit = "essms.demo.generator"

    @api.model
    def _setup_components_scenario(self, company, date_ref=None):
        """The FAM, the MAS and the EHPAD of the worked examples, their agreements per component, residents and
        situations; M-1 billed and paid. Returns what was created."""
        company = self._get_company(company)
        date_ref = fields.Date.to_date(date_ref) or fields.Date.context_today(self)
        french = self.env["res.lang"].search_count([("code", "=", "fr_FR")])
        generator = self.with_company(company).with_context(
            mail_create_nosubscribe=True, tracking_disable=True, lang="fr_FR" if french else self.env.lang
        )
        env = generator.env
        payers = {key: env.ref("essms_billing_demo.demo_payer_%s" % key) for key in ("cd66", "cd34", "cpam66")}
        policy = env.ref("essms_billing_demo.demo_policy_cd66")
        payers["mutuelle"] = env["res.partner"].create({
            **MUTUELLE, "is_company": True, "essms_payer_kind": "other", "company_id": company.id,
            "country_id": env.ref("base.fr").id, **({"lang": "fr_FR"} if french else {}),
        })
        establishments = generator._components_establishments(company)
        agreements = generator._components_agreements(establishments, payers, policy, date_ref)
        residents = generator._components_residents(company, establishments, agreements, payers, date_ref)
        month = (date_ref - relativedelta(months=2)).replace(day=1)
        all_establishments = env["essms.establishment"].browse([e.id for e in establishments.values()])
        generator._validated_statements(all_establishments, month)
        invoice_day = generator._invoicing_day(month)
        run = env["essms.billing.run"].create(
            {"company_id": company.id, "period_start": month, "invoice_date": invoice_day,
             "establishment_ids": [Command.set(all_establishments.ids)]}
        )
        run.action_compute()
        run._invoice_at_once()
        moves = run.move_ids.filtered(lambda move: move.state == "posted" and move.amount_residual)
        if moves:
            env["account.payment.register"].with_context(active_model="account.move", active_ids=moves.ids).create(
                {"payment_date": min(invoice_day + PAYMENT_DELAY, date_ref)}
            )._create_payments()
        return {"establishments": all_establishments, "agreements": agreements, "run": run, **residents}

    def _components_establishments(self, company):
        env = self.env
        rng = random.Random(SEED)
        sales = env["account.journal"].search([("company_id", "=", company.id), ("type", "=", "sale")], limit=1)
        result = {}
        for spec in ESTABLISHMENTS:
            journal = env["account.journal"].create({
                "name": "Factures %s" % spec["name"], "code": spec["code"], "type": "sale", "company_id": company.id,
                "refund_sequence": True, "default_account_id": sales.default_account_id.id,
            })
            address = env["res.partner"].create({
                "name": spec["name"], "is_company": True, "company_id": company.id, "tz": TZ,
                "street": spec["street"], "zip": spec["zip"], "city": spec["city"],
                "country_id": env.ref("base.fr").id,
            })
            result[spec["key"]] = env["essms.establishment"].create({
                "name": spec["name"], "code": spec["code"], "kind": spec["kind"], "finess": make_finess(rng),
                "capacity": spec["capacity"], "company_id": company.id, "partner_id": address.id,
                "journal_id": journal.id,
            })
        return result

    def _components_agreements(self, establishments, payers, policy, date_ref):
        """One agreement per component and payer, as §9's table has them; a dated tariff each."""
        start = date(date_ref.year - 2, 1, 1)
        year = date_ref.year - 2
        common = {"absence_policy_id": policy.id, "date_start": start, "invoice_grouping": "beneficiary"}
        fam, mas, ehpad = establishments["fam_care"], establishments["mas"], establishments["ehpad"]
        cd66_code = PAYERS["cd66"]["service_code"]
        specs = {
            # The FAM: its département pays after the month (a setting of each agreement).
            "fam_accommodation": (fam, {"name": "CD66 – %s" % fam.name, "component": "accommodation",
                                        "payer_rule": "decision_payer", "payer_id": payers["cd66"].id,
                                        "billing_term": "arrears", "service_code": cd66_code}),
            "fam_care": (fam, {"name": "Assurance maladie – soins – %s" % fam.name, "component": "care",
                               "payer_rule": "health_fund", "billing_term": "arrears"}),
            "mas_accommodation": (mas, {"name": "Assurance maladie – %s" % mas.name, "component": "accommodation",
                                        "payer_rule": "health_fund", "billing_term": "arrears"}),
            "mas_fjh": (mas, {"name": "Forfait journalier – %s" % mas.name, "component": "fjh",
                              "payer_rule": "resident", "billing_term": "arrears"}),
            "ehpad_private": (ehpad, {"name": "Résidents payants – %s" % ehpad.name, "component": "accommodation",
                                      "payer_rule": "resident", "billing_term": "advance"}),
            "ehpad_social_aid": (ehpad, {"name": "Aide sociale CD66 – %s" % ehpad.name,
                                         "component": "accommodation", "payer_rule": "decision_payer",
                                         "payer_id": payers["cd66"].id, "billing_term": "advance",
                                         "service_code": cd66_code}),
            "ehpad_apa66": (ehpad, {"name": "APA CD66 (dotation globale) – %s" % ehpad.name,
                                    "component": "dependency", "payer_rule": "decision_payer",
                                    "payer_id": payers["cd66"].id, "billing_term": "advance"}),
            "ehpad_apa34": (ehpad, {"name": "APA CD34 – %s" % ehpad.name, "component": "dependency",
                                    "payer_rule": "decision_payer", "payer_id": payers["cd34"].id,
                                    "billing_term": "advance", "apa_individual": True,
                                    "service_code": PAYERS["cd34"]["service_code"]}),
        }
        keys = list(specs)
        records = self.env["essms.agreement"].create(
            [{**common, "establishment_id": specs[key][0].id, **specs[key][1]} for key in keys]
        )
        agreements = dict(zip(keys, records, strict=True))
        tariffs = [
            ("fam_accommodation", "accommodation", FAM_ACCOMMODATION, False),
            ("fam_care", "care", FAM_CARE, False),
            ("mas_accommodation", "accommodation", MAS_DAILY_PRICE, False),
            ("ehpad_private", "accommodation", EHPAD_ACCOMMODATION, False),
            ("ehpad_social_aid", "accommodation", EHPAD_ACCOMMODATION, False),
        ] + [
            (key, "dependency", amount, gir) for key in ("ehpad_apa66", "ehpad_apa34") for gir, amount in DEPENDENCY
        ]
        self.env["essms.tariff"].create([
            {
                "agreement_id": agreements[key].id, "accommodation": "full_board", "kind": kind, "date_from": start,
                "amount": amount, "gir_group": gir, "decree_ref": "Arrêté n° %d-%s" % (year, agreements[key].id),
            }
            for key, kind, amount, gir in tariffs
        ])
        return agreements

    def _components_residents(self, company, establishments, agreements, payers, date_ref):
        env = self.env
        french = self._french()
        entry = date(date_ref.year - 1, 1, 1)
        partners = env["res.partner"].create([
            {
                "name": person["name"], "essms_payer_kind": "resident", "company_id": company.id,
                "street": establishments[person["home"]].partner_id.street,
                "zip": establishments[person["home"]].partner_id.zip,
                "city": establishments[person["home"]].partner_id.city,
                "country_id": env.ref("base.fr").id, **({"lang": french} if french else {}),
            }
            for person in RESIDENTS
        ])
        offset = env["essms.beneficiary"].with_context(active_test=False).search_count(
            [("company_id", "=", company.id)]
        )
        beneficiaries = env["essms.beneficiary"].create([
            {
                "partner_id": partner.id, "company_id": company.id, "birth_date": person["birth"],
                "file_number": "%d-%05d" % (entry.year, offset + index + 1),
            }
            for index, (person, partner) in enumerate(zip(RESIDENTS, partners, strict=True))
        ])
        stays = env["essms.stay"].create([
            {
                "beneficiary_id": beneficiary.id, "establishment_id": establishments[person["home"]].id,
                "accommodation": "full_board", "date_start": entry,
            }
            for person, beneficiary in zip(RESIDENTS, beneficiaries, strict=True)
        ])
        situations = env["essms.beneficiary.situation"].create([
            {
                "beneficiary_id": beneficiary.id, "date_from": entry,
                "gir_group": person["situation"].get("gir_group", False),
                "resources_monthly": person["situation"].get("resources_monthly", 0.0),
                "health_fund_id": payers[person["situation"]["health_fund"]].id
                if "health_fund" in person["situation"] else False,
                "fjh_third_payer_id": payers[person["situation"]["fjh_third_payer"]].id
                if "fjh_third_payer" in person["situation"] else False,
            }
            for person, beneficiary in zip(RESIDENTS, beneficiaries, strict=True)
        ])
        decision_agreement = {
            ("fam_care", "cd66"): "fam_accommodation", ("ehpad", "cd66"): "ehpad_social_aid",
            ("ehpad", "apa34"): "ehpad_apa34",
        }
        decisions = env["essms.funding.decision"].create([
            {
                "beneficiary_id": beneficiary.id,
                "payer_id": payers["cd34" if person["decision"] == "apa34" else "cd66"].id,
                "agreement_id": agreements[decision_agreement[(person["home"], person["decision"])]].id,
                "state": "granted", "date_entry": entry, "date_filed": entry, "date_decision": entry,
                "date_effect": entry,
                "reference": "%s-%d-%03d" % ("APA-34" if person["decision"] == "apa34" else "AS-66", entry.year,
                                              index + 1),
                "contribution_mode": "net_billing" if person.get("contribution") else "none",
                "contribution_monthly": person.get("contribution", 0.0),
            }
            for index, (person, beneficiary) in enumerate(zip(RESIDENTS, beneficiaries, strict=True))
            if person.get("decision")
        ])
        # Example I's hospital stay, in M: from the 10th at 8 a.m. to the 14th at 6 p.m. (5 days, over 72 hours).
        month = (date_ref - relativedelta(months=1)).replace(day=1)
        Absence = env["essms.absence"]
        absences = Absence.create([
            {
                "stay_id": stay.id, "kind": "hospital",
                "date_start": Absence._local_to_utc(datetime(month.year, month.month, 10, 8), TZ),
                "date_end": Absence._local_to_utc(datetime(month.year, month.month, 14, 18), TZ),
                "note": "Hospitalisation, centre hospitalier de Perpignan",
            }
            for person, stay in zip(RESIDENTS, stays, strict=True)
            if person.get("hospital_in_m")
        ])
        return {"beneficiaries": beneficiaries, "stays": stays, "situations": situations, "decisions": decisions,
                "absences": absences}
