from dateutil.relativedelta import relativedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import SQL

# Days ahead in which a pending file's deadline, or a claim's prescription, puts it on the desk.
DEADLINE_DAYS = 15
PRESCRIPTION_DAYS = 90

# What waits on the desk, in the order of the month's work: (field, label, model, list action). Each count comes
# from one grouped query over every establishment at once (see `_count_items`); each opens its list (`_item_domain`).
ITEMS = [
    ("statement_missing", "Statements to create", "essms.establishment", "essms_establishment_action"),
    ("statement_draft", "Statements not submitted", "essms.activity.statement", "essms_activity_statement_action"),
    ("statement_submitted", "Statements to validate", "essms.activity.statement", "essms_activity_statement_action"),
    ("statement_blocking", "Statements with blocking anomalies", "essms.activity.statement",
     "essms_activity_statement_action"),
    ("run_to_compute", "Runs to compute", "essms.billing.run", "essms_billing_run_action"),
    ("run_to_invoice", "Runs to invoice", "essms.billing.run", "essms_billing_run_action"),
    ("invoice_statement_failed", "Invoices without their nominative statement", "account.move",
     "account_move_action_essms_invoices"),
    ("advice_to_post", "Payment advices to post", "essms.remittance", "essms_remittance_action"),
    ("line_to_match", "Advice lines to match", "essms.remittance.line", "essms_remittance_line_action_suspense"),
    ("letter_to_review", "Dunning letters to review", "essms.dunning.letter", "essms_dunning_letter_action"),
    ("letter_error", "Dunning letters in error", "essms.dunning.letter", "essms_dunning_letter_action"),
    ("pending_file_due", "Pending files near their deadline", "essms.funding.decision",
     "essms_funding_decision_action_pending"),
    ("hold_to_review", "Holds to review", "essms.recovery.hold", "essms_recovery_hold_action"),
    ("plan_to_review", "Payment plans to review", "essms.payment.plan", "essms_payment_plan_action"),
    ("claim_near_prescription", "Claims near prescription", "account.move", "account_move_action_essms_invoices"),
]
ITEM_FIELDS = [item[0] for item in ITEMS]


class EssmsOperatorDesk(models.TransientModel):
    """The operator's landing page: per establishment of their portfolio (every establishment when they have
    none) and for the current month, what is waiting, each count one click away from its list."""

    _name = "essms.operator.desk"
    _description = "Operator's desk"

    period_start = fields.Date(
        string="Month", required=True, default=lambda self: fields.Date.context_today(self).replace(day=1)
    )
    line_ids = fields.One2many("essms.operator.desk.line", "desk_id", string="Establishments", readonly=True)
    portfolio = fields.Boolean(readonly=True, help="The establishments shown are the user's portfolio.")
    total_waiting = fields.Integer(string="Waiting", readonly=True)

    @api.depends("period_start")
    def _compute_display_name(self):
        for desk in self:
            desk.display_name = self.env._("My month's to-do")

    @api.model
    def action_open(self):
        """The home page: a saved desk of today's month, counted now (a "New" record would ask to be saved)."""
        desk = self.create({})
        desk._refresh()
        return {
            # The server action's id: the web client finds its menu, so the page opens inside the app, with its
            # menus, also as the home page; reloading the page counts again.
            "id": self.env.ref("essms_billing.essms_operator_desk_action_open").id,
            "type": "ir.actions.act_window",
            "name": desk.display_name,
            "res_model": self._name,
            "res_id": desk.id,
            "view_mode": "form",
            "views": [(self.env.ref("essms_billing.essms_operator_desk_view_form").id, "form")],
            "target": "current",
        }

    def action_refresh(self):
        self._refresh()

    def _refresh(self):
        self.ensure_one()
        if not self.env.user.has_group("essms_billing.group_essms_operator"):
            raise UserError(self.env._("The to-do of the month is the billing operators' page."))
        Establishment = self.env["essms.establishment"]
        portfolio = Establishment.search([("operator_ids", "in", self.env.uid)])
        establishments = portfolio or Establishment.search([])
        counts = self._count_items(establishments)
        lines = []
        for establishment in [*establishments, Establishment]:
            values = {name: counts[name].get(establishment.id or False, 0) for name in ITEM_FIELDS}
            if establishment or any(values.values()):
                lines.append({"establishment_id": establishment.id or False, **values})
        self.line_ids.unlink()
        self.write(
            {
                "line_ids": [fields.Command.create(values) for values in lines],
                "portfolio": bool(portfolio),
                "total_waiting": sum(sum(values[name] for name in ITEM_FIELDS) for values in lines),
            }
        )

    # The counts: one grouped query per item, all establishments at once ----------------------------------------

    def _month(self):
        return self.period_start.replace(day=1), self.period_start.replace(day=1) + relativedelta(months=1, days=-1)

    def _item_base_domain(self, item):
        """What waits, for one item, whatever the establishment (the list the count's click opens)."""
        today = fields.Date.context_today(self)
        month_start = self._month()[0]
        month = [("period_start", "=", month_start)]
        return {
            "statement_draft": [*month, ("state", "=", "draft")],
            "statement_submitted": [*month, ("state", "=", "submitted")],
            "statement_blocking": [
                *month, ("state", "!=", "validated"), ("anomaly_ids.severity", "=", "blocking")
            ],
            "run_to_compute": [("state", "=", "draft")],
            "run_to_invoice": [("state", "=", "computed")],
            "invoice_statement_failed": [
                ("move_type", "=", "out_invoice"), ("state", "=", "posted"), ("essms_statement_error", "!=", False)
            ],
            "advice_to_post": [("state", "in", ("draft", "checked"))],
            "line_to_match": [("in_suspense", "=", True)],
            "letter_to_review": [("state", "=", "draft"), ("run_id.state", "=", "review")],
            "letter_error": [("state", "=", "error")],
            "pending_file_due": [
                ("state", "in", ("to_file", "filed", "appealed")),
                ("date_next_deadline", "<=", today + relativedelta(days=DEADLINE_DAYS)),
            ],
            "hold_to_review": [("is_active", "=", True), ("date_review", "<=", today)],
            "plan_to_review": [("state", "in", ("draft", "to_approve"))],
            "claim_near_prescription": [
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("essms_prescription_date", "<=", today + relativedelta(days=PRESCRIPTION_DAYS)),
            ],
        }.get(item, [])

    def _count_items(self, establishments):
        """{item: {establishment id or False (not tied to one): count}}, each item by one grouped query."""
        month_start, __ = self._month()
        counts = {}
        statements = self.env["essms.activity.statement"]._read_group(
            [("period_start", "=", month_start), ("establishment_id", "in", establishments.ids)],
            ["establishment_id"],
            ["__count"],
        )
        having = {establishment.id for establishment, __ in statements}
        counts["statement_missing"] = {
            establishment.id: 1 for establishment in establishments if establishment.id not in having
        }
        for item in ("statement_draft", "statement_submitted", "statement_blocking"):
            counts[item] = self._group_count("essms.activity.statement", item, "establishment_id")
        for item in ("run_to_compute", "run_to_invoice"):
            counts[item] = self._group_count("essms.billing.run", item, "establishment_ids")
        for item in ("invoice_statement_failed", "claim_near_prescription"):
            counts[item] = self._group_count("account.move", item, "essms_establishment_id")
        counts["pending_file_due"] = self._count_pending_files()
        counts["line_to_match"] = self._group_count("essms.remittance.line", "line_to_match", "essms_establishment_id")
        counts["hold_to_review"] = self._group_count("essms.recovery.hold", "hold_to_review", "essms_establishment_id")
        # Records reaching their establishments through their invoices: counted once per establishment.
        counts["advice_to_post"] = self._count_through_invoices(
            "essms.remittance", "advice_to_post", "essms_remittance_line", "remittance_id", "move_id"
        )
        for item in ("letter_to_review", "letter_error"):
            counts[item] = self._count_through_invoices(
                "essms.dunning.letter", item, "essms_dunning_letter_line", "letter_id", "move_id"
            )
        plan_invoices = self.env["essms.payment.plan"]._fields["move_ids"]
        counts["plan_to_review"] = self._count_through_invoices(
            "essms.payment.plan", "plan_to_review", plan_invoices.relation, plan_invoices.column1,
            plan_invoices.column2,
        )
        return counts

    def _group_count(self, model, item, groupby):
        groups = self.env[model]._read_group(self._item_base_domain(item), [groupby], ["__count"])
        return {establishment.id or False: count for establishment, count in groups}

    def _count_pending_files(self):
        """Pending files per establishment: their agreement's, else where the person stays (a file to make has no
        agreement yet); one query."""
        query = self.env["essms.funding.decision"]._search(self._item_base_domain("pending_file_due"))
        self.env["essms.funding.decision"].flush_model(["establishment_id", "beneficiary_id"])
        self.env["essms.stay"].flush_model(["beneficiary_id", "establishment_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT COALESCE(decision.establishment_id, stay.establishment_id), COUNT(DISTINCT decision.id)
                  FROM essms_funding_decision AS decision
             LEFT JOIN essms_stay AS stay
                    ON decision.establishment_id IS NULL AND stay.beneficiary_id = decision.beneficiary_id
                 WHERE decision.id IN %s
              GROUP BY 1
                """,
                query.subselect(),
            )
        )
        return {establishment_id or False: count for establishment_id, count in self.env.cr.fetchall()}

    def _count_through_invoices(self, model, item, table, record_column, move_column):
        """Records whose invoices (through `table`) are of an establishment, counted once per establishment;
        those with no invoice under False. The records are those the user may read (`_search` applies the
        record rules); one query."""
        query = self.env[model]._search(self._item_base_domain(item))
        self.env["account.move"].flush_model(["essms_establishment_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT move.essms_establishment_id, COUNT(DISTINCT record.id)
                  FROM %(records)s AS record
             LEFT JOIN %(table)s AS link ON link.%(record_column)s = record.id
             LEFT JOIN account_move AS move ON move.id = link.%(move_column)s
                 WHERE record.id IN %(ids)s
              GROUP BY move.essms_establishment_id
                """,
                records=SQL.identifier(self.env[model]._table),
                table=SQL.identifier(table),
                record_column=SQL.identifier(record_column),
                move_column=SQL.identifier(move_column),
                ids=query.subselect(),
            )
        )
        return {establishment_id or False: count for establishment_id, count in self.env.cr.fetchall()}


class EssmsOperatorDeskLine(models.TransientModel):
    """One establishment on the desk (or, without one, what belongs to no establishment: advice lines whose
    invoice is unknown, holds on a payer…), with its counts."""

    _name = "essms.operator.desk.line"
    _description = "Operator's desk: an establishment"
    _order = "establishment_id"

    desk_id = fields.Many2one("essms.operator.desk", required=True, ondelete="cascade", index=True)
    establishment_id = fields.Many2one("essms.establishment", string="Establishment", readonly=True)
    statement_missing = fields.Integer(string="Statements to create", readonly=True)
    statement_draft = fields.Integer(string="Statements not submitted", readonly=True)
    statement_submitted = fields.Integer(string="Statements to validate", readonly=True)
    statement_blocking = fields.Integer(string="Statements with blocking anomalies", readonly=True)
    run_to_compute = fields.Integer(string="Runs to compute", readonly=True)
    run_to_invoice = fields.Integer(string="Runs to invoice", readonly=True)
    invoice_statement_failed = fields.Integer(string="Invoices without their nominative statement", readonly=True)
    advice_to_post = fields.Integer(string="Payment advices to post", readonly=True)
    line_to_match = fields.Integer(string="Advice lines to match", readonly=True)
    letter_to_review = fields.Integer(string="Dunning letters to review", readonly=True)
    letter_error = fields.Integer(string="Dunning letters in error", readonly=True)
    pending_file_due = fields.Integer(string="Pending files near their deadline", readonly=True)
    hold_to_review = fields.Integer(string="Holds to review", readonly=True)
    plan_to_review = fields.Integer(string="Payment plans to review", readonly=True)
    claim_near_prescription = fields.Integer(string="Claims near prescription", readonly=True)

    def action_open_item(self):
        """The list behind a count: the item's records of this establishment (or tied to none)."""
        self.ensure_one()
        item = self.env.context.get("essms_item")
        definition = next((entry for entry in ITEMS if entry[0] == item), None)
        if not definition:
            raise UserError(self.env._("Unknown item of the to-do: %(item)s.", item=item))
        __, __, model, action_xmlid = definition
        action = self.env["ir.actions.act_window"]._for_xml_id("essms_billing.%s" % action_xmlid)
        establishment = self.establishment_id
        if item == "statement_missing":
            domain = [("id", "=", establishment.id)]
        else:
            domain = self.desk_id._item_base_domain(item) + self._establishment_domain(model, establishment)
        action.update(
            {
                "domain": domain,
                # The count's records, whatever the list's default filters: the user removes nothing to see them.
                "context": {"essms_desk_item": item},
                "name": "%s – %s" % (
                    self._fields[item].get_description(self.env)["string"],
                    establishment.display_name or self.env._("No establishment"),
                ),
            }
        )
        if item == "statement_missing":
            action["view_mode"] = "form"
            action["views"] = [(False, "form")]
            action["res_id"] = establishment.id
        return action

    def _establishment_domain(self, model, establishment):
        ids = [establishment.id] if establishment else []
        if model == "essms.activity.statement":
            return [("establishment_id", "=", establishment.id)]
        if model == "essms.billing.run":
            return [("establishment_ids", "in", ids)]
        if model == "account.move":
            return [("essms_establishment_id", "=", establishment.id)]
        if model == "essms.funding.decision":
            if establishment:
                return ["|", ("establishment_id", "=", establishment.id), "&", ("establishment_id", "=", False),
                        ("beneficiary_id.stay_ids.establishment_id", "=", establishment.id)]
            return [("establishment_id", "=", False), ("beneficiary_id.stay_ids", "=", False)]
        if model in ("essms.remittance.line", "essms.recovery.hold"):
            return [("essms_establishment_id", "=", establishment.id)]
        field = {"essms.remittance": "line_ids.move_id", "essms.dunning.letter": "line_ids.move_id",
                 "essms.payment.plan": "move_ids"}[model]
        if establishment:
            return [("%s.essms_establishment_id" % field, "=", establishment.id)]
        return ["|", (field.split(".")[0], "=", False), ("%s.essms_establishment_id" % field, "=", False)]
