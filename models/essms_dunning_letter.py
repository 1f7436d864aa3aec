import logging
from datetime import timedelta

from psycopg2 import errors

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools import format_date
from odoo.tools import formatLang

from .bulk_insert import RoundedAmounts
from .bulk_insert import array_param
from .bulk_insert import check_company_in_bulk
from .bulk_insert import check_created_access
from .essms_dunning_letter_line import OPEN_LETTER_STATES
from .essms_dunning_level import LETTER_KINDS
from .essms_workflow_mixin import transition

_logger = logging.getLogger(__name__)

LETTER_REPORT = "essms_billing.action_report_essms_dunning_letter"
# What the operator heard when calling the debtor (recovery-rules §2). The first ones close the call.
CALL_OUTCOMES = [
    ("reached", "Reached, no commitment"),
    ("promise", "Promise to pay"),
    ("dispute", "Disputes the debt"),
    ("wrong_number", "Wrong number"),
    ("no_answer", "No answer"),
    ("message_left", "Message left"),
]
# The letters to public payers (recovery-rules §2): a statement of unpaid invoices, paid by transfer.
PUBLIC_LETTER_KINDS = ("administrative_reminder", "payment_demand")
# Outcomes after which the call is still to be made again.
CALL_RETRY_OUTCOMES = ("no_answer", "message_left")


# The stored fields a proposal's letters are inserted with (``_insert_letters``), the stored fields it computes as
# their compute methods do, and the many2many fields it links.
INSERTED_COLUMNS = (
    "run_id", "company_id", "currency_id", "partner_id", "copy_partner_id", "policy_id", "level_id", "credits_netted",
    "channel_letter", "channel_email", "channel_phone", "registered_letter", "state", "exclusion_reason",
)
COMPUTED_COLUMNS = ("date", "partner_zip", "payment_deadline", "amount_due")
INSERTED_RELATIONS = ("debtor_ids", "represented_ids")
# Letter lines inserted per statement.
INSERT_BATCH = 50000


def _linked_ids(command):
    """The ids a many2many create command links (``Command.set`` or ``Command.link``)."""
    return command[2] if command[0] == 6 else [command[1]]


def long_date(env, day):
    """A date as a letter writes it, "1er mars 2026" in French (the first of the month is an ordinal)."""
    text = format_date(env, day, date_format="d MMMM y")
    if day.day == 1 and (env.lang or "").startswith("fr"):
        text = "1er" + text[1:]
    return text


class EssmsDunningLetter(models.Model):
    """One communication of a run to one addressee, covering all its overdue invoices at their levels.

    A frozen snapshot: the lines keep the invoices and the amounts due on the run's date, the letter keeps the
    recipients, the channels, the document sent and the sending state.
    """

    _name = "essms.dunning.letter"
    _description = "Dunning letter"
    _inherit = ["essms.approval.mixin", "essms.workflow.mixin"]
    _workflow_fields = ("state", "sent_date", "exclusion_reason")
    _approval_decision_type = "formal_notice"
    _order = "run_id desc, partner_zip, partner_id, id"
    _check_company_auto = True

    run_id = fields.Many2one("essms.dunning.run", required=True, ondelete="cascade", index=True, check_company=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    # Stored, not related: the snapshot's currency, and what the amounts are written in when thousands are created.
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    date = fields.Date(related="run_id.date", store=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Addressee",
        required=True,
        index=True,
        check_company=True,
        help="Whom the letter is written to: the debtor, or the guardian who represents the debtor.",
    )
    partner_zip = fields.Char(related="partner_id.zip", string="Postal code", store=True)
    copy_partner_id = fields.Many2one(
        "res.partner", string="Copy to", check_company=True, help="The curator, who receives a copy."
    )
    debtor_ids = fields.Many2many("res.partner", string="Debtors", check_company=True)
    represented_ids = fields.Many2many(
        "essms.beneficiary",
        string="Protected persons",
        check_company=True,
        help="The people the guardian represents, named in the letter.",
    )
    policy_id = fields.Many2one("essms.dunning.policy", string="Policy", required=True)
    level_id = fields.Many2one("essms.dunning.level", string="Level")
    letter_kind = fields.Selection(related="level_id.letter_kind")
    line_ids = fields.One2many("essms.dunning.letter.line", "letter_id", string="Invoices")
    amount_due = fields.Monetary(compute="_compute_amount_due", store=True)
    credits_netted = fields.Monetary(
        string="Credits netted", help="Credit notes and payments not reconciled yet, deducted from the invoices."
    )
    channel_letter = fields.Boolean(string="Printed letter")
    channel_email = fields.Boolean(string="E-mail")
    channel_phone = fields.Boolean(string="Phone call")
    registered_letter = fields.Boolean()
    registered_number = fields.Char(string="Registered letter number")
    payment_deadline = fields.Date(compute="_compute_payment_deadline", store=True)
    state = fields.Selection(
        selection=[
            ("draft", "To send"), ("excluded", "Excluded"), ("queued", "Being sent"), ("sent", "Sent"),
            ("error", "Error"),
        ],
        default="draft",
        required=True,
        index=True,
    )
    exclusion_reason = fields.Selection(
        selection=[
            ("operator", "Excluded by the operator"),
            ("deceased", "Deceased: claim to declare to the estate"),
            ("refused", "Refused by the finance director"),
            ("outdated", "Not sent on its day: proposed again"),
        ],
    )
    error_message = fields.Text(readonly=True)
    attachment_id = fields.Many2one("ir.attachment", string="Document", readonly=True, copy=False)
    mail_id = fields.Many2one("mail.mail", string="E-mail sent", readonly=True, copy=False)
    sent_date = fields.Datetime(readonly=True, copy=False)
    call_activity_id = fields.Many2one("mail.activity", string="Call to make", readonly=True, copy=False,
                                       ondelete="set null")
    call_outcome = fields.Selection(CALL_OUTCOMES, readonly=True, copy=False, help="The outcome of the last call.")
    call_date = fields.Datetime(string="Called on", readonly=True, copy=False)
    call_user_id = fields.Many2one("res.users", string="Called by", readonly=True, copy=False)
    call_note = fields.Text(readonly=True, copy=False)
    promise_id = fields.Many2one("essms.promise", string="Promise to pay", readonly=True, copy=False)
    dispute_hold_ids = fields.Many2many("essms.recovery.hold", string="Dispute holds", readonly=True, copy=False)

    @api.depends("line_ids.amount_due")
    def _compute_amount_due(self):
        # Saved letters are summed by the database: a proposal computes 10 000 letters of 50 000 lines at once,
        # and reading the lines would also order them by letter (a join, after writing every letter first).
        saved = self.browse([letter.id for letter in self if isinstance(letter.id, int)])
        sums = dict(
            self.env["essms.dunning.letter.line"]._read_group(
                [("letter_id", "in", saved.ids)], ["letter_id"], ["amount_due:sum"]
            )
        ) if saved else {}
        for letter in self:
            if isinstance(letter.id, int):
                letter.amount_due = sums.get(letter, 0.0)
            else:
                letter.amount_due = sum(letter.line_ids.mapped("amount_due"))

    @api.depends("date", "level_id.payment_days")
    def _compute_payment_deadline(self):
        for letter in self:
            days = letter.level_id.payment_days
            letter.payment_deadline = letter.date + timedelta(days=days) if letter.date and days else False

    @api.depends("partner_id", "level_id")
    def _compute_display_name(self):
        for letter in self:
            letter.display_name = "%s – %s" % (letter.partner_id.name or "", letter.level_id.name or "")

    def _check_company(self, fnames=None):
        return super(EssmsDunningLetter, check_company_in_bulk(self, fnames))._check_company(fnames)

    @api.model
    @transition
    def _create_with_lines(self, vals_list):
        """Create letters and their lines as two flat batches: nested line commands cost far more for thousands
        of letters (a proposal over 100 000 debtors). Both are inserted by statements of their own (see
        ``_insert_letters`` and ``_insert_lines``), or by the ORM when the models hold what those do not fill."""
        lines_list = [vals.pop("line_ids", []) for vals in vals_list]
        letters = self._insert_letters(vals_list, lines_list)
        if letters is not None:
            return letters
        letters = self.create(vals_list)
        self.env["essms.dunning.letter.line"]._insert_lines([
            {**command[2], "letter_id": letter.id, "currency_id": letter.currency_id.id,
             "company_id": letter.company_id.id, "claim_open": letter.state in OPEN_LETTER_STATES}
            for letter, commands in zip(letters, lines_list, strict=True)
            for command in commands
        ])
        return letters

    @api.model
    def _insert_letters(self, vals_list, lines_list):
        """Insert the letters of a proposal (``vals_list``: their ``INSERTED_COLUMNS`` and ``INSERTED_RELATIONS``)
        and their lines (``lines_list``: per letter, the line create commands), a few statements in all; ``None``
        when the ORM must create them instead.

        The ORM's create of 100 000 letters spends most of a 500 000-invoice proposal on per-value work (defaults,
        conversions, caches, the stored computed fields one letter at a time). The rows written are what it
        writes (``tests/test_dunning.py`` compares them field by field): the defaults, the monetary rounding, the
        computed fields (``COMPUTED_COLUMNS``, as their compute methods do), the access rights, the record rules
        and the companies. Should the model get a stored field, a default or a computed field the statements do
        not fill, or the values a key they do not know, the ORM creates the letters.
        """
        if not vals_list:
            return self.browse()
        known = set(INSERTED_COLUMNS) | set(INSERTED_RELATIONS)
        if any(set(vals) - known for vals in vals_list) or any(
            command[0] not in (4, 6)
            for vals in vals_list for name in INSERTED_RELATIONS for command in vals.get(name) or ()
        ):
            return None
        stored = {
            name: field for name, field in self._fields.items()
            if field.store and name not in models.LOG_ACCESS_COLUMNS and name != "id"
            and (field.column_type or field.type == "many2many")
        }
        for name, field in stored.items():
            if name in INSERTED_COLUMNS or name in INSERTED_RELATIONS:
                continue
            if field.compute and name not in COMPUTED_COLUMNS:
                return None
            if field.required and not field.compute:
                return None
        if not set(COMPUTED_COLUMNS) <= set(stored) or not set(INSERTED_COLUMNS) <= set(stored):
            return None
        defaults = self.default_get(list(stored))
        if set(defaults) - set(INSERTED_COLUMNS):
            return None
        self._check_workflow_vals(vals_list, create=True)
        self._check_approval_fields(vals_list)
        self.check_access("create")
        rows = [{**defaults, **vals} for vals in vals_list]
        cr = self.env.cr
        # What the computed fields read: the run's date, the addressee's postal code, the level's payment days.
        runs = {run.id: run for run in self.env["essms.dunning.run"].browse({row["run_id"] for row in rows})}
        level_ids = {row["level_id"] for row in rows if row.get("level_id")}
        levels = {level.id: level for level in self.env["essms.dunning.level"].browse(level_ids)}
        self.env["res.partner"].flush_model(["zip"])
        cr.execute(SQL("SELECT id, zip FROM res_partner WHERE id = ANY(%s)", list({row["partner_id"] for row in rows})))
        zips = dict(cr.fetchall())
        # ``res.currency.round``, without its per-call overhead (214 000 calls for 46 000 lines).
        rounding = {
            currency.id: currency.rounding
            for currency in self.env["res.currency"].browse({row["currency_id"] for row in rows})
        }
        run_dates = {run_id: run.date for run_id, run in runs.items()}
        payment_days = {level_id: level.payment_days for level_id, level in levels.items()}
        rounded = RoundedAmounts()
        for row, commands in zip(rows, lines_list, strict=True):
            precision = rounding[row["currency_id"]]
            day = run_dates[row["run_id"]]
            days = payment_days.get(row.get("level_id")) or 0
            row["date"] = day
            row["partner_zip"] = zips.get(row["partner_id"])
            row["payment_deadline"] = day + timedelta(days=days) if day and days else None
            row["amount_due"] = rounded[
                sum(rounded[command[2].get("amount_due") or 0.0, precision] for command in commands), precision
            ]
        arrays = []
        for name in (*INSERTED_COLUMNS, *COMPUTED_COLUMNS):
            field = stored[name]
            if field.type == "monetary":
                values = [rounded[row.get(name) or 0.0, rounding[row["currency_id"]]] for row in rows]
            elif field.type == "boolean":
                values = [bool(row.get(name)) for row in rows]
            else:
                values = [row.get(name) or None for row in rows]
            arrays.append(array_param(values, field.column_type[1]))
        now = cr.now()
        cr.execute(SQL(
            """
            INSERT INTO essms_dunning_letter (%(columns)s, create_uid, create_date, write_uid, write_date)
            SELECT letter.*, %(uid)s, %(now)s, %(uid)s, %(now)s FROM unnest(%(arrays)s) AS letter
            RETURNING id
            """,
            columns=SQL(", ").join(SQL.identifier(name) for name in (*INSERTED_COLUMNS, *COMPUTED_COLUMNS)),
            arrays=SQL(", ").join(arrays),
            uid=self.env.uid,
            now=now,
        ))
        ids = [row[0] for row in cr.fetchall()]
        for name in INSERTED_RELATIONS:
            field = stored[name]
            pairs = [
                (letter_id, corecord_id)
                for letter_id, row in zip(ids, rows, strict=True)
                for command in row.get(name) or ()
                for corecord_id in _linked_ids(command)
            ]
            if pairs:
                cr.execute(SQL(
                    "INSERT INTO %(table)s (%(column1)s, %(column2)s) SELECT * FROM unnest(%(ids)s::int4[], "
                    "%(corecords)s::int4[]) ON CONFLICT DO NOTHING",
                    table=SQL.identifier(field.relation),
                    column1=SQL.identifier(field.column1),
                    column2=SQL.identifier(field.column2),
                    ids=[pair[0] for pair in pairs],
                    corecords=[pair[1] for pair in pairs],
                ))
        letters = self.browse(ids)
        # What the ORM's create would have put in the caches of the records linked (a run's letters, ...).
        for name in (*INSERTED_COLUMNS, *INSERTED_RELATIONS):
            for inverse in self.pool.field_inverses[stored[name]]:
                self.env[inverse.model_name].invalidate_model([inverse.name])
        # And what the runs compute from their letters (their counts and amount).
        self.env["essms.dunning.run"].browse(list(runs)).invalidate_recordset()
        check_created_access(letters)
        letters._check_company_by_sql([name for name in (*INSERTED_COLUMNS, *INSERTED_RELATIONS)
                                       if stored[name].relational and stored[name].check_company])
        letters._validate_fields({*INSERTED_COLUMNS, *INSERTED_RELATIONS, *COMPUTED_COLUMNS})
        # The lines by statements of INSERT_BATCH lines at most: the values of 500 000 lines at once would double
        # the memory of the proposal, and one statement of that size is slower to parse than a few.
        batch = []
        for letter_id, row, commands in zip(ids, rows, lines_list, strict=True):
            batch.extend(
                {**command[2], "letter_id": letter_id, "currency_id": row["currency_id"],
                 "company_id": row["company_id"], "claim_open": row["state"] in OPEN_LETTER_STATES}
                for command in commands
            )
            if len(batch) >= INSERT_BATCH:
                self.env["essms.dunning.letter.line"]._insert_lines(batch, amounts_due_written=True)
                batch = []
        if batch:
            self.env["essms.dunning.letter.line"]._insert_lines(batch, amounts_due_written=True)
        return letters

    def _check_company_by_sql(self, fnames):
        """Odoo's ``_check_company`` on ``fnames`` for records just inserted: the database finds the records
        linked to another company's record (one query per field), Odoo's check says what is wrong with them. A
        field whose model has a company check of its own is left to Odoo's check, on every record. (A record linked
        to a parent company's record is a suspect the database finds and Odoo's check accepts.)"""
        suspects = self.browse()
        to_odoo = []
        for name in fnames:
            field = self._fields[name]
            comodel = self.env[field.comodel_name]
            if (
                "company_id" not in comodel._fields or not comodel._fields["company_id"].store
                or type(comodel)._check_company_domain not in (
                    models.BaseModel._check_company_domain, models.check_company_domain_parent_of,
                )
            ):
                to_odoo.append(name)
                continue
            if field.type == "many2one":
                link = SQL("JOIN %s linked ON linked.id = record.%s",
                           SQL.identifier(comodel._table), SQL.identifier(name))
            else:
                link = SQL("JOIN %s rel ON rel.%s = record.id JOIN %s linked ON linked.id = rel.%s",
                           SQL.identifier(field.relation), SQL.identifier(field.column1),
                           SQL.identifier(comodel._table), SQL.identifier(field.column2))
            self.env.cr.execute(SQL(
                """
                SELECT DISTINCT record.id FROM %s record %s
                 WHERE record.id = ANY(%s) AND linked.company_id IS NOT NULL
                   AND linked.company_id IS DISTINCT FROM record.company_id
                """,
                SQL.identifier(self._table), link, self.ids,
            ))
            suspects |= self.browse([row[0] for row in self.env.cr.fetchall()])
        if to_odoo:
            self._check_company(to_odoo)
        if suspects:
            suspects._check_company(fnames)

    # Actions -------------------------------------------------------------------------------------------

    @transition
    def action_exclude(self):
        if self.filtered(lambda letter: letter.state not in ("draft", "error")):
            raise UserError(self.env._("Only a letter not sent yet can be excluded."))
        self.write({"state": "excluded", "exclusion_reason": "operator"})
        # A formal notice excluded while it waited: the directors have nothing left to approve on the run.
        self.run_id.filtered(lambda run: not run._approval_waiting()).activity_unlink(
            ["essms_billing.mail_activity_type_essms_approval"])

    @transition
    def action_include(self):
        if self.filtered(lambda letter: letter.state != "excluded" or letter.exclusion_reason != "operator"):
            raise UserError(self.env._("Only a letter excluded by the operator can be put back."))
        for run, letters in self.grouped("run_id").items():
            taken = self.env["essms.dunning.letter.line"]._open_elsewhere(letters.line_ids.move_id, run)
            if taken:
                raise UserError(self.env._(
                    "Invoice %(invoice)s is now in another dunning run still open: it cannot be reminded twice.",
                    invoice=taken[0].name,
                ))
        try:
            with self.env.cr.savepoint():
                self.write({"state": "draft", "exclusion_reason": False})
        except errors.UniqueViolation:
            raise self.env["essms.dunning.letter.line"]._claim_already_open_error() from None

    def action_print(self):
        """The letter as sent once it is, else a preview of all its copies: the addressee's and the curator's,
        each rendered on its own and put one after the other by ``ir.actions.report`` (Debian's wkhtmltopdf
        returns an empty PDF for several documents in one call)."""
        self.ensure_one()
        if self.attachment_id:
            return {
                "type": "ir.actions.act_url",
                "url": "/web/content/%s?download=true" % self.attachment_id.id,
                "target": "self",
            }
        report = self.level_id.report_id or self.env.ref(LETTER_REPORT)
        return report.with_context(essms_letter_recipient_id=False).report_action(self)

    def _merge_vals(self, vals):
        """Add the lines of another proposal for the same addressee; the letter takes the higher level."""
        self.ensure_one()
        level = self.env["essms.dunning.level"].browse(vals["level_id"])
        write = {
            "line_ids": [
                (0, 0, {**command[2], "currency_id": self.currency_id.id, "company_id": self.company_id.id})
                for command in vals["line_ids"]
            ],
            "debtor_ids": [(4, partner_id) for partner_id in vals["debtor_ids"][0][2]],
            "represented_ids": [(4, person_id) for person_id in vals["represented_ids"][0][2]],
            "credits_netted": self.credits_netted + vals["credits_netted"],
        }
        if (level.sequence, level.delay_days, level.id) > (
            self.level_id.sequence, self.level_id.delay_days, self.level_id.id
        ):
            write.update({
                "level_id": level.id,
                "channel_letter": level.channel_letter,
                "channel_email": level.channel_email,
                "channel_phone": level.channel_phone,
                "registered_letter": level.registered_letter,
            })
        self.write(write)

    # Sending -------------------------------------------------------------------------------------------

    @transition
    def _send(self):
        """Send each letter on its channels, in a savepoint: a failure is the letter's error, not a half send.

        A formal notice a finance director must approve (under the rules of the day of sending) and has not
        approved is not sent: it stays to send, waiting for the approval.
        """
        waiting = self._notices()._approval_needed()
        waiting.filtered(lambda letter: letter.approval_state != "to_approve")._apply_approval_rules()
        for letter in self - waiting:
            try:
                with self.env.cr.savepoint():
                    letter._send_one()
            except Exception as error:
                _logger.info("Dunning letter %s not sent", letter.id, exc_info=True)
                letter.write({"state": "error", "error_message": str(error) or error.__class__.__name__})
        told = (self - waiting).filtered(
            lambda letter: letter.state == "sent" and letter.approval_mode == "autonomous_notify")
        for letters in told.grouped("run_id").values():
            letters[:1]._approval_tell(self.env._(
                "Formal notices sent by %(user)s: %(letters)s.", user=self.env.user.name,
                letters=", ".join("%s (%s)" % (letter.partner_id.name, letter._format_amount(letter.amount_due))
                                  for letter in letters)))
        return waiting

    # Approvals -----------------------------------------------------------------------------------------

    def _notices(self):
        """The letters escalating to a formal notice: the decisions under the approval rules."""
        return self.filtered(lambda letter: letter.level_id.stage == "formal_notice")

    def _apply_approval_rules(self):
        """Ask the rules about the formal notices to send among these letters; the managers get an activity on
        the run for those they must approve."""
        # Found by one query: reading every letter of a proposal (100 000) for its few notices costs more than the
        # engine's work (the same test as ``_notices``).
        found = set(self.sudo()._search([
            ("id", "in", self.ids), ("state", "=", "draft"), ("level_id.stage", "=", "formal_notice"),
        ])) if self else ()
        notices = self.browse([letter_id for letter_id in self.ids if letter_id in found])
        if not notices:
            return
        by_mode = notices._approval_propose()
        waiting = by_mode.get("approval_required", self.browse())
        for run, letters in waiting.grouped("run_id").items():
            letters[:1]._approval_ask(
                self.env._("Formal notices to approve: %(run)s", run=run.name),
                self.env._("%(count)s formal notices wait for your approval.", count=len(letters)),
            )

    def _approval_subject(self):
        self.ensure_one()
        return self.company_id, self.policy_id.payer_kind, self.amount_due

    def _approval_thread(self):
        return self.run_id

    def _approval_approved(self):
        for run, letters in self.grouped("run_id").items():
            run.message_post(body=self.env._(
                "Formal notices approved by %(user)s: %(letters)s.", user=self.env.user.name,
                letters=", ".join(letters.mapped("partner_id.name"))))

    @transition
    def _approval_refused(self):
        self.filtered(lambda letter: letter.state in ("draft", "error")).write(
            {"state": "excluded", "exclusion_reason": "refused"})
        for run, letters in self.grouped("run_id").items():
            run.message_post(body=self.env._(
                "Formal notices refused by %(user)s: %(letters)s.", user=self.env.user.name,
                letters=", ".join(letters.mapped("partner_id.name"))))

    @transition
    def _send_one(self):
        self.ensure_one()
        if self.state == "sent":
            raise UserError(self.env._("Letter %(letter)s is already sent.", letter=self.display_name))
        moves = self.line_ids.move_id
        already = self.line_ids.filtered(lambda line: line.move_id.essms_dunning_level_id != line.previous_level_id)
        if already:
            raise UserError(
                self.env._(
                    "Invoice %(invoice)s was reminded by another run since this proposal: propose the run again.",
                    invoice=already[0].invoice_name,
                )
            )
        if self.channel_letter or self.channel_email:
            self._render_document()
        if self.channel_email:
            self._send_email()
        if self.channel_phone:
            self._schedule_call()
        for level, lines in self.line_ids.grouped("level_id").items():
            lines.move_id.write(
                {
                    "essms_recovery_stage": level.stage,
                    "essms_dunning_level_id": level.id,
                    "essms_dunning_date": self.date,
                }
            )
        self.write({"state": "sent", "sent_date": fields.Datetime.now(), "error_message": False})
        self._log_on_chatters(moves)

    def _render_document(self):
        """The letter's PDF: one copy per recipient (the person and the curator), each rendered on its own (the
        wkhtmltopdf of Debian cannot print several documents in one call) and put one after the other."""
        # A letter is a PDF, also when the tests run (Odoo would fall back to HTML there).
        report = self.env["ir.actions.report"].with_company(self.company_id).with_context(
            force_report_rendering=True, essms_letter_recipient_id=False
        )
        content, _report_type = report._render_qweb_pdf(
            self.level_id.report_id.report_name or LETTER_REPORT, res_ids=self.ids
        )
        if not content or not content.startswith(b"%PDF"):
            raise UserError(self.env._(
                "The letter to %(recipient)s could not be printed (the PDF engine returned nothing).",
                recipient=self.partner_id.display_name,
            ))
        self.attachment_id = self.env["ir.attachment"].create({
            "name": "%s.pdf" % self._document_filename(),
            "raw": content,
            "mimetype": "application/pdf",
            "res_model": self._name,
            "res_id": self.id,
        })

    def _document_filename(self):
        """The letter's file name without its extension: the report's ``print_report_name`` (the print route adds
        ".pdf") and, with it, the sent letter's attachment."""
        self.ensure_one()
        return "%s - %s - %s" % (self.level_id.name, self.partner_id.name, self.date)

    def _send_email(self):
        recipients = (self.partner_id | self.copy_partner_id).filtered("email")
        if not recipients:
            raise UserError(
                self.env._(
                    "%(partner)s has no e-mail address: the letter cannot be e-mailed.",
                    partner=self.partner_id.display_name,
                )
            )
        template = self.level_id.mail_template_id or self.env.ref("essms_billing.mail_template_essms_dunning_letter")
        # The daily job queues its e-mails: they leave after its transaction commits, so an interrupted job that
        # sends its batch again never sends an e-mail twice.
        mail_id = template.send_mail(
            self.id,
            force_send=not self.env.context.get("essms_dunning_queue_mail"),
            raise_exception=False,
            email_values={
                "recipient_ids": [(6, 0, recipients.ids)],
                "attachment_ids": [(4, attachment_id) for attachment_id in self.attachment_id.ids],
                "auto_delete": False,
            },
        )
        mail = self.env["mail.mail"].browse(mail_id)
        self.mail_id = mail
        if mail.state == "exception":
            raise UserError(self.env._("The e-mail could not be sent: %(reason)s", reason=mail.failure_reason or ""))

    def _schedule_call(self):
        self.call_activity_id = self.partner_id.activity_schedule(
            "mail.mail_activity_data_call",
            date_deadline=self.date,
            summary=self.env._("Dunning call: %(amount)s due", amount=self._format_amount(self.amount_due)),
            note=self.env._("Invoices: %(invoices)s", invoices=", ".join(self.line_ids.mapped("invoice_name"))),
            user_id=self.run_id.create_uid.id or self.env.uid,
        )

    def action_record_call(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Call outcome"),
            "res_model": "essms.call.outcome",
            "view_mode": "form",
            "target": "new",
            "context": {"default_letter_id": self.id},
        }

    def _record_call_outcome(self, debtor, outcome, note=False, moves=None, date_promised=False, amount=0.0,
                             date_review=False):
        """Keep the call's outcome on the letter and the chatters; a promise records an ``essms.promise``, a
        dispute puts a ``dispute`` hold on the invoices. No answer or a message left keeps the call to make."""
        self.ensure_one()
        if self.state != "sent" or not self.channel_phone:
            raise UserError(self.env._("Letter %(letter)s: only a phone call that was scheduled can have an outcome.",
                                       letter=self.display_name))
        if debtor not in self.debtor_ids:
            raise UserError(self.env._("Letter %(letter)s: %(debtor)s is not one of its debtors.",
                                       letter=self.display_name, debtor=debtor.display_name))
        moves = moves if moves is not None else self.line_ids.filtered(
            lambda line: line.partner_id == debtor).move_id
        moves = moves.filtered(lambda move: move.amount_residual > 0)
        today = fields.Date.context_today(self)
        vals = {"call_outcome": outcome, "call_date": fields.Datetime.now(), "call_user_id": self.env.uid,
                "call_note": note}
        outcomes = dict(self._fields["call_outcome"]._description_selection(self.env))
        body = self.env._("Dunning call (%(level)s): %(outcome)s.", level=self.level_id.name,
                          outcome=outcomes[outcome])
        if outcome in ("promise", "dispute") and not moves:
            raise UserError(self.env._("Letter %(letter)s: %(debtor)s has no invoice left to pay on this letter.",
                                       letter=self.display_name, debtor=debtor.display_name))
        if outcome == "promise":
            if not date_promised or amount <= 0:
                raise UserError(self.env._("A promise to pay needs its date and a positive amount."))
            promise = self.env["essms.promise"].create({
                "company_id": self.company_id.id, "partner_id": debtor.id, "move_ids": [(6, 0, moves.ids)],
                "date": today, "date_promised": date_promised, "amount": amount, "note": note,
            })
            vals["promise_id"] = promise.id
            body += " " + self.env._("Promised: %(amount)s by %(date)s.", amount=self._format_amount(amount),
                                     date=format_date(self.env, date_promised))
        elif outcome == "dispute":
            holds = self.env["essms.recovery.hold"].create([
                {"reason": "dispute", "company_id": self.company_id.id, "move_id": move.id, "date_start": today,
                 "date_review": date_review, "note": note}
                for move in moves
            ])
            vals["dispute_hold_ids"] = [(4, hold.id) for hold in holds]
            body += " " + self.env._("The invoices are held as disputed: %(invoices)s.",
                                     invoices=", ".join(moves.mapped("name")))
        if note:
            body += " " + note
        self.write(vals)
        chatters = self.partner_id | debtor
        if outcome not in CALL_RETRY_OUTCOMES and self.call_activity_id:
            # Marking the call done posts it on the addressee's chatter.
            self.call_activity_id.action_feedback(feedback=body)
            chatters -= self.partner_id
        for partner in chatters:
            partner.message_post(body=body, subtype_xmlid="mail.mt_note")
        if moves:
            moves._message_log_batch(bodies=dict.fromkeys(moves.ids, body))
        return True

    def _log_on_chatters(self, moves):
        kind = dict(LETTER_KINDS).get(self.level_id.letter_kind, "")
        body = self.env._(
            "%(level)s sent on %(date)s for %(amount)s (%(run)s).",
            level=self.level_id.name,
            date=format_date(self.env, self.date),
            amount=self._format_amount(self.amount_due),
            run=self.run_id.name,
        )
        attachments = self.attachment_id.ids
        for partner in self.partner_id | self.debtor_ids:
            partner.message_post(body=body, attachment_ids=attachments, subtype_xmlid="mail.mt_note")
        _logger.debug("Logged %s on %s invoices", kind, len(moves))
        moves._message_log_batch(bodies=dict.fromkeys(moves.ids, body))

    def _format_amount(self, amount):
        return formatLang(self.env, amount, currency_obj=self.currency_id)

    # Printing ------------------------------------------------------------------------------------------

    def _letter_recipients(self):
        """The copies to print: one for the addressee and one for the curator, each in its own envelope (only
        ``essms_letter_recipient_id`` of the context when given: the copies are rendered one by one)."""
        self.ensure_one()
        recipients = self.partner_id | self.copy_partner_id
        only = self.env.context.get("essms_letter_recipient_id")
        return recipients.filtered(lambda partner: partner.id == only) if only else recipients

    def _next_level(self):
        """The level that follows this letter's in its policy, named in a firm reminder."""
        self.ensure_one()
        levels = self.policy_id.level_ids.sorted(lambda level: (level.sequence, level.delay_days, level.id))
        following = levels.filtered(
            lambda level: (
                (level.sequence, level.delay_days, level.id)
                > (self.level_id.sequence, self.level_id.delay_days, self.level_id.id)
                and level.letter_kind != self.level_id.letter_kind
            )
        )
        return following.filtered(lambda level: level.channel_letter)[:1] or following[:1]

    def _legal_interest_rate(self):
        """The legal interest rate claimed by a formal notice when the policy enables it, else 0."""
        self.ensure_one()
        if not self.policy_id.legal_interest or self.level_id.letter_kind != "formal_notice":
            return 0.0
        return self.env["essms.parameter"].sudo().get_value("legal_interest_company", self.date)

    def _format_long_date(self, day):
        return long_date(self.env, day)

    def _letter_template(self):
        """The QWeb template holding the wording of this letter's kind (reports/report_dunning_letter.xml)."""
        self.ensure_one()
        return "essms_billing.report_dunning_letter_%s" % self.level_id.letter_kind

    def _letter_values(self, recipient):
        """The values the letter's wording prints for ``recipient``, formatted in the language of the environment.

        The sentences themselves are QWeb, one template per letter kind (``_letter_template``), so that they can be
        adapted without a developer; this method only computes: amounts, dates, the next step, the legal interest,
        the bank details and whom the letter is about."""
        self.ensure_one()
        company = self.company_id
        bank = company.partner_id.bank_ids[:1]
        measures = dict(self.env["essms.beneficiary"]._fields["legal_protection"]._description_selection(self.env))
        represented = [
            {
                "name": person.name,
                "measure": measures.get(person.legal_protection, "").lower(),
                "reference": person.protection_reference or "",
            }
            for person in self.represented_ids.sudo()
        ]
        copy_reference = ""
        if self.copy_partner_id:
            person = self.env["essms.beneficiary"].sudo().search([("partner_id", "=", self.partner_id.id)], limit=1)
            copy_reference = person.protection_reference or ""
        rate = self._legal_interest_rate()
        city = company.partner_id.city
        date_text = self._format_long_date(self.date)
        return {
            "kind": self.level_id.letter_kind,
            "amount": self._format_amount(self.amount_due),
            "deadline": self._format_long_date(self.payment_deadline) if self.payment_deadline else "",
            "days": self.level_id.payment_days,
            "credits": self._format_amount(self.credits_netted) if self.credits_netted else "",
            "following": self._next_level() if self.level_id.letter_kind == "firm_reminder" else self.level_id.browse(),
            "rate": formatLang(self.env, rate) + "\N{NO-BREAK SPACE}%" if rate else "",
            "iban": bank.acc_number or "",
            "bank_name": (bank.bank_id.name or company.name) if bank else "",
            # A public payer pays by transfer (mandat), never by cheque, and is never asked to call about a plan.
            "public": self.level_id.letter_kind in PUBLIC_LETTER_KINDS,
            # The curator's copy under curatelle informs; it asks nothing of the curator.
            "copy": bool(self.copy_partner_id) and recipient == self.copy_partner_id,
            "person": self.partner_id.name,
            "curator": self.copy_partner_id.name or "",
            "copy_reference": copy_reference,
            "represented": represented,
            "date": date_text,
            "place_date": self.env._("%(city)s, %(date)s", city=city, date=date_text) if city else date_text,
            # The number is never split over two lines.
            "registered_number": (self.registered_number or "").replace(" ", "\N{NO-BREAK SPACE}"),
        }

    def _table_groups(self):
        """The lines by debtor (a guardian's letter covers several people), each with its subtotal."""
        self.ensure_one()
        groups = []
        for partner, lines in self.line_ids.grouped("partner_id").items():
            groups.append({"partner": partner, "lines": lines, "amount_due": sum(lines.mapped("amount_due"))})
        return groups
