"""Legal interest on a late payment (C. civ. 1344-1, recovery-rules §2, example R2).

Interest runs from the day after the formal notice was received to the day of payment (or the day asked), on what
is still due each day, at the legal rate of that day's half-year: the rates are dated values (``essms.parameter``
``legal_interest_company``, the rate of a legal-person creditor). The days are split into periods of one base and
one rate; each period's interest is ``base x rate x days / 365`` rounded to the cent (as example R2 counts), and
the interest is the sum of the periods, so that a reader can check every line. A payment reduces the base from the
day after it.

The fixed recovery indemnity (40 €, C. com. D441-5) is due by professional debtors only, never by residents,
families or public payers.
"""

from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from decimal import Decimal

from .money import ZERO
from .money import cents
from .money import to_decimal

DAYS_IN_YEAR = 365


@dataclass(frozen=True)
class Period:
    """Days from ``date_from`` to ``date_to`` (both counted) on ``base`` at ``rate`` percent: ``amount``."""

    date_from: date
    date_to: date
    days: int
    base: Decimal
    rate: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Interest:
    amount: Decimal
    periods: tuple


def rate_on(rates, day):
    """The rate in force on ``day`` from ``rates`` (``[(date_from, percent)]``), ``None`` before the first."""
    current = None
    for date_from, rate in sorted(rates):
        if date_from <= day:
            current = rate
    return current


def legal_interest(principal, start, end, rates, payments=()):
    """The interest on ``principal`` from the day after ``start`` (the notice received) to ``end`` included.

    ``payments``: ``[(day, amount)]`` paid on the claim; those up to ``start`` reduce the principal, later ones the
    base from the day after them. Days without a rate recorded are not counted.
    """
    base = to_decimal(principal)
    later = []
    for day, amount in sorted(payments):
        if day <= start:
            base -= to_decimal(amount)
        else:
            later.append((day, to_decimal(amount)))
    changes = sorted({date_from for date_from, _rate in rates})
    periods = []
    day = start + timedelta(days=1)
    while day <= end and base > 0:
        cuts = [end + timedelta(days=1)]
        cuts += [change for change in changes if change > day]
        cuts += [paid + timedelta(days=1) for paid, _amount in later if paid + timedelta(days=1) > day]
        cut = min(cuts)
        rate = rate_on(rates, day)
        if rate is not None:
            rate = to_decimal(rate)
            days = (cut - day).days
            amount = cents(base * rate / 100 * days / DAYS_IN_YEAR)
            periods.append(Period(day, cut - timedelta(days=1), days, cents(base), rate, amount))
        for paid, amount in later:
            if paid + timedelta(days=1) == cut:
                base -= amount
        day = cut
    return Interest(sum((period.amount for period in periods), ZERO), tuple(periods))


def recovery_indemnity(professional, amount):
    """The fixed recovery indemnity due on a late invoice: ``amount`` for a professional debtor, else nothing."""
    return cents(amount) if professional else ZERO
