from odoo import fields
from odoo import models
from odoo.tools import SQL

from ..engine import billing as billing_rules
from .essms_monetary import ChildMonetary

COMPONENTS = [
    ("accommodation", "Accommodation"),
    ("care", "Care"),
    ("dependency", "Dependency"),
    ("fjh", "Daily hospital fee"),
    ("reservation", "Reservation"),
    ("allocation", "Allocation"),
]
DETAIL_KINDS = [
    ("full", "Full price"),
    ("reduced", "Reduced price"),
    ("reservation", "Reservation price"),
    ("contribution", "Contribution"),
    ("regularisation", "Regularisation"),
    ("not_billed", "Not billed"),
]


def billed_kind_sql(table="detail"):
    """SQL of ``engine.billing.billed_kind`` over the detail rows aliased ``table``."""
    return SQL("COALESCE(NULLIF(%s, ''), %s)", SQL.identifier(table, "base_kind"), SQL.identifier(table, "kind"))


def day_row_sql(table="detail"):
    """SQL of ``engine.billing.is_day_row`` over the detail rows aliased ``table``: the rows billing days."""
    return SQL("(%s IN %s AND %s != %s)", billed_kind_sql(table), billing_rules.DAY_KINDS,
               SQL.identifier(table, "kind"), billing_rules.NOT_BILLED)


class EssmsBillingLineDetail(models.Model):
    """One row of what the engine computed for a billing line: quantity x unit price = amount (billing-rules §13).

    The rows of a line add up to what it invoices (or accrues while a decision is pending). Invoice lines,
    the printed invoice, the nominative statement, the portal file and the activity control read them.
    """

    _name = "essms.billing.line.detail"
    _description = "Billing line detail"
    _order = "line_id, sequence, id"
    _check_company_auto = True

    line_id = fields.Many2one("essms.billing.line", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(related="line_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="line_id.currency_id")
    period_start = fields.Date(related="line_id.period_start", string="Month billed")
    component = fields.Selection(selection=COMPONENTS, required=True, default="accommodation")
    payer_id = fields.Many2one("res.partner", string="Billed to", required=True, ondelete="restrict")
    kind = fields.Selection(selection=DETAIL_KINDS, required=True)
    base_kind = fields.Selection(
        selection=DETAIL_KINDS,
        string="Regularises",
        help="For a regularisation: the kind of days or amount of the earlier month it corrects.",
    )
    date_from = fields.Date(required=True)
    date_to = fields.Date(required=True)
    quantity = fields.Float(
        digits=(16, 2), help="Days (half days count 0.5); 1 for a contribution; the days not billed for that kind."
    )
    unit_price = ChildMonetary(string="Unit price")
    amount = ChildMonetary()
    reason = fields.Char(help="What the row is, in words.")

    def _is_day_row(self):
        """Days at a price, of the month or of a regularised month (not a contribution, not unbilled days)."""
        self.ensure_one()
        return billing_rules.is_day_row(self.kind, self.base_kind or "")
