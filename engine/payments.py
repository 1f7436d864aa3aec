"""Matching a payment to what its payer owes: the oldest debt first, per protected person for a guardian.

A resident, a family or a guardian pays an amount; it settles the payer's open invoices from the oldest due
date, the last one possibly in part; what is left over stays as the payer's credit. A guardian service
(mandataire judiciaire) pays with one transfer for several protected persons: the amount settles the oldest
debts across all of them, then is split per person, so each person's account shows their own payment.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .money import ZERO
from .money import cents


@dataclass(frozen=True)
class OpenItem:
    """A receivable still owed: `key` identifies it (the journal item), `person` whose debt it is."""

    key: int
    person: int
    due_date: date
    residual: Decimal
    document: int = 0  # breaks ties between items due the same day: the older document first


@dataclass(frozen=True)
class Allocation:
    key: int
    person: int
    amount: Decimal


@dataclass(frozen=True)
class AllocationResult:
    allocations: tuple[Allocation, ...]
    unallocated: Decimal

    def by_person(self):
        """{person: amount settled for them}, in the order their first debt was settled."""
        totals = defaultdict(lambda: ZERO)
        for allocation in self.allocations:
            totals[allocation.person] += allocation.amount
        return dict(totals)


def allocate(amount, items):
    """Settle `items` (OpenItem) with `amount`, oldest due date first; credits (residual <= 0) are left alone.

    >>> result = allocate(Decimal("300.00"), [OpenItem(1, 7, date(2026, 2, 1), Decimal("250.00")),
    ...                                     OpenItem(2, 7, date(2026, 1, 1), Decimal("200.00"))])
    >>> [(a.key, a.amount) for a in result.allocations], result.unallocated
    ([(2, Decimal('200.00')), (1, Decimal('100.00'))], Decimal('0.00'))
    """
    remaining = cents(amount)
    if remaining < ZERO:
        raise ValueError("a payment amount cannot be negative")
    allocations = []
    for item in sorted(items, key=lambda item: (item.due_date, item.document, item.key)):
        if remaining <= ZERO:
            break
        residual = cents(item.residual)
        if residual <= ZERO:
            continue
        settled = min(residual, remaining)
        allocations.append(Allocation(item.key, item.person, settled))
        remaining -= settled
    return AllocationResult(tuple(allocations), remaining)
