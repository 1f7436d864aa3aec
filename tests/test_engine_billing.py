"""The batch entry point (billing-rules §1 to §4): who is billed what for a stay and a month."""

from dataclasses import replace
from datetime import date
from datetime import datetime
from decimal import Decimal

from odoo.addons.essms_billing.engine.billing import BillingResult
from odoo.addons.essms_billing.engine.billing import DecisionInput
from odoo.addons.essms_billing.engine.billing import StayInput
from odoo.addons.essms_billing.engine.billing import bill
from odoo.addons.essms_billing.engine.contribution import Resources
from odoo.addons.essms_billing.engine.dates import month_end
from odoo.addons.essms_billing.engine.days import Absence
from odoo.addons.essms_billing.engine.days import StaySpan
from odoo.addons.essms_billing.engine.days import YearCounters
from odoo.addons.essms_billing.engine.decisions import date_of_effect
from odoo.addons.essms_billing.engine.pricing import Tariff

from .engine_fixtures import FJH
from .engine_fixtures import POLICY_C as POLICY

CONTRIBUTION = Decimal("723.32")
GRANTED = DecisionInput(
    key="decision-1",
    payer="CD66",
    state="granted",
    date_effect=date(2024, 1, 1),
    contribution_mode="net_billing",
    contribution_monthly=CONTRIBUTION,
)
STAY = StayInput(
    key="stay-1",
    resident="resident-1",
    payer="CD66",
    stay=StaySpan(date(2024, 1, 1)),
    tariffs=(Tariff(date(2024, 1, 1), Decimal("180.00")),),
    policy=POLICY,
    counters=YearCounters(2025),
    billing_term="arrears",
    requires_decision=True,
    decisions=(GRANTED,),
)
ABSENCES_C = (
    Absence("family_weekend", date(2025, 7, 5), date(2025, 7, 6)),
    Absence("hospital", datetime(2025, 7, 10, 9, 0), datetime(2025, 7, 20, 18, 0)),
)


def bill_month(stay, year, month):
    start = date(year, month, 1)
    (billing,) = bill([stay], start, month_end(start), FJH)
    return billing


def payer(billing, decision_key="decision-1"):
    return billing.result("payer", decision_key)


def resident(billing):
    return billing.result("resident")


# Worked example C


def test_example_c_departement_net_4696_68_and_resident_contribution():
    billing = bill_month(replace(STAY, absences=ABSENCES_C), 2025, 7)
    departement = payer(billing)
    assert departement.payer == "CD66"
    assert departement.gross_amount == Decimal("5420.00")
    assert departement.contribution_amount == CONTRIBUTION
    assert departement.amount == Decimal("4696.68")
    assert departement.days_billed == 31
    assert departement.days_reduced == 8
    assert departement.unit_prices == (Decimal("180.00"), Decimal("160.00"))
    assert resident(billing).payer == "resident-1"
    assert resident(billing).amount == CONTRIBUTION
    assert billing.counters.absence_days == 11


def test_example_c_explanation_in_words_and_numbers():
    departement = payer(bill_month(replace(STAY, absences=ABSENCES_C), 2025, 7))
    assert departement.render().splitlines() == [
        "18 days present × 180.00 = 3240.00",
        "2 days × 180.00 = 360.00 (absence of 72 h or less, full price)",
        "3 days × 180.00 = 540.00 (first 72 h of absence, full price)",
        "8 days × 160.00 = 1280.00 (absence over 72 h: 180.00 less the daily hospital fee 20.00)",
        "Gross amount: 5420.00",
        "Contribution for the whole month: 723.32",
        "Resident contribution deducted: 723.32",
        "Amount: 4696.68",
    ]


def test_example_c_reduced_from_day_one_5360():
    stay = replace(STAY, absences=ABSENCES_C, policy=replace(POLICY, reduction_start="first_day"))
    departement = payer(bill_month(stay, 2025, 7))
    assert departement.gross_amount == Decimal("5360.00")
    assert departement.amount == Decimal("4636.68")


# Worked example D


def test_example_d_quota_policy_first_absence_of_the_year():
    policy = replace(POLICY, threshold_scope="once_a_year", quota_days=105)
    stay = replace(STAY, policy=policy, absences=(Absence("personal", date(2025, 3, 3), date(2025, 3, 14)),))
    billing = bill_month(stay, 2025, 3)
    departement = payer(billing)
    lines = departement.render().splitlines()
    assert lines[1:3] == [
        "3 days × 180.00 = 540.00 (first 72 h of absence, full price)",
        "9 days × 160.00 = 1440.00 (absence over 72 h: 180.00 less the daily hospital fee 20.00)",
    ]  # the absence costs 1980.00
    assert departement.gross_amount == Decimal("5400.00")  # 19 days present x 180.00 + 1980.00
    assert (billing.counters.absence_days, policy.quota_days) == (12, 105)


def test_days_after_the_quota_charged_to_the_resident_at_full_price():
    policy = replace(POLICY, threshold_scope="once_a_year", quota_days=105, after_quota="resident")
    stay = replace(
        STAY,
        policy=policy,
        counters=YearCounters(2025, absence_days=100, threshold_days=3),
        absences=(Absence("personal", date(2025, 9, 1), date(2025, 9, 10)),),
    )
    billing = bill_month(stay, 2025, 9)
    assert payer(billing).days_reduced == 5
    assert payer(billing).gross_amount == 20 * Decimal("180.00") + 5 * Decimal("160.00")
    # The contribution is prorated over the days the département bears: 25 of 30.
    assert payer(billing).contribution_amount == Decimal("602.77")
    assert resident(billing).days_billed == 5
    assert resident(billing).gross_amount == Decimal("900.00")
    assert resident(billing).amount == Decimal("1502.77")
    assert billing.counters.absence_days == 110


# Worked example E: pending file, then recall


def stay_e(state, date_filed):
    entry = date(2025, 3, 10)
    decision = replace(GRANTED, state=state, date_effect=date_of_effect(entry, date_filed))
    return replace(STAY, stay=StaySpan(entry), decisions=(decision,), counters=YearCounters(2025))


def test_example_e_pending_march_provision_and_accrued_share():
    billing = bill_month(stay_e("filed", date(2025, 4, 2)), 2025, 3)
    departement = payer(billing)
    assert departement.gross_amount == Decimal("3960.00")
    assert departement.amount == Decimal("0.00")
    assert departement.to_bill_on_decision == Decimal("3446.68")
    assert resident(billing).contribution_amount == Decimal("513.32")
    assert resident(billing).amount == Decimal("513.32")
    assert departement.explanation[0].render() == (
        "Funding decision pending: the payer's share is accrued, not invoiced."
    )
    assert resident(billing).render().splitlines()[0] == (
        "Provision pending the funding decision: 513.32 (computed like the contribution)"
    )


def test_example_e_recall_of_17656_72_once_granted():
    stay = stay_e("granted", date(2025, 4, 2))
    amounts = [payer(bill_month(stay, 2025, month)).amount for month in (3, 4, 5, 6)]
    assert amounts == [Decimal("3446.68"), Decimal("4676.68"), Decimal("4856.68"), Decimal("4676.68")]
    assert sum(amounts) == Decimal("17656.72")
    pending = stay_e("filed", date(2025, 4, 2))
    accrued = [payer(bill_month(pending, 2025, month)).to_bill_on_decision for month in (3, 4, 5, 6)]
    assert accrued == amounts


def test_example_e_filed_late_march_to_may_fall_on_the_resident():
    stay = stay_e("granted", date(2025, 5, 20))
    assert stay.decisions[0].date_effect == date(2025, 6, 1)
    march = bill_month(stay, 2025, 3)
    assert payer(march) is None
    assert resident(march).gross_amount == Decimal("3960.00")
    assert resident(march).amount == Decimal("3960.00")
    assert [anomaly.code for anomaly in resident(march).anomalies] == ["out_of_rights"]
    assert resident(march).anomalies[0].render() == (
        "22 days from 2025-03-10 to 2025-03-31 are not covered by a funding decision: they are charged to the resident."
    )
    assert resident(bill_month(stay, 2025, 5)).amount == Decimal("5580.00")
    june = bill_month(stay, 2025, 6)
    assert payer(june).amount == Decimal("4676.68")
    assert resident(june).amount == CONTRIBUTION


def test_request_not_filed_is_pending_and_warned_with_its_deadline():
    entry = date(2025, 3, 10)
    decision = replace(GRANTED, state="to_file", date_effect=None, contribution_monthly=Decimal(0))
    stay = replace(
        STAY,
        stay=StaySpan(entry),
        decisions=(decision,),
        resources=Resources(monthly=Decimal("1033.32"), aah=Decimal("1033.32")),
    )
    march = bill_month(stay, 2025, 3)
    assert payer(march).to_bill_on_decision == Decimal("3446.68")  # provision from the proposed 723.32
    assert [anomaly.render() for anomaly in resident(march).anomalies] == [
        "The request for social aid is not filed yet; it must be filed by 2025-05-10."
    ]
    june = bill_month(stay, 2025, 6)
    assert resident(june).anomalies[0].code == "not_filed_late"
    extended = replace(stay, decisions=(replace(decision, date_filing_deadline=date(2025, 7, 10)),))
    assert resident(bill_month(extended, 2025, 6)).anomalies[0].code == "not_filed"


def test_refused_decision_leaves_every_day_to_the_resident():
    stay = replace(STAY, decisions=(replace(GRANTED, state="refused"),))
    billing = bill_month(stay, 2025, 4)
    assert payer(billing) is None
    assert resident(billing).amount == Decimal("5400.00")
    assert {anomaly.code for anomaly in resident(billing).anomalies} == {"out_of_rights", "decision_refused"}


def test_decision_ending_mid_month_prorates_the_contribution():
    stay = replace(STAY, decisions=(replace(GRANTED, date_end=date(2025, 4, 15)),))
    billing = bill_month(stay, 2025, 4)
    assert payer(billing).gross_amount == Decimal("2700.00")
    assert payer(billing).contribution_amount == Decimal("361.66")  # 723.32 x 15 / 30
    assert resident(billing).gross_amount == Decimal("2700.00")
    assert resident(billing).amount == Decimal("3061.66")


def test_decided_contribution_below_the_legal_minimum_is_an_anomaly():
    stay = replace(
        STAY,
        decisions=(replace(GRANTED, contribution_monthly=Decimal("800.00")),),
        resources=Resources(monthly=Decimal("1033.32"), aah=Decimal("1033.32")),
    )
    assert [anomaly.code for anomaly in payer(bill_month(stay, 2025, 4)).anomalies] == ["minimum_not_respected"]


# Collection modes, payers without decisions


def test_income_collected_the_payer_is_invoiced_the_gross_and_the_contribution_is_third_party_money():
    stay = replace(STAY, decisions=(replace(GRANTED, contribution_mode="income_collected"),))
    billing = bill_month(stay, 2025, 4)
    assert payer(billing).amount == Decimal("5400.00")
    assert payer(billing).third_party_amount == CONTRIBUTION
    assert resident(billing) is None


def test_payer_without_individual_decision_is_billed_the_gross():
    stay = replace(STAY, payer="CPAM", decisions=(), requires_decision=False)
    billing = bill_month(stay, 2025, 4)
    assert [(result.role, result.payer, result.amount) for result in billing.results] == [
        ("payer", "CPAM", Decimal("5400.00"))
    ]


def test_contribution_cannot_exceed_what_the_payer_is_billed():
    stay = replace(STAY, stay=StaySpan(date(2025, 4, 29)))  # 2 days: 360.00, but 6000.00 x 2 / 30 = 400.00
    billing = bill_month(replace(stay, decisions=(replace(GRANTED, contribution_monthly=Decimal("6000.00")),)), 2025, 4)
    assert payer(billing).contribution_amount == Decimal("360.00")
    assert payer(billing).amount == Decimal("0.00")
    assert payer(billing).anomalies[0].code == "contribution_capped"


# Holidays, weekly boarding, exit


def test_holiday_exoneration_reduces_the_contribution_by_three_thirteenths_a_week():
    policy = replace(POLICY, holiday_contribution_exoneration=True)
    stay = replace(STAY, policy=policy, absences=(Absence("holidays", date(2025, 8, 4), date(2025, 8, 10)),))
    departement = payer(bill_month(stay, 2025, 8))
    assert departement.contribution_amount == Decimal("556.40")  # 723.32 - 166.92
    assert departement.gross_amount == 3 * Decimal("180.00") + 4 * Decimal("160.00") + 24 * Decimal("180.00")
    assert departement.amount == departement.gross_amount - Decimal("556.40")


def test_weekly_boarding_bills_weekdays_only():
    stay = replace(STAY, stay=StaySpan(date(2024, 9, 2), accommodation="weekly_board"))
    departement = payer(bill_month(stay, 2025, 7))
    assert departement.days_billed == 23
    assert departement.gross_amount == Decimal("4140.00")
    assert departement.contribution_amount == CONTRIBUTION  # the stay runs the whole month
    assert "8 weekend days not billed (weekly boarding)" in departement.render()


def test_death_exit_day_not_billed_and_stated():
    stay = replace(STAY, stay=StaySpan(date(2024, 1, 1), date(2025, 7, 16), end_reason="death"))
    departement = payer(bill_month(stay, 2025, 7))
    assert departement.days_billed == 15
    assert departement.contribution_amount == Decimal("349.99")  # 723.32 x 15 / 31
    assert departement.explanation[-1].render() == "Death on 2025-07-16"
    assert bill_month(stay, 2025, 8).results == ()


# Billing in advance


def test_advance_bills_the_month_as_present_and_regularises_last_months_absences():
    stay = replace(STAY, billing_term="advance", absences=ABSENCES_C)
    billing = bill_month(stay, 2025, 8)
    departement = payer(billing)
    assert departement.days_billed == 31
    assert departement.regularisation_amount == Decimal("-160.00")  # July: 5420.00 due, 5580.00 billed
    assert departement.amount == Decimal("4856.68") - Decimal("160.00")
    assert departement.explanation[0].render() == (
        "Billed in advance from 2025-08-01 to 2025-08-31, as if present every day of the stay"
    )
    assert (
        "Regularisation from 2025-07-01 to 2025-07-31: due 4696.68, billed in advance 4856.68, difference -160.00"
        in departement.render()
    )
    assert billing.counters.absence_days == 11  # the counters of the settled month, July


def test_advance_without_absences_has_no_regularisation():
    billing = bill_month(replace(STAY, billing_term="advance"), 2025, 8)
    assert payer(billing).amount == Decimal("4856.68")
    assert payer(billing).regularisation_amount == Decimal("0.00")
    assert "Regularisation" not in payer(billing).render()


def test_advance_first_month_bills_from_entry_without_regularisation():
    stay = replace(STAY, billing_term="advance", stay=StaySpan(date(2025, 8, 11)))
    billing = bill_month(stay, 2025, 8)
    assert payer(billing).days_billed == 21
    assert payer(billing).regularisation_amount == Decimal("0.00")


def test_results_are_plain_values():
    result = payer(bill_month(STAY, 2025, 4))
    assert isinstance(result, BillingResult)
    assert result.unit_price == Decimal("180.00")


# Stored details (billing-rules §13): every amount a quantity times a unit price


def _rows(result):
    return [(d.kind, d.quantity, d.unit_price, d.amount) for d in result.details]


def _checks(result):
    for detail in result.details:
        assert detail.amount == (detail.quantity * detail.unit_price).quantize(Decimal("0.01")) or (
            detail.kind == "not_billed" and not detail.amount
        )
    assert sum((d.amount for d in result.details), Decimal(0)) == result.amount + result.to_bill_on_decision


def test_example_c_details_days_times_prices_and_contribution_on_its_own_row():
    billing = bill_month(replace(STAY, absences=ABSENCES_C), 2025, 7)
    departement = payer(billing)
    _checks(departement)
    rows = _rows(departement)
    assert ("reduced", Decimal(8), Decimal("160.00"), Decimal("1280.00")) in rows
    assert ("contribution", Decimal(1), -CONTRIBUTION, -CONTRIBUTION) in rows
    full = [row for row in rows if row[0] == "full"]
    assert sum(row[1] for row in full) == 23 and all(row[2] == Decimal("180.00") for row in full)
    assert _rows(resident(billing)) == [("contribution", Decimal(1), CONTRIBUTION, CONTRIBUTION)]
    _checks(resident(billing))


def test_advance_regularisation_of_last_month_on_its_own_rows_naming_the_month():
    stay = replace(STAY, billing_term="advance", absences=ABSENCES_C)
    departement = payer(bill_month(stay, 2025, 8))
    _checks(departement)
    regularisation = [d for d in departement.details if d.kind == "regularisation"]
    assert [(d.base_kind, d.quantity, d.unit_price, d.amount) for d in regularisation] == [
        ("full", Decimal(-8), Decimal("180.00"), Decimal("-1440.00")),
        ("reduced", Decimal(8), Decimal("160.00"), Decimal("1280.00")),
    ]
    assert all((d.date_from, d.date_to) == (date(2025, 7, 1), date(2025, 7, 31)) for d in regularisation)
    assert "Regularisation of 2025-07-01 to 2025-07-31" in regularisation[0].reason.render()
    assert sum(d.amount for d in regularisation) == Decimal("-160.00")
    month = [d for d in departement.details if d.kind == "full"]
    assert [(d.quantity, d.unit_price) for d in month] == [(Decimal(31), Decimal("180.00"))]


def test_example_e_pending_details_add_up_to_the_accrued_share_and_the_provision():
    stay = replace(
        STAY,
        stay=StaySpan(date(2025, 3, 10)),
        decisions=(replace(GRANTED, state="filed", date_effect=date(2025, 3, 10)),),
    )
    billing = bill_month(stay, 2025, 3)
    _checks(payer(billing))
    _checks(resident(billing))
    assert payer(billing).to_bill_on_decision == Decimal("3446.68")
    assert _rows(resident(billing))[-1] == ("contribution", Decimal(1), Decimal("513.32"), Decimal("513.32"))
