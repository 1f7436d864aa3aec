"""Payment plan schedule and instalment allocation (engine/plans.py), without a database.

A plan of 1 000.00 € in 3 monthly instalments from 31 January 2026: 333.33, 333.33 and 333.34 on 31 January,
28 February (clamped) and 31 March.
"""

from datetime import date
from decimal import Decimal

import pytest

from odoo.addons.essms_billing.engine.plans import BROKEN
from odoo.addons.essms_billing.engine.plans import COMPLETED
from odoo.addons.essms_billing.engine.plans import DUE
from odoo.addons.essms_billing.engine.plans import KEPT
from odoo.addons.essms_billing.engine.plans import LATE
from odoo.addons.essms_billing.engine.plans import OPEN
from odoo.addons.essms_billing.engine.plans import PAID
from odoo.addons.essms_billing.engine.plans import allocate
from odoo.addons.essms_billing.engine.plans import plan_status
from odoo.addons.essms_billing.engine.plans import promise_status
from odoo.addons.essms_billing.engine.plans import schedule

FIRST = date(2026, 1, 31)


def test_last_instalment_absorbs_the_rounding():
    instalments = schedule(Decimal("1000.00"), 3, FIRST)
    assert [item.amount for item in instalments] == [Decimal("333.33"), Decimal("333.33"), Decimal("333.34")]
    assert [item.date for item in instalments] == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)]
    assert sum(item.amount for item in instalments) == Decimal("1000.00")


def test_schedule_of_an_even_total_and_bad_input():
    assert [item.amount for item in schedule(Decimal("723.32"), 2, FIRST)] == [Decimal("361.66")] * 2
    assert [item.amount for item in schedule(Decimal("0.05"), 3, FIRST)] == [
        Decimal("0.01"), Decimal("0.01"), Decimal("0.03")]
    with pytest.raises(ValueError):
        schedule(Decimal("100"), 0, FIRST)
    with pytest.raises(ValueError):
        schedule(Decimal("0"), 2, FIRST)


def test_payments_cover_the_oldest_instalment_first():
    instalments = schedule(Decimal("1000.00"), 3, FIRST)
    statuses = allocate(instalments, Decimal("400.00"), date(2026, 3, 5))
    assert [(status.paid, status.state) for status in statuses] == [
        (Decimal("333.33"), PAID), (Decimal("66.67"), LATE), (Decimal("0.00"), DUE)]


def test_plan_completed_when_the_total_is_paid():
    instalments = schedule(Decimal("1000.00"), 3, FIRST)
    assert plan_status(instalments, Decimal("1000.00"), date(2026, 2, 1)).state == COMPLETED


def test_plan_broken_only_after_the_notice_delay():
    instalments = schedule(Decimal("1000.00"), 3, FIRST)
    # The second instalment (28 February) is short of 266.66 €.
    status = plan_status(instalments, Decimal("400.00"), date(2026, 3, 15), delay_days=15)
    assert (status.state, status.first_late, status.notice_due) == ("active", date(2026, 2, 28), True)
    status = plan_status(instalments, Decimal("400.00"), date(2026, 3, 16), delay_days=15)
    assert (status.state, status.notice_due) == (BROKEN, False)
    # Caught up before the delay: active again, nothing late.
    status = plan_status(instalments, Decimal("666.66"), date(2026, 3, 16), delay_days=15)
    assert (status.state, status.first_late, status.notice_due) == ("active", None, False)


def test_promise_kept_open_broken():
    assert promise_status(Decimal("300.00"), Decimal("300.00"), date(2026, 2, 15), date(2026, 2, 20)) == KEPT
    assert promise_status(Decimal("300.00"), Decimal("299.99"), date(2026, 2, 15), date(2026, 2, 15)) == OPEN
    assert promise_status(Decimal("300.00"), Decimal("299.99"), date(2026, 2, 15), date(2026, 2, 16)) == BROKEN
