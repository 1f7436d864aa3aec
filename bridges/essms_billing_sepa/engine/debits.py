"""Which residents' invoices a SEPA direct debit order may collect, and on which date (recovery-rules §1, §3).

An invoice is debited on its due date (today when the due date has passed: a bank refuses a collection date in
the past), one order per collection date. It is refused, and the whole order with it, when the person has no
valid mandate, when the mandate's IBAN fails its check, when a hold (dispute, correction pending…) is active
on it, when it is already in an order being prepared or sent, or when nothing is left to pay.
"""

from dataclasses import dataclass
from datetime import date

from stdnum import iban as stdnum_iban

MISSING_MANDATE = "missing_mandate"
BAD_IBAN = "bad_iban"
HELD = "held"
ALREADY_IN_ORDER = "already_in_order"
NOTHING_DUE = "nothing_due"


@dataclass(frozen=True)
class Candidate:
    """One invoice the operator asks to debit, as the models load it."""

    invoice_id: int
    amount_due: float
    due: date
    mandate_id: int | None = None
    iban: str | None = None
    hold: str | None = None
    order: str | None = None


@dataclass(frozen=True)
class Problem:
    invoice_id: int
    kind: str
    detail: str | None = None


@dataclass(frozen=True)
class Plan:
    orders: dict  # collection date -> tuple of invoice ids, in the candidates' order
    problems: tuple


def iban_is_valid(number):
    """The IBAN's country format and its check digits (ISO 13616, mod 97)."""
    return bool(number) and stdnum_iban.is_valid(number)


def plan(candidates, today):
    """The debit orders to make of ``candidates``, or the problems that forbid them (all of them, named)."""
    orders = {}
    problems = []
    for candidate in candidates:
        found = []
        if candidate.amount_due <= 0:
            found.append(Problem(candidate.invoice_id, NOTHING_DUE))
        if candidate.order:
            found.append(Problem(candidate.invoice_id, ALREADY_IN_ORDER, candidate.order))
        if candidate.hold:
            found.append(Problem(candidate.invoice_id, HELD, candidate.hold))
        if not candidate.mandate_id:
            found.append(Problem(candidate.invoice_id, MISSING_MANDATE))
        elif not iban_is_valid(candidate.iban):
            found.append(Problem(candidate.invoice_id, BAD_IBAN, candidate.iban or ""))
        if found:
            problems.extend(found)
            continue
        orders.setdefault(max(candidate.due, today), []).append(candidate.invoice_id)
    return Plan(
        orders={day: tuple(ids) for day, ids in sorted(orders.items())},
        problems=tuple(problems),
    )
