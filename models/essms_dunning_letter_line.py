from datetime import date

from psycopg2 import errors

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL
from odoo.tools import float_round

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


# The values written as the text of an array (``array_param``): their ``str`` is what PostgreSQL reads back.
TEXT_TYPES = frozenset({int, float, date, type(None)})


def array_param(values, sql_type):
    """``values`` as one ``%s::sql_type[]`` parameter: the text of the array when they are ids, amounts or
    dates (``None`` for NULL), which PostgreSQL reads as it reads each value adapted on its own.

    psycopg adapts a list value by value (``'2026-01-05'::date``, ...): for the 16 columns of 460 000 lines,
    a third of a proposal's Python time; the text of the array takes a tenth of it. Other values (strings,
    booleans) are adapted by psycopg.
    """
    if values and set(map(type, values)) <= TEXT_TYPES:
        values = "{%s}" % ",".join(["NULL" if value is None else str(value) for value in values])
    return SQL("%s::%s[]", values, SQL(sql_type))


class RoundedAmounts(dict):
    """``float_round(value, precision_rounding=precision)`` by ``(value, precision)``, each pair rounded once.

    A proposal rounds three amounts per line and one per letter (1 600 000 calls for 500 000 invoices, a tenth of
    its Python time), and the same amounts come back again and again (a month's contribution, a residual): the
    dictionary hands back the very float ``float_round`` returned, so the rows written are the same.
    """

    def __missing__(self, key):
        rounded = self[key] = float_round(key[0], precision_rounding=key[1])
        return rounded


def check_company_in_bulk(records, fnames=None):
    """What is left for Odoo's ``_check_company`` to check one record at a time: nothing when every record
    links only to records of its company.

    Odoo checks each record on its own (a ``filtered_domain`` per record and field: most of the time of creating
    the 50 000 lines of a proposal); the same test is made here once per company and field, on the union of the
    linked records. Records linked to something amiss are handed back to Odoo's check, for its error message.
    """
    if len(records) < 2:
        return records
    if fnames is None or {"company_id", "company_ids"} & set(fnames):
        fnames = records._fields
    names = []
    for name in fnames:
        field = records._fields[name]
        if field.relational and field.check_company:
            if field.company_dependent:
                return records  # Odoo's own check for properties
            names.append(name)
    suspects = records.browse()
    # Only the fields compared are read, not every field of thousands of invoices.
    for company, group in records.with_context(prefetch_fields=False).grouped("company_id").items():
        for name in names:
            linked = group.sudo()[name]
            if not linked:
                continue
            domain = linked._check_company_domain(company)
            if domain and linked != linked.with_context(active_test=False).filtered_domain(domain):
                suspects |= group
                break
    return suspects


def check_created_access(records):
    """``records.check_access("create")`` for records just inserted, the record rules checked by one query:
    Odoo's check reads every record to test the rules in Python (100 000 letters of a proposal). A record the
    rules refuse is handed to Odoo's check, for its error message."""
    records.browse().check_access("create")
    if records.env.su or not records:
        return
    domain = records.env["ir.rule"]._compute_domain(records._name, "create")
    if not domain:
        return
    allowed = set(records.sudo()._search(expression.AND([[("id", "in", records.ids)], domain])))
    records.browse([record_id for record_id in records.ids if record_id not in allowed]).check_access("create")


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
