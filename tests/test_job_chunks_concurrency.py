"""Two job runners on one run at the same time, each in its own transaction: every invoice once, none missing, every
nominative statement attached once; and a runner run by Odoo's own job processing past its time budget stays ready."""

import threading
import time
from datetime import date
from unittest.mock import patch

from odoo import SUPERUSER_ID
from odoo import Command
from odoo import api
from odoo import sql_db
from odoo.tests import BaseCase
from odoo.tests import tagged
from odoo.tests.common import get_db_name
from odoo.tools import SQL

RUN_MODULE = "odoo.addons.essms_billing.models.essms_billing_run"
PEOPLE = 6
LETTERS = 4

def run_two_runners(dbname, retry_held=False):
    """Two job threads of Odoo at once on ``dbname`` until no part is left: ``(parts done by each, errors)``.

    Each does what Odoo's job thread does: call the runner, commit, again, until it finds nothing to claim; both
    hold a part at once first (SKIP LOCKED gave them two different ones). A part that could not be done counts as
    worked, so that a part done twice shows, unless ``retry_held``: then a part whose records the other thread
    holds is left to be claimed again a moment later.
    """
    barrier = threading.Barrier(2)
    worked = ([], [])
    errors = []

    def runner(done):
        threading.current_thread().dbname = dbname
        try:
            with sql_db.db_connect(dbname).cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                first = True
                for _call in range(100):
                    chunk = env["essms.job.chunk"]._claim()
                    if not chunk:
                        env["essms.job.chunk"]._finish_jobs()
                        cr.commit()  # pylint: disable=invalid-commit  # Odoo's cron commits after each call
                        break
                    if first:
                        barrier.wait(timeout=60)
                        first = False
                    if chunk._run() or not retry_held:
                        done.append(chunk.id)
                    else:
                        time.sleep(0.2)
                    cr.commit()  # pylint: disable=invalid-commit  # Odoo's cron commits after each call
        except Exception as error:  # reported to the test's thread
            errors.append(error)

    threads = [threading.Thread(target=runner, args=(worked[index],)) for index in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    return worked, errors



@tagged("post_install", "-at_install")
class TestJobChunksConcurrency(BaseCase):
    """Needs committed data: two real connections cannot see each other's uncommitted rows.

    What the test creates is committed, then removed in ``cleanup``.
    """

    def setUp(self):
        super().setUp()
        self.dbname = get_db_name()
        self.cr = sql_db.db_connect(self.dbname).cursor()
        self.addCleanup(self.cr.close)
        env = api.Environment(self.cr, SUPERUSER_ID, {"tracking_disable": True})
        self.env = env
        departement = env["res.partner"].create({"name": "CD runners", "essms_payer_kind": "departement"})
        self.partner_ids = [departement.id]
        self.establishment_ids, self.journal_ids = [], []
        for code in ("RUNA", "RUNB"):
            journal = env["account.journal"].create(
                {"name": "Sales %s" % code, "code": code, "type": "sale", "company_id": env.company.id}
            )
            establishment = env["essms.establishment"].create(
                {"name": "Foyer %s" % code, "code": code, "company_id": env.company.id, "journal_id": journal.id}
            )
            agreement = env["essms.agreement"].create({
                "name": "%s – CD" % code,
                "establishment_id": establishment.id,
                "payer_id": departement.id,
                "date_start": date(2024, 1, 1),
            })
            env["essms.tariff"].create({"agreement_id": agreement.id, "date_from": date(2024, 1, 1), "amount": 180})
            for number in range(PEOPLE):
                resident = env["res.partner"].create({"name": "Runner resident %s %s" % (code, number)})
                self.partner_ids.append(resident.id)
                beneficiary = env["essms.beneficiary"].create(
                    {"partner_id": resident.id, "file_number": "%s-%s" % (code, number), "company_id": env.company.id}
                )
                env["essms.stay"].create(
                    {"beneficiary_id": beneficiary.id, "establishment_id": establishment.id,
                     "date_start": date(2024, 1, 1)}
                )
            statement = env["essms.activity.statement"].create(
                {"establishment_id": establishment.id, "period_start": date(2025, 7, 1)}
            )
            statement.action_submit()
            statement.action_validate()
            self.establishment_ids.append(establishment.id)
            self.journal_ids.append(journal.id)
        self.cr.commit()  # pylint: disable=invalid-commit  # the runners' connections must see the data
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        self.cr.rollback()
        params = {"est": tuple(self.establishment_ids), "partners": tuple(self.partner_ids),
                  "journals": tuple(self.journal_ids)}
        for query in (
            "DELETE FROM essms_job_chunk WHERE billing_run_id IN (SELECT essms_billing_run_id FROM "
            "essms_billing_run_essms_establishment_rel WHERE essms_establishment_id IN %(est)s)",
            "DELETE FROM essms_billing_line WHERE stay_id IN (SELECT id FROM essms_stay WHERE establishment_id IN "
            "%(est)s)",
            "WITH move AS (DELETE FROM account_move WHERE journal_id IN %(journals)s RETURNING id) "
            "DELETE FROM ir_attachment WHERE res_model = 'account.move' AND res_id IN (SELECT id FROM move)",
            "DELETE FROM mail_message WHERE model = 'essms.billing.run' AND res_id IN (SELECT "
            "essms_billing_run_id FROM essms_billing_run_essms_establishment_rel WHERE essms_establishment_id IN "
            "%(est)s)",
            "DELETE FROM essms_billing_run WHERE id IN (SELECT essms_billing_run_id FROM "
            "essms_billing_run_essms_establishment_rel WHERE essms_establishment_id IN %(est)s)",
            "DELETE FROM essms_activity_statement WHERE establishment_id IN %(est)s",
            "DELETE FROM essms_stay WHERE establishment_id IN %(est)s",
            "DELETE FROM essms_funding_decision WHERE payer_id IN %(partners)s",
            "DELETE FROM essms_beneficiary WHERE partner_id IN %(partners)s",
            "DELETE FROM essms_tariff WHERE agreement_id IN (SELECT id FROM essms_agreement WHERE establishment_id "
            "IN %(est)s)",
            "DELETE FROM essms_agreement WHERE establishment_id IN %(est)s",
            "DELETE FROM essms_establishment WHERE id IN %(est)s",
            "WITH journal AS (DELETE FROM account_journal WHERE id IN %(journals)s RETURNING alias_id) "
            "DELETE FROM mail_alias WHERE id IN (SELECT alias_id FROM journal)",
            "DELETE FROM res_partner WHERE id IN %(partners)s",
            "DELETE FROM mail_message WHERE model = 'essms.activity.statement' "
            "AND res_id NOT IN (SELECT id FROM essms_activity_statement)",
        ):
            self.cr.execute(SQL(query, **params))
        self.cr.commit()  # pylint: disable=invalid-commit  # remove what setUp committed

    def test_two_runners_invoice_a_run_once_and_completely(self):
        env = self.env
        run = env["essms.billing.run"].create(
            {"period_start": date(2025, 7, 1), "establishment_ids": [Command.set(self.establishment_ids)]}
        )
        run.action_compute()
        with patch("%s.INVOICE_CHUNK_SIZE" % RUN_MODULE, 2), patch("%s.INVOICE_QUEUE_THRESHOLD" % RUN_MODULE, 2):
            run.action_invoice()
        self.assertEqual(len(run.chunk_ids), PEOPLE, "12 invoices in parts of 2")
        self.assertFalse(run.move_ids)
        self.cr.commit()  # pylint: disable=invalid-commit  # the click's transaction ends

        worked, errors = run_two_runners(self.dbname)
        self.assertFalse(errors, errors)
        self.assertTrue(worked[0] and worked[1], "both runners invoiced parts of the run")
        self.assertFalse(set(worked[0]) & set(worked[1]), "no part done by both")
        self.assertEqual(len(worked[0]) + len(worked[1]), PEOPLE)

        self.cr.rollback()
        env.invalidate_all()
        self.cr.execute(SQL(
            """
            SELECT count(*), count(DISTINCT (partner_id, essms_beneficiary_id)),
                   count(*) FILTER (WHERE state = 'posted')
              FROM account_move WHERE essms_run_id = %s
            """,
            run.id,
        ))
        self.assertEqual(self.cr.fetchone(), (2 * PEOPLE, 2 * PEOPLE, 2 * PEOPLE),
                         "every invoice once, posted, no duplicate")
        self.assertFalse(run.line_ids.filtered(lambda line: not line.move_id), "no invoice missing")
        self.assertEqual(run.state, "invoiced")
        self.assertFalse(run.invoicing_queued)
        self.assertEqual(set(run.chunk_ids.mapped("state")), {"done"})
        closing = run.message_ids.filtered(lambda message: any(
            words in (message.body or "") for words in ("created and posted by", "créées et validées par")))
        self.assertEqual(len(closing), 1, "one runner closed the run")
        names = run.move_ids.mapped("name")
        self.assertEqual(len(set(names)), len(names), "each number given once in each journal")

    def test_two_runners_attach_each_statement_once(self):
        """Invoices made per payer get their nominative statement by parts: two runners at once, and a part queued
        twice, attach each statement once."""
        env = self.env
        departement = env["res.partner"].browse(self.partner_ids[0])
        for agreement in env["essms.agreement"].search([("establishment_id", "in", self.establishment_ids)]):
            agreement.invoice_grouping = "payer"
            for stay in env["essms.stay"].search([("establishment_id", "=", agreement.establishment_id.id)]):
                env["essms.funding.decision"].create({
                    "beneficiary_id": stay.beneficiary_id.id, "payer_id": departement.id,
                    "agreement_id": agreement.id, "state": "granted", "contribution_mode": "net_billing",
                    "contribution_monthly": 400, "reference": "DEC-RUN-%s" % stay.id,
                    "date_filed": date(2024, 1, 1), "date_decision": date(2024, 1, 1), "date_effect": date(2024, 1, 1),
                })
        run = env["essms.billing.run"].create(
            {"period_start": date(2025, 7, 1), "establishment_ids": [Command.set(self.establishment_ids)]}
        )
        run.action_compute()
        runner = env["essms.job.chunk"]
        with patch("%s.INVOICE_QUEUE_THRESHOLD" % RUN_MODULE, 2), patch("%s.STATEMENT_CHUNK_SIZE" % RUN_MODULE, 1):
            run.action_invoice()
            while (chunk := runner._claim()) and chunk.job == "invoice":
                chunk._run()
        runner._finish_jobs()
        grouped = run.move_ids.filtered(lambda move: not move.essms_beneficiary_id)
        self.assertEqual(len(grouped), 2, "one invoice to the département per establishment")
        statements = run.chunk_ids.filtered(lambda chunk: chunk.job == "statement")
        self.assertEqual(len(statements), 2)
        statements[0].copy()  # queued twice (a part taken again after its runner died does the same)
        self.assertFalse(grouped.essms_statement_id)
        self.cr.commit()  # pylint: disable=invalid-commit  # the runners' connections must see the invoices

        worked, errors = run_two_runners(self.dbname)
        self.assertFalse(errors, errors)
        self.assertTrue(worked[0] and worked[1], "both runners attached statements")
        self.assertFalse(set(worked[0]) & set(worked[1]), "no part done by both")
        self.assertEqual(len(worked[0]) + len(worked[1]), 3)

        self.cr.rollback()
        env.invalidate_all()
        for move in grouped:
            attachments = env["ir.attachment"].search(
                [("res_model", "=", "account.move"), ("res_id", "=", move.id)])
            self.assertEqual(len(attachments), 1, "%s: its statement attached once" % move.name)
            self.assertEqual(move.essms_statement_id, attachments)
            self.assertTrue(attachments.raw.startswith(b"%PDF"))
        self.assertEqual(set(run.chunk_ids.mapped("state")), {"done"})

    def test_runner_past_its_budget_is_left_ready(self):
        """Run by Odoo's own job processing (``_process_job``: the calls, the commits, the rescheduling) late in its
        thread's wake-up, the runner takes no part and is left ready: Odoo deletes the triggers of a job it
        considers done, so the parts would wait for the runner's hourly call. A new wake-up invoices the run."""
        env = self.env
        run = env["essms.billing.run"].create(
            {"period_start": date(2025, 7, 1), "establishment_ids": [Command.set(self.establishment_ids)]}
        )
        run.action_compute()
        with patch("%s.INVOICE_CHUNK_SIZE" % RUN_MODULE, 4), patch("%s.INVOICE_QUEUE_THRESHOLD" % RUN_MODULE, 2):
            run.action_invoice()
        self.assertEqual(len(run.chunk_ids), 4, "6 invoices per establishment in parts of 4: 2 parts each")
        cron = env.ref("essms_billing.ir_cron_essms_job_runner_1")
        self.cr.commit()  # pylint: disable=invalid-commit  # the click's transaction ends: the runners are triggered

        ir_cron = env.registry["ir.cron"]
        database = sql_db.db_connect(self.dbname)
        thread = threading.current_thread()
        thread.dbname = self.dbname
        self.addCleanup(delattr, thread, "dbname")

        def process():
            """What Odoo's job thread does with the runner once it finds it ready."""
            with database.cursor() as cron_cr:
                job = ir_cron._acquire_one_job(cron_cr, cron.id)
                self.assertTrue(job, "the runner is ready")
                ir_cron._process_job(database, cron_cr, job)

        thread.start_time = time.time() - 61
        try:
            process()
        finally:
            thread.start_time = None
        env.invalidate_all()
        self.assertEqual(set(run.chunk_ids.mapped("state")), {"pending"}, "no part started late in a wake-up")
        with database.cursor() as cr:
            ready = [job["id"] for job in ir_cron._get_all_ready_jobs(cr)]
        self.assertIn(cron.id, ready, "the runner is left ready for the next wake-up")

        process()  # the next wake-up
        self.cr.rollback()
        env.invalidate_all()
        self.assertEqual(set(run.chunk_ids.mapped("state")), {"done"})
        self.assertEqual(run.state, "invoiced")
        self.assertEqual(len(run.move_ids), 2 * PEOPLE)


@tagged("post_install", "-at_install")
class TestDunningSendConcurrency(BaseCase):
    """Two job runners sending the parts of one dunning run at once, a part queued twice: each letter printed and
    sent once, the run closed once. Committed data, removed in ``_cleanup``."""

    def setUp(self):
        super().setUp()
        self.dbname = get_db_name()
        self.cr = sql_db.db_connect(self.dbname).cursor()
        self.addCleanup(self.cr.close)
        env = api.Environment(self.cr, SUPERUSER_ID, {"tracking_disable": True})
        self.env = env
        self.journal = env["account.journal"].create(
            {"name": "Sales DUNA", "code": "DUNA", "type": "sale", "company_id": env.company.id}
        )
        self.partners = env["res.partner"].create([{
            "name": "Dunning runner resident %s" % number, "essms_payer_kind": "resident",
            "street": "1 rue des Lilas", "zip": "6600%s" % number, "city": "Perpignan",
        } for number in range(LETTERS)])
        income = env["account.account"].search(
            [("company_ids", "in", env.company.id), ("account_type", "=", "income")], limit=1)
        self.moves = env["account.move"].create([{
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "journal_id": self.journal.id,
            "invoice_date": date(2025, 1, 15),
            "invoice_date_due": date(2025, 1, 15),
            "invoice_line_ids": [Command.create({
                "name": "Contribution", "price_unit": 120.0, "tax_ids": [], "account_id": income.id,
            })],
        } for partner in self.partners])
        self.moves.action_post()
        self.run = env["essms.dunning.run"].create({"date": date(2025, 3, 3)})
        self.cr.commit()  # pylint: disable=invalid-commit  # the runners' connections must see the data
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        self.cr.rollback()
        params = {"run": self.run.id, "moves": tuple(self.moves.ids), "partners": tuple(self.partners.ids),
                  "journal": self.journal.id}
        for query in (
            "DELETE FROM essms_job_chunk WHERE dunning_run_id = %(run)s",
            "DELETE FROM ir_attachment WHERE (res_model = 'essms.dunning.run' AND res_id = %(run)s) OR "
            "(res_model = 'essms.dunning.letter' AND res_id IN (SELECT id FROM essms_dunning_letter "
            "WHERE run_id = %(run)s))",
            "DELETE FROM mail_message WHERE (model = 'essms.dunning.run' AND res_id = %(run)s) OR (model = "
            "'account.move' AND res_id IN %(moves)s) OR (model = 'res.partner' AND res_id IN %(partners)s) OR "
            "(model = 'essms.dunning.letter' AND res_id IN (SELECT id FROM essms_dunning_letter "
            "WHERE run_id = %(run)s))",
            "DELETE FROM essms_dunning_letter_line WHERE move_id IN %(moves)s",
            "DELETE FROM essms_dunning_run WHERE id = %(run)s",
            "DELETE FROM account_move WHERE id IN %(moves)s",
            "WITH journal AS (DELETE FROM account_journal WHERE id = %(journal)s RETURNING alias_id) "
            "DELETE FROM mail_alias WHERE id IN (SELECT alias_id FROM journal)",
            "DELETE FROM res_partner WHERE id IN %(partners)s",
        ):
            self.cr.execute(SQL(query, **params))
        self.cr.commit()  # pylint: disable=invalid-commit  # remove what setUp committed

    def test_two_runners_send_each_letter_once(self):
        env = self.env
        run = self.run
        run.action_propose()
        self.assertEqual(len(run.letter_ids), LETTERS)
        with patch("odoo.addons.essms_billing.models.essms_dunning_run.SEND_CHUNK_SIZE", 1):
            run.action_send()
        chunks = run.env["essms.job.chunk"].sudo().search([("dunning_run_id", "=", run.id)])
        self.assertEqual(len(chunks), LETTERS, "one letter per part")
        chunks[:1].copy()  # queued twice (a part taken again after its runner died does the same)
        self.cr.commit()  # pylint: disable=invalid-commit  # the click's transaction ends

        # A part whose letter the other runner is sending (the part queued twice) is taken again later.
        worked, errors = run_two_runners(self.dbname, retry_held=True)
        self.assertFalse(errors, errors)
        self.assertTrue(worked[0] and worked[1], "both runners sent parts")
        self.assertFalse(set(worked[0]) & set(worked[1]), "no part done by both")
        self.assertEqual(len(worked[0]) + len(worked[1]), LETTERS + 1)

        self.cr.rollback()
        env.invalidate_all()
        self.assertEqual(run.letter_ids.mapped("state"), ["sent"] * LETTERS)
        self.assertEqual(run.state, "sent")
        for letter in run.letter_ids:
            attachments = env["ir.attachment"].search_count(
                [("res_model", "=", "essms.dunning.letter"), ("res_id", "=", letter.id)])
            self.assertEqual(attachments, 1, "each letter printed once")
        self.assertEqual(len(self.moves.mapped("essms_dunning_level_id")), 1, "each claim reminded at one level")
        self.assertTrue(run.batch_attachment_id.raw.startswith(b"%PDF"), "the letters to print, gathered once")
        closing = run.message_ids.filtered(lambda message: any(
            words in (message.body or "") for words in ("letters sent, 0 in error", "lettres envoyées, 0 en erreur")))
        self.assertEqual(len(closing), 1, "one runner closed the run")
