"""The control between the activity and the billing of a month (billing-rules §8.1, §9), without a database: which
detail rows count, and each kind of difference (a day billed twice, a day not billed, days billed without activity,
a component billed twice), with small hand-made rows."""

from odoo.addons.essms_billing.engine import activity_control as control
from odoo.addons.essms_billing.engine.activity_control import Billing
from odoo.addons.essms_billing.engine.activity_control import DetailRow


def days(quantity, kind="full", **values):
    """A detail row of ``quantity`` days at 180.00, on a posted document by default."""
    return DetailRow(kind=kind, quantity=quantity, amount=180.0 * quantity, **values)


def test_what_a_detail_row_is():
    assert control.row_facts("full") == {"day": True, "component_day": False, "contribution": False}
    assert control.row_facts("reservation")["day"]
    # A regularisation bills the kind of the row it corrects.
    assert control.row_facts("regularisation", "reduced")["day"]
    assert not control.row_facts("regularisation", "contribution")["day"]
    assert control.row_facts("regularisation", "contribution")["contribution"]
    # Days reported as not billed, and days of another component, are not accommodation days.
    assert not control.row_facts("not_billed", "full")["day"]
    assert control.row_facts("full", component="care") == {"day": False, "component_day": True,
                                                            "contribution": False}
    assert not control.row_facts("not_billed", "full", component="fjh")["component_day"]


def test_clean_month_has_no_difference():
    billing = control.summarise([days(31, document=1), DetailRow("contribution", -1, -723.32, document=2)])
    assert billing == Billing(invoiced_days=31, gross_amount=5580.0, invoiced_amount=5580.0 - 723.32,
                              document_count=2)
    assert control.compare(31, billing) == control.Comparison(0, False, False, None)


def test_day_billed_twice():
    billing = control.summarise([days(31, document=1), days(1, document=1)])
    result = control.compare(31, billing)
    assert (result.difference_days, result.has_difference, result.without_activity) == (-1, True, False)


def test_day_not_billed_and_a_credit_note_taking_days_back():
    billing = control.summarise([days(19, document=1), days(-2, "regularisation", base_kind="full", document=2)])
    assert billing.invoiced_days == 17 and billing.document_count == 2
    result = control.compare(19, billing)
    assert (result.difference_days, result.has_difference) == (2, True)


def test_days_billed_without_activity():
    result = control.compare(0, control.summarise([days(3)]), has_activity=False)
    assert (result.difference_days, result.has_difference, result.without_activity) == (-3, True, True)
    # A person neither in a statement nor invoiced any day (a contribution alone) is not "without activity".
    alone = control.compare(0, control.summarise([DetailRow("contribution", 1, 50.0)]), has_activity=False)
    assert not alone.without_activity and not alone.has_difference


def test_pending_decision_accrued_until_its_recall_is_posted():
    # The payer's share accrued on a line without a document: to bill on decision, no difference.
    accrued = days(31, has_document=False, posted=False, pending=True)
    billing = control.summarise([accrued])
    assert (billing.invoiced_days, billing.accrued_days, billing.accrued_amount) == (0, 31, 5580.0)
    assert not control.compare(31, billing).has_difference
    # Once a posted recall bills that month, its days are the invoiced ones and the accrual counts no more.
    recalled = DetailRow(**{**accrued.__dict__, "recalled": True})
    billing = control.summarise([recalled, days(31, document=7)])
    assert (billing.invoiced_days, billing.accrued_days, billing.accrued_amount) == (31, 0, 0)
    assert not control.compare(31, billing).has_difference


def test_line_without_document_and_rows_outside_the_scope():
    # A zero line of an invoiced run (no document, no pending decision) counts its days as invoiced.
    assert control.summarise([days(5, has_document=False, posted=False)]).invoiced_days == 5
    # A draft document, or a line of a run not invoiced, is not read at all.
    assert control.summarise([days(5, posted=False)]) == Billing()
    assert control.summarise([days(5, has_document=False, posted=False, run_invoiced=False)]) == Billing()


def test_component_billed_twice_whatever_its_payers():
    rows = [days(31), days(31, component="care"), days(31, component="care"), days(31, component="fjh"),
            days(2, "not_billed", base_kind="full", component="fjh")]
    billing = control.summarise(rows)
    assert billing.component_days == (("care", 62.0), ("fjh", 31.0))
    result = control.compare(31, billing)
    assert (result.difference_days, result.components_over, result.has_difference) == (0, "care", True)
    # Two components over, named in code order.
    assert control.components_over(30, (("fjh", 31.0), ("care", 31.0))) == "care, fjh"


def test_tolerance_of_the_sum_of_floats():
    assert not control.compare(31, Billing(invoiced_days=31.0004)).has_difference
    assert control.compare(31, Billing(invoiced_days=31.5)).has_difference
    assert control.components_over(31, (("care", 31.0005),)) is None
