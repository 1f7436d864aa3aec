from datetime import timedelta

from odoo import fields
from odoo import models
from odoo.tools import SQL

from ..engine.dates import month_end


class EssmsActivityBillingControl(models.Model):
    """Activity vs billing control (*réciprocité activité / facturation*, billing-rules §8.1).

    Per establishment, month and beneficiary: the billable days of the validated activity statement
    (full price, reduced, charged to the resident) against the days invoiced across payers by the posted
    invoices and credit notes of the runs (the stored detail rows of the billing lines of posted documents;
    of lines of invoiced runs that made no document because their amount is zero), and the payer's days
    accrued while a decision is pending and not yet recalled. Each detail row counts in the month of its
    days: the regularisation of last month billed in advance with this month counts in last month. A
    difference means a day billed twice, a day not billed, or a line billed without activity. One SQL
    query: a reporting view, nothing stored.
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
        return SQL(
            """
            WITH activity AS (
                SELECT st.company_id, st.establishment_id, st.period_start, line.beneficiary_id,
                       SUM(line.days_present) AS days_present,
                       SUM(COALESCE(line.absence_hospital, 0) + COALESCE(line.absence_personal, 0)
                           + COALESCE(line.absence_holidays, 0) + COALESCE(line.absence_family_weekend, 0)
                           + COALESCE(line.absence_other, 0)) AS absence_days,
                       SUM(COALESCE(line.days_full_price, 0) + COALESCE(line.days_reduced, 0)
                           + COALESCE(line.days_resident, 0)) AS activity_days
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
                SELECT run.company_id, line.establishment_id, line.beneficiary_id, run.state AS run_state,
                       line.move_id, move.state AS move_state, line.pending_decision, recalled.stay_id AS recalled,
                       date_trunc('month', detail.date_from)::date AS period_start,
                       detail.quantity, detail.amount,
                       COALESCE(NULLIF(detail.base_kind, ''), detail.kind) IN ('full', 'reduced', 'reservation')
                           AND detail.kind != 'not_billed' AND detail.component = 'accommodation' AS day_row,
                       -- the days of the other components (care, dependency, FJH), each checked on its own
                       CASE WHEN COALESCE(NULLIF(detail.base_kind, ''), detail.kind)
                                     IN ('full', 'reduced', 'reservation')
                                 AND detail.kind != 'not_billed' AND detail.component != 'accommodation'
                            THEN detail.component END AS component,
                       COALESCE(NULLIF(detail.base_kind, ''), detail.kind) = 'contribution' AS contribution_row
                  FROM essms_billing_line_detail detail
                  JOIN essms_billing_line line ON line.id = detail.line_id
                  JOIN essms_billing_run run ON run.id = line.run_id
             LEFT JOIN account_move move ON move.id = line.move_id
             LEFT JOIN recalled ON recalled.stay_id = line.stay_id AND recalled.period_start = line.period_start
                                AND run.kind = 'regular'
                 WHERE move.state = 'posted' OR (line.move_id IS NULL AND run.state = 'invoiced')
            ),
            billing AS (
                SELECT company_id, establishment_id, period_start, beneficiary_id,
                       SUM(CASE WHEN day_row AND (move_state = 'posted'
                                  OR (move_id IS NULL AND NOT COALESCE(pending_decision, FALSE)
                                      AND run_state = 'invoiced'))
                                THEN quantity ELSE 0 END) AS invoiced_days,
                       SUM(CASE WHEN day_row AND move_id IS NULL AND pending_decision AND run_state = 'invoiced'
                                 AND recalled IS NULL
                                THEN quantity ELSE 0 END) AS accrued_days,
                       SUM(CASE WHEN move_state = 'posted' AND NOT contribution_row THEN amount ELSE 0 END)
                           AS gross_amount,
                       SUM(CASE WHEN move_state = 'posted' THEN amount ELSE 0 END) AS invoiced_amount,
                       SUM(CASE WHEN pending_decision AND run_state = 'invoiced' AND recalled IS NULL
                                THEN amount ELSE 0 END) AS accrued_amount,
                       COUNT(DISTINCT move_id) FILTER (WHERE move_state = 'posted') AS move_count
                  FROM details
                 GROUP BY company_id, establishment_id, period_start, beneficiary_id
            ),
            component_days AS (
                -- billing-rules §9: no component of a day billed twice, whatever its payers
                SELECT company_id, establishment_id, period_start, beneficiary_id, component, SUM(quantity) AS days
                  FROM details
                 WHERE component IS NOT NULL AND move_state = 'posted'
                 GROUP BY company_id, establishment_id, period_start, beneficiary_id, component
            ),
            components AS (
                SELECT component_days.company_id, component_days.establishment_id, component_days.period_start,
                       component_days.beneficiary_id,
                       string_agg(component_days.component, ', ' ORDER BY component_days.component)
                           FILTER (WHERE component_days.days > COALESCE(activity.activity_days, 0) + 0.001)
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
                   COALESCE(activity.activity_days, 0) AS activity_days,
                   COALESCE(billing.invoiced_days, 0) AS invoiced_days,
                   COALESCE(billing.accrued_days, 0) AS accrued_days,
                   COALESCE(activity.activity_days, 0) - COALESCE(billing.invoiced_days, 0)
                       - COALESCE(billing.accrued_days, 0) AS difference_days,
                   ABS(COALESCE(activity.activity_days, 0) - COALESCE(billing.invoiced_days, 0)
                       - COALESCE(billing.accrued_days, 0)) > 0.001
                       OR components.components_over IS NOT NULL AS has_difference,
                   components.components_over AS components_over,
                   activity.beneficiary_id IS NULL AND COALESCE(billing.invoiced_days, 0) != 0 AS without_activity,
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
            """
        )

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
