from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import SQL

from ..engine import settlement
from .essms_receivable_ageing import _payer_kinds
from .essms_recovery_claim import settlement_kind

REMINDER_DAYS_KEY = "essms_reminder_days"
DEFAULT_REMINDER_DAYS = 30


class EssmsRecoveryReminder(models.Model):
    """Reminder effectiveness (recovery-rules §9): each invoice of each letter sent, and what was paid on it in
    the N days after the sending (N: `essms_reminder_days` in the context, 30 by default).

    A claim counts as paid when the payments dated from the sending to N days later cover the amount the letter
    claimed for it; a letter counts as paid when all its claims do.
    """

    _name = "essms.recovery.reminder"
    _description = "Reminder effectiveness"
    _auto = False
    _order = "date desc, letter_id, id"
    _check_company_auto = True
    _depends = {
        "essms.dunning.letter": ["company_id", "currency_id", "level_id", "partner_id", "state", "date", "sent_date"],
        "essms.dunning.letter.line": ["letter_id", "move_id", "partner_id", "level_id", "amount_due"],
        "account.move": ["essms_establishment_id"],
        "account.move.line": ["move_id", "account_id"],
        "account.partial.reconcile": ["debit_move_id", "credit_move_id", "amount", "max_date"],
        "res.partner": ["essms_payer_kind"],
    }

    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    letter_id = fields.Many2one("essms.dunning.letter", string="Letter", readonly=True)
    level_id = fields.Many2one("essms.dunning.level", string="Level", readonly=True,
                               help="The level of the letter (the highest of its invoices).")
    partner_id = fields.Many2one("res.partner", string="Debtor", readonly=True)
    payer_kind = fields.Selection(selection=_payer_kinds, string="Payer kind", readonly=True)
    establishment_id = fields.Many2one("essms.establishment", string="Establishment", readonly=True)
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    date = fields.Date(string="Sent on", readonly=True)
    amount_due = fields.Monetary(string="Amount reminded", readonly=True)
    amount_paid = fields.Monetary(
        string="Paid within the delay", readonly=True,
        help="Payments on the invoice from the sending to the delay after it, up to the amount reminded.",
    )
    is_paid = fields.Boolean(string="Claim paid within the delay", readonly=True)
    letter_paid = fields.Boolean(string="Letter paid within the delay", readonly=True)

    @api.model
    def _reminder_days(self):
        days = self.env.context.get(REMINDER_DAYS_KEY)
        return int(days) if days is not None else DEFAULT_REMINDER_DAYS

    @property
    def _table_query(self):
        loss_accounts = self.env["account.move"]._essms_loss_accounts(self.env.companies)
        return SQL(
            """
            SELECT reminder.*,
                   bool_and(reminder.is_paid) OVER (PARTITION BY reminder.letter_id) AS letter_paid
              FROM (
                SELECT line.id AS id,
                       letter.id AS letter_id,
                       letter.company_id AS company_id,
                       letter.currency_id AS currency_id,
                       letter.level_id AS level_id,
                       line.partner_id AS partner_id,
                       COALESCE(partner.essms_payer_kind, 'other') AS payer_kind,
                       move.essms_establishment_id AS establishment_id,
                       line.move_id AS move_id,
                       sent.day AS date,
                       line.amount_due AS amount_due,
                       LEAST(COALESCE(paid.amount, 0), line.amount_due) AS amount_paid,
                       COALESCE(paid.amount, 0) >= line.amount_due AS is_paid
                  FROM essms_dunning_letter_line line
                  JOIN essms_dunning_letter letter ON letter.id = line.letter_id
                  JOIN account_move move ON move.id = line.move_id
             LEFT JOIN res_partner partner ON partner.id = line.partner_id
                 CROSS JOIN LATERAL (SELECT COALESCE(letter.sent_date::date, letter.date) AS day) sent
             LEFT JOIN LATERAL (
                        SELECT SUM(part.amount) AS amount
                          FROM account_move_line debit
                          JOIN account_partial_reconcile part ON part.debit_move_id = debit.id
                          JOIN account_move_line credit ON credit.id = part.credit_move_id
                          JOIN account_move credit_move ON credit_move.id = credit.move_id
                         WHERE debit.move_id = line.move_id
                           AND part.max_date >= sent.day
                           AND part.max_date <= sent.day + %(days)s
                           AND %(kind)s = %(payment)s
                       ) paid ON TRUE
                 WHERE letter.state = 'sent'
              ) reminder
            """,
            days=self._reminder_days(),
            kind=settlement_kind(loss_accounts),
            payment=settlement.PAYMENT,
        )
