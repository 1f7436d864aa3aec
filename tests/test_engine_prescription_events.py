"""Prescription with recorded events (engine/prescription.py, recovery-rules §5, example R4), without a database."""

from datetime import date

from odoo.addons.essms_billing.engine import prescription as p
from odoo.addons.essms_billing.engine.prescription import Claim
from odoo.addons.essms_billing.engine.prescription import Event
from odoo.addons.essms_billing.engine.prescription import alert_dates
from odoo.addons.essms_billing.engine.prescription import alert_due
from odoo.addons.essms_billing.engine.prescription import prescription_date
from odoo.addons.essms_billing.engine.prescription import timeline

DUE = date(2024, 3, 15)


def test_example_r4_to_the_day():
    """R4: due 15/03/2024 (2 years), partial payment 10/10/2024, mediation 01/03 to 31/05/2026, formal notice
    01/12/2026 (a written demand to a resident: nothing)."""
    claim = Claim("resident", DUE)
    assert prescription_date(claim) == date(2026, 3, 16)
    claim = Claim("resident", DUE, last_payment=date(2024, 10, 10))
    assert prescription_date(claim) == date(2026, 10, 11)
    mediation = Event(p.SUSPENSION, date(2026, 3, 1), date(2026, 5, 31), key="mediation")
    notice = Event(p.WRITTEN_DEMAND, date(2026, 12, 1), key="notice")
    claim = Claim("resident", DUE, last_payment=date(2024, 10, 10), events=(mediation, notice))
    result = timeline(claim)
    # 224 days were left on 1 March; they run again from 1 June.
    assert (date(2026, 10, 11) - date(2026, 3, 1)).days == 224
    assert result.prescription_date == date(2027, 1, 11)
    assert result.effects == (
        p.Effect("payment", p.INTERRUPTED, date(2026, 10, 11)),
        p.Effect("mediation", p.SUSPENDED, date(2027, 1, 11)),
        p.Effect("notice", p.NO_EFFECT_PRIVATE_DEMAND, date(2027, 1, 11)),
    )
    assert alert_dates(result.prescription_date) == {6: date(2026, 7, 11), 3: date(2026, 10, 11)}
    # The alert due on a day: none before 6 months, the 6-month one, then the 3-month one (it says more).
    assert alert_due(result.prescription_date, date(2026, 7, 10)) is None
    assert alert_due(result.prescription_date, date(2026, 7, 11)) == 6
    assert alert_due(result.prescription_date, date(2026, 10, 11)) == 3


def test_a_recorded_partial_payment_is_the_same_interruption():
    claim = Claim("resident", DUE, events=(Event(p.PARTIAL_PAYMENT, date(2024, 10, 10)),))
    assert prescription_date(claim) == date(2026, 10, 11)


def test_six_months_at_least_after_a_mediation():
    # Barred from 16/03/2026; a mediation from 01/03 to 30/04/2026: 15 days were left, but the period runs again
    # for 6 months after the end: barred from 31/10/2026 (the day after 30/10).
    claim = Claim("resident", DUE, events=(Event(p.SUSPENSION, date(2026, 3, 1), date(2026, 4, 30)),))
    assert prescription_date(claim) == date(2026, 10, 31)


def test_suspension_still_running_pauses_the_clock():
    ongoing = Event(p.SUSPENSION, date(2025, 3, 1), key="m")
    result = timeline(Claim("resident", DUE, events=(ongoing,)))
    assert result.prescription_date is None
    assert result.effects == (p.Effect("m", p.PAUSED, None),)


def test_each_interruption_kind_restarts_a_full_period():
    for kind in (p.ACKNOWLEDGMENT, p.PLAN_SIGNED, p.COURT_ACTION, p.ENFORCEMENT_ACT, p.CLAIM_DECLARATION):
        claim = Claim("other", DUE, events=(Event(kind, date(2025, 6, 10)),))
        assert prescription_date(claim) == date(2030, 6, 11), kind


def test_written_demand_interrupts_a_public_payer_only():
    demand = Event(p.WRITTEN_DEMAND, date(2026, 5, 4), key="d")
    public = timeline(Claim("departement", DUE, events=(demand,)))
    assert public.prescription_date == date(2031, 1, 1)
    assert public.effects[0].kind == p.INTERRUPTED
    private = timeline(Claim("family", DUE, events=(demand,)))
    assert private.prescription_date == date(2026, 3, 16)


def test_an_event_after_the_claim_is_barred_revives_nothing():
    late = Event(p.ACKNOWLEDGMENT, date(2026, 3, 16), key="late")
    result = timeline(Claim("resident", DUE, events=(late,)))
    assert result.prescription_date == date(2026, 3, 16)
    assert result.effects[0].kind == p.NO_EFFECT_BARRED


def test_a_suspension_before_the_due_date_changes_nothing():
    early = Event(p.SUSPENSION, date(2024, 1, 1), date(2024, 2, 1), key="e")
    assert timeline(Claim("resident", DUE, events=(early,))).effects[0].kind == p.NO_EFFECT_BEFORE
    assert prescription_date(Claim("resident", DUE, events=(early,))) == date(2026, 3, 16)


def test_second_demand_of_the_same_year_to_a_public_payer_adds_nothing():
    events = (Event(p.WRITTEN_DEMAND, date(2026, 2, 1), key=1), Event(p.WRITTEN_DEMAND, date(2026, 9, 1), key=2))
    result = timeline(Claim("departement", DUE, events=events))
    assert result.prescription_date == date(2031, 1, 1)
    assert [effect.kind for effect in result.effects] == [p.INTERRUPTED, p.NO_EFFECT_OLDER]


def test_interruption_during_a_running_suspension_gives_a_full_period_once_it_ends():
    events = (Event(p.SUSPENSION, date(2025, 3, 1), key="m"), Event(p.ACKNOWLEDGMENT, date(2025, 4, 1), key="a"))
    result = timeline(Claim("resident", DUE, events=events))
    assert result.prescription_date is None
    assert [effect.kind for effect in result.effects] == [p.PAUSED, p.INTERRUPTED]
