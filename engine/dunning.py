"""Dunning level selection (recovery-rules §1, §2): which reminder each overdue claim of a debtor reaches.

One debtor at a time, every rule value given as input:

- A claim reaches the highest level of its policy whose delay after the due date has run, but a debtor who
  missed runs advances **one level at a time** (unless the policy allows skipping): the next level is due when
  its own delay after the due date has run *and* the gap between its delay and the current level's has passed
  since the last reminder, so that a late first reminder is not followed by a formal notice the next day.
- The debtor's credits (credit notes, payments not reconciled yet) are netted first, on the oldest claims
  (C. civ. 1342-10): a debt already paid is not reminded, and the amount due shown is what is really due.
- Claims under an active hold are left out (they neither count nor take credits); a hold on the debtor, or a
  deceased debtor, leaves everything out.
- A level is reached only if the debtor's net amount due reaches its minimum amount.
- Public payers never reach a formal notice: those levels are not theirs.

A letter is proposed when at least one claim reaches a new level; it lists every overdue claim still due, each
at its level (the claims that do not advance keep theirs), with the amount due after netting.
"""

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from functools import cached_property

from .money import ZERO
from .money import cents

# Why a debtor gets no letter.
DECEASED = "deceased"
ON_HOLD = "on_hold"
PAID = "paid"
NOTHING_DUE = "nothing_due"
BELOW_MINIMUM = "below_minimum"
NOTHING_NEW = "nothing_new"


@dataclass(frozen=True)
class Level:
    """One step of a policy: ``delay_days`` after the due date, for a debtor owing at least ``min_amount``."""

    key: int
    sequence: int
    delay_days: int
    min_amount: object = ZERO
    formal_notice: bool = False

    @cached_property
    def minimum(self):
        """``min_amount`` rounded to the cent, once (it is compared with every claim of every debtor)."""
        return cents(self.min_amount)


@dataclass(frozen=True)
class Policy:
    levels: tuple
    allow_skip: bool = False
    public_payer: bool = False

    def usable_levels(self):
        """The levels in order; a public payer's never include a formal notice."""
        levels = sorted(self.levels, key=level_order)
        if self.public_payer:
            levels = [level for level in levels if not level.formal_notice]
        return tuple(levels)


@dataclass(frozen=True)
class Claim:
    """An open invoice: its residual today, and the level reached by its last reminder (``None``: never)."""

    key: int
    due_date: date
    residual: object
    level_key: int | None = None
    last_reminder_date: date | None = None
    on_hold: bool = False


@dataclass(frozen=True)
class Debtor:
    key: object
    claims: tuple
    credits: object = ZERO
    on_hold: bool = False
    deceased: bool = False


@dataclass(frozen=True)
class ProposedLine:
    """A claim on the letter: the level it is at after this run, and what is still due on it."""

    claim_key: int
    level_key: int
    residual: object
    amount_due: object
    advanced: bool


@dataclass(frozen=True)
class Proposal:
    """What a run proposes for a debtor: the lines of its letter, or why there is none (``reason``)."""

    debtor_key: object
    lines: tuple = ()
    level_key: int | None = None
    amount_due: object = ZERO
    credits_netted: object = ZERO
    reason: str | None = None
    held_claim_keys: tuple = field(default=())

    @property
    def to_send(self):
        return bool(self.lines)


def net_claims(claims, credits):
    """Net ``credits`` on ``claims``, oldest due date first: ``{claim key: amount still due}`` and the credits
    used. Amounts are rounded to the cent."""
    remaining = cents(credits) if credits else ZERO
    due = {}
    used = ZERO
    for claim in sorted(claims, key=lambda claim: (claim.due_date, claim.key)):
        residual = cents(claim.residual)
        applied = min(residual, remaining) if remaining > 0 else ZERO
        remaining -= applied
        used += applied
        due[claim.key] = residual - applied
    return due, used


def target_level(claim, levels, run_date, allow_skip, amount_due, positions=None):
    """The index in ``levels`` that ``claim`` is at after a run on ``run_date``, ``-1`` for none.

    ``amount_due`` is the debtor's net amount due, compared with each level's minimum. ``positions``: the index
    of each level by key, when the caller has it (``propose``, once per debtor instead of once per claim).
    """
    if positions is None:
        positions = {level.key: index for index, level in enumerate(levels)}
    current = positions.get(claim.level_key, -1)
    overdue = (run_date - claim.due_date).days
    reachable = -1
    for index, level in enumerate(levels):
        if overdue >= level.delay_days and amount_due >= level.minimum:
            reachable = index
    if reachable <= current:
        return current
    if allow_skip:
        return reachable
    step = current + 1
    if claim.last_reminder_date and current >= 0:
        gap = levels[step].delay_days - levels[current].delay_days
        if (run_date - claim.last_reminder_date).days < gap:
            return current
    return step


def propose(debtor, policy, run_date):
    """The letter of ``debtor`` on ``run_date`` under ``policy`` (see the module docstring)."""
    if debtor.deceased:
        return Proposal(debtor.key, reason=DECEASED)
    if debtor.on_hold:
        return Proposal(debtor.key, reason=ON_HOLD)
    held = tuple(claim.key for claim in debtor.claims if claim.on_hold)
    residuals = {
        claim.key: cents(claim.residual) for claim in debtor.claims
        if not claim.on_hold and claim.due_date < run_date
    }
    overdue = [claim for claim in debtor.claims if residuals.get(claim.key, ZERO) > 0]
    if not overdue:
        return Proposal(debtor.key, reason=ON_HOLD if held else NOTHING_DUE, held_claim_keys=held)
    due, used = net_claims(overdue, debtor.credits)
    total = sum(due.values(), ZERO)
    if total <= 0:
        return Proposal(debtor.key, reason=PAID, credits_netted=used, held_claim_keys=held)
    levels = policy.usable_levels()
    order = {level.key: index for index, level in enumerate(levels)}
    lines = []
    advanced = False
    for claim in sorted(overdue, key=lambda claim: (claim.due_date, claim.key)):
        if due[claim.key] <= 0:
            continue
        index = target_level(claim, levels, run_date, policy.allow_skip, total, order)
        if index < 0:
            continue
        moved = claim.level_key != levels[index].key
        advanced = advanced or moved
        lines.append(ProposedLine(claim.key, levels[index].key, residuals[claim.key], due[claim.key], moved))
    if not advanced:
        below = any(
            (run_date - claim.due_date).days >= level.delay_days and total < level.minimum
            for claim in overdue for level in levels
        )
        reason = BELOW_MINIMUM if below and not lines else NOTHING_NEW
        return Proposal(debtor.key, reason=reason, credits_netted=used, held_claim_keys=held)
    top = max(lines, key=lambda line: order[line.level_key]).level_key
    amount = sum((line.amount_due for line in lines), ZERO)
    return Proposal(debtor.key, tuple(lines), top, amount, used, held_claim_keys=held)


def propose_all(debtors, policies, run_date):
    """``propose`` for every ``(debtor, policy key)`` of ``debtors``, ``policies`` by key: a list of proposals."""
    return [propose(debtor, policies[policy_key], run_date) for debtor, policy_key in debtors]


@dataclass(frozen=True)
class Routed:
    """A debtor's proposal and who receives it (``engine.addressee.recipients``): the addressee, and a copy."""

    proposal: Proposal
    addressee: object
    copy: object = None


@dataclass(frozen=True)
class Letter:
    """One letter of a run: every proposal routed to the same addressee (and copy), at the highest of their
    levels, with the credits netted on all of them."""

    addressee: object
    copy: object
    proposals: tuple
    level_key: int
    credits_netted: object = ZERO


def level_order(level):
    """The order of a policy's levels: sequence, then delay, then key (``Policy.usable_levels``)."""
    return (level.sequence, level.delay_days, level.key)


def assemble_letters(routed, levels):
    """The letters of a run from the ``Routed`` proposals that have lines: one per addressee and copy, in the order
    the addressees first appear, so that a guardian gets one letter for all the people it represents.

    ``levels``: ``{level key: Level}`` of the policies concerned; a letter is at the highest level its proposals
    reach, in the policies' order (``level_order``).
    """
    grouped = {}
    for item in routed:
        if item.proposal.to_send:
            grouped.setdefault((item.addressee, item.copy), []).append(item.proposal)
    return [
        Letter(
            addressee,
            copy,
            tuple(proposals),
            max((levels[proposal.level_key] for proposal in proposals), key=level_order).key,
            sum((proposal.credits_netted for proposal in proposals), ZERO),
        )
        for (addressee, copy), proposals in grouped.items()
    ]
