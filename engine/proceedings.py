"""The deadlines of insolvency, over-indebtedness and court procedures (recovery-rules §3, §6).

- Collective proceedings: declare the claims within 2 months of the publication (BODACC); late, ask for relief
  within 6 months.
- Over-indebtedness: 30 days to contest the debts statement from its receipt.
- Small-claims procedure (claims up to 5 000 €): the debtor answers the commissaire de justice's invitation within
  1 month.
- Payment order (CPC 1411, 1416, 1422): served within 6 months of its date or it lapses; once served, 1 month to
  object; then 1 month to ask for the enforceable formula.

Each deadline is alerted once, a number of days before it (``ALERT_DAYS``; 0: on its day), or at the first run
after that day; the relief only once the declaration deadline has passed. Dates only: no Odoo import.
"""

from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from dateutil.relativedelta import relativedelta

COLLECTIVE = "collective"
OVER_INDEBTEDNESS = "over_indebtedness"
ESTATE = "estate"
SMALL_CLAIMS = "small_claims"
PAYMENT_ORDER = "payment_order"

DECLARATION_MONTHS = 2
RELIEF_MONTHS = 6
CONTEST_DAYS = 30
SMALL_CLAIMS_LIMIT = 5000
ANSWER_MONTHS = 1
SERVE_MONTHS = 6
OBJECTION_MONTHS = 1
FORMULA_MONTHS = 1
# Days before a deadline its alert is given (0: on the day itself).
ALERT_DAYS = {"declaration": 15, "relief": 30, "contest": 10, "answer": 0, "service": 15, "objection": 0,
              "formula": 10}


@dataclass(frozen=True)
class Steps:
    """A proceeding's dated steps; missing ones are None."""

    kind: str
    start: date
    statement: date | None = None  # over-indebtedness: the debts statement received
    declared: date | None = None  # collective: the claims declared
    agreed: date | None = None  # small claims: the debtor's agreement
    served: date | None = None  # payment order: its service
    objection: date | None = None  # payment order: the debtor's objection
    formula: date | None = None  # payment order: the enforceable formula asked
    closed: date | None = None


def deadlines(steps):
    """Every deadline of the proceeding, whatever is done: ``{key: date}``."""
    result = {}
    if steps.kind == COLLECTIVE:
        result["declaration"] = steps.start + relativedelta(months=DECLARATION_MONTHS)
        result["relief"] = steps.start + relativedelta(months=RELIEF_MONTHS)
    if steps.kind == OVER_INDEBTEDNESS and steps.statement:
        result["contest"] = steps.statement + timedelta(days=CONTEST_DAYS)
    if steps.kind == SMALL_CLAIMS:
        result["answer"] = steps.start + relativedelta(months=ANSWER_MONTHS)
    if steps.kind == PAYMENT_ORDER:
        result["service"] = steps.start + relativedelta(months=SERVE_MONTHS)
        if steps.served:
            result["objection"] = steps.served + relativedelta(months=OBJECTION_MONTHS)
            result["formula"] = result["objection"] + relativedelta(months=FORMULA_MONTHS)
    return result


def pending(steps):
    """The deadlines still to watch: what is not done yet, nothing once closed."""
    if steps.closed:
        return {}
    every = deadlines(steps)
    done = {
        "declaration": steps.declared, "relief": steps.declared, "answer": steps.agreed, "service": steps.served,
        "objection": steps.objection or steps.formula, "formula": steps.formula or steps.objection,
    }
    return {key: day for key, day in every.items() if not done.get(key)}


def alerts_due(steps, today, alerted=frozenset()):
    """The keys to alert on ``today``: their day has come (``ALERT_DAYS`` before the deadline), not alerted yet; the
    relief only once the declaration deadline has passed."""
    due = []
    every = deadlines(steps)
    for key, deadline in pending(steps).items():
        if key in alerted or deadline - timedelta(days=ALERT_DAYS[key]) > today:
            continue
        if key == "relief" and today <= every["declaration"]:
            continue
        due.append(key)
    return due


def over_small_claims_limit(total):
    """A small-claims procedure is for claims up to 5 000 € in all."""
    return total > SMALL_CLAIMS_LIMIT


WRITTEN_DEMAND = "written_demand"


def cheapest_interrupting_action(public, amount_due):
    """What interrupts a claim's prescription at least cost (recovery-rules §5, the radar): a public payer, a
    written payment demand; a private debtor, short of an acknowledgment or a payment, the small-claims procedure
    up to its limit, else a payment order."""
    if public:
        return WRITTEN_DEMAND
    return PAYMENT_ORDER if over_small_claims_limit(amount_due) else SMALL_CLAIMS
