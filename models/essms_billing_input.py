import ast
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from decimal import Decimal

from odoo import api
from odoo import models
from odoo.addons.base.models.res_lang import intersperse
from odoo.tools import float_round
from odoo.tools import format_date
from odoo.tools.misc import NON_BREAKING_SPACE
from odoo.tools.misc import get_lang

from ..engine import components as component_rules
from ..engine.billing import DecisionInput
from ..engine.billing import StayInput
from ..engine.contribution import Resources
from ..engine.dates import add_months
from ..engine.dates import public_holidays
from ..engine.days import Absence
from ..engine.days import AbsencePolicy
from ..engine.days import StaySpan
from ..engine.days import year_counters
from ..engine.messages import Message
from ..engine.money import SignedAmount
from ..engine.money import to_decimal
from ..engine.parameters import DatedValues
from ..engine.parameters import MissingParameterError
from ..engine.payers import DECISION_KINDS as DECISION_PAYER_KINDS  # billed only under a decision (§4, §8.2)
from ..engine.pricing import Tariff
from .essms_absence import local_datetime

# Components priced by ``engine.components`` beyond accommodation (billing-rules §9).
EXTRA_COMPONENTS = ("care", "dependency", "fjh")
# Establishments of adults with disabilities: their resources let the minimum left of §2 be checked.
DISABILITY_KINDS = ("foyer_hebergement", "foyer_vie", "fam")

# Payer rules whose payer bills without an individual funding decision.
NO_DECISION_RULES = ("resident", "health_fund")

# The key of ``_render``'s memo holding the number formatter of the compute (``_number_formatter``).
NUMBER_FORMATTER = "number formatter"

# Parameters of the engine's messages that count days or hours, not money.
QUANTITY_PARAMS = frozenset(
    {"quantity", "days", "hours", "count", "quota", "year", "reduced", "old_days", "old_reduced", "size", "percent"}
)


@dataclass(frozen=True)
class LoadedStay:
    """The engine's input for one stay, with the records it was built from."""

    stay: object  # essms.stay
    agreement: object  # essms.agreement (may be empty)
    engine: StayInput


@dataclass(frozen=True)
class LoadedBatch:
    """Engine inputs for a batch of stays and one period, loaded with a constant number of queries."""

    stays: dict  # stay id -> LoadedStay
    fjh: DatedValues
    holidays: frozenset


class EssmsBillingInput(models.AbstractModel):
    """Loads the referential in bulk into the engine's dataclasses, for statements and billing runs.

    One query per model whatever the number of stays: stays, agreements, tariffs, decisions, absences
    of the civil year and dated parameters; the engine then works on plain Python objects.
    """

    _name = "essms.billing.input"
    _description = "Billing engine inputs"

    @api.model
    def _load(self, stays, period_start, period_end):
        """A ``LoadedBatch`` for ``stays`` (essms.stay) and the period from ``period_start`` to ``period_end``."""
        stays = stays.sudo()
        stays.fetch(["beneficiary_id", "establishment_id", "accommodation", "date_start", "date_end", "end_reason"])
        establishments = stays.establishment_id
        beneficiaries = stays.beneficiary_id
        beneficiaries.fetch(["partner_id", "legal_protection", "protector_id", "name", "birth_date"])
        stays.fetch(["date_room_cleared"])
        establishments.fetch(["kind"])
        agreements = self.env["essms.agreement"].sudo().search_fetch(
            [
                ("establishment_id", "in", establishments.ids),
                ("date_start", "<=", period_end),
                "|",
                ("date_end", "=", False),
                ("date_end", ">=", period_start),
            ],
            [
                "establishment_id", "payer_id", "financing", "billing_term", "invoice_grouping",
                "absence_policy_id", "service_code", "commitment_number", "name", "component", "payer_rule",
                "social_aid_bears_gir_rate", "fjh_minors_exempt", "apa_individual",
                "component_absence_days",
            ],
        )
        agreements.payer_id.fetch(["essms_payer_kind"])
        agreements.absence_policy_id.fetch(list(self._policy_fields()))
        tariffs = self.env["essms.tariff"].sudo().search_fetch(
            [
                ("agreement_id", "in", agreements.ids),
                ("kind", "in", ("accommodation", "care", "dependency", "reservation")),
                ("date_from", "<=", period_end),
            ],
            ["agreement_id", "accommodation", "kind", "gir_group", "date_from", "date_to", "amount", "decree_ref"],
        )
        decisions = self.env["essms.funding.decision"].sudo().search_fetch(
            [("beneficiary_id", "in", beneficiaries.ids)],
            [
                "beneficiary_id", "payer_id", "agreement_id", "establishment_id", "state", "date_effect",
                "date_end", "date_filing_deadline", "contribution_mode", "contribution_monthly",
            ],
        )
        year_start = add_months(period_start, -1).replace(month=1, day=1)
        # The yearly counters count the absences of the civil year in every establishment (billing-rules §3).
        year_stays = stays | self.env["essms.stay"].sudo().search_fetch(
            [
                ("beneficiary_id", "in", beneficiaries.ids),
                ("id", "not in", stays.ids),
                ("date_start", "<", period_start),
                "|",
                ("date_end", "=", False),
                ("date_end", ">=", year_start),
            ],
            ["beneficiary_id", "accommodation", "date_start", "date_end", "end_reason"],
        )
        absences_by_stay = self._engine_absences(year_stays, year_start, period_end)
        establishments.partner_id.fetch(["tz"])
        default_policy = self.env.ref("essms_billing.absence_policy_national", raise_if_not_found=False)
        series = self.env["essms.parameter"].sudo()._get_series(["fjh", "aah", "fjh_aah_kept"])
        fjh = DatedValues("fjh", tuple(series["fjh"]))
        # The monthly values: the AAH and the share of it a MAS resident keeps (billing-rules §10). Before the
        # first value recorded, None: the rules needing it say so.
        aah, aah_kept = (self._month_value(code, series[code], period_start) for code in ("aah", "fjh_aah_kept"))
        # The situation in force at the end of the period, one query for the batch (billing-rules §9).
        situations = self.env["essms.beneficiary.situation"].sudo().search_fetch(
            [("beneficiary_id", "in", beneficiaries.ids), ("date_from", "<=", period_end)],
            ["beneficiary_id", "date_from", "gir_group", "resources_monthly", "resources_known", "health_fund_id",
             "fjh_third_payer_id"],
            order="date_from desc, id desc",
        )
        situation_by_beneficiary = {}
        for situation in situations:
            situation_by_beneficiary.setdefault(situation.beneficiary_id, situation)
        required = {
            (default.establishment_kind, default.component)
            for default in self.env["essms.component.default"].sudo().search_fetch(
                [("required", "=", True)], ["establishment_kind", "component"]
            )
        }
        holidays = public_holidays({period_start.year - 1, period_start.year, period_end.year})

        agreements_by_establishment = agreements.grouped("establishment_id")
        tariffs_by_agreement = tariffs.grouped("agreement_id")
        decisions_by_beneficiary = decisions.grouped("beneficiary_id")
        stays_by_beneficiary = year_stays.grouped("beneficiary_id")
        policies = {}
        loaded = {}
        # What many stays share, worked out once: an establishment's agreements by component, an agreement's
        # tariffs for a kind of accommodation, in the engine's terms.
        memo = {}

        def by_component(establishment):
            key = ("agreements", establishment.id)
            if key not in memo:
                establishment_agreements = agreements_by_establishment.get(establishment, agreements.browse())
                memo[key] = establishment_agreements, {
                    component: establishment_agreements.filtered(lambda a, c=component: a.component == c)
                    for component in ("accommodation", *EXTRA_COMPONENTS)
                }
            return memo[key]

        def stay_tariffs(agreement, accommodation):
            """The daily prices and the place reservation prices of the agreement for a kind of accommodation."""
            key = ("tariffs", agreement.id, accommodation)
            if key not in memo:
                agreement_tariffs = tariffs_by_agreement.get(agreement, tariffs.browse()).filtered(
                    lambda t: t.accommodation == accommodation
                )
                # The place reservation prices, billed for the days of a long absence under a policy that keeps the
                # place at that price (billing-rules §3, §9); the other tariffs are the daily prices.
                reservation_tariffs = agreement_tariffs.filtered(lambda t: t.kind == "reservation")
                memo[key] = (self._tariffs(agreement_tariffs - reservation_tariffs), self._tariffs(reservation_tariffs))
            return memo[key]

        for stay in stays:
            beneficiary = stay.beneficiary_id
            establishment = stay.establishment_id
            own_decisions = decisions_by_beneficiary.get(beneficiary, decisions.browse()).filtered(
                lambda d, establishment=establishment: not d.establishment_id or d.establishment_id == establishment
            )
            establishment_agreements, agreements_of = by_component(establishment)
            # Decisions on another component's agreement (an APA decision) do not pay the accommodation.
            other_components = establishment_agreements - agreements_of["accommodation"]
            if own_decisions and other_components:
                own_decisions = own_decisions.filtered(
                    lambda d, others=other_components: d.agreement_id not in others
                )
            agreement = self._stay_agreement(agreements_of["accommodation"], own_decisions)
            policy_record = agreement.absence_policy_id or default_policy
            if policy_record not in policies:
                policies[policy_record] = self._engine_policy(policy_record)
            policy = policies[policy_record]
            span = StaySpan(stay.date_start, stay.date_end or None, stay.accommodation, stay.end_reason or None)
            stay_absences = absences_by_stay.get(stay.id, ())
            billing_term = agreement.billing_term or "arrears"
            # In advance, the absences settled are those of the previous month (engine.billing).
            settled_start = add_months(period_start, -1) if billing_term == "advance" else period_start
            earlier = tuple(
                (
                    StaySpan(other.date_start, other.date_end or None, other.accommodation, other.end_reason or None),
                    absences_by_stay[other.id],
                )
                for other in stays_by_beneficiary[beneficiary].sorted("date_start")
                if other != stay and other.date_start < settled_start and other.id in absences_by_stay
            )
            counters = year_counters(span, stay_absences, policy, settled_start, holidays, earlier)
            in_period = tuple(absence for absence in stay_absences if absence.last_day(period_end) >= settled_start)
            daily_tariffs, reservation_tariffs = stay_tariffs(agreement, stay.accommodation)
            situation = situation_by_beneficiary.get(beneficiary)
            payer, requires_decision, blocking = self._accommodation_payer(stay, agreement, situation, required)
            components, component_blocking = self._components(
                stay, agreement, situation, agreements_of, tariffs_by_agreement, own_decisions,
                decisions_by_beneficiary.get(beneficiary, decisions.browse()), required, policies, aah, memo,
                aah_kept=aah_kept,
            )
            resources = None
            if establishment.kind in DISABILITY_KINDS and situation and situation.resources_known and aah:
                resources = Resources(monthly=to_decimal(situation.resources_monthly), aah=aah)
            engine_stay = StayInput(
                key=stay.id,
                resident=beneficiary.partner_id.id,
                payer=payer,
                stay=span,
                tariffs=daily_tariffs,
                policy=policy,
                counters=counters,
                billing_term=billing_term,
                requires_decision=requires_decision,
                absences=in_period,
                decisions=tuple(self._engine_decision(decision) for decision in own_decisions),
                resources=resources,
                components=components,
                blocking=(*blocking, *component_blocking),
                agreement=agreement.id or None,
                date_room_cleared=stay.date_room_cleared or None,
                reservation_tariffs=reservation_tariffs,
            )
            loaded[stay.id] = LoadedStay(stay, agreement, engine_stay)
        return LoadedBatch(loaded, fjh, holidays)

    @api.model
    def _stay_agreement(self, agreements, decisions):
        """The agreement that bills a stay: the one with the payer of a decision, else one that needs no decision
        (the resident, a health-insurance fund: an EHPAD's private payers), else a daily-price one."""
        daily = agreements.filtered(lambda a: a.financing == "daily_price") or agreements
        preferred = daily.filtered(lambda a: a.payer_id in decisions.payer_id and a.payer_rule not in NO_DECISION_RULES)
        without_decision = daily.filtered(lambda a: a.payer_rule in NO_DECISION_RULES)
        return (preferred or without_decision or daily)[:1]

    @api.model
    def _accommodation_payer(self, stay, agreement, situation, required):
        """(payer, requires_decision, blocking) of a stay's accommodation from its agreement's payer rule."""
        beneficiary = stay.beneficiary_id
        label = component_rules.component_label("accommodation")
        if not agreement:
            if (stay.establishment_id.kind, "accommodation") in required or not required:
                return None, False, (
                    component_rules.BLOCKED_NO_AGREEMENT(person=beneficiary.name, component=label),
                )
            return None, False, ()
        rule = agreement.payer_rule
        if rule == "health_fund":
            fund = situation.health_fund_id.id if situation else None
            if not fund:
                return None, False, (component_rules.BLOCKED_NO_FUND(person=beneficiary.name, component=label),)
            return fund, False, ()
        if rule == "resident":
            return beneficiary.partner_id.id, False, ()
        requires = rule == "decision_payer" or agreement.payer_id.essms_payer_kind in DECISION_PAYER_KINDS
        return agreement.payer_id.id or None, requires, ()

    @staticmethod
    def _month_value(code, rows, period_start):
        """The value of a dated parameter in force on the month's first day, ``None`` before the first one."""
        try:
            return DatedValues(code, tuple(rows)).at(period_start)
        except MissingParameterError:
            return None

    @api.model
    def _components(self, stay, main, situation, agreements_of, tariffs_by_agreement, decisions, all_decisions,
                    required, policies, aah, memo, aah_kept=None):
        """The ``ComponentInput`` of each component of the stay beyond accommodation, its payers resolved.

        ``agreements_of``: the establishment's agreements by component; ``memo``: the dict ``_load`` keeps for the
        stays it loads, for the tariffs of an agreement in the engine's terms."""
        beneficiary = stay.beneficiary_id
        person = beneficiary.name
        resident = beneficiary.partner_id.id
        kind = stay.establishment_id.kind
        result = []
        blocking = []
        for component in EXTRA_COMPONENTS:
            candidates = agreements_of[component]
            if not candidates:
                if (kind, component) in required:
                    blocking.append(
                        component_rules.BLOCKED_NO_AGREEMENT(
                            person=person, component=component_rules.component_label(component)
                        )
                    )
                continue
            own = all_decisions.filtered(lambda d, c=candidates: d.agreement_id in c)
            # The agreement of the person's decision (an individual APA), else one billing nobody individually.
            agreement = (
                candidates.filtered(lambda a, own=own: a in own.agreement_id)
                or candidates.filtered(lambda a: not a.apa_individual)
                or candidates
            )[:1]
            if component == "care" and agreement.financing != "daily_price":
                continue  # a care allocation: nothing individual (billing-rules §12)
            policy = None
            if agreement.absence_policy_id:
                if agreement.absence_policy_id not in policies:
                    policies[agreement.absence_policy_id] = self._engine_policy(agreement.absence_policy_id)
                policy = policies[agreement.absence_policy_id]

            def component_tariffs(agreement=agreement, component=component):
                return tariffs_by_agreement.get(agreement, self.env["essms.tariff"]).filtered(
                    lambda t: t.kind == component
                )

            values = {
                "component": component,
                "agreement": agreement.id,
                "agreement_name": agreement.name,
                "billing_term": agreement.billing_term or "arrears",
                "policy": policy,
                "person": person,
            }
            fund = situation.health_fund_id.id if situation and situation.health_fund_id else None
            third = situation.fjh_third_payer_id.id if situation and situation.fjh_third_payer_id else None
            rule_payer = {
                "agreement_payer": agreement.payer_id.id or None,
                "health_fund": fund,
                "resident": resident,
                "fjh_third_payer": third,
                "decision_payer": own[:1].payer_id.id or None,
            }[agreement.payer_rule]
            if component in ("care", "dependency"):
                values["absence_days"] = agreement.component_absence_days
            if component == "care":
                key = ("care", agreement.id, stay.accommodation)
                if key not in memo:
                    tariffs = component_tariffs()
                    matching = tariffs.filtered(lambda t: t.accommodation == stay.accommodation) or tariffs
                    memo[key] = self._tariffs(matching)
                values.update(payer=rule_payer, payer_is_resident=rule_payer == resident, tariffs=memo[key])
            elif component == "dependency":
                key = ("dependency", agreement.id)
                if key not in memo:
                    tariffs = component_tariffs()
                    memo[key] = {
                        gir: self._tariffs(tariffs.filtered(lambda t, gir=gir: t.gir_group == gir))
                        for gir in component_rules.GIR_GROUPS
                    }
                by_gir = memo[key]
                apa_decision = own.filtered(lambda d: d.state in ("granted", "partially_granted"))[:1]
                apa = apa_decision.payer_id.id or None
                if agreement.payer_rule == "agreement_payer":
                    apa = agreement.payer_id.id or None
                bearer = None
                if main.social_aid_bears_gir_rate:
                    granted = decisions.filtered(lambda d: d.state in ("granted", "partially_granted"))
                    bearer = granted[:1].payer_id.id or None
                values.update(
                    payer=apa,
                    tariffs=by_gir,
                    gir=situation.gir_group if situation else None,
                    apa_individual=agreement.apa_individual,
                    decision=apa_decision.id or None,
                    resident_rate_payer=bearer,
                )
            else:
                resources = None
                if situation and situation.resources_known:
                    resources = to_decimal(situation.resources_monthly)
                values.update(
                    payer=rule_payer,
                    payer_is_resident=agreement.payer_rule == "resident",
                    guarantee=agreement.payer_rule == "resident",
                    resources=resources,
                    aah=aah,
                    aah_kept=aah_kept,
                    third_payer=third,
                    birth_date=beneficiary.birth_date or None,
                    minors_exempt=agreement.fjh_minors_exempt,
                )
            if component != "dependency" and values["payer"] is None:
                template = {
                    "health_fund": component_rules.BLOCKED_NO_FUND,
                    "fjh_third_payer": component_rules.BLOCKED_NO_THIRD_PAYER,
                }.get(agreement.payer_rule, component_rules.BLOCKED_NO_DECISION_PAYER)
                blocking.append(template(person=person, component=component_rules.component_label(component)))
                continue
            result.append(component_rules.ComponentInput(**values))
        return tuple(result), tuple(blocking)

    @api.model
    def _tariffs(self, tariffs):
        return tuple(Tariff(t.date_from, to_decimal(t.amount), t.date_to or None, t.decree_ref or "") for t in tariffs)

    @api.model
    def _policy_fields(self):
        return (
            "threshold_scope", "reduction_kind", "reduction_value", "quota_days", "after_quota",
            "count_weekends_holidays", "hospital_separate_counter", "holiday_contribution_exoneration",
            "threshold_hours", "reduction_start", "entry_day_billed", "exit_day_billed", "contribution_proration",
        )

    @api.model
    def _engine_policy(self, policy):
        values = {name: policy[name] for name in self._policy_fields()}
        values["reduction_value"] = to_decimal(values["reduction_value"] or 0)
        return AbsencePolicy(**values)

    @api.model
    def _engine_absences(self, stays, year_start, period_end):
        """{stay id: (engine ``Absence``, ...)} of the absences of ``stays`` from the day before ``year_start`` to
        the day after ``period_end``, latest first, their moments in the local time of their establishment.

        One query and no record: the absences of a year are ten times the stays billed."""
        absences = self.env["essms.absence"].sudo()
        query = absences._search(
            [
                ("stay_id", "in", stays.ids),
                ("date_start", "<=", period_end + timedelta(days=1)),
                ("date_end", ">=", year_start - timedelta(days=1)),
            ],
            order="date_start desc, id desc",
        )
        rows = self.env.execute_query(query.select(*(
            absences._field_to_sql(absences._table, name, query)
            for name in ("stay_id", "establishment_id", "kind", "date_start", "date_end")
        )))
        establishments = self.env["essms.establishment"].sudo().browse({row[1] for row in rows})
        time_zones = {establishment.id: absences._establishment_tz(establishment) for establishment in establishments}
        result = {}
        for stay_id, establishment_id, kind, date_start, date_end in rows:
            tz = time_zones[establishment_id]
            result.setdefault(stay_id, []).append(
                Absence(kind, local_datetime(date_start, tz), local_datetime(date_end, tz))
            )
        return {stay_id: tuple(stay_absences) for stay_id, stay_absences in result.items()}

    @api.model
    def _engine_decision(self, decision):
        return DecisionInput(
            key=decision.id,
            payer=decision.payer_id.id,
            state=decision.state,
            date_effect=decision.date_effect or None,
            contribution_mode=decision.contribution_mode,
            contribution_monthly=to_decimal(decision.contribution_monthly or 0),
            date_end=decision.date_end or None,
            date_filing_deadline=decision.date_filing_deadline or None,
        )

    @api.model
    def _render(self, message, currency=None, memo=None):
        """An engine ``Message`` for the user: its template (extracted through ``_lt``) in their language, its
        dates in their format, amounts in ``currency`` (the company's by default), quantities as numbers.
        ``memo``, a dict kept by a caller rendering thousands of messages (a run's compute), formats each
        distinct value once: the same prices, dates and amounts come back on every line."""
        currency = currency or self.env.company.currency_id
        params = {}
        for name, value in message.params:
            if isinstance(value, Message):
                params[name] = self._render(value, currency, memo)
                continue
            if not isinstance(value, (date, Decimal)):
                params[name] = str(value)
                continue
            key = (type(value), value, name in QUANTITY_PARAMS, currency.id)
            if memo is not None and key in memo:
                params[name] = memo[key]
                continue
            if isinstance(value, date):
                text = format_date(self.env, value)
            else:
                if memo is None:
                    format_number = self._number_formatter()
                elif (format_number := memo.get(NUMBER_FORMATTER)) is None:
                    format_number = memo[NUMBER_FORMATTER] = self._number_formatter()
                if name in QUANTITY_PARAMS:
                    text = format_number(float(value), 0 if value == value.to_integral_value() else 1)
                else:
                    text = format_number(float(value), currency=currency)
                    text = "+" + text if isinstance(value, SignedAmount) and value > 0 else text
            if memo is not None:
                memo[key] = text
            params[name] = text
        return self.env._(message.template.text, **params)

    @api.model
    def _number_formatter(self):
        """``format_number(value, digits=2, currency=None)``: Odoo's ``formatLang(env, value, digits=digits,
        currency_obj=currency)``, the user's language and its separators read once instead of on every value (a
        run's compute formats thousands of distinct amounts)."""
        lang = get_lang(self.env)  # an installed language
        counts = ast.literal_eval(lang.grouping)
        separator, point = lang.thousands_sep or "", lang.decimal_point

        def format_number(value, digits=2, currency=None):
            if currency:
                digits = currency.decimal_places
            rounded = float_round(value, precision_digits=digits, rounding_method="HALF-EVEN")
            parts = (f"%.{digits}f" % rounded).split(".")
            parts[0] = intersperse(parts[0], counts, separator)[0]
            text = point.join(parts)
            if currency and currency.symbol:
                arguments = (text, NON_BREAKING_SPACE, currency.symbol)
                return "%s%s%s" % (arguments if currency.position == "after" else arguments[::-1])
            return text

        return format_number

    @api.model
    def _render_all(self, messages, memo=None):
        return "\n".join(self._render(message, memo=memo) for message in messages)
