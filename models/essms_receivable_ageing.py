from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import SQL

# Age buckets of the recovery reports (recovery-rules §9), in days past the due date. The values sort in the
# order of the sheet, so a group-by lists them from the youngest to the oldest.
BUCKETS = [
    ("0_not_due", "Not due"),
    ("1_0_30", "0–30 days"),
    ("2_31_60", "31–60 days"),
    ("3_61_90", "61–90 days"),
    ("4_91_180", "91–180 days"),
    ("5_181_365", "181–365 days"),
    ("6_over_365", "Over 365 days"),
    # Payments and credit notes not matched yet: owed to the payer, not late (recovery-rules §9). Apart from the
    # ages, so that an unallocated credit is never read as an overdue document.
    ("7_credit", "Unallocated credits"),
]
CREDIT_BUCKET = "7_credit"
# Upper bound (days past due, included) of each overdue bucket; what is past the last one is over 365 days.
BUCKET_LIMITS = [("1_0_30", 30), ("2_31_60", 60), ("3_61_90", 90), ("4_91_180", 180), ("5_181_365", 365)]
AGEING_DATE_KEY = "essms_ageing_date"


def _payer_kinds(model):
    # The payer's own selection, translated in the user's language (a callable is evaluated with the env).
    return model.env["res.partner"]._fields["essms_payer_kind"]._description_selection(model.env)


class EssmsReceivableAgeing(models.Model):
    """Due-date tracking (tableau de suivi des échéances): what is still owed on the receivable accounts, aged.

    One row per posted receivable journal item that is open on the as-of date: invoices and their
    instalments, credit notes and payments not matched yet (with a negative amount), so the total is the
    receivable balance of the ledger. The as-of date is today, or `essms_ageing_date` in the context: an
    item counts if it was entered by then, for what the matchings made by then had not settled (the
    partial reconciliations up to that date, as Odoo's aged balance does).
    """

    _name = "essms.receivable.ageing"
    _description = "Due-date tracking"
    _auto = False
    _order = "payer_kind, partner_name, date_maturity, move_line_id"
    _rec_name = "move_name"
    _check_company_auto = True
    _depends = {
        "account.move.line": [
            "move_id", "company_id", "partner_id", "account_id", "balance", "date", "date_maturity",
            "parent_state", "reconciled",
        ],
        "account.move": ["name", "invoice_date", "essms_establishment_id", "essms_beneficiary_id"],
        "account.partial.reconcile": ["debit_move_id", "credit_move_id", "amount", "max_date"],
        "res.partner": ["name", "essms_payer_kind"],
        "essms.establishment": ["name"],
        "essms.beneficiary": ["name"],
    }

    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    move_line_id = fields.Many2one("account.move.line", string="Journal item", readonly=True)
    move_id = fields.Many2one("account.move", string="Document", readonly=True)
    move_name = fields.Char(string="Document number", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Payer", readonly=True)
    partner_name = fields.Char(string="Payer name", readonly=True)
    payer_kind = fields.Selection(selection=_payer_kinds, string="Payer kind", readonly=True)
    establishment_id = fields.Many2one("essms.establishment", string="Establishment", readonly=True)
    establishment_name = fields.Char(string="Establishment name", readonly=True)
    beneficiary_id = fields.Many2one("essms.beneficiary", string="Beneficiary", readonly=True)
    beneficiary_name = fields.Char(string="Beneficiary name", readonly=True)
    invoice_date = fields.Date(string="Document date", readonly=True)
    date_maturity = fields.Date(string="Due date", readonly=True)
    days_overdue = fields.Integer(string="Days overdue", readonly=True, aggregator="max")
    bucket = fields.Selection(selection=BUCKETS, string="Age", readonly=True, group_expand=True)
    amount_residual = fields.Monetary(string="Amount due", readonly=True)

    @api.model
    def _ageing_date(self):
        """The as-of date of the sheet: the context's, else today in the user's time zone."""
        return fields.Date.to_date(self.env.context.get(AGEING_DATE_KEY)) or fields.Date.context_today(self)

    @property
    def _table_query(self):
        as_of = self._ageing_date()
        overdue = SQL("(%s::date - COALESCE(aml.date_maturity, aml.date))", as_of)
        residual = SQL("(aml.balance - COALESCE(debit_part.amount, 0) + COALESCE(credit_part.amount, 0))")
        bucket = SQL(
            "CASE WHEN %s < 0 THEN %s WHEN %s < 0 THEN '0_not_due' %s ELSE '6_over_365' END",
            residual,
            CREDIT_BUCKET,
            overdue,
            SQL(" ").join(SQL("WHEN %s <= %s THEN %s", overdue, limit, value) for value, limit in BUCKET_LIMITS),
        )
        # What the line still carries on the as-of date: its balance less the matchings dated up to then (a
        # partial's max_date is the later of its two items' dates). Items fully matched by then drop out; the
        # pre-filter keeps the scan to open items and to those matched after the as-of date.
        return SQL(
            """
            SELECT open_item.* FROM (
                SELECT aml.id AS id,
                       aml.id AS move_line_id,
                       aml.company_id AS company_id,
                       company.currency_id AS currency_id,
                       aml.move_id AS move_id,
                       move.name AS move_name,
                       aml.partner_id AS partner_id,
                       partner.name AS partner_name,
                       COALESCE(partner.essms_payer_kind, 'other') AS payer_kind,
                       move.essms_establishment_id AS establishment_id,
                       establishment.name AS establishment_name,
                       move.essms_beneficiary_id AS beneficiary_id,
                       beneficiary.name AS beneficiary_name,
                       COALESCE(move.invoice_date, move.date) AS invoice_date,
                       COALESCE(aml.date_maturity, aml.date) AS date_maturity,
                       CASE WHEN %(residual)s < 0 THEN 0 ELSE GREATEST(%(overdue)s, 0) END AS days_overdue,
                       %(bucket)s AS bucket,
                       %(residual)s AS amount_residual
                  FROM account_move_line aml
                  JOIN account_account account ON account.id = aml.account_id
                  JOIN account_move move ON move.id = aml.move_id
                  JOIN res_company company ON company.id = aml.company_id
             LEFT JOIN res_partner partner ON partner.id = aml.partner_id
             LEFT JOIN essms_establishment establishment ON establishment.id = move.essms_establishment_id
             LEFT JOIN essms_beneficiary beneficiary ON beneficiary.id = move.essms_beneficiary_id
             LEFT JOIN LATERAL (
                        SELECT SUM(part.amount) AS amount FROM account_partial_reconcile part
                         WHERE part.debit_move_id = aml.id AND part.max_date <= %(as_of)s
                       ) debit_part ON TRUE
             LEFT JOIN LATERAL (
                        SELECT SUM(part.amount) AS amount FROM account_partial_reconcile part
                         WHERE part.credit_move_id = aml.id AND part.max_date <= %(as_of)s
                       ) credit_part ON TRUE
                 WHERE account.account_type = 'asset_receivable'
                   AND aml.parent_state = 'posted'
                   AND aml.date <= %(as_of)s
                   AND (aml.reconciled IS NOT TRUE
                        OR EXISTS (SELECT 1 FROM account_partial_reconcile later
                                    WHERE later.debit_move_id = aml.id AND later.max_date > %(as_of)s)
                        OR EXISTS (SELECT 1 FROM account_partial_reconcile later
                                    WHERE later.credit_move_id = aml.id AND later.max_date > %(as_of)s))
            ) open_item
            WHERE open_item.amount_residual != 0
            """,
            overdue=overdue,
            residual=residual,
            bucket=bucket,
            as_of=as_of,
        )
