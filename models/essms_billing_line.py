from odoo import Command
from odoo import api
from odoo import fields
from odoo import models

from ..engine import billing as billing_rules
from .bulk_insert import insert_records
from .essms_monetary import ChildMonetary

# The stored fields of a line its compute fills as their compute methods would (``_create_with_details``).
COMPUTED_COLUMNS = ("company_id", "establishment_id", "period_start")


class EssmsBillingLine(models.Model):
    """What one payer, or the resident, is billed for one stay in a run, with the calculation in words."""

    _name = "essms.billing.line"
    _description = "Billing run line"
    _order = "run_id, beneficiary_id, role, id"
    _check_company_auto = True

    run_id = fields.Many2one("essms.billing.run", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="run_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="run_id.currency_id")
    period_start = fields.Date(
        string="Month",
        compute="_compute_period_start",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        help="The month billed: the run's month, or for a recall or a regularisation the month corrected.",
    )
    stay_id = fields.Many2one("essms.stay", required=True, ondelete="restrict", index=True)
    establishment_id = fields.Many2one(related="stay_id.establishment_id", store=True, index=True)
    beneficiary_id = fields.Many2one("essms.beneficiary", required=True, ondelete="restrict", index=True)
    agreement_id = fields.Many2one("essms.agreement", ondelete="restrict")
    role = fields.Selection(
        selection=[("payer", "Payer"), ("resident", "Resident")],
        required=True,
        help="Payer: the share of the agreement's payer (département, health insurance); "
        "resident: the contribution, provision or days charged to the resident.",
    )
    payer_id = fields.Many2one("res.partner", string="Billed to", required=True, ondelete="restrict", index=True)
    decision_id = fields.Many2one("essms.funding.decision", string="Funding decision", ondelete="restrict")
    pending_decision = fields.Boolean(help="A funding decision is pending: the payer's share is accrued.")
    days_billed = fields.Float()
    days_reduced = fields.Float()
    unit_price = ChildMonetary(string="Daily price")
    gross_amount = ChildMonetary()
    contribution_amount = ChildMonetary(string="Contribution")
    amount = ChildMonetary(help="Invoiced now.")
    to_bill_on_decision = ChildMonetary(help="Payer's share accrued until the pending decision is taken.")
    to_bill_on_decision_total = ChildMonetary(
        string="To bill on decision (running total)",
        help="Accrued for this beneficiary and decision since the date of effect, this month included.",
    )
    third_party_amount = ChildMonetary(
        string="Third-party money", help="Contribution collected from the resident's income for the payer (467)."
    )
    previous_amount = ChildMonetary(string="Last month", help="Amount of the same line in last month's run.")
    amount_changed = fields.Boolean(string="Changed vs last month")
    detail_ids = fields.One2many(
        "essms.billing.line.detail", "line_id", string="Detail", readonly=True,
        help="What the engine computed, row by row: days × price, contribution, regularisation, days not billed.",
    )
    explanation = fields.Text()
    anomaly = fields.Text()
    has_anomaly = fields.Boolean(index=True)
    move_id = fields.Many2one("account.move", string="Invoice", ondelete="set null", index=True, copy=False)
    billed_amount = ChildMonetary(
        string="Billed before", help="Recall or regularisation: what the posted documents billed for the month."
    )
    due_amount = ChildMonetary(
        string="Due", help="Recall or regularisation: what the month is due, computed today."
    )
    origin_move_id = fields.Many2one(
        "account.move",
        string="Original invoice",
        ondelete="set null",
        copy=False,
        help="Recall or regularisation: the first invoice that billed this month; a credit note corrects it.",
    )

    @api.model
    def _create_with_details(self, vals_list):
        """Create a run's computed lines with their detail rows (``detail_ids``: create commands) in two
        statements (``bulk_insert.insert_records``), or by the ORM's create when the models hold a field those do
        not fill: the rows are the same (``tests/test_billing_detail.py``).

        The ORM's create of 4 000 lines and 12 000 detail rows took half the CPU of a month's compute (defaults,
        conversions, the related company and establishment of each record computed one by one)."""
        runs = self.env["essms.billing.run"].browse({vals["run_id"] for vals in vals_list})
        currency = runs.currency_id
        stays = self.env["essms.stay"].browse({vals["stay_id"] for vals in vals_list})
        establishments = {stay.id: stay.establishment_id.id for stay in stays}
        companies = {run.id: run.company_id.id for run in runs}
        rows = [
            {
                **{name: value for name, value in vals.items() if name != "detail_ids"},
                "company_id": companies[vals["run_id"]],
                "establishment_id": establishments[vals["stay_id"]],
            }
            for vals in vals_list
        ]
        lines = None
        if len(currency) == 1 and all("detail_ids" not in vals or all(
                command[0] == Command.CREATE for command in vals["detail_ids"]) for vals in vals_list):
            lines = insert_records(self, rows, computed=COMPUTED_COLUMNS, currency=currency)
        if lines is None:
            return self.create(vals_list)
        details = self.env["essms.billing.line.detail"]
        detail_rows = [
            {**command[2], "line_id": line_id, "company_id": row["company_id"]}
            for line_id, row, vals in zip(lines.ids, rows, vals_list, strict=True)
            for command in vals.get("detail_ids") or ()
        ]
        if insert_records(details, detail_rows, computed=("company_id",), currency=currency) is None:
            # The company is the line's, related: given to the ORM, it would be written on the line's run.
            details.create([{name: value for name, value in row.items() if name != "company_id"}
                            for row in detail_rows])
        return lines

    @api.depends("beneficiary_id", "payer_id", "period_start")
    def _compute_display_name(self):
        for line in self:
            line.display_name = "%s – %s – %s" % (
                line.beneficiary_id.name or "",
                line.payer_id.name or "",
                line.period_start.strftime("%m/%Y") if line.period_start else "",
            )

    @api.depends("run_id.period_start")
    def _compute_period_start(self):
        for line in self:
            if not line.period_start:
                line.period_start = line.run_id.period_start

    def _essms_billed_figures(self):
        """The figures of the line's month as the nominative statement and the portal file print them, summed
        from its stored detail rows: days at the full and at a reduced price, the full daily prices, the gross
        amount of the days, the contribution deducted, and the regularisation rows of earlier months."""
        self.ensure_one()
        figures = {
            "days_full": 0.0,
            "days_reduced": 0.0,
            "prices": [],
            "gross": 0.0,
            "contribution": 0.0,
            "regularisations": self.env["essms.billing.line.detail"],
        }
        main = self._essms_main_component()
        for detail in self.detail_ids:
            if detail.kind == "regularisation" or detail.component != main:
                # An earlier month, or another component this payer bears (the GIR 5-6 rate, the APA): a row of
                # its own under the beneficiary, so that the main days x price stay checkable (billing-rules §9).
                figures["regularisations"] |= detail
            elif detail.kind == "contribution":
                figures["contribution"] -= detail.amount
            elif detail.kind in billing_rules.DAY_KINDS:
                figures["days_reduced" if detail.kind == "reduced" else "days_full"] += detail.quantity
                figures["gross"] += detail.amount
                if detail.kind == "full" and detail.unit_price not in figures["prices"]:
                    figures["prices"].append(detail.unit_price)
        return figures

    def _essms_main_component(self):
        """The component whose days the line's documents count: the first one billed by days (accommodation
        when the payer bears it), the others being printed on rows of their own."""
        self.ensure_one()
        for detail in self.detail_ids:
            if detail.kind in billing_rules.DAY_KINDS:
                return detail.component
        return self.detail_ids[:1].component or "accommodation"

    def _essms_billed_totals(self):
        """What the line bills for its person and month, regularisations included, as every document prints it:
        {days, unit_price (the highest full daily price), gross, contribution (deducted, positive), net}."""
        self.ensure_one()
        figures = self._essms_billed_figures()
        days = figures["days_full"] + figures["days_reduced"]
        gross, contribution = figures["gross"], figures["contribution"]
        for regularisation in figures["regularisations"]:
            if (regularisation.base_kind or regularisation.kind) == "contribution":
                contribution -= regularisation.amount
            else:
                gross += regularisation.amount
                if regularisation._is_day_row() and regularisation.component == self._essms_main_component():
                    days += regularisation.quantity
        return {
            "days": days,
            "unit_price": max(figures["prices"], default=0.0),
            "gross": gross,
            "contribution": contribution,
            "net": self.amount,
        }
