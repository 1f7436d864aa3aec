"""Closing claims in the books (recovery-rules §7, examples R1 and R3).

- The write-off entry of claims (admission en non-valeur or créance éteinte): debit the loss (654) and credit each
  claim's receivable account (411, or 416 once reclassified as doubtful) for the amount written off; any impairment
  booked on the claim is reversed (debit 491, credit 7817).
- The reopening of a write-off when the debtor pays later: the claim is put back on its receivable account and the
  amount is revenue of the year (7714, *recouvrements sur créances admises en non-valeur*).
- The year-end impairment proposal: open claims by age bucket and payer kind, each at the policy's rate; public
  payers and claims under a kept payment plan are left out by default; the entry is the difference to the balance of
  last year (a charge on 6817 when it grows, a reversal on 7817 when it shrinks).

Accounts are *roles* here (``LOSS``, ``IMPAIRMENT``…); the models map them to the company's chart. Amounts are
``Decimal`` rounded to the cent (``engine.money``).
"""

from dataclasses import dataclass
from dataclasses import field

from .money import ZERO
from .money import cents
from .money import to_decimal
from .payers import PUBLIC_KINDS  # public payers: not impaired by default (R3)

LOSS = "loss"  # 654
IMPAIRMENT = "impairment"  # 491
IMPAIRMENT_CHARGE = "impairment_charge"  # 6817
IMPAIRMENT_REVERSAL = "impairment_reversal"  # 7817
RECOVERED = "recovered"  # 7714
RECEIVABLE = "receivable"  # the claim's own account: 411 or 416
# A part of a doubtful claim written off: the invoice's own item on 411 is credited for that part, and the
# reclassification's item on 411 debited for it, so that 411 stays level and 416 keeps the rest (see
# ``doubtful_partial_rows``).
DOUBTFUL_INVOICE = "doubtful_invoice"
DOUBTFUL_RECLASSIFICATION = "doubtful_reclassification"



class WriteOffError(ValueError):
    """A write-off that cannot be accounted; ``code`` says why, ``key`` which claim."""

    def __init__(self, code, key=None, amount=None, limit=None):
        super().__init__(code, key, amount, limit)
        self.code = code
        self.key = key
        self.amount = amount
        self.limit = limit


@dataclass(frozen=True)
class WriteOffLine:
    """One claim written off: ``key`` (the invoice), its open amount, the amount written off, the impairment booked
    on it (to reverse), and ``account``, the receivable account it stands on (an id, a code: kept as given)."""

    key: object
    account: object
    open_amount: object
    amount: object
    impairment: object = ZERO


@dataclass(frozen=True)
class EntryLine:
    role: str
    debit: object
    credit: object
    key: object = None  # the claim the line settles (receivable lines)
    account: object = None  # the receivable account, for RECEIVABLE lines


def writeoff_entry(lines):
    """The lines of the write-off entry: per claim, credit its receivable account; one debit of the loss for the
    total; the impairments reversed (debit 491 / credit 7817) for their total. Raises ``WriteOffError`` when an
    amount is not positive or above the claim's open amount, or an impairment is negative or above the amount."""
    entry = []
    total = ZERO
    impaired = ZERO
    for line in lines:
        amount, open_amount = cents(line.amount), cents(line.open_amount)
        impairment = cents(line.impairment or ZERO)
        if open_amount <= ZERO:
            raise WriteOffError("closed", line.key)
        if amount <= ZERO:
            raise WriteOffError("not_positive", line.key, amount)
        if amount > open_amount:
            raise WriteOffError("above_open", line.key, amount, open_amount)
        if impairment < ZERO or impairment > amount:
            raise WriteOffError("impairment", line.key, impairment, amount)
        entry.append(EntryLine(RECEIVABLE, ZERO, amount, line.key, line.account))
        total += amount
        impaired += impairment
    if not entry:
        raise WriteOffError("empty")
    entry.insert(0, EntryLine(LOSS, total, ZERO))
    if impaired > ZERO:
        entry.append(EntryLine(IMPAIRMENT, impaired, ZERO))
        entry.append(EntryLine(IMPAIRMENT_REVERSAL, ZERO, impaired))
    return entry


def doubtful_partial_rows(key, account, amount):
    """A doubtful claim (reclassified 411 -> 416, both items open) written off in part: besides the credit of 416
    for ``amount`` (``writeoff_entry``), credit the invoice's item on 411 (``account``) and debit the
    reclassification's item on 411 for the same amount. Afterwards the invoice owes the rest, 416 holds the rest,
    411 is level, and the two reclassification items both keep the rest open (for the back-to-normal entry or the
    write-off of the rest). Written off whole, nothing is needed: the invoice is matched with the
    reclassification's item directly."""
    amount = cents(amount)
    if amount <= ZERO:
        raise WriteOffError("not_positive", key, amount)
    return [EntryLine(DOUBTFUL_INVOICE, ZERO, amount, key, account),
            EntryLine(DOUBTFUL_RECLASSIFICATION, amount, ZERO, key, account)]


def net_cost(lines):
    """What the write-off costs the year: the loss less the impairments reversed (R1: 850 - 425 = 425)."""
    return sum((cents(line.amount) - cents(line.impairment or ZERO) for line in lines), ZERO)


def reopen_entry(key, account, amount, written_off, reopened=ZERO):
    """Reopening an admission en non-valeur for ``amount`` received later: the claim back on its receivable
    account (debit), the revenue of the year on 7714 (credit). At most what was written off and not reopened yet."""
    amount, left = cents(amount), cents(written_off) - cents(reopened)
    if amount <= ZERO:
        raise WriteOffError("not_positive", key, amount)
    if amount > left:
        raise WriteOffError("above_written_off", key, amount, left)
    return [EntryLine(RECEIVABLE, amount, ZERO, key, account), EntryLine(RECOVERED, ZERO, amount)]


# Year-end impairment ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bucket:
    """Claims overdue from ``min_days`` (included) to ``max_days`` (included; None: no bound), at ``rate`` (0.25)
    for the payer kinds ``kinds`` (empty: every kind not excluded)."""

    label: str
    min_days: int
    max_days: int | None
    rate: object
    kinds: frozenset = field(default_factory=frozenset)

    def holds(self, kind, days):
        return (not self.kinds or kind in self.kinds) and days >= self.min_days and (
            self.max_days is None or days <= self.max_days)


@dataclass(frozen=True)
class Claim:
    key: object
    payer_kind: str
    due_date: object
    open_amount: object
    kept_plan: bool = False


@dataclass(frozen=True)
class ProposalLine:
    bucket: str
    payer_kind: str
    base: object
    rate: object
    amount: object
    keys: tuple


@dataclass(frozen=True)
class ImpairmentProposal:
    lines: tuple
    total: object
    previous: object
    excluded: tuple  # keys of the claims left out (public payers, kept plans)

    @property
    def difference(self):
        """Positive: a charge (6817 / 491); negative: a reversal (491 / 7817)."""
        return self.total - self.previous

    def entry(self):
        """The lines of the year-end entry, empty when the balance does not change."""
        difference = self.difference
        if difference > ZERO:
            return [EntryLine(IMPAIRMENT_CHARGE, difference, ZERO), EntryLine(IMPAIRMENT, ZERO, difference)]
        if difference < ZERO:
            return [EntryLine(IMPAIRMENT, -difference, ZERO), EntryLine(IMPAIRMENT_REVERSAL, ZERO, -difference)]
        return []


def impairment_proposal(claims, buckets, as_of, previous=ZERO, excluded_kinds=PUBLIC_KINDS, exclude_kept_plans=True):
    """The impairment each open claim calls for on ``as_of``, grouped per (bucket, payer kind): the base (the open
    amounts of the bucket), its rate and the amount (base * rate, to the cent, per group). The first bucket holding a
    claim takes it; a claim no bucket holds is not impaired."""
    groups = {}
    excluded = []
    order = {bucket.label: index for index, bucket in enumerate(buckets)}
    for claim in claims:
        amount = cents(claim.open_amount)
        if amount <= ZERO:
            continue
        if claim.payer_kind in excluded_kinds or (exclude_kept_plans and claim.kept_plan):
            excluded.append(claim.key)
            continue
        days = (as_of - claim.due_date).days
        bucket = next((bucket for bucket in buckets if bucket.holds(claim.payer_kind, days)), None)
        if bucket is None:
            continue
        base, keys = groups.get((bucket.label, claim.payer_kind), (ZERO, ()))
        groups[(bucket.label, claim.payer_kind)] = (base + amount, (*keys, claim.key))
    rates = {bucket.label: to_decimal(bucket.rate) for bucket in buckets}
    lines = tuple(
        ProposalLine(label, kind, base, rates[label], cents(base * rates[label]), keys)
        for (label, kind), (base, keys) in sorted(groups.items(), key=lambda item: (order[item[0][0]], item[0][1]))
    )
    total = sum((line.amount for line in lines), ZERO)
    return ImpairmentProposal(lines, total, cents(previous), tuple(excluded))


def allocate(proposal, claims):
    """``{key: amount}``: each claim's share of its group's impairment, its open amount times the rate to the cent,
    the last claim of the group taking the rounding difference, so the shares add up to the group (and the
    proposal's total). A write-off reverses the share of its claim, a payment releases it."""
    open_amounts = {claim.key: cents(claim.open_amount) for claim in claims}
    shares = {}
    for line in proposal.lines:
        given = ZERO
        for index, key in enumerate(line.keys):
            last = index == len(line.keys) - 1
            share = line.amount - given if last else cents(open_amounts[key] * line.rate)
            shares[key] = share
            given += share
    return shares


# Doubtful receivables -----------------------------------------------------------------------------------------

DISPUTE = "dispute"
INSOLVENCY = "insolvency"
FORMAL_NOTICE = "formal_notice"
# The holds that make a claim doubtful (recovery-rules §2 disputes, §6 insolvency and over-indebtedness).
DOUBTFUL_HOLDS = {"dispute": DISPUTE, "collective_proceedings": INSOLVENCY, "over_indebtedness": INSOLVENCY}


@dataclass(frozen=True)
class DoubtfulClaim:
    """An open claim as the reclassification sees it: the reasons of the holds active on the date, the date its
    formal notice was sent (None: none), its open amount and whether it already stands on 416."""

    key: object
    open_amount: object
    hold_reasons: frozenset = frozenset()
    formal_notice: object = None
    doubtful: bool = False


def doubtful_trigger(claim, as_of, notice_days):
    """Why the claim is doubtful on ``as_of`` (dispute, insolvency, formal notice unpaid ``notice_days`` after it was
    sent), or None."""
    for reason in ("dispute", "collective_proceedings", "over_indebtedness"):
        if reason in claim.hold_reasons:
            return DOUBTFUL_HOLDS[reason]
    if claim.formal_notice and (as_of - claim.formal_notice).days >= notice_days:
        return FORMAL_NOTICE
    return None


def reclassification(claims, as_of, notice_days):
    """``(to_doubtful, to_normal)``: the claims to move to 416 with their trigger ``[(key, trigger, amount)]``, and
    the doubtful claims back to normal (paid, or no trigger any more) ``[key]``."""
    to_doubtful, to_normal = [], []
    for claim in claims:
        amount = cents(claim.open_amount)
        trigger = doubtful_trigger(claim, as_of, notice_days) if amount > ZERO else None
        if claim.doubtful and trigger is None:
            to_normal.append(claim.key)
        elif not claim.doubtful and trigger is not None:
            to_doubtful.append((claim.key, trigger, amount))
    return to_doubtful, to_normal
