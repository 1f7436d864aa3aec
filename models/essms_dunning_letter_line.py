from psycopg2 import errors

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .bulk_insert import RoundedAmounts
from .bulk_insert import array_param
from .bulk_insert import check_company_in_bulk
from .bulk_insert import check_created_access

# The columns of a line a proposal fills, with their PostgreSQL array types (see ``_insert_lines``).
INSERTED_COLUMNS = {
    "letter_id": "int4",
    "company_id": "int4",
    "currency_id": "int4",
    "move_id": "int4",
    "partner_id": "int4",
    "beneficiary_id": "int4",
    "level_id": "int4",
    "previous_level_id": "int4",
    "invoice_name": "varchar",
    "due_date": "date",
    "period_start": "date",
    "period_end": "date",
    "amount_total": "numeric",
    "residual": "numeric",
    "amount_due": "numeric",
    "claim_open": "bool",
}
# The letter states in which its invoices are still claimed by its run: to send, being sent, in error (retried).
OPEN_LETTER_STATES = ("draft", "queued", "error")
CLAIM_OPEN_INDEX = "essms_dunning_letter_line_claim_open_unique"


class EssmsDunningLetterLine(models.Model):
    """An invoice on a letter, frozen on the run's date: what was billed, what is left, what is claimed."""

    _name = "essms.dunning.letter.line"
    _description = "Invoice of a dunning letter"
    _order = "letter_id, partner_id, due_date, id"
    _check_company_auto = True

    letter_id = fields.Many2one("essms.dunning.letter", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    move_id = fields.Many2one("account.move", string="Invoice", required=True, index=True, check_company=True)
    partner_id = fields.Many2one("res.partner", string="Debtor", required=True)
    beneficiary_id = fields.Many2one("essms.beneficiary", string="Beneficiary")
    level_id = fields.Many2one("essms.dunning.level", string="Level")
    previous_level_id = fields.Many2one("essms.dunning.level", string="Previous level")
    invoice_name = fields.Char(string="Invoice number")
    due_date = fields.Date()
    period_start = fields.Date()
    period_end = fields.Date()
    amount_total = fields.Monetary(string="Invoiced")
    residual = fields.Monetary(string="Left to pay")
    amount_due = fields.Monetary(string="Amount due", help="What is left to pay after the credits netted.")
    claim_open = fields.Boolean(
        string="Waiting to be sent", compute="_compute_claim_open", store=True, readonly=True,
        help="The invoice waits in this letter to be sent: no other letter may hold it at the same time.",
    )

    def init(self):
        # A claim is in one open letter at most: the daily job and an operator proposing at the same moment (each
        # blind to the other's uncommitted letters) cannot both remind it; the second insert waits, then fails.
        self.env.cr.execute(SQL(
            "CREATE UNIQUE INDEX IF NOT EXISTS %s ON essms_dunning_letter_line (move_id) WHERE claim_open",
            SQL.identifier(CLAIM_OPEN_INDEX),
        ))

    @api.depends("letter_id.state")
    def _compute_claim_open(self):
        for line in self:
            line.claim_open = line.letter_id.state in OPEN_LETTER_STATES

    def _check_company(self, fnames=None):
        return super(EssmsDunningLetterLine, check_company_in_bulk(self, fnames))._check_company(fnames)

    @api.model
    def _insert_lines(self, vals_list, amounts_due_written=False):
        """Create the lines of a proposal (``vals_list``: their ``INSERTED_COLUMNS``) in one statement.

        A line is a frozen copy of what the run read, with no computed field or default of its own: the ORM's
        create would spend most of a 50 000-line proposal on per-value work (defaults, currencies of the amounts,
        caches). The access rights, the record rules and the companies are checked on the lines created, as the
        ORM would. Should the model get a stored field the statement does not fill, the ORM creates them.
        ``amounts_due_written``: the letters were inserted with the amount due of these lines (``_insert_letters``),
        not to be computed again.
        """
        stored = {
            name for name, field in self._fields.items()
            if field.store and field.column_type and name not in models.LOG_ACCESS_COLUMNS and name != "id"
        }
        if not vals_list or stored != set(INSERTED_COLUMNS) or any(set(vals) - stored for vals in vals_list):
            return self.create(vals_list)
        self.check_access("create")
        currency = self.env["res.currency"].browse({vals["currency_id"] for vals in vals_list})
        # ``res.currency.round`` without its per-call overhead (three amounts per line).
        rounding = {record.id: record.rounding for record in currency}
        rounded = RoundedAmounts()
        arrays = []
        for name, sql_type in INSERTED_COLUMNS.items():
            field = self._fields[name]
            if field.type == "monetary":
                values = [rounded[vals.get(name) or 0.0, rounding[vals["currency_id"]]] for vals in vals_list]
            else:
                values = [vals.get(name) or None for vals in vals_list]
            arrays.append(array_param(values, sql_type))
        statement = SQL(
            """
            INSERT INTO essms_dunning_letter_line (%(columns)s, create_uid, create_date, write_uid, write_date)
            SELECT line.*, %(uid)s, %(now)s, %(uid)s, %(now)s FROM unnest(%(arrays)s) AS line
            RETURNING id
            """,
            columns=SQL(", ").join(SQL.identifier(name) for name in INSERTED_COLUMNS),
            arrays=SQL(", ").join(arrays),
            uid=self.env.uid,
            now=self.env.cr.now(),
        )
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(statement)
                line_ids = [row[0] for row in self.env.cr.fetchall()]
        except errors.UniqueViolation as error:
            if error.diag.constraint_name != CLAIM_OPEN_INDEX:
                raise
            raise self._claim_already_open_error() from None
        lines = self.browse(line_ids)
        check_created_access(lines)
        # The company check of the ORM (the invoice's company is the line's), in one query.
        self.env.cr.execute(SQL(
            """
            SELECT line.id FROM essms_dunning_letter_line line JOIN account_move move ON move.id = line.move_id
             WHERE line.id = ANY(%s) AND move.company_id != line.company_id LIMIT 1
            """,
            lines.ids,
        ))
        self.browse([row[0] for row in self.env.cr.fetchall()])._check_company(["move_id"])
        letters = self.env["essms.dunning.letter"].browse({vals["letter_id"] for vals in vals_list})
        letters.invalidate_recordset(["line_ids"])
        for name in INSERTED_COLUMNS:
            for inverse in self.pool.field_inverses[self._fields[name]]:
                if inverse.model_name != letters._name:
                    self.env[inverse.model_name].invalidate_model([inverse.name])  # an invoice's letter lines
        if not amounts_due_written:
            letters.modified(["line_ids"])  # their amount due
        return lines

    @api.model
    def _claim_already_open_error(self):
        return UserError(self.env._(
            "Some of these invoices were just put in another dunning run still open (the daily job or another "
            "user): open the dunning runs, review that run, or propose this one again."
        ))

    @api.model
    def _open_elsewhere(self, moves, run):
        """The invoices among ``moves`` already waiting in an open letter of another run than ``run``."""
        if not moves:
            return moves
        self.flush_model(["move_id", "claim_open", "letter_id"])
        self.env["essms.dunning.letter"].flush_model(["run_id"])
        self.env.cr.execute(SQL(
            """
            SELECT DISTINCT line.move_id FROM essms_dunning_letter_line line
              JOIN essms_dunning_letter letter ON letter.id = line.letter_id
             WHERE line.claim_open AND line.move_id = ANY(%s) AND letter.run_id != %s
            """,
            moves.ids, run.id or 0,
        ))
        return moves.browse([row[0] for row in self.env.cr.fetchall()])

    def _decision_reference(self):
        """The funding decision numbers of the invoice, for a public payer's statement of unpaid invoices."""
        self.ensure_one()
        return ", ".join(sorted(set(filter(None, self.move_id.sudo().essms_line_ids.decision_id.mapped("reference")))))
