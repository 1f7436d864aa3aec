from odoo import fields
from odoo.tests import HttpCase
from odoo.tests import tagged
from odoo.tests.common import new_test_user

from .common import EssmsFixtureMixin


@tagged("post_install", "-at_install")
class TestOperatorDeskTour(EssmsFixtureMixin, HttpCase):
    """The operator lands on the to-do, opens a waiting item, and the lists open on their establishments
    (static/src/tours/essms_operator_desk_tour.js clicks; nothing is written)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.operator = new_test_user(
            cls.env,
            login="essms_desk_tour_operator",
            password="essms_desk_tour_operator",
            groups="essms_billing.group_essms_operator",
            lang="fr_FR",
            tz="Europe/Paris",
        )
        month = fields.Date.context_today(cls.env["essms.operator.desk"]).replace(day=1)
        mine = cls._create_establishment("Foyer Tour Mien", operator_ids=[(6, 0, cls.operator.ids)])
        theirs = cls._create_establishment("Foyer Tour Collègue")
        cls.env["essms.activity.statement"].create(
            [{"establishment_id": establishment.id, "period_start": month} for establishment in (mine, theirs)]
        )

    def test_operator_desk_tour(self):
        self.start_tour("/odoo", "essms_operator_desk_tour", login=self.operator.login)
