import io
from datetime import timedelta

from odoo import Command
from odoo import fields
from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon
from odoo.tests import tagged
from odoo.tests.common import new_test_user
from odoo.tools.pdf import OdooPdfFileReader

from .test_dunning import OPERATOR
from .test_dunning import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningTour(DunningCommon, AccountTestInvoicingHttpCommon):
    """The operator reviews a dunning proposal in the web client, in French, excludes a debtor, sends, and then
    finds the letters sent and the letters to print.

    The first tour (static/src/tours/essms_dunning_tour.js) proposes, excludes and sends: the click only queues
    the letters. This test then runs the sending job as the server would, and the second tour checks what the
    operator sees afterwards; the test checks what was really sent and printed.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        # Three residents, each with a month of contribution due twenty days ago: the simple reminder is due.
        due = fields.Date.context_today(cls.env["essms.dunning.run"]) - timedelta(days=20)
        cls.people = {}
        cls.moves = {}
        for name, zip_code, city in (
            ("Tour Jeanne Martin", "66100", "Perpignan"),
            ("Tour Luis Garcia", "11000", "Carcassonne"),
            ("Tour Paul Petit", "66300", "Thuir"),
        ):
            person = cls._resident(name, zip_code, city)
            cls.people[name] = person
            cls.moves[name] = cls._invoice(person.partner_id, due=due)
        cls.tour_operator = new_test_user(
            cls.env,
            login="essms_dunning_tour_operator",
            password="essms_dunning_tour_operator",
            groups=OPERATOR,
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
            lang="fr_FR",
            tz="Europe/Paris",
        )

    def _pdf_text(self, attachment):
        reader = OdooPdfFileReader(io.BytesIO(attachment.raw), strict=False)
        return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)

    def test_operator_reviews_excludes_sends_and_prints(self):
        self.start_tour("/odoo", "essms_dunning_tour", login=self.tour_operator.login)

        self.env.invalidate_all()
        run = self.env["essms.dunning.run"].search([("create_uid", "=", self.tour_operator.id)])
        self.assertEqual(len(run), 1, "The tour should have created one dunning run.")
        self.assertEqual(run.state, "sending", "The click queues the letters and returns.")
        letters = {letter.partner_id.name: letter for letter in run.letter_ids}
        self.assertEqual(sorted(letters), ["Tour Jeanne Martin", "Tour Luis Garcia", "Tour Paul Petit"])
        self.assertEqual(letters["Tour Paul Petit"].state, "excluded")
        self.assertEqual(letters["Tour Paul Petit"].exclusion_reason, "operator")
        self.assertEqual({letters[name].state for name in ("Tour Jeanne Martin", "Tour Luis Garcia")}, {"queued"})

        # What the server's job does once the click is committed.
        self.env.ref("essms_billing.ir_cron_essms_dunning_send").method_direct_trigger()
        self.env.invalidate_all()
        self.assertEqual(run.state, "sent")

        self.start_tour("/odoo", "essms_dunning_tour_sent", login=self.tour_operator.login)

        for name in ("Tour Jeanne Martin", "Tour Luis Garcia"):
            self.assertEqual(letters[name].state, "sent")
            self.assertEqual(self.moves[name].essms_recovery_stage, "reminded")
        self.assertFalse(letters["Tour Paul Petit"].attachment_id)
        self.assertFalse(self.moves["Tour Paul Petit"].essms_recovery_stage)
        text = self._pdf_text(run.batch_attachment_id)
        self.assertNotIn("Tour Paul Petit", text)
        self.assertLess(text.index("Tour Luis Garcia"), text.index("Tour Jeanne Martin"), "11000 before 66100")
        logged = self.people["Tour Luis Garcia"].partner_id.message_ids.filtered(
            lambda message: run.name in (message.body or "")
        )
        self.assertEqual(logged.author_id, self.tour_operator.partner_id)
        self.assertTrue(run.batch_attachment_id.name.startswith("Courriers"), "named in the operator's language")
