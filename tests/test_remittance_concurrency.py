"""One transfer, two users at once (issue 12, items 2 and 10): two real connections, as two users clicking.

Needs committed data: two connections cannot see each other's uncommitted rows. What the tests commit is
removed in ``cleanup``.
"""

import base64
from datetime import date

from odoo import SUPERUSER_ID
from odoo import api
from odoo import sql_db
from odoo.exceptions import UserError
from odoo.tests import BaseCase
from odoo.tests import tagged
from odoo.tests.common import get_db_name
from odoo.tools import SQL

ADVICE = (
    "N° Facture;Nom Prénom;Période;Montant réglé\r\n"
    "FDV/X/1;DUPONT Marie;07/2025;100,00\r\n"
    ";PETIT Jean;07/2025;50,00\r\n"
)


@tagged("post_install", "-at_install")
class TestRemittanceConcurrency(BaseCase):
    def setUp(self):
        super().setUp()
        self.dbname = get_db_name()
        self.cr1 = sql_db.db_connect(self.dbname).cursor()
        self.cr2 = sql_db.db_connect(self.dbname).cursor()
        self.addCleanup(self.cr2.close)
        self.addCleanup(self.cr1.close)
        env = api.Environment(self.cr1, SUPERUSER_ID, {"tracking_disable": True})
        self.payer_id = env["res.partner"].create(
            {"name": "CD concurrency advice", "essms_payer_kind": "departement"}
        ).id
        self.journal_id = env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", env.company.id)], limit=1
        ).id
        self.admin_id = env.ref("base.user_admin").id
        self.cr1.commit()  # pylint: disable=invalid-commit  # the other connection must see the payer
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        self.cr1.rollback()
        self.cr2.rollback()
        cr = self.cr1
        cr.execute(SQL("SELECT payment_id FROM essms_remittance WHERE partner_id = %s AND payment_id IS NOT NULL",
                       self.payer_id))
        payment_ids = tuple(row[0] for row in cr.fetchall()) or (0,)
        for query in (
            "DELETE FROM essms_remittance_line WHERE remittance_id IN "
            "(SELECT id FROM essms_remittance WHERE partner_id = %(payer)s)",
            "DELETE FROM essms_remittance WHERE partner_id = %(payer)s",
            "DELETE FROM account_move_line WHERE move_id IN (SELECT move_id FROM account_payment WHERE id IN %(pay)s)",
            "DELETE FROM account_move WHERE id IN (SELECT move_id FROM account_payment WHERE id IN %(pay)s)",
            "DELETE FROM account_payment WHERE id IN %(pay)s",
            "DELETE FROM mail_message WHERE model = 'essms.remittance' "
            "AND res_id NOT IN (SELECT id FROM essms_remittance)",
            "DELETE FROM res_partner WHERE id = %(payer)s",
        ):
            cr.execute(SQL(query, payer=self.payer_id, pay=payment_ids))
        cr.commit()  # pylint: disable=invalid-commit  # remove what the test committed

    def _env(self, cr, uid=SUPERUSER_ID):
        return api.Environment(cr, uid, {"tracking_disable": True})

    def _advice(self, env, content):
        remittance = env["essms.remittance"].create(
            {
                "partner_id": self.payer_id,
                "date": date(2025, 8, 20),
                "journal_id": self.journal_id,
                "file": base64.b64encode(content),
                "filename": "avis.csv",
            }
        )
        remittance.action_import()
        return remittance

    def test_the_same_transfer_imported_by_two_users_at_once_posts_once(self):
        """Both import the transfer (the second file re-saved) before either posts: neither sees the other's
        advice; the first posts and commits; the second posting is refused by the database, naming the first."""
        env1, env2 = self._env(self.cr1, self.admin_id), self._env(self.cr2)
        first = self._advice(env1, ADVICE.encode("cp1252"))
        second = self._advice(env2, (ADVICE.replace("\r\n", "\n") + "\n").encode("utf-8"))
        self.assertFalse(second.duplicate_of_id)  # the first is not committed yet
        self.assertEqual(first.transfer_key, second.transfer_key)
        self.assertEqual((first.state, second.state), ("checked", "checked"))
        self.cr2.commit()  # pylint: disable=invalid-commit  # the second import ends, nothing posted yet
        second_id = second.id
        env2 = self._env(self.cr2)
        second = env2["essms.remittance"].browse(second_id)
        self.assertEqual(second.state, "checked")  # the second user's Post click starts before the first ends
        first.action_post()
        self.cr1.commit()  # pylint: disable=invalid-commit  # the first user's click ends
        with self.assertRaises(UserError) as caught:
            second.action_post()
        message = str(caught.exception)
        self.assertIn("posted a moment ago", message)  # refused by the database's unique index
        self.assertIn(first.name, message)
        self.assertIn(env1.user.name, message)
        self.cr2.rollback()
        self.cr2.execute(
            SQL("SELECT state, payment_id FROM essms_remittance WHERE partner_id = %s ORDER BY id", self.payer_id)
        )
        rows = self.cr2.fetchall()
        self.assertEqual([row[0] for row in rows], ["posted", "checked"])
        self.assertIsNone(rows[1][1])
        self.cr2.execute(SQL("SELECT count(*) FROM account_payment WHERE partner_id = %s", self.payer_id))
        self.assertEqual(self.cr2.fetchone()[0], 1)

    def test_one_advice_posted_by_two_users_at_once_posts_once_and_says_by_whom(self):
        env1 = self._env(self.cr1, self.admin_id)
        remittance_id = self._advice(env1, ADVICE.encode()).id
        self.cr1.commit()  # pylint: disable=invalid-commit  # both users see the checked advice
        env2 = self._env(self.cr2)
        env1["essms.remittance"].browse(remittance_id).action_post()  # not committed yet: holds the advice
        with self.assertRaisesRegex(UserError, "being posted by another user right now"):
            env2["essms.remittance"].browse(remittance_id).action_post()
        self.cr1.commit()  # pylint: disable=invalid-commit
        self.cr2.rollback()  # the second user clicks again
        env2 = self._env(self.cr2)
        with self.assertRaises(UserError) as caught:
            env2["essms.remittance"].browse(remittance_id).action_post()
        message = str(caught.exception)
        self.assertIn("already posted", message)
        self.assertIn(env1.user.name, message)
        self.assertNotIn("errors to correct", message)
        self.cr2.rollback()
        self.cr2.execute(SQL("SELECT count(*) FROM account_payment WHERE partner_id = %s", self.payer_id))
        self.assertEqual(self.cr2.fetchone()[0], 1)
