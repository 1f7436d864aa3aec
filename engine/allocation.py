"""Global allocations called as monthly twelfths (billing-rules §12, worked example H).

- The annual amount comes from the arrêté (or the CPOM) of the agreement and year. The twelfth of a month is the
  annual amount / 12 rounded to the cent; December takes the rounding difference, so that the twelve add up to
  the annual amount exactly.
- Until the year's arrêté is known, the months are called with the twelfths of the previous year's amount
  (*provisional* calls).
- When the arrêté arrives (effective 1 January), the next call adds, for every month of the year already
  called, the difference between that month's twelfth of the arrêté and what was called for it. Months with the
  same difference share one line: ``quantity`` months x ``unit_price`` (3 x 3 000,00 in example H).
- An arrêté for a year whose twelve months are already called is settled by a *regularisation* call of that year:
  the same differences, nothing else (``regularisation``).
- Each call is due on the ``due_day`` of its month (the 20th by default, a company setting).

Amounts are ``Decimal`` rounded to the cent (``engine.money``); months are 1 to 12.
"""

import calendar
from dataclasses import dataclass
from datetime import date

from .money import ZERO
from .money import cents
from .money import to_decimal

TWELFTH = "twelfth"
DIFFERENCE = "difference"
MONTHS = tuple(range(1, 13))


class AllocationError(ValueError):
    """A call that cannot be made; ``code`` says why: ``no_allocation`` (no amount for the year nor for the
    previous one), ``already_called`` (the month is called), ``bad_month``, ``negative``."""

    def __init__(self, code, year=None, month=None):
        super().__init__(code, year, month)
        self.code = code
        self.year = year
        self.month = month


@dataclass(frozen=True)
class CallLine:
    """One line of a call: ``quantity`` x ``unit_price``. ``months`` are the months of the year it pays for (one
    for the twelfth, every month sharing the same difference for a catch-up)."""

    kind: str
    months: tuple
    quantity: int
    unit_price: object
    amount: object


@dataclass(frozen=True)
class Call:
    """The call of one month (or the regularisation of a year, ``month`` None): its lines and total.
    ``basis`` is the annual amount the twelfth was taken from; ``provisional`` when it is the previous year's."""

    year: int
    month: object
    basis: object
    provisional: bool
    lines: tuple
    amount: object

    def month_amounts(self):
        """What the call pays for each month of its year, line by line: ``{month: amount}``."""
        amounts = {}
        for line in self.lines:
            for month in line.months:
                amounts[month] = amounts.get(month, ZERO) + line.unit_price
        return amounts


def twelfths(annual):
    """The twelve monthly twelfths of ``annual``: annual / 12 to the cent, December the rounding difference."""
    annual = cents(to_decimal(annual))
    if annual < 0:
        raise AllocationError("negative")
    twelfth = cents(annual / 12)
    return (twelfth,) * 11 + (annual - 11 * twelfth,)


def due_date(year, month, due_day=20):
    """The day a month's call is due: ``due_day`` of the month, the last day for a short month."""
    return date(year, month, min(due_day, calendar.monthrange(year, month)[1]))


def _differences(annual, called, exclude=None):
    """Lines of the difference between the twelfths of ``annual`` and what ``called`` holds per month."""
    due = twelfths(annual)
    by_difference = {}
    for month in sorted(called):
        if month == exclude:
            continue
        difference = due[month - 1] - cents(to_decimal(called[month]))
        if difference:
            by_difference.setdefault(difference, []).append(month)
    lines = []
    for difference, months in sorted(by_difference.items(), key=lambda item: item[1][0]):
        lines.append(CallLine(DIFFERENCE, tuple(months), len(months), difference, difference * len(months)))
    return lines


def monthly_call(year, month, annual, previous_annual, called):
    """The call of ``month`` of ``year``.

    ``annual``: the year's amount (None until the arrêté is known); ``previous_annual``: the previous year's
    amount (None when there is none); ``called``: ``{month: amount}`` already called for the months of the year
    (twelfths and catch-ups, from calls still valid). Raises ``AllocationError``.
    """
    if month not in MONTHS:
        raise AllocationError("bad_month", year, month)
    if month in called:
        raise AllocationError("already_called", year, month)
    provisional = annual is None
    basis = previous_annual if provisional else annual
    if basis is None:
        raise AllocationError("no_allocation", year, month)
    basis = cents(to_decimal(basis))
    twelfth = twelfths(basis)[month - 1]
    lines = [CallLine(TWELFTH, (month,), 1, twelfth, twelfth)]
    if not provisional:
        lines.extend(_differences(basis, called, exclude=month))
    return Call(year, month, basis, provisional, tuple(lines), sum((line.amount for line in lines), ZERO))


def regularisation(year, annual, called):
    """The regularisation of a year: the differences between the twelfths of ``annual`` and every month called
    (``{month: amount}``); no line when everything called matches. Used once the twelve months are called."""
    annual = cents(to_decimal(annual))
    lines = tuple(_differences(annual, called))
    return Call(year, None, annual, False, lines, sum((line.amount for line in lines), ZERO))
