from datetime import date

from odoo import Command
from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon
from odoo.tests import freeze_time
from odoo.tests import tagged
from odoo.tests.common import new_test_user

from .test_dunning import OPERATOR
from .test_public_creditor import NOTICE
from .test_public_creditor import TAKEN
from .test_public_creditor import PublicCommon


@tagged("post_install", "-at_install")
class TestSatdTour(PublicCommon, AccountTestInvoicingHttpCommon):
    """The operator issues an SATD in the web client, in French, by clicks only (static/src/tours/essms_satd_tour.js).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        debtor = cls.env["res.partner"].create({"name": "Tour Redevable", "essms_payer_kind": "resident"})
        with freeze_time(TAKEN):
            cls.tour_titre = cls._invoice(debtor, amount=480.0, due=date(2026, 1, 4))
            cls.tour_titre._essms_take_in_charge(TAKEN)
        cls.env["essms.enforcement.authorisation"].with_user(cls.officer).create(
            {"scope": "titres", "move_ids": [Command.set(cls.tour_titre.ids)], "date": NOTICE})
        bank = cls.env["essms.debtor.third.party"].create({
            "debtor_id": debtor.id, "kind": "bank", "source": "FICOBA",
            "partner_id": cls.env["res.partner"].create({"name": "Banque du Tour"}).id})
        cls.tour_operator = new_test_user(
            cls.env, login="essms_satd_tour_operator", password="essms_satd_tour_operator", groups=OPERATOR,
            company_id=cls.company.id, company_ids=[Command.set(cls.company.ids)], lang="fr_FR", tz="Europe/Paris",
        )
        cls.notice = cls.env["essms.third.party.notice"].create({
            "debtor_id": debtor.id, "third_party_id": bank.id, "move_ids": [Command.set(cls.tour_titre.ids)],
            "amount": 480.0})

    def test_operator_issues_an_satd(self):
        self.start_tour("/odoo", "essms_satd_tour", login=self.tour_operator.login)
        self.env.invalidate_all()
        self.assertEqual(self.notice.state, "issued")
        self.assertEqual(self.notice.event_id.create_uid, self.tour_operator)
        self.assertEqual(self.notice.frozen_amount, 480.0)
