"""Long jobs in parts for the job runners: a run's invoicing queued, done part after part, never twice.

The parts are processed here synchronously (``_run_pending``, the runner's method in a loop); two runners at
once, each in its own transaction, are in ``test_job_chunks_concurrency``.
"""

import threading
import time
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .billing_common import BillingCommon

JULY = date(2025, 7, 1)
RUN_MODULE = "odoo.addons.essms_billing.models.essms_billing_run"


@tagged("post_install", "-at_install")
class TestJobChunks(BillingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.second = cls._create_establishment("FAM", "FAM Le Canigou")
        cls.stays = cls.env["essms.stay"]
        for establishment in cls.establishment | cls.second:
            for number in range(4):
                cls.stays |= cls._create_resident("R%s-%s" % (establishment.code, number), establishment)
            cls._validated_statement(establishment, JULY)

    def _computed_run(self):
        run = self._run(self.establishment | self.second, JULY)
        run.action_compute()
        return run

    def _queue(self, run):
        """Invoice ``run`` with parts of 3 invoices: 16 invoices (a département's and a resident's per person)."""
        with patch("%s.INVOICE_CHUNK_SIZE" % RUN_MODULE, 3), patch("%s.INVOICE_QUEUE_THRESHOLD" % RUN_MODULE, 3):
            run.action_invoice()
        return run.chunk_ids.filtered(lambda chunk: chunk.job == "invoice")

    def _victim(self, run, chunks, position=3):
        """A beneficiary whose invoices are all in the part at ``position`` (the parts in their order, from 1): the
        person a failure is made for, so that only that part fails."""
        part = self.env["essms.billing.line"].browse(chunks.sorted("sequence")[position - 1].record_ids)
        to_bill = run._get_lines_to_bill()
        victim = part.beneficiary_id.filtered(
            lambda beneficiary: to_bill.filtered(lambda line: line.beneficiary_id == beneficiary) <= part
        )[:1]
        self.assertTrue(victim, "a part of 3 invoices holds both invoices of someone")
        return victim

    def _assert_billed_once(self, run):
        lines = run._get_lines_to_bill() | run.line_ids.filtered("move_id")
        self.assertEqual(len(run.line_ids.filtered("move_id")), len(lines), "every line invoiced")
        self.assertEqual(len(run.move_ids), 16, "one invoice per payer and beneficiary, none twice")
        keys = [(move.partner_id, move.essms_beneficiary_id) for move in run.move_ids]
        self.assertEqual(len(set(keys)), len(keys))
        self.assertEqual(set(run.move_ids.mapped("state")), {"posted"})

    @freeze_time("2025-08-05")
    def test_queued_run_is_invoiced_part_after_part_once(self):
        run = self._computed_run()
        chunks = self._queue(run)
        self.assertEqual(len(chunks), 6, "8 invoices per establishment in parts of 3: 3 parts each")
        self.assertFalse(run.move_ids, "the click queues, the runners invoice")
        self.assertTrue(run.invoicing_queued)
        self.assertEqual((run.chunk_done, run.chunk_total), (0, 6))
        self.assertRegex(run.message_ids[0].body, "16 (invoices|factures) (in|en) 6 (parts|lots)")
        journals = [self.env["essms.billing.line"].browse(chunk.record_ids).establishment_id.journal_id
                    for chunk in chunks.sorted("sequence")]
        self.assertNotEqual(journals[0], journals[1], "parts alternate between journals: runners do not wait")
        with self.assertRaisesRegex(UserError, "(being invoiced by|en cours de facturation par)"):
            run.action_invoice()
        # A part queued twice (or taken again after its runner died) bills nothing twice.
        chunks[:2].sudo().copy()
        self.env["essms.job.chunk"]._run_pending()
        self._assert_billed_once(run)
        self.assertEqual(run.state, "invoiced")
        self.assertFalse(run.invoicing_queued)
        self.assertEqual(set(run.chunk_ids.mapped("state")), {"done"})
        self.assertIn("16 factures créées et validées par les tâches planifiées", run.message_ids[0].body)

    @freeze_time("2025-08-05")
    def test_failing_part_is_retried_and_told_on_the_run(self):
        run = self._computed_run()
        chunks = self._queue(run)
        victim = self._victim(run, chunks)
        prepare = type(run)._prepare_invoice_vals
        failures = []

        def flaky(self, key, lines):
            if key[3] == victim and not failures:
                failures.append(key)
                raise ValueError("The PDF engine is down")
            return prepare(self, key, lines)

        with patch.object(type(run), "_prepare_invoice_vals", flaky):
            self.env["essms.job.chunk"]._run_pending()
        self._assert_billed_once(run)
        self.assertEqual(run.state, "invoiced")
        failed = chunks.filtered("attempts")
        self.assertEqual(len(failed), 1, "only the part of that person failed")
        self.assertEqual((failed.state, failed.attempts), ("done", 1), "tried again, then done")
        told = run.message_ids.filtered(lambda message: "The PDF engine is down" in (message.body or ""))
        self.assertEqual(len(told), 1)
        self.assertIn("Le lot 3 sur 6 (3 enregistrements) a échoué (tentative 1)", told.body)

    @freeze_time("2025-08-05")
    def test_part_failing_every_time_is_given_up_and_the_rest_invoiced(self):
        run = self._computed_run()
        chunks = self._queue(run)
        victim = self._victim(run, chunks)
        prepare = type(run)._prepare_invoice_vals

        def broken(self, key, lines):
            if key[3] == victim:
                raise ValueError("No address for %s" % victim.name)
            return prepare(self, key, lines)

        with patch.object(type(run), "_prepare_invoice_vals", broken):
            self.env["essms.job.chunk"]._run_pending()
        failed = chunks.filtered(lambda chunk: chunk.state == "failed")
        self.assertEqual((len(failed), failed.attempts), (1, 3))
        self.assertEqual(len(chunks.filtered(lambda chunk: chunk.state == "done")), 5, "the other parts are done")
        self.assertEqual(len(run.move_ids), 16 - failed.record_count)
        self.assertEqual((run.state, run.invoicing_queued), ("computed", False), "back to the operator")
        self.assertIn("a échoué 3 fois et est abandonné", run.message_ids[1].body)
        self.assertIn("lignes non facturées", run.message_ids[0].body)
        # The cause fixed, the operator clicks again: the rest (one part) is invoiced at once.
        run.action_invoice()
        self._assert_billed_once(run)
        self.assertEqual(run.state, "invoiced")

    @freeze_time("2025-08-05")
    def test_runner_takes_no_part_late_in_its_thread_wake_up(self):
        """Odoo's time limit counts a job thread's whole wake-up: past the budget, the part is left for the next one
        (the runners are triggered again), not started to be killed halfway."""
        run = self._computed_run()
        chunks = self._queue(run)
        cron, progress = self.env.ref("essms_billing.ir_cron_essms_job_runner_1")._add_progress()
        runner = self.env["essms.job.chunk"].with_context(cron_id=cron.id, ir_cron_progress_id=progress.id)
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        thread = threading.current_thread()
        thread.start_time = time.time() - 61
        try:
            self.assertFalse(runner._cron_run_chunks())
        finally:
            del thread.start_time
        self.assertEqual(set(chunks.mapped("state")), {"pending"}, "nothing started")
        # Partly done for Odoo, which then leaves the runner ready (done, it would delete its triggers).
        self.assertEqual((progress.done, progress.remaining), (1, 6))
        self.assertGreater(self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers,
                           "the job thread woken up again")
        self.assertEqual(runner._cron_run_chunks(), chunks.sorted("sequence")[0], "a new wake-up takes the next part")

    @freeze_time("2025-08-05")
    def test_small_run_is_invoiced_in_the_click(self):
        run = self._computed_run()
        run.action_invoice()
        self.assertEqual(run.state, "invoiced")
        self.assertFalse(run.chunk_ids, "one part: no job, the invoices are there at once")
        self._assert_billed_once(run)

    @freeze_time("2025-08-05")
    def test_statements_of_grouped_invoices_are_attached_by_parts(self):
        self.second.agreement_ids.invoice_grouping = "payer"
        run = self._computed_run()
        self._queue(run)
        runner = self.env["essms.job.chunk"]
        with patch.object(type(runner), "_finish_jobs", lambda self: None):
            while chunk := runner._claim():
                if chunk.job == "statement":
                    break
                chunk._run()
        grouped = run.move_ids.filtered(lambda move: not move.essms_beneficiary_id)
        self.assertEqual(len(grouped), 1, "one invoice to the département for the FAM")
        statement_chunk = run.chunk_ids.filtered(lambda chunk: chunk.job == "statement")
        self.assertEqual(statement_chunk.record_ids, grouped.ids)
        self.assertFalse(grouped.essms_statement_id)
        runner._run_pending()
        self.assertTrue(grouped.essms_statement_id.raw.startswith(b"%PDF"))
        self.assertEqual(statement_chunk.state, "done")
        self.assertEqual(run.state, "invoiced")
        # Done again (by the daily job, or a part taken twice): not attached twice.
        attachments = self.env["ir.attachment"].search_count([("res_model", "=", "account.move"),
                                                              ("res_id", "=", grouped.id)])
        grouped._essms_attach_nominative_statements()
        statement_chunk.sudo().copy()
        runner._run_pending()
        self.assertEqual(self.env["ir.attachment"].search_count([("res_model", "=", "account.move"),
                                                                 ("res_id", "=", grouped.id)]), attachments)

    @freeze_time("2025-08-05")
    def test_run_is_closed_before_its_statements_are_rendered(self):
        """The runner's call that finds the run's invoice parts all done commits the run's closing at once; the part
        of statements it claimed is left to its next call, not rendered (slowly) before the closing is seen."""
        self.second.agreement_ids.invoice_grouping = "payer"
        run = self._computed_run()
        self._queue(run)
        runner = self.env["essms.job.chunk"]
        done = self.env["essms.job.chunk"]
        while chunk := runner._cron_run_chunks():
            done |= chunk
        self.assertEqual(set(done.mapped("job")), {"invoice"}, "the invoice parts, one per call")
        self.assertEqual(run.state, "invoiced", "closed by the call after its last invoice part")
        statement_chunk = run.chunk_ids.filtered(lambda chunk: chunk.job == "statement")
        self.assertEqual(statement_chunk.state, "pending")
        self.assertEqual(runner._cron_run_chunks(), statement_chunk, "the next call renders the statements")
        self.assertTrue(run.move_ids.filtered(lambda move: not move.essms_beneficiary_id).essms_statement_id)
