"""Global allocations as twelfths (engine.allocation): worked example H of billing-rules §12, to the cent."""

from datetime import date
from decimal import Decimal

import pytest

from odoo.addons.essms_billing.engine.allocation import DIFFERENCE
from odoo.addons.essms_billing.engine.allocation import TWELFTH
from odoo.addons.essms_billing.engine.allocation import AllocationError
from odoo.addons.essms_billing.engine.allocation import CallLine
from odoo.addons.essms_billing.engine.allocation import due_date
from odoo.addons.essms_billing.engine.allocation import monthly_call
from odoo.addons.essms_billing.engine.allocation import regularisation
from odoo.addons.essms_billing.engine.allocation import twelfths

D = Decimal
ALLOCATION_2025 = D("1212000.00")
ARRETE_2026 = D("1248000.00")


def _run_year(arrete_month, annual, previous):
    """Call the twelve months of 2026, the arrêté known from ``arrete_month`` on; returns the calls."""
    called, calls = {}, []
    for month in range(1, 13):
        call = monthly_call(2026, month, annual if month >= arrete_month else None, previous, called)
        for covered, amount in call.month_amounts().items():
            called[covered] = called.get(covered, D("0")) + amount
        calls.append(call)
    return calls, called


def test_twelfths_december_takes_the_rounding():
    assert twelfths(D("1000000.00")) == (D("83333.33"),) * 11 + (D("83333.37"),)
    assert sum(twelfths(D("1000000.00"))) == D("1000000.00")
    assert twelfths(ARRETE_2026) == (D("104000.00"),) * 12
    assert twelfths(ALLOCATION_2025) == (D("101000.00"),) * 12


def test_example_h_arrete_notified_in_april():
    calls, called = _run_year(4, ARRETE_2026, ALLOCATION_2025)
    assert [call.amount for call in calls[:3]] == [D("101000.00")] * 3
    assert all(call.provisional and call.basis == ALLOCATION_2025 for call in calls[:3])
    april = calls[3]
    assert april.amount == D("113000.00")
    assert april.lines == (
        CallLine(TWELFTH, (4,), 1, D("104000.00"), D("104000.00")),
        CallLine(DIFFERENCE, (1, 2, 3), 3, D("3000.00"), D("9000.00")),
    )
    assert [call.amount for call in calls[4:]] == [D("104000.00")] * 8
    assert all(len(call.lines) == 1 for call in calls[4:])
    assert sum(call.amount for call in calls) == ARRETE_2026
    assert called == dict.fromkeys(range(1, 13), D("104000.00"))


def test_decrease_deducts_the_months_called():
    """A lower arrêté (1 176 000,00 after 1 212 000,00): the next call deducts 3 000,00 for each month called."""
    calls, _called = _run_year(4, D("1176000.00"), ALLOCATION_2025)
    april = calls[3]
    assert april.lines[1] == CallLine(DIFFERENCE, (1, 2, 3), 3, D("-3000.00"), D("-9000.00"))
    assert april.amount == D("98000.00") - D("9000.00") == D("89000.00")
    assert sum(call.amount for call in calls) == D("1176000.00")


def test_rounded_arrete_gives_december_its_own_difference():
    """1 000 000,00 after a provisional December of 2025's twelfth: the regularisation names each difference."""
    calls, called = _run_year(13, D("1000000.00"), ALLOCATION_2025)
    assert sum(call.amount for call in calls) == ALLOCATION_2025
    regular = regularisation(2026, D("1000000.00"), called)
    assert regular.month is None
    assert regular.lines == (CallLine(DIFFERENCE, tuple(range(1, 12)), 11, D("-17666.67"), D("-194333.37")),
                             CallLine(DIFFERENCE, (12,), 1, D("-17666.63"), D("-17666.63")))
    assert regular.amount == D("1000000.00") - ALLOCATION_2025
    assert regularisation(2026, ALLOCATION_2025, called).lines == ()


def test_bad_input():
    with pytest.raises(AllocationError) as error:
        monthly_call(2026, 1, None, None, {})
    assert error.value.code == "no_allocation"
    with pytest.raises(AllocationError) as error:
        monthly_call(2026, 2, ARRETE_2026, None, {2: D("104000.00")})
    assert error.value.code == "already_called"
    with pytest.raises(AllocationError) as error:
        monthly_call(2026, 13, ARRETE_2026, None, {})
    assert error.value.code == "bad_month"
    with pytest.raises(AllocationError) as error:
        twelfths(D("-1"))
    assert error.value.code == "negative"


def test_due_date():
    assert due_date(2026, 4, 20) == date(2026, 4, 20)
    assert due_date(2026, 2, 31) == date(2026, 2, 28)
