"""Dated parameters: the legal value in force at a date (billing-rules, preamble).

Every amount and threshold of the rules is stored with the date it applies from (FJH 20,00 € until
2026-02-28, 23,00 € from 2026-03-01); a day always uses the value in force on that day.
"""

from dataclasses import dataclass

from .money import to_decimal


class MissingParameterError(LookupError):
    """No value of the parameter applies at the requested date."""


def value_at(rows, day, code=""):
    """The value of the row with the latest ``date_from`` on or before ``day``.

    ``rows`` is an iterable of ``(date_from, value)`` pairs in any order, e.g. the rows of
    ``essms.parameter`` for one code. Values are returned as ``Decimal``.
    """
    applicable = [(date_from, value) for date_from, value in rows if date_from <= day]
    if not applicable:
        raise MissingParameterError(f"No value of parameter {code or '?'} applies on {day.isoformat()}")
    return to_decimal(max(applicable, key=lambda row: row[0])[1])


@dataclass(frozen=True)
class DatedValues:
    """The dated values of one parameter, e.g. ``DatedValues("fjh", ((date(2020, 1, 1), 20), ...))``."""

    code: str
    rows: tuple = ()

    def at(self, day):
        return value_at(self.rows, day, self.code)
