"""Autonomy levels (engine/approvals.py), without a database: the most specific rule wins.

The shipped rules: a resident's plan below 2 000 € is the operator's decision, any other plan waits for the finance
director; formal notices are sent by the operator, the director being told; remissions always wait.
"""

from odoo.addons.essms_billing.engine.approvals import APPROVAL_REQUIRED
from odoo.addons.essms_billing.engine.approvals import AUTONOMOUS
from odoo.addons.essms_billing.engine.approvals import AUTONOMOUS_NOTIFY
from odoo.addons.essms_billing.engine.approvals import FORMAL_NOTICE
from odoo.addons.essms_billing.engine.approvals import PLAN
from odoo.addons.essms_billing.engine.approvals import REMISSION
from odoo.addons.essms_billing.engine.approvals import Rule
from odoo.addons.essms_billing.engine.approvals import choose
from odoo.addons.essms_billing.engine.approvals import mode_of

SHIPPED = (
    Rule(1, PLAN, AUTONOMOUS, payer_kind="resident", amount_max=2000),
    Rule(2, PLAN, APPROVAL_REQUIRED, sequence=100),
    Rule(3, FORMAL_NOTICE, AUTONOMOUS_NOTIFY, sequence=100),
    Rule(4, REMISSION, APPROVAL_REQUIRED, sequence=100),
)


def mode(rules, decision_type, amount, payer_kind="resident", company_id=1):
    return mode_of(choose(rules, decision_type, company_id, payer_kind, amount))


def test_resident_plan_below_the_threshold_is_autonomous():
    assert mode(SHIPPED, PLAN, 1999.99) == AUTONOMOUS
    assert mode(SHIPPED, PLAN, 2000) == APPROVAL_REQUIRED, "the upper bound is excluded"
    assert mode(SHIPPED, PLAN, 500, payer_kind="family") == APPROVAL_REQUIRED


def test_formal_notice_and_remission():
    assert mode(SHIPPED, FORMAL_NOTICE, 100000) == AUTONOMOUS_NOTIFY
    assert mode(SHIPPED, REMISSION, 1) == APPROVAL_REQUIRED


def test_company_rule_beats_a_shared_one_and_other_companies_do_not_see_it():
    rules = (*SHIPPED, Rule(5, FORMAL_NOTICE, APPROVAL_REQUIRED, company_id=2, sequence=100))
    assert mode(rules, FORMAL_NOTICE, 10, company_id=2) == APPROVAL_REQUIRED
    assert mode(rules, FORMAL_NOTICE, 10, company_id=1) == AUTONOMOUS_NOTIFY


def test_bounded_amount_beats_an_open_one_then_the_sequence():
    rules = (
        Rule(1, FORMAL_NOTICE, AUTONOMOUS, payer_kind="resident"),
        Rule(2, FORMAL_NOTICE, APPROVAL_REQUIRED, payer_kind="resident", amount_min=5000),
        Rule(3, FORMAL_NOTICE, AUTONOMOUS_NOTIFY, payer_kind="resident", amount_min=5000, sequence=5),
    )
    assert mode(rules, FORMAL_NOTICE, 4999) == AUTONOMOUS
    assert mode(rules, FORMAL_NOTICE, 5000) == AUTONOMOUS_NOTIFY, "same specificity: the lower sequence wins"


def test_no_rule_waits_for_a_manager():
    assert mode((), PLAN, 10) == APPROVAL_REQUIRED
