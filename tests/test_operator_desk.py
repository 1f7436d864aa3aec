"""The operator's desk: the establishments they answer for (their portfolio) and the lists filtered on them."""

from datetime import date

from odoo.exceptions import AccessError
from odoo.tests import new_test_user
from odoo.tests import tagged

from .common import EssmsReferentialCase

# The lists the operator works in: each opens on "My establishments" (a removable filter of its search view).
PORTFOLIO_ACTIONS = {
    "essms_billing.essms_activity_statement_action": "essms.activity.statement",
    "essms_billing.essms_billing_run_action": "essms.billing.run",
    "essms_billing.account_move_action_essms_invoices": "account.move",
    "essms_billing.account_move_action_overdue": "account.move",
    "essms_billing.essms_remittance_action": "essms.remittance",
    "essms_billing.essms_remittance_line_action_suspense": "essms.remittance.line",
    "essms_billing.essms_dunning_letter_action": "essms.dunning.letter",
    "essms_billing.essms_recovery_hold_action": "essms.recovery.hold",
    "essms_billing.essms_payment_plan_action": "essms.payment.plan",
    "essms_billing.essms_promise_action": "essms.promise",
    "essms_billing.essms_funding_decision_action_pending": "essms.funding.decision",
}
MY = [("essms_my_establishments", "=", True)]


@tagged("post_install", "-at_install")
class TestOperatorPortfolio(EssmsReferentialCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator = new_test_user(cls.env, "desk_operator", groups="essms_billing.group_essms_operator")
        cls.colleague = new_test_user(cls.env, "desk_colleague", groups="essms_billing.group_essms_operator")
        cls.director = new_test_user(cls.env, "desk_director", groups="essms_billing.group_essms_establishment")
        cls.other = cls._create_establishment("Foyer d'hébergement Le Canigou", code="CAN", users=cls.director)
        cls.establishment.operator_ids = cls.operator
        month = date(2026, 10, 1)
        Statement = cls.env["essms.activity.statement"]
        cls.mine = Statement.create({"establishment_id": cls.establishment.id, "period_start": month})
        cls.theirs = Statement.create({"establishment_id": cls.other.id, "period_start": month})
        ours = cls._create_beneficiary("Léa Durand")
        cls._create_stay(ours, cls.establishment, date(2026, 1, 1))
        theirs = cls._create_beneficiary("Karim Boyer")
        cls._create_stay(theirs, cls.other, date(2026, 1, 1))
        cls.decision_mine = cls._create_decision(ours, agreement=cls.agreement)
        cls.decision_theirs = cls._create_decision(theirs, payer=cls.payer)
        cls.invoice_mine, cls.invoice_theirs = cls.env["account.move"].create(
            [
                {"move_type": "out_invoice", "partner_id": cls.payer.id, "essms_establishment_id": establishment.id}
                for establishment in (cls.establishment, cls.other)
            ]
        )

    def test_lists_open_on_my_establishments(self):
        for xmlid, model in PORTFOLIO_ACTIONS.items():
            action = self.env.ref(xmlid)
            self.assertEqual(action.res_model, model)
            self.assertIn("'search_default_my_establishments': 1", action.context, xmlid)
            # The filter exists in the search view the action opens with (else the client ignores the default).
            search_view = action.search_view_id or self.env["ir.ui.view"].search(
                [("model", "=", model), ("type", "=", "search"), ("mode", "=", "primary")], limit=1
            )
            arch = search_view.with_context(lang="en_US").get_combined_arch()
            self.assertIn('name="my_establishments"', arch, xmlid)
            # And its domain reads, as the operator, whatever the model.
            self.env[model].with_user(self.operator).search_count(MY)
        self.assertEqual(
            self.env.ref("essms_billing.menu_essms_billing_invoices").action,
            self.env.ref("essms_billing.account_move_action_essms_invoices"),
        )

    def test_filter_keeps_my_establishments_only(self):
        Statement = self.env["essms.activity.statement"].with_user(self.operator)
        statements = self.mine | self.theirs
        self.assertEqual(Statement.search([("id", "in", statements.ids), *MY]), self.mine)
        self.assertEqual(Statement.search([("id", "in", statements.ids)]), statements, "the filter is removable")
        self.assertEqual(
            Statement.search([("id", "in", statements.ids), ("essms_my_establishments", "=", False)]), self.theirs
        )
        Decision = self.env["essms.funding.decision"].with_user(self.operator)
        decisions = self.decision_mine | self.decision_theirs
        self.assertEqual(Decision.search([("id", "in", decisions.ids), *MY]), self.decision_mine)
        Move = self.env["account.move"].with_user(self.operator)
        invoices = self.invoice_mine | self.invoice_theirs
        self.assertEqual(Move.search([("id", "in", invoices.ids), *MY]), self.invoice_mine)
        self.assertEqual(self.mine.with_user(self.operator).essms_my_establishments, True)
        self.assertEqual(self.theirs.with_user(self.operator).essms_my_establishments, False)

    def test_no_portfolio_sees_everything(self):
        Statement = self.env["essms.activity.statement"].with_user(self.colleague)
        statements = self.mine | self.theirs
        self.assertEqual(Statement.search([("id", "in", statements.ids), *MY]), statements)

    def test_cover_a_colleague_without_new_rights(self):
        """An absence is covered by adding the colleague's establishment to one's portfolio; an establishment
        user has no portfolio and cannot give themselves one."""
        self.establishment.with_user(self.colleague).action_portfolio_add()
        self.assertEqual(self.establishment.operator_ids, self.operator | self.colleague)
        self.assertTrue(self.establishment.with_user(self.colleague).in_my_portfolio)
        Statement = self.env["essms.activity.statement"].with_user(self.colleague)
        self.assertEqual(Statement.search([("id", "in", (self.mine | self.theirs).ids), *MY]), self.mine)
        self.establishment.with_user(self.colleague).action_portfolio_remove()
        self.assertEqual(self.establishment.operator_ids, self.operator)
        with self.assertRaises(AccessError):
            self.other.with_user(self.director).action_portfolio_add()
        self.assertFalse(self.other.operator_ids)

    # The month's to-do ---------------------------------------------------------------------------------------

    def _desk(self, user):
        desk = self.env["essms.operator.desk"].with_user(user).create({"period_start": date(2026, 10, 1)})
        desk._refresh()
        return desk

    def _line(self, desk, establishment):
        return desk.line_ids.filtered(lambda line: line.establishment_id == establishment)

    def test_desk_counts_what_waits_in_my_establishments(self):
        self.env["essms.billing.run"].create(
            {"period_start": date(2026, 10, 1), "establishment_ids": [(6, 0, self.establishment.ids)]}
        )
        desk = self._desk(self.operator)
        self.assertTrue(desk.portfolio)
        self.assertEqual(desk.line_ids.establishment_id, self.establishment, "only my portfolio's establishments")
        line = self._line(desk, self.establishment)
        self.assertEqual((line.statement_missing, line.statement_draft, line.run_to_compute), (0, 1, 1))
        self.assertEqual(line.pending_file_due, 1, "the file's filing deadline has passed")
        # One click away: the list behind a count holds exactly the records counted.
        action = line.with_context(essms_item="statement_draft").action_open_item()
        self.assertEqual(self.env[action["res_model"]].with_user(self.operator).search(action["domain"]), self.mine)
        action = line.with_context(essms_item="pending_file_due").action_open_item()
        self.assertEqual(
            self.env[action["res_model"]].with_user(self.operator).search(action["domain"]), self.decision_mine
        )
        # Without a portfolio, every establishment is on the desk.
        desk = self._desk(self.colleague)
        self.assertFalse(desk.portfolio)
        self.assertLessEqual(self.establishment | self.other, desk.line_ids.establishment_id)
        self.assertEqual(self._line(desk, self.other).statement_draft, 1)
        self.assertEqual(self._line(desk, self.other).pending_file_due, 1)

    def test_desk_queries_do_not_grow_with_establishments(self):
        """Each count is one grouped query over all the establishments: as many queries for one as for ten."""
        def queries(user):
            self._desk(user)  # caches warm
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self._desk(user)
            return self.env.cr.sql_log_count - before

        one = queries(self.operator)
        many = [self._create_establishment("Établissement %d" % index) for index in range(8)]
        for establishment in many:
            self.env["essms.activity.statement"].create(
                {"establishment_id": establishment.id, "period_start": date(2026, 10, 1)}
            )
        self.env["essms.establishment"].browse([e.id for e in many]).operator_ids = self.operator
        self.assertEqual(queries(self.operator), one)

    def test_desk_is_the_operators_page(self):
        with self.assertRaises(AccessError):
            self.env["essms.operator.desk"].with_user(self.director).create({})
