"""Recovery by a public creditor's accountant (recovery-rules §4, example R5).

- Titres: no titre below the floor (15 € since 2017, CGCT D1611-1, a dated parameter). A run's claims under the
  floor are not issued; ``split_titres`` says which.
- A challenge on the merits must come within 2 months of the notice of the titre (CGCT L1617-5 2°): in time, it
  suspends the titre's enforceability until it is decided (a hold); late, it does not.
- SATD (saisie administrative à tiers détenteur, LPF L262): the accountant orders a third party holding money for
  the debtor (a bank, an employer, the CAF, a pension fund, a notary…) to pay it instead of the debtor, within 30
  days. Never above what the titres still claim, never while the titres are suspended or without the authorising
  officer's permission (permanent or for these titres), never below the threshold the creditor agreed for that
  kind of third party (thresholds are local settings, no legal minimum any more).
  RSA and the *prime d'activité* are never seizable (CASF L262-48, CSS L845-4); the AAH only for the person's own
  upkeep costs at the establishment (CSS L821-5).
  A bank blocks the account for 15 days; it leaves the unseizable balance available (the monthly RSA for one
  person, a dated parameter, CPCE L162-2 and R112-4); an SATD below 2 000 € freezes only its own amount, one of
  2 000 € or more the whole balance less the unseizable part (LPF L262).
- An SATD is an act of enforcement: it interrupts the 4-year prescription of the titres (engine/prescription.py).
"""

from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from .dates import add_months
from .messages import Template
from .messages import _lt
from .money import ZERO
from .money import cents
from .money import to_decimal

CONTEST_MONTHS = 2
BANK_BLOCK_DAYS = 15
THIRD_PARTY_PAYMENT_DAYS = 30

# Third-party kinds (essms.debtor.third.party.kind) and the benefits a CAF or a fund pays (``benefit``).
BANK = "bank"
EMPLOYER = "employer"
CAF = "caf"
PENSION_FUND = "pension_fund"
NOTARY = "notary"
OTHER = "other"
THIRD_PARTY_KINDS = (BANK, EMPLOYER, CAF, PENSION_FUND, NOTARY, OTHER)
RSA = "rsa"
PRIME_ACTIVITE = "prime_activite"
AAH = "aah"
UNSEIZABLE_BENEFITS = (RSA, PRIME_ACTIVITE)

BELOW_FLOOR = Template("titre_below_floor", _lt(
    "%(key)s: %(amount)s € is below the %(floor)s € floor of a titre (CGCT D1611-1): no titre issued."))
NOT_AUTHORISED = Template("satd_not_authorised", _lt(
    "The authorising officer has not authorised enforcement of %(titres)s: no SATD or referral to the "
    "commissaire de justice without that permission (permanent or for these titres)."))
SUSPENDED = Template("satd_suspended", _lt(
    "%(titres)s: enforcement is suspended (%(holds)s) until the contest or the stay is decided."))
UNSEIZABLE = Template("satd_unseizable", _lt(
    "%(third_party)s pays the debtor %(benefit)s, which is never seizable (CASF L262-48, CSS L845-4): no SATD."))
AAH_NOT_UPKEEP = Template("satd_aah_not_upkeep", _lt(
    "%(third_party)s pays the debtor the AAH: it is seizable only for the person's own upkeep costs at the "
    "establishment (CSS L821-5), and %(titres)s are not for those."))
ABOVE_CLAIM = Template("satd_above_claim", _lt(
    "The SATD claims %(amount)s €, more than the %(due)s € still due on %(titres)s."))
BELOW_THRESHOLD = Template("satd_below_threshold", _lt(
    "The SATD claims %(amount)s €, below the %(threshold)s € threshold agreed for a third party of kind "
    "%(kind)s."))
NOT_POSITIVE = Template("satd_not_positive", _lt("The SATD must claim an amount above zero."))
NO_TITRE = Template("satd_no_titre", _lt("An SATD needs at least one titre taken in charge by the accountant."))


@dataclass(frozen=True)
class Titre:
    """A claim of a run about to become a titre: ``key`` names it for the user, ``amount`` its total."""

    key: str
    amount: object


def split_titres(titres, floor):
    """``(issued, refused)``: the titres at or above ``floor``, and the refusal message of each one below."""
    floor = to_decimal(floor)
    issued, refused = [], []
    for titre in titres:
        amount = cents(titre.amount)
        if ZERO < amount < floor:
            refused.append((titre, BELOW_FLOOR(key=titre.key, amount=amount, floor=cents(floor))))
        else:
            issued.append(titre)
    return tuple(issued), tuple(refused)


def contest_deadline(notified):
    """The last day to challenge a titre notified on ``notified`` (2 months)."""
    return add_months(notified, CONTEST_MONTHS)


def contest_in_time(notified, contested):
    return contested <= contest_deadline(notified)


@dataclass(frozen=True)
class SatdRequest:
    """What an SATD is checked against.

    ``titres``: names of the titres it covers; ``due``: what they still claim; ``amount``: what the SATD claims;
    ``kind``/``benefit``: the third party's kind and, for a CAF or a fund, the benefit it pays; ``upkeep``: the
    titres are for the person's own upkeep at the establishment; ``threshold``: the creditor's threshold for that
    kind (0: none); ``authorised``: the authorising officer's permission covers every titre; ``holds``: the
    active contests and stays on them; ``day``: the day it is issued; ``balance``: the bank balance when known;
    ``unseizable``: the monthly RSA for one person in force that day.
    """

    titres: tuple
    due: object
    amount: object
    kind: str
    day: date
    third_party: str = ""
    benefit: str | None = None
    upkeep: bool = True
    threshold: object = 0
    authorised: bool = False
    holds: tuple = ()
    balance: object = None
    unseizable: object = 0


@dataclass(frozen=True)
class SatdResult:
    """``refusals``: why it cannot be issued (nothing is issued then); else ``frozen`` (what the third party
    keeps for the accountant), ``left_available`` (the unseizable balance a bank leaves), ``block_end`` (the
    day a bank's 15-day block ends), ``pay_by`` (the third party's last day to pay)."""

    refusals: tuple
    frozen: object = ZERO
    left_available: object = ZERO
    whole_balance: bool = False
    block_end: date | None = None
    pay_by: date | None = None

    @property
    def ok(self):
        return not self.refusals


def satd(request, full_freeze_from):
    """Check an SATD and compute what it freezes (example R5: 480,00 € to a bank, below 2 000 €: only 480,00 €
    frozen, 646,52 € left available)."""
    titres = ", ".join(request.titres)
    amount, due = cents(request.amount), cents(request.due)
    refusals = []
    if not request.titres:
        refusals.append(NO_TITRE())
    if amount <= ZERO:
        refusals.append(NOT_POSITIVE())
    if not request.authorised:
        refusals.append(NOT_AUTHORISED(titres=titres))
    if request.holds:
        refusals.append(SUSPENDED(titres=titres, holds=", ".join(request.holds)))
    if request.benefit in UNSEIZABLE_BENEFITS:
        refusals.append(UNSEIZABLE(third_party=request.third_party, benefit=request.benefit))
    elif request.benefit == AAH and not request.upkeep:
        refusals.append(AAH_NOT_UPKEEP(third_party=request.third_party, titres=titres))
    if amount > due:
        refusals.append(ABOVE_CLAIM(amount=amount, due=due, titres=titres))
    threshold = cents(request.threshold or 0)
    if ZERO < amount < threshold:
        refusals.append(BELOW_THRESHOLD(amount=amount, threshold=threshold, kind=request.kind))
    if refusals:
        return SatdResult(tuple(refusals))
    pay_by = request.day + timedelta(days=THIRD_PARTY_PAYMENT_DAYS)
    if request.kind != BANK:
        return SatdResult((), frozen=amount, pay_by=pay_by)
    unseizable = cents(request.unseizable)
    whole = amount >= cents(full_freeze_from)
    frozen = amount
    if request.balance is not None:
        seizable = max(cents(request.balance) - unseizable, ZERO)
        frozen = seizable if whole else min(amount, seizable)
    return SatdResult(
        (), frozen=frozen, left_available=unseizable, whole_balance=whole,
        block_end=request.day + timedelta(days=BANK_BLOCK_DAYS), pay_by=pay_by)


def allocate(received, titres_due):
    """Match ``received`` from a third party to the titres, oldest first: ``[(key, amount)]`` for each
    ``(key, due)`` of ``titres_due`` in order; what exceeds the titres is not allocated."""
    left = cents(received)
    result = []
    for key, due in titres_due:
        share = min(left, cents(due))
        if share > ZERO:
            result.append((key, share))
            left -= share
    return result
