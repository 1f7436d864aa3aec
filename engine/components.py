"""The components of a stay beyond accommodation, each borne by its own payer (billing-rules §9 to §11).

``billing.bill()`` prices the accommodation of a stay (daily price, absences, funding decisions, the
resident's contribution). The other components of the same days are priced here, each from the agreement
that covers it, and returned as ``Share`` objects: who bears them (the payer's key, and whether that is the
resident) and the detail rows (quantity x unit price, billing-rules §13). ``billing`` adds each share to
the result of its payer, so one payer gets one result per stay whatever the number of components.

- **Care** (FAM, §9): a daily care price per day billed, to the health-insurance fund.
- **Dependency** (EHPAD, §11): a daily price per GIR group, on the days billed. Every resident pays the GIR 5-6
  rate (or the accommodation social aid, when its policy bears it); the difference with the resident's GIR rate
  is invoiced per day to the département that pays the APA individually, or, without an individual APA, left to
  the APA global allocation (reported as days not billed).
- Which days a care or dependency component bills is its agreement's setting (``absence_days``): the days
  present only (care, usually), also the absences up to the policy's threshold (dependency, usually: not the days
  of a longer absence), or also the first days of every absence up to the threshold.
- **Daily hospital fee** (MAS, §10): the FJH of each day present, billed to the resident while they keep at
  least a share of the full-rate AAH (30 % by CASF D344-41, a dated legal parameter the caller reads and gives
  as ``ComponentInput.aah_kept``): ``min(days present, floor((resources - 30 % AAH) / FJH))`` days; the days
  beyond go to a third payer covering the FJH, or are not billed and reported. No FJH for a minor when the
  agreement says so.

A component that cannot be priced (no payer, no tariff, no GIR group, no resources where the guarantee needs
them) is a ``Blocked`` message: the caller bills nothing for that person and names what to fill in.
"""

from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import date
from decimal import ROUND_FLOOR
from decimal import Decimal
from fractions import Fraction

from .contribution import share
from .days import DayReason
from .days import DayStatus
from .messages import Template
from .messages import _lt
from .money import ZERO
from .money import cents
from .money import to_decimal
from .pricing import tariff_at

CARE = "care"
DEPENDENCY = "dependency"
FJH = "fjh"
GIR_GROUPS = ("1_2", "3_4", "5_6")
RESIDENT_GIR = "5_6"

COMPONENT_NAMES = {
    "accommodation": Template("component_accommodation", _lt("accommodation")),
    CARE: Template("component_care", _lt("care")),
    DEPENDENCY: Template("component_dependency", _lt("dependency")),
    FJH: Template("component_fjh", _lt("daily hospital fee")),
}

CARE_DAYS = Template("component_care_days", _lt("%(quantity)s days present × daily care price %(price)s"))
DEPENDENCY_RESIDENT = Template(
    "component_dependency_resident", _lt("%(quantity)s days × dependency GIR 5-6 rate %(price)s")
)
DEPENDENCY_APA = Template(
    "component_dependency_apa",
    _lt("%(quantity)s days × APA %(price)s (dependency GIR %(gir)s %(gir_price)s less the GIR 5-6 rate %(base)s)"),
)
DEPENDENCY_ALLOCATION = Template(
    "component_dependency_allocation",
    _lt("%(quantity)s days of APA (GIR %(gir)s) not billed individually: paid by the APA global allocation"),
)
FJH_DAYS = Template("component_fjh_days", _lt("%(quantity)s days present × daily hospital fee %(price)s"))
FJH_THIRD_PAYER = Template(
    "component_fjh_third_payer",
    _lt(
        "%(quantity)s days present × daily hospital fee %(price)s, beyond what the resident can pay while keeping "
        "%(percent)s %% of the AAH"
    ),
)
FJH_NOT_BILLED = Template(
    "component_fjh_not_billed",
    _lt(
        "%(quantity)s days of daily hospital fee not billed: the resident keeps %(percent)s %% of the AAH "
        "(%(minimum)s) and no third payer covers the fee"
    ),
)
FJH_GUARANTEE = Template(
    "component_fjh_guarantee",
    _lt(
        "Daily hospital fee limited by the %(percent)s %% AAH guarantee: (resources %(resources)s − %(minimum)s) / "
        "%(fjh)s = %(days)s days at most"
    ),
)
FJH_GUARANTEE_NOT_BILLED = Template(
    "component_fjh_guarantee_not_billed",
    _lt(
        "%(days)s days of daily hospital fee from %(date_from)s to %(date_to)s are not billed to the resident "
        "(%(percent)s %% AAH guarantee) and no third payer covers them."
    ),
)
FJH_MINOR = Template(
    "component_fjh_minor", _lt("%(quantity)s days without daily hospital fee: the resident is a minor")
)
NO_APA_DECISION = Template(
    "component_no_apa_decision",
    _lt(
        "No individual APA decision: the difference between the GIR %(gir)s rate and the GIR 5-6 rate is not "
        "billed (APA global allocation)."
    ),
)

BLOCKED_NO_FUND = Template(
    "blocked_no_fund",
    _lt(
        "%(person)s, %(component)s: the health-insurance fund is missing: fill it in on the beneficiary's "
        "situation."
    ),
)
BLOCKED_NO_THIRD_PAYER = Template(
    "blocked_no_third_payer",
    _lt(
        "%(person)s, %(component)s: the third payer covering the daily hospital fee is missing: fill it in on the "
        "beneficiary's situation."
    ),
)
BLOCKED_NO_DECISION_PAYER = Template(
    "blocked_no_decision_payer",
    _lt("%(person)s, %(component)s: no funding decision names the payer: record the decision."),
)
BLOCKED_NO_AGREEMENT = Template(
    "blocked_no_agreement",
    _lt(
        "%(person)s, %(component)s: the establishment has no agreement in force for this component: create the "
        "agreement (Configuration > Agreements)."
    ),
)
BLOCKED_NO_TARIFF = Template(
    "blocked_no_tariff",
    _lt(
        "%(person)s, %(component)s: no tariff from %(date_from)s to %(date_to)s: fill in the tariff of the "
        "agreement %(agreement)s."
    ),
)
BLOCKED_NO_GIR = Template(
    "blocked_no_gir",
    _lt("%(person)s, dependency: the GIR group is missing: fill it in on the beneficiary's situation."),
)
BLOCKED_NO_RESOURCES = Template(
    "blocked_no_resources",
    _lt(
        "%(person)s, daily hospital fee: the monthly resources are missing (needed for the %(percent)s %% AAH "
        "guarantee): fill them in on the beneficiary's situation."
    ),
)

BLOCKED_NO_AAH = Template(
    "blocked_no_aah",
    _lt(
        "%(person)s, daily hospital fee: no full-rate AAH is recorded for the month (needed for the %(percent)s %% AAH "
        "guarantee): add it in Configuration > Legal parameters."
    ),
)
BLOCKED_NO_AAH_KEPT = Template(
    "blocked_no_aah_kept",
    _lt(
        "%(person)s, daily hospital fee: no share of the AAH kept by a MAS resident is recorded for the month "
        "(needed for the AAH guarantee): add it in Configuration > Legal parameters."
    ),
)

# Days of a component: the FJH on the days present (§10); care and dependency as their agreement says.
_PRESENT = (DayStatus.PRESENT,)
# The absences each setting bills besides the days present: none, absences within the threshold as a whole, or
# also the first days of a longer absence (those billed at the full price before the reduction starts).
ABSENCE_DAYS = {
    "present": frozenset(),
    "short_absences": frozenset({DayReason.SHORT_ABSENCE}),
    "within_threshold": frozenset({DayReason.SHORT_ABSENCE, DayReason.WITHIN_THRESHOLD}),
}
BLOCKED_NO_ABSENCE_DAYS = Template(
    "blocked_no_absence_days",
    _lt(
        "%(person)s, %(component)s: the agreement %(agreement)s does not say which days of absence it bills: fill "
        "in its Days of absence billed."
    ),
)


def billed_days(days, absence_days):
    """The days a care or dependency component bills under its agreement's setting (``ABSENCE_DAYS``)."""
    reasons = ABSENCE_DAYS[absence_days]
    return [
        day for day in days if day.quantity and (day.status == DayStatus.PRESENT or day.reason in reasons)
    ]


def _unset_absence_days(component):
    if component.absence_days in ABSENCE_DAYS:
        return None
    return BLOCKED_NO_ABSENCE_DAYS(
        person=component.person,
        component=component_label(component.component),
        agreement=component.agreement_name or str(component.agreement),
    )


@dataclass(frozen=True, kw_only=True)
class ComponentInput:
    """One component of a stay other than accommodation, with its payers resolved by the caller.

    ``payer``: care: the fund (or the agreement's payer); dependency: the payer of the individual APA
    (``None``: APA global allocation); FJH: the resident, or the third payer when the agreement bills the whole
    fee to it. ``payer_is_resident``: ``payer`` is the resident (their result). ``tariffs``: care: daily care
    prices; dependency: ``{gir group: (Tariff, ...)}``. ``gir``: the resident's GIR group. ``resident_rate_payer``
    (dependency): who bears the GIR 5-6 rate when it is not the resident (accommodation social aid).
    ``resources``: monthly resources for the FJH guarantee (``None``: unknown); ``aah``: the full-rate AAH;
    ``aah_kept``: the share of it the resident keeps, in percent (``None``: no value in force).
    ``birth_date`` with ``minors_exempt``: no FJH before the 18th birthday.
    """

    component: str
    agreement: object
    payer: object
    agreement_name: str = ""
    payer_is_resident: bool = False
    tariffs: object = ()
    gir: str | None = None
    resident_rate_payer: object = None
    apa_individual: bool = False
    decision: object = None  # dependency: the key of the individual APA decision, named on its payer's result
    resources: Decimal | None = None
    aah: Decimal | None = ZERO  # None: no value in force (the guarantee cannot be computed)
    aah_kept: Decimal | None = None  # percent, the legal parameter in force for the month
    third_payer: object = None
    guarantee: bool = True
    birth_date: date | None = None
    minors_exempt: bool = True
    billing_term: str = "arrears"
    policy: object = None  # the component agreement's AbsencePolicy (None: the stay's)
    person: str = ""
    # care, dependency: present | short_absences | within_threshold (the agreement's setting, ABSENCE_DAYS)
    absence_days: str | None = None


@dataclass(frozen=True, kw_only=True)
class Row:
    """A detail row of a component before it is turned into a ``billing.Detail``."""

    kind: str
    quantity: Decimal
    unit_price: Decimal
    date_from: date
    date_to: date
    reason: object

    @property
    def amount(self):
        return cents(self.quantity * self.unit_price)


@dataclass(frozen=True, kw_only=True)
class Share:
    """What one payer bears of one component: its rows, and whether that payer is the resident."""

    component: str
    agreement: object
    payer: object
    resident: bool
    rows: tuple
    anomalies: tuple = ()
    decision: object = None


@dataclass(frozen=True, kw_only=True)
class Computed:
    """The shares of one component for one period, the run's anomalies and the blocking problems."""

    shares: tuple = ()
    anomalies: tuple = ()
    blocking: tuple = field(default_factory=tuple)


def component_label(component):
    """The component's name as a message, translated where it is rendered."""
    return COMPONENT_NAMES[component]()


def compute(component, days, fjh):
    """The shares of ``component`` (``ComponentInput``) for classified ``days`` (``days.Day``)."""
    if component.component == CARE:
        return _care(component, days)
    if component.component == DEPENDENCY:
        return _dependency(component, days)
    if component.component == FJH:
        return _fjh(component, days, fjh)
    return Computed()


def _not_billed_row(days, template, **params):
    """One row naming ``days`` (in date order) not billed, their quantity summed; ``template`` says why."""
    quantity = sum((day.quantity for day in days), Decimal(0))
    return Row(kind="not_billed", quantity=quantity, unit_price=ZERO, date_from=days[0].day, date_to=days[-1].day,
               reason=template(quantity=quantity, **params))


def _grouped_rows(days, price_of, kind, template, **params):
    """Rows of ``days`` at the price ``price_of(day)``: one row per price, in date order."""
    groups = {}
    for day in days:
        groups.setdefault(price_of(day.day), []).append(day)
    rows = []
    for price, grouped in groups.items():
        quantity = sum((day.quantity for day in grouped), Decimal(0))
        rows.append(
            Row(
                kind=kind,
                quantity=quantity,
                unit_price=price,
                date_from=grouped[0].day,
                date_to=grouped[-1].day,
                reason=template(quantity=quantity, price=price, **params),
            )
        )
    return rows


def _missing_tariff(component, tariffs, days):
    missing = [day.day for day in days if tariff_at(tariffs, day.day) is None]
    if not missing:
        return None
    return BLOCKED_NO_TARIFF(
        person=component.person,
        component=component_label(component.component),
        date_from=min(missing),
        date_to=max(missing),
        agreement=component.agreement_name or str(component.agreement),
    )


def _no_payer(component, template):
    return template(person=component.person, component=component_label(component.component))


def _care(component, days):
    unset = _unset_absence_days(component)
    if unset:
        return Computed(blocking=(unset,))
    billed = billed_days(days, component.absence_days)
    if not billed:
        return Computed()
    if component.payer is None:
        return Computed(blocking=(_no_payer(component, BLOCKED_NO_FUND),))
    blocked = _missing_tariff(component, component.tariffs, billed)
    if blocked:
        return Computed(blocking=(blocked,))
    rows = _grouped_rows(billed, lambda day: cents(tariff_at(component.tariffs, day).amount), "full", CARE_DAYS)
    return Computed(shares=(_share(component, component.payer, component.payer_is_resident, rows),))


def _dependency(component, days):
    unset = _unset_absence_days(component)
    if unset:
        return Computed(blocking=(unset,))
    billed = billed_days(days, component.absence_days)
    if not billed:
        return Computed()
    if component.gir not in GIR_GROUPS:
        return Computed(blocking=(BLOCKED_NO_GIR(person=component.person),))
    tariffs = component.tariffs
    base_tariffs = tariffs.get(RESIDENT_GIR, ())
    gir_tariffs = tariffs.get(component.gir, ())
    for group_tariffs in (base_tariffs, gir_tariffs):
        blocked = _missing_tariff(component, group_tariffs, billed)
        if blocked:
            return Computed(blocking=(blocked,))

    def base(day):
        return cents(tariff_at(base_tariffs, day).amount)

    def difference(day):
        return cents(tariff_at(gir_tariffs, day).amount) - base(day)

    shares = []
    anomalies = []
    base_rows = _grouped_rows(billed, base, "full", DEPENDENCY_RESIDENT)
    if component.resident_rate_payer is not None:
        shares.append(_share(component, component.resident_rate_payer, False, base_rows))
    else:
        shares.append(_share(component, None, True, base_rows))
    if component.gir != RESIDENT_GIR:
        gir_label = component.gir.replace("_", "-")
        sample = billed[0].day
        params = {
            "gir": gir_label,
            "gir_price": cents(tariff_at(gir_tariffs, sample).amount),
            "base": base(sample),
        }
        if component.apa_individual and component.payer is not None:
            rows = _grouped_rows(billed, difference, "full", DEPENDENCY_APA, **params)
            shares.append(replace(_share(component, component.payer, False, rows), decision=component.decision))
        else:
            rows = [_not_billed_row(billed, DEPENDENCY_ALLOCATION, gir=gir_label)]
            if component.apa_individual:
                anomalies.append(NO_APA_DECISION(gir=gir_label))
            shares.append(_share(component, None, True, rows))
    return Computed(shares=tuple(shares), anomalies=tuple(anomalies))


def _is_minor(component, day):
    birth = component.birth_date
    if birth is None or not component.minors_exempt:
        return False
    try:
        adult = birth.replace(year=birth.year + 18)
    except ValueError:  # born on 29 February
        adult = date(birth.year + 18, 3, 1)
    return day < adult


def percent(value):
    """A percentage for a message: ``30``, ``32.5`` (no trailing zeros)."""
    value = to_decimal(value)
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def fjh_guarantee_days(resources, aah, fee, aah_kept):
    """The FJH days a MAS resident can pay in a month: floor((resources - aah_kept % AAH) / FJH), never
    negative; with the minimum kept (``aah_kept`` % of ``aah``, to the cent)."""
    minimum = share(aah, Fraction(to_decimal(aah_kept)) / 100)
    if fee <= 0:
        return None, minimum
    available = cents(resources) - minimum
    if available <= 0:
        return 0, minimum
    return int((available / cents(fee)).to_integral_value(rounding=ROUND_FLOOR)), minimum


def _fjh(component, days, fjh):
    present = [day for day in days if day.status in _PRESENT and day.quantity]
    minors = [day for day in present if _is_minor(component, day.day)]
    present = [day for day in present if not _is_minor(component, day.day)]
    rows_minor = [_not_billed_row(minors, FJH_MINOR)] if minors else []
    if not present:
        if rows_minor:
            return Computed(shares=(_share(component, None, True, rows_minor),))
        return Computed()

    def fee(day):
        return cents(fjh.at(day))

    if component.payer is None:
        return Computed(blocking=(_no_payer(component, BLOCKED_NO_THIRD_PAYER),))
    if not component.guarantee:
        rows = _grouped_rows(present, fee, "full", FJH_DAYS)
        return Computed(shares=(_share(component, component.payer, component.payer_is_resident, rows + rows_minor),))
    if component.aah_kept is None:
        return Computed(blocking=(BLOCKED_NO_AAH_KEPT(person=component.person),))
    kept = percent(component.aah_kept)
    if component.resources is None:
        return Computed(blocking=(BLOCKED_NO_RESOURCES(person=component.person, percent=kept),))
    if component.aah is None:
        return Computed(blocking=(BLOCKED_NO_AAH(person=component.person, percent=kept),))
    first_fee = fee(present[0].day)
    limit, minimum = fjh_guarantee_days(component.resources, component.aah, first_fee, kept)
    # Days are billed in date order up to the limit: whole days (a half day of day care counts as one).
    billable, beyond = present[:limit], present[limit:]
    shares = []
    anomalies = []
    resident_rows = _grouped_rows(billable, fee, "full", FJH_DAYS) if billable else []
    if beyond:
        resident_rows.insert(
            0,
            Row(
                kind="not_billed",
                quantity=Decimal(0),
                unit_price=ZERO,
                date_from=present[0].day,
                date_to=present[-1].day,
                reason=FJH_GUARANTEE(resources=cents(component.resources), minimum=minimum, fjh=first_fee, days=limit,
                                     percent=kept),
            ),
        )
        if component.third_payer is not None:
            third_rows = _grouped_rows(beyond, fee, "full", FJH_THIRD_PAYER, percent=kept)
            shares.append(_share(component, component.third_payer, False, third_rows))
        else:
            resident_rows.append(_not_billed_row(beyond, FJH_NOT_BILLED, minimum=minimum, percent=kept))
            anomalies.append(FJH_GUARANTEE_NOT_BILLED(days=len(beyond), date_from=beyond[0].day,
                                                      date_to=beyond[-1].day, percent=kept))
    shares.insert(0, _share(component, component.payer, component.payer_is_resident, resident_rows + rows_minor))
    return Computed(shares=tuple(shares), anomalies=tuple(anomalies))


def _share(component, payer, resident, rows):
    return Share(
        component=component.component, agreement=component.agreement, payer=payer, resident=resident, rows=tuple(rows)
    )
