"""A claim is in one open dunning run at most (recovery-rules §2): the daily job's run is the one the operator
reviews, never a second run reminding the same invoices. Invoices as in test_dunning (723.32 € due 31/01/2026)."""

from datetime import date
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import freeze_time
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from ..models import essms_dunning_run as run_module
from .test_dunning import DunningCommon

DAY = date(2026, 2, 20)


@tagged("post_install", "-at_install")
class TestDunningOpenRuns(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.startClassPatcher(patch(
            "odoo.addons.essms_billing.models.essms_dunning_letter.EssmsDunningLetter._render_document",
            autospec=True,
            side_effect=lambda letter: None,
        ))
        cls.company.partner_id.lang = "fr_FR"
        cls.move = cls._invoice(cls.martin.partner_id)

    def _job(self):
        with freeze_time(DAY):
            self.env["essms.dunning.run"].sudo()._cron_prepare_proposals()
        return self.env["essms.dunning.run"].search([("is_automatic", "=", True), ("date", "=", DAY)])

    def _screen(self):
        """The runs as the operator's menu opens them."""
        action = self.env.ref("essms_billing.essms_dunning_run_action")
        return self.env["essms.dunning.run"].with_user(self.operator).with_context(**safe_eval(action.context))

    def test_job_run_is_named_in_french(self):
        run = self._job()
        self.assertEqual(run.name, "Campagne de relance du 20/02/2026")
        self.assertTrue(run.message_ids.filtered(lambda message: "Proposition prête" in (message.body or "")),
                        run.message_ids.mapped("body"))

    def test_operator_new_run_opens_the_job_run(self):
        run = self._job()
        self.assertEqual(run.letter_ids.line_ids.move_id, self.move)
        opened = self._screen().create({"date": DAY})
        self.assertEqual(opened, run, "New on the same day opens the run the job prepared")
        self.assertEqual(self._screen().search_count([("date", "=", DAY)]), 1)
        other_day = self._screen().create({"date": date(2026, 2, 21)})
        self.assertNotEqual(other_day, run)

    def test_a_second_run_does_not_propose_a_claim_open_elsewhere(self):
        job_run = self._job()
        mine = self.env["essms.dunning.run"].with_user(self.operator).create({"date": DAY})
        mine.action_propose()
        self.assertFalse(mine.letter_ids, "the invoice waits in the job's run")
        self._deliver(job_run)
        self.assertEqual(job_run.state, "sent")
        self.assertEqual(self.move.essms_recovery_stage, "reminded")
        # Once sent, the claim is free again for a later level.
        later = self._run(date(2026, 3, 10))
        self.assertEqual(later.letter_ids.line_ids.move_id, self.move)

    def test_the_database_refuses_a_claim_in_two_open_letters(self):
        """Two transactions proposing at once do not see each other's letters: the unique index decides."""
        first = self._run(DAY)
        self.assertEqual(first.letter_ids.line_ids.move_id, self.move)
        second = self.env["essms.dunning.run"].create({"date": DAY})
        self.assertEqual(second._prepare_letter_vals_list(), [], "first already holds the claim")
        with patch.object(type(self.env["essms.dunning.letter.line"]), "_open_elsewhere",
                          lambda self, moves, run: moves.browse()):
            vals = second._prepare_letter_vals_list()
            self.assertEqual(len(vals), 1, "blind to first, as a concurrent transaction would be")
            with self.assertRaisesRegex(UserError, "another dunning run still open"):
                self.env["essms.dunning.letter"]._create_with_lines(vals)

    def test_put_back_refused_when_the_claim_went_to_another_run(self):
        first = self._run(DAY)
        letter = first.letter_ids
        letter.action_exclude()
        second = self._run(DAY)
        self.assertEqual(second.letter_ids.line_ids.move_id, self.move, "excluded: free for another run")
        with self.assertRaisesRegex(UserError, "another dunning run still open"):
            letter.action_include()
        self.assertEqual(letter.state, "excluded")

    def test_the_form_is_told_when_the_letters_are_sent(self):
        run = self._run(DAY)
        run.with_user(self.operator).action_send()
        with patch.object(type(self.env["bus.bus"]), "_sendone") as sendone:
            run._send_queued()
        self.assertEqual(run.state, "sent")
        sendone.assert_called_once_with(self.operator.partner_id, run_module.SENT_NOTIFICATION, {"run_id": run.id})
