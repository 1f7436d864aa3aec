"""The addon's users land on its first screen after logging in, not on Discuss (the first app of the menu)."""

from odoo.tests import TransactionCase
from odoo.tests import new_test_user
from odoo.tests import tagged

HOME = "essms_billing.essms_activity_statement_action"


@tagged("post_install", "-at_install")
class TestOperatorHome(TransactionCase):
    def test_operators_and_establishments_land_on_the_billing_app(self):
        home = self.env.ref(HOME)
        operator = new_test_user(self.env, "home_operator", groups="essms_billing.group_essms_operator")
        director = new_test_user(self.env, "home_director", groups="essms_billing.group_essms_establishment")
        self.assertEqual((operator.action_id.id, director.action_id.id), (home.id, home.id))

    def test_group_given_later_and_a_chosen_home_kept(self):
        home = self.env.ref(HOME)
        user = new_test_user(self.env, "home_later", groups="base.group_user")
        self.assertFalse(user.action_id)
        user.groups_id = [(4, self.env.ref("essms_billing.group_essms_operator").id)]
        self.assertEqual(user.action_id.id, home.id)
        other = self.env.ref("essms_billing.essms_dunning_run_action")
        chosen = new_test_user(self.env, "home_chosen", groups="base.group_user")
        chosen.action_id = other.id
        chosen.groups_id = [(4, self.env.ref("essms_billing.group_essms_operator").id)]
        self.assertEqual(chosen.action_id.id, other.id, "a home action chosen for the user is kept")

    def test_demo_operator_lands_on_the_billing_app(self):
        operateur = self.env.ref("essms_billing.user_demo_operateur", raise_if_not_found=False)
        if not operateur:
            self.skipTest("no demo data in this database")
        self.assertEqual(operateur.action_id.id, self.env.ref(HOME).id)
