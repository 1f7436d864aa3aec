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

Recorded events (``essms.recovery.event``, recovery-rules §5, example R4) add interruptions — a written
acknowledgment, a partial payment, a signed plan, a court action, an act of enforcement, a declaration of the
claim in insolvency proceedings and, against a public payer, a written payment demand — and suspensions: a
mediation, a conciliation or the debtor's acceptance of the small-claims procedure pause the clock from their
start to their end, then the days that were left run again, for at least 6 months after the end (C. civ. 2238).
A suspension without an end yet leaves the clock paused: no date until it ends. ``timeline`` says what each
event did.

A titre of a public creditor (recovery-rules §4, example R5) prescribes 4 years after the public accountant took it
in charge (CGCT L1617-5), whoever the debtor: the period runs from that day, day for day, and an act of enforcement
(an SATD) or an acknowledgment starts a new one; a mise en demeure de payer does not.
"""

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta

from .dates import add_months
from .payers import CONSUMER_KINDS  # the payer classes: engine/payers.py
from .payers import PUBLIC_KINDS

CONSUMER = "consumer"
PRIVATE = "private"
PUBLIC = "public"
PUBLIC_CREDITOR = "public_creditor"  # a titre taken in charge by the public accountant (CGCT L1617-5)


YEARS = {CONSUMER: 2, PRIVATE: 5, PUBLIC: 4, PUBLIC_CREDITOR: 4}

# Event kinds (essms.recovery.event.kind).
ACKNOWLEDGMENT = "acknowledgment"
PARTIAL_PAYMENT = "partial_payment"
PLAN_SIGNED = "plan_signed"
COURT_ACTION = "court_action"
ENFORCEMENT_ACT = "enforcement_act"
CLAIM_DECLARATION = "claim_declaration"
WRITTEN_DEMAND = "written_demand"
SUSPENSION = "suspension"
# What interrupts against any debtor; a written demand only against a public payer.
INTERRUPTIONS = (ACKNOWLEDGMENT, PARTIAL_PAYMENT, PLAN_SIGNED, COURT_ACTION, ENFORCEMENT_ACT, CLAIM_DECLARATION)
# After a mediation, a conciliation or a failed small-claims procedure the period runs again for at least this
# many months (C. civ. 2238).
SUSPENSION_MINIMUM_MONTHS = 6

# Alerts before the prescription date, in months.
ALERT_MONTHS = (6, 3)

# Effects of an event on a claim's clock (``Effect.kind``).
INTERRUPTED = "interrupted"
SUSPENDED = "suspended"
PAUSED = "paused"
NO_EFFECT_PRIVATE_DEMAND = "private_demand"
NO_EFFECT_BEFORE = "before_start"
NO_EFFECT_BARRED = "after_barred"
NO_EFFECT_OLDER = "superseded"


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
    events: tuple = field(default=())
    taken_in_charge: date | None = None  # a public creditor's titre: the day the accountant took it in charge


@dataclass(frozen=True)
class Event:
    """A recorded event: ``kind`` (see the constants above), its ``day``, the ``end`` of a suspension (``None``
    while it lasts), and a ``key`` the caller finds its effect by."""

    kind: str
    day: date
    end: date | None = None
    key: object = None


@dataclass(frozen=True)
class Effect:
    """What an event did to the clock: ``kind`` (INTERRUPTED, SUSPENDED, PAUSED or a NO_EFFECT_*), and the
    prescription date right after it (``None`` while the clock is paused)."""

    key: object
    kind: str
    barred_after: date | None
    day: date | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Timeline:
    """The claim's prescription date (``None`` while a suspension lasts) and each event's effect, in order."""

    prescription_date: date | None
    effects: tuple


def interruption(claim):
    """The latest event that restarted the clock, or ``None``."""
    events = [claim.last_payment, claim.last_plan]
    if debtor_class(claim.payer_kind) == PUBLIC:
        events.append(claim.last_demand)
    events = [day for day in events if day]
    return max(events) if events else None


def _period_end(kind, start):
    """The first day barred for a period that starts with the event of ``start``."""
    if kind == PUBLIC:
        return date(start.year + 1 + YEARS[PUBLIC], 1, 1)
    # The day of the start is not counted and the last day is (C. civ. 2228, 2229): time-barred the day after
    # the anniversary.
    return add_months(start, 12 * YEARS[kind]) + timedelta(days=1)


def _events(claim):
    """The claim's events: the recorded ones and those read from the ledger (payment, plan, letter sent)."""
    derived = [
        Event(PARTIAL_PAYMENT, claim.last_payment, key="payment") if claim.last_payment else None,
        Event(PLAN_SIGNED, claim.last_plan, key="plan") if claim.last_plan else None,
        Event(WRITTEN_DEMAND, claim.last_demand, key="letter") if claim.last_demand else None,
    ]
    events = [event for event in derived if event] + list(claim.events)
    # Same day: the interruptions first, then the suspensions (a payment made on the first day of a mediation
    # restarts the period, which the mediation then pauses).
    return sorted(events, key=lambda event: (event.day, event.kind == SUSPENSION))


def claim_class(claim):
    """The period that applies to ``claim``: a titre taken in charge runs the public accountant's 4 years, else
    the debtor's class decides."""
    return PUBLIC_CREDITOR if claim.taken_in_charge else debtor_class(claim.payer_kind)


def timeline(claim):
    """The clock of ``claim`` event by event (example R4).

    An interruption before the period started, or once it is time-barred, has no effect; a written demand to a
    private debtor neither (a formal notice does not interrupt). A suspension pauses the clock from its first day:
    the days left then run again from the day after its end, and never end before 6 months after it.
    """
    kind = claim_class(claim)
    if kind == PUBLIC_CREDITOR:
        start = claim.taken_in_charge
    else:
        start = (claim.right_date or claim.due_date) if kind == PUBLIC else claim.due_date
    barred = _period_end(kind, start)
    paused_left = None  # days left when a suspension without an end paused the clock
    effects = []
    for event in _events(claim):
        if paused_left is not None:
            # The clock stays paused; an interruption meanwhile gives a full period when it runs again.
            if event.kind in INTERRUPTIONS or (event.kind == WRITTEN_DEMAND and kind == PUBLIC):
                paused_left = (_period_end(kind, event.day) - event.day).days
                effects.append(Effect(event.key, INTERRUPTED, None, event.day))
            else:
                effects.append(Effect(event.key, NO_EFFECT_OLDER, None, event.day))
            continue
        if event.day >= barred:
            effects.append(Effect(event.key, NO_EFFECT_BARRED, barred, event.day))
            continue
        if event.kind == SUSPENSION:
            if event.day < start:
                effects.append(Effect(event.key, NO_EFFECT_BEFORE, barred, event.day))
                continue
            left = (barred - event.day).days
            if event.end is None:
                paused_left = left
                effects.append(Effect(event.key, PAUSED, None, event.day))
                continue
            resumed = event.end + timedelta(days=1)
            barred = max(resumed + timedelta(days=left),
                         add_months(event.end, SUSPENSION_MINIMUM_MONTHS) + timedelta(days=1))
            effects.append(Effect(event.key, SUSPENDED, barred, event.day))
            continue
        if event.kind == WRITTEN_DEMAND and kind != PUBLIC:
            effects.append(Effect(event.key, NO_EFFECT_PRIVATE_DEMAND, barred, event.day))
            continue
        if event.day <= start:
            effects.append(Effect(event.key, NO_EFFECT_BEFORE, barred, event.day))
            continue
        new_barred = _period_end(kind, event.day)
        if new_barred <= barred:
            # A public payer's second demand of the same year: the period already runs from the same 1 January.
            effects.append(Effect(event.key, NO_EFFECT_OLDER, barred, event.day))
            continue
        barred = new_barred
        effects.append(Effect(event.key, INTERRUPTED, barred, event.day))
    return Timeline(None if paused_left is not None else barred, tuple(effects))


def prescription_date(claim):
    """The first day the claim is time-barred: a public payer's on a 1 January, a private debtor's the day after
    the anniversary of the start of the period; ``None`` while a suspension lasts."""
    return timeline(claim).prescription_date


def alert_dates(barred):
    """The days of the alerts before ``barred`` (recovery-rules §5): 6 and 3 months before, ``{months: day}``."""
    return {months: add_months(barred, -months) for months in ALERT_MONTHS}


def alert_due(barred, today):
    """The alert due on ``today`` for a claim barred on ``barred``: the closest threshold reached (3 months rather
    than 6: it says more), in months; ``None`` before the first one."""
    reached = [months for months, day in alert_dates(barred).items() if day <= today]
    return min(reached) if reached else None


def prescription_dates(claims):
    """``prescription_date`` for each ``(key, claim)``: ``{key: date}``."""
    return {key: prescription_date(claim) for key, claim in claims}
