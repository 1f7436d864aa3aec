"""Pricing of classified days with dated tariffs and absence reductions; global allocations (billing-rules §1, §3).

- Each day is priced at the tariff in force on that day, so a price change in the middle of a month
  splits the month's days between the old and the new price.
- A reduced day costs the day's price less the reduction of the policy: the daily hospital fee (FJH)
  in force on that day, a fixed amount, or a percentage; never less than zero. Under a policy that keeps the
  place at a reservation price (billing-rules §3, §9), it costs the agreement's *place reservation* tariff in
  force that day instead (a row of its own, kind ``reservation``).
- A global allocation (*dotation globale*) is paid in twelfths of the annual amount; while the new
  amount is not fixed, twelfths of last year's; the first instalment after it is fixed regularises the
  months already paid.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .days import DayReason
from .days import DayStatus
from .messages import Template
from .messages import _lt
from .money import ZERO
from .money import cents
from .money import to_decimal

NO_TARIFF = Template(
    "no_tariff", _lt("No tariff applies from %(date_from)s to %(date_to)s: these days are priced 0.00.")
)

LINE_TEMPLATES = {
    DayReason.PRESENT: Template("present", _lt("%(quantity)s days present × %(price)s = %(amount)s")),
    DayReason.HALF_DAY: Template(
        "half_day", _lt("%(quantity)s days (half days of attendance) × %(price)s = %(amount)s")
    ),
    DayReason.SHORT_ABSENCE: Template(
        "short_absence",
        _lt("%(quantity)s days × %(price)s = %(amount)s (absence of %(hours)s h or less, full price)"),
    ),
    DayReason.WITHIN_THRESHOLD: Template(
        "within_threshold",
        _lt("%(quantity)s days × %(price)s = %(amount)s (first %(hours)s h of absence, full price)"),
    ),
    DayReason.NOT_COUNTED: Template(
        "not_counted",
        _lt("%(quantity)s days × %(price)s = %(amount)s (weekend or public holiday during an absence, full price)"),
    ),
    DayReason.NO_REDUCTION: Template(
        "no_reduction",
        _lt("%(quantity)s days × %(price)s = %(amount)s (absence over %(hours)s h, no reduction)"),
    ),
    DayReason.QUOTA_USED: Template(
        "quota_used",
        _lt(
            "%(quantity)s days × %(price)s = %(amount)s (yearly quota of %(quota)s days used, charged to the resident)"
        ),
    ),
}
REDUCED_TEMPLATES = {
    "fjh": Template(
        "reduced_fjh",
        _lt(
            "%(quantity)s days × %(price)s = %(amount)s (absence over %(hours)s h: "
            "%(full_price)s less the daily hospital fee %(reduction)s)"
        ),
    ),
    "fixed": Template(
        "reduced_fixed",
        _lt("%(quantity)s days × %(price)s = %(amount)s (absence over %(hours)s h: %(full_price)s less %(reduction)s)"),
    ),
    "reservation": Template(
        "reduced_reservation",
        _lt(
            "%(quantity)s days × %(price)s = %(amount)s (absence over %(hours)s h: place reservation price instead "
            "of %(full_price)s)"
        ),
    ),
    "percent": Template(
        "reduced_percent",
        _lt(
            "%(quantity)s days × %(price)s = %(amount)s (absence over %(hours)s h: "
            "%(full_price)s less %(reduction)s %%)"
        ),
    ),
}
NOT_BILLED_TEMPLATES = {
    DayReason.ENTRY_DAY: Template("entry_day", _lt("Entry day %(date_from)s not billed")),
    DayReason.EXIT_DAY: Template("exit_day", _lt("Exit day %(date_from)s not billed")),
    DayReason.WEEKLY_BOARDING_WEEKEND: Template(
        "weekly_boarding_weekend", _lt("%(days)s weekend days not billed (weekly boarding)")
    ),
    DayReason.DAY_CARE_ABSENCE: Template("day_care_absence", _lt("%(days)s days of absence not billed (day care)")),
    DayReason.QUOTA_USED: Template(
        "quota_used_not_billed", _lt("%(days)s days of absence not billed (yearly quota of %(quota)s days used)")
    ),
}


@dataclass(frozen=True)
class Tariff:
    """A daily price in force from ``date_from`` to ``date_to`` (open-ended when ``None``)."""

    date_from: date
    amount: Decimal
    date_to: date | None = None
    reference: str = ""  # the arrêté de tarification

    def covers(self, day):
        return self.date_from <= day and (self.date_to is None or day <= self.date_to)


def tariff_at(tariffs, day):
    """The tariff in force on ``day`` (the latest starting one if several cover it), or ``None``."""
    covering = [tariff for tariff in tariffs if tariff.covers(day)]
    return max(covering, key=lambda tariff: tariff.date_from) if covering else None


def reduced_price(full_price, day, policy, fjh):
    """Daily price of an absence day after the reduction of ``policy`` (billing-rules §3).

    ``fjh`` gives the daily hospital fee in force at a date (a ``parameters.DatedValues``).
    """
    value = to_decimal(policy.reduction_value)
    if policy.reduction_kind == "fjh":
        price = full_price - fjh.at(day)
    elif policy.reduction_kind == "fixed":
        price = full_price - value
    elif policy.reduction_kind == "percent":
        price = full_price * (100 - value) / 100
    else:
        price = full_price
    return max(cents(price), ZERO)


def reduction_at(day, policy, fjh):
    """The reduction as shown to the user: the FJH of the day, the fixed amount, or the percentage."""
    if policy.reduction_kind == "reservation":
        return ZERO  # the reservation price is the agreement's own tariff, not a reduction
    if policy.reduction_kind == "fjh":
        return cents(fjh.at(day))
    return cents(policy.reduction_value)


@dataclass(frozen=True)
class PriceLine:
    """Days of the same status, reason and price, with their amount (quantity times unit price)."""

    status: DayStatus
    reason: DayReason
    days: int
    quantity: Decimal
    unit_price: Decimal
    full_price: Decimal
    reduction: Decimal
    amount: Decimal
    date_from: date
    date_to: date

    def explanation(self, policy):
        params = {
            "days": self.days,
            "quantity": self.quantity,
            "price": self.unit_price,
            "amount": self.amount,
            "hours": policy.threshold_hours,
            "quota": policy.quota_days,
            "date_from": self.date_from,
        }
        if self.status == DayStatus.ABSENT_REDUCED:
            return REDUCED_TEMPLATES[policy.reduction_kind](
                **params, full_price=self.full_price, reduction=self.reduction
            )
        if self.quantity:
            return LINE_TEMPLATES[self.reason](**params)
        return NOT_BILLED_TEMPLATES[self.reason](**params)


@dataclass(frozen=True)
class PricedDays:
    """Priced days grouped in lines, in the order of their first day."""

    lines: tuple
    anomalies: tuple = ()

    @property
    def gross(self):
        return sum((line.amount for line in self.lines), ZERO)

    def quantity(self, *statuses):
        return sum((line.quantity for line in self.lines if line.status in statuses), Decimal(0))

    @property
    def unit_prices(self):
        """The distinct daily prices billed, in order of appearance."""
        return tuple(dict.fromkeys(line.unit_price for line in self.lines if line.quantity))

    def explanation(self, policy):
        """One message per line: the billed days and the unbilled days the user would ask about."""
        return tuple(line.explanation(policy) for line in self.lines)


def price_days(days, tariffs, policy, fjh, reservation_tariffs=()):
    """Price ``days`` (``days.Day`` objects) at the tariffs in force on each day (billing-rules §1, §3).

    Days without a billed quantity are kept as lines of zero amount so they can be explained. A billed
    day without a tariff is priced 0.00 and reported. Under a policy whose reduction is the place reservation
    (``reduction_kind == "reservation"``), a reduced day is priced at ``reservation_tariffs`` in force that day.
    """
    groups = {}
    missing = []
    for day in days:
        if not day.quantity and day.reason not in NOT_BILLED_TEMPLATES:
            continue  # outside the stay, or a closed day of day care: nothing to say
        full_price = reduction = unit_price = ZERO
        if day.quantity:
            tariff = tariff_at(tariffs, day.day)
            if tariff is None:
                missing.append(day.day)
            else:
                full_price = unit_price = cents(tariff.amount)
            if day.status == DayStatus.ABSENT_REDUCED and policy.reduction_kind == "reservation":
                reservation = tariff_at(reservation_tariffs, day.day)
                if reservation is None:
                    missing.append(day.day)
                    unit_price = ZERO
                else:
                    unit_price = cents(reservation.amount)
            elif day.status == DayStatus.ABSENT_REDUCED and tariff is not None:
                unit_price = reduced_price(full_price, day.day, policy, fjh)
                reduction = reduction_at(day.day, policy, fjh)
        key = (day.status, day.reason, unit_price, full_price, reduction)
        groups.setdefault(key, []).append(day)
    lines = tuple(
        _line(status, reason, unit_price, full_price, reduction, grouped)
        for (status, reason, unit_price, full_price, reduction), grouped in groups.items()
    )
    anomalies = (NO_TARIFF(date_from=min(missing), date_to=max(missing)),) if missing else ()
    return PricedDays(lines, anomalies)


def _line(status, reason, unit_price, full_price, reduction, days):
    quantity = sum((day.quantity for day in days), Decimal(0))
    return PriceLine(
        status=status,
        reason=reason,
        days=len(days),
        quantity=quantity,
        unit_price=unit_price,
        full_price=full_price,
        reduction=reduction,
        amount=cents(quantity * unit_price),
        date_from=days[0].day,
        date_to=days[-1].day,
    )


# Global allocations (dotation globale, billing-rules §1)

ALLOCATION_TWELFTH = Template("allocation_twelfth", _lt("Twelfth of the %(year)s allocation of %(annual)s: %(base)s"))
ALLOCATION_PROVISIONAL = Template(
    "allocation_provisional",
    _lt("Allocation for %(year)s not fixed yet: twelfth of last year's %(annual)s: %(base)s"),
)
ALLOCATION_REGULARISATION = Template(
    "allocation_regularisation",
    _lt("Regularisation of the previous months: due %(due)s, paid %(paid)s, difference %(regularisation)s"),
)


@dataclass(frozen=True, kw_only=True)
class AllocationInput:
    """One monthly instalment to compute. ``paid_to_date``: instalments of the year already invoiced."""

    year: int
    month: int
    annual_amount: Decimal | None  # this year's arrêté; None while not fixed
    previous_annual_amount: Decimal
    paid_to_date: Decimal
    due_day: int = 20


@dataclass(frozen=True)
class AllocationInstalment:
    year: int
    month: int
    due_date: date
    provisional: bool  # computed on last year's amount
    base: Decimal  # this month's twelfth
    regularisation: Decimal  # due for the previous months less what was paid
    amount: Decimal
    explanation: tuple


def allocation_due_to_date(annual, month):
    """Twelfths due for months 1 to ``month``, rounded on the cumulated amount so that the cents are
    spread over the year and the twelve instalments add up to the annual amount."""
    return cents(to_decimal(annual) * month / 12)


def allocation_instalment(allocation):
    """The instalment of ``allocation.month``: ``annual / 12`` plus the regularisation of earlier months."""
    provisional = allocation.annual_amount is None
    annual = to_decimal(allocation.previous_annual_amount if provisional else allocation.annual_amount)
    due_before = allocation_due_to_date(annual, allocation.month - 1)
    base = allocation_due_to_date(annual, allocation.month) - due_before
    paid = cents(allocation.paid_to_date)
    regularisation = ZERO if provisional else due_before - paid
    template = ALLOCATION_PROVISIONAL if provisional else ALLOCATION_TWELFTH
    explanation = [template(year=allocation.year, annual=cents(annual), base=base)]
    if regularisation:
        explanation.append(ALLOCATION_REGULARISATION(due=due_before, paid=paid, regularisation=regularisation))
    return AllocationInstalment(
        year=allocation.year,
        month=allocation.month,
        due_date=date(allocation.year, allocation.month, allocation.due_day),
        provisional=provisional,
        base=base,
        regularisation=regularisation,
        amount=base + regularisation,
        explanation=tuple(explanation),
    )
