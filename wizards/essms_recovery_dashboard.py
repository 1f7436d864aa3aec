from collections import defaultdict

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError
from odoo.tools import SQL
from odoo.tools import format_date

from ..engine import kpis
from ..models.essms_receivable_ageing import AGEING_DATE_KEY
from ..models.essms_receivable_ageing import BUCKETS
from ..models.essms_receivable_ageing import CREDIT_BUCKET
from ..models.essms_recovery_claim import CLAIM_DATE_KEY
from ..models.essms_recovery_reminder import DEFAULT_REMINDER_DAYS
from ..models.essms_recovery_reminder import REMINDER_DAYS_KEY
from .download import download_file

# The stages a claim still open can be at, in the order of the recovery.
OPEN_STAGES = ("billed", "due", "reminded", "firm_reminder", "formal_notice", "title_pending", "enforceable",
               "enforcing")
PRESCRIPTION_ORDER = ("barred", "within_3", "within_6")


class EssmsRecoveryDashboard(models.TransientModel):
    """The recovery dashboard of the finance director (recovery-rules §9), over a period and establishments.

    Every figure is a grouped query (`_read_group` on the reporting views `essms.recovery.claim`,
    `essms.recovery.reminder` and `essms.receivable.ageing`, or one aggregate SQL query for the holds and the
    write-offs), whatever the number of invoices; `_figures()` returns them all, for the form and the workbook.
    """

    _name = "essms.recovery.dashboard"
    _description = "Recovery dashboard"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_from = fields.Date(
        string="From", required=True,
        default=lambda self: fields.Date.context_today(self).replace(month=1, day=1),
    )
    date_to = fields.Date(
        string="To", required=True, default=fields.Date.context_today,
        help="The amounts outstanding, the holds and the plans are taken on this date.",
    )
    establishment_ids = fields.Many2many(
        "essms.establishment",
        string="Establishments",
        check_company=True,
        help="Leave empty for all. Payments not matched yet and payment plans belong to no establishment: the "
        "outstanding amounts leave them out when establishments are chosen.",
    )
    reminder_days = fields.Integer(
        string="Paid within (days)", default=DEFAULT_REMINDER_DAYS, required=True,
        help="A reminder is effective when the invoices it claims are paid within this many days after sending.",
    )
    amount_billed = fields.Monetary(string="Billed", compute="_compute_summary")
    amount_collected = fields.Monetary(string="Collected", compute="_compute_summary")
    recovery_rate = fields.Float(
        string="Recovery rate", compute="_compute_summary",
        help="Payments matched so far with the invoices of the period / what the period billed less the credit "
        "notes matched with those invoices.",
    )
    amount_outstanding = fields.Monetary(string="Outstanding", compute="_compute_summary")
    dso = fields.Float(
        string="DSO (days)", compute="_compute_summary", digits=(16, 0),
        help="Days sales outstanding: outstanding on the end date / billed over the period (less credit notes) × "
        "days in the period.",
    )
    amount_written_off = fields.Monetary(string="Written off", compute="_compute_summary")
    amount_barred = fields.Monetary(string="Time-barred", compute="_compute_summary")
    amount_credits = fields.Monetary(
        string="Unallocated credits", compute="_compute_summary",
        help="Payments and credit notes not matched with an invoice yet on the end date: owed to the payers, not "
        "late, and deducted from the outstanding amount.",
    )
    tables = fields.Html(string="Figures", compute="_compute_summary", sanitize=False)
    file = fields.Binary(string="Workbook", readonly=True, attachment=False)
    filename = fields.Char(readonly=True)

    @api.depends("company_id", "date_from", "date_to", "establishment_ids", "reminder_days")
    def _compute_summary(self):
        for dashboard in self:
            if not (dashboard.date_from and dashboard.date_to) or dashboard.date_to < dashboard.date_from:
                dashboard.update({
                    "amount_billed": 0.0, "amount_collected": 0.0, "recovery_rate": 0.0, "amount_outstanding": 0.0,
                    "dso": 0.0, "amount_written_off": 0.0, "amount_barred": 0.0, "amount_credits": 0.0,
                    "tables": False,
                })
                continue
            figures = dashboard._figures()
            dashboard.update({
                "amount_billed": figures["billing"]["billed"],
                "amount_collected": figures["billing"]["collected"],
                "recovery_rate": figures["billing"]["rate"] or 0.0,
                "amount_outstanding": figures["outstanding_total"]["total"],
                "dso": figures["dso_total"]["dso"] or 0.0,
                "amount_written_off": figures["written_off_total"]["amount"],
                "amount_barred": figures["prescription"]["barred"]["amount"],
                "amount_credits": figures["credits"]["amount"],
                "tables": self.env["ir.qweb"]._render(
                    "essms_billing.essms_recovery_dashboard_tables",
                    {"figures": figures, "currency": dashboard.currency_id, "dashboard": dashboard},
                ),
            })

    @api.depends_context("lang")
    def _compute_display_name(self):
        # The screen's title in the breadcrumb, not the "New" of a record never saved.
        name = self.env["ir.model"]._get(self._name).name
        for dashboard in self:
            dashboard.display_name = name

    @api.constrains("date_from", "date_to", "reminder_days")
    def _check_dates(self):
        for dashboard in self:
            if dashboard.date_to < dashboard.date_from:
                raise ValidationError(self.env._("The end of the period is before its start."))
            if dashboard.reminder_days < 0:
                raise ValidationError(self.env._("The delay after a reminder cannot be negative."))

    # Figures ------------------------------------------------------------------------------------------------

    def _scope(self, establishment_field="establishment_id"):
        self.ensure_one()
        domain = [("company_id", "=", self.company_id.id)]
        if self.establishment_ids:
            domain.append((establishment_field, "in", self.establishment_ids.ids))
        return domain

    def _labels(self, model, field):
        return dict(self.env[model]._fields[field]._description_selection(self.env))

    def _figures(self):
        """Every figure of the dashboard, as plain values: ``{section: rows}`` (see the sections below)."""
        self.ensure_one()
        currency = self.currency_id
        kinds = [value for value, _label in self.env["res.partner"]._fields["essms_payer_kind"].selection]
        kind_labels = self._labels("res.partner", "essms_payer_kind")
        figures = {"kind_labels": kind_labels, "kinds": kinds}
        days = kpis.period_days(self.date_from, self.date_to)
        # The planner expects far more rows of the reporting views than their filters leave, so PostgreSQL would
        # JIT-compile each grouped query, which takes longer than running it: no JIT for the rest of this
        # transaction (the screen's or the export's).
        self.env.cr.execute(SQL("SET LOCAL jit = off"))

        # Billing of the period and what became of it (cohort of the invoices dated in the period).
        claims = self.env["essms.recovery.claim"]
        billed_by_kind = {
            kind: {"count": count, "billed": billed, "credited": credited, "collected": collected}
            for kind, count, billed, credited, collected in claims._read_group(
                [*self._scope(), ("invoice_date", ">=", self.date_from), ("invoice_date", "<=", self.date_to)],
                ["payer_kind"],
                ["claim_count:sum", "amount_billed:sum", "amount_credited:sum", "amount_collected:sum"],
            )
        }
        billed = currency.round(sum(row["billed"] for row in billed_by_kind.values()))
        credited = currency.round(sum(row["credited"] for row in billed_by_kind.values()))
        collected = currency.round(sum(row["collected"] for row in billed_by_kind.values()))
        figures["billing"] = {
            "count": sum(row["count"] for row in billed_by_kind.values()),
            "billed": billed, "credited": credited, "collected": collected,
            "rate": kpis.recovery_rate(billed, credited, collected),
        }

        # Outstanding on the end date, by payer kind and age (the due-date tracking as of that date).
        ageing = self.env["essms.receivable.ageing"].with_context(**{AGEING_DATE_KEY: self.date_to})
        # One pass over the open items: the unallocated credits are its rows of the credit bucket.
        outstanding = defaultdict(lambda: dict.fromkeys([bucket for bucket, _label in BUCKETS], 0.0))
        credit_count, credits = 0, 0.0
        # The planner expects a few hundred open items where there are all of them (it cannot tell how many lines
        # are on receivable accounts, nor how many a matching leaves open) and joins the payers by a nested loop
        # over the whole partner table for each item: 20 s for 100 000 items, against 2.5 s by hash joins.
        self.env.cr.execute(SQL("SET LOCAL enable_nestloop = off"))
        open_items = ageing._read_group(self._scope(), ["payer_kind", "bucket"], ["__count", "amount_residual:sum"])
        self.env.cr.execute(SQL("RESET enable_nestloop"))
        for kind, bucket, count, amount in open_items:
            outstanding[kind][bucket] = currency.round(amount)
            if bucket == CREDIT_BUCKET:
                credit_count, credits = credit_count + count, credits + amount
        figures["outstanding"] = [
            {"kind": kind, "label": kind_labels.get(kind, kind), "buckets": outstanding[kind],
             "total": currency.round(sum(outstanding[kind].values()))}
            for kind in kinds if kind in outstanding
        ]
        totals = {bucket: currency.round(sum(row["buckets"][bucket] for row in figures["outstanding"]))
                  for bucket, _label in BUCKETS}
        figures["outstanding_total"] = {"buckets": totals, "total": currency.round(sum(totals.values()))}

        # DSO by payer kind: outstanding on the end date / net billed over the period x days in the period.
        figures["dso"] = []
        for kind in kinds:
            row = billed_by_kind.get(kind)
            owed = currency.round(sum(outstanding[kind].values())) if kind in outstanding else 0.0
            if not row and not owed:
                continue
            net = currency.round(kpis.net_billed(row["billed"], row["credited"])) if row else 0.0
            figures["dso"].append({"kind": kind, "label": kind_labels.get(kind, kind), "billed": net,
                                   "outstanding": owed, "dso": kpis.dso(owed, net, days)})
        net_total = kpis.net_billed(billed, credited)
        figures["dso_total"] = {"billed": currency.round(net_total),
                                "outstanding": figures["outstanding_total"]["total"],
                                "dso": kpis.dso(figures["outstanding_total"]["total"], net_total, days),
                                "days": days}

        # Open claims by stage, as they stood on the end date (billed by then, still due then, their stage then).
        claims_then = claims.with_context(**{CLAIM_DATE_KEY: self.date_to})
        stage_labels = self._labels("essms.recovery.claim", "stage")
        # One pass over the claims open then: by stage, and by prescription state for the last figures (the
        # claims as of the end date are those billed by then).
        by_stage, by_state = defaultdict(lambda: [0, 0.0]), defaultdict(lambda: [0, 0.0])
        for stage, state, count, amount in claims_then._read_group(
            [*self._scope(), ("invoice_date", "<=", self.date_to), ("amount_residual", ">", 0)],
            ["stage", "prescription_state"], ["claim_count:sum", "amount_residual:sum"],
        ):
            for groups, key in ((by_stage, stage), (by_state, state)):
                groups[key][0] += count
                groups[key][1] += amount
        figures["stages"] = [
            {"stage": stage, "label": stage_labels[stage], "count": by_stage[stage][0],
             "amount": currency.round(by_stage[stage][1])}
            for stage, _label in self.env["essms.recovery.claim"]._fields["stage"].selection
            if stage in by_stage
        ]
        # The stages add up to the outstanding amount: the credits not allocated yet (owed to the payers, not late)
        # on their own row, then what is neither (other receivable entries, matchings made after the end date).
        figures["credits"] = {"count": credit_count, "amount": currency.round(credits or 0.0)}
        if credit_count:
            figures["stages"].append({"stage": "credit", "label": self.env._("Unallocated credits"),
                                      "count": credit_count, "amount": figures["credits"]["amount"]})
        other = currency.round(
            kpis.unexplained(figures["outstanding_total"]["total"], [row["amount"] for row in figures["stages"]])
        )
        if not currency.is_zero(other):
            figures["stages"].append({"stage": "other", "label": self.env._(
                "Other receivable items, and matchings after the end date"), "count": 0, "amount": other})
        figures["stages_total"] = {"count": sum(row["count"] for row in figures["stages"]),
                                   "amount": figures["outstanding_total"]["total"]}

        figures["reminders"] = self._reminder_figures()
        figures["promises"] = self._promise_figures()
        figures["plans"] = self._plan_figures()
        figures["holds"] = self._hold_figures()
        figures["written_off"] = self._written_off_figures(kind_labels, "non_valeur")
        figures["written_off_total"] = {
            "count": sum(row["count"] for row in figures["written_off"]),
            "amount": currency.round(sum(row["amount"] for row in figures["written_off"])),
        }
        figures["extinct"] = self._written_off_figures(kind_labels, "extinction")
        figures["extinct_total"] = {
            "count": sum(row["count"] for row in figures["extinct"]),
            "amount": currency.round(sum(row["amount"] for row in figures["extinct"])),
        }

        # Claims close to prescription on the end date.
        state_labels = self._labels("essms.recovery.claim", "prescription_state")
        figures["prescription"] = {
            state: {"label": state_labels[state], "count": by_state.get(state, (0, 0.0))[0],
                    "amount": currency.round(by_state.get(state, (0, 0.0))[1])}
            for state in PRESCRIPTION_ORDER
        }
        return figures

    def _reminder_figures(self):
        """Per level: letters sent in the period, those whose invoices were all paid within the delay, amounts."""
        currency = self.currency_id
        reminders = self.env["essms.recovery.reminder"].with_context(**{REMINDER_DAYS_KEY: self.reminder_days})
        domain = [*self._scope(), ("date", ">=", self.date_from), ("date", "<=", self.date_to)]
        # One pass over the view: a letter is paid or not as a whole, so it falls in one group of its level.
        sent = defaultdict(lambda: [0, 0, 0.0, 0.0])
        for level, letter_paid, letters, amount_due, amount_paid in reminders._read_group(
            domain, ["level_id", "letter_paid"], ["letter_id:count_distinct", "amount_due:sum", "amount_paid:sum"],
        ):
            row = sent[level]
            row[0] += letters
            row[1] += letters if letter_paid else 0
            row[2] += amount_due
            row[3] += amount_paid
        rows = []
        for level, (letters, letters_paid, amount_due, amount_paid) in sorted(
            sent.items(), key=lambda item: (item[0].policy_id.id, item[0].sequence, item[0].delay_days, item[0].id)
        ):
            rows.append({
                "level": level.display_name if level else self.env._("No level"),
                "letters": letters, "letters_paid": letters_paid,
                "share": kpis.share(letters_paid, letters),
                "amount_due": currency.round(amount_due), "amount_paid": currency.round(amount_paid),
                "amount_share": kpis.share(amount_paid, amount_due),
            })
        return rows

    def _promise_figures(self):
        """Promises whose date fell in the period, by outcome (kept, not kept, still open)."""
        currency = self.currency_id
        domain = [("company_id", "=", self.company_id.id), ("date_promised", ">=", self.date_from),
                  ("date_promised", "<=", self.date_to), ("state", "!=", "cancelled")]
        if self.establishment_ids:
            domain.append(("move_ids.essms_establishment_id", "in", self.establishment_ids.ids))
        groups = {
            state: (count, amount)
            for state, count, amount in self.env["essms.promise"]._read_group(
                domain, ["state"], ["__count", "amount:sum"]
            )
        }
        labels = self._labels("essms.promise", "state")
        return [
            {"state": state, "label": labels[state], "count": groups.get(state, (0, 0.0))[0],
             "amount": currency.round(groups.get(state, (0, 0.0))[1])}
            for state in ("kept", "broken", "open")
        ]

    def _plan_figures(self):
        """Plans active on the end date: how many, what they were signed for, what their invoices still owe."""
        currency = self.currency_id
        domain = [("company_id", "=", self.company_id.id), ("date_signed", "<=", self.date_to),
                  ("state", "in", ("active", "completed", "broken")),
                  "|", ("state", "=", "active"), ("date_end", ">", self.date_to)]
        plans = self.env["essms.payment.plan"].search_fetch(domain, ["amount_total", "move_ids"])
        moves = plans.move_ids
        if self.establishment_ids:
            moves = moves.filtered(lambda move: move.essms_establishment_id in self.establishment_ids)
            plans = plans.filtered(lambda plan: plan.move_ids & moves)
        residual = self.env["essms.recovery.claim"].with_context(**{CLAIM_DATE_KEY: self.date_to})._read_group(
            [("move_id", "in", moves.ids), ("amount_residual", ">", 0)], [], ["amount_residual:sum", "claim_count:sum"]
        )[0]
        return {
            "count": len(plans),
            "signed": currency.round(sum(plans.mapped("amount_total"))),
            "claims": residual[1] or 0,
            "residual": currency.round(residual[0] or 0.0),
        }

    def _hold_figures(self):
        """Open invoices under a hold active on the end date, by reason (a hold on a payer or a beneficiary
        covers all its invoices); an invoice under holds of two reasons counts under both."""
        self.env["essms.recovery.hold"].check_access("read")
        self.env["account.move"].check_access("read")
        self.env.flush_all()
        establishment = (
            SQL("AND move.essms_establishment_id = ANY(%s)", self.establishment_ids.ids) if self.establishment_ids
            else SQL()
        )
        self.env.cr.execute(SQL(
            """
            WITH hold AS (
                SELECT reason, move_id, partner_id, beneficiary_id FROM essms_recovery_hold
                 WHERE company_id = %(company)s AND date_start <= %(day)s AND (date_end IS NULL OR date_end >= %(day)s)
            ), held AS (
                SELECT reason, move_id FROM hold WHERE move_id IS NOT NULL
                 UNION
                SELECT hold.reason, move.id FROM hold JOIN account_move move
                    ON move.commercial_partner_id = hold.partner_id
                 UNION
                SELECT hold.reason, move.id FROM hold JOIN account_move move
                    ON move.essms_beneficiary_id = hold.beneficiary_id
                 UNION
                SELECT hold.reason, move.id FROM hold
                  JOIN essms_beneficiary person ON person.id = hold.beneficiary_id
                  JOIN account_move move ON move.commercial_partner_id = person.partner_id
            ), settled AS (
                SELECT debit.move_id, SUM(part.amount) AS amount
                  FROM account_partial_reconcile part
                  JOIN account_move_line debit ON debit.id = part.debit_move_id
                 WHERE debit.move_id IN (SELECT move_id FROM held) AND part.max_date <= %(day)s
                 GROUP BY debit.move_id
            ), still_open AS (
                SELECT held.reason, move.amount_total_signed - COALESCE(settled.amount, 0) AS residual
                  FROM held JOIN account_move move ON move.id = held.move_id
             LEFT JOIN settled ON settled.move_id = move.id
                 WHERE move.move_type = 'out_invoice' AND move.state = 'posted' AND move.invoice_date <= %(day)s
                   AND move.company_id = %(company)s %(establishment)s
            )
            SELECT reason, COUNT(*), SUM(residual) FROM still_open WHERE residual > 0
             GROUP BY reason
            """,
            company=self.company_id.id, day=self.date_to, establishment=establishment,
        ))
        groups = {reason: (count, amount) for reason, count, amount in self.env.cr.fetchall()}
        labels = self.env["essms.recovery.hold"]._fields["reason"].selection
        reason_labels = self._labels("essms.recovery.hold", "reason")
        return [
            {"reason": reason, "label": reason_labels[reason], "count": groups[reason][0],
             "amount": self.currency_id.round(groups[reason][1])}
            for reason, _label in labels if reason in groups
        ]

    def _written_off_figures(self, kind_labels, kind):
        """The claims written off (``non_valeur``) or extinct (``extinction``) by the write-offs posted in the
        period (``essms.writeoff``, recovery-rules §7), by payer kind: one grouped read."""
        domain = [("company_id", "=", self.company_id.id), ("writeoff_id.kind", "=", kind),
                  ("writeoff_id.state", "in", ("posted", "reopened")),
                  ("writeoff_id.date", ">=", self.date_from), ("writeoff_id.date", "<=", self.date_to)]
        if self.establishment_ids:
            domain.append(("move_id.essms_establishment_id", "in", self.establishment_ids.ids))
        groups = {
            payer_kind or "other": (count, amount)
            for payer_kind, count, amount in self.env["essms.writeoff.line"]._read_group(
                domain, ["payer_kind"], ["move_id:count_distinct", "amount:sum"])
        }
        return [
            {"kind": payer_kind, "label": kind_labels.get(payer_kind, payer_kind), "count": groups[payer_kind][0],
             "amount": self.currency_id.round(groups[payer_kind][1])}
            for payer_kind in kind_labels if payer_kind in groups
        ]

    # Actions ------------------------------------------------------------------------------------------------

    @api.model
    def action_open(self):
        """The menu's dashboard: a saved record with today's defaults, so that the screen opens under its title
        (an unsaved one is a "New" record in the breadcrumb, asking to be saved or discarded)."""
        dashboard = self.create({})
        return {
            "type": "ir.actions.act_window",
            "name": dashboard.display_name,
            "res_model": self._name,
            "res_id": dashboard.id,
            "view_mode": "form",
            "views": [(self.env.ref("essms_billing.essms_recovery_dashboard_view_form").id, "form")],
            "target": "current",
        }

    def action_export(self):
        self.ensure_one()
        content = self.env["essms.recovery.dashboard.xlsx"]._render(self, self._figures())
        return download_file(
            self,
            content,
            self.env._(
                "Recovery dashboard %(start)s %(end)s.xlsx",
                start=fields.Date.to_string(self.date_from), end=fields.Date.to_string(self.date_to),
            ),
        )

    def action_open_claims(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("essms_billing.essms_recovery_claim_action")
        action["domain"] = [*self._scope(), ("invoice_date", ">=", self.date_from),
                            ("invoice_date", "<=", self.date_to)]
        action["name"] = self.env._("Invoices from %(start)s to %(end)s", start=format_date(self.env, self.date_from),
                                    end=format_date(self.env, self.date_to))
        return action

    def action_open_reminders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("essms_billing.essms_recovery_reminder_action")
        action["domain"] = [*self._scope(), ("date", ">=", self.date_from), ("date", "<=", self.date_to)]
        action["context"] = {REMINDER_DAYS_KEY: self.reminder_days}
        return action

    def action_open_ageing(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("essms_billing.essms_receivable_ageing_action")
        action["domain"] = self._scope()
        action["context"] = {AGEING_DATE_KEY: fields.Date.to_string(self.date_to)}
        action["name"] = self.env._("Due-date tracking as of %(date)s", date=format_date(self.env, self.date_to))
        return action
