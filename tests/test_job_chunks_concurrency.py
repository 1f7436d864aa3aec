"""Two job runners on one run at the same time, each in its own transaction: every invoice once, none missing."""

import threading
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
            "DELETE FROM account_move WHERE journal_id IN %(journals)s",
            "DELETE FROM mail_message WHERE model = 'essms.billing.run' AND res_id IN (SELECT "
            "essms_billing_run_id FROM essms_billing_run_essms_establishment_rel WHERE essms_establishment_id IN "
            "%(est)s)",
            "DELETE FROM essms_billing_run WHERE id IN (SELECT essms_billing_run_id FROM "
            "essms_billing_run_essms_establishment_rel WHERE essms_establishment_id IN %(est)s)",
            "DELETE FROM essms_activity_statement WHERE establishment_id IN %(est)s",
            "DELETE FROM essms_stay WHERE establishment_id IN %(est)s",
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

    def _runner(self, worked, errors, barrier):
        """What one job thread of Odoo does: call the runner, commit, again, until it finds nothing to claim."""
        threading.current_thread().dbname = self.dbname
        try:
            with sql_db.db_connect(self.dbname).cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                first = True
                for _call in range(100):
                    chunk = env["essms.job.chunk"]._claim()
                    if not chunk:
                        env["essms.job.chunk"]._finish_jobs()
                        cr.commit()  # pylint: disable=invalid-commit  # Odoo's cron commits after each call
                        break
                    if first:
                        # Both runners hold a part at once: SKIP LOCKED gave them two different ones.
                        barrier.wait(timeout=60)
                        first = False
                    chunk._run()
                    worked.append(chunk.id)
                    cr.commit()  # pylint: disable=invalid-commit  # Odoo's cron commits after each call
        except Exception as error:  # reported to the test's thread
            errors.append(error)

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

        barrier = threading.Barrier(2)
        worked = ([], [])
        errors = []
        threads = [threading.Thread(target=self._runner, args=(worked[index], errors, barrier)) for index in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=600)
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
