"""Demo data and benchmark volumes: an association of the Pyrénées-Orientales, its establishments and residents.

The whole data set is first drawn in plain Python from one seeded random generator (names, stays, decisions,
absences), then written with one ``create`` per model, so that the number of queries barely grows with the
number of beneficiaries and a seed always gives the same data. Dates are relative to ``date_ref`` (today by
default): "to file within the deadline" or "expiring soon" stay true whenever the demo is installed.
"""

import math
import random
from collections import Counter
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from stdnum import luhn

from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.addons.essms_billing.engine.contribution import Resources
from odoo.addons.essms_billing.engine.contribution import minimum_left
from odoo.addons.essms_billing.engine.dates import public_holidays
from odoo.addons.essms_billing.engine.decisions import date_of_effect
from odoo.addons.essms_billing.engine.decisions import filing_deadline

TZ = "Europe/Paris"
MODULE = "essms_billing_demo"

# A fictitious association; +33 4 65 71 xx xx is a range ARCEP reserves for fiction, .example a reserved domain.
COMPANY = {
    "name": "Association Tramuntana – Accompagnement et hébergement",
    "street": "12 rue des Amandiers",
    "zip": "66000",
    "city": "Perpignan",
    "phone": "+33 4 65 71 12 34",
    "email": "siege@tramuntana.example",
    "website": "https://tramuntana.example",
}
COMPANY_SIRET_BODIES = ("80466231", "0017")

# Public payers; their SIRET bodies are fictitious, the check digits are computed.
PAYERS = {
    "cd66": {
        "name": "Département des Pyrénées-Orientales",
        "short": "CD66",
        "kind": "departement",
        "siret": ("22660099", "0012"),
        "street": "Hôtel du Département – Direction de la solidarité",
        "zip": "66000",
        "city": "Perpignan",
        "service_code": "DSD-AUTONOMIE",
    },
    "cd11": {
        "name": "Département de l'Aude",
        "short": "CD11",
        "kind": "departement",
        "siret": ("22110099", "0015"),
        "street": "Hôtel du Département – Direction des solidarités",
        "zip": "11000",
        "city": "Carcassonne",
        "service_code": "DGAS-PH",
    },
    "cd34": {
        "name": "Département de l'Hérault",
        "short": "CD34",
        "kind": "departement",
        "siret": ("22340099", "0019"),
        "street": "Hôtel du Département – Pôle des solidarités",
        "zip": "34000",
        "city": "Montpellier",
        "service_code": "PSH-ETAB",
    },
    "cpam66": {
        "name": "CPAM des Pyrénées-Orientales",
        "short": "CPAM 66",
        "kind": "health_insurance",
        "siret": ("78066099", "0024"),
        "street": "Service des établissements médico-sociaux",
        "zip": "66000",
        "city": "Perpignan",
        "service_code": "",
    },
}
# Domicile de secours: most residents come under CD66, some under a neighbouring département.
DEPARTEMENT_SHARES = (("cd66", 0.76), ("cd11", 0.12), ("cd34", 0.12))

# The RDAS of each département (billing-rules §3): CD66 keeps the 72 h threshold with a 35-day quota,
# the other départements reduce the daily price from the first day of absence.
POLICIES = {
    "cd66": {
        "name": "RDAS des Pyrénées-Orientales",
        "threshold_hours": 72,
        "threshold_scope": "each_absence",
        "reduction_start": "after_threshold",
        "reduction_kind": "fjh",
        "quota_days": 35,
        "after_quota": "not_billed",
        "count_weekends_holidays": True,
        "hospital_separate_counter": True,
        "holiday_contribution_exoneration": True,
        "contribution_proration": "calendar",
    },
    "cd11": {
        "name": "RDAS de l'Aude",
        "threshold_hours": 72,
        "threshold_scope": "each_absence",
        "reduction_start": "first_day",
        "reduction_kind": "fjh",
        "quota_days": 30,
        "after_quota": "resident",
        "count_weekends_holidays": True,
        "hospital_separate_counter": False,
        "holiday_contribution_exoneration": True,
        "contribution_proration": "calendar",
    },
    "cd34": {
        "name": "RDAS de l'Hérault",
        "threshold_hours": 72,
        "threshold_scope": "each_absence",
        "reduction_start": "first_day",
        "reduction_kind": "fjh",
        "quota_days": 0,
        "after_quota": "not_billed",
        "count_weekends_holidays": False,
        "hospital_separate_counter": False,
        "holiday_contribution_exoneration": False,
        "contribution_proration": "thirty",
    },
}

# Establishment kinds in the order they are created; `prices` are the daily prices before the change.
KINDS = {
    "foyer_vie": {
        "label": "Foyer de vie",
        "code": "FDV",
        "weight": 4,
        "prices": {"full_board": 180.00},
        "billing_term": "arrears",
        "working": False,
        "weekly_board_share": 0.0,
        "care_allocation_per_place": 0,
    },
    "fam": {
        "label": "Foyer d'accueil médicalisé",
        "code": "FAM",
        "weight": 3,
        "prices": {"full_board": 195.60},
        "billing_term": "advance",
        "working": False,
        "weekly_board_share": 0.0,
        "care_allocation_per_place": 24600,
    },
    "foyer_hebergement": {
        "label": "Foyer d'hébergement",
        "code": "FH",
        "weight": 3,
        "prices": {"full_board": 128.40, "weekly_board": 112.30},
        "billing_term": "arrears",
        "working": True,
        "weekly_board_share": 0.25,
        "care_allocation_per_place": 0,
    },
}
KIND_ORDER = ("foyer_vie", "fam", "foyer_hebergement")
TARIFF_RAISE = Decimal("1.025")
# The decree the foyer de vie receives after the month before last was invoiced, raising its price from that
# month on: the regularisation of the demo.
RETROACTIVE_RAISE = Decimal("1.015")

SITES = (
    ("Les Micocouliers", "14 avenue des Micocouliers", "66000", "Perpignan"),
    ("Le Canigou", "3 route de Ria", "66500", "Prades"),
    ("Les Albères", "22 chemin des Vignes", "66400", "Céret"),
    ("La Tramontane", "5 rue du Ribéral", "66240", "Saint-Estève"),
    ("Les Aspres", "9 avenue de la Gare", "66300", "Thuir"),
    ("La Massane", "17 rue des Mimosas", "66700", "Argelès-sur-Mer"),
    ("Le Vallespir", "2 place de la Liberté", "66160", "Le Boulou"),
    ("Les Oliviers", "11 rue des Oliviers", "66600", "Rivesaltes"),
    ("Le Conflent", "6 avenue du Canigou", "66130", "Ille-sur-Têt"),
    ("Les Salines", "20 boulevard de la Mer", "66140", "Canet-en-Roussillon"),
    ("La Têt", "4 chemin du Moulin", "66170", "Millas"),
    ("Les Tamaris", "13 rue des Tamaris", "66200", "Elne"),
)

GUARDIAN_SERVICES = (
    ("ATI 66 – Service mandataire", "7 boulevard des Pyrénées", "66000", "Perpignan"),
    ("Association tutélaire du Roussillon – Service MJPM", "15 avenue de Grande-Bretagne", "66000", "Perpignan"),
    ("Mandataires judiciaires du Conflent", "4 rue de l'Hospice", "66500", "Prades"),
)

FIRST_NAMES = {
    "f": (
        "Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Sandrine", "Céline", "Stéphanie", "Julie",
        "Aurélie", "Laura", "Camille", "Émilie", "Sophie", "Christine", "Valérie", "Audrey", "Mélanie", "Élodie",
        "Manon", "Chloé", "Léa", "Pauline", "Sarah", "Montserrat", "Nadia", "Patricia", "Virginie",
    ),
    "m": (
        "Jean", "Pierre", "Michel", "Philippe", "Alain", "Patrick", "Nicolas", "Christophe", "Stéphane",
        "Sébastien", "Laurent", "Frédéric", "David", "Julien", "Thomas", "Maxime", "Kévin", "Romain", "Alexandre",
        "Jérôme", "Mathieu", "Antoine", "Quentin", "Florian", "Jordi", "Karim", "Olivier", "Damien",
    ),
}
SURNAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon",
    "Laurent", "Lefebvre", "Michel", "Garcia", "Martinez", "Lopez", "Fernandez", "Sanchez", "Roux", "Fournier",
    "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Faure", "André", "Mercier",
    "Blanc", "Guérin", "Boyer", "Garnier", "Chevalier", "Legrand", "Gauthier", "Perrin", "Robin", "Clément",
    "Morin", "Henry", "Roussel", "Mathieu", "Pujol", "Roig", "Ribes", "Vidal", "Sala", "Bosch", "Soler", "Costa",
    "Puig", "Ferrer", "Esteve", "Vila", "Marty", "Cassagne", "Bascou", "Carrère", "Baus", "Noguera", "Py",
)
# Where the families live: in the département of the domicile de secours.
FAMILY_TOWNS = {
    "cd66": (("66000", "Perpignan"), ("66200", "Elne"), ("66300", "Thuir"), ("66500", "Prades"), ("66400", "Céret")),
    "cd11": (("11100", "Narbonne"), ("11000", "Carcassonne"), ("11400", "Castelnaudary"), ("11300", "Limoux")),
    "cd34": (("34500", "Béziers"), ("34000", "Montpellier"), ("34200", "Sète"), ("34120", "Pézenas")),
}
STREETS = (
    "rue Jean-Jaurès", "avenue de la République", "rue Victor-Hugo", "place de la Mairie", "chemin des Vignes",
    "rue Pasteur", "avenue du Général-de-Gaulle", "rue des Écoles", "impasse des Lauriers", "rue du Four",
)
HOSPITALS = (
    "Centre hospitalier de Perpignan", "Clinique Saint-Pierre, Perpignan", "Centre hospitalier de Prades",
    "Centre hospitalier Léon-Jean Grégory, Thuir", "Clinique du Vallespir, Céret",
)
HOLIDAYS = (
    "Séjour adapté en Cerdagne", "Séjour adapté au bord de la mer, Collioure", "Vacances en famille",
    "Séjour adapté dans les Cévennes", "Séjour adapté en Camargue",
)
FAMILY_FUNCTIONS = {
    "tutelle": {"m": "Tuteur familial", "f": "Tutrice familiale"},
    "curatelle": {"m": "Curateur familial", "f": "Curatrice familiale"},
    "habilitation_familiale": {"m": "Personne habilitée (famille)", "f": "Personne habilitée (famille)"},
}
FAMILY_LINKS = {"m": ("Père", "Frère", "Oncle"), "f": ("Mère", "Sœur", "Tante")}

# Decision scenarios besides the plain "granted": (profile, share of beneficiaries, minimum count).
SPECIAL_PROFILES = (
    ("expiring", 0.08, 1),
    ("partially_granted", 0.03, 1),
    ("to_file_in_time", 0.05, 1),
    ("to_file_late", 0.03, 1),
    ("filed", 0.05, 1),
    ("refused", 0.03, 1),
    ("appealed", 0.02, 1),
)
# Stays that ended, taken among the plain "granted" beneficiaries: (end reason, share, minimum count).
ENDINGS = (("departure", 0.03, 1), ("death", 0.02, 1), ("transfer", 0.03, 1))

DAY = timedelta(days=1)


def make_siret(siren_body, nic_body):
    """A SIRET with valid check digits: SIREN = 8 digits + Luhn key, then NIC = 4 digits + the key of all 14."""
    siren = siren_body + luhn.calc_check_digit(siren_body)
    number = siren + nic_body
    return number + luhn.calc_check_digit(number)


def make_finess(rng):
    """A FINESS number of the Pyrénées-Orientales: 66, 7 digits, the last one a Luhn key."""
    body = "660%05d" % rng.randrange(100000)
    return body + luhn.calc_check_digit(body)


def years(n):
    return relativedelta(years=n)


def allocate(total, shares):
    """Split ``total`` by shares (largest remainders) so that the counts add up exactly."""
    raw = [total * share for share in shares]
    counts = [math.floor(value) for value in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


class DemoPlan:
    """The demo data as plain dictionaries, drawn from one seeded random generator; no database access."""

    def __init__(self, n_beneficiaries, n_establishments, seed, date_ref, aah):
        self.n = n_beneficiaries
        self.rng = random.Random(seed)
        self.today = date_ref
        self.aah = Decimal(str(aah))
        # The tariff change of the year: the first of the month about five months ago.
        self.tariff_change = (date_ref - relativedelta(months=5)).replace(day=1)
        self.establishments = self._plan_establishments(n_establishments)
        self.beneficiaries = []
        self.family_guardians = []
        self.guardian_services_used = 0
        self.reference_seq = 1000
        self.names = set()

    # Establishments --------------------------------------------------------------------------------------------

    def _plan_establishments(self, count):
        establishments = []
        for index in range(count):
            kind = KIND_ORDER[index % len(KIND_ORDER)]
            ordinal = index // len(KIND_ORDER) + 1
            site_name, street, zip_code, city = SITES[index % len(SITES)]
            if index >= len(SITES):
                site_name = "%s %d" % (site_name, index // len(SITES) + 1)
            spec = KINDS[kind]
            # The first establishment of each kind has the reference prices, the others a nearby price.
            offset = Decimal(0) if ordinal == 1 else Decimal(self.rng.randrange(-800, 800)) / 100
            establishments.append(
                {
                    "kind": kind,
                    "ordinal": ordinal,
                    "name": "%s %s" % (spec["label"], site_name),
                    "code": spec["code"] if ordinal == 1 else "%s%d" % (spec["code"], ordinal),
                    "street": street,
                    "zip": zip_code,
                    "city": city,
                    "finess": make_finess(self.rng),
                    "prices": {
                        accommodation: Decimal(str(price)) + offset for accommodation, price in spec["prices"].items()
                    },
                    "current": 0,
                }
            )
        return establishments

    def tariff_periods(self, price):
        """The two tariffs of the year: the previous price until the change, the raised price after it."""
        new_price = (price * TARIFF_RAISE).quantize(Decimal("0.01"))
        start = self.tariff_change - relativedelta(months=12)
        return (
            (start, self.tariff_change - DAY, price, start.year),
            (self.tariff_change, False, new_price, self.tariff_change.year),
        )

    # Beneficiaries ---------------------------------------------------------------------------------------------

    def plan_beneficiaries(self):
        rng = self.rng
        n = self.n
        weights = [KINDS[e["kind"]]["weight"] for e in self.establishments]
        counts = allocate(n, [w / sum(weights) for w in weights])
        homes = [i for i, count in enumerate(counts) for _ in range(count)]
        rng.shuffle(homes)

        profiles = []
        for profile, share, minimum in SPECIAL_PROFILES:
            profiles += [profile] * max(minimum, round(n * share))
        profiles = (profiles + ["granted"] * n)[:n]
        rng.shuffle(profiles)

        keys = [key for key, _share in DEPARTEMENT_SHARES]
        payers = [key for key, count in zip(keys, self._payer_counts(n), strict=True) for _ in range(count)]
        rng.shuffle(payers)
        # A refusal usually means the département contests the domicile de secours: make it a neighbour's.
        others = [i for i, payer in enumerate(payers) if payer != "cd66"]
        for i, profile in enumerate(profiles):
            if profile in ("refused", "appealed") and payers[i] == "cd66" and others:
                j = others.pop()
                if profiles[j] not in ("refused", "appealed"):
                    payers[i], payers[j] = payers[j], payers[i]

        granted = [i for i, profile in enumerate(profiles) if profile == "granted"]
        endings = {}
        for reason, share, minimum in ENDINGS:
            if reason == "transfer" and len(self.establishments) < 2:
                continue
            for _ in range(max(minimum, round(n * share))):
                if len(granted) > max(3, n // 4):
                    endings[granted.pop(rng.randrange(len(granted)))] = reason

        for index in range(n):
            self.beneficiaries.append(
                self._plan_beneficiary(index, homes[index], profiles[index], payers[index], endings.get(index))
            )
        self._plan_protection()
        for beneficiary in self.beneficiaries:
            for stay in beneficiary["stays"]:
                stay["absences"] = self._plan_absences(stay)
        for establishment in self.establishments:
            establishment["capacity"] = max(establishment["current"] + 1, math.ceil(establishment["current"] / 0.95))

    def _payer_counts(self, n):
        counts = allocate(n, [share for _key, share in DEPARTEMENT_SHARES])
        # At least one resident under each neighbouring département, taken from CD66.
        for i in range(1, len(counts)):
            if counts[i] == 0 and counts[0] > 1:
                counts[i] += 1
                counts[0] -= 1
        return counts

    def _plan_beneficiary(self, index, home, profile, payer, ending):
        rng = self.rng
        today = self.today
        establishment = self.establishments[home]
        spec = KINDS[establishment["kind"]]
        accommodation = "weekly_board" if rng.random() < spec["weekly_board_share"] else "full_board"
        stays = []
        decisions = []

        if ending in ("departure", "death"):
            date_end = today - timedelta(days=rng.randint(10, 330))
            entry = date_end - timedelta(days=rng.randint(200, 12 * 365))
            stays.append(self._stay(home, accommodation, entry, date_end, ending))
            # The département closes the rights at the exit: no renewal to ask for.
            decisions += self._granted_chain(payer, home, entry, horizon=date_end, date_end=date_end)
        elif ending == "transfer":
            # A réorientation inside the association: the first stay ends, the next one starts the day after.
            transfer = today - timedelta(days=rng.randint(120, 300))
            first_home = rng.choice([i for i in range(len(self.establishments)) if i != home])
            first_kind = KINDS[self.establishments[first_home]["kind"]]
            first_accommodation = "weekly_board" if rng.random() < first_kind["weekly_board_share"] else "full_board"
            first_entry = transfer - timedelta(days=rng.randint(365, 10 * 365))
            stays.append(self._stay(first_home, first_accommodation, first_entry, transfer, "transfer"))
            decisions += self._granted_chain(payer, first_home, first_entry, horizon=transfer, date_end=transfer)
            entry = transfer + DAY
            stays.append(self._stay(home, accommodation, entry, False, False))
            decisions += self._granted_chain(payer, home, entry, horizon=today)
        else:
            entry, profile_decisions = self._plan_profile(profile, payer, home)
            stays.append(self._stay(home, accommodation, entry, False, False))
            decisions += profile_decisions

        if not stays[-1]["date_end"]:
            establishment["current"] += 1
        # The resources, hence the contribution, of a person in a given establishment stay the same.
        contributions = {}
        for decision in decisions:
            if decision["home"] not in contributions:
                contributions[decision["home"]] = self._contribution(self.establishments[decision["home"]])
            decision["contribution_monthly"] = (
                0.0 if decision["contribution_mode"] == "none" else contributions[decision["home"]]
            )

        gender = rng.choice("fm")
        first_entry = stays[0]["date_start"]
        age_at_entry = rng.randint(20, 45 if spec["working"] else 50)
        birth_date = first_entry - years(age_at_entry) - timedelta(days=rng.randint(0, 364))
        first_name, surname = self._new_name(gender)
        birth_name = False
        if gender == "f" and rng.random() < 0.06:
            birth_name = rng.choice(SURNAMES)
            if birth_name == surname:
                birth_name = False
        return {
            "index": index,
            "gender": gender,
            "first_name": first_name,
            "surname": surname,
            "birth_name": birth_name,
            "birth_date": birth_date,
            "home": home,
            "payer": payer,
            "profile": profile,
            "file_year": first_entry.year,
            "stays": stays,
            "decisions": decisions,
            "legal_protection": "none",
            "guardian": None,
            "protection_reference": False,
        }

    def _new_name(self, gender):
        """A first name and a surname, distinct from the residents' so far while the lists allow it."""
        for _attempt in range(20):
            name = (self.rng.choice(FIRST_NAMES[gender]), self.rng.choice(SURNAMES))
            if name not in self.names:
                break
        self.names.add(name)
        return name

    def _stay(self, home, accommodation, date_start, date_end, end_reason):
        return {
            "home": home,
            "accommodation": accommodation,
            "date_start": date_start,
            "date_end": date_end,
            "end_reason": end_reason,
        }

    def _plan_profile(self, profile, payer, home):
        """Entry date of the current stay and the decisions of a decision scenario (billing-rules §4)."""
        rng = self.rng
        today = self.today
        if profile == "granted":
            entry = today - timedelta(days=rng.randint(180, 15 * 365))
            return entry, self._granted_chain(payer, home, entry, horizon=today)
        if profile == "expiring":
            date_end = today + timedelta(days=rng.randint(15, 175))
            effect = date_end - years(5) + DAY
            entry = effect if rng.random() < 0.4 else effect - timedelta(days=rng.randint(30, 10 * 365))
            return entry, self._granted_chain(payer, home, entry, horizon=today, effect=effect)
        if profile == "partially_granted":
            # Filed after the two months: the rights start at the next fortnight, the first weeks are the resident's.
            entry = today - timedelta(days=rng.randint(200, 330))
            filed = filing_deadline(entry) + timedelta(days=rng.randint(5, 60))
            effect = date_of_effect(entry, filed)
            decision = self._decision(payer, home, entry, "partially_granted", filed, self._decided(filed), effect)
            decision["date_end"] = effect + years(5) - DAY
            decision["note"] = (
                "<p>Demande déposée le %s, après le délai de deux mois suivant l'entrée du %s : accord à compter "
                "du %s, la période antérieure reste à la charge du résident.</p>"
                % (_fr(filed), _fr(entry), _fr(effect))
            )
            return entry, [decision]
        if profile == "to_file_in_time":
            entry = today - timedelta(days=rng.randint(5, 50))
            return entry, [self._decision(payer, home, entry, "to_file")]
        if profile == "to_file_late":
            entry = today - timedelta(days=rng.randint(70, 150))
            return entry, [self._decision(payer, home, entry, "to_file")]
        if profile == "filed":
            # In for two months at least: the month before last, which the demo invoices, accrues the
            # département's share of the pending file, to be recalled once it is granted.
            entry = today - timedelta(days=rng.randint(62, 110))
            latest = min(filing_deadline(entry), today - DAY)
            filed = min(entry + timedelta(days=rng.randint(5, 55)), latest)
            return entry, [self._decision(payer, home, entry, "filed", filed)]
        # refused or appealed: the département contests being the domicile de secours.
        entry = today - timedelta(days=rng.randint(240, 420))
        filed = entry + timedelta(days=rng.randint(10, 50))
        decided = self._decided(filed, low=60, high=120)
        decision = self._decision(payer, home, entry, profile, filed, decided)
        decision["contribution_mode"] = "none"
        decision["note"] = "<p>Refus : le département conteste être le domicile de secours de la personne.</p>"
        if profile == "appealed":
            appeal = min(decided + timedelta(days=rng.randint(10, 55)), today)
            decision["note"] += "<p>Recours administratif préalable formé le %s.</p>" % _fr(appeal)
        return entry, [decision]

    def _granted_chain(self, payer, home, entry, horizon, effect=None, date_end=None):
        """The decision in force on ``horizon`` and, for a renewal, the one before it (rights of 5 years)."""
        rng = self.rng
        if effect is None:
            # Rights last five years: an entry of more than four years ago is covered by a renewal.
            renewed = entry < horizon - years(4)
            effect = horizon - timedelta(days=rng.randint(90, 4 * 365)) if renewed else entry
        decisions = []
        if effect > entry:
            previous_effect = max(entry, effect - years(5))
            filed = self._filed_for(entry, previous_effect)
            latest = effect - DAY if previous_effect == entry else previous_effect
            previous = self._decision(
                payer, home, entry, "granted", filed, self._decided(filed, latest=latest), previous_effect
            )
            previous["date_end"] = effect - DAY
            decisions.append(previous)
        filed = self._filed_for(entry, effect)
        # A first decision comes after the entry; a renewal is decided before the rights it renews start.
        latest = horizon if effect == entry else min(effect, horizon)
        decision = self._decision(payer, home, entry, "granted", filed, self._decided(filed, latest=latest), effect)
        decision["date_end"] = date_end or effect + years(5) - DAY
        if rng.random() < 0.1:
            decision["contribution_mode"] = "income_collected"
        decisions.append(decision)
        return decisions

    def _filed_for(self, entry, effect):
        """Filed within two months of the entry for a first decision, a few months ahead for a renewal."""
        if effect == entry:
            return min(entry + timedelta(days=self.rng.randint(5, 55)), filing_deadline(entry))
        return effect - timedelta(days=self.rng.randint(60, 150))

    def _decided(self, filed, latest=None, low=30, high=110):
        latest = min(latest or self.today, self.today - DAY)
        return max(filed, min(filed + timedelta(days=self.rng.randint(low, high)), latest))

    def _decision(self, payer, home, entry, state, filed=False, decided=False, effect=False):
        reference = False
        if decided:
            self.reference_seq += 1
            reference = "%s-ASH-%d-%05d" % (PAYERS[payer]["short"], decided.year, self.reference_seq)
        return {
            "payer": payer,
            "home": home,
            "state": state,
            "date_entry": entry,
            "date_filed": filed,
            "date_decision": decided,
            "date_effect": effect or (filed and date_of_effect(entry, filed)) or False,
            "date_end": False,
            "reference": reference,
            "contribution_mode": "net_billing",
            "note": False,
        }

    def _contribution(self, establishment):
        """Monthly contribution the département decides, from the resident's resources (billing-rules §2)."""
        rng = self.rng
        if KINDS[establishment["kind"]]["working"]:
            # An ESAT worker: guaranteed pay plus the AAH top-up; meals taken at work, 5 a week.
            guaranteed = Decimal(rng.randrange(75000, 95000)) / 100
            resources = Resources(
                monthly=guaranteed + Decimal(rng.randrange(25000, 45000)) / 100,
                aah=self.aah,
                working=True,
                guaranteed=guaranteed,
                meals_outside=True,
            )
        elif rng.random() < 0.7:
            resources = Resources(monthly=self.aah, aah=self.aah)  # AAH only: 723.32 € at the 2025 rate
        else:
            resources = Resources(monthly=Decimal(rng.randrange(110000, 160000)) / 100, aah=self.aah)
        return float(minimum_left(resources).contribution)

    # Legal protection ------------------------------------------------------------------------------------------

    def _plan_protection(self):
        """About a fifth of the residents are protected: most by a mandataire service, some by a relative."""
        rng = self.rng
        if self.n < 2:
            return
        protected = rng.sample(self.beneficiaries, max(2, round(self.n * 0.2)))
        n_family = round(len(protected) * 0.3)
        by_service = protected[n_family:]
        self.guardian_services_used = max(1, min(len(GUARDIAN_SERVICES), len(by_service) // 15))
        for position, beneficiary in enumerate(by_service):
            # A mandataire service holds tutelles and curatelles alike: every other mandate is a tutelle, the draw
            # decides the others (one draw each, so the rest of the plan does not move).
            draw = rng.random()
            beneficiary["legal_protection"] = "tutelle" if position % 2 == 0 or draw < 0.55 else "curatelle"
            beneficiary["guardian"] = ("service", position % self.guardian_services_used)
            beneficiary["protection_reference"] = self._judgement(beneficiary)
        for beneficiary in protected[:n_family]:
            measure = rng.choices(("tutelle", "curatelle", "habilitation_familiale"), (40, 20, 40))[0]
            relative_gender = rng.choice("fm")
            zip_code, city = rng.choice(FAMILY_TOWNS[beneficiary["payer"]])
            self.family_guardians.append(
                {
                    "gender": relative_gender,
                    "name": "%s %s" % (rng.choice(FIRST_NAMES[relative_gender]), beneficiary["surname"]),
                    "function": FAMILY_FUNCTIONS[measure][relative_gender],
                    "street": "%d %s" % (rng.randint(1, 60), rng.choice(STREETS)),
                    "zip": zip_code,
                    "city": city,
                    "comment": "%s de %s %s"
                    % (rng.choice(FAMILY_LINKS[relative_gender]), beneficiary["first_name"], beneficiary["surname"]),
                }
            )
            beneficiary["legal_protection"] = measure
            beneficiary["guardian"] = ("family", len(self.family_guardians) - 1)
            beneficiary["protection_reference"] = self._judgement(beneficiary)

    def _judgement(self, beneficiary):
        judged = beneficiary["stays"][0]["date_start"] - timedelta(days=self.rng.randint(30, 3 * 365))
        return "TJ de Perpignan – jugement du %s, RG %02d/%05d" % (
            _fr(judged),
            judged.year % 100,
            self.rng.randrange(1, 20000),
        )

    # Absences --------------------------------------------------------------------------------------------------

    def _plan_absences(self, stay):
        """Twelve months of absences inside the stay, never overlapping and a day apart from each other."""
        rng = self.rng
        first = max(stay["date_start"] + DAY, self.today - timedelta(days=365))
        last = min(stay["date_end"] - DAY if stay["date_end"] else self.today, self.today) - DAY
        if (last - first).days < 6:
            return []
        busy = []
        absences = []

        def place(kind, start, end, departure, back, note):
            if start < first or end > last:
                return False
            if any(start <= taken_end + DAY and end >= taken_start - DAY for taken_start, taken_end in busy):
                return False
            busy.append((start, end))
            absences.append(
                {
                    "kind": kind,
                    "start": datetime.combine(start, departure),
                    "end": datetime.combine(end, back),
                    "note": note,
                }
            )
            return True

        span = (last - first).days
        # Yearly frequencies, thinned out for a stay that covers only part of the year.
        share_of_year = min(span, 365) / 365
        hospital_stays = sum(rng.random() < share_of_year for _ in range(rng.choices((0, 1, 2), (50, 35, 15))[0]))
        holiday_stays = sum(rng.random() < share_of_year for _ in range(rng.choices((0, 1, 2), (20, 55, 25))[0]))
        for _ in range(hospital_stays):
            for _attempt in range(10):
                length = rng.randint(4, 15)
                if span < length:
                    break
                start = first + timedelta(days=rng.randint(0, span - length + 1))
                departure = time(rng.randint(8, 19), rng.choice((0, 15, 30, 45)))
                back = time(rng.randint(10, 18), rng.choice((0, 30)))
                if place("hospital", start, start + timedelta(days=length - 1), departure, back, rng.choice(HOSPITALS)):
                    break

        saturdays = [first + timedelta(days=(5 - first.weekday()) % 7 + 7 * week) for week in range(span // 7 + 1)]
        for _ in range(holiday_stays):
            for _attempt in range(10):
                weeks = rng.choice((1, 2))
                start = rng.choice(saturdays)
                end = start + timedelta(days=7 * weeks)
                if place("holidays", start, end, time(10), time(17), rng.choice(HOLIDAYS)):
                    break

        if stay["accommodation"] == "full_board":
            # Weekly boarders go home every weekend: that is not an absence.
            fridays = [saturday - DAY for saturday in saturdays]
            rng.shuffle(fridays)
            wanted = round(rng.choice((0, 0, 2, 4, 6, 8, 10, 12, 15)) * share_of_year)
            for friday in fridays:
                if wanted <= 0:
                    break
                if place("family_weekend", friday, friday + 2 * DAY, time(18), time(18), "Week-end en famille"):
                    wanted -= 1
        absences.sort(key=lambda absence: absence["start"])
        return absences


def _fr(day):
    return day.strftime("%d/%m/%Y")


class EssmsDemoGenerator(models.AbstractModel):
    _name = "essms.demo.generator"
    _description = "Demo data generator"

    @api.model
    def _setup_company(self, company):
        """Make ``company`` the demo association in Perpignan, in euros, with the French chart of accounts."""
        company = self._get_company(company)
        self._load_french_terms()
        company.name = COMPANY["name"]
        # The address goes on the company's partner: writing a country on a company that has none would
        # install that country's optional localisation modules, which the demo does not need.
        partner_vals = dict(
            COMPANY,
            country_id=self.env.ref("base.fr").id,
            siret=make_siret(*COMPANY_SIRET_BODIES),
            is_company=True,
            tz=TZ,
        )
        if self._french():
            partner_vals["lang"] = self._french()
        company.partner_id.write(partner_vals)
        if self._needs_french_chart(company):
            self.env["account.chart.template"].try_loading("fr", company, install_demo=False)
            self._keep_french_chart()
        euro = self.env.ref("base.EUR")
        if company.currency_id != euro and not company._existing_accounting():
            company.currency_id = euro
        return True

    def _needs_french_chart(self, company):
        """No chart yet, or the generic one Odoo gives a company without a country while it holds no entries.

        With demo data, `account` loads the generic chart and its demo entries on the main company before
        this demo runs; Odoo itself replaces them when the chart of a demo database changes.
        """
        if company.chart_template == "fr":
            return False
        if not company.chart_template:
            return True
        return company.chart_template == "generic_coa" and (
            not company._existing_accounting() or self.env.ref("base.module_account").demo
        )

    def _keep_french_chart(self):
        # When `account` is installed in the same run as this demo, its install hook has left on the registry
        # a chart guessed for env.company, loaded once every module is ready, after these demo data. It would
        # replace the French chart just loaded and, with it, the establishments' journals: load it only when
        # the company still has no chart by then.
        registry = self.env.registry
        deferred = getattr(registry, "_auto_install_template", None)
        if deferred:

            def install_if_still_missing(env, deferred=deferred):
                if not env.company.chart_template:
                    deferred(env)

            registry._auto_install_template = install_if_still_missing

    @api.model
    def generate(self, n_beneficiaries, n_establishments=3, seed=66, company=None, date_ref=None, xmlid_prefix=None):
        """Create an association's referential and ``n_beneficiaries`` residents with a year of activity.

        Deterministic for a seed and a starting state, batched (one ``create`` per model) and relative to
        ``date_ref`` (today by default). ``xmlid_prefix`` gives the key records (establishments of the first
        three kinds, payers, policies, mandataire services) xml ids ``essms_billing_demo.<prefix>_…``.
        Returns the counts of what was created.
        """
        company = self._get_company(company or self.env.company)
        date_ref = fields.Date.to_date(date_ref) or fields.Date.context_today(self)
        generator = self.with_company(company).with_context(
            tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True, mail_notrack=True
        )
        plan = DemoPlan(n_beneficiaries, n_establishments, seed, date_ref, generator._aah(date_ref))
        plan.plan_beneficiaries()
        records = generator._create_records(plan, company)
        if xmlid_prefix:
            generator._register_xmlids(xmlid_prefix, records)
        return self._summary(plan, records)

    @api.model
    def _setup_billing_scenarios(self, company, date_ref=None):
        """Invoice the three months before the last one, each on the day it would have been invoiced, and then
        record a retroactive decree, so that the demo has claims to collect and to remind, a recall and a
        regularisation to show; the last complete month is left for the operator to bill.

        Each month is billed through the models' own methods, in one batch: the statements of every establishment
        are submitted and validated, one run computes the month and invoices it, its invoices dated the first
        working day from the 3rd of the next month (their due dates follow from the payers' payment terms). The
        pending files (decisions ``filed``) accrue the département's share: granting one from the web client then
        creates its recall. Once the month before last is invoiced, a decree raises the foyer de vie's daily prices
        from that month on: a regularisation of the month bills the difference. Returns what was created.
        """
        company = self._get_company(company)
        date_ref = fields.Date.to_date(date_ref) or fields.Date.context_today(self)
        # The explanations are stored as computed: in French, as the demo's users read them.
        french = self.env["res.lang"].search_count([("code", "=", "fr_FR")])
        generator = self.with_company(company).with_context(
            mail_create_nosubscribe=True, lang="fr_FR" if french else self.env.lang
        )
        establishments = generator.env["essms.establishment"].search([("company_id", "=", company.id)])
        runs = generator.env["essms.billing.run"]
        for months_back in (4, 3, 2):
            month = (date_ref - relativedelta(months=months_back)).replace(day=1)
            statements = generator._validated_statements(establishments, month)
            run = generator.env["essms.billing.run"].create(
                {"company_id": company.id, "period_start": month, "invoice_date": generator._invoicing_day(month),
                 "establishment_ids": [Command.set(establishments.ids)]}
            )
            run.action_compute()
            run._invoice_at_once()
            runs |= run
        foyer_vie = establishments.filtered(lambda establishment: establishment.kind == "foyer_vie")[:1]
        tariffs = generator._record_retroactive_decree(foyer_vie, month, date_ref)
        return {"statements": statements, "run": run, "earlier_runs": runs - run, "tariffs": tariffs}

    def _invoicing_day(self, month):
        """The day ``month`` is invoiced: the first working day from the 3rd of the next month."""
        day = (month + relativedelta(months=1)).replace(day=3)
        closed = public_holidays((day.year,))
        while day.weekday() >= 5 or day in closed:
            day += DAY
        return day

    def _validated_statements(self, establishments, month):
        Statement = self.env["essms.activity.statement"]
        existing = Statement.search([("establishment_id", "in", establishments.ids), ("period_start", "=", month)])
        statements = existing | Statement.create(
            [
                {"establishment_id": establishment.id, "period_start": month}
                for establishment in establishments - existing.establishment_id
            ]
        )
        statements.filtered(lambda statement: statement.state == "draft").action_submit()
        statements.filtered(lambda statement: statement.state == "submitted").action_validate()
        return statements

    def _record_retroactive_decree(self, establishment, month, date_ref):
        """A decree signed after ``month`` was invoiced, raising the daily prices of ``establishment`` from it."""
        Tariff = self.env["essms.tariff"]
        in_force = Tariff.search(
            [
                ("establishment_id", "=", establishment.id),
                ("date_from", "<", month),
                "|",
                ("date_to", "=", False),
                ("date_to", ">=", month),
            ]
        )
        if not in_force:
            return Tariff
        decree = "Arrêté CD66 n° %d-DSD-0300 modificatif (effet au %s)" % (date_ref.year, _fr(month))
        vals_list = [
            {
                "agreement_id": tariff.agreement_id.id,
                "accommodation": tariff.accommodation,
                "kind": tariff.kind,
                "date_from": month,
                "date_to": tariff.date_to,
                "amount": float((Decimal(str(tariff.amount)) * RETROACTIVE_RAISE).quantize(Decimal("0.01"))),
                "decree_ref": decree,
            }
            for tariff in in_force
        ]
        in_force.write({"date_to": month - DAY})
        return Tariff.create(vals_list)

    @api.model
    def _setup_demo_users(self, users, establishment, establishment_users):
        """French and Paris time for the demo users; attach the establishment users to their establishment."""
        vals = {"tz": TZ}
        if self._french():
            vals["lang"] = self._french()
        self.env["res.users"].browse(users).write(vals)
        self.env["essms.establishment"].browse(establishment).user_ids = [
            Command.link(user_id) for user_id in establishment_users
        ]
        return True

    # Helpers ---------------------------------------------------------------------------------------------------

    def _get_company(self, company):
        if isinstance(company, models.BaseModel):
            return company.ensure_one()
        return self.env["res.company"].browse(int(company)).exists().ensure_one()

    def _load_french_terms(self):
        """The addons' French terms, loaded before the demo writes anything: Odoo loads a module's translations
        after its data, and what the demo writes now is kept as text (chatter messages such as "Avis de paiement
        créé", names of runs), which would stay half English."""
        if self._french():
            self.env["ir.module.module"]._load_module_terms(
                ["essms_billing", "essms_billing_demo"], ["fr_FR"], overwrite=True
            )
            self.env.registry.clear_cache()  # the translations of the code are cached per module and language

    def _french(self):
        """fr_FR when that language is active, else False (partners then keep the default language)."""
        return self.env["res.lang"]._get_code("fr_FR")

    def _aah(self, date_ref):
        """AAH full rate in force on ``date_ref`` (the earliest recorded one for older dates)."""
        rates = self.env["essms.parameter"].search_fetch(
            [("code", "=", "aah")], ["date_from", "value"], order="date_from"
        )
        if not rates:
            return self.env["essms.parameter"].get_value("aah", date_ref)  # the error that says what to record
        in_force = rates.filtered(lambda rate: rate.date_from <= date_ref)
        return (in_force[-1:] or rates[:1]).value

    def _with_shared_defaults(self, model, fnames):
        """The model with these defaults computed once: Odoo computes defaults for each record of a batch, and
        those of ``fnames`` query the database although they do not depend on the record."""
        Model = self.env[model]
        defaults = {
            "default_%s" % fname: Model._fields[fname].default(Model)
            for fname in fnames
            if fname in Model._fields and Model._fields[fname].default
        }
        return Model.with_context(**defaults)

    def _create_records(self, plan, company):
        """Write the plan: one create per model, in dependency order."""
        partners, payers, services = self._create_partners(plan, company)
        establishments = self._create_establishments(plan, company, partners)
        policies = self._create_policies(company, payers)
        agreements = self._create_agreements(plan, establishments, payers, policies)
        tariffs = self._create_tariffs(plan, establishments, agreements)
        records = self._create_residents(plan, company, partners, services, establishments, payers, agreements)
        return {
            "payers": payers,
            "services": services,
            "establishments": establishments,
            "policies": policies,
            "agreements": agreements,
            "tariffs": tariffs,
            "partners": self.env["res.partner"].union(*partners.values()),
            **records,
        }

    def _create_partners(self, plan, company):
        """All the contacts in one batch: payers, mandataire services, establishments, relatives, residents.

        Returns the created partners by (group, key), and the payers and services, reused when the company
        already has them.
        """
        france = self.env.ref("base.fr").id
        lang = self._french()
        no_title = self.env["res.partner.title"]
        titles = {
            "f": self.env.ref("base.res_partner_title_madam", raise_if_not_found=False) or no_title,
            "m": self.env.ref("base.res_partner_title_mister", raise_if_not_found=False) or no_title,
        }
        Partner = self._with_shared_defaults("res.partner", ["display_invoice_template_pdf_report_id"])

        # Payers and mandataire services are shared by every generation in the company: reuse them.
        sirets = {key: make_siret(*payer["siret"]) for key, payer in PAYERS.items()}
        used_services = GUARDIAN_SERVICES[: max(plan.guardian_services_used, 1)]
        service_names = [name for name, *_address in used_services]
        existing = Partner.search(
            [
                ("company_id", "=", company.id),
                "|",
                ("siret", "in", list(sirets.values())),
                "&",
                ("essms_payer_kind", "=", "guardian"),
                ("name", "in", service_names),
            ]
        )
        by_siret = {partner.siret: partner for partner in existing if partner.siret}
        by_name = {partner.name: partner for partner in existing if partner.essms_payer_kind == "guardian"}

        common = {"company_id": company.id, "country_id": france}
        if lang:
            common["lang"] = lang
        partner_vals = []
        slots = []  # what each created partner is: (group, key)
        # Public payers settle at 30 days (the public accounting's payment delay).
        thirty_days = self.env.ref("account.account_payment_term_30days", raise_if_not_found=False)
        for key, payer in PAYERS.items():
            if sirets[key] not in by_siret:
                partner_vals.append(
                    dict(
                        common,
                        name=payer["name"],
                        is_company=True,
                        essms_payer_kind=payer["kind"],
                        siret=sirets[key],
                        property_payment_term_id=thirty_days.id if thirty_days else False,
                        street=payer["street"],
                        zip=payer["zip"],
                        city=payer["city"],
                    )
                )
                slots.append(("payer", key))
        for index, (name, street, zip_code, city) in enumerate(used_services):
            if name not in by_name:
                partner_vals.append(
                    dict(
                        common,
                        name=name,
                        is_company=True,
                        essms_payer_kind="guardian",
                        street=street,
                        zip=zip_code,
                        city=city,
                        comment="Service mandataire judiciaire à la protection des majeurs (MJPM).",
                    )
                )
                slots.append(("service", index))
        for index, establishment in enumerate(plan.establishments):
            partner_vals.append(
                dict(
                    common,
                    name=establishment["name"],
                    is_company=True,
                    street=establishment["street"],
                    zip=establishment["zip"],
                    city=establishment["city"],
                    tz=TZ,
                )
            )
            slots.append(("establishment", index))
        for index, relative in enumerate(plan.family_guardians):
            partner_vals.append(
                dict(
                    common,
                    name=relative["name"],
                    title=titles[relative["gender"]].id,
                    essms_payer_kind="family",
                    function=relative["function"],
                    street=relative["street"],
                    zip=relative["zip"],
                    city=relative["city"],
                    comment=relative["comment"],
                )
            )
            slots.append(("family", index))
        for index, beneficiary in enumerate(plan.beneficiaries):
            home = plan.establishments[beneficiary["stays"][-1]["home"]]
            partner_vals.append(
                dict(
                    common,
                    name="%s %s" % (beneficiary["first_name"], beneficiary["surname"]),
                    title=titles[beneficiary["gender"]].id,
                    essms_payer_kind="resident",
                    street=home["street"],
                    street2=home["name"],
                    zip=home["zip"],
                    city=home["city"],
                )
            )
            slots.append(("resident", index))
        created = dict(zip(slots, Partner.create(partner_vals), strict=True))
        payers = {key: by_siret.get(sirets[key]) or created[("payer", key)] for key in PAYERS}
        services = [
            by_name.get(name) or created[("service", index)]
            for index, (name, *_address) in enumerate(used_services)
        ]

        return created, payers, services

    def _create_residents(self, plan, company, partners, services, establishments, payers, agreements):
        """Beneficiary files, then their stays, funding decisions and absences, one batch each."""
        file_offset = self.env["essms.beneficiary"].with_context(active_test=False).search_count(
            [("company_id", "=", company.id)]
        )
        beneficiary_vals = []
        for beneficiary in plan.beneficiaries:
            guardian = False
            if beneficiary["guardian"]:
                group, index = beneficiary["guardian"]
                guardian = services[index].id if group == "service" else partners[("family", index)].id
            beneficiary_vals.append(
                {
                    "partner_id": partners[("resident", beneficiary["index"])].id,
                    "company_id": company.id,
                    "file_number": "%d-%05d" % (beneficiary["file_year"], file_offset + beneficiary["index"] + 1),
                    "birth_date": beneficiary["birth_date"],
                    "birth_name": beneficiary["birth_name"],
                    "legal_protection": beneficiary["legal_protection"],
                    "protector_id": guardian,
                    "protection_reference": beneficiary["protection_reference"],
                }
            )
        beneficiaries = self.env["essms.beneficiary"].create(beneficiary_vals)

        stay_vals = []
        for beneficiary, record in zip(plan.beneficiaries, beneficiaries, strict=True):
            for stay in beneficiary["stays"]:
                stay_vals.append(
                    {
                        "beneficiary_id": record.id,
                        "establishment_id": establishments[stay["home"]].id,
                        "accommodation": stay["accommodation"],
                        "date_start": stay["date_start"],
                        "date_end": stay["date_end"],
                        "end_reason": stay["end_reason"],
                    }
                )
        stays = self.env["essms.stay"].create(stay_vals)

        decision_vals = []
        for beneficiary, record in zip(plan.beneficiaries, beneficiaries, strict=True):
            for decision in beneficiary["decisions"]:
                decision_vals.append(
                    {
                        "beneficiary_id": record.id,
                        "payer_id": payers[decision["payer"]].id,
                        "agreement_id": agreements[(decision["home"], decision["payer"])].id,
                        "state": decision["state"],
                        "date_entry": decision["date_entry"],
                        "date_filed": decision["date_filed"],
                        "date_decision": decision["date_decision"],
                        "date_effect": decision["date_effect"],
                        "date_end": decision["date_end"],
                        "reference": decision["reference"],
                        "contribution_mode": decision["contribution_mode"],
                        "contribution_monthly": decision["contribution_monthly"],
                        "note": decision["note"],
                    }
                )
        decisions = self.env["essms.funding.decision"].create(decision_vals)

        Absence = self.env["essms.absence"]
        absence_vals = []
        planned_stays = [stay for beneficiary in plan.beneficiaries for stay in beneficiary["stays"]]
        for stay, record in zip(planned_stays, stays, strict=True):
            for absence in stay["absences"]:
                absence_vals.append(
                    {
                        "stay_id": record.id,
                        "kind": absence["kind"],
                        "date_start": Absence._local_to_utc(absence["start"], TZ),
                        "date_end": Absence._local_to_utc(absence["end"], TZ),
                        "note": absence["note"],
                    }
                )
        absences = Absence.create(absence_vals)
        return {"beneficiaries": beneficiaries, "stays": stays, "decisions": decisions, "absences": absences}

    def _create_establishments(self, plan, company, partners):
        """The establishments with their own sales journal (one invoice numbering series each)."""
        Journal = self.env["account.journal"]
        taken = set(
            Journal.with_context(active_test=False).search([("company_id", "=", company.id)]).mapped("code")
        ) | set(
            self.env["essms.establishment"]
            .with_context(active_test=False)
            .search([("company_id", "=", company.id)])
            .mapped("code")
        )
        for establishment in plan.establishments:
            code, ordinal = establishment["code"], establishment["ordinal"]
            while code in taken:
                ordinal += 1
                code = "%s%d" % (KINDS[establishment["kind"]]["code"], ordinal)
            taken.add(code)
            establishment["code"] = code
        income_account = self.env["account.account"].search(
            [("company_ids", "in", company.id), ("code", "=like", "706%"), ("account_type", "=", "income")], limit=1
        ) or Journal.search([("company_id", "=", company.id), ("type", "=", "sale")], limit=1).default_account_id
        journals = Journal.create(
            [
                {
                    "name": "Factures %s" % establishment["name"],
                    "code": establishment["code"],
                    "type": "sale",
                    "company_id": company.id,
                    "refund_sequence": True,
                    "default_account_id": income_account.id,
                }
                for establishment in plan.establishments
            ]
        )
        return self.env["essms.establishment"].create(
            [
                {
                    "name": establishment["name"],
                    "code": establishment["code"],
                    "kind": establishment["kind"],
                    "finess": establishment["finess"],
                    "capacity": establishment["capacity"],
                    "company_id": company.id,
                    "partner_id": partners[("establishment", index)].id,
                    "journal_id": journal.id,
                }
                for index, (establishment, journal) in enumerate(zip(plan.establishments, journals, strict=True))
            ]
        )

    def _create_policies(self, company, payers):
        """The RDAS of each département, reused when the company already has it."""
        Policy = self.env["essms.absence.policy"]
        existing = Policy.search(
            [("company_id", "=", company.id), ("payer_id", "in", [payers[key].id for key in POLICIES])]
        )
        by_key = {}
        for key, settings in POLICIES.items():
            by_key[key] = existing.filtered(
                lambda policy, key=key, settings=settings: policy.payer_id == payers[key]
                and policy.name == settings["name"]
            )[:1]
        missing = [key for key, policy in by_key.items() if not policy]
        created = Policy.create(
            [dict(POLICIES[key], payer_id=payers[key].id, company_id=company.id) for key in missing]
        )
        by_key.update(zip(missing, created, strict=True))
        return by_key

    def _create_agreements(self, plan, establishments, payers, policies):
        """Each establishment with each département (daily price), the FAM with the CPAM (care allocation)."""
        vals_list = []
        keys = []
        start = date(plan.today.year - 16, 1, 1)
        for index, (establishment, record) in enumerate(zip(plan.establishments, establishments, strict=True)):
            spec = KINDS[establishment["kind"]]
            for key in POLICIES:
                vals_list.append(
                    {
                        "name": "%s – %s" % (PAYERS[key]["short"], establishment["name"]),
                        "establishment_id": record.id,
                        "payer_id": payers[key].id,
                        "financing": "daily_price",
                        "billing_term": spec["billing_term"],
                        "invoice_grouping": "payer" if key == "cd66" else "beneficiary",
                        "absence_policy_id": policies[key].id,
                        "date_start": start,
                        "service_code": PAYERS[key]["service_code"],
                        "commitment_number": "EJ-%d-%04d" % (plan.tariff_change.year, 100 + index)
                        if key == "cd66"
                        else False,
                    }
                )
                keys.append((index, key))
            if spec["care_allocation_per_place"]:
                vals_list.append(
                    {
                        "name": "%s – soins – %s" % (PAYERS["cpam66"]["short"], establishment["name"]),
                        "establishment_id": record.id,
                        "payer_id": payers["cpam66"].id,
                        "financing": "global_allocation",
                        "billing_term": "advance",
                        "invoice_grouping": "payer",
                        "annual_allocation": spec["care_allocation_per_place"] * establishment["capacity"],
                        "date_start": start,
                    }
                )
                keys.append((index, "cpam66"))
        return dict(zip(keys, self.env["essms.agreement"].create(vals_list), strict=True))

    def _create_tariffs(self, plan, establishments, agreements):
        """Daily prices of the arrêté of the Pyrénées-Orientales, with one change during the year."""
        vals_list = []
        for index, establishment in enumerate(plan.establishments):
            for accommodation, price in establishment["prices"].items():
                for position, (date_from, date_to, amount, year) in enumerate(plan.tariff_periods(price)):
                    decree = "Arrêté CD66 n° %d-DSD-%04d" % (year, 200 + 2 * index + position)
                    for key in POLICIES:
                        vals_list.append(
                            {
                                "agreement_id": agreements[(index, key)].id,
                                "accommodation": accommodation,
                                "kind": "accommodation",
                                "date_from": date_from,
                                "date_to": date_to,
                                "amount": float(amount),
                                "decree_ref": decree,
                            }
                        )
        return self.env["essms.tariff"].create(vals_list)

    def _register_xmlids(self, prefix, records):
        """Xml ids for the key records, so that demo data and tests can refer to them."""
        names = {}
        for establishment, kind in zip(records["establishments"][: len(KIND_ORDER)], KIND_ORDER, strict=False):
            names["%s_establishment_%s" % (prefix, kind)] = establishment
        for key, payer in records["payers"].items():
            names["%s_payer_%s" % (prefix, key)] = payer
        for key, policy in records["policies"].items():
            names["%s_policy_%s" % (prefix, key)] = policy
        for index, service in enumerate(records["services"]):
            names["%s_guardian_service_%d" % (prefix, index + 1)] = service
        Data = self.env["ir.model.data"]
        taken = set(Data.search([("module", "=", MODULE), ("name", "in", list(names))]).mapped("name"))
        # noupdate: a module update must not delete records its data files did not load.
        Data.create(
            [
                {"module": MODULE, "name": name, "model": record._name, "res_id": record.id, "noupdate": True}
                for name, record in names.items()
                if name not in taken
            ]
        )

    def _summary(self, plan, records):
        stays = [stay for beneficiary in plan.beneficiaries for stay in beneficiary["stays"]]
        decisions = [decision for beneficiary in plan.beneficiaries for decision in beneficiary["decisions"]]
        absences = [absence for stay in stays for absence in stay["absences"]]
        today = plan.today
        return {
            "establishments": len(records["establishments"]),
            "payers": len(records["payers"]),
            "absence_policies": len(records["policies"]),
            "agreements": len(records["agreements"]),
            "tariffs": len(records["tariffs"]),
            "partners_created": len(records["partners"]),
            "beneficiaries": len(records["beneficiaries"]),
            "protected": sum(1 for b in plan.beneficiaries if b["legal_protection"] != "none"),
            "stays": len(records["stays"]),
            "stays_current": sum(1 for stay in stays if not stay["date_end"] or stay["date_end"] >= today),
            "stays_ended": dict(Counter(stay["end_reason"] for stay in stays if stay["end_reason"])),
            "decisions": len(records["decisions"]),
            "decisions_by_state": dict(Counter(decision["state"] for decision in decisions)),
            "decisions_to_file_late": sum(
                1 for d in decisions if d["state"] == "to_file" and filing_deadline(d["date_entry"]) < today
            ),
            "decisions_expiring_6_months": sum(
                1
                for d in decisions
                if d["state"] in ("granted", "partially_granted")
                and d["date_end"]
                and today <= d["date_end"] <= today + relativedelta(months=6)
            ),
            "absences": len(records["absences"]),
            "absences_by_kind": dict(Counter(absence["kind"] for absence in absences)),
        }
