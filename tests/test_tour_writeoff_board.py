from odoo import Command
from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon
from odoo.tests import tagged
from odoo.tests.common import new_test_user

from .test_approval import MANAGER
from .test_dunning import OPERATOR
from .test_writeoff import WriteoffCommon


@tagged("post_install", "-at_install")
class TestWriteoffBoardTour(WriteoffCommon, AccountTestInvoicingHttpCommon):
    """Clicks only, in French (static/src/tours/essms_writeoff_board_tour.js): the operator submits a write-off; the
    finance director approves it, records the board's decision from the board list and posts the entry."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        debtor = cls._create_payer("Débiteur Tour", kind="family")
        cls.claim = cls._invoice(debtor, amount=318.40)
        cls.writeoff = cls.env["essms.writeoff"].create({
            "partner_id": debtor.id, "reason": "insolvent", "reason_note": "Adresse inconnue, courriers revenus.",
            "line_ids": [Command.create({"move_id": cls.claim.id, "amount": 318.40})],
        })

        def user(login, groups):
            return new_test_user(cls.env, login=login, password=login, groups=groups, company_id=cls.company.id,
                                 company_ids=[Command.set(cls.company.ids)], lang="fr_FR", tz="Europe/Paris")

        cls.tour_operator = user("essms_writeoff_tour_operator", OPERATOR)
        cls.tour_director = user("essms_writeoff_tour_director", MANAGER)

    def test_operator_proposes_director_approves_board_decides_director_posts(self):
        self.start_tour("/odoo", "essms_writeoff_propose_tour", login=self.tour_operator.login)
        self.env.invalidate_all()
        self.assertEqual((self.writeoff.state, self.writeoff.proposed_by_id), ("to_approve", self.tour_operator))
        self.start_tour("/odoo", "essms_writeoff_board_tour", login=self.tour_director.login)
        self.env.invalidate_all()
        self.assertEqual(self.writeoff.state, "posted")
        self.assertEqual(self.writeoff.approved_by_id, self.tour_director)
        self.assertEqual(self.writeoff.board_reference, "CA 2026-TOUR")
        self.assertTrue(self.claim.currency_id.is_zero(self.claim.amount_residual), "the invoice is settled")
        self.assertEqual(self.claim.essms_recovery_stage, "written_off")
