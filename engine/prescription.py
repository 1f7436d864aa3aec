"""Prescription clock of a claim (recovery-rules §5): the date after which the debt can no longer be claimed.

- A resident, a family or a guardian paying for the person (a consumer): 2 years from the due date
  (C. consom. L218-2).
- Another private debtor: 5 years from the due date (C. civ. 2224).
- A département, the State, a health insurance fund or another public body: 4 years from the 1 January after
  the year the right arose (loi 68-1250), the right arising with the service billed.

An interruption starts a new full period from its date (for a public payer, from the 1 January after its
year): a partial payment, a signed payment plan (an acknowledgment of the debt), and against a public payer
any written payment demand (a reminder sent to it). A formal notice to a private debtor does not interrupt,
so reminders to private debtors are never interruptions.
"""

from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from .dates import add_months
from .payers import CONSUMER_KINDS  # the payer classes: engine/payers.py
from .payers import PUBLIC_KINDS

CONSUMER = "consumer"
PRIVATE = "private"
PUBLIC = "public"


YEARS = {CONSUMER: 2, PRIVATE: 5, PUBLIC: 4}


def debtor_class(payer_kind):
    if payer_kind in CONSUMER_KINDS:
        return CONSUMER
    if payer_kind in PUBLIC_KINDS:
        return PUBLIC
    return PRIVATE


@dataclass(frozen=True)
class Claim:
    """What the clock of one invoice depends on.

    ``right_date``: when the right arose (the end of the period billed, else the invoice date), for a public
    payer; ``last_payment``, ``last_plan``: the latest partial payment and signed plan on the invoice;
    ``last_demand``: the latest written reminder sent for it (an interruption for a public payer only).
    """

    payer_kind: str | None
    due_date: date
    right_date: date | None = None
    last_payment: date | None = None
    last_plan: date | None = None
    last_demand: date | None = None


def interruption(claim):
    """The latest event that restarted the clock, or ``None``."""
    events = [claim.last_payment, claim.last_plan]
    if debtor_class(claim.payer_kind) == PUBLIC:
        events.append(claim.last_demand)
    events = [day for day in events if day]
    return max(events) if events else None


def prescription_date(claim):
    """The first day the claim is time-barred: a public payer's on a 1 January, a private debtor's the day after
    the anniversary of the start of the period."""
    kind = debtor_class(claim.payer_kind)
    restart = interruption(claim)
    if kind == PUBLIC:
        start = claim.right_date or claim.due_date
        if restart and restart > start:
            start = restart
        return date(start.year + 1 + YEARS[PUBLIC], 1, 1)
    start = claim.due_date
    if restart and restart > start:
        start = restart
    # The day of the start is not counted and the last day is (C. civ. 2228, 2229): time-barred the day after
    # the anniversary.
    return add_months(start, 12 * YEARS[kind]) + timedelta(days=1)


def prescription_dates(claims):
    """``prescription_date`` for each ``(key, claim)``: ``{key: date}``."""
    return {key: prescription_date(claim) for key, claim in claims}
