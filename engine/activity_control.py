"""The control between the activity and the billing of a month (billing-rules §8.1, §9), without a database.

Per establishment, month and person, the billable days of the validated activity statement are compared with the
days the billing counts for that month. The rule, in the order the control applies it:

1. **What the statement counts** (``ACTIVITY_DAYS``): the days billed at full price, at a reduced price and to the
   resident; the days of absence (``ABSENCE_DAYS``) and present are shown beside them.
2. **What a detail row of a billing line is** (``row_facts``): a day of accommodation (a row billing days,
   ``billing.is_day_row``: its base kind full, reduced or reservation, not a day reported as not billed), a day
   of another component (care, dependency, daily hospital fee), the resident's contribution, or another row. Each
   row counts in the month of its own days.
3. **Which rows the control reads and what each sums** (``SCOPE``, ``MEASURES``): the rows of posted documents
   (invoices and credit notes), and those of the lines of invoiced runs that made no document (amount zero, or a
   payer's share accrued while its decision is pending). A day of a posted document, or of a line without a
   document and without a pending decision, is invoiced; a day accrued on a pending decision counts as *to bill on
   decision* until a posted recall bills that month (then the recall's days are the invoiced ones).
4. **What counts as a difference** (``compare``): the billable days minus the days invoiced and to bill on decision
   (``DIFFERENCE``) beyond ``TOLERANCE``; or a component other than accommodation invoiced for more days than the
   billable days (a day of that component billed twice, whatever its payers, §9). Days invoiced while no validated
   statement has the person are *billed without activity*.

The figures come as plain numbers; ``facts`` are plain booleans. The model's reporting view
(``essms.activity.billing.control``) sums the same rows in one SQL query written from ``SCOPE``, ``MEASURES``,
``DIFFERENCE`` and ``TOLERANCE``; ``summarise`` and ``compare`` do the same in Python (engine tests, and the
view's test that both agree).
"""

from dataclasses import dataclass

from .billing import CONTRIBUTION
from .billing import billed_kind
from .billing import is_day_row

# Below this many days a difference is the rounding of a sum of floats, not a day.
TOLERANCE = 0.001

# Columns of a statement line (essms.activity.statement.line).
ACTIVITY_DAYS = ("days_full_price", "days_reduced", "days_resident")
ABSENCE_DAYS = ("absence_hospital", "absence_personal", "absence_holidays", "absence_family_weekend", "absence_other")

ACCOMMODATION = "accommodation"

# The facts about one detail row the rules read.
FACTS = ("day", "component_day", "contribution", "posted", "has_document", "run_invoiced", "pending", "recalled")

# The rows the control reads: a posted document's, or a line of an invoiced run that made no document.
SCOPE = ({"posted": True}, {"has_document": False, "run_invoiced": True})

# What each figure sums (the quantity or the amount of a row) over the rows that meet one of its conditions; a
# condition names the facts that must be true or false.
QUANTITY = "quantity"
AMOUNT = "amount"
MEASURES = {
    "invoiced_days": (QUANTITY, ({"day": True, "posted": True},
                                 {"day": True, "has_document": False, "pending": False})),
    "accrued_days": (QUANTITY, ({"day": True, "has_document": False, "pending": True, "recalled": False},)),
    "gross_amount": (AMOUNT, ({"posted": True, "contribution": False},)),
    "invoiced_amount": (AMOUNT, ({"posted": True},)),
    "accrued_amount": (AMOUNT, ({"pending": True, "run_invoiced": True, "recalled": False},)),
}
# The days of each component other than accommodation, on posted documents (no day billed twice, §9).
COMPONENT_DAYS = ({"component_day": True, "posted": True},)
# The documents counted on the row.
DOCUMENTS = ({"posted": True},)

# Between the codes of the components billed twice, in code order.
SEPARATOR = ", "

# The difference in days: the billable days, less what is invoiced and what is to bill on decision.
DIFFERENCE = (("activity_days", 1), ("invoiced_days", -1), ("accrued_days", -1))


def row_facts(kind, base=None, component=ACCOMMODATION):
    """What a detail row is: ``{"day", "component_day", "contribution"}`` as booleans; which rows bill days is
    ``billing.is_day_row``."""
    bills_days = is_day_row(kind, base or "")
    return {
        "day": bills_days and component == ACCOMMODATION,
        "component_day": bills_days and component != ACCOMMODATION,
        "contribution": billed_kind(kind, base or "") == CONTRIBUTION,
    }


def holds(conditions, facts):
    """Whether ``facts`` (a dict of booleans) meet one of ``conditions`` (as in ``MEASURES``)."""
    return any(all(bool(facts[fact]) == wanted for fact, wanted in condition.items()) for condition in conditions)


@dataclass(frozen=True)
class DetailRow:
    """One detail row of a billing line, with its line's document and run: ``posted`` (its document is posted),
    ``has_document``, ``run_invoiced``, ``pending`` (the line's payer waits for a decision), ``recalled`` (a
    posted recall has billed that pending month since)."""

    kind: str
    quantity: float
    amount: float = 0.0
    base_kind: str = None
    component: str = ACCOMMODATION
    posted: bool = True
    has_document: bool = True
    run_invoiced: bool = True
    pending: bool = False
    recalled: bool = False
    document: object = None  # the document's key, to count the documents

    def facts(self):
        return {**row_facts(self.kind, self.base_kind, self.component), "posted": self.posted,
                "has_document": self.has_document, "run_invoiced": self.run_invoiced, "pending": self.pending,
                "recalled": self.recalled}


@dataclass(frozen=True)
class Billing:
    """What the billing counts for one person's month: the ``MEASURES``, the days per other component (a tuple of
    ``(component, days)``) and the number of posted documents."""

    invoiced_days: float = 0.0
    accrued_days: float = 0.0
    gross_amount: float = 0.0
    invoiced_amount: float = 0.0
    accrued_amount: float = 0.0
    component_days: tuple = ()
    document_count: int = 0


def summarise(rows):
    """``Billing`` of the detail rows of one person's month (``DetailRow``); the rows outside ``SCOPE`` are
    left out."""
    totals = dict.fromkeys(MEASURES, 0.0)
    components = {}
    documents = set()
    for row in rows:
        facts = row.facts()
        if not holds(SCOPE, facts):
            continue
        for name, (value, conditions) in MEASURES.items():
            if holds(conditions, facts):
                totals[name] += row.quantity if value == QUANTITY else row.amount
        if holds(COMPONENT_DAYS, facts):
            components[row.component] = components.get(row.component, 0.0) + row.quantity
        if holds(DOCUMENTS, facts):
            documents.add(row.document)
    return Billing(**totals, component_days=tuple(sorted(components.items())), document_count=len(documents))


@dataclass(frozen=True)
class Comparison:
    """The control's verdict on one person's month."""

    difference_days: float
    has_difference: bool
    without_activity: bool
    components_over: str = None  # the components billed twice, by code, ", " between them


def difference(activity_days, invoiced_days, accrued_days):
    """The billable days less those invoiced and to bill on decision (``DIFFERENCE``)."""
    figures = {"activity_days": activity_days, "invoiced_days": invoiced_days, "accrued_days": accrued_days}
    return sum(sign * figures[name] for name, sign in DIFFERENCE)


def components_over(activity_days, component_days):
    """The components (``(component, days)`` pairs) invoiced for more days than the billable days, by code."""
    over = sorted(component for component, days in component_days if days > activity_days + TOLERANCE)
    return SEPARATOR.join(over) or None


def compare(activity_days, billing, has_activity=True):
    """``Comparison`` of the billable days of the statement (``activity_days``; ``has_activity`` false when no
    validated statement has the person that month) with what the billing counts (``Billing``)."""
    activity_days = activity_days if has_activity else 0.0
    gap = difference(activity_days, billing.invoiced_days, billing.accrued_days)
    over = components_over(activity_days, billing.component_days)
    return Comparison(
        difference_days=gap,
        has_difference=abs(gap) > TOLERANCE or over is not None,
        without_activity=not has_activity and billing.invoiced_days != 0,
        components_over=over,
    )
