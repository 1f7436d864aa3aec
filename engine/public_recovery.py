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
- An SATD to an employer reaches only the *quotité saisissable* of the wages (LPF L262 refers to the code du
  travail's scale, L3252-2): a yearly scale of net remuneration in seven bands, seized 1/20, 1/10, 1/5, 1/4, 1/3,
  2/3 and all above the last band (R3252-2); every band's limit is raised by a yearly amount per dependent
  (R3252-3); the debtor always keeps the monthly RSA for one person (R3252-5). The limits are dated parameters
  revised each year by decree (2026: décret n° 2025-1299 du 24 décembre 2025; recovery-rules §4).
  ``wage_seizure`` applies it to a monthly net wage, band by band on the monthly limits (the yearly ones / 12, to
  the cent), so that the notice prints quantities x fractions a reader can check.
"""

from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from fractions import Fraction

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
NO_WAGE = Template("satd_no_wage", _lt(
    "An SATD to an employer needs the debtor's monthly net wage: the employer withholds only the seizable part "
    "of it (code du travail R3252-2)."))
NEGATIVE_DEPENDENTS = Template("satd_negative_dependents", _lt(
    "The number of dependents cannot be negative (%(dependents)s)."))
NOTHING_SEIZABLE = Template("satd_nothing_seizable", _lt(
    "A monthly net wage of %(wage)s € leaves nothing seizable once the debtor keeps the %(rsa)s € of the RSA for "
    "one person (code du travail R3252-5): no SATD to the employer."))
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


# The fractions of the wage scale, band by band (code du travail R3252-2); above the last limit: all.
WAGE_FRACTIONS = (Fraction(1, 20), Fraction(1, 10), Fraction(1, 5), Fraction(1, 4), Fraction(1, 3), Fraction(2, 3),
                  Fraction(1))


@dataclass(frozen=True)
class WageBand:
    """One row of the computation: the monthly wage between ``low`` and ``high`` (``None``: no upper limit),
    ``quantity`` of the wage in it, seized at ``fraction``: ``amount``."""

    low: object
    high: object
    fraction: Fraction
    quantity: object
    amount: object


@dataclass(frozen=True)
class WageSeizure:
    """``bands``: the computation band by band; ``scale``: their sum; ``seizable``: what the employer withholds
    each month, the scale's amount capped so that the debtor keeps ``rsa``; ``capped_by_rsa``: the cap applied."""

    wage: object
    dependents: int
    bands: tuple
    scale: object
    rsa: object
    seizable: object
    capped_by_rsa: bool


def monthly_limits(yearly_limits, per_dependent, dependents):
    """The monthly limits of the bands: each yearly limit raised by ``per_dependent`` per dependent, / 12, to the
    cent (R3252-2, R3252-3)."""
    raise_ = to_decimal(per_dependent) * dependents
    return tuple(cents((to_decimal(limit) + raise_) / 12) for limit in yearly_limits)


def wage_seizure(wage, dependents, yearly_limits, per_dependent, rsa):
    """The monthly seizable part of a monthly net ``wage`` (code du travail R3252-2 to R3252-5).

    ``yearly_limits``: the six yearly limits of the scale in force; ``per_dependent``: the yearly raise of each
    limit per dependent; ``rsa``: the monthly RSA for one person, always left to the debtor. Each band's amount is
    its quantity x its fraction, to the cent; the scale's amount is their sum."""
    if len(yearly_limits) != len(WAGE_FRACTIONS) - 1:
        raise ValueError("the wage scale has %d limits" % (len(WAGE_FRACTIONS) - 1))
    if dependents < 0:
        raise ValueError("negative dependents")
    wage, rsa = cents(wage), cents(rsa)
    limits = monthly_limits(yearly_limits, per_dependent, dependents)
    bands, low = [], ZERO
    for fraction, high in zip(WAGE_FRACTIONS, (*limits, None), strict=True):
        if wage <= low:
            break
        top = wage if high is None else min(wage, high)
        quantity = top - low
        amount = cents(quantity * fraction.numerator / fraction.denominator)
        bands.append(WageBand(low=low, high=high, fraction=fraction, quantity=quantity, amount=amount))
        low = high
    scale = sum((band.amount for band in bands), ZERO)
    room = max(wage - rsa, ZERO)
    seizable = min(scale, room)
    return WageSeizure(wage=wage, dependents=dependents, bands=tuple(bands), scale=scale, rsa=rsa,
                       seizable=seizable, capped_by_rsa=seizable < scale)


@dataclass(frozen=True)
class SatdRequest:
    """What an SATD is checked against.

    ``titres``: names of the titres it covers; ``due``: what they still claim; ``amount``: what the SATD claims;
    ``kind``/``benefit``: the third party's kind and, for a CAF or a fund, the benefit it pays; ``upkeep``: the
    titres are for the person's own upkeep at the establishment; ``threshold``: the creditor's threshold for that
    kind (0: none); ``authorised``: the authorising officer's permission covers every titre; ``holds``: the
    active contests and stays on them; ``day``: the day it is issued; ``balance``: the bank balance when known;
    ``unseizable``: the monthly RSA for one person in force that day. For an employer: ``wage`` the debtor's
    monthly net wage (``None``: not typed), ``dependents``, and the wage scale in force, ``wage_limits`` (the six
    yearly limits) and ``wage_per_dependent``; ``unseizable`` is then the RSA the debtor keeps from the wage.
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
    wage: object = None
    dependents: int = 0
    wage_limits: tuple = ()
    wage_per_dependent: object = 0


@dataclass(frozen=True)
class SatdResult:
    """``refusals``: why it cannot be issued (nothing is issued then); else ``frozen`` (what the third party
    keeps for the accountant), ``left_available`` (the unseizable balance a bank leaves), ``block_end`` (the
    day a bank's 15-day block ends), ``pay_by`` (the third party's last day to pay); for an employer
    ``wage_seizure`` (the computation of the seizable part) and ``monthly`` (what the employer withholds each month:
    the seizable part, capped at the SATD's amount)."""

    refusals: tuple
    frozen: object = ZERO
    left_available: object = ZERO
    whole_balance: bool = False
    block_end: date | None = None
    pay_by: date | None = None
    wage_seizure: WageSeizure | None = None
    monthly: object = ZERO

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
    wages = None
    if request.kind == EMPLOYER:
        if request.dependents < 0:
            refusals.append(NEGATIVE_DEPENDENTS(dependents=request.dependents))
        if request.wage is None or cents(request.wage) <= ZERO:
            refusals.append(NO_WAGE())
        elif request.dependents >= 0:
            wages = wage_seizure(request.wage, request.dependents, request.wage_limits, request.wage_per_dependent,
                                 request.unseizable)
            if wages.seizable <= ZERO:
                refusals.append(NOTHING_SEIZABLE(wage=wages.wage, rsa=wages.rsa))
    if refusals:
        return SatdResult(tuple(refusals))
    pay_by = request.day + timedelta(days=THIRD_PARTY_PAYMENT_DAYS)
    if wages is not None:
        return SatdResult((), frozen=amount, pay_by=pay_by, wage_seizure=wages, monthly=min(wages.seizable, amount))
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
