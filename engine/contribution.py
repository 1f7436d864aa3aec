"""Resident contribution: legal minimum left, monthly proration, holiday exoneration, collection (billing-rules §2).

The département decides the contribution; the engine proposes it from the resident's resources and
warns when a decided amount would leave less than the legal minimum (CASF L344-5, D344-35 to D344-39
for adults with disabilities; R231-6 for the elderly).
"""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from .dates import days_in_month
from .messages import Template
from .messages import _lt
from .money import ZERO
from .money import cents
from .money import to_decimal

MINIMUM_NOT_WORKING = Template(
    "minimum_not_working",
    _lt(
        "Minimum left (not working): the higher of %(resources_part)s (10 %% of resources) "
        "and %(aah_part)s (30 %% of the AAH)"
    ),
)
MINIMUM_WORKING = Template(
    "minimum_working",
    _lt(
        "Minimum left (working): the higher of %(work_part)s (1/3 of guaranteed resources + 10 %% of other "
        "resources) and %(aah_part)s (50 %% of the AAH)"
    ),
)
MINIMUM_MEALS_OUTSIDE = Template(
    "minimum_meals_outside", _lt("+ %(amount)s (20 %% of the AAH: meals outside or weekly boarding)")
)
MINIMUM_SPOUSE = Template("minimum_spouse", _lt("+ %(amount)s (35 %% of the AAH: spouse not working)"))
MINIMUM_DEPENDANTS = Template(
    "minimum_dependants", _lt("+ %(amount)s (30 %% of the AAH for each of %(count)s dependants)")
)
MINIMUM_ELDERLY = Template(
    "minimum_elderly",
    _lt(
        "Contribution (elderly): 90 %% of resources %(share_taken)s, leaving at least %(minimum)s "
        "(1 %% of the annual ASPA)"
    ),
)
MINIMUM_TOTAL = Template(
    "minimum_total",
    _lt("Minimum left %(minimum)s; proposed contribution %(resources)s − %(minimum)s = %(contribution)s"),
)
MINIMUM_NOT_RESPECTED = Template(
    "minimum_not_respected",
    _lt(
        "The contribution of %(contribution)s a month leaves %(left)s to the resident, below the legal minimum "
        "of %(minimum)s."
    ),
)
CONTRIBUTION_FULL_MONTH = Template("contribution_full_month", _lt("Contribution for the whole month: %(monthly)s"))
CONTRIBUTION_PRORATED = Template(
    "contribution_prorated", _lt("Contribution %(monthly)s × %(days)s / %(base)s days = %(amount)s")
)
CONTRIBUTION_EXONERATION = Template(
    "contribution_exoneration",
    _lt("Holiday exoneration: %(monthly)s × %(week_share)s a week × %(days)s / 7 days = %(amount)s"),
)


@dataclass(frozen=True, kw_only=True)
class MinimumLeftRules:
    """Shares of the minimum left to live on, full board (D344-35 to D344-39; R231-6 for the elderly)."""

    not_working_resources: Fraction = Fraction(10, 100)
    not_working_aah: Fraction = Fraction(30, 100)
    working_guaranteed: Fraction = Fraction(1, 3)
    working_other: Fraction = Fraction(10, 100)
    working_aah: Fraction = Fraction(50, 100)
    meals_outside_aah: Fraction = Fraction(20, 100)
    spouse_aah: Fraction = Fraction(35, 100)
    dependant_aah: Fraction = Fraction(30, 100)
    elderly_taken: Fraction = Fraction(90, 100)
    elderly_annual_aspa: Fraction = Fraction(1, 100)


@dataclass(frozen=True, kw_only=True)
class ContributionRules:
    """Holiday exoneration: one week of holidays exonerates 3/13 of the monthly contribution (R344-30)."""

    holiday_week_share: Fraction = Fraction(3, 13)


def share(amount, fraction):
    """``fraction`` of ``amount``, rounded to the cent."""
    return cents(to_decimal(amount) * fraction.numerator / fraction.denominator)


@dataclass(frozen=True, kw_only=True)
class Resources:
    """A resident's monthly resources and situation. ``aah`` is the AAH full rate in force that month."""

    monthly: Decimal
    aah: Decimal
    working: bool = False
    guaranteed: Decimal = ZERO  # guaranteed resources from work (ESAT), part of ``monthly``
    meals_outside: bool = False  # at least 5 main meals a week outside, or weekly boarding
    spouse_not_working: bool = False
    dependants: int = 0  # dependent children or ascendants


@dataclass(frozen=True)
class Proposal:
    """The minimum left and the contribution it allows, with how they were computed."""

    minimum_left: Decimal
    contribution: Decimal
    explanation: tuple


def minimum_left(resources, rules=MinimumLeftRules()):
    """Minimum left to an adult with disabilities in full board, and the proposed contribution (§2).

    Not working: max(10 % resources, 30 % AAH); working: max(1/3 guaranteed + 10 % other, 50 % AAH);
    plus 20 % AAH for meals outside or weekly boarding, 35 % for a non-working spouse, 30 % per dependant.
    """
    monthly = cents(resources.monthly)
    if resources.working:
        work_part = share(resources.guaranteed, rules.working_guaranteed) + share(
            monthly - cents(resources.guaranteed), rules.working_other
        )
        aah_part = share(resources.aah, rules.working_aah)
        explanation = [MINIMUM_WORKING(work_part=work_part, aah_part=aah_part)]
        minimum = max(work_part, aah_part)
    else:
        resources_part = share(monthly, rules.not_working_resources)
        aah_part = share(resources.aah, rules.not_working_aah)
        explanation = [MINIMUM_NOT_WORKING(resources_part=resources_part, aah_part=aah_part)]
        minimum = max(resources_part, aah_part)
    if resources.meals_outside:
        extra = share(resources.aah, rules.meals_outside_aah)
        explanation.append(MINIMUM_MEALS_OUTSIDE(amount=extra))
        minimum += extra
    if resources.spouse_not_working:
        extra = share(resources.aah, rules.spouse_aah)
        explanation.append(MINIMUM_SPOUSE(amount=extra))
        minimum += extra
    if resources.dependants:
        extra = share(resources.aah, rules.dependant_aah) * resources.dependants
        explanation.append(MINIMUM_DEPENDANTS(amount=extra, count=resources.dependants))
        minimum += extra
    contribution = max(monthly - minimum, ZERO)
    explanation.append(MINIMUM_TOTAL(minimum=minimum, resources=monthly, contribution=contribution))
    return Proposal(minimum, contribution, tuple(explanation))


def elderly_contribution(monthly_resources, annual_aspa, rules=MinimumLeftRules()):
    """Elderly (EHPAD, R231-6): 90 % of resources taken, leaving at least 1 % of the annual ASPA."""
    monthly = cents(monthly_resources)
    minimum = share(annual_aspa, rules.elderly_annual_aspa)
    taken = share(monthly, rules.elderly_taken)
    contribution = max(min(taken, monthly - minimum), ZERO)
    return Proposal(
        monthly - contribution,
        contribution,
        (MINIMUM_ELDERLY(share_taken=taken, minimum=minimum),),
    )


def check_minimum_left(contribution_monthly, resources_monthly, minimum):
    """The anomaly to show when a decided contribution leaves less than the legal minimum, else ``None``."""
    left = cents(resources_monthly) - cents(contribution_monthly)
    if left >= minimum:
        return None
    return MINIMUM_NOT_RESPECTED(contribution=cents(contribution_monthly), left=left, minimum=minimum)


@dataclass(frozen=True)
class MonthContribution:
    prorated: Decimal
    exoneration: Decimal
    amount: Decimal
    explanation: tuple


def month_contribution(
    monthly, days_in_stay, period_start, proration, holiday_days=0, exonerate_holidays=False, rules=ContributionRules()
):
    """Contribution due for a month of which the resident spent ``days_in_stay`` days in the stay.

    The decided monthly amount is prorated by calendar days of the month (``proration="calendar"``)
    or by thirtieths (``"thirty"``), a whole month always being due in full. With the holiday
    exoneration, each holiday day exonerates a seventh of a week's share (3/13 of the monthly amount).
    """
    monthly = cents(monthly)
    month_length = days_in_month(period_start)
    if days_in_stay >= month_length:
        prorated = monthly
        explanation = [CONTRIBUTION_FULL_MONTH(monthly=monthly)]
    else:
        base = 30 if proration == "thirty" else month_length
        days = min(days_in_stay, base)
        prorated = cents(monthly * days / base)
        explanation = [CONTRIBUTION_PRORATED(monthly=monthly, days=days, base=base, amount=prorated)]
    exoneration = ZERO
    if exonerate_holidays and holiday_days:
        week = rules.holiday_week_share
        exoneration = min(cents(monthly * week.numerator * to_decimal(holiday_days) / (week.denominator * 7)), prorated)
        explanation.append(
            CONTRIBUTION_EXONERATION(
                monthly=monthly,
                week_share=f"{week.numerator}/{week.denominator}",
                days=holiday_days,
                amount=exoneration,
            )
        )
    return MonthContribution(prorated, exoneration, prorated - exoneration, tuple(explanation))


@dataclass(frozen=True)
class ContributionSplit:
    """Who is invoiced what once the contribution is known (§2, collection modes)."""

    payer_amount: Decimal  # invoiced to the payer (département)
    resident_amount: Decimal  # invoiced to the resident
    third_party_amount: Decimal  # resources collected for the payer: third-party money (467), not revenue


def split_contribution(gross, contribution, mode):
    """Split ``gross`` between the payer and the resident for a collection ``mode``.

    ``net_billing``: the payer is invoiced the gross less the contribution and the resident the contribution.
    ``income_collected``: the establishment cashes the resident's resources and pays the contribution
    over to the payer, who is invoiced the gross; the contribution is third-party money.
    ``none``: no contribution, the payer is invoiced the gross.
    """
    if mode == "net_billing":
        return ContributionSplit(gross - contribution, contribution, ZERO)
    if mode == "income_collected":
        return ContributionSplit(gross, ZERO, contribution)
    return ContributionSplit(gross, ZERO, ZERO)
