"""Residents' money when the establishment collects their income (billing-rules §2, mode 2; recovery-rules §2).

Under *perception des ressources* the establishment cashes the resident's income (AAH paid by the CAF,
pensions, other), leaves the resident the monthly minimum (*argent de poche*), and pays the contribution the
département decided over to the département. That money is the resident's and the département's, never the
association's revenue: it goes through account 467 with the resident as partner, and the account must end
each month at what is still owed to the resident.

Per resident and month:
``minimum left = income received - contribution decided`` (the contribution of the month is the one the
billing computed: decided monthly amount, prorated, holidays exonerated); it may not be negative, since the
establishment cannot pay over more than it received.

The nominative recap of a transfer to the département lists, per resident and month, the income received,
the minimum left, the contribution and the amount paid over. The controls: the amount paid over equals the
contribution decided, a month is paid over once, and no resident's 467 balance is in debit.

The levers on unpaid contributions (recovery-rules §2): after ``caf_months`` consecutive unpaid months the
CAF may be asked to pay the AAH to the establishment (CASF R344-31, default 2 months); after ``income_months``
the département may be asked to collect the resident's income (CASF L132-4, default 3 months). Both are
dated, per-company settings; the months are counted from the oldest unpaid one up to the last one due.
"""

from dataclasses import dataclass
from datetime import date

from .messages import Template
from .messages import _lt
from .money import ZERO
from .money import cents

INCOME_BELOW_CONTRIBUTION = Template(
    "income_below_contribution",
    _lt(
        "%(resident)s, %(month)s: the income received (%(income)s) is below the contribution decided "
        "(%(contribution)s): record the missing income before paying the minimum left."
    ),
)
NO_INCOME = Template(
    "no_income",
    _lt("%(resident)s, %(month)s: no income was received for this month yet: nothing can be paid over."),
)
ALREADY_PAID_OVER = Template(
    "already_paid_over",
    _lt("%(resident)s, %(month)s: the contribution was already paid over (%(reference)s)."),
)
CONTRIBUTION_UNKNOWN = Template(
    "contribution_unknown",
    _lt("%(resident)s, %(month)s: the month is not invoiced yet, its contribution is not known: the minimum left "
        "is paid once the month is billed."),
)
POCKET_MONEY_ALREADY_PAID = Template(
    "pocket_money_already_paid",
    _lt("%(resident)s, %(month)s: the minimum left was already paid (%(reference)s)."),
)
BALANCE_IN_DEBIT = Template(
    "balance_in_debit",
    _lt(
        "%(resident)s: this would leave the third-party account (467) in debit by %(amount)s: more would be "
        "paid out than was received for the resident."
    ),
)
PAID_OVER_DIFFERS = Template(
    "paid_over_differs",
    _lt(
        "%(resident)s, %(month)s: %(paid_over)s would be paid over for a contribution decided of "
        "%(contribution)s."
    ),
)
LEVER_CAF = Template(
    "lever_caf",
    _lt("%(months)s consecutive months of contribution unpaid: the CAF may be asked to pay the AAH directly "
        "(R344-31)."),
)
LEVER_DEPARTEMENT = Template(
    "lever_departement",
    _lt("%(months)s consecutive months of contribution unpaid: the département may be asked to collect the "
        "resident's income (L132-4)."),
)


@dataclass(frozen=True)
class ResidentMonth:
    """What the 467 account knows of one resident and month, and what the billing decided.

    ``pocket_money_ref`` and ``paid_over_ref`` name the entry that already paid it, if any.
    """

    resident_key: object
    resident: str
    month: date
    income: object
    contribution: object
    pocket_money_paid: object = ZERO
    paid_over: object = ZERO
    pocket_money_ref: str = ""
    paid_over_ref: str = ""
    billed: bool = True


@dataclass(frozen=True)
class RecapRow:
    """One row of the nominative recap: income received, minimum left, contribution, amount paid over."""

    resident_key: object
    month: date
    income: object
    minimum_left: object
    contribution: object
    paid_over: object


@dataclass(frozen=True)
class Outcome:
    """The rows to act on and the anomalies that block them (nothing is written when there is one); ``left_out``:
    the months not acted on and why (income not received yet, already paid over), for the user to read."""

    rows: tuple
    anomalies: tuple
    left_out: tuple = ()


def _month_label(month):
    return month.strftime("%m/%Y")


def pocket_money(months):
    """The minimum left to pay for each ``ResidentMonth``: income received less the contribution decided.

    A month already paid, a month without income or one whose income does not cover the contribution is an
    anomaly; the caller writes nothing when there is one.
    """
    rows, anomalies = [], []
    for item in months:
        income, contribution = cents(item.income), cents(item.contribution)
        label = _month_label(item.month)
        if item.pocket_money_ref:
            anomalies.append(POCKET_MONEY_ALREADY_PAID(resident=item.resident, month=label,
                                                      reference=item.pocket_money_ref))
            continue
        if income <= ZERO:
            anomalies.append(NO_INCOME(resident=item.resident, month=label))
            continue
        if not item.billed:
            anomalies.append(CONTRIBUTION_UNKNOWN(resident=item.resident, month=label))
            continue
        left = income - contribution
        if left < ZERO:
            anomalies.append(INCOME_BELOW_CONTRIBUTION(resident=item.resident, month=label, income=income,
                                                       contribution=contribution))
            continue
        rows.append(RecapRow(item.resident_key, item.month, income, left, contribution, ZERO))
    return Outcome(tuple(rows), tuple(anomalies))


def transfer_recap(months, strict=False):
    """The nominative recap of a transfer: for each ``ResidentMonth`` with a contribution, the amount paid over.

    The amount paid over is the contribution decided, and only once. A month whose income is below the
    contribution is an anomaly. A month without income yet, or already paid over, is left out (it is paid over by
    the transfer of its period once its income is received); with ``strict`` (the recap reviewed is being paid
    over) a month already paid over meanwhile is an anomaly.
    """
    rows, anomalies, left_out = [], [], []
    for item in sorted(months, key=lambda m: (m.resident, m.month)):
        income, contribution = cents(item.income), cents(item.contribution)
        label = _month_label(item.month)
        if contribution <= ZERO:
            continue
        if item.paid_over_ref:
            message = ALREADY_PAID_OVER(resident=item.resident, month=label, reference=item.paid_over_ref)
            (anomalies if strict else left_out).append(message)
            continue
        if income <= ZERO:
            left_out.append(NO_INCOME(resident=item.resident, month=label))
            continue
        if income < contribution:
            anomalies.append(INCOME_BELOW_CONTRIBUTION(resident=item.resident, month=label, income=income,
                                                       contribution=contribution))
            continue
        rows.append(RecapRow(item.resident_key, item.month, income, income - contribution, contribution,
                             contribution))
    return Outcome(tuple(rows), tuple(anomalies), tuple(left_out))


def check_paid_over(rows):
    """The control of a recap: each row pays over exactly the contribution decided."""
    return tuple(
        PAID_OVER_DIFFERS(resident=str(row.resident_key), month=_month_label(row.month),
                          paid_over=cents(row.paid_over), contribution=cents(row.contribution))
        for row in rows
        if cents(row.paid_over) != cents(row.contribution)
    )


def check_balances(balances, outgoing, names):
    """Residents whose 467 balance would go into debit once ``outgoing`` is paid out.

    ``balances``: ``{resident: credit balance held for them}``; ``outgoing``: ``{resident: amount to pay out}``.
    """
    anomalies = []
    for key, amount in outgoing.items():
        after = cents(balances.get(key, ZERO)) - cents(amount)
        if after < ZERO:
            anomalies.append(BALANCE_IN_DEBIT(resident=names[key], amount=-after))
    return tuple(anomalies)


def totals(rows):
    """The recap's totals: income, minimum left, contribution, paid over."""
    return (
        sum((cents(row.income) for row in rows), ZERO),
        sum((cents(row.minimum_left) for row in rows), ZERO),
        sum((cents(row.contribution) for row in rows), ZERO),
        sum((cents(row.paid_over) for row in rows), ZERO),
    )


def transfer_periods(month, rhythm):
    """The period a transfer to the département covers for ``month``: the month, or its calendar quarter."""
    if rhythm == "quarterly":
        first = date(month.year, 3 * ((month.month - 1) // 3) + 1, 1)
    else:
        first = date(month.year, month.month, 1)
    count = 3 if rhythm == "quarterly" else 1
    year, index = divmod(first.month - 1 + count, 12)
    end = date(first.year + year, index + 1, 1)
    return first, end


@dataclass(frozen=True)
class LeverProposal:
    """The levers open for a resident: ``caf`` (R344-31), ``departement`` (L132-4), the unpaid months."""

    caf: bool
    departement: bool
    unpaid_months: tuple
    reasons: tuple


def levers(unpaid_months, caf_months=2, income_months=3):
    """Which levers the consecutive unpaid months of contribution open.

    ``unpaid_months``: the first days of the months whose contribution is still unpaid after its due date.
    Only the latest run of consecutive months counts: a month paid in between restarts the count.
    """
    months = sorted(set(unpaid_months))
    run = []
    for month in months:
        if run and (month.year * 12 + month.month) - (run[-1].year * 12 + run[-1].month) != 1:
            run = []
        run.append(month)
    count = len(run)
    caf = bool(caf_months) and count >= caf_months
    departement = bool(income_months) and count >= income_months
    reasons = []
    if caf:
        reasons.append(LEVER_CAF(months=count))
    if departement:
        reasons.append(LEVER_DEPARTEMENT(months=count))
    return LeverProposal(caf, departement, tuple(run), tuple(reasons))
