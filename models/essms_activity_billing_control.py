from datetime import timedelta

from odoo import fields
from odoo import models
from odoo.tools import SQL

from ..engine import activity_control as rule
from ..engine.dates import month_end
from .essms_billing_line_detail import billed_kind_sql
from .essms_billing_line_detail import day_row_sql


def _sum_of(columns, table):
    """SQL: the sum of the statement line's ``columns``, a missing value as 0."""
    return SQL(" + ").join(SQL("COALESCE(%s, 0)", SQL.identifier(table, column)) for column in columns)


def _holds(conditions, facts):
    """SQL: whether a row meets one of ``conditions`` (``engine.activity_control``), ``facts`` being the SQL of
    each fact (a boolean that is never NULL)."""
    return SQL(" OR ").join(
        SQL("(%s)", SQL(" AND ").join(
            facts[fact] if wanted else SQL("NOT %s", facts[fact]) for fact, wanted in condition.items()
        ))
        for condition in conditions
    )


def _difference(figures):
    """SQL: ``rule.DIFFERENCE`` over the SQL of each figure."""
    terms = [SQL("%s" if sign > 0 else "-%s", figures[name]) for name, sign in rule.DIFFERENCE]
    return SQL("(%s)", SQL(" + ").join(terms))


def _control_query():
    """SQL of the view: the month's statements and billing detail rows summed as ``engine.activity_control``
    says (``SCOPE``, ``MEASURES``, ``COMPONENT_DAYS``, ``DOCUMENTS``), compared as ``compare`` does."""
    bills_days = day_row_sql("detail")
    row_facts = {
        "day": SQL("(%s AND detail.component = %s)", bills_days, rule.ACCOMMODATION),
        "component_day": SQL("(%s AND detail.component != %s)", bills_days, rule.ACCOMMODATION),
        "contribution": SQL("(%s = %s)", billed_kind_sql("detail"), rule.CONTRIBUTION),
        "posted": SQL("COALESCE(move.state = 'posted', FALSE)"),
        "has_document": SQL("(line.move_id IS NOT NULL)"),
        "run_invoiced": SQL("(run.state = 'invoiced')"),
        "pending": SQL("COALESCE(line.pending_decision, FALSE)"),
        "recalled": SQL("(recalled.stay_id IS NOT NULL)"),
    }
    facts = {fact: SQL.identifier(fact) for fact in rule.FACTS}
    value = {rule.QUANTITY: SQL("quantity"), rule.AMOUNT: SQL("amount")}
    measures = SQL(", ").join(
        SQL("SUM(CASE WHEN %s THEN %s ELSE 0 END) AS %s", _holds(conditions, facts), value[kind],
            SQL.identifier(name))
        for name, (kind, conditions) in rule.MEASURES.items()
    )
    figures = {
        "activity_days": SQL("COALESCE(activity.activity_days, 0)"),
        "invoiced_days": SQL("COALESCE(billing.invoiced_days, 0)"),
        "accrued_days": SQL("COALESCE(billing.accrued_days, 0)"),
    }
    difference = _difference(figures)
    return SQL(
        """
            WITH activity AS (
                SELECT st.company_id, st.establishment_id, st.period_start, line.beneficiary_id,
                       SUM(line.days_present) AS days_present,
                       SUM(%(absence_days)s) AS absence_days,
                       SUM(%(activity_days)s) AS activity_days
                  FROM essms_activity_statement_line line
                  JOIN essms_activity_statement st ON st.id = line.statement_id
                 WHERE st.state = 'validated'
                 GROUP BY st.company_id, st.establishment_id, st.period_start, line.beneficiary_id
            ),
            recalled AS (
                -- (stay, month) whose payer's share was billed by a posted document after being accrued
                SELECT DISTINCT line.stay_id, line.period_start
                  FROM essms_billing_line line
                  JOIN essms_billing_run run ON run.id = line.run_id
                  JOIN account_move move ON move.id = line.move_id
                 WHERE run.kind = 'recall' AND line.role = 'payer' AND move.state = 'posted'
            ),
            details AS (
                -- the stored detail rows (billing-rules §13), each counted in the month of its own days: a
                -- regularisation of last month billed in advance with this month counts in last month
                SELECT run.company_id, line.establishment_id, line.beneficiary_id, line.move_id,
                       date_trunc('month', detail.date_from)::date AS period_start,
                       detail.quantity, detail.amount, detail.component, %(row_facts)s
                  FROM essms_billing_line_detail detail
                  JOIN essms_billing_line line ON line.id = detail.line_id
                  JOIN essms_billing_run run ON run.id = line.run_id
             LEFT JOIN account_move move ON move.id = line.move_id
             LEFT JOIN recalled ON recalled.stay_id = line.stay_id AND recalled.period_start = line.period_start
                                AND run.kind = 'regular'
                 WHERE %(scope)s
            ),
            billing AS (
                SELECT company_id, establishment_id, period_start, beneficiary_id, %(measures)s,
                       COUNT(DISTINCT move_id) FILTER (WHERE %(documents)s) AS move_count
                  FROM details
                 GROUP BY company_id, establishment_id, period_start, beneficiary_id
            ),
            component_days AS (
                -- billing-rules §9: no component of a day billed twice, whatever its payers
                SELECT company_id, establishment_id, period_start, beneficiary_id, component, SUM(quantity) AS days
                  FROM details
                 WHERE %(component_days)s
                 GROUP BY company_id, establishment_id, period_start, beneficiary_id, component
            ),
            components AS (
                SELECT component_days.company_id, component_days.establishment_id, component_days.period_start,
                       component_days.beneficiary_id,
                       string_agg(component_days.component, %(separator)s ORDER BY component_days.component)
                           FILTER (WHERE component_days.days > COALESCE(activity.activity_days, 0) + %(tolerance)s)
                           AS components_over
                  FROM component_days
             LEFT JOIN activity ON activity.establishment_id = component_days.establishment_id
                               AND activity.period_start = component_days.period_start
                               AND activity.beneficiary_id = component_days.beneficiary_id
                 GROUP BY component_days.company_id, component_days.establishment_id, component_days.period_start,
                          component_days.beneficiary_id
            )
            SELECT ROW_NUMBER() OVER (ORDER BY COALESCE(activity.period_start, billing.period_start),
                                      COALESCE(activity.establishment_id, billing.establishment_id),
                                      COALESCE(activity.beneficiary_id, billing.beneficiary_id)) AS id,
                   COALESCE(activity.company_id, billing.company_id) AS company_id,
                   COALESCE(activity.establishment_id, billing.establishment_id) AS establishment_id,
                   COALESCE(activity.period_start, billing.period_start) AS period_start,
                   COALESCE(activity.beneficiary_id, billing.beneficiary_id) AS beneficiary_id,
                   COALESCE(activity.days_present, 0) AS days_present,
                   COALESCE(activity.absence_days, 0) AS absence_days,
                   %(activity)s AS activity_days,
                   %(invoiced)s AS invoiced_days,
                   %(accrued)s AS accrued_days,
                   %(difference)s AS difference_days,
                   ABS(%(difference)s) > %(tolerance)s OR components.components_over IS NOT NULL AS has_difference,
                   components.components_over AS components_over,
                   activity.beneficiary_id IS NULL AND %(invoiced)s != 0 AS without_activity,
                   COALESCE(billing.gross_amount, 0) AS gross_amount,
                   COALESCE(billing.invoiced_amount, 0) AS invoiced_amount,
                   COALESCE(billing.accrued_amount, 0) AS accrued_amount,
                   COALESCE(billing.move_count, 0) AS move_count
              FROM activity
         FULL JOIN billing ON billing.establishment_id = activity.establishment_id
                          AND billing.period_start = activity.period_start
                          AND billing.beneficiary_id = activity.beneficiary_id
         LEFT JOIN components
                ON components.establishment_id = COALESCE(activity.establishment_id, billing.establishment_id)
               AND components.period_start = COALESCE(activity.period_start, billing.period_start)
               AND components.beneficiary_id = COALESCE(activity.beneficiary_id, billing.beneficiary_id)
        """,
        absence_days=_sum_of(rule.ABSENCE_DAYS, "line"),
        activity_days=_sum_of(rule.ACTIVITY_DAYS, "line"),
        row_facts=SQL(", ").join(SQL("%s AS %s", row_facts[fact], facts[fact]) for fact in rule.FACTS),
        scope=_holds(rule.SCOPE, row_facts),
        measures=measures,
        documents=_holds(rule.DOCUMENTS, facts),
        component_days=_holds(rule.COMPONENT_DAYS, facts),
        separator=rule.SEPARATOR,
        tolerance=rule.TOLERANCE,
        activity=figures["activity_days"],
        invoiced=figures["invoiced_days"],
        accrued=figures["accrued_days"],
        difference=difference,
    )


class EssmsActivityBillingControl(models.Model):
    """Activity vs billing control (*réciprocité activité / facturation*, billing-rules §8.1).

    Per establishment, month and beneficiary: the billable days of the validated activity statement against the
    days invoiced across payers and those accrued on a pending decision, and no component of a day billed twice.
    What is compared and what counts as a difference is ``engine/activity_control.py``; this reporting view sums
    the statements and the billing detail rows in one SQL query written from its definitions (``_control_query``),
    nothing stored. ``tests/test_activity_control_view.py`` checks the view against the engine's Python.
    """

    _name = "essms.activity.billing.control"
    _description = "Activity vs billing control"
    _auto = False
    _order = "has_difference desc, period_start desc, establishment_id, beneficiary_id"
    _rec_name = "beneficiary_id"

    company_id = fields.Many2one("res.company", readonly=True)
    establishment_id = fields.Many2one("essms.establishment", readonly=True)
    period_start = fields.Date(string="Month", readonly=True)
    beneficiary_id = fields.Many2one("essms.beneficiary", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    days_present = fields.Float(readonly=True)
    absence_days = fields.Float(string="Absence days", readonly=True)
    activity_days = fields.Float(
        string="Billable days (activity)", readonly=True,
        help="Days of the validated statement billed at full price, at a reduced price or to the resident.",
    )
    invoiced_days = fields.Float(
        string="Days invoiced", readonly=True,
        help="Accommodation days of the posted invoices minus those of the posted credit notes, across payers.",
    )
    accrued_days = fields.Float(
        string="Days to bill on decision", readonly=True,
        help="The payer's days accrued while its decision is pending, not recalled yet.",
    )
    difference_days = fields.Float(string="Difference (days)", readonly=True,
                                   help="Billable days minus days invoiced and to bill on decision.")
    has_difference = fields.Boolean(string="Difference", readonly=True)
    components_over = fields.Char(
        string="Components billed twice",
        readonly=True,
        help="Care, dependency or daily hospital fee invoiced for more days than the billable days of the month, "
        "across payers: a day of that component billed twice (billing-rules §9).",
    )
    without_activity = fields.Boolean(string="Billed without activity", readonly=True,
                                      help="Days invoiced while no validated statement has the beneficiary.")
    gross_amount = fields.Monetary(string="Gross invoiced", readonly=True)
    invoiced_amount = fields.Monetary(string="Amount invoiced", readonly=True)
    accrued_amount = fields.Monetary(string="To bill on decision", readonly=True)
    move_count = fields.Integer(string="Documents", readonly=True)

    @property
    def _table_query(self):
        # The view reads the statements, billing lines and invoices in SQL: what the ORM holds must be written first.
        for model in ("essms.activity.statement", "essms.activity.statement.line", "essms.billing.run",
                      "essms.billing.line", "essms.billing.line.detail", "account.move"):
            self.env[model].flush_model()
        return _control_query()

    def _billing_lines(self):
        self.ensure_one()
        # The lines of the month, and those whose detail regularises it (billing in advance, the next month).
        return self.env["essms.billing.line"].search(
            [("beneficiary_id", "=", self.beneficiary_id.id), ("establishment_id", "=", self.establishment_id.id),
             "|", ("period_start", "=", self.period_start),
             "&", ("detail_ids.date_from", ">=", self.period_start),
             ("detail_ids.date_from", "<=", month_end(self.period_start))]
        )

    def action_view_absences(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("essms_billing.essms_absence_action")
        action["domain"] = [
            ("beneficiary_id", "=", self.beneficiary_id.id),
            ("establishment_id", "=", self.establishment_id.id),
            # Absences are stored in UTC: a day of margin on each side, as the statement's controls do.
            ("date_start", "<=", month_end(self.period_start) + timedelta(days=1)),
            ("date_end", ">=", self.period_start - timedelta(days=1)),
        ]
        action["context"] = {"create": False}
        return action

    def action_view_billing_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("essms_billing.essms_billing_line_action")
        action["domain"] = [("id", "in", self._billing_lines().ids)]
        action["context"] = {"create": False}
        return action

    def action_view_invoices(self):
        self.ensure_one()
        moves = self._billing_lines().move_id
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice_type")
        action["domain"] = [("id", "in", moves.ids)]
        action["context"] = {"create": False}
        action["name"] = self.env._("Invoices and credit notes")
        return action
