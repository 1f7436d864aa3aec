"""Prescription clock (engine/prescription.py, recovery-rules §5), without a database."""

from datetime import date

import pytest

from odoo.addons.essms_billing.engine.prescription import Claim
from odoo.addons.essms_billing.engine.prescription import interruption
from odoo.addons.essms_billing.engine.prescription import prescription_date
from odoo.addons.essms_billing.engine.prescription import prescription_dates

DUE = date(2024, 3, 15)


@pytest.mark.parametrize(("kind", "expected"), [
    ("resident", date(2026, 3, 16)),  # 2 years (C. consom. L218-2), the day after the anniversary
    ("family", date(2026, 3, 16)),
    ("guardian", date(2026, 3, 16)),
    ("other", date(2029, 3, 16)),  # 5 years (C. civ. 2224)
    (None, date(2029, 3, 16)),
    ("departement", date(2029, 1, 1)),  # 4 years from 1 January 2025 (loi 68-1250): barred on 1 January 2029
    ("state", date(2029, 1, 1)),
    ("health_insurance", date(2029, 1, 1)),
])
def test_period_by_debtor(kind, expected):
    assert prescription_date(Claim(kind, DUE)) == expected


def test_public_payer_counts_from_the_year_of_the_service():
    # December 2023 billed and due in January 2024: the right arose in 2023, the period runs from 1 January 2024.
    claim = Claim("departement", date(2024, 1, 31), right_date=date(2023, 12, 31))
    assert prescription_date(claim) == date(2028, 1, 1)


def test_partial_payment_and_signed_plan_restart_the_period():
    assert prescription_date(Claim("resident", DUE, last_payment=date(2025, 6, 10))) == date(2027, 6, 11)
    assert prescription_date(Claim("other", DUE, last_plan=date(2025, 2, 1))) == date(2030, 2, 2)
    assert prescription_date(
        Claim("resident", DUE, last_payment=date(2025, 6, 10), last_plan=date(2025, 9, 1))
    ) == date(2027, 9, 2)


def test_written_demand_interrupts_only_against_a_public_payer():
    # A reminder or a formal notice to a resident does not interrupt; a written reminder to a département does,
    # and its new period starts on the 1 January after it.
    assert prescription_date(Claim("resident", DUE, last_demand=date(2025, 5, 1))) == date(2026, 3, 16)
    assert interruption(Claim("resident", DUE, last_demand=date(2025, 5, 1))) is None
    assert prescription_date(Claim("departement", DUE, last_demand=date(2025, 5, 1))) == date(2030, 1, 1)


def test_an_event_before_the_due_date_changes_nothing():
    assert prescription_date(Claim("resident", DUE, last_payment=date(2024, 3, 1))) == date(2026, 3, 16)


def test_leap_day_anniversary_is_clamped():
    assert prescription_date(Claim("resident", date(2024, 2, 29))) == date(2026, 3, 1)


def test_batch():
    assert prescription_dates([(1, Claim("resident", DUE)), (2, Claim("departement", DUE))]) == {
        1: date(2026, 3, 16), 2: date(2029, 1, 1),
    }
