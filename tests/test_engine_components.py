"""Several components and payers of one stay (billing-rules §9 to §11): worked examples F, G and I to the cent."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

from odoo.addons.essms_billing.engine.billing import DecisionInput
from odoo.addons.essms_billing.engine.billing import StayInput
from odoo.addons.essms_billing.engine.billing import bill
from odoo.addons.essms_billing.engine.components import ComponentInput
from odoo.addons.essms_billing.engine.components import fjh_guarantee_days
from odoo.addons.essms_billing.engine.contribution import elderly_contribution
from odoo.addons.essms_billing.engine.dates import month_end
from odoo.addons.essms_billing.engine.days import Absence
from odoo.addons.essms_billing.engine.days import StaySpan
from odoo.addons.essms_billing.engine.days import YearCounters
from odoo.addons.essms_billing.engine.pricing import Tariff

from .engine_fixtures import FJH
from .engine_fixtures import POLICY_C as POLICY

D = Decimal
AAH = D("1033.32")
AAH_KEPT = D("30")  # the legal parameter in force (CASF D344-41), as the run reads it
START = date(2024, 1, 1)


def bill_month(stay, year, month):
    start = date(year, month, 1)
    (billing,) = bill([stay], start, month_end(start), FJH)
    return billing


def by_payer(billing):
    return {(result.role, result.payer): result for result in billing.results}


def rows(result):
    return [(d.component, d.kind, d.quantity, d.unit_price, d.amount) for d in result.details]


def check_rows_add_up(billing):
    for result in billing.results:
        assert sum((d.amount for d in result.details), D(0)) == result.amount + result.to_bill_on_decision
        for detail in result.details:
            assert detail.amount == (detail.quantity * detail.unit_price).quantize(D("0.01"))


# Worked example I: FAM, two payers

CD = DecisionInput(
    key="dec-cd",
    payer="CD66",
    state="granted",
    date_effect=START,
    contribution_mode="net_billing",
    contribution_monthly=D("723.32"),
)
FAM = StayInput(
    key="stay-i",
    resident="resident-i",
    payer="CD66",
    stay=StaySpan(START),
    tariffs=(Tariff(START, D("184.50")),),
    policy=POLICY,
    counters=YearCounters(2026),
    billing_term="arrears",
    requires_decision=True,
    decisions=(CD,),
    absences=(Absence("hospital", date(2026, 3, 10), date(2026, 3, 14)),),
    components=(
        ComponentInput(
            component="care", agreement="care-agreement", payer="CPAM", tariffs=(Tariff(START, D("72.35")),),
            absence_days="present",
        ),
    ),
)


def test_example_i_fam_departement_resident_and_health_insurance():
    billing = bill_month(FAM, 2026, 3)
    results = by_payer(billing)
    assert set(results) == {("payer", "CD66"), ("resident", "resident-i"), ("payer", "CPAM")}
    departement = results[("payer", "CD66")]
    assert departement.gross_amount == D("5673.50")
    assert departement.amount == D("4950.18")
    assert rows(departement) == [
        ("accommodation", "full", 29, D("184.50"), D("5350.50")),
        ("accommodation", "reduced", 2, D("161.50"), D("323.00")),
        ("accommodation", "contribution", 1, D("-723.32"), D("-723.32")),
    ]
    assert results[("resident", "resident-i")].amount == D("723.32")
    care = results[("payer", "CPAM")]
    assert care.amount == D("1881.10")
    assert care.agreement == "care-agreement"
    assert rows(care) == [("care", "full", 26, D("72.35"), D("1881.10"))]
    check_rows_add_up(billing)


def test_example_i_care_without_fund_blocks_the_person():
    stay = replace(FAM, components=(replace(FAM.components[0], payer=None, person="Mme I"),))
    billing = bill_month(stay, 2026, 3)
    assert billing.blocked
    (result,) = billing.results
    assert result.amount == 0 and result.role == "resident"
    assert "Mme I, care: the health-insurance fund is missing" in result.anomalies[0].render()


def test_example_i_in_advance_regularises_the_care_days_of_last_month():
    """FAM bills in advance: March as if present (31 care days), then February's absence of 5 days returned."""
    care = replace(FAM.components[0], billing_term="advance")
    stay = replace(
        FAM,
        components=(care,),
        absences=(Absence("hospital", date(2026, 2, 10), date(2026, 2, 14)),),
    )
    results = by_payer(bill_month(stay, 2026, 3))
    care_result = results[("payer", "CPAM")]
    assert rows(care_result) == [
        ("care", "full", 31, D("72.35"), D("2242.85")),
        ("care", "regularisation", -5, D("72.35"), D("-361.75")),
    ]
    assert care_result.amount == D("1881.10")


# Worked example F: MAS, the daily hospital fee and the 30 % AAH guarantee

MAS = StayInput(
    key="stay-f",
    resident="resident-f",
    payer="CPAM",
    stay=StaySpan(START),
    tariffs=(Tariff(START, D("245.80")),),
    policy=POLICY,
    counters=YearCounters(2026),
    billing_term="arrears",
    requires_decision=False,
    components=(
        ComponentInput(
            component="fjh", agreement="fjh", payer="resident-f", payer_is_resident=True,
            resources=D("1033.32"), aah=AAH, aah_kept=AAH_KEPT, person="M. F",
        ),
    ),
)


def test_example_f_guarantee_days():
    assert fjh_guarantee_days(D("1033.32"), AAH, D("23.00"), AAH_KEPT) == (31, D("310.00"))
    assert fjh_guarantee_days(D("600.00"), AAH, D("23.00"), AAH_KEPT) == (12, D("310.00"))
    assert fjh_guarantee_days(D("300.00"), AAH, D("23.00"), AAH_KEPT) == (0, D("310.00"))
    # The share kept is the legal parameter given: 35 % keeps 361,66, (600,00 - 361,66) / 23,00: 10 days.
    assert fjh_guarantee_days(D("600.00"), AAH, D("23.00"), D("35")) == (10, D("361.66"))
    assert fjh_guarantee_days(D("600.00"), AAH, D("23.00"), 32.5) == (11, D("335.83"))


def test_example_f_resources_at_the_aah_resident_pays_31_days():
    billing = bill_month(MAS, 2026, 3)
    results = by_payer(billing)
    assert results[("payer", "CPAM")].amount == D("7619.80")
    assert rows(results[("payer", "CPAM")]) == [("accommodation", "full", 31, D("245.80"), D("7619.80"))]
    resident = results[("resident", "resident-f")]
    assert resident.amount == D("713.00")
    assert rows(resident) == [("fjh", "full", 31, D("23.00"), D("713.00"))]
    assert not resident.anomalies
    check_rows_add_up(billing)


def test_example_f_resources_600_resident_pays_12_days_19_not_billed_and_reported():
    stay = replace(MAS, components=(replace(MAS.components[0], resources=D("600.00")),))
    billing = bill_month(stay, 2026, 3)
    results = by_payer(billing)
    assert results[("payer", "CPAM")].amount == D("7619.80")
    resident = results[("resident", "resident-f")]
    assert resident.amount == D("276.00")
    assert [row for row in rows(resident) if row[1] != "not_billed"] == [("fjh", "full", 12, D("23.00"), D("276.00"))]
    not_billed = [d for d in resident.details if d.kind == "not_billed" and d.quantity]
    assert [(d.quantity, d.date_from, d.date_to) for d in not_billed] == [(19, date(2026, 3, 13), date(2026, 3, 31))]
    assert [a.code for a in resident.anomalies] == ["component_fjh_guarantee_not_billed"]
    assert "19 days of daily hospital fee" in resident.anomalies[0].render()
    check_rows_add_up(billing)


def test_example_f_days_beyond_the_guarantee_go_to_the_third_payer():
    stay = replace(MAS, components=(replace(MAS.components[0], resources=D("600.00"), third_payer="MUTUELLE"),))
    results = by_payer(bill_month(stay, 2026, 3))
    assert results[("resident", "resident-f")].amount == D("276.00")
    assert rows(results[("payer", "MUTUELLE")]) == [("fjh", "full", 19, D("23.00"), D("437.00"))]
    assert not results[("resident", "resident-f")].anomalies


def test_example_f_no_fjh_on_days_absent():
    stay = replace(MAS, absences=(Absence("hospital", date(2026, 3, 10), date(2026, 3, 14)),))
    resident = by_payer(bill_month(stay, 2026, 3))[("resident", "resident-f")]
    assert rows(resident) == [("fjh", "full", 26, D("23.00"), D("598.00"))]


def test_example_f_missing_resources_block_the_person():
    stay = replace(MAS, components=(replace(MAS.components[0], resources=None),))
    billing = bill_month(stay, 2026, 3)
    assert billing.blocked
    assert billing.results[0].anomalies[0].render() == (
        "M. F, daily hospital fee: the monthly resources are missing (needed for the 30 % AAH guarantee): fill "
        "them in on the beneficiary's situation."
    )


def test_no_fjh_for_a_minor_until_the_18th_birthday():
    fjh = replace(MAS.components[0], birth_date=date(2008, 3, 20))
    resident = by_payer(bill_month(replace(MAS, components=(fjh,)), 2026, 3))[("resident", "resident-f")]
    assert [row for row in rows(resident) if row[1] != "not_billed"] == [("fjh", "full", 12, D("23.00"), D("276.00"))]
    assert [(d.quantity, d.date_to) for d in resident.details if d.kind == "not_billed"] == [(19, date(2026, 3, 19))]


# Worked example G: EHPAD, April 2026, a GIR 2 resident present all month

GIR_TARIFFS = {
    "1_2": (Tariff(START, D("23.10")),),
    "3_4": (Tariff(START, D("14.66")),),
    "5_6": (Tariff(START, D("6.22")),),
}
DEPENDENCY = ComponentInput(
    component="dependency", agreement="apa", payer=None, tariffs=GIR_TARIFFS, gir="1_2", person="Mme G",
    absence_days="short_absences",
)
EHPAD_PRIVATE = StayInput(
    key="stay-g",
    resident="resident-g",
    payer="resident-g",
    stay=StaySpan(START),
    tariffs=(Tariff(START, D("68.40")),),
    policy=POLICY,
    counters=YearCounters(2026),
    billing_term="arrears",
    requires_decision=False,
    components=(DEPENDENCY,),
)
SOCIAL_AID = DecisionInput(
    key="dec-asg",
    payer="CD66",
    state="granted",
    date_effect=START,
    contribution_mode="net_billing",
    contribution_monthly=D("1305.00"),
)
EHPAD_SOCIAL_AID = replace(EHPAD_PRIVATE, payer="CD66", requires_decision=True, decisions=(SOCIAL_AID,))


def test_example_g_private_apa_by_allocation_resident_2238_60_nothing_else():
    billing = bill_month(EHPAD_PRIVATE, 2026, 4)
    (resident,) = billing.results
    assert (resident.role, resident.payer) == ("resident", "resident-g")
    assert resident.amount == D("2238.60")
    assert rows(resident) == [
        ("accommodation", "full", 30, D("68.40"), D("2052.00")),
        ("dependency", "full", 30, D("6.22"), D("186.60")),
        ("dependency", "not_billed", 30, D("0.00"), D("0.00")),
    ]
    check_rows_add_up(billing)


def test_example_g_apa_paid_individually_by_the_departement_506_40():
    stay = replace(
        EHPAD_PRIVATE, components=(replace(DEPENDENCY, payer="CD34", apa_individual=True, decision="apa-34"),)
    )
    billing = bill_month(stay, 2026, 4)
    results = by_payer(billing)
    assert set(results) == {("resident", "resident-g"), ("payer", "CD34")}
    assert results[("payer", "CD34")].decision_key == "apa-34"
    assert results[("resident", "resident-g")].amount == D("2238.60")
    apa = results[("payer", "CD34")]
    assert apa.amount == D("506.40")
    assert rows(apa) == [("dependency", "full", 30, D("16.88"), D("506.40"))]
    assert apa.agreement == "apa"
    check_rows_add_up(billing)


def test_example_g_apa_individual_without_decision_is_reported():
    stay = replace(EHPAD_PRIVATE, components=(replace(DEPENDENCY, apa_individual=True),))
    (resident,) = bill_month(stay, 2026, 4).results
    assert resident.amount == D("2238.60")
    assert [a.code for a in resident.anomalies] == ["component_no_apa_decision"]


def test_example_g_elderly_contribution_1305():
    proposal = elderly_contribution(D("1450.00"), D("1034.28") * 12)
    assert proposal.contribution == D("1305.00")  # min(1 305,00 ; 1 450,00 - 124,11)


def test_example_g_social_aid_not_bearing_the_gir_5_6_rate():
    billing = bill_month(EHPAD_SOCIAL_AID, 2026, 4)
    results = by_payer(billing)
    departement = results[("payer", "CD66")]
    assert departement.amount == D("747.00")
    assert rows(departement) == [
        ("accommodation", "full", 30, D("68.40"), D("2052.00")),
        ("accommodation", "contribution", 1, D("-1305.00"), D("-1305.00")),
    ]
    resident = results[("resident", "resident-g")]
    assert resident.amount == D("1491.60")
    assert [row for row in rows(resident) if row[1] != "not_billed"] == [
        ("accommodation", "contribution", 1, D("1305.00"), D("1305.00")),
        ("dependency", "full", 30, D("6.22"), D("186.60")),
    ]
    check_rows_add_up(billing)


def test_example_g_social_aid_bearing_the_gir_5_6_rate():
    stay = replace(EHPAD_SOCIAL_AID, components=(replace(DEPENDENCY, resident_rate_payer="CD66"),))
    billing = bill_month(stay, 2026, 4)
    results = by_payer(billing)
    departement = results[("payer", "CD66")]
    assert departement.amount == D("933.60")
    assert rows(departement) == [
        ("accommodation", "full", 30, D("68.40"), D("2052.00")),
        ("accommodation", "contribution", 1, D("-1305.00"), D("-1305.00")),
        ("dependency", "full", 30, D("6.22"), D("186.60")),
    ]
    assert results[("resident", "resident-g")].amount == D("1305.00")
    check_rows_add_up(billing)


def test_example_g_social_aid_and_apa_individual_same_departement():
    dependency = replace(DEPENDENCY, resident_rate_payer="CD66", payer="CD66", apa_individual=True)
    billing = bill_month(replace(EHPAD_SOCIAL_AID, components=(dependency,)), 2026, 4)
    departement = by_payer(billing)[("payer", "CD66")]
    assert departement.amount == D("1440.00")  # 933.60 + 506.40
    check_rows_add_up(billing)


def test_example_g_gir_5_6_resident_pays_the_rate_only():
    stay = replace(EHPAD_PRIVATE, components=(replace(DEPENDENCY, gir="5_6"),))
    (resident,) = bill_month(stay, 2026, 4).results
    assert rows(resident) == [
        ("accommodation", "full", 30, D("68.40"), D("2052.00")),
        ("dependency", "full", 30, D("6.22"), D("186.60")),
    ]


def test_example_g_dependency_not_billed_during_an_absence_over_72_hours():
    stay = replace(
        EHPAD_PRIVATE,
        components=(replace(DEPENDENCY, payer="CD34", apa_individual=True),),
        absences=(
            Absence("hospital", date(2026, 4, 6), date(2026, 4, 15)),  # 10 days
            Absence("family_weekend", date(2026, 4, 25), date(2026, 4, 26)),  # 48 h: billed
        ),
    )
    results = by_payer(bill_month(stay, 2026, 4))
    assert rows(results[("payer", "CD34")]) == [("dependency", "full", 20, D("16.88"), D("337.60"))]


def test_example_g_gir_missing_blocks_the_person():
    stay = replace(EHPAD_PRIVATE, components=(replace(DEPENDENCY, gir=None),))
    billing = bill_month(stay, 2026, 4)
    assert billing.blocked
    assert billing.results[0].anomalies[0].render() == (
        "Mme G, dependency: the GIR group is missing: fill it in on the beneficiary's situation."
    )


def test_example_g_tariff_missing_blocks_the_person():
    tariffs = {**GIR_TARIFFS, "1_2": ()}
    stay = replace(EHPAD_PRIVATE, components=(replace(DEPENDENCY, tariffs=tariffs, agreement_name="APA CD66"),))
    billing = bill_month(stay, 2026, 4)
    assert billing.blocked
    assert "fill in the tariff of the agreement APA CD66" in billing.results[0].anomalies[0].render()


def test_death_accommodation_until_the_room_is_cleared_at_most_6_days():
    """Death on 10 April: dependency stops; accommodation is billed until the room is cleared, 6 days at most."""
    died = replace(
        EHPAD_PRIVATE,
        stay=StaySpan(START, date(2026, 4, 10), "full_board", "death"),
        components=(replace(DEPENDENCY, gir="5_6"),),
    )
    resident = by_payer(bill_month(died, 2026, 4))[("resident", "resident-g")]
    assert rows(resident) == [
        ("accommodation", "full", 9, D("68.40"), D("615.60")),
        ("accommodation", "not_billed", 1, D("0.00"), D("0.00")),
        ("dependency", "full", 9, D("6.22"), D("55.98")),
    ]
    cleared_late = by_payer(bill_month(replace(died, date_room_cleared=date(2026, 4, 30)), 2026, 4))
    assert rows(cleared_late[("resident", "resident-g")])[:1] == [
        ("accommodation", "full", 15, D("68.40"), D("1026.00"))
    ]
    cleared_early = by_payer(bill_month(replace(died, date_room_cleared=date(2026, 4, 12)), 2026, 4))
    assert rows(cleared_early[("resident", "resident-g")])[:1] == [
        ("accommodation", "full", 11, D("68.40"), D("752.40"))
    ]


# IME: a daily price by internat, semi-internat and externat, to the health insurance; no FJH for minors

IME_TARIFFS = {
    "full_board": D("312.40"),
    "semi_boarding": D("228.15"),
    "day_pupil": D("190.70"),
}


def test_ime_internat_semi_internat_externat_each_at_its_tariff():
    """March 2026: the internat bills its 31 days; semi-internat and externat their 22 weekdays attended."""
    expected = {"full_board": 31, "semi_boarding": 22, "day_pupil": 22}
    for accommodation, price in IME_TARIFFS.items():
        stay = StayInput(
            key="stay-ime",
            resident="child",
            payer="CPAM",
            stay=StaySpan(START, None, accommodation),
            tariffs=(Tariff(START, price),),
            policy=POLICY,
            counters=YearCounters(2026),
            billing_term="arrears",
            requires_decision=False,
            components=(
                ComponentInput(
                    component="fjh", agreement="fjh", payer="child", payer_is_resident=True,
                    resources=D("0.00"), aah=AAH, birth_date=date(2014, 5, 2),
                ),
            ),
        )
        results = by_payer(bill_month(stay, 2026, 3))
        days = expected[accommodation]
        assert rows(results[("payer", "CPAM")]) == [
            ("accommodation", "full", days, price, (days * price).quantize(D("0.01")))
        ], accommodation
        resident = results.get(("resident", "child"))
        assert resident is None or not resident.amount, "no FJH for a minor"


def test_fjh_with_another_share_of_the_aah_kept_prints_it():
    # 35 % kept (a later value of the legal parameter): 10 days billed, 21 not billed, and the messages say 35 %.
    stay = replace(MAS, components=(replace(MAS.components[0], resources=D("600.00"), aah_kept=D("35.0000")),))
    resident = by_payer(bill_month(stay, 2026, 3))[("resident", "resident-f")]
    assert [row for row in rows(resident) if row[1] != "not_billed"] == [("fjh", "full", 10, D("23.00"), D("230.00"))]
    reasons = [detail.reason.render() for detail in resident.details if detail.kind == "not_billed"]
    assert reasons == [
        "Daily hospital fee limited by the 35 % AAH guarantee: (resources 600.00 − 361.66) / 23.00 = 10 days at most",
        "21 days of daily hospital fee not billed: the resident keeps 35 % of the AAH (361.66) and no third payer "
        "covers the fee",
    ]
    assert resident.anomalies[0].render() == (
        "21 days of daily hospital fee from 2026-03-11 to 2026-03-31 are not billed to the resident (35 % AAH "
        "guarantee) and no third payer covers them."
    )


def test_fjh_without_a_share_of_the_aah_kept_blocks_the_person():
    stay = replace(MAS, components=(replace(MAS.components[0], aah_kept=None),))
    billing = bill_month(stay, 2026, 3)
    assert billing.blocked
    assert billing.results[0].anomalies[0].render() == (
        "M. F, daily hospital fee: no share of the AAH kept by a MAS resident is recorded for the month (needed for "
        "the AAH guarantee): add it in Configuration > Legal parameters."
    )


def test_fjh_without_aah_value_blocks_the_person():
    stay = replace(MAS, components=(replace(MAS.components[0], aah=None),))
    billing = bill_month(stay, 2026, 3)
    assert billing.blocked
    assert billing.results[0].anomalies[0].code == "blocked_no_aah"


# Which days a care or dependency component bills, and the place reservation: settings, not constants.


def test_care_days_of_absence_billed_as_the_agreement_says():
    """Example I's hospital stay of 5 days: care on the 26 days present by default; an agreement billing the first
    days of every absence up to the threshold also bills the 3 days within the 72 hours."""
    care = FAM.components[0]
    within = replace(FAM, components=(replace(care, absence_days="within_threshold"),))
    results = by_payer(bill_month(within, 2026, 3))
    assert rows(results[("payer", "CPAM")]) == [("care", "full", 29, D("72.35"), D("2098.15"))]
    # Absences up to the threshold as a whole: the 5-day stay is longer, none of its days is billed.
    short = replace(FAM, components=(replace(care, absence_days="short_absences"),))
    assert rows(by_payer(bill_month(short, 2026, 3))[("payer", "CPAM")]) == [
        ("care", "full", 26, D("72.35"), D("1881.10"))
    ]


def test_dependency_days_present_only_when_the_agreement_says_so():
    """The same month as ``test_example_g_dependency_not_billed_during_an_absence_over_72_hours``: a weekend of
    48 hours is billed under the default setting, not under "days present only"."""
    stay = replace(
        EHPAD_PRIVATE,
        components=(replace(DEPENDENCY, payer="CD34", apa_individual=True, absence_days="present"),),
        absences=(
            Absence("hospital", date(2026, 4, 6), date(2026, 4, 15)),
            Absence("family_weekend", date(2026, 4, 25), date(2026, 4, 26)),
        ),
    )
    results = by_payer(bill_month(stay, 2026, 4))
    assert rows(results[("payer", "CD34")]) == [("dependency", "full", 18, D("16.88"), D("303.84"))]


def test_component_without_its_absence_days_setting_blocks_the_person():
    stay = replace(EHPAD_PRIVATE, components=(replace(DEPENDENCY, absence_days=None, agreement_name="APA CD66"),))
    billing = bill_month(stay, 2026, 4)
    assert billing.blocked
    assert billing.results[0].anomalies[0].render() == (
        "Mme G, dependency: the agreement APA CD66 does not say which days of absence it bills: fill in its Days "
        "of absence billed."
    )


def test_reservation_price_for_the_days_of_a_long_absence():
    """A policy keeping the place at a reservation price (billing-rules §3, §9): example I's hospital stay, its 2
    days beyond the 72 hours at the agreement's reservation tariff (120.00) instead of 184.50 less the FJH, on a
    row of their own; the care still bills the days present."""
    stay = replace(
        FAM,
        policy=replace(POLICY, reduction_kind="reservation"),
        reservation_tariffs=(Tariff(START, D("120.00")),),
    )
    billing = bill_month(stay, 2026, 3)
    results = by_payer(billing)
    assert rows(results[("payer", "CD66")]) == [
        ("accommodation", "full", 29, D("184.50"), D("5350.50")),
        ("accommodation", "reservation", 2, D("120.00"), D("240.00")),
        ("accommodation", "contribution", 1, D("-723.32"), D("-723.32")),
    ]
    assert results[("payer", "CD66")].amount == D("4867.18")
    assert "place reservation price instead of 184.50" in results[("payer", "CD66")].details[1].reason.render()
    assert rows(results[("payer", "CPAM")]) == [("care", "full", 26, D("72.35"), D("1881.10"))]
    check_rows_add_up(billing)


def test_reservation_without_its_tariff_is_reported():
    stay = replace(FAM, policy=replace(POLICY, reduction_kind="reservation"))
    results = by_payer(bill_month(stay, 2026, 3))
    departement = results[("payer", "CD66")]
    assert [a.render() for a in departement.anomalies if "No tariff" in a.render()] == [
        "No tariff applies from 2026-03-13 to 2026-03-14: these days are priced 0.00."
    ]
    assert ("accommodation", "reservation", 2, D("0.00"), D("0.00")) in rows(departement)


def test_reservation_in_advance_regularises_the_days_of_last_month():
    """Billed in advance: April as if present, then March's 2 days beyond the 72 hours come back as -2 x 184.50 at
    the full price and +2 x 120.00 at the reservation price, named as such."""
    stay = replace(
        FAM,
        billing_term="advance",
        components=(),
        policy=replace(POLICY, reduction_kind="reservation"),
        reservation_tariffs=(Tariff(START, D("120.00")),),
    )
    departement = by_payer(bill_month(stay, 2026, 4))[("payer", "CD66")]
    regularisations = [row for row in rows(departement) if row[1] == "regularisation"]
    assert sorted(regularisations) == sorted([
        ("accommodation", "regularisation", -2, D("184.50"), D("-369.00")),
        ("accommodation", "regularisation", 2, D("120.00"), D("240.00")),
    ])
    reasons = [d.reason.render() for d in departement.details if d.kind == "regularisation" and d.amount > 0]
    assert reasons == [
        "Regularisation of 2026-03-01 to 2026-03-31, billed in advance as if present: days of absence at the place "
        "reservation price"
    ]
