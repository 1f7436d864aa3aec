"""Residents' money on 467 (billing-rules §2, mode 2) and the two levers (recovery-rules §2). No database.

Worked example M (its own figures): a resident of a foyer de vie whose income the establishment collects.
AAH 1 033,32 € received for January, February and March 2026, plus a pension of 45,18 € in March; contribution
decided 700,00 € a month. Minimum left: 333,32 + 333,32 + 378,50 = 1 045,14 €; paid over: 3 x 700,00 = 2 100,00 €;
income 3 145,14 € = 1 045,14 + 2 100,00: the 467 balance ends at 0.
"""

from datetime import date
from decimal import Decimal

from odoo.addons.essms_billing.engine import resident_money
from odoo.addons.essms_billing.engine.resident_money import ResidentMonth

AAH = Decimal("1033.32")
PENSION = Decimal("45.18")
CONTRIBUTION = Decimal("700.00")
JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)


def example_m():
    months = [
        ResidentMonth(1, "Martin Paul", JAN, AAH, CONTRIBUTION),
        ResidentMonth(1, "Martin Paul", FEB, AAH, CONTRIBUTION),
        ResidentMonth(1, "Martin Paul", MAR, AAH + PENSION, CONTRIBUTION),
    ]
    return months


def test_example_m_minimum_left_each_month():
    outcome = resident_money.pocket_money(example_m())
    assert not outcome.anomalies
    assert [row.minimum_left for row in outcome.rows] == [Decimal("333.32"), Decimal("333.32"), Decimal("378.50")]


def test_example_m_recap_totals_and_zero_balance():
    outcome = resident_money.transfer_recap(example_m())
    assert not outcome.anomalies
    income, left, contribution, paid_over = resident_money.totals(outcome.rows)
    assert (income, left, contribution, paid_over) == (
        Decimal("3145.14"), Decimal("1045.14"), Decimal("2100.00"), Decimal("2100.00")
    )
    assert income - left - paid_over == Decimal("0.00")
    assert not resident_money.check_paid_over(outcome.rows)


def test_a_month_paid_over_is_never_paid_again():
    months = example_m()
    months[1] = ResidentMonth(1, "Martin Paul", FEB, AAH, CONTRIBUTION, paid_over=CONTRIBUTION,
                              paid_over_ref="MISC/2026/03/0002")
    outcome = resident_money.transfer_recap(months)
    assert [row.month for row in outcome.rows] == [JAN, MAR]
    assert [a.code for a in outcome.left_out] == ["already_paid_over"]
    # Paying over the recap reviewed: a month paid meanwhile stops it.
    strict = resident_money.transfer_recap(months, strict=True)
    assert [a.code for a in strict.anomalies] == ["already_paid_over"]
    assert dict(strict.anomalies[0].params)["reference"] == "MISC/2026/03/0002"


def test_pocket_money_twice_is_refused():
    months = [ResidentMonth(1, "Martin Paul", JAN, AAH, CONTRIBUTION, pocket_money_ref="MISC/1")]
    assert [a.code for a in resident_money.pocket_money(months).anomalies] == ["pocket_money_already_paid"]


def test_income_below_the_contribution_is_an_anomaly_not_a_negative_pocket_money():
    months = [ResidentMonth(1, "Martin Paul", JAN, Decimal("650.00"), CONTRIBUTION)]
    assert [a.code for a in resident_money.pocket_money(months).anomalies] == ["income_below_contribution"]
    assert [a.code for a in resident_money.transfer_recap(months).anomalies] == ["income_below_contribution"]


def test_a_month_without_income_yet_waits():
    months = [ResidentMonth(1, "Martin Paul", JAN, Decimal("0"), CONTRIBUTION), *example_m()[1:]]
    outcome = resident_money.transfer_recap(months)
    assert not outcome.anomalies
    assert [row.month for row in outcome.rows] == [FEB, MAR]
    assert [a.code for a in outcome.left_out] == ["no_income"]


def test_a_balance_going_into_debit_is_an_anomaly():
    anomalies = resident_money.check_balances({1: Decimal("300.00")}, {1: Decimal("333.32")}, {1: "Martin Paul"})
    assert [a.code for a in anomalies] == ["balance_in_debit"]
    assert dict(anomalies[0].params)["amount"] == Decimal("33.32")
    assert not resident_money.check_balances({1: Decimal("333.32")}, {1: Decimal("333.32")}, {1: "Martin Paul"})


def test_paid_over_must_equal_the_contribution():
    row = resident_money.RecapRow(1, JAN, AAH, Decimal("333.32"), CONTRIBUTION, Decimal("699.99"))
    assert [a.code for a in resident_money.check_paid_over([row])] == ["paid_over_differs"]


def test_transfer_periods_monthly_and_quarterly():
    assert resident_money.transfer_periods(date(2026, 2, 14), "monthly") == (FEB, MAR)
    assert resident_money.transfer_periods(date(2026, 2, 14), "quarterly") == (JAN, date(2026, 4, 1))
    assert resident_money.transfer_periods(date(2026, 11, 3), "quarterly") == (date(2026, 10, 1), date(2027, 1, 1))
    assert resident_money.transfer_periods(date(2026, 12, 3), "monthly") == (date(2026, 12, 1), date(2027, 1, 1))


def test_levers_after_two_and_three_consecutive_unpaid_months():
    assert not resident_money.levers([JAN]).caf
    two = resident_money.levers([JAN, FEB])
    assert (two.caf, two.departement) == (True, False)
    three = resident_money.levers([JAN, FEB, MAR])
    assert (three.caf, three.departement) == (True, True)
    assert [r.code for r in three.reasons] == ["lever_caf", "lever_departement"]


def test_a_paid_month_in_between_restarts_the_count():
    proposal = resident_money.levers([date(2025, 10, 1), date(2025, 11, 1), JAN, FEB])
    assert proposal.unpaid_months == (JAN, FEB)
    assert (proposal.caf, proposal.departement) == (True, False)


def test_levers_follow_the_settings():
    assert not resident_money.levers([JAN, FEB, MAR], caf_months=0, income_months=4).caf
    assert not resident_money.levers([JAN, FEB, MAR], caf_months=0, income_months=4).departement
    assert resident_money.levers([date(2025, 12, 1), JAN], caf_months=2).caf


def test_no_minimum_left_before_the_month_is_billed():
    months = [ResidentMonth(1, "Martin Paul", JAN, AAH, Decimal("0"), billed=False)]
    assert [a.code for a in resident_money.pocket_money(months).anomalies] == ["contribution_unknown"]
