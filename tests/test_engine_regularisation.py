"""Recalls and regularisations (flow 3): only the difference with what was billed, and why, in words."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

from odoo.addons.essms_billing.engine.regularisation import Billed
from odoo.addons.essms_billing.engine.regularisation import months
from odoo.addons.essms_billing.engine.regularisation import regularise

from .test_engine_billing import STAY
from .test_engine_billing import bill_month
from .test_engine_billing import payer

MARCH, MARCH_END = date(2025, 3, 1), date(2025, 3, 31)


def pending_stay(state, date_effect, contribution="723.32"):
    decision = replace(
        STAY.decisions[0], state=state, date_effect=date_effect, contribution_monthly=Decimal(contribution)
    )
    return replace(STAY, stay=replace(STAY.stay, date_start=date(2025, 3, 10)), decisions=(decision,))


def provision_billed():
    """What the regular run of March billed while the decision of example E was pending."""
    return (
        Billed(accrued=Decimal("3446.68")),
        Billed(amount=Decimal("513.32"), contribution_amount=Decimal("513.32"), provision=True),
    )


def test_example_e_granted_recalls_the_accrued_share():
    billing = bill_month(pending_stay("granted", date(2025, 3, 10)), 2025, 3)
    payer_billed, resident_billed = provision_billed()
    difference = regularise(payer(billing), payer_billed, "payer", MARCH, MARCH_END)
    assert difference.amount == Decimal("3446.68")
    assert (difference.gross_amount, difference.contribution_amount) == (Decimal("3960.00"), Decimal("513.32"))
    assert difference.explanation[0].render() == (
        "2025-03-01 to 2025-03-31: billed 0.00, due 3446.68, difference +3446.68, because:"
    )
    assert difference.explanation[1].code == "regularisation_decision_granted"
    # The provision was the contribution decided: nothing to adjust.
    assert regularise(billing.result("resident"), resident_billed, "resident", MARCH, MARCH_END) is None


def test_contribution_decided_lower_than_the_provision_is_credited():
    billing = bill_month(pending_stay("granted", date(2025, 3, 10), contribution="700.00"), 2025, 3)
    difference = regularise(billing.result("resident"), provision_billed()[1], "resident", MARCH, MARCH_END)
    # 700.00 * 22 / 31 = 496.77 instead of 513.32
    assert difference.amount == Decimal("-16.55")
    assert difference.explanation[1].render() == (
        "the provision of 513.32 is adjusted to the contribution decided, 496.77"
    )


def test_filed_late_the_uncovered_share_falls_on_the_resident():
    billing = bill_month(pending_stay("granted", date(2025, 6, 1)), 2025, 3)
    assert payer(billing) is None
    difference = regularise(billing.result("resident"), provision_billed()[1], "resident", MARCH, MARCH_END)
    assert difference.amount == Decimal("3446.68")  # 3 960.00 of days less the provision of 513.32
    assert difference.explanation[1].code == "regularisation_now_on_resident"


def test_retroactive_price_and_corrected_absences_are_explained():
    billing = bill_month(replace(STAY, tariffs=(replace(STAY.tariffs[0], amount=Decimal("186.00")),)), 2025, 4)
    billed = Billed(
        amount=Decimal("4676.68"), gross_amount=Decimal("5400.00"), contribution_amount=Decimal("723.32"),
        days_billed=Decimal(30), unit_price=Decimal("180.00"),
    )
    difference = regularise(payer(billing), billed, "payer", date(2025, 4, 1), date(2025, 4, 30))
    assert difference.amount == Decimal("180.00")
    assert [message.render() for message in difference.explanation[:2]] == [
        "2025-04-01 to 2025-04-30: billed 4676.68, due 4856.68, difference +180.00, because:",
        "the daily price changed from 180.00 to 186.00 (tariff decree)",
    ]
    same = replace(billed, amount=Decimal("4856.68"), gross_amount=Decimal("5580.00"), unit_price=Decimal("186.00"))
    assert regularise(payer(billing), same, "payer", date(2025, 4, 1), date(2025, 4, 30)) is None

    more_days = replace(billed, days_billed=Decimal(31))
    difference = regularise(payer(bill_month(STAY, 2025, 4)), more_days, "payer", date(2025, 4, 1), date(2025, 4, 30))
    assert difference is None  # same amount: nothing to bill, whatever the days say


def test_nothing_due_any_more_credits_what_was_billed():
    difference = regularise(None, Billed(amount=Decimal("100.00")), "payer", MARCH, MARCH_END)
    assert difference.amount == Decimal("-100.00")
    assert difference.explanation[0].render().endswith("difference -100.00, because:")
    assert difference.explanation[1].code == "regularisation_no_longer_due"


def test_months_of_a_period():
    assert months(date(2024, 11, 1), date(2025, 2, 28)) == [
        date(2024, 11, 1), date(2024, 12, 1), date(2025, 1, 1), date(2025, 2, 1)
    ]


def test_income_collected_recall_carries_the_contribution_collected():
    """A stay recorded late (nothing billed for the month) under income collected: the recall invoices the payer the
    gross and carries the contribution as third-party money (§2 mode 2), or the month has nothing to pay over."""
    stay = pending_stay("granted", date(2025, 3, 10))
    stay = replace(stay, decisions=(replace(stay.decisions[0], contribution_mode="income_collected"),))
    due = payer(bill_month(stay, 2025, 3))
    difference = regularise(due, Billed(), "payer", MARCH, MARCH_END)
    assert (difference.amount, difference.third_party_amount) == (Decimal("3960.00"), Decimal("513.32"))
    # Billed once with its contribution, a later correction of the price carries only the difference of it.
    billed = Billed(amount=Decimal("3960.00"), gross_amount=Decimal("3960.00"), third_party_amount=Decimal("513.32"))
    assert regularise(due, billed, "payer", MARCH, MARCH_END) is None
    lower = replace(billed, amount=Decimal("3900.00"), third_party_amount=Decimal("500.00"))
    assert regularise(due, lower, "payer", MARCH, MARCH_END).third_party_amount == Decimal("13.32")
