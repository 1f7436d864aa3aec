"""Calendar helpers shared by the rules: month arithmetic, day ranges and French public holidays."""

import calendar
from datetime import date
from datetime import timedelta

import holidays


def add_months(day, months):
    """The same day ``months`` later (or earlier when negative), clamped to the end of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_start(day):
    return day.replace(day=1)


def month_end(day):
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def days_in_month(day):
    return calendar.monthrange(day.year, day.month)[1]


def each_day(first, last):
    """Every date from ``first`` to ``last`` included."""
    for offset in range((last - first).days + 1):
        yield first + timedelta(days=offset)


def is_weekend(day):
    return day.weekday() >= 5


def public_holidays(years, subdiv=None):
    """French public holidays of the given years (``subdiv`` e.g. "57" adds those of Alsace-Moselle)."""
    return frozenset(holidays.France(years=sorted(set(years)), subdiv=subdiv))
