import base64

from lxml import etree

from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon
from odoo.addons.essms_billing.tests.billing_common import CONTRIBUTION
from odoo.tests import tagged
from odoo.tools.misc import file_path

from .sepa_common import SepaCommon


@tagged("post_install", "-at_install")
class TestDebitOrderTour(SepaCommon, AccountTestInvoicingHttpCommon):
    """In the web client, as the operator: the July run's invoices paid by direct debit become a debit order, it is
    confirmed and its pain.008 file generated (static/src/tours/essms_debit_order_tour.js)."""

    def test_operator_makes_the_debit_order_of_a_run(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        # All due on the invoice date: one debit order.
        (self.lucie | self.paul).partner_id.property_payment_term_id = False
        run = self._invoiced_run()
        self.start_tour(
            "/odoo/action-essms_billing.essms_billing_run_action/%s" % run.id,
            "essms_debit_order_tour",
            login="sepa_operator",
        )
        order = run.essms_debit_order_ids
        self.assertEqual((len(order), order.state), (1, "generated"))
        self.assertEqual(order.payment_line_ids.mapped("amount_currency"), [CONTRIBUTION] * 3)
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "account.payment.order"), ("res_id", "=", order.id)]
        )
        schema = etree.XMLSchema(etree.parse(
            file_path("account_banking_sepa_direct_debit/data/%s.xsd" % order.payment_method_id.pain_version)
        ))
        schema.assertValid(etree.fromstring(base64.b64decode(attachment.datas)))
