"""The advice's lines as the operator reads them: a partially paid line says what is still due, a line opens on a
page of its own (the payment advice of test_remittance: row 6 pays 1 000,00 of an invoice of 1 234,56)."""

from odoo.tests import tagged

from .test_remittance import RemittanceCase


@tagged("post_install", "-at_install")
class TestRemittanceScreen(RemittanceCase):
    def test_partial_line_shows_what_is_still_due_and_opens(self):
        remittance = self._remittance(self._csv())
        remittance.action_import()
        partial = remittance.line_ids.filtered(lambda line: line.row == 6)
        self.assertEqual((partial.status, partial.amount_allocated), ("partial", 1000.00))
        self.assertAlmostEqual(partial.amount_still_due, 234.56, places=2, msg="before posting: 1 234,56 − 1 000,00")
        matched = remittance.line_ids.filtered(lambda line: line.row == 5)
        self.assertEqual(matched.amount_still_due, 0.0)
        action = partial.action_open_line()
        self.assertEqual((action["res_model"], action["res_id"], action["target"]), (partial._name, partial.id, "new"))
        form = self.env["essms.remittance.line"].get_views(action["views"])["views"]["form"]["arch"]
        self.assertIn('name="amount_still_due"', form)
        remittance.action_post()
        partial.invalidate_recordset(["amount_still_due"])
        self.assertAlmostEqual(partial.amount_still_due, 234.56, places=2, msg="once posted: the invoice's amount due")
