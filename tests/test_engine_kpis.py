"""The recovery dashboard's indicators (recovery-rules §9), without a database."""

from datetime import date

from odoo.addons.essms_billing.engine import kpis


def test_recovery_rate_is_collected_over_net_billed():
    assert kpis.recovery_rate(1150.0, 100.0, 450.0) == 450.0 / 1050.0
    # Nothing billed, or everything credited: no rate rather than a division by zero or a rate of 0 %.
    assert kpis.recovery_rate(0.0, 0.0, 0.0) is None
    assert kpis.recovery_rate(100.0, 100.0, 0.0) is None


def test_dso_is_outstanding_over_net_billed_times_the_days():
    days = kpis.period_days(date(2026, 1, 1), date(2026, 12, 31))
    assert days == 365
    assert kpis.dso(600.0, 1050.0, days) == 208.6
    assert kpis.dso(600.0, 0.0, days) is None


def test_share_of_reminders_paid_and_what_the_stages_leave():
    assert kpis.share(1, 4) == 0.25
    assert kpis.share(0, 0) == 0.0
    assert kpis.unexplained(600.0, [450.0, 100.0]) == 50.0


def test_net_billed_is_the_base_of_the_rate_and_of_the_dso():
    """10 000 billed, 1 000 credited: 9 000 net; 4 500 collected is a rate of 50 %, 3 000 outstanding over 30 days
    a DSO of 10.0 days."""
    assert kpis.net_billed(10000.0, 1000.0) == 9000.0
    assert kpis.recovery_rate(10000.0, 1000.0, 4500.0) == 0.5
    assert kpis.dso(3000.0, kpis.net_billed(10000.0, 1000.0), 30) == 10.0
