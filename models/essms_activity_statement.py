from datetime import timedelta

from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError

from ..engine import controls
from ..engine.dates import month_end
from ..engine.days import DayStatus
from ..engine.days import classify_days
from ..engine.portal import day_code
from .essms_workflow_mixin import transition

ABSENCE_KINDS = ("hospital", "personal", "holidays", "family_weekend", "other")


class EssmsActivityStatement(models.Model):
    """The monthly activity of an establishment (billing-rules §5), checked against §8 before billing."""

    _name = "essms.activity.statement"
    _description = "Monthly activity statement"
    _inherit = ["mail.thread", "mail.activity.mixin", "essms.workflow.mixin"]
    _workflow_fields = ("state", "submitted_by_id", "validated_by_id")
    _order = "period_start desc, establishment_id"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    # No check_company: the company IS the establishment's, and on a new statement it is still empty, so the
    # domain check_company puts on the field ([company_id in (False,)]) would offer no establishment at all.
    establishment_id = fields.Many2one(
        "essms.establishment", required=True, ondelete="restrict", index=True, tracking=True
    )
    company_id = fields.Many2one(related="establishment_id.company_id", store=True, index=True, precompute=True)
    period_start = fields.Date(string="Month", required=True, tracking=True, help="First day of the month.")
    period_end = fields.Date(compute="_compute_period_end", store=True)
    state = fields.Selection(
        selection=[("draft", "Draft"), ("submitted", "Submitted"), ("validated", "Validated")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
    )
    line_ids = fields.One2many("essms.activity.statement.line", "statement_id", string="Lines", readonly=True)
    anomaly_ids = fields.One2many(
        "essms.activity.statement.anomaly", "statement_id", string="Anomalies", readonly=True
    )
    blocking_count = fields.Integer(compute="_compute_anomaly_counts", string="Blocking anomalies")
    warning_count = fields.Integer(compute="_compute_anomaly_counts", string="Warnings")
    days_present = fields.Float(compute="_compute_totals", string="Days present")
    capacity_days = fields.Integer(compute="_compute_totals", string="Capacity (days)")
    submitted_by_id = fields.Many2one("res.users", string="Submitted by", readonly=True, copy=False)
    validated_by_id = fields.Many2one("res.users", string="Validated by", readonly=True, copy=False)

    _sql_constraints = [
        (
            "establishment_period_uniq",
            "unique(establishment_id, period_start)",
            "There is one activity statement per establishment and month.",
        ),
    ]

    @api.depends("establishment_id.code", "period_start")
    def _compute_name(self):
        for statement in self:
            statement.name = "%s %s" % (
                statement.establishment_id.code or "",
                statement.period_start.strftime("%Y-%m") if statement.period_start else "",
            )

    @api.depends("period_start")
    def _compute_period_end(self):
        for statement in self:
            statement.period_end = statement.period_start and month_end(statement.period_start)

    @api.depends("anomaly_ids.severity")
    def _compute_anomaly_counts(self):
        for statement in self:
            severities = statement.anomaly_ids.mapped("severity")
            statement.blocking_count = severities.count("blocking")
            statement.warning_count = severities.count("warning")

    @api.depends("line_ids.days_present", "establishment_id.capacity", "period_start")
    def _compute_totals(self):
        for statement in self:
            statement.days_present = sum(statement.line_ids.mapped("days_present"))
            statement.capacity_days = controls.capacity_days(
                statement.establishment_id.capacity, statement.period_start, statement.period_end)

    @api.constrains("period_start")
    def _check_period_start(self):
        for statement in self:
            if statement.period_start.day != 1:
                raise ValidationError(
                    self.env._("Statement %(name)s: the month must start on its first day.", name=statement.name)
                )

    @api.model_create_multi
    def create(self, vals_list):
        statements = super().create(vals_list)
        statements._compute_lines()
        return statements

    def write(self, vals):
        if vals.get("state") in ("validated", "draft") and not self.env.user.has_group(
            "essms_billing.group_essms_operator"
        ):
            raise AccessError(self.env._("Only a billing operator may validate or reopen an activity statement."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_validated(self):
        if any(statement.state == "validated" for statement in self):
            raise UserError(self.env._("A validated activity statement cannot be deleted; reopen it first."))

    def action_refresh(self):
        """Recompute the lines and controls from the stays and absences recorded now."""
        if any(statement.state != "draft" for statement in self):
            raise UserError(self.env._("Only a draft statement can be recomputed."))
        self._compute_lines()

    @transition
    def action_submit(self):
        """The establishment certifies its month: lines are recomputed one last time, then frozen."""
        self.check_access("write")
        if any(statement.state != "draft" for statement in self):
            raise UserError(self.env._("Only a draft statement can be submitted."))
        self._compute_lines()
        # Submitting is the establishment users' right, while the state field stays out of their hands.
        self.sudo().write({"state": "submitted", "submitted_by_id": self.env.uid})
        for statement in self:
            statement.message_post(body=self.env._("Statement submitted by the establishment."))

    @transition
    def action_validate(self):
        if not self.env.user.has_group("essms_billing.group_essms_operator"):
            raise AccessError(self.env._("Only a billing operator may validate an activity statement."))
        for statement in self:
            if statement.state != "submitted":
                raise UserError(
                    self.env._("Statement %(name)s must be submitted before it is validated.", name=statement.name)
                )
            if statement.blocking_count:
                raise UserError(
                    self.env._(
                        "Statement %(name)s has %(count)s blocking anomalies: correct the stays, absences, "
                        "decisions or tariffs, reopen it and submit it again.",
                        name=statement.name,
                        count=statement.blocking_count,
                    )
                )
        self.write({"state": "validated", "validated_by_id": self.env.uid})

    def action_reopen(self):
        """Ask the reason, then reopen: the statement's month can be corrected (absences, stays) and validated again."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reopen the activity statement"),
            "res_model": "essms.activity.statement.reopen",
            "view_mode": "form",
            "target": "new",
            "context": {"default_statement_ids": [Command.set(self.ids)]},
        }

    @transition
    def _reopen(self, reason):
        """Back to draft with the reason in the chatter (billing-rules §13: the validated month is what is billed).

        While a statement is validated, the absences and stays of its month cannot change (see
        ``_check_months_open``). Reopening an invoiced month is allowed: once it is validated again, a
        regularisation run bills the difference, and its portal file and its invoices show the same days.
        """
        if not self.env.user.has_group("essms_billing.group_essms_operator"):
            raise AccessError(self.env._("Only a billing operator may validate or reopen an activity statement."))
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Say why the activity statement is reopened."))
        runs = self.env["essms.billing.run"].sudo().search(
            [("state", "=", "invoiced"), ("kind", "=", "regular"),
             ("establishment_ids", "in", self.establishment_id.ids),
             ("period_start", "in", self.mapped("period_start"))]
        )
        self.write({"state": "draft", "validated_by_id": False, "submitted_by_id": False})
        for statement in self:
            invoiced = runs.filtered(
                lambda run, st=statement: st.establishment_id in run.establishment_ids
                and run.period_start == st.period_start
            )
            body = self.env._("Statement reopened: %(reason)s", reason=reason)
            if invoiced:
                body = self.env._(
                    "%(body)s. The month was invoiced by %(runs)s: once the statement is validated again, a "
                    "regularisation run bills the difference.",
                    body=body,
                    runs=", ".join(invoiced.mapped("name")),
                )
            statement.message_post(body=body)

    @api.model
    def _check_months_open(self, spans):
        """Refuse a change of absences or stays inside a month whose statement is validated.

        ``spans``: (establishment, first day, last day or None) touched by the change. One query for all of them.
        The days a département receives (the validated statement, its portal file) are the days billed: a change
        in a validated month first reopens its statement, with the reason in its chatter.
        """
        spans = [(establishment, first, last) for establishment, first, last in spans if establishment and first]
        if not spans:
            return
        first_day = min(first for _establishment, first, _last in spans).replace(day=1)
        statements = self.sudo().search_fetch(
            [("state", "=", "validated"), ("establishment_id", "in", list({span[0].id for span in spans})),
             ("period_end", ">=", first_day)],
            ["name", "establishment_id", "period_start", "period_end"],
        )
        locked = statements.filtered(
            lambda statement: any(
                establishment == statement.establishment_id and first <= statement.period_end
                and (last is None or last >= statement.period_start)
                for establishment, first, last in spans
            )
        )
        if locked:
            raise UserError(
                self.env._(
                    "The activity statement %(names)s is validated: its absences and stays cannot change any more. "
                    "Reopen it first (Reopen, with the reason), then correct, submit and validate it again; a month "
                    "already invoiced is then corrected by a regularisation run.",
                    names=", ".join(locked.mapped("name")),
                )
            )

    # Computation ---------------------------------------------------------------------------------------

    def _compute_lines(self):
        """Replace lines and anomalies of the statements, in one engine pass per month."""
        self = self.sudo()  # lines are computed for establishment users who only read them
        self.line_ids.unlink()
        self.anomaly_ids.unlink()
        line_vals, anomaly_vals = [], []
        for period_start, statements in self.grouped("period_start").items():
            period_end = month_end(period_start)
            stays = self.env["essms.stay"].search(
                [
                    ("establishment_id", "in", statements.establishment_id.ids),
                    ("date_start", "<=", period_end),
                    "|",
                    ("date_end", "=", False),
                    ("date_end", ">=", period_start),
                ]
            )
            batch = self.env["essms.billing.input"]._load(stays, period_start, period_end)
            by_establishment = {statement.establishment_id: statement for statement in statements}
            for loaded in batch.stays.values():
                statement = by_establishment[loaded.stay.establishment_id]
                days = classify_days(
                    loaded.engine.stay,
                    loaded.engine.absences,
                    loaded.engine.policy,
                    period_start,
                    period_end,
                    loaded.engine.counters,
                    batch.holidays,
                )
                line_vals.append(statement._prepare_line_vals(loaded, days))
                anomaly_vals.extend(statement._stay_anomalies(loaded, days))
            anomaly_vals.extend(statements._absences_outside_stays(period_start, period_end))
            anomaly_vals.extend(statements._days_billed_twice(batch, period_start, period_end))
        self.env["essms.activity.statement.line"].create(line_vals)
        self.env["essms.activity.statement.anomaly"].create(anomaly_vals)
        for statement in self:
            statement._check_capacity()

    def _prepare_line_vals(self, loaded, days):
        decision = self._covering_decision(loaded, days)
        counters = days.counters
        vals = {
            "statement_id": self.id,
            "stay_id": loaded.stay.id,
            "decision_id": decision.id if decision else False,
            "days_in_stay": days.days_in_stay,
            "days_present": float(days.days_present),
            "days_full_price": float(days.quantity(DayStatus.PRESENT, DayStatus.ABSENT_FULL_PRICE)),
            "days_reduced": float(days.quantity(DayStatus.ABSENT_REDUCED)),
            "days_resident": float(days.quantity(DayStatus.ABSENT_RESIDENT)),
            "days_not_billed": days.count(DayStatus.ABSENT_NOT_BILLED, DayStatus.NOT_BILLED),
            "year_absence_days": counters.absence_days,
            "year_hospital_days": counters.hospital_days,
            "quota_days": loaded.engine.policy.quota_days,
            "day_codes": "".join(day_code(day) for day in days.days),
        }
        for kind in ABSENCE_KINDS:
            vals["absence_%s" % kind] = float(days.absence_days(kind))
        return vals

    def _covering_decision(self, loaded, days):
        """The decision covering the most days of the month (the engine's DecisionInput key)."""
        stay = loaded.engine
        billed = [day.day for day in days.days if day.status != DayStatus.OUTSIDE_STAY]
        best, best_count = None, 0
        for decision in stay.decisions:
            count = sum(1 for day in billed if decision.covers(day, stay.stay.date_start))
            if count > best_count:
                best, best_count = decision, count
        return self.env["essms.funding.decision"].browse(best.key) if best else None

    def _anomaly(self, severity, code, message, stay=None):
        return {
            "statement_id": self.id,
            "severity": severity,
            "code": code,
            "message": message,
            "stay_id": stay.id if stay else False,
        }

    def _write_anomalies(self, anomalies, statement_of):
        """Anomaly values of the engine's ``controls.Anomaly`` list, each on the statement ``statement_of`` gives
        for its stay id (``None``: the statement itself)."""
        render = self.env["essms.billing.input"]._render
        return [
            statement_of(anomaly.stay_key)._anomaly(
                anomaly.severity, anomaly.code, render(anomaly.message),
                self.env["essms.stay"].browse(anomaly.stay_key) if anomaly.stay_key else None,
            )
            for anomaly in anomalies
        ]

    def _stay_anomalies(self, loaded, days):
        """Controls of billing-rules §8.2 (rights) and §8.4 (tariffs, overlapping absences) for one stay."""
        anomalies = controls.stay_anomalies(loaded.stay.beneficiary_id.name, loaded.engine, days)
        return self._write_anomalies(anomalies, lambda _stay_id: self)

    def _absences_outside_stays(self, period_start, period_end):
        """§8.1: absences of the month on days the stay does not cover (the stay was shortened since)."""
        absences = self.env["essms.absence"].search_fetch(
            [
                ("establishment_id", "in", self.establishment_id.ids),
                ("date_start", "<=", period_end + timedelta(days=1)),
                ("date_end", ">=", period_start - timedelta(days=1)),
            ],
            ["stay_id", "establishment_id", "date_start", "date_end"],
        )
        spans = []
        for absence in absences:
            start, end = absence._local_dates()
            stay = absence.stay_id
            spans.append(controls.AbsenceDates(
                stay.id, stay.beneficiary_id.name, start, end, stay.date_start, stay.date_end or None,
            ))
        by_establishment = {statement.establishment_id.id: statement for statement in self}
        establishment_of = {absence.stay_id.id: absence.establishment_id.id for absence in absences}
        anomalies = controls.absences_outside_stays(spans, period_start, period_end)
        return self._write_anomalies(anomalies, lambda stay_id: by_establishment[establishment_of[stay_id]])

    def _days_billed_twice(self, batch, period_start, period_end):
        """§8.1: a beneficiary billed on the same day by two stays, in this establishment or another."""
        stays = self.env["essms.stay"].browse(list(batch.stays))
        others = self.env["essms.stay"].search_fetch(
            [
                ("beneficiary_id", "in", stays.beneficiary_id.ids),
                ("accommodation", "in", controls.BILLED_ACCOMMODATIONS),
                ("date_start", "<=", period_end),
                "|",
                ("date_end", "=", False),
                ("date_end", ">=", period_start),
            ],
            ["beneficiary_id", "establishment_id", "date_start", "date_end", "accommodation"],
        )
        engines = {stay_id: loaded.engine for stay_id, loaded in batch.stays.items()}
        elsewhere = others - stays
        if elsewhere:
            other_batch = self.env["essms.billing.input"]._load(elsewhere, period_start, period_end)
            engines.update({stay_id: loaded.engine for stay_id, loaded in other_batch.stays.items()})

        def dates(stay):
            return controls.StayDates(
                stay.id, stay.beneficiary_id.id, stay.beneficiary_id.name, stay.establishment_id.name,
                engines[stay.id].stay, engines[stay.id].policy,
            )

        by_establishment = {statement.establishment_id.id: statement for statement in self}
        anomalies = controls.days_billed_twice(
            [dates(stay) for stay in stays], [dates(stay) for stay in others], period_start, period_end,
            batch.holidays,
        )
        return self._write_anomalies(
            anomalies, lambda stay_id: by_establishment[stays.browse(stay_id).establishment_id.id]
        )

    def _check_capacity(self):
        """§8.5: days present may not exceed the places times the days of the month."""
        anomaly = controls.capacity_anomaly(self.days_present, self.establishment_id.capacity, self.capacity_days)
        if anomaly:
            self.env["essms.activity.statement.anomaly"].create(self._write_anomalies([anomaly], lambda _key: self))

    @api.model
    def _blocking_for(self, establishments, period_start):
        """The establishments whose statement of the month is missing or not validated."""
        validated = self.sudo().search(
            [("establishment_id", "in", establishments.ids), ("period_start", "=", period_start),
             ("state", "=", "validated")]
        )
        return establishments - validated.establishment_id
