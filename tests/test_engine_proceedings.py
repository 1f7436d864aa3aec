"""The deadlines of proceedings and court procedures (engine/proceedings.py, recovery-rules §3, §6), no database."""

from datetime import date

from odoo.addons.essms_billing.engine.proceedings import Steps
from odoo.addons.essms_billing.engine.proceedings import alerts_due
from odoo.addons.essms_billing.engine.proceedings import cheapest_interrupting_action
from odoo.addons.essms_billing.engine.proceedings import deadlines
from odoo.addons.essms_billing.engine.proceedings import over_small_claims_limit
from odoo.addons.essms_billing.engine.proceedings import pending


def test_collective_declaration_and_relief():
    steps = Steps("collective", date(2026, 3, 2))
    assert deadlines(steps) == {"declaration": date(2026, 5, 2), "relief": date(2026, 9, 2)}
    assert alerts_due(steps, date(2026, 4, 16)) == []
    assert alerts_due(steps, date(2026, 4, 17)) == ["declaration"]
    assert alerts_due(steps, date(2026, 4, 18), frozenset({"declaration"})) == []
    # The relief is due 30 days before its deadline, and only once the declaration deadline has passed.
    assert alerts_due(steps, date(2026, 8, 3), frozenset({"declaration"})) == ["relief"]
    assert pending(Steps("collective", date(2026, 3, 2), declared=date(2026, 4, 20))) == {}


def test_small_claims_answer_on_its_day():
    steps = Steps("small_claims", date(2026, 3, 2))
    assert deadlines(steps) == {"answer": date(2026, 4, 2)}
    assert alerts_due(steps, date(2026, 4, 1)) == []
    assert alerts_due(steps, date(2026, 4, 2)) == ["answer"]
    assert pending(Steps("small_claims", date(2026, 3, 2), agreed=date(2026, 3, 20))) == {}
    assert not over_small_claims_limit(5000)
    assert over_small_claims_limit(5000.01)


def test_cheapest_action_interrupting_the_prescription():
    # The radar's advice uses the same small-claims limit as the procedure's own check.
    assert cheapest_interrupting_action(True, 9000) == "written_demand"
    assert cheapest_interrupting_action(False, 5000) == "small_claims"
    assert cheapest_interrupting_action(False, 5000.01) == "payment_order"


def test_payment_order_serve_object_formula():
    order = Steps("payment_order", date(2026, 3, 2))
    assert deadlines(order) == {"service": date(2026, 9, 2)}
    assert alerts_due(order, date(2026, 8, 17)) == []
    assert alerts_due(order, date(2026, 8, 18)) == ["service"]
    served = Steps("payment_order", date(2026, 3, 2), served=date(2026, 8, 20))
    assert pending(served) == {"objection": date(2026, 9, 20), "formula": date(2026, 10, 20)}
    assert alerts_due(served, date(2026, 9, 19)) == []
    assert alerts_due(served, date(2026, 9, 20)) == ["objection"]
    assert alerts_due(served, date(2026, 10, 10), frozenset({"objection"})) == ["formula"]
    # An objection ends both, and so does the formula asked (the time to object is over).
    assert pending(Steps("payment_order", date(2026, 3, 2), served=date(2026, 8, 20),
                         objection=date(2026, 9, 1))) == {}
    assert pending(Steps("payment_order", date(2026, 3, 2), served=date(2026, 8, 20),
                         formula=date(2026, 10, 1))) == {}
    # Closed: nothing to watch.
    assert pending(Steps("payment_order", date(2026, 3, 2), closed=date(2026, 4, 1))) == {}
