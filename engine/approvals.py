"""Autonomy levels (recovery-rules §8): who may take a recovery decision.

Each decision type (payment plan, escalation to formal notice, remission) has rules by company, debtor kind and
amount. A rule says the decision is ``autonomous`` (the operator decides alone), ``autonomous_notify`` (the
operator decides, the manager is told) or ``approval_required`` (the decision waits for a manager).

- A rule matches a decision of its type when its company is the decision's or empty, its debtor kind is the
  decision's or empty, and the amount is at least ``amount_min`` and, when ``amount_max`` is set (not 0), below it.
- The most specific matching rule wins: a company's own rule before a shared one, a rule for the debtor kind before
  one for every kind, a rule with amount bounds before one without; then the lower sequence, then the lower key.
- No matching rule: the decision waits for a manager (the safe side).
"""

from dataclasses import dataclass

AUTONOMOUS = "autonomous"
AUTONOMOUS_NOTIFY = "autonomous_notify"
APPROVAL_REQUIRED = "approval_required"

PLAN = "plan"
FORMAL_NOTICE = "formal_notice"
REMISSION = "remission"


@dataclass(frozen=True)
class Rule:
    key: int
    decision_type: str
    mode: str
    company_id: int | None = None
    payer_kind: str | None = None
    amount_min: object = 0  # Decimal or float, in the company's currency
    amount_max: object = 0  # 0: no upper bound
    sequence: int = 10


def matches(rule, decision_type, company_id, payer_kind, amount):
    return (
        rule.decision_type == decision_type
        and rule.company_id in (None, company_id)
        and rule.payer_kind in (None, payer_kind)
        and amount >= rule.amount_min
        and (not rule.amount_max or amount < rule.amount_max)
    )


def specificity(rule):
    """Higher is more specific: own company, own debtor kind, number of amount bounds; then lower sequence."""
    bounds = (1 if rule.amount_min else 0) + (1 if rule.amount_max else 0)
    return (rule.company_id is not None, rule.payer_kind is not None, bounds, -rule.sequence, -rule.key)


def choose(rules, decision_type, company_id, payer_kind, amount):
    """The rule that governs the decision, or ``None`` when none matches."""
    candidates = [rule for rule in rules if matches(rule, decision_type, company_id, payer_kind, amount)]
    return max(candidates, key=specificity) if candidates else None


def mode_of(rule):
    """The decision's mode under ``rule``: without a rule, a manager approves."""
    return rule.mode if rule else APPROVAL_REQUIRED
