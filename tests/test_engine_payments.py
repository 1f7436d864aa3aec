"""Matching residents' payments: oldest debt first, split per protected person (issue 4, item 2)."""

from datetime import date
from decimal import Decimal

import pytest

from odoo.addons.essms_billing.engine.payments import OpenItem
from odoo.addons.essms_billing.engine.payments import allocate

MARIE, PAUL = 1, 2


def items():
    # Marie owes September (due 10/10) and October (due 10/11); Paul owes October (due 10/11) and a credit note.
    return [
        OpenItem(11, MARIE, date(2026, 11, 10), Decimal("723.32"), document=101),
        OpenItem(10, MARIE, date(2026, 10, 10), Decimal("723.32"), document=100),
        OpenItem(20, PAUL, date(2026, 11, 10), Decimal("512.40"), document=102),
        OpenItem(21, PAUL, date(2026, 11, 20), Decimal("-40.00"), document=103),
    ]


def test_oldest_first_the_last_in_part():
    result = allocate(Decimal("1000.00"), [item for item in items() if item.person == MARIE])
    assert [(a.key, a.amount) for a in result.allocations] == [(10, Decimal("723.32")), (11, Decimal("276.68"))]
    assert result.unallocated == Decimal("0.00")


def test_excess_stays_unallocated():
    result = allocate(Decimal("1500.00"), [item for item in items() if item.person == MARIE])
    assert sum(a.amount for a in result.allocations) == Decimal("1446.64")
    assert result.unallocated == Decimal("53.36")


def test_guardian_payment_split_per_person_oldest_debt_first():
    # 1 500,00 € from the guardian: Marie's September (oldest), then the two debts due 10/11 in document order
    # (Marie's October, then Paul's October in part); the credit note is not "paid".
    result = allocate(Decimal("1500.00"), items())
    assert [(a.key, a.amount) for a in result.allocations] == [
        (10, Decimal("723.32")), (11, Decimal("723.32")), (20, Decimal("53.36")),
    ]
    assert result.by_person() == {MARIE: Decimal("1446.64"), PAUL: Decimal("53.36")}
    assert result.unallocated == Decimal("0.00")


def test_same_due_date_older_document_first():
    result = allocate(Decimal("100.00"), [
        OpenItem(2, MARIE, date(2026, 1, 1), Decimal("80.00"), document=9),
        OpenItem(1, MARIE, date(2026, 1, 1), Decimal("80.00"), document=8),
    ])
    assert [(a.key, a.amount) for a in result.allocations] == [(1, Decimal("80.00")), (2, Decimal("20.00"))]


def test_nothing_owed_everything_unallocated():
    result = allocate(Decimal("42.10"), [])
    assert result.allocations == ()
    assert result.unallocated == Decimal("42.10")


def test_negative_amount_refused():
    with pytest.raises(ValueError):
        allocate(Decimal("-1.00"), items())
