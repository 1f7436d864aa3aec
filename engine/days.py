"""Day classification of a stay over a period, from its absences and the payer's policy (billing-rules §3).

Each day of the period gets one status: present, absent at full price, absent at a reduced price,
absent and charged to the resident or not billed once the yearly quota is used, not billed (entry or
exit day by policy, weekends of weekly boarding, closed days of day care), or outside the stay.

The rules, in the order they apply to a day of the stay:

- the entry day is billed and the exit day is not, unless the policy says otherwise;
- weekly boarding (*internat de semaine*): Saturdays and Sundays are neither billed nor absences;
- day care (*accueil de jour*) is billed on attendance, by half days, on weekdays that are not public
  holidays; an absence there is simply not billed;
- an absence of at most ``threshold_hours`` (72 h) is billed at full price (R314-204);
- a longer absence: its first days, up to the threshold, at full price, for each absence or once a
  civil year (``threshold_scope``), or none when the reduction starts on the first day; then the
  reduced price; once the yearly quota is used, charged to the resident or not billed;
- when weekends and public holidays are not counted, those days of an absence are billed at full
  price and do not count towards the threshold or the quota.

Yearly counters (days of absence counted against the quota, hospital days on their own counter when
the policy keeps one, full-price days granted once a year) are carried across months by the caller.
"""

import math
from dataclasses import dataclass
from dataclasses import replace
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from decimal import Decimal
from enum import Enum
from functools import lru_cache

from .dates import each_day
from .dates import is_weekend
from .dates import public_holidays
from .messages import Template
from .messages import _lt

ONE = Decimal(1)
HALF = Decimal("0.5")
NOTHING = Decimal(0)

OVERLAPPING_ABSENCES = Template(
    "overlapping_absences",
    _lt("Absences overlap on %(day)s: the one starting first is used."),
)


class DayStatus(str, Enum):
    PRESENT = "present"
    ABSENT_FULL_PRICE = "absent_full_price"
    ABSENT_REDUCED = "absent_reduced"
    ABSENT_RESIDENT = "absent_resident"
    ABSENT_NOT_BILLED = "absent_not_billed"
    NOT_BILLED = "not_billed"
    OUTSIDE_STAY = "outside_stay"


class DayReason(str, Enum):
    PRESENT = "present"
    HALF_DAY = "half_day"
    SHORT_ABSENCE = "short_absence"
    WITHIN_THRESHOLD = "within_threshold"
    NOT_COUNTED = "not_counted"
    NO_REDUCTION = "no_reduction"
    REDUCED = "reduced"
    QUOTA_USED = "quota_used"
    DAY_CARE_ABSENCE = "day_care_absence"
    ENTRY_DAY = "entry_day"
    EXIT_DAY = "exit_day"
    WEEKLY_BOARDING_WEEKEND = "weekly_boarding_weekend"
    DAY_CARE_CLOSED = "day_care_closed"
    OUTSIDE_STAY = "outside_stay"


# Accommodations billed on the days attended (weekdays that are not public holidays): day care, and the
# semi-internat and externat of an IME (billing-rules §9).
DAY_ATTENDANCE = ("day_care", "semi_boarding", "day_pupil")

# Statuses billed to the payer of the stay; ABSENT_RESIDENT days are billed to the resident.
PAYER_STATUSES = (DayStatus.PRESENT, DayStatus.ABSENT_FULL_PRICE, DayStatus.ABSENT_REDUCED)


@dataclass(frozen=True, kw_only=True)
class AbsencePolicy:
    """The absence settings of the payer's RDAS (fields of ``essms.absence.policy``, billing-rules §3).

    Defaults are those named by billing-rules.md; the other settings have to be given.
    """

    threshold_scope: str  # each_absence | once_a_year
    reduction_kind: str  # fjh | fixed | percent | none
    reduction_value: Decimal  # amount per day (fixed) or percentage of the daily price (percent)
    quota_days: int  # absence days per civil year before ``after_quota`` applies; 0 = no quota
    after_quota: str  # resident | not_billed
    count_weekends_holidays: bool
    hospital_separate_counter: bool
    holiday_contribution_exoneration: bool
    threshold_hours: int = 72
    reduction_start: str = "after_threshold"  # after_threshold | first_day
    entry_day_billed: bool = True
    exit_day_billed: bool = False
    contribution_proration: str = "calendar"  # calendar | thirty

    @property
    def threshold_days(self):
        """Days at full price before the reduction: the days the threshold reaches into (72 h → 3)."""
        if self.reduction_start == "first_day":
            return 0
        return math.ceil(self.threshold_hours / 24)


def _as_datetime(moment, end=False):
    """A date stands for the whole day: it starts at midnight and, as an end, ends at the next midnight."""
    if isinstance(moment, datetime):
        return moment
    return datetime.combine(moment + timedelta(days=1) if end else moment, time())


@dataclass(frozen=True)
class Absence:
    """An absence of ``kind`` (hospital, personal, holidays, family_weekend, other).

    ``start`` and ``end`` are dates (whole days, end included) or datetimes (exact hours, for the 72 h
    rule). ``end`` is ``None`` while the absence goes on: it then lasts at least until ``until``.
    """

    kind: str
    start: date
    end: date | None = None

    def start_moment(self):
        return _as_datetime(self.start)

    def end_moment(self, until):
        return _as_datetime(until if self.end is None else self.end, end=True)

    def first_day(self):
        return self.start_moment().date()

    def last_day(self, until):
        """Last day touched by the absence (an end at midnight exactly does not touch the new day)."""
        return (self.end_moment(until) - timedelta(microseconds=1)).date()

    def hours(self, until):
        return (self.end_moment(until) - self.start_moment()).total_seconds() / 3600

    def covers(self, day, until):
        return self.first_day() <= day <= self.last_day(until)

    def is_half_day(self, day, until):
        """True when, on ``day``, the absence covers only the morning or only the afternoon."""
        noon = datetime.combine(day, time(12))
        morning = self.start_moment() < noon
        afternoon = self.end_moment(until) > noon
        return morning != afternoon


@dataclass(frozen=True)
class YearCounters:
    """Absence counters of one civil year, as they stand before the first day of a period."""

    year: int
    absence_days: int = 0  # days counted against the quota
    hospital_days: int = 0  # hospital days, when the policy keeps them on a separate counter
    threshold_days: int = 0  # full-price days already granted this year (threshold once a year)

    def for_year(self, year):
        """These counters if they belong to ``year``, else fresh ones: counters restart every 1 January."""
        return self if self.year == year else YearCounters(year)


@dataclass(frozen=True)
class StaySpan:
    """The stay being classified: entry and exit days and the accommodation type."""

    date_start: date
    date_end: date | None = None
    accommodation: str = "full_board"  # full_board | weekly_board | day_care | temporary | semi_boarding | day_pupil
    end_reason: str | None = None  # departure | death | transfer


@dataclass(frozen=True)
class Day:
    """The classification of one day. ``quantity`` is the billed part of the day (1, 0.5 or 0)."""

    day: date
    status: DayStatus
    reason: DayReason
    quantity: Decimal = NOTHING
    absence_kind: str | None = None

    @property
    def absence_share(self):
        """The part of the day spent absent: 0.5 for a half day in day care."""
        if self.absence_kind is None:
            return NOTHING
        return HALF if self.reason == DayReason.HALF_DAY else ONE

    @property
    def in_stay(self):
        """Whether the day belongs to the stay as billed: entry and exit days count only when billed."""
        return self.reason not in (DayReason.OUTSIDE_STAY, DayReason.ENTRY_DAY, DayReason.EXIT_DAY)


@dataclass(frozen=True)
class DayClassification:
    """The classified days of a period, the yearly counters after its last day, and anomalies."""

    days: tuple
    counters: YearCounters
    anomalies: tuple = ()

    def quantity(self, *statuses):
        """Billed quantity of the days with one of ``statuses``."""
        return sum((day.quantity for day in self.days if day.status in statuses), NOTHING)

    def count(self, *statuses):
        return sum(1 for day in self.days if day.status in statuses)

    @property
    def days_present(self):
        return self.quantity(DayStatus.PRESENT)

    @property
    def days_in_stay(self):
        """Days of the stay in the period, the basis of the contribution's proration."""
        return sum(1 for day in self.days if day.in_stay)

    def absence_days(self, kind=None):
        """Days of absence in the period, of one ``kind`` or of all kinds."""
        return sum(
            (day.absence_share for day in self.days if day.absence_kind and kind in (None, day.absence_kind)),
            NOTHING,
        )


def _stay_day(day, stay, policy):
    """The classification of a day that no absence touches, or ``None`` if absences may apply."""
    if day < stay.date_start or (stay.date_end and day > stay.date_end):
        return Day(day, DayStatus.OUTSIDE_STAY, DayReason.OUTSIDE_STAY)
    if day == stay.date_start and not policy.entry_day_billed:
        return Day(day, DayStatus.NOT_BILLED, DayReason.ENTRY_DAY)
    if day == stay.date_end and day != stay.date_start and not policy.exit_day_billed:
        return Day(day, DayStatus.NOT_BILLED, DayReason.EXIT_DAY)
    if stay.accommodation == "weekly_board" and is_weekend(day):
        return Day(day, DayStatus.NOT_BILLED, DayReason.WEEKLY_BOARDING_WEEKEND)
    return None


class _Classifier:
    """Walks the days of a period in order, updating the yearly counters as absence days are counted."""

    def __init__(self, stay, absences, policy, holidays_set, first, until):
        self.stay = stay
        self.policy = policy
        self.holidays = holidays_set
        self.until = until
        self.anomalies = []
        # The absences covering each day walked (from ``first`` to ``until``), worked out once: [the first to start,
        # how many].
        self.covering = {}
        spans = sorted(
            ((absence.first_day(), absence.last_day(until), absence) for absence in absences),
            key=lambda span: span[2].start_moment(),
        )
        for first_day, last_day, absence in spans:
            for day in each_day(max(first_day, first), min(last_day, until)):
                if day in self.covering:
                    self.covering[day][1] += 1
                else:
                    self.covering[day] = [absence, 1]

    def is_day_off(self, day):
        return is_weekend(day) or day in self.holidays

    def is_counted(self, day):
        """Whether an absence day counts towards the threshold and the quota."""
        if self.stay.accommodation == "weekly_board" and is_weekend(day):
            return False
        return self.policy.count_weekends_holidays or not self.is_day_off(day)

    def absence_on(self, day):
        covering = self.covering.get(day)
        if covering is None:
            return None
        if covering[1] > 1:
            self.anomalies.append(OVERLAPPING_ABSENCES(day=day))
        return covering[0]

    def classify(self, day, counters):
        """The day's classification and the counters after it."""
        fixed = _stay_day(day, self.stay, self.policy)
        if fixed:
            return fixed, counters
        absence = self.absence_on(day)
        if self.stay.accommodation in DAY_ATTENDANCE:
            return self.day_care(day, absence), counters
        if absence is None:
            return Day(day, DayStatus.PRESENT, DayReason.PRESENT, ONE), counters
        return self.absent(day, absence, counters)

    def day_care(self, day, absence):
        if self.is_day_off(day):
            return Day(day, DayStatus.NOT_BILLED, DayReason.DAY_CARE_CLOSED)
        if absence is None:
            return Day(day, DayStatus.PRESENT, DayReason.PRESENT, ONE)
        if absence.is_half_day(day, self.until):
            return Day(day, DayStatus.PRESENT, DayReason.HALF_DAY, HALF, absence.kind)
        return Day(day, DayStatus.ABSENT_NOT_BILLED, DayReason.DAY_CARE_ABSENCE, NOTHING, absence.kind)

    def absent(self, day, absence, counters):
        policy = self.policy
        if absence.hours(self.until) <= policy.threshold_hours:
            return Day(day, DayStatus.ABSENT_FULL_PRICE, DayReason.SHORT_ABSENCE, ONE, absence.kind), counters
        if not self.is_counted(day):
            return Day(day, DayStatus.ABSENT_FULL_PRICE, DayReason.NOT_COUNTED, ONE, absence.kind), counters

        if absence.kind == "hospital" and policy.hospital_separate_counter:
            counters = replace(counters, hospital_days=counters.hospital_days + 1)
            counted = counters.hospital_days
        else:
            counters = replace(counters, absence_days=counters.absence_days + 1)
            counted = counters.absence_days

        if policy.quota_days and counted > policy.quota_days:
            status = DayStatus.ABSENT_RESIDENT if policy.after_quota == "resident" else DayStatus.ABSENT_NOT_BILLED
            quantity = ONE if status == DayStatus.ABSENT_RESIDENT else NOTHING
            return Day(day, status, DayReason.QUOTA_USED, quantity, absence.kind), counters

        if policy.threshold_scope == "once_a_year":
            within_threshold = counters.threshold_days < policy.threshold_days
            if within_threshold:
                counters = replace(counters, threshold_days=counters.threshold_days + 1)
        else:
            rank = sum(1 for past in each_day(absence.first_day(), day) if self.is_counted(past))
            within_threshold = rank <= policy.threshold_days
        if within_threshold:
            return Day(day, DayStatus.ABSENT_FULL_PRICE, DayReason.WITHIN_THRESHOLD, ONE, absence.kind), counters
        if policy.reduction_kind == "none":
            return Day(day, DayStatus.ABSENT_FULL_PRICE, DayReason.NO_REDUCTION, ONE, absence.kind), counters
        return Day(day, DayStatus.ABSENT_REDUCED, DayReason.REDUCED, ONE, absence.kind), counters


def classify_days(stay, absences, policy, period_start, period_end, counters, holidays_set=None):
    """Classify each day from ``period_start`` to ``period_end`` (a month, within one civil year).

    ``counters`` are the yearly counters before ``period_start`` (counters of another year are reset);
    ``holidays_set`` the public holidays to use, by default those of France for the years concerned.

    The same month of two stays is classified once (``_classify``): what tells them apart on those days (their
    absences touching the month, an entry or an exit within it, the accommodation and the policy, and the counters
    when an absence may move them) is the memo's key. A billing run classifies thousands of stays present every day
    of the month, and the days of each stay again for each of its components.
    """
    if holidays_set is None:
        years = {period_start.year, period_end.year}
        years.update(absence.first_day().year for absence in absences)
        holidays_set = public_holidays(years)
    counters = counters.for_year(period_start.year)
    touching = tuple(
        absence for absence in absences
        if absence.first_day() <= period_end and absence.last_day(period_end) >= period_start
    )
    days, after, anomalies = _classify(
        _span_within(stay, period_start, period_end), touching, policy, period_start, period_end,
        counters if touching else None, frozenset(holidays_set),
    )
    return DayClassification(days, counters if after is None else after, anomalies)


def _span_within(stay, first, last):
    """``stay`` as the days from ``first`` to ``last`` see it: an entry before them or an exit after them decides none
    of them, nor does the reason of the exit."""
    return StaySpan(
        stay.date_start if stay.date_start >= first else date.min,
        None if stay.date_end is None or stay.date_end > last else stay.date_end,
        stay.accommodation,
    )


@lru_cache(maxsize=1024)
def _classify(stay, absences, policy, period_start, period_end, counters, holidays_set):
    """(days, counters after them, anomalies) of ``classify_days``; ``counters`` is ``None`` when no absence touches
    the days: nothing moves them, and ``None`` comes back."""
    classifier = _Classifier(stay, absences, policy, holidays_set, period_start, period_end)
    running = YearCounters(period_start.year) if counters is None else counters
    days = []
    for day in each_day(period_start, period_end):
        classified, running = classifier.classify(day, running)
        days.append(classified)
    return tuple(days), None if counters is None else running, tuple(dict.fromkeys(classifier.anomalies))

def year_counters(stay, absences, policy, period_start, holidays_set, earlier=()):
    """The yearly counters before ``period_start``, from the absences earlier in the civil year: those of ``earlier``
    stays of the beneficiary (``(StaySpan, absences)`` pairs, in other establishments), then those of ``stay``, all
    counted under ``policy`` (billing-rules §3).

    Only the days of an absence that can move the counters are classified: an absence known to last at most
    ``threshold_hours`` is billed at full price and counts nothing, and a stay billed on attendance counts no
    absence. Each range of such days is classified with all the absences, which decide each of its days as the whole
    year's classification would (the first absence to start covers a day).
    """
    counters = YearCounters(period_start.year)
    year_start = period_start.replace(month=1, day=1)
    last = period_start - timedelta(days=1)
    for span, span_absences in (*earlier, (stay, absences)):
        if span.accommodation in DAY_ATTENDANCE:
            continue
        first = max(year_start, span.date_start)
        end = min(last, span.date_end or last)
        if first > end:
            continue
        counted = tuple(absence for absence in span_absences if absence.first_day() <= end)
        # An absence still going on lasts until the end of the range it is classified in: it may count.
        movers = [
            absence for absence in counted if absence.end is None or absence.hours(end) > policy.threshold_hours
        ]
        for range_start, range_end in _absence_ranges(movers, first, end):
            counters = classify_days(span, counted, policy, range_start, range_end, counters, holidays_set).counters
    return counters


def _absence_ranges(absences, first, last):
    """The days from ``first`` to ``last`` covered by ``absences``, as ordered disjoint (start, end) ranges."""
    ranges = []
    for start, end in sorted((absence.first_day(), absence.last_day(last)) for absence in absences):
        start, end = max(start, first), min(end, last)
        if start > end:
            continue
        if ranges and start <= ranges[-1][1] + timedelta(days=1):
            ranges[-1][1] = max(ranges[-1][1], end)
        else:
            ranges.append([start, end])
    return ranges
