"""Two calls of one agreement's allocation at once (billing-rules §12): the catch-up reads what was called, so two
calls of different months computed together must not both commit. The second is refused at once while the first
holds the agreement's row, and fails at commit (serialisation) if it read before the first committed."""

from datetime import date

import psycopg2.errors

from odoo import SUPERUSER_ID
from odoo import api
from odoo import sql_db
from odoo.exceptions import UserError
from odoo.tests import BaseCase
from odoo.tests import tagged
from odoo.tests.common import get_db_name
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestAllocationConcurrency(BaseCase):
    """Needs committed data: two real connections cannot see each other's uncommitted rows. What the test creates
    is committed, then removed in ``_cleanup``. No invoice is made: the lock is what is tested."""

    def setUp(self):
        super().setUp()
        dbname = get_db_name()
        self.cr1 = sql_db.db_connect(dbname).cursor()
        self.cr2 = sql_db.db_connect(dbname).cursor()
        self.addCleanup(self.cr2.close)
        self.addCleanup(self.cr1.close)
        env = api.Environment(self.cr1, SUPERUSER_ID, {"tracking_disable": True})
        payer = env["res.partner"].create({"name": "ARS concurrency", "essms_payer_kind": "state"})
        establishment = env["essms.establishment"].create(
            {"name": "ESAT concurrency", "code": "ESATCC", "company_id": env.company.id, "kind": "esat"}
        )
        agreement = env["essms.agreement"].create({
            "name": "ESATCC – ARS", "establishment_id": establishment.id, "payer_id": payer.id,
            "financing": "global_allocation", "date_start": date(2024, 1, 1),
        })
        self.agreement_id = agreement.id
        self.cr1.commit()  # pylint: disable=invalid-commit  # the other connection must see the data
        self.addCleanup(self._cleanup, establishment.id, payer.id)

    def _cleanup(self, establishment_id, payer_id):
        self.cr1.rollback()
        self.cr2.rollback()
        self.cr1.execute("DELETE FROM essms_agreement WHERE id = %s", [self.agreement_id])
        self.cr1.execute("DELETE FROM essms_establishment WHERE id = %s", [establishment_id])
        self.cr1.execute("DELETE FROM res_partner WHERE id = %s", [payer_id])
        self.cr1.commit()  # pylint: disable=invalid-commit

    def _calls(self, cr):
        env = api.Environment(cr, SUPERUSER_ID, {})
        return env["essms.allocation.call"], env["essms.agreement"].browse(self.agreement_id)

    def test_second_call_refused_while_the_first_runs(self):
        calls1, agreement1 = self._calls(self.cr1)
        calls2, agreement2 = self._calls(self.cr2)
        calls1._lock_agreements(agreement1)
        with self.assertRaises(UserError) as error:
            calls2._lock_agreements(agreement2)
        self.assertIn("ESATCC – ARS", str(error.exception))

    def test_second_call_computed_before_the_first_committed_fails(self):
        calls1, agreement1 = self._calls(self.cr1)
        calls2, agreement2 = self._calls(self.cr2)
        # The second transaction has read (its snapshot is taken) before the first one commits.
        calls2._called_by_month(agreement2, 2026)
        calls1._lock_agreements(agreement1)
        self.cr1.commit()  # pylint: disable=invalid-commit
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.errors.SerializationFailure):
            calls2._lock_agreements(agreement2)
