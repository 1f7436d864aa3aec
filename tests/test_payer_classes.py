"""Payer classes on the records (engine/payers.py): the partner's stored class, the dunning policies and the
analysis screens' filters all follow the one engine definition."""

from odoo.tests import TransactionCase
from odoo.tests import tagged

from ..engine import payers


@tagged("post_install", "-at_install")
class TestPayerClasses(TransactionCase):
    def test_partner_class_follows_the_engine(self):
        kinds = [kind for kind, _label in self.env["res.partner"]._fields["essms_payer_kind"].selection]
        partners = self.env["res.partner"].create([{"name": kind, "essms_payer_kind": kind} for kind in kinds])
        self.assertEqual(partners.mapped("essms_payer_class"), [payers.payer_class(kind) for kind in kinds])
        partners[0].essms_payer_kind = "resident"
        self.assertEqual(partners[0].essms_payer_class, payers.CONSUMER, "recomputed when the kind changes")
        self.assertFalse(self.env["res.partner"].create({"name": "No payer"}).essms_payer_class)

    def test_policies_and_filters_use_the_class(self):
        for policy in self.env["essms.dunning.policy"].search([]):
            self.assertEqual(policy.is_public_payer, payers.is_public(policy.payer_kind), policy.name)
        for view in ("essms_billing.essms_receivable_ageing_view_search",
                     "essms_billing.essms_recovery_claim_view_search"):
            arch = self.env.ref(view).arch
            self.assertIn("('partner_id.essms_payer_class', '=', 'public')", arch, view)
            self.assertNotIn("'health_insurance'", arch, "no list of payer kinds in a view: " + view)
        # The prescription radar's filters on invoices (they listed the public kinds once).
        arch = self.env.ref("essms_billing.account_move_view_search_essms_radar").arch
        self.assertIn("('commercial_partner_id.essms_payer_class', '=', 'public')", arch)
        self.assertIn("('commercial_partner_id.essms_payer_class', '!=', 'public')", arch)
        self.assertNotIn("'health_insurance'", arch, "no list of payer kinds in the radar's filters")
