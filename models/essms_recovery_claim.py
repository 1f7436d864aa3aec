from odoo import fields
from odoo import models
from odoo.tools import SQL

from ..engine import settlement
from .essms_dunning_level import RECOVERY_STAGES
from .essms_receivable_ageing import BUCKET_LIMITS
from .essms_receivable_ageing import BUCKETS
from .essms_receivable_ageing import _payer_kinds

# The context key of the as-of date: the claims as they stood at the end of that day (the dashboard's end date).
CLAIM_DATE_KEY = "essms_claim_date"
# The stages a letter of the dunning runs leads to (their history: the letters sent).
LETTER_STAGES = ("reminded", "firm_reminder", "formal_notice")

PRESCRIPTION_STATES = [
    ("barred", "Time-barred"),
    ("within_3", "Within 3 months"),
    ("within_6", "Within 3 to 6 months"),
    ("later", "Later"),
    ("closed", "Settled"),
]


def settlement_kind(loss_accounts):
    """SQL: what the entry ``credit_move`` that settles an invoice is (``engine.settlement``): a credit note, a
    write-off (an entry on a loss account 654, or the reclassification of a doubtful claim written off) or a
    payment. Written from ``settlement.RULES``, as ``account.move._essms_settlement_kinds`` is in Python."""
    facts = {
        "credit_note": SQL("credit_move.move_type = 'out_refund'"),
        "loss_account": SQL(
            "EXISTS (SELECT 1 FROM account_move_line loss WHERE loss.move_id = credit_move.id "
            "AND loss.account_id = ANY(%s::int[]))", loss_accounts.ids,
        ),
        # A doubtful claim written off: its invoice is matched with the reclassification's item on 411.
        "reclassification": SQL(
            "EXISTS (SELECT 1 FROM essms_doubtful_batch batch WHERE batch.account_move_id = credit_move.id)"
        ),
    }
    return SQL(
        "CASE %s ELSE %s END",
        SQL(" ").join(SQL("WHEN %s THEN %s", facts[fact], kind) for fact, kind in settlement.RULES),
        settlement.PAYMENT,
    )


def settlement_cte(loss_accounts, as_of=None):
    """SQL: the ``settlement`` CTE, per customer invoice what its matchings (made by ``as_of`` if given) settled,
    in all (``settled``) and by kind (``collected``, ``credited``, ``written_off``)."""
    return SQL(
        """settlement AS (
                SELECT debit.move_id,
                       SUM(part.amount) AS settled,
                       SUM(part.amount) FILTER (WHERE settle.kind = %(payment)s) AS collected,
                       SUM(part.amount) FILTER (WHERE settle.kind = %(credit_note)s) AS credited,
                       SUM(part.amount) FILTER (WHERE settle.kind = %(write_off)s) AS written_off
                  FROM account_partial_reconcile part
                  JOIN account_move_line debit ON debit.id = part.debit_move_id
                  JOIN account_move_line credit ON credit.id = part.credit_move_id
                  JOIN account_move credit_move ON credit_move.id = credit.move_id
                  CROSS JOIN LATERAL (SELECT %(kind)s AS kind) settle
                 WHERE debit.move_id IN (SELECT id FROM account_move WHERE move_type = 'out_invoice')
                   %(as_of)s
                 GROUP BY debit.move_id
            )""",
        payment=settlement.PAYMENT,
        credit_note=settlement.CREDIT_NOTE,
        write_off=settlement.WRITE_OFF,
        kind=settlement_kind(loss_accounts),
        as_of=SQL("AND part.max_date <= %s", as_of) if as_of else SQL(),
    )


# The claim's own columns, the same in today's analysis and in the one as of a past date.
IDENTITY_COLUMNS = SQL("""move.id AS id,
                   move.id AS move_id,
                   move.name AS move_name,
                   move.company_id AS company_id,
                   company.currency_id AS currency_id,
                   move.commercial_partner_id AS partner_id,
                   COALESCE(partner.essms_payer_kind, 'other') AS payer_kind,
                   move.essms_establishment_id AS establishment_id,
                   move.essms_beneficiary_id AS beneficiary_id,
                   move.invoice_date AS invoice_date,
                   COALESCE(move.invoice_date_due, move.invoice_date) AS date_maturity""")


class EssmsRecoveryClaim(models.Model):
    """Recovery analysis (recovery-rules §9): one row per posted customer invoice, with what became of it.

    What was billed, then collected (payments), credited (credit notes) and written off (entries on a loss
    account 654, recovery-rules §7), matched with it so far; what is left, its stage, its age and its
    prescription clock, today. The dashboard and its workbook sum these rows with `_read_group`.
    """

    _name = "essms.recovery.claim"
    _description = "Recovery analysis"
    _auto = False
    _order = "invoice_date desc, move_id desc"
    _rec_name = "move_name"
    _check_company_auto = True
    _depends = {
        "account.move": [
            "name", "move_type", "state", "invoice_date", "invoice_date_due", "amount_total_signed",
            "amount_residual_signed", "commercial_partner_id", "essms_establishment_id", "essms_beneficiary_id",
            "essms_recovery_stage", "essms_prescription_date", "company_id",
        ],
        "account.move.line": ["move_id", "account_id", "balance"],
        "account.partial.reconcile": ["debit_move_id", "credit_move_id", "amount", "max_date"],
        "res.partner": ["essms_payer_kind"],
        "essms.writeoff": ["state", "kind", "date"],
        "essms.doubtful.batch": ["account_move_id"],
        "essms.writeoff.line": ["writeoff_id", "move_id"],
        "essms.dunning.letter": ["state", "sent_date", "date", "level_id"],
        "essms.dunning.letter.line": ["letter_id", "move_id"],
    }

    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    move_name = fields.Char(string="Invoice number", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Payer", readonly=True)
    payer_kind = fields.Selection(selection=_payer_kinds, string="Payer kind", readonly=True)
    establishment_id = fields.Many2one("essms.establishment", string="Establishment", readonly=True)
    beneficiary_id = fields.Many2one("essms.beneficiary", string="Beneficiary", readonly=True)
    invoice_date = fields.Date(string="Invoice date", readonly=True)
    date_maturity = fields.Date(string="Due date", readonly=True)
    stage = fields.Selection(selection=RECOVERY_STAGES, string="Stage", readonly=True)
    bucket = fields.Selection(selection=BUCKETS, string="Age", readonly=True)
    days_overdue = fields.Integer(string="Days overdue", readonly=True, aggregator="max")
    prescription_date = fields.Date(string="Time-barred on", readonly=True)
    prescription_state = fields.Selection(selection=PRESCRIPTION_STATES, string="Prescription", readonly=True)
    claim_count = fields.Integer(string="Claims", readonly=True)
    amount_billed = fields.Monetary(string="Billed", readonly=True)
    amount_collected = fields.Monetary(
        string="Collected", readonly=True, help="Payments matched with the invoice (credit notes and write-offs aside)."
    )
    amount_credited = fields.Monetary(string="Credited", readonly=True, help="Credit notes matched with the invoice.")
    amount_written_off = fields.Monetary(
        string="Written off", readonly=True, help="Matched with a write-off entry on a loss account (654)."
    )
    amount_residual = fields.Monetary(string="Outstanding", readonly=True)

    @property
    def _table_query(self):
        as_of = fields.Date.to_date(self.env.context.get(CLAIM_DATE_KEY))
        if as_of:
            return self._table_query_as_of(as_of)
        today = fields.Date.context_today(self)
        loss_accounts = self.env["account.move"]._essms_loss_accounts(self.env.companies)
        overdue = SQL("(%s::date - COALESCE(move.invoice_date_due, move.invoice_date))", today)
        bucket = SQL(
            "CASE WHEN %s < 0 THEN '0_not_due' %s ELSE '6_over_365' END",
            overdue,
            SQL(" ").join(SQL("WHEN %s <= %s THEN %s", overdue, limit, value) for value, limit in BUCKET_LIMITS),
        )
        return SQL(
            """
            WITH %(settlement)s
            SELECT %(identity)s,
                   CASE WHEN move.amount_residual_signed <= 0
                             THEN CASE WHEN move.essms_recovery_stage IN ('written_off', 'extinct')
                                            THEN move.essms_recovery_stage
                                       WHEN COALESCE(settlement.written_off, 0) > 0 THEN 'written_off'
                                       ELSE 'paid' END
                        WHEN move.essms_recovery_stage IS NOT NULL THEN move.essms_recovery_stage
                        WHEN %(overdue)s > 0 THEN 'due'
                        ELSE 'billed'
                   END AS stage,
                   CASE WHEN move.amount_residual_signed > 0 THEN %(bucket)s END AS bucket,
                   CASE WHEN move.amount_residual_signed > 0 THEN GREATEST(%(overdue)s, 0) ELSE 0 END AS days_overdue,
                   move.essms_prescription_date AS prescription_date,
                   CASE WHEN move.amount_residual_signed <= 0 THEN 'closed'
                        WHEN move.essms_prescription_date <= %(today)s THEN 'barred'
                        WHEN move.essms_prescription_date <= %(today)s::date + interval '3 months' THEN 'within_3'
                        WHEN move.essms_prescription_date <= %(today)s::date + interval '6 months' THEN 'within_6'
                        ELSE 'later'
                   END AS prescription_state,
                   1 AS claim_count,
                   move.amount_total_signed AS amount_billed,
                   COALESCE(settlement.collected, 0) AS amount_collected,
                   COALESCE(settlement.credited, 0) AS amount_credited,
                   COALESCE(settlement.written_off, 0) AS amount_written_off,
                   move.amount_residual_signed AS amount_residual
              FROM account_move move
              JOIN res_company company ON company.id = move.company_id
         LEFT JOIN res_partner partner ON partner.id = move.commercial_partner_id
         LEFT JOIN settlement ON settlement.move_id = move.id
             WHERE move.move_type = 'out_invoice' AND move.state = 'posted'
            """,
            settlement=settlement_cte(loss_accounts),
            identity=IDENTITY_COLUMNS,
            overdue=overdue,
            bucket=bucket,
            today=today,
        )

    def _table_query_as_of(self, as_of):
        """The claims as they stood at the end of ``as_of``: the invoices dated by then, what the matchings made by
        then left open, their age on that day, their stage then — written off or extinct by a write-off posted by
        then (``essms.writeoff``), else the stage of the last letter sent by then; an invoice with letters, none
        sent by then, was due or billed; one never reminded keeps its stage — and their prescription state on that
        day."""
        loss_accounts = self.env["account.move"]._essms_loss_accounts(self.env.companies)
        overdue = SQL("(%s::date - COALESCE(move.invoice_date_due, move.invoice_date))", as_of)
        bucket = SQL(
            "CASE WHEN %s < 0 THEN '0_not_due' %s ELSE '6_over_365' END",
            overdue,
            SQL(" ").join(SQL("WHEN %s <= %s THEN %s", overdue, limit, value) for value, limit in BUCKET_LIMITS),
        )
        residual = SQL("(move.amount_total_signed - COALESCE(settlement.settled, 0))")
        return SQL(
            """
            WITH %(settlement)s, closing AS (
                SELECT DISTINCT ON (line.move_id) line.move_id,
                       CASE WHEN writeoff.kind = 'extinction' THEN 'extinct' ELSE 'written_off' END AS stage
                  FROM essms_writeoff_line line
                  JOIN essms_writeoff writeoff ON writeoff.id = line.writeoff_id
                 WHERE writeoff.state IN ('posted', 'reopened') AND writeoff.date <= %(as_of)s
                 ORDER BY line.move_id, writeoff.date DESC, writeoff.id DESC
            ), letter AS (
                SELECT DISTINCT ON (line.move_id) line.move_id,
                       CASE WHEN COALESCE(letter.sent_date::date, letter.date) <= %(as_of)s
                            THEN level.stage END AS stage
                  FROM essms_dunning_letter_line line
                  JOIN essms_dunning_letter letter ON letter.id = line.letter_id
                  JOIN essms_dunning_level level ON level.id = letter.level_id
                 WHERE letter.state = 'sent'
                 ORDER BY line.move_id,
                          COALESCE(letter.sent_date::date, letter.date) <= %(as_of)s DESC,
                          COALESCE(letter.sent_date, letter.date::timestamp) DESC, letter.id DESC
            )
            SELECT %(identity)s,
                   CASE WHEN closing.stage IS NOT NULL THEN closing.stage
                        WHEN %(residual)s <= 0
                             THEN CASE WHEN COALESCE(settlement.written_off, 0) > 0 THEN 'written_off'
                                       ELSE 'paid' END
                        WHEN letter.stage IS NOT NULL THEN letter.stage
                        WHEN letter.move_id IS NULL AND move.essms_recovery_stage IS NOT NULL
                             AND move.essms_recovery_stage NOT IN ('paid', 'written_off', 'extinct', 'remitted',
                                                                   'cancelled')
                             THEN move.essms_recovery_stage
                        WHEN %(overdue)s > 0 THEN 'due'
                        ELSE 'billed'
                   END AS stage,
                   CASE WHEN %(residual)s > 0 THEN %(bucket)s END AS bucket,
                   CASE WHEN %(residual)s > 0 THEN GREATEST(%(overdue)s, 0) ELSE 0 END AS days_overdue,
                   move.essms_prescription_date AS prescription_date,
                   CASE WHEN %(residual)s <= 0 THEN 'closed'
                        WHEN move.essms_prescription_date <= %(as_of)s THEN 'barred'
                        WHEN move.essms_prescription_date <= %(as_of)s::date + interval '3 months' THEN 'within_3'
                        WHEN move.essms_prescription_date <= %(as_of)s::date + interval '6 months' THEN 'within_6'
                        ELSE 'later'
                   END AS prescription_state,
                   1 AS claim_count,
                   move.amount_total_signed AS amount_billed,
                   COALESCE(settlement.collected, 0) AS amount_collected,
                   COALESCE(settlement.credited, 0) AS amount_credited,
                   COALESCE(settlement.written_off, 0) AS amount_written_off,
                   %(residual)s AS amount_residual
              FROM account_move move
              JOIN res_company company ON company.id = move.company_id
         LEFT JOIN res_partner partner ON partner.id = move.commercial_partner_id
         LEFT JOIN settlement ON settlement.move_id = move.id
         LEFT JOIN closing ON closing.move_id = move.id
         LEFT JOIN letter ON letter.move_id = move.id
             WHERE move.move_type = 'out_invoice' AND move.state = 'posted' AND move.invoice_date <= %(as_of)s
            """,
            settlement=settlement_cte(loss_accounts, as_of),
            identity=IDENTITY_COLUMNS,
            overdue=overdue,
            bucket=bucket,
            residual=residual,
            as_of=as_of,
        )
