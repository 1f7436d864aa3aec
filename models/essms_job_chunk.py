"""Long jobs cut into chunks that Odoo's own job runners (``ir.cron`` threads and servers) process in parallel.

Odoo runs one ``ir.cron`` record in one thread at a time (``ir_cron._acquire_one_job`` locks the cron row with
``FOR NO KEY UPDATE SKIP LOCKED``). To let several threads or servers work on the same job, the addon ships
``RUNNER_COUNT`` identical runner crons; each call of a runner claims one pending chunk with ``FOR UPDATE SKIP
LOCKED`` (a chunk is worked on by one transaction at a time; the others take the next one), does its work and
commits it with the chunk's state: Odoo's cron commits after each call and calls again while progress is
notified as remaining. A runner killed in a chunk leaves it pending (its transaction never committed): the next
call takes it again. A chunk whose work raised is recorded with its error on the run's chatter and tried again
up to ``MAX_ATTEMPTS`` times.

"Never twice" stays with the records worked on, not with the chunk: each job locks its records and re-reads
their state in the chunk's transaction (billing lines without invoice, letters queued, invoices without their
statement), and the unique key of the run's invoices refuses a second invoice of the same key.
"""

import logging
import threading
import time

import psycopg2.errors

from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import SQL
from odoo.tools import mute_logger

_logger = logging.getLogger(__name__)

# Runner crons shipped (data/ir_cron_data.xml): at least the job threads of all servers together
# (max_cron_threads, or workers' cron processes); more can be added by duplicating one.
RUNNER_CRON_PREFIX = "essms_billing.ir_cron_essms_job_runner_"
RUNNER_COUNT = 4
# A chunk whose work raised this many times is given up: the run says so, its operator starts it again.
MAX_ATTEMPTS = 3
# A run of up to this many invoices is invoiced in the click, as before the job runners (the demo's, a small
# establishment's): the operator sees its invoices at once.
INVOICE_QUEUE_THRESHOLD = 200
# What a chunk holds, by job: invoices to create, letters to send, nominative statements to attach. A part must
# stay well under the job thread's time limit (``limit_time_real_cron``, else ``limit_time_real``: 120 s by
# default) on a loaded machine: 50 invoices take 2 s idle, 45 s under a load of 17 on 2 cores.
INVOICE_CHUNK_SIZE = 50
SEND_CHUNK_SIZE = 20
STATEMENT_CHUNK_SIZE = 20
# Statements are rendered after the invoices of every run waiting: the invoices are the money, the PDFs can wait.
STATEMENT_SEQUENCE = 100000
# Seconds of one wake-up of a job thread after which a runner takes no new part: Odoo's time limit of a job thread
# (``limit_time_real_cron``, else ``limit_time_real``, 120 s by default) counts the whole wake-up, every call of
# every cron it runs, not one call. The rest is taken at the next wake-up, triggered at once.
RUNNER_TIME_BUDGET = 60
# Errors telling that another transaction holds or changed the rows: the chunk is tried again, nothing recorded.
CONCURRENT_ERRORS = (psycopg2.errors.LockNotAvailable, psycopg2.errors.SerializationFailure)


class EssmsJobChunk(models.Model):
    """One transaction's worth of a long job: the ids of the records it works on, its state and error."""

    _name = "essms.job.chunk"
    _description = "Job chunk"
    _order = "sequence, id"
    _check_company_auto = True

    job = fields.Selection(
        selection=[
            ("invoice", "Run invoicing"),
            ("dunning_send", "Dunning letters sending"),
            ("statement", "Nominative statements"),
        ],
        required=True,
        readonly=True,
        index=True,
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    user_id = fields.Many2one(
        "res.users", string="Requested by", readonly=True, help="The work is done with this user's rights and language."
    )
    billing_run_id = fields.Many2one(
        "essms.billing.run", string="Billing run", ondelete="cascade", index="btree_not_null", readonly=True,
        check_company=True,
    )
    dunning_run_id = fields.Many2one(
        "essms.dunning.run", string="Dunning run", ondelete="cascade", index="btree_not_null", readonly=True,
        check_company=True,
    )
    record_ids = fields.Json(readonly=True, help="The ids of the records the chunk works on.")
    record_count = fields.Integer(string="Records", readonly=True)
    sequence = fields.Integer(readonly=True)
    state = fields.Selection(
        selection=[("pending", "Pending"), ("done", "Done"), ("failed", "Failed")],
        default="pending",
        required=True,
        readonly=True,
        index=True,
    )
    attempts = fields.Integer(readonly=True)
    error = fields.Text(readonly=True)
    date_done = fields.Datetime(string="Done on", readonly=True)

    # Queueing -------------------------------------------------------------------------------------------

    @api.model
    def _queue(self, job, id_lists, **vals):
        """Create one pending chunk per list of ids, in the order given, and wake the runners up."""
        first = vals.pop("sequence", 0)
        chunks = self.sudo().create([
            dict(vals, job=job, record_ids=list(ids), record_count=len(ids), sequence=first + index,
                 user_id=self.env.uid)
            for index, ids in enumerate(id_lists)
        ])
        self._trigger_runners()
        return chunks

    @api.model
    def _trigger_runners(self):
        """Wake every runner up: each thread of each server takes one (Odoo's cron lock) and claims chunks."""
        for number in range(1, RUNNER_COUNT + 1):
            cron = self.env.ref("%s%s" % (RUNNER_CRON_PREFIX, number), raise_if_not_found=False)
            if cron and cron.sudo().active:
                cron.sudo()._trigger()

    # Runner ---------------------------------------------------------------------------------------------

    @api.model
    def _cron_run_chunks(self):
        """One call of a runner: claim a pending chunk and do it, or, with none left, close the finished jobs.

        One chunk per call: Odoo's cron commits after each call and calls again while ``remaining`` is
        notified, so each chunk is its own transaction; past ``RUNNER_TIME_BUDGET`` of the thread's wake-up the
        rest waits for the next wake-up, which stays under the thread's time limit.
        """
        awake = self._wake_up_seconds()
        if awake > RUNNER_TIME_BUDGET and (pending := self.search_count([("state", "=", "pending")])):
            # No new part in this wake-up, and the runner stays ready for the next one. Reported as partly done,
            # never as done: on "done" Odoo deletes the runner's triggers older than the start of the wake-up's
            # transaction (``_reschedule_later``), and a trigger set now is stored to the second, so in the same
            # second it is deleted too: the parts would wait for the hourly call. Partly done, Odoo leaves the
            # runner ready (``_reschedule_asap``); the trigger only wakes the job thread up again (Odoo's NOTIFY).
            _logger.info("Runner %s: %.1f s into its thread's wake-up, past the budget: %s parts left to the next",
                         self.env.context.get("cron_id"), awake, pending)
            self._wake_up_again()
            self.env["ir.cron"]._notify_progress(done=1, remaining=pending)
            return False
        started, cpu = time.perf_counter(), time.process_time()
        chunk = self._claim()
        # The jobs whose parts are all done, in this new transaction that sees every part committed before it (this
        # runner's last one, and those of the others). After the claim, the first query (its snapshot is the
        # transaction's: a part done by another runner since is skipped, not refused).
        if self._finish_jobs() and chunk:
            # A run closed is committed at once, not after the part claimed (a part of statements, of another
            # job): the part is left to the next call, which claims it again.
            self.env["ir.cron"]._notify_progress(done=1, remaining=1)
            self._wake_up_again()
            return False
        if not chunk:
            self.env["ir.cron"]._notify_progress(done=0, remaining=0)
            return False
        chunk._run()
        # One more call at least: it closes what this part finished, then claims the next part.
        remaining = self.search_count([("state", "=", "pending")])
        _logger.info("Runner %s: part %s (%s, %s records) in %.2f s, %.2f s CPU, %.1f s into the wake-up; %s left",
                     self.env.context.get("cron_id"), chunk.id, chunk.job, chunk.record_count,
                     time.perf_counter() - started, time.process_time() - cpu, awake, remaining)
        self.env["ir.cron"]._notify_progress(done=1, remaining=max(remaining, 1))
        if remaining:
            self._wake_up_again()
        return chunk

    @api.model
    def _wake_up_again(self):
        """Trigger this runner's cron: Odoo runs a cron left "partially done" again at the thread's next wake-up
        without waking it (up to a minute later); the trigger's NOTIFY wakes it up at once."""
        if cron_id := self.env.context.get("cron_id"):
            self.env["ir.cron"].sudo().browse(cron_id)._trigger()

    @api.model
    def _wake_up_seconds(self):
        """How long this job thread has been at work since Odoo woke it up (0 outside Odoo's job threads)."""
        start = getattr(threading.current_thread(), "start_time", None)
        return time.time() - start if start else 0.0

    @api.model
    def _run_pending(self):
        """Every pending chunk, one after the other in the current transaction, then close the jobs: the
        synchronous runner, for tests and scripts that cannot wait for the job threads."""
        while chunk := self._claim():
            chunk._run()
        self._finish_jobs()

    @api.model
    def _claim(self):
        """The next pending chunk, locked until this transaction ends; one locked by another runner is skipped."""
        self.env.flush_all()
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint(flush=False):
                self.env.cr.execute(SQL(
                    """
                    SELECT id FROM essms_job_chunk
                     WHERE state = 'pending'
                     ORDER BY sequence, id
                     LIMIT 1
                       FOR UPDATE SKIP LOCKED
                    """
                ))
                row = self.env.cr.fetchone()
        except CONCURRENT_ERRORS:
            # Committed by another runner after this transaction began: the next call sees it done.
            self._trigger_runners()
            return self.browse()
        return self.browse(row[0]) if row else self.browse()

    def _run(self):
        """Do the chunk's work in a savepoint; an error is the chunk's, recorded and tried again later."""
        self.ensure_one()
        chunk = self.sudo()
        user = chunk.user_id or self.env.user
        worker = chunk.with_user(user).with_company(chunk.company_id).with_context(
            lang=user.lang or self.env.lang, allowed_company_ids=[chunk.company_id.id]
        )
        try:
            with self.env.cr.savepoint():
                getattr(worker, "_run_%s" % chunk.job)()
        except CONCURRENT_ERRORS:
            # Another transaction holds or changed its records: tried again by the next call, nothing is wrong.
            _logger.info("Job chunk %s met a concurrent transaction; it is taken again", chunk.id)
            self.env.invalidate_all()
            self._trigger_runners()
            return False
        except Exception as error:  # any error of the job is the chunk's: the other chunks go on
            _logger.warning("Job chunk %s failed", chunk.id, exc_info=True)
            self.env.invalidate_all()
            chunk._record_failure(error)
            return False
        chunk.write({"state": "done", "error": False, "date_done": fields.Datetime.now()})
        return True

    def _record_failure(self, error):
        attempts = self.attempts + 1
        reason = str(error.args[0] if error.args else error) or type(error).__name__
        given_up = attempts >= MAX_ATTEMPTS
        self.write({"attempts": attempts, "error": reason, "state": "failed" if given_up else "pending"})
        siblings = [("job", "=", self.job), *self._parent_domain()]
        total = self.search_count(siblings)
        position = self.search_count([*siblings, ("sequence", "<=", self.sequence)])
        parent = self._parent().with_context(lang=(self.user_id.lang or self.env.lang))
        if given_up:
            body = parent.env._(
                "Part %(part)s of %(total)s (%(count)s records) failed %(attempts)s times and is given up: %(error)s. "
                "The other parts go on; start the job again once the cause is fixed.",
                part=position, total=total, count=self.record_count, attempts=attempts, error=reason,
            )
        else:
            body = parent.env._(
                "Part %(part)s of %(total)s (%(count)s records) failed (attempt %(attempts)s): %(error)s. It is "
                "tried again; the other parts go on.",
                part=position, total=total, count=self.record_count, attempts=attempts, error=reason,
            )
        if parent:
            parent.sudo().message_post(body=body)
        if not given_up:
            self._trigger_runners()

    def _parent(self):
        self.ensure_one()
        return self.billing_run_id or self.dunning_run_id

    def _parent_domain(self):
        if self.billing_run_id:
            return [("billing_run_id", "=", self.billing_run_id.id)]
        if self.dunning_run_id:
            return [("dunning_run_id", "=", self.dunning_run_id.id)]
        return [("id", "=", self.id)]

    # Jobs -----------------------------------------------------------------------------------------------

    def _run_invoice(self):
        self.billing_run_id._invoice_chunk(self.env["essms.billing.line"].browse(self.record_ids))

    def _run_dunning_send(self):
        self.dunning_run_id._send_chunk(self.env["essms.dunning.letter"].browse(self.record_ids))

    def _run_statement(self):
        moves = self.env["account.move"].browse(self.record_ids)
        moves._essms_attach_nominative_statements()

    @api.model
    def _finish_jobs(self):
        """Close the jobs whose chunks are all done or given up: each parent says how its job ended. Returns
        whether one was closed."""
        closed = self.env["essms.billing.run"].search([("invoicing_queued", "=", True)])._finish_invoicing()
        closed |= self.env["essms.dunning.run"].search([("state", "=", "sending")])._finish_send_chunks()
        return closed
