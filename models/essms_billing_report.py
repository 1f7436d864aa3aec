from odoo import fields
from odoo import models
from odoo.tools import SQL

from ..engine import controls
from .essms_billing_line_detail import COMPONENTS
from .essms_billing_line_detail import DETAIL_KINDS
from .essms_billing_line_detail import day_row_sql


class EssmsBillingReport(models.Model):
    """Billing reporting: what was billed and the activity behind it, for pivots and graphs (issue 21).

    Two kinds of rows, one SQL view, nothing stored:
    - *billed*: the stored detail rows (billing-rules §13) of the billing lines of posted invoices and credit notes,
      each counted in the month of its own days (a regularisation of last month, billed in advance with this
      month, counts in last month), with its payer, payer kind, component, kind, days and amount;
    - *activity*: one row per validated activity statement: days present, absences by kind, and the capacity
      of the month (places x days in the month), so that occupancy = days present / capacity days.
    Its amounts add up to the posted invoices less the credit notes of the runs (untaxed: the services are
    exempt); its days present to the validated statements' (`tests/test_billing_report.py`).
    """

    _name = "essms.billing.report"
    _description = "Billing reporting"
    _auto = False
    _order = "month desc, establishment_id"
    _rec_name = "establishment_id"

    row_type = fields.Selection(
        selection=[("billed", "Billed"), ("activity", "Activity")], string="Row", readonly=True
    )
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    establishment_id = fields.Many2one("essms.establishment", string="Establishment", readonly=True)
    month = fields.Date(readonly=True, help="The month of the days (a regularisation counts in the month it corrects).")
    payer_id = fields.Many2one("res.partner", string="Billed to", readonly=True)
    payer_kind = fields.Selection(related="payer_id.essms_payer_kind", string="Payer kind")
    component = fields.Selection(selection=COMPONENTS, readonly=True)
    detail_kind = fields.Selection(selection=DETAIL_KINDS, string="Row kind", readonly=True)
    unit_price = fields.Float(string="Price", readonly=True, aggregator=None)
    beneficiary_id = fields.Many2one("essms.beneficiary", string="Beneficiary", readonly=True)
    move_id = fields.Many2one(
        "account.move", string="Invoice", readonly=True, groups="essms_billing.group_essms_operator"
    )
    run_kind = fields.Selection(
        selection=[("regular", "Regular"), ("recall", "Recall"), ("regularisation", "Regularisation")],
        string="Run kind",
        readonly=True,
    )
    days_billed = fields.Float(string="Days billed", readonly=True, help="Days at a price, net of credit notes.")
    amount = fields.Monetary(string="Amount billed", readonly=True, help="Untaxed, net of credit notes.")
    days_present = fields.Float(string="Days present", readonly=True)
    absence_hospital = fields.Float(
        string="Hospital", readonly=True, groups="essms_billing.group_essms_operator"
    )
    absence_other_kinds = fields.Float(
        string="Absences", readonly=True, help="Absences of every kind but hospital stays."
    )
    absence_personal = fields.Float(string="Personal", readonly=True)
    absence_holidays = fields.Float(string="Holidays", readonly=True)
    absence_family_weekend = fields.Float(string="Family weekends", readonly=True)
    capacity_days = fields.Float(
        string="Capacity (days)", readonly=True, help="Authorised places x days in the month."
    )
    occupancy_rate = fields.Float(
        string="Occupancy (%)",
        readonly=True,
        aggregator="avg",
        help="Days present / capacity days, per statement (averaged over the statements grouped).",
    )

    @property
    def _table_query(self):
        for model in ("essms.activity.statement", "essms.activity.statement.line", "essms.billing.run",
                      "essms.billing.line", "essms.billing.line.detail", "account.move", "essms.establishment"):
            self.env[model].flush_model()
        return SQL(
            """
            SELECT detail.id * 2 AS id, 'billed' AS row_type, run.company_id, line.establishment_id,
                   date_trunc('month', detail.date_from)::date AS month,
                   detail.payer_id, detail.component,
                   detail.kind AS detail_kind, detail.unit_price, line.beneficiary_id, line.move_id,
                   run.kind AS run_kind,
                   CASE WHEN %(day_row)s THEN detail.quantity ELSE 0 END AS days_billed,
                   detail.amount,
                   0.0 AS days_present, 0.0 AS absence_hospital, 0.0 AS absence_other_kinds,
                   0.0 AS absence_personal, 0.0 AS absence_holidays, 0.0 AS absence_family_weekend,
                   0.0 AS capacity_days, NULL::float AS occupancy_rate
              FROM essms_billing_line_detail detail
              JOIN essms_billing_line line ON line.id = detail.line_id
              JOIN essms_billing_run run ON run.id = line.run_id
              JOIN account_move move ON move.id = line.move_id AND move.state = 'posted'
            UNION ALL
            SELECT statement.id * 2 + 1, 'activity', statement.company_id, statement.establishment_id,
                   statement.period_start, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0.0, 0.0,
                   activity.days_present, activity.absence_hospital,
                   activity.absence_personal + activity.absence_holidays + activity.absence_family_weekend
                       + activity.absence_other,
                   activity.absence_personal, activity.absence_holidays, activity.absence_family_weekend,
                   capacity.days, 100.0 * activity.days_present / NULLIF(capacity.days, 0)
              FROM essms_activity_statement statement
              JOIN essms_establishment establishment ON establishment.id = statement.establishment_id
              JOIN LATERAL (
                   SELECT COALESCE(SUM(line.days_present), 0) AS days_present,
                          COALESCE(SUM(line.absence_hospital), 0) AS absence_hospital,
                          COALESCE(SUM(line.absence_personal), 0) AS absence_personal,
                          COALESCE(SUM(line.absence_holidays), 0) AS absence_holidays,
                          COALESCE(SUM(line.absence_family_weekend), 0) AS absence_family_weekend,
                          COALESCE(SUM(line.absence_other), 0) AS absence_other
                     FROM essms_activity_statement_line line
                    WHERE line.statement_id = statement.id
                   ) activity ON TRUE
              JOIN LATERAL (
                   SELECT %(capacity_days)s AS days
                   ) capacity ON TRUE
             WHERE statement.state = 'validated'
            """,
            day_row=day_row_sql("detail"),
            capacity_days=SQL(controls.CAPACITY_DAYS_SQL.format(
                places="establishment.capacity", start="statement.period_start", end="statement.period_end")),
        )
