"""Two runs of one establishment and month at once: the second is refused at once (row lock, NOWAIT)."""

from datetime import date

from odoo import SUPERUSER_ID
from odoo import Command
from odoo import api
from odoo import sql_db
from odoo.exceptions import UserError
from odoo.tests import BaseCase
from odoo.tests import tagged
from odoo.tests.common import get_db_name
from odoo.tools import SQL


@tagged("post_install", "-at_install")
class TestBillingRunConcurrency(BaseCase):
    """Needs committed data: two real connections cannot see each other's uncommitted rows.

    What the test creates is committed, then removed in ``cleanup``.
    """

    def setUp(self):
        super().setUp()
        self.dbname = get_db_name()
        self.cr1 = sql_db.db_connect(self.dbname).cursor()
        self.cr2 = sql_db.db_connect(self.dbname).cursor()
        self.addCleanup(self.cr2.close)
        self.addCleanup(self.cr1.close)
        self.created = {}
        env = api.Environment(self.cr1, SUPERUSER_ID, {"tracking_disable": True})
        departement = env["res.partner"].create({"name": "CD concurrency", "essms_payer_kind": "departement"})
        resident = env["res.partner"].create({"name": "Concurrency resident"})
        establishment = env["essms.establishment"].create(
            {"name": "Foyer concurrency", "code": "CONCUR", "company_id": env.company.id}
        )
        agreement = env["essms.agreement"].create(
            {
                "name": "CONCUR – CD",
                "establishment_id": establishment.id,
                "payer_id": departement.id,
                "date_start": date(2024, 1, 1),
            }
        )
        env["essms.tariff"].create({"agreement_id": agreement.id, "date_from": date(2024, 1, 1), "amount": 180})
        beneficiary = env["essms.beneficiary"].create(
            {"partner_id": resident.id, "file_number": "CONCUR-1", "company_id": env.company.id}
        )
        env["essms.stay"].create(
            {"beneficiary_id": beneficiary.id, "establishment_id": establishment.id, "date_start": date(2024, 1, 1)}
        )
        statement = env["essms.activity.statement"].create(
            {"establishment_id": establishment.id, "period_start": date(2025, 7, 1)}
        )
        statement.action_submit()
        statement.action_validate()
        self.establishment_id = establishment.id
        self.cr1.commit()  # pylint: disable=invalid-commit  # the other connection must see the data
        self.addCleanup(self._cleanup, establishment.id, departement.id, resident.id)

    def _cleanup(self, establishment_id, departement_id, resident_id):
        self.cr1.rollback()
        self.cr2.rollback()
        cr = self.cr1
        for query in (
            "DELETE FROM essms_billing_line WHERE stay_id IN (SELECT id FROM essms_stay WHERE establishment_id = "
            "%(est)s)",
            "DELETE FROM account_partial_reconcile WHERE debit_move_id IN (SELECT id FROM account_move_line WHERE "
            "move_id IN (SELECT id FROM account_move WHERE essms_establishment_id = %(est)s))",
            "DELETE FROM account_move WHERE essms_establishment_id = %(est)s",
            "DELETE FROM essms_billing_correction_key WHERE payer_id IN (%(dep)s, %(resident)s)",
            "DELETE FROM essms_billing_run WHERE id IN (SELECT essms_billing_run_id FROM "
            "essms_billing_run_essms_establishment_rel WHERE essms_establishment_id = %(est)s)",
            "DELETE FROM essms_activity_statement WHERE establishment_id = %(est)s",
            "DELETE FROM essms_stay WHERE establishment_id = %(est)s",
            "DELETE FROM essms_beneficiary WHERE partner_id = %(resident)s",
            "DELETE FROM essms_agreement WHERE establishment_id = %(est)s",
            "DELETE FROM essms_establishment WHERE id = %(est)s",
            "DELETE FROM res_partner WHERE id IN (%(dep)s, %(resident)s)",
            "DELETE FROM mail_message WHERE model = 'essms.activity.statement' "
            "AND res_id NOT IN (SELECT id FROM essms_activity_statement)",
        ):
            cr.execute(SQL(query, est=establishment_id, dep=departement_id, resident=resident_id))
        cr.commit()  # pylint: disable=invalid-commit  # remove what setUp committed

    def test_second_run_at_once_is_refused(self):
        env1 = api.Environment(self.cr1, SUPERUSER_ID, {"tracking_disable": True})
        env2 = api.Environment(self.cr2, SUPERUSER_ID, {"tracking_disable": True})
        run1 = env1["essms.billing.run"].create(
            {"period_start": date(2025, 7, 1), "establishment_ids": [Command.set([self.establishment_id])]}
        )
        run2 = env2["essms.billing.run"].create(
            {"period_start": date(2025, 7, 1), "establishment_ids": [Command.set([self.establishment_id])]}
        )
        run1.action_compute()  # holds the lock until cr1 ends
        with self.assertRaisesRegex(UserError, "being computed or invoiced right now"):
            run2.action_compute()
        self.assertEqual(len(run1.line_ids), 1)

    def test_two_regularisations_of_the_same_months_bill_the_difference_once(self):
        """Two operators regularise July at once: the second computed before the first invoiced, and its
        transaction began before the first one committed. It must be refused, not bill the difference again."""
        env1 = api.Environment(self.cr1, SUPERUSER_ID, {"tracking_disable": True})
        env2 = api.Environment(self.cr2, SUPERUSER_ID, {"tracking_disable": True})
        establishment = env1["essms.establishment"].browse(self.establishment_id)
        journal = env1["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", establishment.company_id.id)], limit=1
        )
        establishment.journal_id = journal
        july = date(2025, 7, 1)
        regular = env1["essms.billing.run"].create(
            {"period_start": july, "establishment_ids": [Command.set([self.establishment_id])]}
        )
        regular.action_compute()
        regular.action_invoice()
        self.assertEqual(regular.state, "invoiced")
        # A decree raises the daily price retroactively: July must be regularised.
        env1["essms.tariff"].search([("agreement_id.establishment_id", "=", self.establishment_id)]).amount = 186
        vals = {
            "kind": "regularisation",
            "period_start": july,
            "period_end": date(2025, 7, 31),
            "establishment_ids": [Command.set([self.establishment_id])],
        }
        first = env1["essms.billing.run"].create(vals)
        first.action_compute()
        self.cr1.commit()  # pylint: disable=invalid-commit  # the other user sees the tariff and the first run
        second = env2["essms.billing.run"].create(vals)
        second.action_compute()
        self.cr2.commit()  # pylint: disable=invalid-commit  # the second user's compute is saved
        self.assertEqual(second.line_ids.mapped("amount"), [6.0 * 31])
        # The second user's next click starts a transaction (its snapshot) before the first invoices.
        self.cr2.execute("SELECT 1")
        first.action_invoice()
        self.cr1.commit()  # pylint: disable=invalid-commit  # the first user's invoices are posted
        self.assertEqual(first.move_ids.mapped("amount_total"), [6.0 * 31])
        with self.assertRaisesRegex(UserError, "another recall or regularisation invoiced differences"):
            second.action_invoice()
        self.cr2.rollback()
        self.cr1.execute(
            SQL(
                "SELECT count(*) FROM account_move WHERE essms_run_kind = 'regularisation' AND state = 'posted' "
                "AND essms_establishment_id = %s",
                self.establishment_id,
            )
        )
        self.assertEqual(self.cr1.fetchone()[0], 1)
        # Recomputed in a new transaction, the second run has nothing left to bill.
        env2.invalidate_all()
        second.action_compute()
        self.assertFalse(second.line_ids)
