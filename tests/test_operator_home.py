"""The addon's users land on its first screen after logging in, not on Discuss (the first app of the menu): the
establishments on their activity statements, the operators on their month's to-do."""

from odoo.tests import TransactionCase
from odoo.tests import new_test_user
from odoo.tests import tagged

HOME = "essms_billing.essms_activity_statement_action"
DESK = "essms_billing.essms_operator_desk_action_open"


@tagged("post_install", "-at_install")
class TestOperatorHome(TransactionCase):
    def test_operators_and_establishments_land_on_the_billing_app(self):
        home, desk = self.env.ref(HOME), self.env.ref(DESK)
        operator = new_test_user(self.env, "home_operator", groups="essms_billing.group_essms_operator")
        director = new_test_user(self.env, "home_director", groups="essms_billing.group_essms_establishment")
        self.assertEqual((operator.action_id.id, director.action_id.id), (desk.id, home.id))

    def test_group_given_later_and_a_chosen_home_kept(self):
        home, desk = self.env.ref(HOME), self.env.ref(DESK)
        user = new_test_user(self.env, "home_later", groups="base.group_user")
        self.assertFalse(user.action_id)
        user.groups_id = [(4, self.env.ref("essms_billing.group_essms_establishment").id)]
        self.assertEqual(user.action_id.id, home.id)
        user.groups_id = [(4, self.env.ref("essms_billing.group_essms_operator").id)]
        self.assertEqual(user.action_id.id, desk.id, "a director made operator lands on the to-do")
        other = self.env.ref("essms_billing.essms_dunning_run_action")
        chosen = new_test_user(self.env, "home_chosen", groups="base.group_user")
        chosen.action_id = other.id
        chosen.groups_id = [(4, self.env.ref("essms_billing.group_essms_operator").id)]
        self.assertEqual(chosen.action_id.id, other.id, "a home action chosen for the user is kept")

    def test_demo_operator_lands_on_the_billing_app(self):
        operateur = self.env.ref("essms_billing_demo.user_demo_operateur", raise_if_not_found=False)
        if not operateur:
            self.skipTest("no demo data in this database")
        self.assertEqual(operateur.action_id.id, self.env.ref(DESK).id)
