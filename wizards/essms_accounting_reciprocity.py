from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..engine import accounting_control as rule
from ..engine.dates import add_months
from ..engine.dates import month_end
from ..engine.dates import month_start
from ..models.essms_receivable_ageing import AGEING_DATE_KEY
from .download import download_file


def _previous_month(today):
    start = add_months(month_start(today), -1)
    return start, month_end(start)


class EssmsAccountingReciprocity(models.TransientModel):
    """Billing vs accounting control (*réciprocité comptable*, billing-rules §8.6).

    What is compared, what counts as a difference and which items explain it: ``engine/accounting_control.py``.
    (a) per establishment sales journal over the period, (b) per payer on the period's last day. Each figure
    comes from one grouped query written from the engine's definitions; the engine makes the rows, written
    with the journal items that explain a difference.
    """

    _name = "essms.accounting.reciprocity"
    _description = "Billing vs accounting control"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_from = fields.Date(string="From", required=True, default=lambda self: _previous_month(
        fields.Date.context_today(self))[0])
    date_to = fields.Date(string="To", required=True, default=lambda self: _previous_month(
        fields.Date.context_today(self))[1], help="The receivables are compared as of this date.")
    establishment_ids = fields.Many2many(
        "essms.establishment",
        string="Establishments",
        check_company=True,
        help="Leave empty for all. The establishments choose the sales journals compared; the receivables are "
        "compared per payer for the whole company.",
    )
    line_ids = fields.One2many("essms.accounting.reciprocity.line", "wizard_id", string="Result", readonly=True)
    journal_line_ids = fields.One2many(
        "essms.accounting.reciprocity.line", "wizard_id", string="Sales journals", readonly=True,
        domain=[("kind", "=", "journal")],
    )
    payer_line_ids = fields.One2many(
        "essms.accounting.reciprocity.line", "wizard_id", string="Payers", readonly=True,
        domain=[("kind", "=", "payer")],
    )
    difference_count = fields.Integer(string="Differences", readonly=True)
    computed = fields.Boolean(readonly=True)
    file = fields.Binary(string="Workbook", readonly=True, attachment=False)
    filename = fields.Char(readonly=True)

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for wizard in self:
            if wizard.date_from > wizard.date_to:
                raise ValidationError(self.env._("The period starts after it ends: check the From and To dates."))

    # Computation --------------------------------------------------------------------------------------

    def action_compute(self):
        self.ensure_one()
        journals = self._journals()
        if not journals:
            raise UserError(self.env._("No establishment of %(company)s has a sales journal.",
                                       company=self.company_id.name))
        self.env.flush_all()
        vals_list = self._journal_rows(journals) + self._payer_rows()
        self.line_ids.unlink()
        lines = self.env["essms.accounting.reciprocity.line"].create(vals_list)
        self.write({"computed": True, "difference_count": len(lines.filtered("has_difference"))})
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
            "name": self.env._("Billing vs accounting control"),
        }

    def action_export(self):
        """Compare (again) and download the result as a workbook."""
        self.ensure_one()
        self.action_compute()
        content = self.env["essms.accounting.reciprocity.xlsx"]._render(self)
        return download_file(
            self,
            content,
            self.env._(
                "Billing vs accounting control %(start)s %(end)s.xlsx",
                start=fields.Date.to_string(self.date_from), end=fields.Date.to_string(self.date_to),
            ),
        )

    def _journals(self):
        establishments = self.establishment_ids or self.env["essms.establishment"].search(
            [("company_id", "=", self.company_id.id)]
        )
        return establishments.journal_id

    @staticmethod
    def _journal_causes():
        """SQL: whether the revenue item ``aml`` of entry ``move`` explains a gap (``rule.JOURNAL_CAUSES``)."""
        facts = {rule.DRAFT: SQL("aml.parent_state = 'draft'"),
                 rule.NOT_A_RUN_DOCUMENT: SQL("move.essms_run_id IS NULL")}
        return SQL("(%s)", SQL(" OR ").join(facts[cause] for cause in rule.JOURNAL_CAUSES))

    def _journal_rows(self, journals):
        """(a) One query over the run documents and the income items of the journals in the period."""
        self.env.cr.execute(SQL(
            """
            WITH billed AS (
                SELECT move.journal_id,
                       SUM(move.amount_untaxed_signed) AS billed,
                       SUM(move.amount_untaxed_signed) FILTER (WHERE move.state = 'draft') AS unposted
                  FROM account_move move
                 WHERE move.essms_run_id IS NOT NULL AND move.state IN ('draft', 'posted')
                   AND move.journal_id IN %(journals)s AND move.date BETWEEN %(date_from)s AND %(date_to)s
                 GROUP BY move.journal_id
            ),
            revenue AS (
                SELECT aml.journal_id,
                       -SUM(aml.balance) FILTER (WHERE aml.parent_state = 'posted') AS revenue,
                       ARRAY_AGG(aml.id ORDER BY aml.date, aml.id) FILTER (WHERE %(causes)s) AS cause_ids
                  FROM account_move_line aml
                  JOIN account_move move ON move.id = aml.move_id
                  JOIN account_account account ON account.id = aml.account_id
                 WHERE aml.journal_id IN %(journals)s AND aml.date BETWEEN %(date_from)s AND %(date_to)s
                   AND aml.parent_state IN ('draft', 'posted') AND account.account_type IN %(income)s
                 GROUP BY aml.journal_id
            )
            SELECT journal.id, COALESCE(billed.billed, 0), COALESCE(billed.unposted, 0),
                   COALESCE(revenue.revenue, 0), revenue.cause_ids
              FROM account_journal journal
         LEFT JOIN billed ON billed.journal_id = journal.id
         LEFT JOIN revenue ON revenue.journal_id = journal.id
             WHERE journal.id IN %(journals)s
             ORDER BY journal.code
            """,
            journals=tuple(journals.ids), date_from=self.date_from, date_to=self.date_to,
            income=rule.REVENUE_ACCOUNTS, causes=self._journal_causes(),
        ))
        figures = [rule.JournalFigures(journal_id, billed, unposted, revenue, tuple(cause_ids or ()))
                   for journal_id, billed, unposted, revenue, cause_ids in self.env.cr.fetchall()]
        owners = self.env["essms.establishment"].search([("journal_id", "in", journals.ids)])
        establishment_of = {establishment.journal_id.id: establishment.id for establishment in owners}
        return [{
            "wizard_id": self.id,
            "kind": "journal",
            "journal_id": row.key,
            "establishment_id": establishment_of.get(row.key),
            "expected_amount": row.expected,
            "unposted_amount": row.unposted,
            "ledger_amount": row.ledger,
            "difference": row.difference,
            "has_difference": row.has_difference,
            "move_line_ids": [Command.set(row.causes)],
        } for row in rule.journal_rows(figures, self.currency_id.round)]

    def _payer_rows(self):
        """(b) The ageing per payer (one grouped read), the ledger balance (one grouped read) and the items
        explaining a gap (the open manual items, read from the ageing; the cross-payer matchings, one query)."""
        as_of = self.date_to
        company_domain = [("company_id", "=", self.company_id.id)]
        ageing = self.env["essms.receivable.ageing"].with_context(**{AGEING_DATE_KEY: as_of})
        aged = {partner.id or None: amount for partner, amount in
                ageing._read_group(company_domain, ["partner_id"], ["amount_residual:sum"])}
        manual = {
            partner.id or None: (amount, line_ids)
            for partner, line_ids, amount in ageing._read_group(
                [*company_domain, *self._manual_domain()], ["partner_id"],
                ["move_line_id:array_agg", "amount_residual:sum"],
            )
        }
        ledger = {partner.id or None: balance for partner, balance in self.env["account.move.line"]._read_group(
            [
                *company_domain,
                ("account_id.account_type", "in", rule.RECEIVABLE_ACCOUNTS),
                ("parent_state", "=", "posted"),
                ("date", "<=", as_of),
            ],
            ["partner_id"],
            ["balance:sum"],
        )}
        self.env.cr.execute(SQL(
            """
            SELECT aml.partner_id, ARRAY_AGG(DISTINCT aml.id)
              FROM account_partial_reconcile part
              JOIN account_move_line debit ON debit.id = part.debit_move_id
              JOIN account_move_line credit ON credit.id = part.credit_move_id
              JOIN account_move_line aml ON aml.id IN (debit.id, credit.id)
              JOIN account_account account ON account.id = aml.account_id
             WHERE debit.partner_id IS DISTINCT FROM credit.partner_id
               AND account.account_type IN %(receivable)s
               AND aml.company_id = %(company)s AND part.max_date <= %(as_of)s
             GROUP BY aml.partner_id
            """,
            company=self.company_id.id, as_of=as_of, receivable=rule.RECEIVABLE_ACCOUNTS,
        ))
        crossed = {partner_id or None: line_ids for partner_id, line_ids in self.env.cr.fetchall()}
        partners = self.env["res.partner"].browse(payer for payer in set(aged) | set(ledger) if payer)
        names = {partner.id: partner.name for partner in partners}
        return [{
            "wizard_id": self.id,
            "kind": "payer",
            "partner_id": row.key or False,
            "expected_amount": row.expected,
            "ledger_amount": row.ledger,
            "difference": row.difference,
            "has_difference": row.has_difference,
            "move_line_ids": [Command.set(row.causes)],
        } for row in rule.payer_rows(aged, manual, ledger, crossed, names, self.currency_id.round)]

    def _manual_domain(self):
        """The open items of manual entries (``rule.is_manual``): a plain entry none of ``rule.NOT_MANUAL``
        made. The recovery's own entries are its doubtful reclassifications (411 -> 416 and back) and its
        write-offs with their reopenings."""
        company_domain = [("company_id", "=", self.company_id.id)]
        writeoffs = self.env["essms.writeoff"].sudo().search([*company_domain, ("account_move_id", "!=", False)])
        recovery = self.env["essms.doubtful.batch"].sudo().search(
            [*company_domain, ("account_move_id", "!=", False)]).account_move_id
        recovery |= writeoffs.account_move_id | writeoffs.reopen_move_ids
        made_by = {
            rule.PAYMENT: ("move_id.origin_payment_id", "=", False),
            rule.STATEMENT_LINE: ("move_id.statement_line_id", "=", False),
            rule.RUN: ("move_id.essms_run_id", "=", False),
            rule.RECOVERY: ("move_id", "not in", recovery.ids),
        }
        return [("move_id.move_type", "=", rule.ENTRY), *(made_by[source] for source in rule.NOT_MANUAL)]


class EssmsAccountingReciprocityLine(models.TransientModel):
    _name = "essms.accounting.reciprocity.line"
    _description = "Billing vs accounting control row"
    _order = "kind, has_difference desc, id"

    wizard_id = fields.Many2one("essms.accounting.reciprocity", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="wizard_id.company_id", store=True)
    currency_id = fields.Many2one(related="wizard_id.currency_id")
    kind = fields.Selection([("journal", "Sales journal"), ("payer", "Payer")], required=True, readonly=True)
    journal_id = fields.Many2one("account.journal", string="Sales journal", readonly=True)
    establishment_id = fields.Many2one("essms.establishment", string="Establishment", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Payer", readonly=True)
    expected_amount = fields.Monetary(
        string="Billing", readonly=True,
        help="Sales journal: invoices less credit notes of the billing runs, untaxed, posted or not. Payer: "
        "the due-date tracking of the invoices, credit notes and payments (balance âgée).",
    )
    unposted_amount = fields.Monetary(string="Not posted", readonly=True,
                                      help="Run invoices and credit notes still in draft.")
    ledger_amount = fields.Monetary(
        string="Accounting", readonly=True,
        help="Sales journal: the revenue credited on the income accounts (posted). Payer: the general ledger "
        "balance of the receivable accounts.",
    )
    difference = fields.Monetary(readonly=True, help="Accounting minus billing.")
    has_difference = fields.Boolean(string="Difference found", readonly=True)
    move_line_ids = fields.Many2many("account.move.line", string="Items causing the difference", readonly=True)

    def action_view_items(self):
        """The journal items behind the row: those that explain the difference, else all of its items."""
        self.ensure_one()
        wizard = self.wizard_id
        if self.move_line_ids:
            domain = [("id", "in", self.move_line_ids.ids)]
        elif self.kind == "journal":
            domain = [("journal_id", "=", self.journal_id.id), ("date", ">=", wizard.date_from),
                      ("date", "<=", wizard.date_to), ("account_id.account_type", "in", rule.REVENUE_ACCOUNTS)]
        else:
            domain = [("company_id", "=", wizard.company_id.id), ("partner_id", "=", self.partner_id.id),
                      ("account_id.account_type", "in", rule.RECEIVABLE_ACCOUNTS), ("parent_state", "=", "posted"),
                      ("date", "<=", wizard.date_to)]
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Journal items"),
            "res_model": "account.move.line",
            "view_mode": "list,form",
            "views": [(self.env.ref("account.view_move_line_tree").id, "list"), (False, "form")],
            "domain": domain,
            "context": {"create": False, "search_default_posted": 0},
        }
