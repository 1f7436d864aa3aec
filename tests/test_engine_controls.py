"""Controls of the month's activity (billing-rules §8), without a database."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

from odoo.addons.essms_billing.engine import controls
from odoo.addons.essms_billing.engine.billing import DecisionInput
from odoo.addons.essms_billing.engine.billing import StayInput
from odoo.addons.essms_billing.engine.dates import public_holidays
from odoo.addons.essms_billing.engine.days import Absence
from odoo.addons.essms_billing.engine.days import StaySpan
from odoo.addons.essms_billing.engine.days import YearCounters
from odoo.addons.essms_billing.engine.days import classify_days
from odoo.addons.essms_billing.engine.pricing import Tariff

from .engine_fixtures import LONG_STAY
from .engine_fixtures import POLICY_C

JULY = (date(2025, 7, 1), date(2025, 7, 31))
HOLIDAYS = public_holidays({2025})


def stay_input(tariffs=(), decisions=(), requires_decision=True, span=LONG_STAY):
    return StayInput(
        key=1, resident=1, payer=2, stay=span, tariffs=tariffs, policy=POLICY_C, counters=YearCounters(2025),
        billing_term="arrears", requires_decision=requires_decision, decisions=decisions,
    )


def july(stay, absences=()):
    return classify_days(stay.stay, absences, stay.policy, *JULY, YearCounters(2025), HOLIDAYS)


def dates(key, name, accommodation, start, end=None, establishment="Foyer", policy=POLICY_C):
    return controls.StayDates(key, "person", name, establishment, StaySpan(start, end, accommodation), policy)


def test_no_tariff_blocks_and_names_the_days_without_a_price():
    stay = stay_input(requires_decision=False)
    [anomaly] = controls.stay_anomalies("Martin", stay, july(stay))
    assert (anomaly.severity, anomaly.code, anomaly.stay_key) == ("blocking", "no_tariff", 1)
    assert anomaly.message.render() == "Martin: no daily price applies to the stay's accommodation."
    priced = stay_input(tariffs=(Tariff(date(2025, 7, 16), Decimal(180)),), requires_decision=False)
    [anomaly] = controls.stay_anomalies("Martin", priced, july(priced))
    assert anomaly.message.render() == "Martin: no daily price applies from 2025-07-01 to 2025-07-15."


def test_days_without_decision_and_an_expired_decision_are_warnings():
    tariffs = (Tariff(date(2020, 1, 1), Decimal(180)),)
    stay = stay_input(tariffs=tariffs)
    [anomaly] = controls.stay_anomalies("Nodecision", stay, july(stay))
    assert (anomaly.severity, anomaly.code) == ("warning", "no_decision")
    assert "covers 31 days from 2025-07-01 to 2025-07-31" in anomaly.message.render()
    decision = DecisionInput(key=5, payer=2, state="granted", date_effect=date(2024, 1, 1),
                             contribution_mode="none", contribution_monthly=Decimal(0), date_end=date(2025, 7, 15))
    expired = stay_input(tariffs=tariffs, decisions=(decision,))
    [anomaly] = controls.stay_anomalies("Expired", expired, july(expired))
    assert anomaly.code == "decision_expired"
    assert "ended on 2025-07-15" in anomaly.message.render()
    refused = stay_input(tariffs=tariffs, decisions=(replace(decision, state="refused", date_end=None),))
    assert [a.code for a in controls.stay_anomalies("Refused", refused, july(refused))] == ["no_decision"]


def test_overlapping_absences_are_reported_with_the_person():
    stay = stay_input(tariffs=(Tariff(date(2020, 1, 1), Decimal(180)),), requires_decision=False)
    absences = (Absence("personal", date(2025, 7, 3), date(2025, 7, 5)),
                Absence("hospital", date(2025, 7, 5), date(2025, 7, 8)))
    [anomaly] = controls.stay_anomalies("Martin", stay, july(stay, absences))
    assert (anomaly.severity, anomaly.code) == ("warning", "overlapping_absences")
    assert anomaly.message.render() == "Martin: Absences overlap on 2025-07-05: the one starting first is used."


def test_absence_outside_its_stay_blocks():
    inside = controls.AbsenceDates(1, "In", date(2025, 7, 2), date(2025, 7, 4), date(2024, 1, 1))
    outside = controls.AbsenceDates(2, "Out", date(2025, 7, 20), date(2025, 7, 25), date(2024, 1, 1),
                                    date(2025, 7, 22))
    other_month = controls.AbsenceDates(3, "June", date(2025, 6, 2), date(2025, 6, 4), date(2025, 6, 3))
    [anomaly] = controls.absences_outside_stays([inside, outside, other_month], *JULY)
    assert (anomaly.severity, anomaly.code, anomaly.stay_key) == ("blocking", "absence_outside_stay", 2)
    assert anomaly.message.render() == (
        "Out: the absence from 2025-07-20 to 2025-07-25 lies outside the stay (2024-01-01 – 2025-07-22)."
    )
    before = controls.AbsenceDates(4, "Open", date(2023, 12, 30), date(2024, 1, 2), date(2024, 1, 1))
    [anomaly] = controls.absences_outside_stays([before], date(2024, 1, 1), date(2024, 1, 31))
    assert anomaly.message.render().endswith("(2024-01-01 – no end).")


def test_day_billed_twice_follows_the_entry_and_exit_day_rules():
    full = dates(1, "Twice", "full_board", date(2024, 1, 1))
    day_care = dates(2, "Twice", "day_care", date(2025, 7, 7), date(2025, 7, 11), establishment="Accueil de jour")
    [anomaly] = controls.days_billed_twice([full], [full, day_care], *JULY, HOLIDAYS)
    assert (anomaly.severity, anomaly.code, anomaly.stay_key) == ("blocking", "billed_twice", 1)
    # The day care's exit day (Friday 11) is not billed.
    assert anomaly.message.render() == (
        "Twice: 4 days from 2025-07-07 to 2025-07-10 are also billed by the stay at Accueil de jour."
    )
    # Only the stays of the month's establishment are checked; the other establishment checks its own.
    assert controls.days_billed_twice([], [full, day_care], *JULY, HOLIDAYS) == []


def test_days_a_stay_does_not_bill_are_not_billed_twice():
    """Weekends of weekly boarding and closed days of day care are not billed (billing-rules §3): the control used
    to apply only the entry and exit day rules, and flagged them."""
    full = dates(1, "Weekly", "full_board", date(2024, 1, 1))
    weekly = dates(2, "Weekly", "weekly_board", date(2025, 7, 7), date(2025, 7, 14))
    [anomaly] = controls.days_billed_twice([full], [full, weekly], *JULY, HOLIDAYS)
    assert "5 days from 2025-07-07 to 2025-07-11" in anomaly.message.render()
    # Day care on Monday 14 July (a public holiday) and on the weekend before: nothing is billed twice.
    holiday = dates(3, "Holiday", "day_care", date(2025, 7, 12), date(2025, 7, 15))
    assert controls.days_billed_twice([full], [full, holiday], *JULY, HOLIDAYS) == []
    assert not controls.bills_day(date(2025, 7, 14), holiday.span, POLICY_C, HOLIDAYS)
    assert controls.bills_day(date(2025, 7, 15), holiday.span, replace(POLICY_C, exit_day_billed=True), HOLIDAYS)


def test_capacity_is_a_warning_above_places_times_days():
    assert controls.capacity_anomaly(31.0, 1, 31) is None
    assert controls.capacity_anomaly(50.0, 0, 0) is None
    anomaly = controls.capacity_anomaly(32.0, 1, 31)
    assert (anomaly.severity, anomaly.code, anomaly.stay_key) == ("warning", "capacity", None)
    assert anomaly.message.render() == "32.0 days present exceed the capacity of 1 places × days (31)."


def test_capacity_in_days_is_places_times_the_days_of_the_period():
    """§8.5: 40 places in February 2026 (28 days) = 1 120 days; in March, 1 240; no period, none."""
    assert controls.capacity_days(40, date(2026, 2, 1), date(2026, 2, 28)) == 1120
    assert controls.capacity_days(40, date(2026, 3, 1), date(2026, 3, 31)) == 1240
    assert controls.capacity_days(None, date(2026, 3, 1), date(2026, 3, 31)) == 0
    assert controls.capacity_days(40, None, None) == 0
