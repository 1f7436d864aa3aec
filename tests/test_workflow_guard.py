"""A workflow's states are reached through its buttons only (issue 12, item 4; item 10 for the dunning runs).

An operator writing ``state`` over RPC (as a script or a crafted request would) must not post an advice twice,
put a payment plan or a remission in force without the finance director, or validate a statement, a billing run
or a dunning run out of turn. The RPC tests go through the served database (XML-RPC, as the operator logs in); the
other models are checked through the ORM as the least-privileged user that can reach them.
"""

import xmlrpc.client
from datetime import date
from datetime import timedelta

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import HttpCase
from odoo.tests import new_test_user
from odoo.tests import tagged

OPERATOR = "essms_billing.group_essms_operator"
ESTABLISHMENT = "essms_billing.group_essms_establishment"
MANAGER = "essms_billing.group_essms_manager"
REFUSED = "changes only through the buttons"


@tagged("post_install", "-at_install")
class TestWorkflowGuard(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.operator = new_test_user(
            cls.env, "wf_operator", groups=OPERATOR, company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.payer = cls.env["res.partner"].create({"name": "CD guard", "essms_payer_kind": "departement"})
        cls.debtor = cls.env["res.partner"].create({"name": "Guard resident", "essms_payer_kind": "resident"})
        journal = cls.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", cls.company.id)], limit=1
        )
        # The records are put in their states by the server (sudo), as their transitions would.
        cls.advice = cls.env["essms.remittance"].create(
            {"partner_id": cls.payer.id, "journal_id": journal.id, "date": date(2026, 3, 2)}
        )
        cls.advice.write({"state": "posted"})
        cls.plan = cls.env["essms.payment.plan"].create({"partner_id": cls.debtor.id})
        cls.plan.write({"state": "to_approve", "approval_state": "to_approve"})
        cls.remission = cls.env["essms.remission"].create(
            {"partner_id": cls.debtor.id, "amount": 120.0, "reason": "Ressources insuffisantes"}
        )
        cls.remission.write({"state": "to_approve", "approval_state": "to_approve"})

    def _rpc(self, user, model, method, *args, **kwargs):
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, user.id, user.login, model, method, list(args), kwargs
        )

    def assertRpcRefused(self, user, model, method, *args, expected=REFUSED, **kwargs):
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            self._rpc(user, model, method, *args, **kwargs)
        self.assertIn(expected, caught.exception.faultString)
        return caught.exception.faultString

    def test_operator_cannot_post_an_advice_again_over_rpc(self):
        payments = self.env["account.payment"].search_count([])
        message = self.assertRpcRefused(self.operator, "essms.remittance", "write", [self.advice.id],
                                        {"state": "checked"})
        self.assertIn("Payment advice", message)
        self.advice.invalidate_recordset()
        self.assertEqual(self.advice.state, "posted")
        self.assertEqual(self.env["account.payment"].search_count([]), payments)
        # Nor created as posted, nor given another payment.
        self.assertRpcRefused(self.operator, "essms.remittance", "create",
                              {"partner_id": self.payer.id, "state": "posted"})
        self.assertRpcRefused(self.operator, "essms.remittance", "write", [self.advice.id], {"payment_id": False})

    def test_operator_cannot_activate_a_plan_awaiting_approval_over_rpc(self):
        self.assertRpcRefused(self.operator, "essms.payment.plan", "write", [self.plan.id], {"state": "active"})
        self.assertRpcRefused(self.operator, "essms.payment.plan", "write", [self.plan.id],
                              {"approval_state": "approved"}, expected="Only a finance director")
        self.plan.invalidate_recordset()
        self.assertEqual((self.plan.state, self.plan.approval_state), ("to_approve", "to_approve"))
        # The operator's own button does not approve either.
        self.assertRpcRefused(self.operator, "essms.payment.plan", "action_approve", [self.plan.id],
                              expected="Only a finance director")

    def test_operator_cannot_account_a_remission_awaiting_approval_over_rpc(self):
        self.assertRpcRefused(self.operator, "essms.remission", "write", [self.remission.id], {"state": "done"})
        self.remission.invalidate_recordset()
        self.assertEqual(self.remission.state, "to_approve")
        self.assertFalse(self.remission.credit_note_ids)

    def test_a_new_form_with_the_default_values_is_saved(self):
        # What the web client sends for a new remission: the defaults of the guarded fields included.
        remission_id = self._rpc(self.operator, "essms.remission", "create", {
            "partner_id": self.debtor.id, "amount": 10.0, "reason": "Erreur de saisie", "state": "draft",
            "credit_note_ids": [(6, 0, [])],
        })
        self.assertEqual(self.env["essms.remission"].browse(remission_id).state, "draft")
        self.assertRpcRefused(self.operator, "essms.remission", "create", {
            "partner_id": self.debtor.id, "amount": 10.0, "reason": "Erreur de saisie", "state": "done",
        })

    def test_the_ordinary_fields_stay_editable_over_rpc(self):
        self._rpc(self.operator, "essms.payment.plan", "write", [self.plan.id], {"note": "Appel du 3 mars"})
        self.plan.invalidate_recordset()
        self.assertEqual(self.plan.note, "Appel du 3 mars")


@tagged("post_install", "-at_install")
class TestWorkflowGuardOrm(HttpCase):
    """The other workflows, through the ORM as the least-privileged user that may write the model."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.operator = new_test_user(
            cls.env, "wf_operator2", groups=OPERATOR, company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.manager = new_test_user(
            cls.env, "wf_manager", groups=MANAGER, company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.secretary = new_test_user(cls.env, "wf_secretary", groups=ESTABLISHMENT)
        cls.establishment = cls.env["essms.establishment"].create(
            {"name": "Foyer guard", "code": "GUARD", "company_id": cls.company.id,
             "user_ids": [Command.link(cls.secretary.id)]}
        )
        cls.debtor = cls.env["res.partner"].create({"name": "Guard debtor", "essms_payer_kind": "resident"})

    def test_statement_validated_only_by_its_button(self):
        statement = self.env["essms.activity.statement"].create(
            {"establishment_id": self.establishment.id, "period_start": date(2026, 1, 1)}
        )
        with self.assertRaises(AccessError):
            statement.with_user(self.secretary).write({"state": "validated"})
        for vals in ({"state": "submitted"}, {"validated_by_id": self.operator.id}):
            with self.subTest(vals=vals), self.assertRaisesRegex(AccessError, REFUSED):
                statement.with_user(self.secretary).write(vals)
        with self.assertRaisesRegex(AccessError, REFUSED):
            self.env["essms.activity.statement"].with_user(self.secretary).create(
                {"establishment_id": self.establishment.id, "period_start": date(2026, 2, 1), "state": "validated"}
            )
        statement.with_user(self.secretary).action_submit()
        statement.with_user(self.operator).action_validate()
        self.assertEqual(statement.state, "validated")

    def test_billing_run_invoiced_only_by_its_button(self):
        run = self.env["essms.billing.run"].with_user(self.operator).create(
            {"period_start": date(2026, 1, 1), "establishment_ids": [Command.set(self.establishment.ids)]}
        )
        for state in ("computed", "invoiced", "cancelled"):
            with self.subTest(state=state), self.assertRaisesRegex(AccessError, REFUSED):
                run.write({"state": state})
        run.action_cancel()
        self.assertEqual(run.state, "cancelled")

    def test_dunning_run_and_letters_sent_only_by_their_buttons(self):
        run = self.env["essms.dunning.run"].with_user(self.operator).create({"date": date(2026, 2, 20)})
        for vals in ({"state": "sent"}, {"state": "sending"}, {"sent_by_id": self.manager.id}):
            with self.subTest(vals=vals), self.assertRaisesRegex(AccessError, REFUSED):
                run.write(vals)
        with self.assertRaisesRegex(AccessError, REFUSED):
            run.create({"date": date(2026, 2, 21), "state": "sent"})
        letter = self.env["essms.dunning.letter"].create({
            "run_id": run.id,
            "partner_id": self.debtor.id,
            "company_id": self.company.id,
            "currency_id": self.company.currency_id.id,
            "policy_id": self.env.ref("essms_billing.dunning_policy_resident").id,
            "level_id": self.env.ref("essms_billing.dunning_policy_resident_reminder").id,
        })
        for vals in ({"state": "sent"}, {"sent_date": "2026-02-20 10:00:00"}, {"exclusion_reason": "operator"}):
            with self.subTest(vals=vals), self.assertRaisesRegex(AccessError, REFUSED):
                letter.with_user(self.operator).write(vals)
        letter.with_user(self.operator).action_exclude()
        self.assertEqual(letter.state, "excluded")

    def test_promise_kept_only_by_the_server(self):
        invoice = self.env["account.move"].create({
            "move_type": "out_invoice",
            "partner_id": self.debtor.id,
            "invoice_date": date.today() - timedelta(days=60),
            "invoice_line_ids": [Command.create({"name": "Contribution", "price_unit": 100.0, "tax_ids": []})],
        })
        invoice.action_post()
        promise = self.env["essms.promise"].with_user(self.operator).create({
            "partner_id": self.debtor.id, "date_promised": date.today() + timedelta(days=10), "amount": 50.0,
            "move_ids": [Command.set(invoice.ids)],
        })
        with self.assertRaisesRegex(AccessError, REFUSED):
            promise.write({"state": "kept"})
        promise.action_cancel()
        self.assertEqual(promise.state, "cancelled")

    def test_a_manager_decides_through_the_buttons_too(self):
        plan = self.env["essms.payment.plan"].create({"partner_id": self.debtor.id})
        plan.write({"state": "to_approve", "approval_state": "to_approve"})
        with self.assertRaisesRegex(AccessError, "Approve and Refuse buttons"):
            plan.with_user(self.manager).write({"approval_state": "approved"})
        with self.assertRaisesRegex(AccessError, REFUSED):
            plan.with_user(self.manager).write({"state": "active"})
        plan.with_user(self.manager).write({"approval_note": "Accord du directeur"})
        plan.with_user(self.manager).action_approve()
        self.assertEqual((plan.state, plan.approval_state), ("active", "approved"))


@tagged("post_install", "-at_install")
class TestRefusalsSayTheTruth(HttpCase):
    """Item 10: a refusal names what really happened."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.operator = new_test_user(
            cls.env, "wf_operator3", groups=OPERATOR, company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)], name="Claire Opératrice",
        )
        cls.colleague = new_test_user(
            cls.env, "wf_colleague", groups=OPERATOR, company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)], name="Marc Collègue",
        )

    def test_a_run_sent_by_someone_else_says_so(self):
        run = self.env["essms.dunning.run"].with_user(self.colleague).create({"date": date(2026, 2, 20)})
        run.action_propose()
        run.action_send()  # no letter to send: the run is closed at once
        self.assertEqual(run.state, "sent")
        with self.assertRaisesRegex(UserError, "already sent, by Marc Collègue") as caught:
            run.with_user(self.operator).action_send()
        self.assertNotIn("propose the letters", str(caught.exception))
        run.sudo().write({"state": "sending"})
        with self.assertRaisesRegex(UserError, "already being sent, by Marc Collègue"):
            run.with_user(self.operator).action_send()

    def test_two_draft_runs_of_a_month_are_told_apart(self):
        establishment = self.env["essms.establishment"].create(
            {"name": "Foyer apart", "code": "APART", "company_id": self.company.id}
        )
        statement = self.env["essms.activity.statement"].create(
            {"establishment_id": establishment.id, "period_start": date(2026, 1, 1)}
        )
        statement.action_submit()
        statement.action_validate()
        vals = {"period_start": date(2026, 1, 1), "establishment_ids": [Command.set(establishment.ids)]}
        first = self.env["essms.billing.run"].with_user(self.colleague).create(vals)
        second = self.env["essms.billing.run"].with_user(self.operator).create(vals)
        self.assertEqual(first.name, second.name)
        with self.assertRaises(UserError) as caught:
            second.action_compute()
        message = str(caught.exception)
        self.assertIn("no. %s" % first.id, message)
        self.assertIn("Marc Collègue", message)
        self.assertIn("this run is no. %s" % second.id, message)
