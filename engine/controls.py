"""Controls of a month's activity before it is billed (billing-rules §8): what the activity statement flags.

Each control takes plain values and returns ``Anomaly`` objects: a severity (a blocking anomaly stops the
statement's validation, a warning does not), a stable code, a message (``engine.messages``) and the stay it
concerns. The statement model loads the stays, absences and decisions of a month in bulk, calls these
functions and writes the anomalies.

- §8.1 an absence lying outside its stay (the stay was shortened after the absence was recorded): blocking;
- §8.1 a person billed on the same day by two stays, in this establishment or another: blocking. A day is
  billed by a stay as ``engine.days`` bills it when no absence touches it: not the entry or exit day the
  payer's policy leaves out, not a weekend of weekly boarding, not a closed day of day care;
- §8.2 billed days no granted or pending funding decision covers (warning: they go to the resident), or
  after the decision's end (warning, until it is renewed);
- §8.4 billed days without a daily price (blocking), and the day classification's own anomalies
  (overlapping absences: warning);
- §8.5 days present above the places times the days of the month (warning).
"""

from dataclasses import dataclass

from .billing import GRANTED_STATES
from .billing import PENDING_STATES
from .dates import each_day
from .dates import is_weekend
from .days import DAY_ATTENDANCE
from .days import _stay_day
from .messages import Template
from .messages import _lt
from .pricing import tariff_at

BLOCKING = "blocking"
WARNING = "warning"

# Accommodations that bill a whole day: two of them on the same day bill that day twice.
BILLED_ACCOMMODATIONS = ("full_board", "weekly_board", "temporary", "day_care", "semi_boarding", "day_pupil")

NO_TARIFF = Template("no_tariff", _lt("%(name)s: no daily price applies to the stay's accommodation."))
NO_TARIFF_DAYS = Template("no_tariff", _lt("%(name)s: no daily price applies from %(date_from)s to %(date_to)s."))
DECISION_EXPIRED = Template(
    "decision_expired",
    _lt("%(name)s: the funding decision ended on %(date)s; the days after it are charged to the resident until it "
        "is renewed."),
)
NO_DECISION = Template(
    "no_decision",
    _lt("%(name)s: no granted or pending funding decision covers %(count)s days from %(date_from)s to "
        "%(date_to)s; they are charged to the resident."),
)
ABSENCE_OUTSIDE_STAY = Template(
    "absence_outside_stay",
    _lt("%(name)s: the absence from %(start)s to %(end)s lies outside the stay (%(stay_start)s – %(stay_end)s)."),
)
NO_END = Template("no_end", _lt("no end"))
BILLED_TWICE = Template(
    "billed_twice",
    _lt("%(name)s: %(count)s days from %(date_from)s to %(date_to)s are also billed by the stay at "
        "%(establishment)s."),
)
CAPACITY = Template(
    "capacity",
    _lt("%(present)s days present exceed the capacity of %(capacity)s places × days (%(capacity_days)s)."),
)
# The day classification's own anomalies, prefixed with the person: formatting only, nothing to translate.
PERSON_PREFIX = "%(name)s: %(message)s"


@dataclass(frozen=True)
class Anomaly:
    """One finding of the controls: ``stay_key`` is ``None`` when it concerns the whole establishment."""

    severity: str
    code: str
    message: object  # messages.Message
    stay_key: object = None


@dataclass(frozen=True)
class StayDates:
    """A stay as the double-billing control sees it: its person, dates, accommodation and policy."""

    key: object
    person: object
    name: str  # the person's name, for the message
    establishment: str  # the establishment's name, for the message
    span: object  # days.StaySpan
    policy: object  # days.AbsencePolicy


@dataclass(frozen=True)
class AbsenceDates:
    """An absence's first and last day (local dates), with its stay's dates."""

    stay_key: object
    name: str
    start: object
    end: object
    stay_start: object
    stay_end: object = None


def stay_anomalies(name, stay, days):
    """§8.2 and §8.4 for one stay: ``stay`` is the billing engine's ``StayInput``, ``days`` its month's
    ``DayClassification``; ``name`` the person's name for the messages."""
    anomalies = []
    billed = [day.day for day in days.days if day.quantity]
    if billed and not stay.tariffs:
        anomalies.append(Anomaly(BLOCKING, NO_TARIFF.code, NO_TARIFF(name=name), stay.key))
    elif billed:
        missing = [day for day in billed if tariff_at(stay.tariffs, day) is None]
        if missing:
            anomalies.append(Anomaly(
                BLOCKING, NO_TARIFF_DAYS.code,
                NO_TARIFF_DAYS(name=name, date_from=min(missing), date_to=max(missing)), stay.key,
            ))
    if stay.requires_decision and billed:
        live = [decision for decision in stay.decisions if decision.state in PENDING_STATES + GRANTED_STATES]
        uncovered = [day for day in billed if not any(d.covers(day, stay.stay.date_start) for d in live)]
        expired = [
            decision for decision in live
            if decision.date_end and decision.date_end < billed[-1] and decision.state in GRANTED_STATES
        ]
        if expired and uncovered:
            anomalies.append(Anomaly(
                WARNING, DECISION_EXPIRED.code,
                DECISION_EXPIRED(name=name, date=max(decision.date_end for decision in expired)), stay.key,
            ))
        elif uncovered:
            anomalies.append(Anomaly(
                WARNING, NO_DECISION.code,
                NO_DECISION(name=name, count=len(uncovered), date_from=uncovered[0], date_to=uncovered[-1]),
                stay.key,
            ))
    for message in days.anomalies:
        anomalies.append(Anomaly(
            WARNING, message.code, Template(message.code, PERSON_PREFIX)(name=name, message=message), stay.key,
        ))
    return anomalies


def absences_outside_stays(absences, period_start, period_end):
    """§8.1: the absences touching the period on days their stay does not cover (``AbsenceDates``)."""
    anomalies = []
    for absence in absences:
        if absence.end < period_start or absence.start > period_end:
            continue
        if absence.start < absence.stay_start or (absence.stay_end and absence.end > absence.stay_end):
            anomalies.append(Anomaly(
                BLOCKING, ABSENCE_OUTSIDE_STAY.code,
                ABSENCE_OUTSIDE_STAY(
                    name=absence.name, start=absence.start, end=absence.end, stay_start=absence.stay_start,
                    stay_end=absence.stay_end or NO_END(),
                ),
                absence.stay_key,
            ))
    return anomalies


def bills_day(day, stay, policy, holidays):
    """Whether ``stay`` (``days.StaySpan``) bills ``day`` when no absence touches it, as ``days.classify_days``
    does: inside the stay, not an entry or exit day the policy leaves out, not a weekend of weekly boarding, not
    a closed day (weekend, public holiday) of the accommodations billed on attendance."""
    if _stay_day(day, stay, policy) is not None:
        return False
    return not (stay.accommodation in DAY_ATTENDANCE and (is_weekend(day) or day in holidays))


def days_billed_twice(stays, others, period_start, period_end, holidays):
    """§8.1: for each stay of ``stays`` billing whole days, the days of the period another stay of the same
    person (``others``, any establishment) bills too. Both are ``StayDates``; one anomaly per pair of stays."""
    by_person = {}
    for other in others:
        by_person.setdefault(other.person, []).append(other)
    anomalies = []
    for stay in stays:
        if stay.span.accommodation not in BILLED_ACCOMMODATIONS:
            continue
        for other in by_person.get(stay.person, ()):
            if other.key == stay.key:
                continue
            first = max(stay.span.date_start, other.span.date_start, period_start)
            last = min(stay.span.date_end or period_end, other.span.date_end or period_end, period_end)
            shared = [
                day for day in each_day(first, last)
                if bills_day(day, stay.span, stay.policy, holidays)
                and bills_day(day, other.span, other.policy, holidays)
            ]
            if shared:
                anomalies.append(Anomaly(
                    BLOCKING, BILLED_TWICE.code,
                    BILLED_TWICE(name=stay.name, count=len(shared),
                                 date_from=shared[0], date_to=shared[-1], establishment=other.establishment),
                    stay.key,
                ))
    return anomalies


def capacity_days(places, period_start, period_end):
    """§8.5: what an establishment can hold over a period: its places times the period's days (both ends
    included); 0 without a period."""
    if not period_start or not period_end:
        return 0
    return (places or 0) * ((period_end - period_start).days + 1)


# The same figure in SQL, for the billing report's view: ``places``, ``start`` and ``end`` are SQL expressions.
CAPACITY_DAYS_SQL = "COALESCE({places}, 0) * ({end} - {start} + 1)::float"


def capacity_anomaly(days_present, capacity, capacity_days):
    """§8.5: days present above ``capacity`` places times the days of the month (``capacity_days``)."""
    if capacity and days_present > capacity_days:
        return Anomaly(
            WARNING, CAPACITY.code,
            CAPACITY(present=days_present, capacity=capacity, capacity_days=capacity_days),
        )
    return None
