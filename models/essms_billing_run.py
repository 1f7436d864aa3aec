import logging
from dataclasses import replace

import psycopg2.errors

from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tools import SQL
from odoo.tools import mute_logger

from ..engine.billing import CONTRIBUTION as DETAIL_CONTRIBUTION
from ..engine.billing import Detail
from ..engine.billing import bill
from ..engine.billing import regularisation_details
from ..engine.dates import add_months
from ..engine.dates import month_end
from ..engine.money import cents
from ..engine.money import to_decimal
from ..engine.regularisation import CORRECTION_DETAIL
from ..engine.regularisation import CORRECTION_REMAINDER
from ..engine.regularisation import Billed
from ..engine.regularisation import months
from ..engine.regularisation import regularise
from .essms_job_chunk import CONCURRENT_ERRORS
from .essms_job_chunk import INVOICE_CHUNK_SIZE
from .essms_job_chunk import INVOICE_QUEUE_THRESHOLD
from .essms_job_chunk import STATEMENT_CHUNK_SIZE
from .essms_job_chunk import STATEMENT_SEQUENCE
from .essms_workflow_mixin import transition

_logger = logging.getLogger(__name__)

# Invoices created and posted per savepoint: a failure loses at most one batch, never half an invoice.
INVOICE_BATCH_SIZE = 200
# Products of the invoice lines, per tariff kind, and for the resident contribution.
TARIFF_PRODUCTS = {
    "accommodation": "essms_billing.product_daily_price_accommodation",
    "dependency": "essms_billing.product_daily_price_dependency",
    "care": "essms_billing.product_daily_price_care",
    "reservation": "essms_billing.product_daily_price_reservation",
}
CONTRIBUTION_PRODUCT = "essms_billing.product_resident_contribution"
# Runs that bill only differences with what was billed before (flow 3): several months at once.
CORRECTION_KINDS = ("recall", "regularisation")


class EssmsBillingRun(models.Model):
    """A month of billing for some establishments: compute (engine) → review → invoice."""

    _name = "essms.billing.run"
    _description = "Billing run"
    _inherit = ["mail.thread", "mail.activity.mixin", "essms.workflow.mixin"]
    _workflow_fields = ("state", "invoicing_queued")
    _order = "period_start desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True, readonly=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    period_start = fields.Date(
        string="Month",
        required=True,
        tracking=True,
        help="First day of the month billed; for a recall or a regularisation, of the first month reviewed.",
    )
    period_end = fields.Date(
        compute="_compute_period_end",
        store=True,
        readonly=False,
        tracking=True,
        help="Last day of the month billed; for a recall or a regularisation, of the last month reviewed.",
    )
    establishment_ids = fields.Many2many(
        "essms.establishment", string="Establishments", required=True, check_company=True, tracking=True
    )
    kind = fields.Selection(
        selection=[("regular", "Regular"), ("recall", "Recall"), ("regularisation", "Regularisation")],
        required=True,
        default="regular",
        tracking=True,
        help="Regular: bills a month. Recall: bills the months of a pending file once it is decided. "
        "Regularisation: bills the differences of past months after a tariff, absence or decision changed.",
    )
    beneficiary_ids = fields.Many2many(
        "essms.beneficiary",
        string="Beneficiaries",
        check_company=True,
        tracking=True,
        help="Recall or regularisation of these beneficiaries only; empty: every beneficiary of the establishments.",
    )
    decision_id = fields.Many2one(
        "essms.funding.decision",
        string="Funding decision",
        check_company=True,
        readonly=True,
        help="The decision whose recall this run bills.",
    )
    invoice_date = fields.Date(
        string="Invoicing date",
        default=fields.Date.context_today,
        copy=False,
        tracking=True,
        help="Date of the invoices and credit notes the run creates: today by default, to change before invoicing "
        "when they must bear another day (the month's usual invoicing day, for instance).",
    )
    state = fields.Selection(
        selection=[("draft", "Draft"), ("computed", "Computed"), ("invoiced", "Invoiced"), ("cancelled", "Cancelled")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
    )
    line_ids = fields.One2many("essms.billing.line", "run_id", string="Lines", readonly=True, copy=False)
    move_ids = fields.One2many("account.move", "essms_run_id", string="Invoices", readonly=True, copy=False)
    line_count = fields.Integer(compute="_compute_counts")
    move_count = fields.Integer(compute="_compute_counts")
    anomaly_count = fields.Integer(compute="_compute_counts")
    amount_total = fields.Monetary(compute="_compute_counts", string="To invoice")
    to_bill_on_decision_total = fields.Monetary(compute="_compute_counts", string="To bill on decision")
    invoicing_queued = fields.Boolean(
        string="Being invoiced by the job runners",
        readonly=True,
        copy=False,
        help="The invoices are being created by the job runners, part after part; the run shows their progress.",
    )
    chunk_ids = fields.One2many("essms.job.chunk", "billing_run_id", string="Job parts", readonly=True, copy=False)
    chunk_total = fields.Integer(compute="_compute_chunk_progress", string="Invoicing parts")
    chunk_done = fields.Integer(compute="_compute_chunk_progress", string="Invoicing parts done")
    chunk_failed = fields.Integer(compute="_compute_chunk_progress", string="Invoicing parts failed")

    @api.depends("period_start", "period_end", "kind")
    def _compute_name(self):
        for run in self:
            month = run.period_start.strftime("%Y-%m") if run.period_start else ""
            last = run.period_end.strftime("%Y-%m") if run.period_end else month
            if run.kind == "recall":
                run.name = self.env._("Recall %(first)s to %(last)s", first=month, last=last)
            elif run.kind == "regularisation":
                run.name = self.env._("Regularisation %(first)s to %(last)s", first=month, last=last)
            else:
                run.name = self.env._("Billing %(month)s", month=month)

    @api.depends("period_start", "kind")
    def _compute_period_end(self):
        for run in self:
            if not run.period_start:
                run.period_end = False
            elif run.kind == "regular" or not run.period_end or run.period_end < run.period_start:
                run.period_end = month_end(run.period_start)

    @api.depends("line_ids.amount", "line_ids.has_anomaly", "move_ids")
    def _compute_counts(self):
        for run in self:
            run.line_count = len(run.line_ids)
            run.move_count = len(run.move_ids)
            run.anomaly_count = len(run.line_ids.filtered("has_anomaly"))
            run.amount_total = sum(run.line_ids.mapped("amount"))
            run.to_bill_on_decision_total = sum(run.line_ids.mapped("to_bill_on_decision"))

    @api.depends("chunk_ids.state")
    def _compute_chunk_progress(self):
        counts = {
            (run.id, state): count
            for run, state, count in self.env["essms.job.chunk"].sudo()._read_group(
                [("billing_run_id", "in", self.ids), ("job", "=", "invoice")], ["billing_run_id", "state"], ["__count"]
            )
        }
        for run in self:
            run.chunk_done = counts.get((run.id, "done"), 0)
            run.chunk_failed = counts.get((run.id, "failed"), 0)
            run.chunk_total = run.chunk_done + run.chunk_failed + counts.get((run.id, "pending"), 0)

    @api.constrains("period_start", "period_end", "kind")
    def _check_period(self):
        for run in self:
            if run.period_start.day != 1:
                raise ValidationError(self.env._("Run %(name)s: the month must start on its first day.", name=run.name))
            if run.kind == "regular" and run.period_end != month_end(run.period_start):
                raise ValidationError(self.env._("Run %(name)s: a regular run bills one month.", name=run.name))
            if run.period_end < run.period_start or run.period_end != month_end(run.period_end):
                raise ValidationError(
                    self.env._("Run %(name)s: the period must end on the last day of a month.", name=run.name)
                )

    def init(self):
        res = super().init()
        # One row per (beneficiary, payer, month) a recall or a regularisation invoiced: each run invoicing a
        # difference updates the rows of its lines in the transaction that posts the invoices. Two runs
        # computed against the same amounts cannot both commit: the second one updates a row the first one
        # updated after the second's snapshot was taken, and PostgreSQL refuses it (serialisation failure),
        # whatever the timing (billing-rules §8.1).
        self.env.cr.execute(
            SQL(
                """
                CREATE TABLE IF NOT EXISTS essms_billing_correction_key (
                    beneficiary_id integer NOT NULL REFERENCES essms_beneficiary(id) ON DELETE CASCADE,
                    payer_id integer NOT NULL REFERENCES res_partner(id) ON DELETE CASCADE,
                    period_start date NOT NULL,
                    run_id integer REFERENCES essms_billing_run(id) ON DELETE SET NULL,
                    write_date timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
                    PRIMARY KEY (beneficiary_id, payer_id, period_start)
                )
                """
            )
        )
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_invoiced(self):
        if any(run.move_ids for run in self):
            raise UserError(self.env._("A run that created invoices cannot be deleted."))

    # Actions --------------------------------------------------------------------------------------------

    @transition
    def action_compute(self):
        """Fill the lines from the engine; recomputing replaces the lines not invoiced yet."""
        for run in self:
            if run.state not in ("draft", "computed"):
                state = dict(run._fields["state"]._description_selection(self.env))[run.state]
                raise UserError(
                    self.env._("Run %(name)s is %(state)s: it cannot be computed again.", name=run.name, state=state)
                )
            if run.move_ids:
                raise UserError(
                    self.env._("Run %(name)s has already created invoices: it cannot be computed again.", name=run.name)
                )
            run._lock()
            if run.kind in CORRECTION_KINDS:
                run._check_months_billed()
                # A reopened month is corrected once its statement is validated again: the days sent to the
                # département and the days billed stay the same (billing-rules §13).
                for month in months(run.period_start, run.period_end):
                    run._check_statements(month)
            else:
                run._check_statements()
                run._check_other_runs()
        self.line_ids.unlink()
        self.filtered(lambda run: run.kind == "regular")._compute_lines()
        for run in self.filtered(lambda run: run.kind in CORRECTION_KINDS):
            run._compute_correction_lines()
        self.state = "computed"

    def action_invoice(self):
        """Create and post the invoices of the computed lines, in batches each inside a savepoint.

        A regular run of more than ``INVOICE_QUEUE_THRESHOLD`` invoices is queued instead: the job runners create its
        invoices part after part, in parallel (``essms.job.chunk``), and the run shows their progress. A recall or a
        regularisation (a few beneficiaries) is always invoiced at once: its guard against a concurrent
        correction holds within one transaction.
        """
        return self._action_invoice(queue=True)

    def _invoice_at_once(self):
        """Invoice every computed line in the caller's transaction, however large the run: for a script that replays
        or measures a month (the demo generator, the benches) and for tests that look at the invoices at once."""
        return self._action_invoice(queue=False)

    def _action_invoice(self, queue):
        for run in self:
            if run.state != "computed":
                raise UserError(self.env._("Run %(name)s must be computed before it is invoiced.", name=run.name))
            if run.invoicing_queued:
                raise UserError(self.env._(
                    "Run %(name)s is being invoiced by the job runners (%(done)s of %(total)s parts done): wait "
                    "for them to finish, then reload the run.",
                    name=run.name, done=run.chunk_done, total=run.chunk_total,
                ))
            run._lock()
            if run.kind in CORRECTION_KINDS:
                run._lock_corrected_keys()
                run._check_billed_unchanged()
            elif queue and run._queue_invoicing():
                continue
            run._invoice()
        # The nominative statements of the invoices made per payer are rendered by a job, after the commit.
        self.env.ref("essms_billing.ir_cron_essms_nominative_statements")._trigger()

    @transition
    def action_cancel(self):
        for run in self:
            if run.move_ids.filtered(lambda move: move.state != "cancel"):
                raise UserError(
                    self.env._(
                        "Run %(name)s has invoices: cancel them (or issue credit notes) before cancelling the run.",
                        name=run.name,
                    )
                )
        self.line_ids.unlink()
        self.state = "cancelled"

    def action_view_moves(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice_type")
        action["domain"] = [("essms_run_id", "=", self.id)]
        action["context"] = {"default_move_type": "out_invoice", "create": False}
        if self.kind in CORRECTION_KINDS:
            action["name"] = self.env._("Invoices and credit notes")
        return action

    # Safety ---------------------------------------------------------------------------------------------

    def _lock(self):
        """Lock the run and the month's statements of its establishments, or refuse at once.

        Two runs of one establishment and month lock the same statement rows: the second is told
        someone else is at work instead of waiting, then billing twice (billing-rules §8.1).
        """
        self.ensure_one()
        self.flush_recordset()
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        """
                        SELECT id FROM essms_activity_statement
                         WHERE establishment_id IN %(establishments)s
                           AND period_start BETWEEN %(period_start)s AND %(period_end)s
                           FOR UPDATE NOWAIT
                        """,
                        establishments=tuple(self.establishment_ids.ids),
                        period_start=self.period_start,
                        period_end=self.period_end,
                    )
                )
                self.env.cr.execute(SQL("SELECT id FROM essms_billing_run WHERE id = %s FOR UPDATE NOWAIT", self.id))
        except psycopg2.errors.LockNotAvailable:
            raise UserError(
                self.env._(
                    "Another billing run of %(establishments)s for %(month)s is being computed or invoiced right "
                    "now. Wait for it to finish, then reload this run.",
                    establishments=", ".join(self.establishment_ids.mapped("name")),
                    month=self.period_start.strftime("%m/%Y"),
                )
            ) from None

    def _check_statements(self, month=None):
        month = month or self.period_start
        missing = self.env["essms.activity.statement"]._blocking_for(self.establishment_ids, month)
        if missing:
            raise UserError(
                self.env._(
                    "The activity statement of %(month)s is not validated for %(establishments)s: validate it "
                    "before billing the month.",
                    month=month.strftime("%m/%Y"),
                    establishments=", ".join(missing.mapped("name")),
                )
            )

    def _check_other_runs(self):
        others = self.search(
            [
                ("id", "!=", self.id),
                ("kind", "=", self.kind),
                ("period_start", "=", self.period_start),
                ("state", "!=", "cancelled"),
                ("establishment_ids", "in", self.establishment_ids.ids),
            ]
        )
        if others:
            # Both runs of a month bear the same name: the other one is told apart by its number, author and state.
            other = others[0]
            raise UserError(
                self.env._(
                    "Another run already bills %(establishments)s for %(month)s: run no. %(id)s “%(other)s”, "
                    "created by %(user)s on %(date)s, %(state)s (this run is no. %(self_id)s). Cancel one of the "
                    "two runs, then compute the other.",
                    establishments=", ".join((others.establishment_ids & self.establishment_ids).mapped("name")),
                    month=self.period_start.strftime("%m/%Y"),
                    id=other.id,
                    other=other.name,
                    user=other.create_uid.name,
                    date=fields.Datetime.context_timestamp(self, other.create_date).strftime("%d/%m/%Y %H:%M"),
                    state=dict(other._fields["state"]._description_selection(self.env))[other.state],
                    self_id=self.id,
                )
            )

    # Computation ----------------------------------------------------------------------------------------

    def _get_stays_to_bill(self):
        domain = [
            ("establishment_id", "in", self.establishment_ids.ids),
            ("date_start", "<=", self.period_end),
            "|",
            ("date_end", "=", False),
            ("date_end", ">=", add_months(self.period_start, -1)),
        ]
        if self.beneficiary_ids:
            domain.append(("beneficiary_id", "in", self.beneficiary_ids.ids))
        return self.env["essms.stay"].sudo().search(domain)

    def _compute_lines(self):
        vals_list = []
        for run in self:
            batch = self.env["essms.billing.input"]._load(run._get_stays_to_bill(), run.period_start, run.period_end)
            billings = bill([loaded.engine for loaded in batch.stays.values()], run.period_start, run.period_end,
                            batch.fjh, batch.holidays)
            previous = run._previous_amounts(list(batch.stays))
            accrued = run._accrued_before()
            memo = {}  # each distinct date, price and amount of the messages formatted once
            for billing in billings:
                loaded = batch.stays[billing.stay_key]
                for result in billing.results:
                    if result.payer is None:
                        continue  # no agreement and none required (an ESAT): nothing billed individually
                    vals = run._prepare_line_vals(loaded, billing, result, previous, accrued, memo)
                    vals["blocked"] = billing.blocked
                    vals_list.append(vals)
        return self.env["essms.billing.line"]._create_with_details(vals_list)

    def _prepare_line_vals(self, loaded, billing, result, previous, accrued, memo=None):
        render = self.env["essms.billing.input"]._render_all
        anomalies = result.anomalies
        if result.role == "payer":
            anomalies = (*billing.anomalies, *anomalies)
        if result.payer is None:
            raise UserError(
                self.env._(
                    "%(name)s: the establishment %(establishment)s has no agreement in force for %(month)s.",
                    name=loaded.stay.beneficiary_id.name,
                    establishment=loaded.stay.establishment_id.name,
                    month=self.period_start.strftime("%m/%Y"),
                )
            )
        key = (loaded.stay.id, result.role, result.payer)
        amount = float(result.amount)
        previous_amount = previous.get(key)
        to_bill = float(result.to_bill_on_decision)
        return {
            "run_id": self.id,
            "stay_id": loaded.stay.id,
            "beneficiary_id": loaded.stay.beneficiary_id.id,
            "agreement_id": result.agreement or loaded.agreement.id,
            "role": result.role,
            "payer_id": result.payer,
            "period_start": self.period_start,  # given, not precomputed line by line
            "decision_id": result.decision_key or False,
            "pending_decision": bool(result.to_bill_on_decision),
            "days_billed": float(result.days_billed),
            "days_reduced": float(result.days_reduced),
            "unit_price": float(result.unit_price),
            "gross_amount": float(result.gross_amount),
            "contribution_amount": float(result.contribution_amount),
            "amount": amount,
            "to_bill_on_decision": to_bill,
            "to_bill_on_decision_total": accrued.get(result.decision_key, 0.0) + to_bill if to_bill else 0.0,
            "third_party_amount": float(result.third_party_amount),
            "previous_amount": previous_amount or 0.0,
            "amount_changed": previous_amount is not None
            and self.currency_id.compare_amounts(previous_amount, amount) != 0,
            "explanation": render(result.explanation, memo),
            "anomaly": render(anomalies, memo),
            "has_anomaly": bool(anomalies),
            "detail_ids": self._prepare_detail_commands(result.details, result.payer, memo),
        }

    def _prepare_detail_commands(self, details, payer_id, memo=None):
        """The stored detail rows of a line, created with it in the same batched create (billing-rules §13)."""
        render = self.env["essms.billing.input"]._render
        return [
            Command.create({
                "sequence": sequence,
                "component": detail.component,
                "payer_id": payer_id,
                "kind": detail.kind,
                "base_kind": detail.base_kind or False,
                "date_from": detail.date_from,
                "date_to": detail.date_to,
                "quantity": float(detail.quantity),
                "unit_price": float(detail.unit_price),
                "amount": float(detail.amount),
                "reason": render(detail.reason, self.currency_id, memo),
            })
            for sequence, detail in enumerate(details, start=1)
        ]

    def _previous_amounts(self, stay_ids):
        """{(stay, role, payer): amount} of last month's regular run, for the "changed" filter."""
        lines = self.env["essms.billing.line"].search_fetch(
            [
                ("stay_id", "in", stay_ids),
                ("run_id.kind", "=", "regular"),
                ("run_id.state", "in", ("computed", "invoiced")),
                ("run_id.period_start", "=", add_months(self.period_start, -1)),
            ],
            ["stay_id", "role", "payer_id", "amount"],
        )
        return {(line.stay_id.id, line.role, line.payer_id.id): line.amount for line in lines}

    def _accrued_before(self):
        """{decision id: accrued before this month}: the running total of pending files (billing-rules §4)."""
        groups = self.env["essms.billing.line"]._read_group(
            [
                ("run_id.establishment_ids", "in", self.establishment_ids.ids),
                ("run_id.state", "in", ("computed", "invoiced")),
                ("run_id.period_start", "<", self.period_start),
                ("pending_decision", "=", True),
            ],
            ["decision_id"],
            ["to_bill_on_decision:sum"],
        )
        return {decision.id: total for decision, total in groups}

    # Recalls and regularisations (flow 3) -----------------------------------------------------------------

    @api.model
    def _prepare_recall_vals(self, decision):
        """A recall of ``decision``'s beneficiary, from the first month billed while it was pending (or
        its date of effect) to the last month a regular run invoiced."""
        establishments = decision.establishment_id or decision.beneficiary_id.stay_ids.establishment_id
        pending = self.env["essms.billing.line"]._read_group(
            [("decision_id", "=", decision.id), ("pending_decision", "=", True), ("run_id.kind", "=", "regular")],
            [],
            ["period_start:min"],
        )[0][0]
        starts = [day for day in (pending, decision.date_effect, decision.date_entry) if day]
        invoiced = self.search(
            [("kind", "=", "regular"), ("state", "=", "invoiced"), ("establishment_ids", "in", establishments.ids)],
            order="period_start",
        )
        last = invoiced[-1:].period_start
        first = starts and max(min(starts).replace(day=1), invoiced[:1].period_start or min(starts))
        if not first or not last or last < first:
            raise UserError(
                self.env._(
                    "No month of %(name)s's stay has been invoiced by a regular run yet: there is nothing to "
                    "recall. The next regular runs bill according to the decision.",
                    name=decision.beneficiary_id.name,
                )
            )
        return {
            "kind": "recall",
            "company_id": decision.company_id.id,
            "period_start": first,
            "period_end": month_end(last),
            "establishment_ids": [Command.set(establishments.ids)],
            "beneficiary_ids": [Command.set(decision.beneficiary_id.ids)],
            "decision_id": decision.id,
        }

    def _check_months_billed(self):
        """A correction only corrects months a regular run invoiced: otherwise the regular run would bill
        them again, under its own key, after the correction."""
        runs = self.search(
            [
                ("kind", "=", "regular"),
                ("state", "=", "invoiced"),
                ("establishment_ids", "in", self.establishment_ids.ids),
                ("period_start", ">=", self.period_start),
                ("period_start", "<=", self.period_end),
            ]
        )
        invoiced = {(establishment, run.period_start) for run in runs for establishment in run.establishment_ids}
        for establishment in self.establishment_ids:
            missing = [month for month in months(self.period_start, self.period_end)
                       if (establishment, month) not in invoiced]
            if missing:
                raise UserError(
                    self.env._(
                        "%(establishment)s: %(months)s not invoiced by a regular billing run yet. A recall or a "
                        "regularisation only corrects invoiced months: bill them with a regular run first.",
                        establishment=establishment.name,
                        months=", ".join(month.strftime("%m/%Y") for month in missing),
                    )
                )

    def _billed_amounts(self, stays):
        """{(stay id, role, payer id, month): (Billed, agreement id, decision id, first invoice id)}.

        What the posted invoices and credit notes of runs billed, read from their billing lines (an
        invoice per payer carries the lines of several beneficiaries), in one grouped query.
        """
        groups = self.env["essms.billing.line"]._read_group(
            [
                ("stay_id", "in", stays.ids),
                ("period_start", ">=", self.period_start),
                ("period_start", "<=", self.period_end),
                ("move_id.state", "=", "posted"),
                ("run_id", "!=", self.id),
            ],
            ["stay_id", "role", "payer_id", "period_start:day"],
            [
                "amount:sum", "gross_amount:sum", "contribution_amount:sum", "days_billed:sum", "days_reduced:sum",
                "third_party_amount:sum", "id:max", "agreement_id:array_agg", "decision_id:array_agg",
                "move_id:array_agg",
            ],
        )
        latest = self.env["essms.billing.line"].browse([group[10] for group in groups])
        latest.fetch(["unit_price"])
        billed = {}
        for stay, role, payer, month, amount, gross, contribution, days, reduced, third_party, last_id, agreements, \
                decisions, moves in groups:
            billed[(stay.id, role, payer.id, month)] = (
                Billed(
                    amount=to_decimal(amount),
                    gross_amount=to_decimal(gross),
                    contribution_amount=to_decimal(contribution),
                    days_billed=to_decimal(days),
                    days_reduced=to_decimal(reduced),
                    unit_price=to_decimal(latest.browse(last_id).unit_price),
                    third_party_amount=to_decimal(third_party),
                ),
                max(filter(None, agreements), default=False),
                max(filter(None, decisions), default=False),
                min(moves),
            )
        return billed

    def _accrued_amounts(self, stays):
        """{(stay id, month): payer's share accrued by regular runs while a decision was pending}."""
        groups = self.env["essms.billing.line"]._read_group(
            [
                ("stay_id", "in", stays.ids),
                ("period_start", ">=", self.period_start),
                ("period_start", "<=", self.period_end),
                ("pending_decision", "=", True),
                ("run_id.kind", "=", "regular"),
                ("run_id.state", "=", "invoiced"),
            ],
            ["stay_id", "period_start:day"],
            ["to_bill_on_decision:sum"],
        )
        return {(stay.id, month): to_decimal(total) for stay, month, total in groups}

    def _compute_correction_lines(self):
        """Lines of the differences between what each past month is due today and what was billed for it."""
        self.ensure_one()
        stays = self._get_stays_to_bill()
        stays.fetch(["beneficiary_id", "establishment_id", "date_start", "date_end"])
        billed = self._billed_amounts(stays)
        billed_details = self._billed_details(stays)
        accrued = self._accrued_amounts(stays)
        payer_billed = {(key[0], key[3]) for key, value in billed.items() if key[1] == "payer" and value[0].amount}
        vals_list = []
        for month in months(self.period_start, self.period_end):
            end = month_end(month)
            previous = add_months(month, -1)
            month_stays = stays.filtered(
                lambda stay, end=end, previous=previous: stay.date_start <= end
                and (not stay.date_end or stay.date_end >= previous)
            )
            due = {}
            blocked = set()
            if month_stays:
                batch = self.env["essms.billing.input"]._load(month_stays, month, end)
                billings = bill([loaded.engine for loaded in batch.stays.values()], month, end, batch.fjh,
                                batch.holidays)
                for billing in billings:
                    loaded = batch.stays[billing.stay_key]
                    if billing.blocked:
                        # Nothing is corrected for a person who cannot be priced: a line says what to fill in.
                        blocked.add(billing.stay_key)
                        vals_list.append(self._prepare_blocked_line_vals(loaded, billing, month))
                        continue
                    for result in billing.results:
                        if result.payer is None:
                            self._raise_no_agreement(loaded.stay, month)
                        due[(billing.stay_key, result.role, result.payer)] = (loaded, billing, result)
            keys = dict.fromkeys([*due, *(key[:3] for key in billed if key[3] == month)])
            for key in keys:
                if key[0] in blocked:
                    continue
                stay_id, role, _payer = key
                billed_row = billed.get((*key, month))
                billed_values = billed_row[0] if billed_row else Billed()
                stay_accrued = accrued.get((stay_id, month), to_decimal(0))
                if stay_accrued and (stay_id, month) not in payer_billed:
                    if role == "payer":
                        billed_values = replace(billed_values, accrued=stay_accrued)
                    else:
                        billed_values = replace(billed_values, provision=True)
                loaded, billing, result = due.get(key, (None, None, None))
                difference = regularise(result, billed_values, role, month, end)
                if difference is not None:
                    vals = self._prepare_correction_line_vals(
                        key, month, difference, billed_values, billed_row, loaded, billing, result, stays
                    )
                    details = self._correction_details(
                        result, billed_details.get((*key, month), ()), difference, month, end
                    )
                    vals["detail_ids"] = self._prepare_detail_commands(details, key[2])
                    vals_list.append(vals)
        return self.env["essms.billing.line"].create(vals_list)

    def _billed_details(self, stays):
        """{(stay id, role, payer id, month): [engine ``Detail``]}: the stored rows of the lines of posted
        documents of other runs, in one query, to net against what is due today."""
        details = self.env["essms.billing.line.detail"].search_fetch(
            [
                ("line_id.stay_id", "in", stays.ids),
                ("line_id.period_start", ">=", self.period_start),
                ("line_id.period_start", "<=", self.period_end),
                ("line_id.move_id.state", "=", "posted"),
                ("line_id.run_id", "!=", self.id),
            ],
            ["line_id", "component", "kind", "base_kind", "quantity", "unit_price", "amount", "date_from", "date_to"],
        )
        details.line_id.fetch(["stay_id", "role", "payer_id", "period_start"])
        billed = {}
        for detail in details:
            line = detail.line_id
            billed.setdefault((line.stay_id.id, line.role, line.payer_id.id, line.period_start), []).append(
                Detail(
                    kind=detail.kind,
                    quantity=to_decimal(detail.quantity),
                    unit_price=cents(detail.unit_price),
                    amount=cents(detail.amount),
                    date_from=detail.date_from,
                    date_to=detail.date_to,
                    reason=None,
                    component=detail.component,
                    base_kind=detail.base_kind or "",
                )
            )
        return billed

    @api.model
    def _correction_details(self, due, billed_details, difference, month, end):
        """The rows of a correction: due today less billed, per kind and price; anything they do not explain
        (documents billed before the rows were stored) on a row of its own, so the rows add up to the line."""
        due_details = due.details if due is not None and not due.to_bill_on_decision else ()
        rows = regularisation_details(due_details, billed_details, CORRECTION_DETAIL, month, end)
        remainder = cents(difference.amount) - sum((row.amount for row in rows), cents(0))
        if remainder:
            rows += (
                Detail(
                    kind="regularisation",
                    quantity=to_decimal(1),
                    unit_price=remainder,
                    amount=remainder,
                    date_from=month,
                    date_to=end,
                    reason=CORRECTION_REMAINDER(date_from=month, date_to=end),
                    base_kind="regularisation",
                ),
            )
        return rows

    def _prepare_blocked_line_vals(self, loaded, billing, month):
        """A line of zero that invoices nothing, naming what stops the billing of the person (billing-rules §9)."""
        render = self.env["essms.billing.input"]._render_all
        (result,) = billing.results
        return {
            "run_id": self.id,
            "stay_id": loaded.stay.id,
            "beneficiary_id": loaded.stay.beneficiary_id.id,
            "agreement_id": loaded.agreement.id,
            "role": "resident",
            "payer_id": result.payer,
            "period_start": month,
            "amount": 0.0,
            "explanation": render(result.explanation),
            "anomaly": render(result.anomalies),
            "has_anomaly": True,
            "blocked": True,
        }

    def _prepare_correction_line_vals(self, key, month, difference, billed, billed_row, loaded, billing, result, stays):
        input_model = self.env["essms.billing.input"]
        stay_id, role, payer_id = key
        stay = stays.browse(stay_id)
        anomalies = ()
        if result is not None:
            anomalies = (*billing.anomalies, *result.anomalies) if role == "payer" else result.anomalies
        explanation = [input_model._render(message, self.currency_id) for message in difference.explanation]
        due_days = result.days_billed if result is not None else 0
        due_reduced = result.days_reduced if result is not None else 0
        return {
            "run_id": self.id,
            "stay_id": stay.id,
            "beneficiary_id": stay.beneficiary_id.id,
            "agreement_id": loaded.agreement.id if loaded else billed_row[1],
            "role": role,
            "payer_id": payer_id,
            "decision_id": (result.decision_key if result is not None else billed_row[2]) or False,
            "period_start": month,
            "days_billed": float(due_days - billed.days_billed),
            "days_reduced": float(due_reduced - billed.days_reduced),
            "unit_price": float(result.unit_price) if result is not None else 0.0,
            "gross_amount": float(difference.gross_amount),
            "contribution_amount": float(difference.contribution_amount),
            "third_party_amount": float(difference.third_party_amount),
            "amount": float(difference.amount),
            "billed_amount": float(difference.billed),
            "due_amount": float(difference.due),
            "origin_move_id": billed_row[3] if billed_row else False,
            "explanation": "\n".join(explanation),
            "anomaly": input_model._render_all(anomalies),
            "has_anomaly": bool(anomalies),
        }

    def _lock_corrected_keys(self):
        """Claim the (beneficiary, payer, month) rows this correction bills, or refuse at once.

        The rows are updated, not only locked: a run whose snapshot predates another correction's commit on one
        of its rows cannot update it (REPEATABLE READ), so the amounts it computed from cannot be stale.
        """
        lines = self._get_lines_to_bill()
        keys = sorted({(line.beneficiary_id.id, line.payer_id.id, line.period_start) for line in lines})
        if not keys:
            return
        cr = self.env.cr
        try:
            with mute_logger("odoo.sql_db"), cr.savepoint(flush=False):
                # Wait a little for a run invoicing the same rows, then refuse rather than hang the screen.
                cr.execute("SET LOCAL lock_timeout = '3s'")
                cr.execute(
                    SQL(
                        """
                        INSERT INTO essms_billing_correction_key (beneficiary_id, payer_id, period_start, run_id)
                        SELECT beneficiary, payer, month, %(run)s
                          FROM unnest(%(beneficiaries)s::integer[], %(payers)s::integer[], %(months)s::date[])
                               AS keys(beneficiary, payer, month)
                        ON CONFLICT (beneficiary_id, payer_id, period_start)
                        DO UPDATE SET run_id = EXCLUDED.run_id, write_date = now() AT TIME ZONE 'UTC'
                        """,
                        run=self.id,
                        beneficiaries=[key[0] for key in keys],
                        payers=[key[1] for key in keys],
                        months=[key[2] for key in keys],
                    )
                )
                cr.execute("SET LOCAL lock_timeout = 0")
        except psycopg2.errors.LockNotAvailable:
            raise UserError(
                self.env._(
                    "Another recall or regularisation of the same beneficiaries and months is being invoiced right "
                    "now. Wait for it to finish, then compute run %(name)s again: only the remaining differences "
                    "will be billed.",
                    name=self.name,
                )
            ) from None
        except psycopg2.errors.SerializationFailure:
            raise UserError(
                self.env._(
                    "Since run %(name)s was computed, another recall or regularisation invoiced differences for the "
                    "same beneficiaries and months. Compute run %(name)s again: only the remaining differences will "
                    "be billed.",
                    name=self.name,
                )
            ) from None

    def _check_billed_unchanged(self):
        """Refuse to invoice differences computed against amounts that other documents changed since."""
        billed = self._billed_amounts(self.line_ids.stay_id)
        changed = self.line_ids.filtered(
            lambda line: self.currency_id.compare_amounts(
                float(billed.get((line.stay_id.id, line.role, line.payer_id.id, line.period_start), (Billed(),))[0]
                      .amount),
                line.billed_amount,
            )
        )
        if changed:
            raise UserError(
                self.env._(
                    "Since run %(name)s was computed, other invoices or credit notes were posted for %(names)s: "
                    "compute it again so that only the remaining differences are billed.",
                    name=self.name,
                    names=", ".join(changed.beneficiary_id.mapped("name")),
                )
            )

    def _raise_no_agreement(self, stay, month):
        raise UserError(
            self.env._(
                "%(name)s: the establishment %(establishment)s has no agreement in force for %(month)s.",
                name=stay.beneficiary_id.name,
                establishment=stay.establishment_id.name,
                month=month.strftime("%m/%Y"),
            )
        )

    # Invoicing ------------------------------------------------------------------------------------------

    def _get_lines_to_bill(self):
        return self.line_ids.filtered(
            lambda line: not line.move_id and not line.blocked and not line.currency_id.is_zero(line.amount)
        )

    def _invoice_key(self, line):
        """Lines sharing a key make one invoice: per payer and beneficiary, or per payer (agreement setting)."""
        per_payer = line.role == "payer" and line.agreement_id.invoice_grouping == "payer"
        # A regularisation bills each month on its own document; a recall bills the whole file at once.
        month = line.period_start if self.kind == "regularisation" else False
        return (line.establishment_id, line.role, line.payer_id, line.beneficiary_id.browse() if per_payer
                else line.beneficiary_id, month)

    def _check_journals(self, lines):
        no_journal = lines.establishment_id.filtered(lambda establishment: not establishment.journal_id)
        if no_journal:
            raise UserError(
                self.env._(
                    "Set the sales journal of %(establishments)s (one invoice series per establishment) before "
                    "invoicing.",
                    establishments=", ".join(no_journal.mapped("name")),
                )
            )

    @transition
    def _queue_invoicing(self):
        """Cut the invoices to create into parts for the job runners, or return False for a run small enough to be
        invoiced in the click.

        An invoice's lines are never split between parts. Parts alternate between establishments (one sales
        journal, one numbering each): two runners posting in one journal wait for each other's numbers, in
        two journals they do not.
        """
        self.ensure_one()
        lines = self._get_lines_to_bill()
        self._check_journals(lines)
        groups = lines.grouped(self._invoice_key)
        if len(groups) <= INVOICE_QUEUE_THRESHOLD:
            return False
        per_journal = {}
        for key, group in groups.items():
            per_journal.setdefault(key[0].journal_id.id, []).append(group.ids)
        parts_by_journal = []
        for invoices in per_journal.values():
            parts_by_journal.append([
                [line_id for group_ids in invoices[start:start + INVOICE_CHUNK_SIZE] for line_id in group_ids]
                for start in range(0, len(invoices), INVOICE_CHUNK_SIZE)
            ])
        parts = [
            journal_parts[index]
            for index in range(max(len(journal_parts) for journal_parts in parts_by_journal))
            for journal_parts in parts_by_journal
            if index < len(journal_parts)
        ]
        self.env["essms.job.chunk"]._queue("invoice", parts, company_id=self.company_id.id, billing_run_id=self.id)
        self.invoicing_queued = True
        self.message_post(body=self.env._(
            "Invoicing queued: %(count)s invoices in %(parts)s parts, created by the job runners. Reload the run to "
            "follow their progress.",
            count=len(groups), parts=len(parts),
        ))
        return True

    def _invoice_chunk(self, lines):
        """Create and post the invoices of one part (``lines``: whole invoices), in the part's transaction.

        The lines are locked first and read again: a part done twice (claimed again after a runner died, or by a
        second queue) finds them invoiced and creates nothing; the unique key of the invoices is the last guard.
        """
        self.ensure_one()
        self.env["essms.billing.line"].flush_model()
        self.env.cr.execute(SQL(
            "SELECT id FROM essms_billing_line WHERE id IN %s ORDER BY id FOR NO KEY UPDATE NOWAIT",
            tuple(lines.ids) or (0,),
        ))
        lines.invalidate_recordset(["move_id"])
        lines = lines.exists().filtered(
            lambda line: not line.move_id and not line.blocked and not line.currency_id.is_zero(line.amount)
        )
        if not lines:
            return self.env["account.move"]
        self._check_journals(lines)
        created = self.env["account.move"]
        groups = list(lines.grouped(self._invoice_key).items())
        for start in range(0, len(groups), INVOICE_BATCH_SIZE):
            batch = groups[start:start + INVOICE_BATCH_SIZE]
            moves = self.env["account.move"].create([self._prepare_invoice_vals(key, group) for key, group in batch])
            moves.action_post()
            created |= moves
        grouped = created.filtered(lambda move: move.move_type == "out_invoice" and not move.essms_beneficiary_id)
        if grouped:
            self.env["essms.job.chunk"]._queue(
                "statement",
                [grouped.ids[start:start + STATEMENT_CHUNK_SIZE]
                 for start in range(0, len(grouped), STATEMENT_CHUNK_SIZE)],
                company_id=self.company_id.id,
                billing_run_id=self.id,
                sequence=STATEMENT_SEQUENCE,
            )
        return created

    @transition
    def _finish_invoicing(self):
        """Runs whose parts are all done or given up: invoiced when every line is, else back to the operator.
        Returns whether a run was closed."""
        closed = False
        pending = {
            run.id
            for [run] in self.env["essms.job.chunk"].sudo()._read_group(
                [("billing_run_id", "in", self.ids), ("job", "=", "invoice"), ("state", "=", "pending")],
                ["billing_run_id"],
            )
        }
        for run in self.filtered(lambda run: run.id not in pending):
            try:
                with mute_logger("odoo.sql_db"), self.env.cr.savepoint(flush=False):
                    self.env.cr.execute(
                        SQL("SELECT id FROM essms_billing_run WHERE id = %s FOR NO KEY UPDATE NOWAIT", run.id)
                    )
            except CONCURRENT_ERRORS:
                continue  # closed by another runner at this moment
            run = run.with_context(lang=run.create_uid.lang or self.env.lang)
            closed = True
            left = run._get_lines_to_bill()
            vals = {"invoicing_queued": False}
            if not left:
                vals["state"] = "invoiced"
            run.write(vals)
            if left:
                run.message_post(body=run.env._(
                    "Invoicing ended with %(count)s lines not invoiced (see the parts in error above): fix the cause, "
                    "then click Create invoices again to invoice them.",
                    count=len(left),
                ))
            else:
                run.message_post(body=run.env._(
                    "%(count)s invoices created and posted by the job runners, in %(parts)s parts.",
                    count=len(run.move_ids), parts=run.chunk_total,
                ))
        return closed

    @transition
    def _invoice(self):
        lines = self._get_lines_to_bill()
        self._check_journals(lines)
        groups = list(lines.grouped(self._invoice_key).items())
        created = self.env["account.move"]
        for start in range(0, len(groups), INVOICE_BATCH_SIZE):
            batch = groups[start:start + INVOICE_BATCH_SIZE]
            vals_list = [self._prepare_invoice_vals(key, group) for key, group in batch]
            try:
                with self.env.cr.savepoint():
                    moves = self.env["account.move"].create(vals_list)
                    moves.action_post()
            except (UserError, ValidationError, psycopg2.IntegrityError) as error:
                _logger.warning("Billing run %s: invoicing failed: %s", self.id, error)
                self.env.invalidate_all()
                self.message_post(
                    body=self.env._(
                        "Invoicing stopped: %(count)s invoices could not be created, none of them was kept. "
                        "Cause: %(error)s",
                        count=len(vals_list),
                        error=self._invoice_error_message(error),
                    )
                )
                return created
            created |= moves
        if not self._get_lines_to_bill():
            self.state = "invoiced"
        self.message_post(body=self.env._("%(count)s invoices created and posted.", count=len(created)))
        return created

    def _invoice_error_message(self, error):
        if isinstance(error, psycopg2.IntegrityError):
            return self.env._(
                "an invoice of the same kind already exists for this payer, beneficiary, establishment and month."
            )
        return str(error.args[0] if error.args else error)

    def _prepare_invoice_vals(self, key, lines):
        establishment, role, partner, beneficiary = key[:4]
        agreement = lines.agreement_id[:1]
        move_lines = []
        for line in lines.sorted(lambda line: (line.beneficiary_id.name or "", line.id)):
            move_lines.extend(self._prepare_invoice_line_vals(line))
        total = sum(lines.mapped("amount"))
        refund = self.currency_id.compare_amounts(total, 0) < 0
        if refund:
            for command in move_lines:
                command[2]["price_unit"] = -command[2]["price_unit"]
        # The run's invoice date; today for a run created before that field existed.
        invoice_date = self.invoice_date or fields.Date.context_today(self)
        vals = {
            "move_type": "out_refund" if refund else "out_invoice",
            "partner_id": partner.id,
            "journal_id": establishment.journal_id.id,
            "company_id": self.company_id.id,
            "invoice_date": invoice_date,
            "invoice_origin": self.name,
            "narration": self._exemption_mention(),
            "fiscal_position_id": self._invoice_fiscal_position().id,
            "essms_run_id": self.id,
            "essms_run_kind": self.kind,
            "essms_establishment_id": establishment.id,
            "essms_beneficiary_id": beneficiary.id,
            "essms_period_start": min(lines.mapped("period_start")),
            "essms_period_end": month_end(max(lines.mapped("period_start"))),
            "essms_line_ids": [Command.set(lines.ids)],
            "invoice_line_ids": move_lines,
        }
        if not partner.property_payment_term_id:
            # Without payment terms Odoo makes an invoice due on the day it is created: due on its invoice date.
            vals["invoice_date_due"] = invoice_date
        if role == "payer":
            vals["buyer_reference"] = agreement.service_code or False
            vals["purchase_order_reference"] = agreement.commitment_number or False
        origin = lines.origin_move_id
        if refund and len(origin) == 1 and origin.move_type == "out_invoice" and origin.partner_id == partner:
            # The credit note corrects that invoice, which stays as it was posted (billing-rules §6).
            vals["reversed_entry_id"] = origin.id
            vals["invoice_origin"] = "%s, %s" % (self.name, origin.name)
        return vals

    def _prepare_invoice_line_vals(self, line):
        """One invoice line per stored detail row: days x daily price, each reduced price, the contribution
        (negative when deducted), the regularisation of an earlier month naming it (billing-rules §13), so
        that Factur-X and Chorus Pro carry quantities and prices a reader can check."""
        currency = self.currency_id
        details = line.detail_ids.filtered(lambda detail: not currency.is_zero(detail.amount))
        if currency.compare_amounts(sum(details.mapped("amount")), line.amount):
            raise UserError(
                self.env._(
                    "Run %(name)s: the detail of %(line)s does not add up to its amount %(amount)s: compute the "
                    "run again before invoicing it.",
                    name=self.name,
                    line=line.display_name,
                    amount=line.amount,
                )
            )
        analytic = line.establishment_id.analytic_account_id
        analytic_distribution = {str(analytic.id): 100} if analytic else False
        beneficiary = line.beneficiary_id
        tax_ids = self._invoice_tax_commands()[0][2]
        commands = []
        for detail in details:
            base = detail.base_kind if detail.kind == "regularisation" else detail.kind
            product = CONTRIBUTION_PRODUCT if base == DETAIL_CONTRIBUTION else TARIFF_PRODUCTS.get(
                detail.component, TARIFF_PRODUCTS["accommodation"]
            )
            quantity, price = detail.quantity, detail.unit_price
            if currency.compare_amounts(currency.round(quantity * price), detail.amount):
                quantity, price = 1.0, detail.amount  # a rounding the quantity cannot carry: the amount as is
            commands.append(Command.create({
                # From the registry's cache of external ids: ``env.ref`` would query on every line.
                "product_id": self.env["ir.model.data"]._xmlid_to_res_id(product),
                "name": self.env._(
                    "%(name)s (file %(file)s) – from %(date_from)s to %(date_to)s\n%(reason)s",
                    name=beneficiary.name,
                    file=beneficiary.file_number,
                    date_from=detail.date_from.strftime("%d/%m/%Y"),
                    date_to=detail.date_to.strftime("%d/%m/%Y"),
                    reason=detail.reason or "",
                ),
                "quantity": quantity,
                "price_unit": price,
                "tax_ids": [Command.set(tax_ids)],
                "analytic_distribution": analytic_distribution,
                "essms_detail_id": detail.id,
            }))
        return commands

    def _invoice_fiscal_position(self):
        """None, chosen here rather than left to Odoo's automatic choice: these are French services exempt from VAT
        (CGI art. 261-7-1°-b, the exempt tax on each line, reported as "other non-taxable operations" of the VAT
        return), with nothing to map. Left to Odoo, l10n_fr gives "EU privé" (intra-EU sale to a private person)
        to every customer without a VAT number: départements and residents alike."""
        return self.env["account.fiscal.position"]

    def _invoice_tax_commands(self):
        """The VAT exemption tax (0 %): Factur-X states the exemption on each line from it."""
        return [Command.set(self.company_id._essms_exempt_tax().ids)]

    def _exemption_mention(self):
        return self.env._("VAT exemption: article 261-7-1°-b of the French General Tax Code (CGI).")
