"""Pricing (billing-rules §1, §3): dated tariffs, reductions, explanations, global allocations."""

from dataclasses import replace
from datetime import date
from datetime import datetime
from decimal import Decimal

import pytest

from odoo.addons.essms_billing.engine.days import Absence
from odoo.addons.essms_billing.engine.days import DayStatus
from odoo.addons.essms_billing.engine.days import StaySpan
from odoo.addons.essms_billing.engine.days import YearCounters
from odoo.addons.essms_billing.engine.days import classify_days
from odoo.addons.essms_billing.engine.pricing import AllocationInput
from odoo.addons.essms_billing.engine.pricing import Tariff
from odoo.addons.essms_billing.engine.pricing import allocation_instalment
from odoo.addons.essms_billing.engine.pricing import price_days
from odoo.addons.essms_billing.engine.pricing import reduced_price
from odoo.addons.essms_billing.engine.pricing import tariff_at

from .engine_fixtures import FJH
from .engine_fixtures import LONG_STAY
from .engine_fixtures import POLICY_C as POLICY

TARIFFS = (Tariff(date(2025, 1, 1), Decimal("180.00"), reference="Arrêté 2025"),)
ABSENCES_C = (
    Absence("family_weekend", date(2025, 7, 5), date(2025, 7, 6)),
    Absence("hospital", datetime(2025, 7, 10, 9, 0), datetime(2025, 7, 20, 18, 0)),
)


def priced_month(policy, absences, start, end, tariffs=TARIFFS, stay=LONG_STAY):
    days = classify_days(stay, absences, policy, start, end, YearCounters(start.year))
    return price_days(days.days, tariffs, policy, FJH)


def test_example_c_gross_5420():
    priced = priced_month(POLICY, ABSENCES_C, date(2025, 7, 1), date(2025, 7, 31))
    assert priced.gross == Decimal("5420.00")
    assert priced.quantity(DayStatus.ABSENT_REDUCED) == 8
    assert priced.unit_prices == (Decimal("180.00"), Decimal("160.00"))


def test_example_c_reduced_from_day_one_5360():
    policy = replace(POLICY, reduction_start="first_day")
    assert priced_month(policy, ABSENCES_C, date(2025, 7, 1), date(2025, 7, 31)).gross == Decimal("5360.00")


def test_explanation_reads_as_the_calculation():
    lines = [
        message.render()
        for message in priced_month(POLICY, ABSENCES_C, date(2025, 7, 1), date(2025, 7, 31)).explanation(POLICY)
    ]
    assert lines == [
        "18 days present × 180.00 = 3240.00",
        "2 days × 180.00 = 360.00 (absence of 72 h or less, full price)",
        "3 days × 180.00 = 540.00 (first 72 h of absence, full price)",
        "8 days × 160.00 = 1280.00 (absence over 72 h: 180.00 less the daily hospital fee 20.00)",
    ]


def test_explanation_template_and_params_are_separate_for_translation():
    line = priced_month(POLICY, ABSENCES_C, date(2025, 7, 1), date(2025, 7, 31)).explanation(POLICY)[3]
    assert line.code == "reduced_fjh"
    assert "%(price)s" in line.template.text
    assert line.formatted_params()["full_price"] == "180.00"


def test_mid_month_tariff_change_splits_the_days():
    tariffs = (
        Tariff(date(2025, 1, 1), Decimal("180.00"), date(2025, 7, 15)),
        Tariff(date(2025, 7, 16), Decimal("186.40")),
    )
    priced = priced_month(POLICY, (), date(2025, 7, 1), date(2025, 7, 31), tariffs)
    assert [(line.quantity, line.unit_price) for line in priced.lines] == [
        (15, Decimal("180.00")),
        (16, Decimal("186.40")),
    ]
    assert priced.gross == Decimal("5682.40")  # 2700.00 + 2982.40


def test_reduced_days_use_the_tariff_of_their_own_day():
    tariffs = (
        Tariff(date(2025, 1, 1), Decimal("180.00"), date(2025, 7, 15)),
        Tariff(date(2025, 7, 16), Decimal("186.40")),
    )
    priced = priced_month(POLICY, ABSENCES_C, date(2025, 7, 1), date(2025, 7, 31), tariffs)
    reduced = {line.unit_price: line.quantity for line in priced.lines if line.status == DayStatus.ABSENT_REDUCED}
    assert reduced == {Decimal("160.00"): 3, Decimal("166.40"): 5}
    # 1-15 July: 12 days at 180.00 and 3 at 160.00; 16-31 July: 11 days at 186.40 and 5 at 166.40.
    assert priced.gross == Decimal("5522.40")


def test_fjh_in_force_on_each_day_when_it_changes_during_an_absence():
    absence = Absence("hospital", date(2026, 2, 20), date(2026, 3, 10))
    priced = priced_month(POLICY, (absence,), date(2026, 2, 1), date(2026, 2, 28))
    assert {line.unit_price for line in priced.lines if line.status == DayStatus.ABSENT_REDUCED} == {Decimal("160.00")}
    days = classify_days(
        LONG_STAY, (absence,), POLICY, date(2026, 3, 1), date(2026, 3, 31), YearCounters(2026, absence_days=9)
    )
    march = price_days(days.days, TARIFFS, POLICY, FJH)
    assert [(line.quantity, line.unit_price) for line in march.lines if line.status == DayStatus.ABSENT_REDUCED] == [
        (10, Decimal("157.00"))
    ]


def test_fixed_and_percentage_reductions_never_below_zero():
    fixed = replace(POLICY, reduction_kind="fixed", reduction_value=Decimal("45.50"))
    percent = replace(POLICY, reduction_kind="percent", reduction_value=Decimal("25"))
    day = date(2025, 7, 15)
    assert reduced_price(Decimal("180.00"), day, fixed, FJH) == Decimal("134.50")
    assert reduced_price(Decimal("180.00"), day, percent, FJH) == Decimal("135.00")
    assert reduced_price(Decimal("30.00"), day, replace(fixed, reduction_value=Decimal(40)), FJH) == Decimal("0.00")
    assert reduced_price(Decimal("180.00"), day, replace(POLICY, reduction_kind="none"), FJH) == Decimal("180.00")


def test_percentage_reduction_rounds_half_up_to_the_cent():
    percent = replace(POLICY, reduction_kind="percent", reduction_value=Decimal("12.5"))
    assert reduced_price(Decimal("100.25"), date(2025, 7, 15), percent, FJH) == Decimal("87.72")  # 87.71875
    half = replace(POLICY, reduction_kind="percent", reduction_value=Decimal("50"))
    assert reduced_price(Decimal("180.25"), date(2025, 7, 15), half, FJH) == Decimal("90.13")  # 90.125


def test_billed_days_without_tariff_are_reported():
    tariffs = (Tariff(date(2025, 7, 10), Decimal("180.00")),)
    priced = priced_month(POLICY, (), date(2025, 7, 1), date(2025, 7, 31), tariffs)
    assert priced.gross == Decimal("3960.00")
    assert [anomaly.render() for anomaly in priced.anomalies] == [
        "No tariff applies from 2025-07-01 to 2025-07-09: these days are priced 0.00."
    ]


def test_tariff_at_prefers_the_latest_starting_when_overlapping():
    tariffs = (Tariff(date(2025, 1, 1), Decimal(180)), Tariff(date(2025, 7, 1), Decimal(185)))
    assert tariff_at(tariffs, date(2025, 6, 30)).amount == 180
    assert tariff_at(tariffs, date(2025, 7, 1)).amount == 185
    assert tariff_at(tariffs, date(2024, 12, 31)) is None


def test_unbilled_exit_day_is_explained_without_amount():
    stay = StaySpan(date(2024, 1, 1), date(2025, 7, 20), end_reason="departure")
    priced = priced_month(POLICY, (), date(2025, 7, 1), date(2025, 7, 31), stay=stay)
    assert priced.gross == Decimal("3420.00")
    assert [line.render() for line in priced.explanation(POLICY)][-1] == "Exit day 2025-07-20 not billed"


# Global allocations (dotation globale)


def test_allocation_monthly_is_a_twelfth_due_on_the_20th():
    instalment = allocation_instalment(
        AllocationInput(
            year=2025,
            month=3,
            annual_amount=Decimal("126000.00"),
            previous_annual_amount=Decimal("120000.00"),
            paid_to_date=Decimal("21000.00"),
        )
    )
    assert instalment.amount == Decimal("10500.00")
    assert instalment.regularisation == 0
    assert instalment.due_date == date(2025, 3, 20)


def test_allocation_twelfths_of_last_year_while_the_new_amount_is_not_fixed():
    instalment = allocation_instalment(
        AllocationInput(
            year=2025,
            month=2,
            annual_amount=None,
            previous_annual_amount=Decimal("120000.00"),
            paid_to_date=Decimal("10000.00"),
        )
    )
    assert instalment.provisional
    assert instalment.amount == Decimal("10000.00")


def test_allocation_fixed_late_is_regularised_on_the_next_instalment():
    # Three twelfths of last year's 120 000 paid; the 126 000 arrêté arrives before April's instalment.
    instalment = allocation_instalment(
        AllocationInput(
            year=2025,
            month=4,
            annual_amount=Decimal("126000.00"),
            previous_annual_amount=Decimal("120000.00"),
            paid_to_date=Decimal("30000.00"),
        )
    )
    assert instalment.base == Decimal("10500.00")
    assert instalment.regularisation == Decimal("1500.00")
    assert instalment.amount == Decimal("12000.00")
    assert instalment.explanation[-1].render() == (
        "Regularisation of the previous months: due 31500.00, paid 30000.00, difference 1500.00"
    )


def test_allocation_twelve_instalments_add_up_to_the_annual_amount():
    annual = Decimal("100000.00")
    paid = Decimal(0)
    amounts = []
    for month in range(1, 13):
        instalment = allocation_instalment(
            AllocationInput(
                year=2025, month=month, annual_amount=annual, previous_annual_amount=annual, paid_to_date=paid
            )
        )
        paid += instalment.amount
        amounts.append(instalment.amount)
    assert paid == annual
    assert set(amounts) == {Decimal("8333.33"), Decimal("8333.34")}  # the cents are spread, not piled up


@pytest.mark.parametrize("month", [1, 6, 12])
def test_allocation_lowered_late_gives_a_negative_regularisation(month):
    paid = Decimal("10000.00") * (month - 1)
    instalment = allocation_instalment(
        AllocationInput(
            year=2025,
            month=month,
            annual_amount=Decimal("114000.00"),
            previous_annual_amount=Decimal("120000.00"),
            paid_to_date=paid,
        )
    )
    assert instalment.regularisation == Decimal("-500.00") * (month - 1)
