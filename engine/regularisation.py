"""Recalls and regularisations: bill only the difference between what is due and what was billed (flow 3).

A past month is recomputed with ``billing.bill`` on today's data (tariffs, decisions, absences); for each
stay, role and payer the result is compared with what the posted invoices and credit notes of the runs
billed for that month. Only the difference is billed, with the reasons a reader needs to check it:

- a pending funding decision now granted: the payer's share accrued while it was pending (§4);
- a decision refused or filed late: days no decision covers fall on the resident (§4);
- a daily price changed retroactively by a decree (§1);
- absences or stay dates corrected after invoicing (§3);
- a contribution decided differently from the provision or the previous decision (§2).

A posted invoice is never edited: a positive difference is a new invoice, a negative one a credit note.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .messages import Template
from .messages import _lt
from .money import ZERO
from .money import SignedAmount
from .money import cents

DIFFERENCE = Template(
    "regularisation_difference",
    _lt("%(date_from)s to %(date_to)s: billed %(billed)s, due %(due)s, difference %(difference)s, because:"),
)
DECISION_GRANTED = Template(
    "regularisation_decision_granted",
    _lt("the funding decision was granted: the payer's share accrued while it was pending, %(accrued)s, is invoiced"),
)
NOW_ON_RESIDENT = Template(
    "regularisation_now_on_resident",
    _lt(
        "days that no funding decision covers (decision refused, or filed late) now fall on the resident: "
        "%(gross)s instead of %(billed_gross)s"
    ),
)
NO_LONGER_DUE = Template(
    "regularisation_no_longer_due",
    _lt("nothing is due any more to this payer for the month: the amount billed is credited"),
)
PRICE_CHANGED = Template(
    "regularisation_price_changed", _lt("the daily price changed from %(old)s to %(new)s (tariff decree)")
)
DAYS_CHANGED = Template(
    "regularisation_days_changed",
    _lt(
        "absences or stay dates were corrected: %(days)s days billed, %(reduced)s at a reduced price, instead of "
        "%(old_days)s and %(old_reduced)s"
    ),
)
GROSS_CHANGED = Template(
    "regularisation_gross_changed", _lt("the amount of the days changed from %(old)s to %(new)s")
)
CONTRIBUTION_CHANGED = Template(
    "regularisation_contribution_changed",
    _lt("the resident contribution changed from %(old)s to %(new)s"),
)
PROVISION_ADJUSTED = Template(
    "regularisation_provision_adjusted",
    _lt("the provision of %(old)s is adjusted to the contribution decided, %(new)s"),
)
RECOMPUTED = Template(
    "regularisation_recomputed", _lt("the month was recomputed with today's tariffs, decisions and absences")
)
DUE_DETAIL = Template("regularisation_due_detail", _lt("Amount due, as computed today:"))

# Names of the detail rows of a recall or a regularisation (billing-rules §13): what is due today less what the
# posted documents billed, per kind and price, dated in the month corrected.
CORRECTION_DETAIL = {
    "full": Template(
        "correction_detail_full", _lt("Correction of %(date_from)s to %(date_to)s: days at the full price")
    ),
    "reduced": Template(
        "correction_detail_reduced",
        _lt("Correction of %(date_from)s to %(date_to)s: days of absence at a reduced price"),
    ),
    "reservation": Template(
        "correction_detail_reservation",
        _lt("Correction of %(date_from)s to %(date_to)s: days of absence at the place reservation price"),
    ),
    "contribution": Template(
        "correction_detail_contribution", _lt("Correction of %(date_from)s to %(date_to)s: resident contribution")
    ),
    "regularisation": Template(
        "correction_detail_regularisation",
        _lt("Correction of %(date_from)s to %(date_to)s: regularisation billed before"),
    ),
}
CORRECTION_REMAINDER = Template(
    "correction_remainder",
    _lt("Correction of %(date_from)s to %(date_to)s: other difference with what was billed"),
)


@dataclass(frozen=True, kw_only=True)
class Billed:
    """What the posted invoices and credit notes of runs billed one stay, role and payer for one month.

    ``accrued``: the payer's share accrued while a decision was pending (never invoiced).
    ``provision``: whether the resident's amount billed was a provision pending a decision.
    """

    amount: Decimal = ZERO
    gross_amount: Decimal = ZERO
    contribution_amount: Decimal = ZERO
    days_billed: Decimal = Decimal(0)
    days_reduced: Decimal = Decimal(0)
    unit_price: Decimal = ZERO
    accrued: Decimal = ZERO
    provision: bool = False
    third_party_amount: Decimal = ZERO


@dataclass(frozen=True)
class Difference:
    """What a recall or regularisation bills: ``due - billed`` per amount, and why, in words."""

    due: Decimal
    billed: Decimal
    amount: Decimal
    gross_amount: Decimal
    contribution_amount: Decimal
    explanation: tuple
    # The contribution collected from the resident's income for the payer (income collected, §2 mode 2): what is
    # due less what the documents billed, so that the third-party money of a month adds up over its runs.
    third_party_amount: Decimal = ZERO


def regularise(due, billed, role, date_from, date_to):
    """The ``Difference`` between ``due`` (a ``billing.BillingResult`` or ``None`` when nothing is due any
    more) and ``billed`` (``Billed`` or ``None`` when nothing was billed), or ``None`` when they agree.

    ``role`` is ``payer`` or ``resident``; the month runs from ``date_from`` to ``date_to``.
    """
    billed = billed or Billed()
    due_amount = cents(due.amount) if due is not None else ZERO
    due_gross = cents(due.gross_amount) if due is not None else ZERO
    due_contribution = cents(due.contribution_amount) if due is not None else ZERO
    amount = due_amount - cents(billed.amount)
    if not amount:
        return None
    reasons = _reasons(due, billed, role, due_gross, due_contribution)
    explanation = [
        DIFFERENCE(
            date_from=date_from,
            date_to=date_to,
            billed=cents(billed.amount),
            due=due_amount,
            difference=SignedAmount(amount),
        ),
        *reasons,
    ]
    if due is not None and due.explanation:
        explanation.append(DUE_DETAIL())
        explanation.extend(due.explanation)
    return Difference(
        due=due_amount,
        billed=cents(billed.amount),
        amount=amount,
        gross_amount=due_gross - cents(billed.gross_amount),
        contribution_amount=due_contribution - cents(billed.contribution_amount),
        explanation=tuple(explanation),
        third_party_amount=(cents(due.third_party_amount) if due is not None else ZERO)
        - cents(billed.third_party_amount),
    )


def _reasons(due, billed, role, due_gross, due_contribution):
    if due is None or not due_amount_or_gross(due):
        return (NO_LONGER_DUE(),)
    reasons = []
    if role == "payer" and billed.accrued and not due.to_bill_on_decision:
        reasons.append(DECISION_GRANTED(accrued=cents(billed.accrued)))
    elif role == "resident" and due_gross > cents(billed.gross_amount) and _out_of_rights(due):
        reasons.append(NOW_ON_RESIDENT(gross=due_gross, billed_gross=cents(billed.gross_amount)))
    else:
        days_changed = (due.days_billed, due.days_reduced) != (billed.days_billed, billed.days_reduced)
        if billed.days_billed and days_changed:
            reasons.append(
                DAYS_CHANGED(
                    days=_days(due.days_billed),
                    reduced=_days(due.days_reduced),
                    old_days=_days(billed.days_billed),
                    old_reduced=_days(billed.days_reduced),
                )
            )
        if billed.unit_price and due.unit_price and cents(due.unit_price) != cents(billed.unit_price):
            reasons.append(PRICE_CHANGED(old=cents(billed.unit_price), new=cents(due.unit_price)))
        elif not reasons and due_gross != cents(billed.gross_amount):
            reasons.append(GROSS_CHANGED(old=cents(billed.gross_amount), new=due_gross))
    if due_contribution != cents(billed.contribution_amount) and (billed.amount or billed.contribution_amount):
        template = PROVISION_ADJUSTED if billed.provision else CONTRIBUTION_CHANGED
        reasons.append(template(old=cents(billed.contribution_amount), new=due_contribution))
    return tuple(reasons) or (RECOMPUTED(),)


def _out_of_rights(due):
    return any(message.code == "out_of_rights_header" for message in due.explanation)


def due_amount_or_gross(due):
    return bool(due.amount or due.gross_amount or due.contribution_amount)


def _days(quantity):
    """Days as the reader writes them: ``31`` or ``10.5``."""
    quantity = Decimal(quantity)
    return f"{quantity.normalize():f}" if quantity != quantity.to_integral() else str(int(quantity))


def months(period_start, period_end):
    """First days of the months from ``period_start`` to ``period_end`` included."""
    result = []
    day = date(period_start.year, period_start.month, 1)
    while day <= period_end:
        result.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return result
