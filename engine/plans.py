"""Payment plans and promises to pay (recovery-rules §2): the schedule and how payments meet it.

- A plan of ``count`` monthly instalments from a first date splits its total in equal amounts rounded down to
  the cent; the last instalment absorbs the rounding cents, so the instalments always add up to the total.
- The payments received since the signature are allocated to the instalments in date order (the oldest
  instalment is paid first). An instalment is ``paid`` when covered, ``late`` when its date has passed and it is
  not covered, ``due`` otherwise.
- The plan is ``completed`` when the payments reach its total; it is ``broken`` once the first late instalment
  has been late for the notice delay (default 15 days) without being caught up.
- A promise to pay is ``kept`` when the payments up to its date reach the promised amount, ``broken`` when its
  date has passed without that, ``open`` otherwise.
"""

from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from decimal import ROUND_DOWN

from .dates import add_months
from .money import CENT
from .money import ZERO
from .money import cents
from .money import to_decimal

DUE = "due"
PAID = "paid"
LATE = "late"

ACTIVE = "active"
COMPLETED = "completed"
BROKEN = "broken"

OPEN = "open"
KEPT = "kept"


@dataclass(frozen=True)
class Instalment:
    date: date
    amount: object  # Decimal


@dataclass(frozen=True)
class InstalmentStatus:
    date: date
    amount: object
    paid: object
    state: str


@dataclass(frozen=True)
class PlanStatus:
    instalments: tuple
    paid: object
    state: str
    first_late: object  # date of the oldest late instalment, or None
    notice_due: bool  # an instalment is late: the debtor is to be told


def schedule(total, count, first_date):
    """``count`` monthly instalments from ``first_date`` adding up to ``total``; the last absorbs the rounding."""
    total = cents(total)
    if count < 1:
        raise ValueError("a plan needs at least one instalment")
    if total <= ZERO:
        raise ValueError("a plan needs a positive total")
    share = (total / count).quantize(CENT, rounding=ROUND_DOWN)
    amounts = [share] * (count - 1) + [total - share * (count - 1)]
    return [Instalment(add_months(first_date, index), amount) for index, amount in enumerate(amounts)]


def allocate(instalments, paid, today):
    """Each instalment with what the payments ``paid`` cover of it, oldest first, and its state on ``today``."""
    left = cents(paid)
    result = []
    for instalment in sorted(instalments, key=lambda item: item.date):
        amount = cents(instalment.amount)
        covered = min(amount, max(left, ZERO))
        left -= covered
        if covered >= amount:
            state = PAID
        elif instalment.date < today:
            state = LATE
        else:
            state = DUE
        result.append(InstalmentStatus(instalment.date, amount, covered, state))
    return result


def plan_status(instalments, paid, today, delay_days=15):
    """The plan on ``today``: its instalments, then completed, broken (late beyond the delay) or active."""
    statuses = allocate(instalments, paid, today)
    total = sum((status.amount for status in statuses), ZERO)
    paid = cents(paid)
    late = [status.date for status in statuses if status.state == LATE]
    first_late = min(late) if late else None
    if paid >= total:
        state = COMPLETED
    elif first_late and today > first_late + timedelta(days=delay_days):
        state = BROKEN
    else:
        state = ACTIVE
    return PlanStatus(tuple(statuses), paid, state, first_late, bool(late) and state == ACTIVE)


def promise_status(amount, paid_by_date, promised_date, today):
    """A promise: kept once the payments up to its date reach its amount, broken once its date has passed."""
    if cents(paid_by_date) >= cents(to_decimal(amount)):
        return KEPT
    if today > promised_date:
        return BROKEN
    return OPEN
