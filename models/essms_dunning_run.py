import logging
from collections import defaultdict
from datetime import timedelta

from psycopg2 import errors

from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools import format_date
from odoo.tools.pdf import merge_pdf

from ..engine import addressee as addressee_rule
from ..engine import dunning
from ..engine import payers
from .essms_approval_mixin import MANAGER_GROUP
from .essms_job_chunk import SEND_CHUNK_SIZE
from .essms_workflow_mixin import transition

_logger = logging.getLogger(__name__)

# Stages a dunning run may still act on: the amicable phase (recovery-rules §1).
AMICABLE_STAGES = (False, "billed", "due", "reminded", "firm_reminder", "formal_notice")
# The columns of a claim a proposal reads (``_prepare_letter_vals_list``), in this order: rows, not records.
CLAIM_COLUMNS = (
    "id", "name", "commercial_partner_id", "invoice_date_due", "amount_total", "amount_residual",
    "essms_dunning_level_id", "essms_dunning_date", "essms_beneficiary_id", "essms_period_start", "essms_period_end",
)
# Debtors proposed per call of the daily job: one batch per transaction, so an interruption loses one batch at most.
CRON_BATCH_DEBTORS = 500
# Letters sent automatically per call of the daily job (each is rendered as a PDF: slower than a proposal).
CRON_BATCH_LETTERS = 100
# Letters sent per call of the sending job: each call is one transaction, committed before the next, so a worker
# killed in a call re-sends at most the e-mails of that call (the printed letters only exist once committed).
SEND_BATCH_LETTERS = 20
SEND_CRON = "essms_billing.ir_cron_essms_dunning_send"
# The bus notification the run's form listens to (static/src/views/essms_dunning_run_refresh.js).
SENT_NOTIFICATION = "essms_dunning_run_sent"


class EssmsDunningRun(models.Model):
    """A dunning run: proposal → review → send (recovery-rules §2). One letter per addressee and run."""

    _name = "essms.dunning.run"
    _description = "Dunning run"
    _inherit = ["mail.thread", "mail.activity.mixin", "essms.workflow.mixin"]
    _workflow_fields = ("state", "sent_by_id")
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    state = fields.Selection(
        selection=[("draft", "Draft"), ("review", "To review"), ("sending", "Being sent"), ("sent", "Sent")],
        default="draft",
        required=True,
        tracking=True,
    )
    letter_ids = fields.One2many("essms.dunning.letter", "run_id", string="Letters")
    letter_count = fields.Integer(compute="_compute_counts")
    to_send_count = fields.Integer(compute="_compute_counts")
    error_count = fields.Integer(compute="_compute_counts")
    queued_count = fields.Integer(compute="_compute_counts", string="Letters being prepared")
    amount_due = fields.Monetary(compute="_compute_counts", string="Amount reminded")
    batch_attachment_id = fields.Many2one("ir.attachment", string="Letters to print", readonly=True, copy=False)
    is_automatic = fields.Boolean(
        string="Prepared by the daily job", readonly=True, copy=False,
        help="The daily job proposes this run in batches; it is ready for review once every debtor is done.",
    )
    progress_partner_id = fields.Integer(
        readonly=True, copy=False, help="The last debtor (partner id) the daily job has proposed, to resume after it."
    )
    to_approve_count = fields.Integer(string="Formal notices to approve", compute="_compute_counts")
    sent_by_id = fields.Many2one(
        "res.users", string="Sent by", readonly=True, copy=False,
        help="Who clicked Send: the sending job renders and sends the letters in this user's name.",
    )

    @api.depends("date")
    def _compute_name(self):
        for run in self:
            run.name = self.env._("Dunning run of %(date)s", date=format_date(self.env, run.date))

    @api.depends("letter_ids.state", "letter_ids.amount_due")
    def _compute_counts(self):
        for run in self:
            letters = run.letter_ids
            run.letter_count = len(letters)
            run.to_send_count = len(letters.filtered(lambda letter: letter.state == "draft"))
            run.error_count = len(letters.filtered(lambda letter: letter.state == "error"))
            run.to_approve_count = len(letters.filtered(
                lambda letter: letter.state == "draft" and letter.approval_state == "to_approve"))
            run.queued_count = len(letters.filtered(lambda letter: letter.state == "queued"))
            run.amount_due = sum(letters.filtered(lambda letter: letter.state != "excluded").mapped("amount_due"))

    @api.model_create_multi
    def create(self, vals_list):
        """From the runs' screen (context ``essms_reuse_open_run``), *New* on a day that already has an open run of
        the company (the daily job's, or a colleague's) opens that run: it holds the day's claims, a second run
        would either be empty or remind them twice."""
        if not self.env.context.get("essms_reuse_open_run"):
            return super().create(vals_list)
        runs = []
        for vals in vals_list:
            day = fields.Date.to_date(vals.get("date")) or fields.Date.context_today(self)
            company_id = vals.get("company_id") or self.env.company.id
            run = self.search([
                ("company_id", "=", company_id), ("date", "=", day), ("state", "in", ("draft", "review")),
            ], order="is_automatic desc, id", limit=1)
            runs.append(run or super().create([vals]))
        return self.browse([run.id for run in runs])

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sent(self):
        if self.letter_ids.filtered(lambda letter: letter.state in ("sent", "error", "queued")):
            raise UserError(self.env._("A dunning run that has sent letters is kept as the proof of the reminders."))

    # Actions -------------------------------------------------------------------------------------------

    @transition
    def action_propose(self):
        """(Re)compute the proposal: the letters not sent yet are replaced."""
        for run in self:
            if run.state in ("sending", "sent"):
                raise UserError(self.env._("Run %(name)s was sent: make a new run.", name=run.name))
            run._lock()
            run.letter_ids.filtered(lambda letter: letter.state in ("draft", "excluded")).unlink()
            self.env["essms.dunning.letter"]._create_with_lines(run._prepare_letter_vals_list())._apply_approval_rules()
            run.state = "review"
        return True

    @transition
    def action_send(self):
        """Queue the letters under review (and those in error) for the sending job, and return at once.

        Rendering a letter's PDF takes a second or more: the job renders, e-mails and records each letter, then
        attaches the batch to print. The queue is the letter's state, written under the run's lock: a letter is
        queued once and leaves the queue once, sent or in error (see ``_send_queued``).
        """
        for run in self:
            run._check_can_send()
            run._lock()
            letters = run.letter_ids.filtered(lambda letter: letter.state in ("draft", "error"))
            # A formal notice a finance director must approve (under today's rules) and has not stays to send,
            # waiting for the approval.
            waiting = letters._notices()._approval_needed()
            waiting.filtered(lambda letter: letter.approval_state != "to_approve")._apply_approval_rules()
            letters -= waiting
            letters.write({"state": "queued", "error_message": False})
            run.write({"state": "sending", "sent_by_id": self.env.uid})
            if not letters:
                run._finish_sending()  # nothing for the job: the run is closed, or back to review for the approvals
                continue
            # Parts of letters for the job runners, sent in parallel (essms.job.chunk), each in its transaction.
            ids = letters.sorted(lambda letter: (letter.partner_id.zip or "", letter.id)).ids
            self.env["essms.job.chunk"]._queue(
                "dunning_send",
                [ids[start:start + SEND_CHUNK_SIZE] for start in range(0, len(ids), SEND_CHUNK_SIZE)],
                company_id=run.company_id.id,
                dunning_run_id=run.id,
            )
        return True

    def _check_can_send(self):
        """Say why a run cannot be sent: someone else may have sent it a moment ago (issue 12, item 10)."""
        self.ensure_one()
        if self.state == "sending":
            raise UserError(self.env._(
                "Run %(name)s is already being sent, by %(user)s: its letters are being prepared and sent by the "
                "sending job. Reload the run to follow it.", name=self.name, user=self.sent_by_id.name or "?"))
        if self.state == "sent":
            raise UserError(self.env._(
                "Run %(name)s was already sent, by %(user)s: its letters are not sent again. Make a new run for "
                "the next reminders.", name=self.name, user=self.sent_by_id.name or "?"))
        if self.state != "review":
            raise UserError(self.env._("Run %(name)s: propose the letters and review them first.", name=self.name))

    def action_approve_notices(self):
        """The finance director approves every formal notice of the run waiting for approval."""
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a finance director can approve or refuse a recovery decision."))
        letters = self.letter_ids.filtered(
            lambda letter: letter.state == "draft" and letter.approval_state == "to_approve")
        if not letters:
            raise UserError(self.env._("No formal notice of this run waits for an approval."))
        return letters.action_approve()

    def _approval_waiting(self):
        self.ensure_one()
        return bool(self.letter_ids.filtered(
            lambda letter: letter.state == "draft" and letter.approval_state == "to_approve"))

    def action_open_letters(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Letters"),
            "res_model": "essms.dunning.letter",
            "view_mode": "list,form",
            "domain": [("run_id", "=", self.id)],
            "context": {"default_run_id": self.id},
        }

    def action_download_batch(self):
        self.ensure_one()
        if not self.batch_attachment_id:
            raise UserError(self.env._("Run %(name)s has no printed letter.", name=self.name))
        return {
            "type": "ir.actions.act_url",
            "url": "/web/content/%s?download=true" % self.batch_attachment_id.id,
            "target": "self",
        }

    # Business methods ----------------------------------------------------------------------------------

    def _lock(self):
        """Two users proposing or sending the same run at once: the second is refused, not merged."""
        self.flush_recordset()
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(SQL("SELECT id FROM essms_dunning_run WHERE id = %s FOR UPDATE NOWAIT", self.id))
        except errors.LockNotAvailable:
            raise UserError(
                self.env._("Run %(name)s is being proposed or sent by someone else; try again in a moment.",
                           name=self.name)
            ) from None

    def _claims_domain(self, kinds):
        return [
            ("company_id", "=", self.company_id.id),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("amount_residual", ">", 0),
            ("invoice_date_due", "<", self.date),
            ("commercial_partner_id.essms_payer_kind", "in", list(kinds)),
            ("essms_recovery_stage", "in", list(AMICABLE_STAGES)),
            # A time-barred claim is never reminded automatically (recovery-rules §5).
            "|", ("essms_prescription_date", "=", False), ("essms_prescription_date", ">", self.date),
        ]

    def _prepare_letter_vals_list(self, debtor_ids=None):
        """The letters of the run: claims, credits, holds and protections loaded in bulk, the engine called per
        debtor, the proposals grouped per addressee (a guardian gets one letter for all the people it represents).

        The claims are read as plain rows (``CLAIM_COLUMNS``), not as records: a proposal over 500 000 invoices
        would otherwise spend most of its time filling and reading the ORM's cache.
        """
        self.ensure_one()
        policies = self.env["essms.dunning.policy"]._policy_by_kind(self.company_id)
        domain = self._claims_domain(policies)
        if debtor_ids is not None:
            domain.append(("commercial_partner_id", "in", list(debtor_ids)))
        Move = self.env["account.move"]
        query = Move._search(domain, order="invoice_date_due, id")
        if query.is_empty():
            return []
        # execute_query flushes what the query reads (the amounts left to pay may wait for their computation).
        rows = self.env.execute_query(
            query.select(*(Move._field_to_sql(Move._table, name, query) for name in CLAIM_COLUMNS))
        )
        # A claim waiting in another open run (the daily job's, or a run proposed by someone else) is reviewed
        # and sent there: proposing it here too would remind it twice.
        left_out = set(self.env["essms.dunning.letter.line"]._open_elsewhere(Move.browse([row[0] for row in rows]),
                                                                              self).ids)
        # A claim proposed for a write-off waits for the board's decision: it is not reminded meanwhile.
        left_out.update(self.env["essms.writeoff.line"].search_fetch(
            [("move_id", "in", [row[0] for row in rows]), ("writeoff_id.state", "in", ("to_approve", "approved"))],
            ["move_id"],
        ).move_id.ids)
        if left_out:
            rows = [row for row in rows if row[0] not in left_out]
        if not rows:
            return []
        rows_by_debtor = defaultdict(list)  # in the order of their first claim, as the letters are made
        for row in rows:
            rows_by_debtor[row[2]].append(row)
        self.env["res.partner"].flush_model(["essms_payer_kind"])
        self.env.cr.execute(SQL(
            "SELECT id, essms_payer_kind FROM res_partner WHERE id = ANY(%s)", list(rows_by_debtor),
        ))
        kind_of = dict(self.env.cr.fetchall())
        held_ids = self.env["essms.recovery.hold"]._held_move_ids(
            [(row[0], row[2], row[8] or False) for row in rows], self.date
        )
        credits = self._credits(self.env["res.partner"].browse(rows_by_debtor))
        persons = self.env["essms.beneficiary"].search_fetch(
            [("partner_id", "in", list(rows_by_debtor)), ("company_id", "=", self.company_id.id)],
            ["partner_id", "legal_protection", "protector_id", "protection_reference"],
        )
        person_of = {person.partner_id.id: person for person in persons}
        deceased = set(
            self.env["essms.stay"].search_fetch(
                [("beneficiary_id", "in", persons.ids), ("end_reason", "=", "death")], ["beneficiary_id"]
            ).beneficiary_id.ids
        )
        engine_policies = {
            kind: dunning.Policy(
                tuple(
                    dunning.Level(level.id, level.sequence, level.delay_days, level.min_amount,
                                  level.stage == "formal_notice")
                    for level in policy.level_ids
                ),
                allow_skip=policy.allow_skip,
                public_payer=payers.is_public(kind),
            )
            for kind, policy in policies.items()
        }
        routed = []
        flagged = []
        for debtor_id, debtor_rows in rows_by_debtor.items():
            person = person_of.get(debtor_id)
            claims = tuple(
                dunning.Claim(row[0], row[3], row[5], row[6], row[7], row[0] in held_ids)
                for row in debtor_rows
            )
            engine_debtor = dunning.Debtor(
                debtor_id, claims, credits.get(debtor_id, 0.0), deceased=bool(person and person.id in deceased)
            )
            proposal = dunning.propose(engine_debtor, engine_policies[kind_of[debtor_id]], self.date)
            if proposal.reason == dunning.DECEASED:
                flagged.append((debtor_id, person, [row for row in debtor_rows if row[0] not in held_ids]))
            elif proposal.to_send:
                mail = addressee_rule.recipients(
                    person.legal_protection if person else None, debtor_id,
                    (person.protector_id.id or None) if person else None,
                )
                routed.append(dunning.Routed(proposal, mail.addressee, mail.copy or None))
        letters = dunning.assemble_letters(
            routed, {level.key: level for policy in engine_policies.values() for level in policy.levels}
        )
        rows_by_id = {row[0]: row for row in rows}
        memo = {}
        vals_list = [
            self._prepare_letter_vals(letter, person_of, rows_by_id, policies, kind_of, memo)
            for letter in letters
        ]
        vals_list += [
            self._prepare_deceased_vals(debtor_id, person, claims, policies, kind_of)
            for debtor_id, person, claims in flagged
            if claims
        ]
        return vals_list

    # Daily job -----------------------------------------------------------------------------------------

    @api.model
    def _cron_prepare_proposals(self):
        """Prepare today's run of each company, a bounded batch of debtors per company and call, resuming where it
        stopped.

        Each call is one transaction: the run keeps the last debtor proposed, so a job interrupted in a batch
        redoes that batch only, and a debtor is never proposed twice. Once proposed, the letters of the policies
        sent automatically go out in bounded batches (one per call, e-mails queued until the transaction commits);
        a letter sent is never sent again, and a formal notice under an approval is left to the finance director
        and the operator. The other letters wait for the operator's review.
        """
        today = fields.Date.context_today(self)
        remaining = done = 0
        for company in self.env["res.company"].search([]):
            # The job writes in the company's language (the run's name, its chatter), not in its technical user's.
            runs = self.with_context(lang=company.partner_id.lang or self.env.lang)
            runs.search([
                ("company_id", "=", company.id), ("is_automatic", "=", True), ("date", "<", today),
                ("state", "=", "review"),
            ]).with_company(company)._leave_out_unsent_automatic()
            run = runs.search(
                [("company_id", "=", company.id), ("is_automatic", "=", True), ("date", "=", today)], limit=1
            )
            created = not run
            if created:
                run = runs.create({"company_id": company.id, "date": today, "is_automatic": True})
            run = run.with_company(company)
            if run.state == "draft":
                batch_done, batch_remaining = run._prepare_next_batch(CRON_BATCH_DEBTORS)
                if created and not run.letter_ids:
                    run.unlink()  # nothing overdue today: no empty run to review
                    continue
                done += batch_done
                remaining += batch_remaining + (len(run._automatic_letters()) if run.state == "review" else 0)
            elif run.state == "review" and run._automatic_letters():
                batch_done, batch_remaining = run._send_automatic(CRON_BATCH_LETTERS)
                done += batch_done
                remaining += batch_remaining
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return remaining

    def _automatic_letters(self):
        """The letters the daily job may send: to send, under a policy sent automatically, and not a decision a
        finance director approves (even approved, a human sends those)."""
        return self.letter_ids.filtered(
            lambda letter: letter.state == "draft" and letter.policy_id.auto_send
            and letter.approval_mode != "approval_required"
        ).sorted("id")

    @transition
    def _leave_out_unsent_automatic(self):
        """Automatic letters of an earlier day the job did not finish sending (it stopped past midnight): their
        amounts due are a day old and today's run proposes their claims again, so they are left out, never sent
        late; the run is closed as if its sending had ended."""
        for run in self:
            letters = run._automatic_letters()
            if not letters:
                continue
            run._lock()
            letters.write({"state": "excluded", "exclusion_reason": "outdated"})
            run.message_post(body=self.env._(
                "%(count)s letters were not sent on %(date)s: they are left out, today's run proposes their claims "
                "again with the amounts due today.",
                count=len(letters),
                date=format_date(self.env, run.date),
            ))
            run._finish_sending()

    @transition
    def _send_automatic(self, limit):
        """Send the next ``limit`` automatic letters: ``(letters done, letters left)``."""
        self.ensure_one()
        self._lock()
        letters = self._automatic_letters()
        batch = letters[:limit]
        batch.with_context(essms_dunning_queue_mail=True)._send()
        left = len(self._automatic_letters())
        if not left:
            if not self.letter_ids.filtered(lambda letter: letter.state in ("draft", "error")):
                self.state = "sent"
            self._attach_batch()
            sent = self.letter_ids.filtered(lambda letter: letter.state == "sent" and letter.policy_id.auto_send)
            self.message_post(body=self.env._("Sent automatically: %(count)s letters.", count=len(sent)))
        return len(batch), left
    @api.model
    def _cron_send_letters(self, limit=SEND_BATCH_LETTERS):
        """Send the queued letters of the runs being sent, ``limit`` letters per call, in the clicker's name.

        A run locked by someone else is left for a later call (triggered a minute later), never waited for.
        """
        done = 0
        busy = False
        for run in self.search([("state", "=", "sending")], order="id"):
            if done >= limit:
                break
            user = run.sent_by_id or self.env.user
            # As the click would have: the clicker's rights, language (file names, chatter) and the run's company.
            run = run.with_user(user).with_context(lang=user.lang or self.env.lang).with_company(run.company_id)
            try:
                done += run._send_queued(limit - done)
            except UserError:
                _logger.info("Dunning run %s is locked; its letters are sent later", run.id)
                busy = True
        remaining = self.search_count([("state", "=", "sending")])
        if busy:
            self.env.ref(SEND_CRON)._trigger(fields.Datetime.now() + timedelta(minutes=1))
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return remaining

    @transition
    def _send_chunk(self, letters):
        """Send the letters of one part, still queued, in the part's transaction (the job runners' call).

        The letters are locked and read again: a letter sent meanwhile by another runner or by the daily job is
        not sent twice (a lock held elsewhere, or a letter changed since this transaction began, raises and the
        part is taken again later, when it finds the letter sent).
        """
        self.ensure_one()
        if self.state != "sending":
            return 0
        self.env["essms.dunning.letter"].flush_model()
        self.env.cr.execute(SQL(
            "SELECT id FROM essms_dunning_letter WHERE id IN %s ORDER BY id FOR NO KEY UPDATE NOWAIT",
            tuple(letters.ids) or (0,),
        ))
        letters.invalidate_recordset(["state"])
        batch = letters.exists().filtered(lambda letter: letter.state == "queued")
        waiting = batch._send()
        waiting.write({"state": "draft"})
        waiting.filtered(lambda letter: letter.approval_state != "to_approve")._apply_approval_rules()
        return len(batch)

    def _finish_send_chunks(self):
        """Runs being sent whose parts are all done or given up and whose queue is empty: closed, under their
        lock (one runner closes a run; the others leave it). Returns whether a run was closed."""
        closed = False
        pending = {
            run.id
            for [run] in self.env["essms.job.chunk"].sudo()._read_group(
                [("dunning_run_id", "in", self.ids), ("job", "=", "dunning_send"), ("state", "=", "pending")],
                ["dunning_run_id"],
            )
        }
        for run in self.filtered(lambda run: run.id not in pending and run.state == "sending"):
            if run.letter_ids.filtered(lambda letter: letter.state == "queued"):
                continue  # left to the daily sending job (a part given up, or queued before the runners existed)
            user = run.sent_by_id or self.env.user
            run = run.with_user(user).with_context(lang=user.lang or self.env.lang).with_company(run.company_id)
            try:
                with self.env.cr.savepoint():
                    run._lock()
                    run._finish_sending()
                closed = True
            except (UserError, errors.LockNotAvailable, errors.SerializationFailure):
                _logger.info("Dunning run %s is closed by another runner", run.id)
        return closed

    @transition
    def _send_queued(self, limit=None):
        """Send up to ``limit`` queued letters of the run (all by default), under its lock; once none is left,
        attach the letters to print and close the sending. Returns the number of letters sent or in error."""
        self.ensure_one()
        self._lock()
        if self.state != "sending":
            return 0
        queued = self.letter_ids.filtered(lambda letter: letter.state == "queued")
        batch = self._claim_letters(queued[:limit] if limit else queued)
        # A notice whose rule became stricter since it was queued goes back to the review, waiting for an approval.
        waiting = batch._send()
        waiting.write({"state": "draft"})
        waiting.filtered(lambda letter: letter.approval_state != "to_approve")._apply_approval_rules()
        if not queued - batch:
            self._finish_sending()
        return len(batch)

    def _claim_letters(self, letters):
        """The letters not being sent by a job runner right now, locked until this transaction ends."""
        if not letters:
            return letters
        self.env["essms.dunning.letter"].flush_model()
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(SQL(
                    "SELECT id FROM essms_dunning_letter WHERE id IN %s ORDER BY id FOR NO KEY UPDATE SKIP LOCKED",
                    tuple(letters.ids),
                ))
                claimed = {row[0] for row in self.env.cr.fetchall()}
        except errors.SerializationFailure:
            # Sent by a job runner since this transaction began: the next call finds them sent.
            raise UserError(self.env._("Run %(name)s is being sent by the job runners.", name=self.name)) from None
        return letters.filtered(lambda letter: letter.id in claimed)

    @transition
    def _finish_sending(self):
        """Every letter has left the queue: attach the letters to print, say so on the run. Letters in error keep
        the run under review, so that *Send* retries them."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                self._attach_batch()
        except Exception as error:
            # The letters are sent and recorded; a batch that cannot be merged must not undo them.
            _logger.warning("Letters batch of dunning run %s not attached", self.id, exc_info=True)
            self.message_post(body=self.env._(
                "The letters to print could not be gathered in one PDF (%(error)s); each letter's PDF is on it.",
                error=str(error) or error.__class__.__name__,
            ))
        letters = self.letter_ids
        errors = letters.filtered(lambda letter: letter.state == "error")
        self.state = "review" if letters.filtered(lambda letter: letter.state in ("draft", "error")) else "sent"
        self.message_post(body=self.env._(
            "%(sent)s letters sent, %(errors)s in error.",
            sent=len(letters.filtered(lambda letter: letter.state == "sent")),
            errors=len(errors),
        ))
        self._notify_sent()

    def _notify_sent(self):
        """Tell the browser of who clicked *Send* that the letters are done: the run's form reloads itself
        (``essms_dunning_run_refresh`` widget). Sent on commit, like every bus notification."""
        self.ensure_one()
        user = self.sent_by_id or self.env.user
        self.env["bus.bus"]._sendone(user.partner_id, SENT_NOTIFICATION, {"run_id": self.id})

    def _debtors_to_propose(self, policies, limit=None):
        """The ids of the debtors with overdue claims after the run's progress, in id order."""
        domain = self._claims_domain(policies)
        if self.progress_partner_id:
            domain.append(("commercial_partner_id", ">", self.progress_partner_id))
        self.env.flush_all()  # the domain reads computed fields of moves and partners
        query = self.env["account.move"]._search(domain)
        self.env.cr.execute(SQL(
            "SELECT DISTINCT account_move.commercial_partner_id FROM %s WHERE %s ORDER BY 1 %s",
            query.from_clause, query.where_clause, SQL("LIMIT %s", limit) if limit else SQL(),
        ))
        return [row[0] for row in self.env.cr.fetchall()]

    @transition
    def _prepare_next_batch(self, limit):
        """Propose the next ``limit`` debtors of the run: ``(debtors done, debtors left)``."""
        self.ensure_one()
        self._lock()
        policies = self.env["essms.dunning.policy"]._policy_by_kind(self.company_id)
        debtor_ids = self._debtors_to_propose(policies, limit)
        if debtor_ids:
            self._add_letters(self._prepare_letter_vals_list(debtor_ids))
            self.progress_partner_id = debtor_ids[-1]
        left = len(self._debtors_to_propose(policies)) if len(debtor_ids) == limit else 0
        if not left:
            self.state = "review"
            self.message_post(body=self.env._("Proposal ready for review: %(count)s letters.",
                                              count=len(self.letter_ids)))
        return len(debtor_ids), left

    def _add_letters(self, vals_list):
        """Create the letters, or add to the letter already proposed to the same addressee (a guardian whose
        people fell in different batches still gets one letter)."""
        existing = {
            letter.partner_id.id: letter
            for letter in self.letter_ids
            if letter.state == "draft" and not letter.copy_partner_id
        }
        new = []
        merged = self.env["essms.dunning.letter"]
        for vals in vals_list:
            letter = existing.get(vals["partner_id"]) if vals.get("state", "draft") == "draft" else None
            if letter and not vals.get("copy_partner_id"):
                letter._merge_vals(vals)
                merged |= letter
            else:
                new.append(vals)
        letters = self.env["essms.dunning.letter"]._create_with_lines(new) | merged
        letters._apply_approval_rules()
        return letters

    def _credits(self, debtors):
        """What each debtor has paid or been credited and is not reconciled yet: ``{partner id: amount}``."""
        groups = self.env["account.move.line"]._read_group(
            [
                ("company_id", "=", self.company_id.id),
                ("account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
                ("amount_residual", "<", 0),
                ("partner_id.commercial_partner_id", "in", debtors.ids),
            ],
            ["partner_id"],
            ["amount_residual:sum"],
        )
        credits = defaultdict(float)
        for partner, amount in groups:
            credits[partner.commercial_partner_id.id] -= amount
        return credits

    def _prepare_letter_vals(self, letter, person_of, rows_by_id, policies, kind_of, memo=None):
        """The values of one ``dunning.Letter`` (``dunning.assemble_letters``): its lines, debtors and people.
        ``rows_by_id``: the claims' ``CLAIM_COLUMNS`` by invoice id; ``kind_of``: the debtors' payer kinds;
        ``memo``: a dict the letters of one proposal share, so that the run and the levels are read once."""
        memo = {} if memo is None else memo
        if "run" not in memo:
            memo["run"] = {"run_id": self.id, "currency_id": self.currency_id.id, "company_id": self.company_id.id}
        top = self._level_vals(letter.level_key, memo.setdefault("levels", {}))
        line_vals = []
        represented = []
        for proposal in letter.proposals:
            debtor_id = proposal.debtor_key
            person = person_of.get(debtor_id)
            if person and debtor_id != letter.addressee:
                represented.append(person.id)
            person_id = person.id if person else False
            for line in proposal.lines:
                row = rows_by_id[line.claim_key]
                line_vals.append(Command.create({
                    "move_id": row[0],
                    "partner_id": debtor_id,
                    "beneficiary_id": row[8] or person_id,
                    "level_id": line.level_key,
                    "previous_level_id": row[6] or False,
                    "invoice_name": row[1],
                    "due_date": row[3],
                    "period_start": row[9] or False,
                    "period_end": row[10] or False,
                    "amount_total": row[4],
                    "residual": float(line.residual),
                    "amount_due": float(line.amount_due),
                }))
        return {
            **memo["run"],
            "partner_id": letter.addressee,
            "copy_partner_id": letter.copy or False,
            "debtor_ids": [Command.set([proposal.debtor_key for proposal in letter.proposals])],
            "represented_ids": [Command.set(represented)],
            "policy_id": policies[kind_of[letter.proposals[0].debtor_key]].id,
            **top,
            "credits_netted": float(letter.credits_netted),
            "line_ids": line_vals,
        }

    def _level_vals(self, level_id, memo):
        """A letter's values from its level (``level_id``), read once per level in ``memo`` (a proposal's dict)."""
        if level_id not in memo:
            level = self.env["essms.dunning.level"].browse(level_id)
            memo[level_id] = {
                "level_id": level.id,
                "channel_letter": level.channel_letter,
                "channel_email": level.channel_email,
                "channel_phone": level.channel_phone,
                "registered_letter": level.registered_letter,
            }
        return memo[level_id]

    def _prepare_deceased_vals(self, debtor_id, person, rows, policies, kind_of):
        """A deceased resident is not reminded: the run lists the claims (``CLAIM_COLUMNS`` rows), excluded, for
        the estate."""
        return {
            "run_id": self.id,
            "currency_id": self.currency_id.id,
            "company_id": self.company_id.id,
            "partner_id": debtor_id,
            "debtor_ids": [Command.set([debtor_id])],
            "policy_id": policies[kind_of[debtor_id]].id,
            "state": "excluded",
            "exclusion_reason": "deceased",
            "line_ids": [
                Command.create({
                    "move_id": row[0],
                    "partner_id": debtor_id,
                    "beneficiary_id": person.id,
                    "previous_level_id": row[6] or False,
                    "invoice_name": row[1],
                    "due_date": row[3],
                    "period_start": row[9] or False,
                    "period_end": row[10] or False,
                    "amount_total": row[4],
                    "residual": row[5],
                    "amount_due": row[5],
                })
                for row in rows
            ],
        }

    def _attach_batch(self):
        """One PDF of every printed letter of the run, sorted by postal code for the window envelopes."""
        self.ensure_one()
        letters = self.letter_ids.filtered(
            lambda letter: letter.state == "sent" and letter.channel_letter and letter.attachment_id
        ).sorted(lambda letter: (letter.partner_id.zip or "", letter.partner_id.name or "", letter.id))
        if not letters:
            return
        content = merge_pdf([letter.attachment_id.raw for letter in letters])
        vals = {
            "name": self.env._("Letters %(name)s.pdf", name=self.name),
            "raw": content,
            "mimetype": "application/pdf",
            "res_model": self._name,
            "res_id": self.id,
        }
        if self.batch_attachment_id:
            self.batch_attachment_id.write(vals)
        else:
            self.batch_attachment_id = self.env["ir.attachment"].create(vals)
