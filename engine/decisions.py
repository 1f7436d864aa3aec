"""Funding decisions of pending files: filing deadline, date of effect, renewal alert (billing-rules §4).

An admission often happens before the département decides on social aid. The decision takes effect on
the entry day when the request is filed in time (CASF R131-2), otherwise on the first day of the
fortnight that follows the filing.
"""

from dataclasses import dataclass

from .dates import add_months


@dataclass(frozen=True)
class FilingRules:
    """Filing delays of R131-2: 2 months after entry, which the département may extend by 2 more."""

    months: int = 2
    extension_months: int = 2


def filing_deadline(entry_date, extended=False, rules=FilingRules()):
    """Last day to file the request so that the decision takes effect on the entry day."""
    return add_months(entry_date, rules.months + (rules.extension_months if extended else 0))


def next_fortnight_start(day):
    """First day of the fortnight after ``day``: the 16th for days 1 to 15, else the 1st of next month."""
    if day.day <= 15:
        return day.replace(day=16)
    return add_months(day.replace(day=1), 1)


def date_of_effect(entry_date, date_filed, extended=False, rules=FilingRules()):
    """Date from which the decision covers the stay (billing-rules §4, worked example E).

    Filed on or before the deadline: the entry day. Filed later: the first day of the next fortnight
    after filing (entry 2025-03-10, filed 2025-05-20 → 2025-06-01). Not filed yet: ``None``.
    """
    if date_filed is None:
        return None
    if date_filed <= filing_deadline(entry_date, extended, rules):
        return entry_date
    return next_fortnight_start(date_filed)


def renewal_alert_date(date_end, months_before):
    """Day to alert that a decision granted until ``date_end`` must be renewed (``None`` if open-ended)."""
    if date_end is None:
        return None
    return add_months(date_end, -months_before)
