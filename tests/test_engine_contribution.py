"""Resident contribution (billing-rules §2): minimum left, proration, holiday exoneration, collection modes."""

from datetime import date
from decimal import Decimal
from fractions import Fraction

from odoo.addons.essms_billing.engine.contribution import ContributionRules
from odoo.addons.essms_billing.engine.contribution import MinimumLeftRules
from odoo.addons.essms_billing.engine.contribution import Resources
from odoo.addons.essms_billing.engine.contribution import check_minimum_left
from odoo.addons.essms_billing.engine.contribution import elderly_contribution
from odoo.addons.essms_billing.engine.contribution import minimum_left
from odoo.addons.essms_billing.engine.contribution import month_contribution
from odoo.addons.essms_billing.engine.contribution import split_contribution

AAH = Decimal("1033.32")  # full rate from 2025-04-01
CONTRIBUTION = Decimal("723.32")


def test_aah_only_not_working_contribution_723_32():
    proposal = minimum_left(Resources(monthly=AAH, aah=AAH))
    assert proposal.minimum_left == Decimal("310.00")  # max(103.33, 310.00)
    assert proposal.contribution == CONTRIBUTION
    assert proposal.explanation[0].render() == (
        "Minimum left (not working): the higher of 103.33 (10 % of resources) and 310.00 (30 % of the AAH)"
    )


def test_not_working_with_high_resources_keeps_ten_percent():
    proposal = minimum_left(Resources(monthly=Decimal("3500.00"), aah=AAH))
    assert proposal.minimum_left == Decimal("350.00")
    assert proposal.contribution == Decimal("3150.00")


def test_working_keeps_a_third_of_guaranteed_resources_and_ten_percent_of_the_rest():
    resources = Resources(monthly=Decimal("1500.00"), aah=AAH, working=True, guaranteed=Decimal("900.00"))
    proposal = minimum_left(resources)
    assert proposal.minimum_left == Decimal("516.66")  # max(300.00 + 60.00, 516.66 = 50 % AAH)
    resources = Resources(monthly=Decimal("2400.00"), aah=AAH, working=True, guaranteed=Decimal("1800.00"))
    assert minimum_left(resources).minimum_left == Decimal("660.00")  # 600.00 + 60.00


def test_meals_outside_spouse_and_dependants_raise_the_minimum():
    resources = Resources(
        monthly=Decimal("2000.00"), aah=AAH, meals_outside=True, spouse_not_working=True, dependants=2
    )
    proposal = minimum_left(resources)
    # 310.00 (30 % AAH) + 206.66 (20 %) + 361.66 (35 %) + 2 x 310.00 (30 % each)
    assert proposal.minimum_left == Decimal("1498.32")
    assert proposal.contribution == Decimal("501.68")


def test_minimum_never_gives_a_negative_contribution():
    proposal = minimum_left(Resources(monthly=Decimal("200.00"), aah=AAH))
    assert proposal.contribution == Decimal("0.00")


def test_minimum_follows_the_rules_passed_in():
    rules = MinimumLeftRules(not_working_aah=Fraction(1, 2))
    assert minimum_left(Resources(monthly=AAH, aah=AAH), rules).minimum_left == Decimal("516.66")


def test_elderly_90_percent_taken_leaving_one_percent_of_annual_aspa():
    annual_aspa = Decimal("1034.28") * 12  # 12 411.36
    proposal = elderly_contribution(Decimal("1400.00"), annual_aspa)
    assert proposal.contribution == Decimal("1260.00")
    proposal = elderly_contribution(Decimal("1000.00"), annual_aspa)
    assert proposal.contribution == Decimal("875.89")  # 1000.00 - 124.11 is less than 900.00
    assert proposal.minimum_left == Decimal("124.11")


def test_decided_contribution_leaving_less_than_the_minimum_is_warned():
    assert check_minimum_left(CONTRIBUTION, AAH, Decimal("310.00")) is None
    warning = check_minimum_left(Decimal("800.00"), AAH, Decimal("310.00"))
    assert warning.code == "minimum_not_respected"
    assert warning.render() == (
        "The contribution of 800.00 a month leaves 233.32 to the resident, below the legal minimum of 310.00."
    )


def test_example_e_march_provision_prorated_by_calendar_days():
    march = month_contribution(CONTRIBUTION, 22, date(2025, 3, 1), "calendar")
    assert march.amount == Decimal("513.32")  # 723.32 x 22 / 31
    assert march.explanation[0].render() == "Contribution 723.32 × 22 / 31 days = 513.32"


def test_whole_month_is_due_in_full_whatever_its_length():
    assert month_contribution(CONTRIBUTION, 28, date(2025, 2, 1), "calendar").amount == CONTRIBUTION
    assert month_contribution(CONTRIBUTION, 31, date(2025, 7, 1), "thirty").amount == CONTRIBUTION


def test_proration_rounds_half_up_to_the_cent():
    assert month_contribution(Decimal("100.05"), 15, date(2025, 4, 1), "calendar").amount == Decimal("50.03")


def test_thirty_day_proration():
    assert month_contribution(CONTRIBUTION, 22, date(2025, 3, 1), "thirty").amount == Decimal("530.43")
    # A 31-day month with 30 days of stay counts as a whole month in thirtieths.
    assert month_contribution(CONTRIBUTION, 30, date(2025, 3, 1), "thirty").amount == CONTRIBUTION


def test_holiday_exoneration_one_week_is_three_thirteenths():
    july = month_contribution(CONTRIBUTION, 31, date(2025, 7, 1), "calendar", holiday_days=7, exonerate_holidays=True)
    assert july.exoneration == Decimal("166.92")  # 723.32 x 3 / 13
    assert july.amount == Decimal("556.40")
    assert july.explanation[-1].render() == "Holiday exoneration: 723.32 × 3/13 a week × 7 / 7 days = 166.92"


def test_holiday_exoneration_of_part_of_a_week_and_only_when_the_policy_grants_it():
    ten_days = month_contribution(
        CONTRIBUTION, 31, date(2025, 7, 1), "calendar", holiday_days=10, exonerate_holidays=True
    )
    assert ten_days.exoneration == Decimal("238.46")  # 723.32 x 3 x 10 / 91
    assert month_contribution(CONTRIBUTION, 31, date(2025, 7, 1), "calendar", holiday_days=10).amount == CONTRIBUTION


def test_holiday_exoneration_share_comes_from_the_rules():
    rules = ContributionRules(holiday_week_share=Fraction(1, 4))
    july = month_contribution(
        Decimal("700.00"), 31, date(2025, 7, 1), "calendar", holiday_days=7, exonerate_holidays=True, rules=rules
    )
    assert july.exoneration == Decimal("175.00")


def test_exoneration_cannot_exceed_the_contribution_due():
    july = month_contribution(CONTRIBUTION, 5, date(2025, 7, 1), "calendar", holiday_days=31, exonerate_holidays=True)
    assert july.amount == Decimal("0.00")


def test_net_billing_invoices_the_contribution_to_the_resident():
    split = split_contribution(Decimal("5420.00"), CONTRIBUTION, "net_billing")
    assert (split.payer_amount, split.resident_amount, split.third_party_amount) == (
        Decimal("4696.68"),
        CONTRIBUTION,
        Decimal("0.00"),
    )


def test_income_collected_contribution_is_third_party_money_not_revenue():
    split = split_contribution(Decimal("5420.00"), CONTRIBUTION, "income_collected")
    assert (split.payer_amount, split.resident_amount, split.third_party_amount) == (
        Decimal("5420.00"),
        Decimal("0.00"),
        CONTRIBUTION,
    )
