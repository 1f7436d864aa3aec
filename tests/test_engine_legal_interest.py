"""Legal interest (engine/legal_interest.py, C. civ. 1344-1, example R2), without a database."""

from datetime import date
from decimal import Decimal

from odoo.addons.essms_billing.engine.legal_interest import Period
from odoo.addons.essms_billing.engine.legal_interest import legal_interest
from odoo.addons.essms_billing.engine.legal_interest import recovery_indemnity

RATES = [(date(2025, 1, 1), 3.71), (date(2025, 7, 1), 2.76), (date(2026, 1, 1), 2.62)]


def test_example_r2_to_the_cent():
    """1 000,00 due, notice received 10/02/2026, paid 11/05/2026: 90 days at 2,62 % -> 6,46."""
    interest = legal_interest(1000, date(2026, 2, 10), date(2026, 5, 11), RATES, [(date(2026, 5, 11), 1000)])
    assert interest.amount == Decimal("6.46")
    assert interest.periods == (
        Period(date(2026, 2, 11), date(2026, 5, 11), 90, Decimal("1000.00"), Decimal("2.62"), Decimal("6.46")),
    )


def test_each_day_takes_the_rate_of_its_half_year():
    # 1 000,00 from 15/12/2025 (received) to 15/01/2026: 16 days at 2,76 % then 15 days at 2,62 %.
    interest = legal_interest(1000, date(2025, 12, 15), date(2026, 1, 15), RATES)
    assert [(p.days, p.rate, p.amount) for p in interest.periods] == [
        (16, Decimal("2.76"), Decimal("1.21")), (15, Decimal("2.62"), Decimal("1.08")),
    ]
    assert interest.amount == Decimal("2.29")


def test_a_partial_payment_lowers_the_base_from_the_next_day():
    interest = legal_interest(1000, date(2026, 2, 10), date(2026, 5, 11), RATES,
                              [(date(2026, 1, 20), 200), (date(2026, 3, 12), 300)])
    # 800 from 11/02 to 12/03 (30 days), then 500 to 11/05 (60 days).
    assert [(p.base, p.days, p.amount) for p in interest.periods] == [
        (Decimal("800.00"), 30, Decimal("1.72")), (Decimal("500.00"), 60, Decimal("2.15")),
    ]


def test_nothing_once_paid_or_before_any_rate():
    assert legal_interest(1000, date(2026, 2, 10), date(2026, 2, 10), RATES).amount == 0
    assert legal_interest(1000, date(2020, 1, 1), date(2020, 12, 31), RATES).amount == 0


def test_fixed_indemnity_for_professional_debtors_only():
    assert recovery_indemnity(True, 40) == Decimal("40.00")
    assert recovery_indemnity(False, 40) == 0
