"""One billing computation for a batch of stays and a month (billing-rules §1 to §4).

``bill()`` is what a billing run calls once per batch. For each stay it classifies the days
(``days``), assigns each billable day to whoever bears it, prices the days (``pricing``) and applies
the resident contribution (``contribution``):

- a day covered by a funding decision is borne by the decision's payer (the département of the
  *domicile de secours*), less the contribution prorated over the days the decision covers;
- while the decision is pending, the resident pays a provision computed like the contribution and
  the payer's share is accrued, not invoiced, to be recalled once the decision is granted (§4);
- a day that no decision covers, when the payer requires one (refused, filed late, not yet in
  effect), falls on the resident at the full price, and is reported as out of rights (§8.2);
- a day after the yearly absence quota may be charged to the resident at full price (§3);
- a stay whose payer needs no individual decision (health insurance) is billed to the agreement's
  payer without contribution.

In arrears the month is billed as it happened. In advance the month is billed as if the resident were
present every day of the stay, and the absences of the previous month are regularised on the same
invoice: what was due minus what was billed in advance.

The other components of the stay (care, dependency by GIR, the daily hospital fee: ``components``,
billing-rules §9 to §11) are priced for the same days and added to the result of the payer that bears
each, or to a new result of that payer: each payer gets one result per stay, with only its share. An
accommodation billed to the resident (an EHPAD's private payer) is the resident's result. A stay that
cannot be priced (``StayInput.blocking``, or a component without payer, tariff, GIR group or resources)
gets one empty result naming what to fill in, and ``blocked``: nothing is invoiced for that person.

Every result carries its ``details`` (billing-rules §13): one ``Detail`` per price (days at the full
price, days at each reduced price), the contribution deducted or due, the regularisation of the previous
month (the days and prices that changed, naming that month) and the days not billed. Their amounts add up
to what the result invoices or accrues, and each is a quantity times a unit price a reader can check.
"""

from dataclasses import dataclass
from dataclasses import replace
from datetime import date
from datetime import timedelta
from decimal import Decimal

from . import components as component_rules
from .contribution import Resources
from .contribution import check_minimum_left
from .contribution import minimum_left
from .contribution import month_contribution
from .contribution import split_contribution
from .dates import add_months
from .dates import month_end
from .dates import public_holidays
from .days import PAYER_STATUSES
from .days import AbsencePolicy
from .days import DayStatus
from .days import StaySpan
from .days import YearCounters
from .days import classify_days
from .decisions import filing_deadline
from .messages import Template
from .messages import _lt
from .money import ZERO
from .money import cents
from .pricing import price_days

PENDING_STATES = ("to_file", "filed", "appealed")
GRANTED_STATES = ("granted", "partially_granted")

OUT_OF_RIGHTS = Template(
    "out_of_rights",
    _lt(
        "%(days)s days from %(date_from)s to %(date_to)s are not covered by a funding decision: "
        "they are charged to the resident."
    ),
)
DECISION_REFUSED = Template(
    "decision_refused", _lt("The funding decision was refused: the days it would cover fall on the resident.")
)
NOT_FILED = Template("not_filed", _lt("The request for social aid is not filed yet; it must be filed by %(deadline)s."))
NOT_FILED_LATE = Template(
    "not_filed_late",
    _lt(
        "The request for social aid is not filed and the deadline of %(deadline)s has passed: the decision "
        "will not take effect on the entry day."
    ),
)
CONTRIBUTION_CAPPED = Template(
    "contribution_capped",
    _lt(
        "The contribution of %(contribution)s exceeds the amount of the days billed, %(gross)s: "
        "it is limited to that amount."
    ),
)
NO_CONTRIBUTION_FOR_PROVISION = Template(
    "no_contribution_for_provision",
    _lt("No contribution is known for the pending decision: the resident's provision is 0.00."),
)

PENDING_HEADER = Template(
    "pending_header",
    _lt("Funding decision pending: the payer's share is accrued, not invoiced."),
)
OUT_OF_RIGHTS_HEADER = Template(
    "out_of_rights_header", _lt("Days not covered by a funding decision, charged to the resident:")
)
GROSS = Template("gross", _lt("Gross amount: %(amount)s"))
CONTRIBUTION_DEDUCTED = Template("contribution_deducted", _lt("Resident contribution deducted: %(amount)s"))
CONTRIBUTION_COLLECTED = Template(
    "contribution_collected",
    _lt(
        "Resident contribution %(amount)s collected from the resident's income and paid over to the payer "
        "(third-party money)"
    ),
)
NET = Template("net", _lt("Amount: %(amount)s"))
TOTAL = Template("total", _lt("Total with the regularisation: %(amount)s"))
ACCRUED = Template("accrued", _lt("Payer's share to bill on decision: %(amount)s (accrued, not invoiced)"))
RESIDENT_CONTRIBUTION = Template("resident_contribution", _lt("Contribution: %(amount)s"))
RESIDENT_PROVISION = Template(
    "resident_provision", _lt("Provision pending the funding decision: %(amount)s (computed like the contribution)")
)
STAY_ENDED = {
    "departure": Template("stay_ended_departure", _lt("Departure on %(day)s")),
    "death": Template("stay_ended_death", _lt("Death on %(day)s")),
    "transfer": Template("stay_ended_transfer", _lt("Transfer to another establishment on %(day)s")),
}
ADVANCE = Template(
    "advance", _lt("Billed in advance from %(date_from)s to %(date_to)s, as if present every day of the stay")
)
REGULARISATION = Template(
    "regularisation",
    _lt(
        "Regularisation from %(date_from)s to %(date_to)s: due %(due)s, billed in advance %(billed)s, "
        "difference %(difference)s"
    ),
)


DETAIL_CONTRIBUTION = Template("detail_contribution", _lt("Resident contribution deducted"))
DETAIL_RESIDENT_CONTRIBUTION = Template("detail_resident_contribution", _lt("Resident contribution"))
DETAIL_RESIDENT_PROVISION = Template(
    "detail_resident_provision", _lt("Provision pending the funding decision (computed like the contribution)")
)
DETAIL_REGULARISATION = {
    "full": Template(
        "detail_regularisation_full",
        _lt("Regularisation of %(date_from)s to %(date_to)s, billed in advance as if present: days at the full price"),
    ),
    "reduced": Template(
        "detail_regularisation_reduced",
        _lt(
            "Regularisation of %(date_from)s to %(date_to)s, billed in advance as if present: days of absence at a "
            "reduced price"
        ),
    ),
    "reservation": Template(
        "detail_regularisation_reservation",
        _lt(
            "Regularisation of %(date_from)s to %(date_to)s, billed in advance as if present: days of absence at the "
            "place reservation price"
        ),
    ),
    "contribution": Template(
        "detail_regularisation_contribution",
        _lt("Regularisation of %(date_from)s to %(date_to)s, billed in advance as if present: resident contribution"),
    ),
    "regularisation": Template(
        "detail_regularisation", _lt("Regularisation of %(date_from)s to %(date_to)s")
    ),
}

MERGED = {
    "full": Template("detail_full", _lt("%(quantity)s days at the full price (present, or absent without reduction)")),
    "reduced": Template("detail_reduced", _lt("%(quantity)s days of absence at a reduced price")),
    "reservation": Template("detail_reservation", _lt("%(quantity)s days of absence at the place reservation price")),
    "not_billed": Template("detail_not_billed", _lt("%(quantity)s days not billed")),
}

# Kinds of detail rows (``essms.billing.line.detail.kind``).
FULL = "full"
REDUCED = "reduced"
RESERVATION = "reservation"
CONTRIBUTION = "contribution"
REGULARISATION_KIND = "regularisation"
NOT_BILLED = "not_billed"
DAY_KINDS = (FULL, REDUCED, RESERVATION)


def billed_kind(kind, base_kind=""):
    """The kind a detail row bills: its own, or for a regularisation the kind of the row it corrects."""
    return base_kind or kind


def is_day_row(kind, base_kind=""):
    """Whether a detail row bills days at a price (full, reduced, reservation), of its month or regularising an
    earlier one: not a contribution, not the days reported as not billed. Every document, report and control
    counts the days billed with it (in SQL: ``essms_billing_line_detail.day_row_sql``)."""
    return billed_kind(kind, base_kind) in DAY_KINDS and kind != NOT_BILLED


@dataclass(frozen=True, kw_only=True)
class Detail:
    """One row of a result: ``quantity`` x ``unit_price`` = ``amount`` (billing-rules §13).

    ``kind``: full, reduced, reservation (days at that price), contribution (quantity 1, deducted from
    the payer: negative, or due by the resident: positive), regularisation (an earlier month, dated in
    it; ``base_kind`` says what it regularises), not_billed (days of the stay not billed: ``quantity``
    counts them, at no price). ``reason``: a ``Message`` saying what the row is.
    """

    kind: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    date_from: date
    date_to: date
    reason: object
    component: str = "accommodation"
    base_kind: str = ""


@dataclass(frozen=True, kw_only=True)
class DecisionInput:
    """A funding decision (``essms.funding.decision``): who pays, from when, and the contribution.

    ``date_effect`` comes from ``decisions.date_of_effect``; a pending decision without one (request
    not filed) provisionally covers the stay from entry. ``date_filing_deadline`` (from
    ``decisions.filing_deadline``, extension included) defaults to two months after entry.
    """

    key: object
    payer: object
    state: str  # to_file | filed | granted | partially_granted | refused | appealed
    date_effect: date | None
    contribution_mode: str  # net_billing | income_collected | none
    contribution_monthly: Decimal
    date_end: date | None = None
    date_filing_deadline: date | None = None

    @property
    def pending(self):
        return self.state in PENDING_STATES

    def covers(self, day, entry_date):
        if self.state not in PENDING_STATES + GRANTED_STATES:
            return False
        start = self.date_effect or entry_date
        return start <= day and (self.date_end is None or day <= self.date_end)


@dataclass(frozen=True, kw_only=True)
class StayInput:
    """Everything the engine needs about one stay for one period.

    ``counters``: the yearly absence counters before the month whose absences are settled (the
    billed month in arrears, the previous month in advance). ``requires_decision``: whether the
    payer bills only days covered by a funding decision (départements) or not (health insurance).
    ``resources``: the resident's ``contribution.Resources``, to check the legal minimum left.
    """

    key: object
    resident: object
    payer: object
    stay: StaySpan
    tariffs: tuple
    policy: AbsencePolicy
    counters: YearCounters
    billing_term: str  # arrears | advance
    requires_decision: bool
    absences: tuple = ()
    decisions: tuple = ()
    resources: Resources | None = None
    components: tuple = ()  # components.ComponentInput: care, dependency, FJH (billing-rules §9)
    blocking: tuple = ()  # problems found by the caller that forbid billing the person (Message)
    agreement: object = None  # the accommodation agreement's key
    date_room_cleared: date | None = None  # after a death: accommodation billed until then (§11)
    reservation_tariffs: tuple = ()  # the agreement's place reservation prices (a policy reducing to them, §3)


@dataclass(frozen=True)
class BillingResult:
    """What one payer, or the resident (``role="resident"``), is billed for one stay and period.

    ``amount`` is invoiced now; ``to_bill_on_decision`` is accrued until a pending decision is taken;
    ``third_party_amount`` is the contribution collected from the resident's income for the payer;
    ``regularisation_amount`` is the part of ``amount`` that regularises the previous month (advance).
    """

    stay_key: object
    role: str  # payer | resident
    payer: object
    decision_key: object
    days_billed: Decimal = Decimal(0)
    days_reduced: Decimal = Decimal(0)
    unit_prices: tuple = ()
    gross_amount: Decimal = ZERO
    contribution_amount: Decimal = ZERO
    amount: Decimal = ZERO
    to_bill_on_decision: Decimal = ZERO
    third_party_amount: Decimal = ZERO
    regularisation_amount: Decimal = ZERO
    anomalies: tuple = ()
    explanation: tuple = ()
    details: tuple = ()
    agreement: object = None  # the agreement of the result's first component (None: the stay's)

    @property
    def unit_price(self):
        """The main daily price (the first one billed), for a single-price display."""
        return self.unit_prices[0] if self.unit_prices else ZERO

    def render(self):
        return "\n".join(message.render() for message in self.explanation)


@dataclass(frozen=True)
class StayBilling:
    """The results of one stay: one per payer and decision, one for the resident, only when non-empty.

    ``days`` classifies the month whose absences were settled; ``counters`` stand after it.
    """

    stay_key: object
    results: tuple
    days: object
    counters: YearCounters
    anomalies: tuple = ()
    blocked: bool = False  # nothing may be invoiced for the person: ``results`` holds one empty result saying why

    def result(self, role, decision_key=None):
        """The result of ``role`` (and decision), or ``None``: a convenience for callers and tests."""
        for result in self.results:
            if result.role == role and (role == "resident" or result.decision_key == decision_key):
                return result
        return None


def bill(stays, period_start, period_end, fjh, holidays_set=None):
    """Bill ``stays`` (``StayInput``) for the month from ``period_start`` to ``period_end``.

    ``fjh``: the daily hospital fee in force at each date (``parameters.DatedValues``).
    ``holidays_set``: public holidays; by default those of France for the years concerned.
    """
    if holidays_set is None:
        years = {period_start.year - 1, period_start.year}
        years.update(absence.first_day().year for stay in stays for absence in stay.absences)
        holidays_set = public_holidays(years)
    return [_bill_stay_components(stay, period_start, period_end, fjh, holidays_set) for stay in stays]


def _bill_stay_components(stay, period_start, period_end, fjh, holidays_set):
    """The accommodation of ``stay`` (``_bill_stay``), then each other component added to its payer's result; a
    stay that cannot be priced (``blocking``) gets one empty result naming what to fill in, and nothing else."""
    billing = _bill_stay(_accommodation_stay(stay), period_start, period_end, fjh, holidays_set)
    blocking = list(stay.blocking)
    shares = []
    anomalies = []
    for component in stay.components:
        computed = _component_shares(stay, component, period_start, period_end, fjh, holidays_set)
        shares.extend(computed.shares)
        anomalies.extend(computed.anomalies)
        blocking.extend(computed.blocking)
    if blocking:
        blocked = BillingResult(
            stay_key=stay.key, role="resident", payer=stay.resident, decision_key=None,
            anomalies=tuple(dict.fromkeys(blocking)), explanation=tuple(dict.fromkeys(blocking)),
        )
        return replace(billing, results=(blocked,), blocked=True)
    results = [_with_agreement(result, stay.agreement) for result in billing.results]
    results = _resident_pays_accommodation(stay, results)
    for share in shares:
        results = _merge_share(stay, results, share)
    if anomalies:
        results = _add_anomalies(stay, results, anomalies)
    return replace(billing, results=tuple(results))


def _resident_pays_accommodation(stay, results):
    """An accommodation billed to the resident (EHPAD private payer) is the resident's result, not a payer's."""
    own = [result for result in results if result.role == "payer" and result.payer == stay.resident]
    if not own:
        return results
    others = [result for result in results if result not in own]
    resident = next((result for result in others if result.role == "resident"), None)
    merged = replace(own[0], role="resident", decision_key=None)
    for extra in own[1:] + ([resident] if resident else []):
        merged = replace(
            merged,
            gross_amount=merged.gross_amount + extra.gross_amount,
            contribution_amount=merged.contribution_amount + extra.contribution_amount,
            amount=merged.amount + extra.amount,
            anomalies=tuple(dict.fromkeys((*merged.anomalies, *extra.anomalies))),
            explanation=(*merged.explanation, *extra.explanation),
            details=(*merged.details, *extra.details),
        )
    return [merged, *(result for result in others if result is not resident)]


def _accommodation_stay(stay):
    """The stay as its accommodation is billed: after a death, until the room is cleared, at most 6 days (§11)."""
    span = stay.stay
    if span.end_reason != "death" or not span.date_end or not stay.date_room_cleared:
        return stay
    end = min(stay.date_room_cleared, span.date_end + timedelta(days=6))
    if end <= span.date_end:
        return stay
    return replace(stay, stay=replace(span, date_end=end))


def _component_days(stay, component, start, end, holidays_set, as_present=False):
    policy = component.policy or stay.policy
    if as_present:
        return classify_days(stay.stay, (), policy, start, end, YearCounters(start.year), holidays_set).days
    return classify_days(stay.stay, stay.absences, policy, start, end, stay.counters, holidays_set).days


def _component_shares(stay, component, period_start, period_end, fjh, holidays_set):
    """The shares of one component: the month as it happened (arrears), or as if present every day plus the
    regularisation of the previous month, each payer's rows netted (advance)."""
    if component.billing_term != "advance":
        days = _component_days(stay, component, period_start, period_end, holidays_set)
        return component_rules.compute(component, days, fjh)
    billed = component_rules.compute(
        component, _component_days(stay, component, period_start, period_end, holidays_set, True), fjh
    )
    settled_start = add_months(period_start, -1)
    settled_end = month_end(settled_start)
    actual = component_rules.compute(
        component, _component_days(stay, component, settled_start, settled_end, holidays_set), fjh
    )
    projected = component_rules.compute(
        component, _component_days(stay, component, settled_start, settled_end, holidays_set, True), fjh
    )
    shares = list(billed.shares)
    keys = dict.fromkeys((share.payer, share.resident) for share in (*actual.shares, *projected.shares))
    for payer, resident in keys:
        rows = regularisation_details(
            _share_details(actual.shares, payer, resident),
            _share_details(projected.shares, payer, resident),
            DETAIL_REGULARISATION,
            settled_start,
            settled_end,
        )
        if rows:
            shares.append(
                component_rules.Share(
                    component=component.component, agreement=component.agreement, payer=payer, resident=resident,
                    rows=rows,
                )
            )
    return component_rules.Computed(
        shares=tuple(shares),
        anomalies=(*billed.anomalies, *actual.anomalies),
        blocking=(*billed.blocking, *actual.blocking),
    )


def _share_details(shares, payer, resident):
    return tuple(
        detail
        for share in shares
        if share.payer == payer and share.resident == resident
        for detail in _details_of(share)
    )


def _details_of(share):
    """A share's rows as ``Detail`` (regularisation rows are already ``Detail``)."""
    details = []
    for row in share.rows:
        if isinstance(row, Detail):
            details.append(row)
            continue
        details.append(
            Detail(
                kind=row.kind,
                quantity=row.quantity,
                unit_price=row.unit_price,
                amount=row.amount,
                date_from=row.date_from,
                date_to=row.date_to,
                reason=row.reason,
                component=share.component,
            )
        )
    return tuple(details)


def _with_agreement(result, agreement):
    return result if result.agreement is not None else replace(result, agreement=agreement)


def _target(stay, results, share):
    """The index of the result that bears ``share`` (the resident's, or the payer's), or ``None``."""
    for index, result in enumerate(results):
        if share.resident and result.role == "resident":
            return index
        if not share.resident and result.role == "payer" and result.payer == share.payer:
            return index
    return None


def _merge_share(stay, results, share):
    """``results`` with ``share`` added to the result of its payer, or to a new result of that payer."""
    details = _details_of(share)
    amount = sum((detail.amount for detail in details), ZERO)
    gross = sum((detail.amount for detail in details if detail.kind in (*DAY_KINDS, REGULARISATION_KIND)), ZERO)
    reasons = tuple(detail.reason for detail in details)
    index = _target(stay, results, share)
    if index is None:
        if not details:
            return results
        resident = share.resident or share.payer == stay.resident
        new = BillingResult(
            stay_key=stay.key,
            role="resident" if resident else "payer",
            payer=stay.resident if resident else share.payer,
            decision_key=None if resident else share.decision,
            days_billed=sum((detail.quantity for detail in details if detail.kind in DAY_KINDS), Decimal(0)),
            unit_prices=tuple(dict.fromkeys(detail.unit_price for detail in details if detail.kind in DAY_KINDS)),
            gross_amount=gross,
            amount=amount,
            explanation=(*reasons, NET(amount=amount)),
            details=details,
            agreement=share.agreement,
        )
        return [*results, new]
    result = results[index]
    pending = bool(result.to_bill_on_decision) and not result.amount
    merged = replace(
        result,
        gross_amount=result.gross_amount + gross,
        amount=result.amount if pending else result.amount + amount,
        to_bill_on_decision=result.to_bill_on_decision + amount if pending else result.to_bill_on_decision,
        details=(*result.details, *details),
        explanation=(
            *result.explanation,
            *reasons,
            TOTAL(amount=(result.to_bill_on_decision if pending else result.amount) + amount),
        ),
    )
    return [*results[:index], merged, *results[index + 1:]]


def _add_anomalies(stay, results, anomalies):
    """Anomalies of the components (days not billed...) on the resident's result, else on the first."""
    index = next((i for i, result in enumerate(results) if result.role == "resident"), 0 if results else None)
    if index is None:
        return [
            BillingResult(
                stay_key=stay.key, role="resident", payer=stay.resident, decision_key=None,
                anomalies=tuple(anomalies), explanation=tuple(anomalies),
            )
        ]
    result = results[index]
    merged = replace(result, anomalies=tuple(dict.fromkeys((*result.anomalies, *anomalies))))
    return [*results[:index], merged, *results[index + 1:]]


def _bill_stay(stay, period_start, period_end, fjh, holidays_set):
    if stay.billing_term != "advance":
        days = classify_days(
            stay.stay, stay.absences, stay.policy, period_start, period_end, stay.counters, holidays_set
        )
        return _stay_billing(stay, _settle(stay, days, period_start, fjh), days)

    billed = _settle(stay, _as_present(stay, period_start, period_end, holidays_set), period_start, fjh)
    billed = {
        key: _prepend(result, ADVANCE(date_from=period_start, date_to=period_end)) for key, result in billed.items()
    }
    settled_start = add_months(period_start, -1)
    settled_end = month_end(settled_start)
    actual_days = classify_days(
        stay.stay, stay.absences, stay.policy, settled_start, settled_end, stay.counters, holidays_set
    )
    actual = _settle(stay, actual_days, settled_start, fjh)
    projected = _settle(stay, _as_present(stay, settled_start, settled_end, holidays_set), settled_start, fjh)
    for key in dict.fromkeys([*actual, *projected]):
        empty = _empty(stay, key)
        difference = _regularise(actual.get(key, empty), projected.get(key, empty), settled_start, settled_end)
        if difference is not None:
            billed[key] = _add(billed.get(key, empty), difference)
    return _stay_billing(stay, billed, actual_days)


def _stay_billing(stay, results, days):
    kept = tuple(result for result in results.values() if _is_significant(result))
    return StayBilling(stay.key, kept, days, days.counters, days.anomalies)


def _is_significant(result):
    return any(
        (
            result.days_billed,
            result.gross_amount,
            result.amount,
            result.to_bill_on_decision,
            result.contribution_amount,
            result.third_party_amount,
            result.anomalies,
        )
    )


def _as_present(stay, start, end, holidays_set):
    """The month as billed in advance: the stay's days, no absence."""
    return classify_days(stay.stay, (), stay.policy, start, end, YearCounters(start.year), holidays_set)


def _covering_decision(stay, day):
    return next((decision for decision in stay.decisions if decision.covers(day, stay.stay.date_start)), None)


def _settle(stay, classification, period_start, fjh):
    """The results of one month from its classified days, keyed by (role, decision key)."""
    by_payer = {}
    uncovered = []
    after_quota = []
    for day in classification.days:
        if day.status == DayStatus.OUTSIDE_STAY:
            continue
        if day.status == DayStatus.ABSENT_RESIDENT:
            after_quota.append(day)
            continue
        decision = _covering_decision(stay, day.day)
        if decision is None and stay.requires_decision:
            uncovered.append(day)
        else:
            by_payer.setdefault(("payer", decision.key if decision else None), (decision, []))[1].append(day)

    results = {}
    owed = []
    for key, (decision, days) in by_payer.items():
        results[key], contribution = _payer_result(stay, decision, days, period_start, fjh)
        if contribution:
            owed.append((contribution, decision.pending))
    results[("resident", None)] = _resident_result(stay, uncovered, after_quota, owed, classification, fjh)

    last_day = classification.days[-1].day
    end = stay.stay
    if end.end_reason in STAY_ENDED and end.date_end and period_start <= end.date_end <= last_day:
        ended = STAY_ENDED[end.end_reason](day=end.date_end)
        results = {key: _append(result, ended) for key, result in results.items()}
    return results


def _payer_result(stay, decision, days, period_start, fjh):
    """The payer's result for its days, and the contribution (or provision) the resident owes."""
    policy = stay.policy
    priced = price_days(days, stay.tariffs, policy, fjh, stay.reservation_tariffs)
    gross = priced.gross
    pending = decision is not None and decision.pending
    explanation = [PENDING_HEADER()] if pending else []
    explanation.extend(priced.explanation(policy))
    explanation.append(GROSS(amount=gross))
    anomalies = list(priced.anomalies)

    mode = decision.contribution_mode if decision is not None else "none"
    contribution = ZERO
    days_in_stay = sum(1 for day in days if day.in_stay)
    if mode != "none" and days_in_stay:
        monthly = _monthly_contribution(stay, decision, anomalies)
        holiday_days = sum((day.absence_share for day in days if day.absence_kind == "holidays"), Decimal(0))
        month = month_contribution(
            monthly,
            days_in_stay,
            period_start,
            policy.contribution_proration,
            holiday_days,
            policy.holiday_contribution_exoneration,
        )
        contribution = month.amount
        explanation.extend(month.explanation)
        if contribution > gross:
            anomalies.append(CONTRIBUTION_CAPPED(contribution=contribution, gross=gross))
            contribution = gross
    split = split_contribution(gross, contribution, mode)
    if mode == "net_billing" and contribution:
        explanation.append(CONTRIBUTION_DEDUCTED(amount=contribution))
    if split.third_party_amount:
        explanation.append(CONTRIBUTION_COLLECTED(amount=split.third_party_amount))
    explanation.append(ACCRUED(amount=split.payer_amount) if pending else NET(amount=split.payer_amount))
    details = list(price_details(priced.lines, policy))
    if mode == "net_billing" and contribution:
        details.append(_contribution_detail(-contribution, days, DETAIL_CONTRIBUTION()))
    result = BillingResult(
        stay_key=stay.key,
        role="payer",
        payer=decision.payer if decision is not None else stay.payer,
        decision_key=decision.key if decision is not None else None,
        days_billed=priced.quantity(*PAYER_STATUSES),
        days_reduced=priced.quantity(DayStatus.ABSENT_REDUCED),
        unit_prices=priced.unit_prices,
        gross_amount=gross,
        contribution_amount=contribution,
        amount=ZERO if pending else split.payer_amount,
        to_bill_on_decision=split.payer_amount if pending else ZERO,
        third_party_amount=split.third_party_amount,
        anomalies=tuple(anomalies),
        explanation=tuple(explanation),
        details=tuple(details),
    )
    return result, split.resident_amount


def _monthly_contribution(stay, decision, anomalies):
    """The decided monthly contribution; for a pending decision without one, the proposed amount."""
    monthly = cents(decision.contribution_monthly)
    if stay.resources is not None:
        proposal = minimum_left(stay.resources)
        if not monthly and decision.pending:
            monthly = proposal.contribution
        warning = check_minimum_left(monthly, stay.resources.monthly, proposal.minimum_left)
        if warning:
            anomalies.append(warning)
    if not monthly and decision.pending:
        anomalies.append(NO_CONTRIBUTION_FOR_PROVISION())
    return monthly


def _resident_result(stay, uncovered, after_quota, owed, classification, fjh):
    """The resident's result: days out of rights, days after the quota, contributions and provisions."""
    policy = stay.policy
    uncovered_priced = price_days(uncovered, stay.tariffs, policy, fjh, stay.reservation_tariffs)
    quota_priced = price_days(after_quota, stay.tariffs, policy, fjh, stay.reservation_tariffs)
    out_of_rights = [day for day in uncovered if day.status in PAYER_STATUSES]
    explanation = []
    anomalies = [*uncovered_priced.anomalies, *quota_priced.anomalies]
    if out_of_rights:
        explanation.append(OUT_OF_RIGHTS_HEADER())
        explanation.extend(uncovered_priced.explanation(policy))
        anomalies.append(
            OUT_OF_RIGHTS(days=len(out_of_rights), date_from=out_of_rights[0].day, date_to=out_of_rights[-1].day)
        )
    explanation.extend(quota_priced.explanation(policy))
    if any(decision.state == "refused" for decision in stay.decisions):
        anomalies.append(DECISION_REFUSED())
    for decision in stay.decisions:
        if decision.state == "to_file":
            deadline = decision.date_filing_deadline or filing_deadline(stay.stay.date_start)
            late = deadline < classification.days[-1].day
            anomalies.append((NOT_FILED_LATE if late else NOT_FILED)(deadline=deadline))

    contribution = ZERO
    details = list(price_details((*uncovered_priced.lines, *quota_priced.lines), policy))
    in_stay = [day for day in classification.days if day.in_stay]
    for amount, pending in owed:
        contribution += amount
        explanation.append((RESIDENT_PROVISION if pending else RESIDENT_CONTRIBUTION)(amount=amount))
        reason = DETAIL_RESIDENT_PROVISION() if pending else DETAIL_RESIDENT_CONTRIBUTION()
        details.append(_contribution_detail(amount, in_stay, reason))
    gross = uncovered_priced.gross + quota_priced.gross
    amount = gross + contribution
    if explanation:
        explanation.append(NET(amount=amount))
    return BillingResult(
        stay_key=stay.key,
        role="resident",
        payer=stay.resident,
        decision_key=None,
        days_billed=uncovered_priced.quantity(*PAYER_STATUSES) + quota_priced.quantity(DayStatus.ABSENT_RESIDENT),
        unit_prices=tuple(dict.fromkeys((*uncovered_priced.unit_prices, *quota_priced.unit_prices))),
        gross_amount=gross,
        contribution_amount=contribution,
        amount=amount,
        anomalies=tuple(anomalies),
        explanation=tuple(explanation),
        details=tuple(details),
    )


def price_details(lines, policy):
    """The detail rows of priced days (``pricing.PriceLine``): one per kind and price, then one per reason of
    days not billed. Lines of one price are merged (present days and short absences at the full price are
    one row); a row that merges several lines is named by its kind, a single line keeps its explanation."""
    groups = {}
    for line in lines:
        if not line.quantity:
            key = (NOT_BILLED, line.reason)
        elif line.status == DayStatus.ABSENT_REDUCED:
            key = (RESERVATION if policy.reduction_kind == "reservation" else REDUCED, line.unit_price)
        else:
            key = (FULL, line.unit_price)
        groups.setdefault(key, []).append(line)
    details = []
    for (kind, _price), grouped in groups.items():
        first = grouped[0]
        quantity = sum((line.quantity for line in grouped), Decimal(0))
        if kind == NOT_BILLED:
            quantity = Decimal(sum(line.days for line in grouped))
        reason = first.explanation(policy) if len(grouped) == 1 else MERGED[kind](quantity=quantity)
        details.append(
            Detail(
                kind=kind,
                quantity=quantity,
                unit_price=ZERO if kind == NOT_BILLED else first.unit_price,
                amount=sum((line.amount for line in grouped), ZERO),
                date_from=min(line.date_from for line in grouped),
                date_to=max(line.date_to for line in grouped),
                reason=reason,
            )
        )
    return tuple(details)


def _contribution_detail(amount, days, reason):
    """The contribution as one row: 1 x the amount (negative when deducted from the payer)."""
    return Detail(
        kind=CONTRIBUTION,
        quantity=Decimal(1),
        unit_price=amount,
        amount=amount,
        date_from=days[0].day,
        date_to=days[-1].day,
        reason=reason,
    )


def regularisation_details(actual, projected, templates, date_from, date_to):
    """Detail rows of ``actual`` minus ``projected`` (two sequences of ``Detail``), as regularisation rows.

    Rows of the same kind and price are netted: a month billed in advance at 30 days x 200.49 whose 5 days
    of hospital were reduced comes back as -5 days x 200.49 at the full price and +5 days x 177.49 at the
    reduced price. ``templates`` names each row from its base kind (``full``, ``reduced``, ``contribution``
    and ``regularisation``), filled with the month's ``date_from`` and ``date_to``.
    """
    rows = {}
    for sign, details in ((1, actual), (-1, projected)):
        for detail in details:
            if detail.kind == NOT_BILLED:
                continue
            base = detail.base_kind or detail.kind
            price = None if base in (CONTRIBUTION, REGULARISATION_KIND) else detail.unit_price
            row = rows.setdefault((detail.component, base, price), [Decimal(0), ZERO])
            row[0] += sign * detail.quantity
            row[1] += sign * detail.amount
    result = []
    for (component, base, price), (quantity, amount) in rows.items():
        if not amount and not quantity:
            continue
        if price is None:
            quantity, price = Decimal(1), amount
        template = templates.get(base) or templates[REGULARISATION_KIND]
        result.append(
            Detail(
                kind=REGULARISATION_KIND,
                quantity=quantity,
                unit_price=price,
                amount=amount,
                date_from=date_from,
                date_to=date_to,
                reason=template(date_from=date_from, date_to=date_to),
                component=component,
                base_kind=base,
            )
        )
    return tuple(result)


def _empty(stay, key):
    role, decision_key = key
    payer = (
        stay.resident
        if role == "resident"
        else next((decision.payer for decision in stay.decisions if decision.key == decision_key), stay.payer)
    )
    return BillingResult(stay_key=stay.key, role=role, payer=payer, decision_key=decision_key)


def _prepend(result, message):
    return replace(result, explanation=(message, *result.explanation)) if _is_significant(result) else result


def _append(result, message):
    return replace(result, explanation=(*result.explanation, message)) if _is_significant(result) else result


def _regularise(actual, projected, date_from, date_to):
    """The difference between what a month was due and what was billed for it in advance, or ``None``."""
    difference = replace(
        actual,
        days_billed=Decimal(0),
        days_reduced=Decimal(0),
        unit_prices=(),
        gross_amount=actual.gross_amount - projected.gross_amount,
        contribution_amount=actual.contribution_amount - projected.contribution_amount,
        amount=actual.amount - projected.amount,
        to_bill_on_decision=actual.to_bill_on_decision - projected.to_bill_on_decision,
        third_party_amount=actual.third_party_amount - projected.third_party_amount,
        regularisation_amount=actual.amount - projected.amount,
        details=regularisation_details(
            actual.details, projected.details, DETAIL_REGULARISATION,
            date_from, date_to,
        ),
        explanation=(
            REGULARISATION(
                date_from=date_from,
                date_to=date_to,
                due=actual.amount,
                billed=projected.amount,
                difference=actual.amount - projected.amount,
            ),
            *actual.explanation,
        ),
    )
    if not any(
        (
            difference.gross_amount,
            difference.contribution_amount,
            difference.amount,
            difference.to_bill_on_decision,
            difference.third_party_amount,
        )
    ):
        return None
    return difference


def _add(billed, difference):
    return replace(
        billed,
        gross_amount=billed.gross_amount + difference.gross_amount,
        contribution_amount=billed.contribution_amount + difference.contribution_amount,
        amount=billed.amount + difference.amount,
        to_bill_on_decision=billed.to_bill_on_decision + difference.to_bill_on_decision,
        third_party_amount=billed.third_party_amount + difference.third_party_amount,
        regularisation_amount=billed.regularisation_amount + difference.regularisation_amount,
        details=(*billed.details, *difference.details),
        anomalies=tuple(dict.fromkeys((*billed.anomalies, *difference.anomalies))),
        explanation=(*billed.explanation, *difference.explanation, TOTAL(amount=billed.amount + difference.amount)),
    )
