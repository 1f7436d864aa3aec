"""SEPA direct debit of the residents' invoices (issue 19, part B), with OCA's mandates and debit orders.

The July 2025 run of the Foyer de vie Les Oliviers, invoiced on 05/08/2025, bills each resident the
contribution of 723,32 €:
- Marie Roux pays from her own account, due on the invoice date (05/08/2025);
- Lucie Bernard's guardian service (UDAF 66) pays from its account for her, due 30 days later (04/09/2025);
- Paul Durand's sister pays from hers, due 04/09/2025;
- Jean Martin pays by cheque: his invoice stays out of the debit orders.
So two debit orders: 723,32 € on 05/08/2025 and 1 446,64 € on 04/09/2025.
"""

import base64
from datetime import date

from lxml import etree

from odoo import Command
from odoo.addons.essms_billing.tests.billing_common import CONTRIBUTION
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import freeze_time
from odoo.tests import new_test_user
from odoo.tests import tagged
from odoo.tools.misc import file_path

from .sepa_common import IBAN_MARIE
from .sepa_common import IBAN_SISTER
from .sepa_common import IBAN_UDAF
from .sepa_common import SepaCommon

INVOICED = date(2025, 8, 5)
IN_30_DAYS = date(2025, 9, 4)
IBAN_WRONG = "FR76 1010 7001 0112 3456 7890 128"
IBAN_MISTYPED = "FR84 1273 9000 7070 0000 0001 235"


@tagged("post_install", "-at_install")
@freeze_time(INVOICED)
class TestSepaDebit(SepaCommon):
    def _orders(self):
        return self.env["account.payment.order"].search([("company_id", "=", self.company.id)])

    def test_the_run_becomes_debit_orders_on_the_due_dates(self):
        run = self._invoiced_run()
        run.with_user(self.operator).action_essms_debit_order()
        orders = run.essms_debit_order_ids.sorted("date_scheduled")
        self.assertEqual(orders.mapped("date_scheduled"), [INVOICED, IN_30_DAYS])
        self.assertEqual(orders.mapped("state"), ["draft", "draft"])
        self.assertEqual(orders.mapped("total_company_currency"), [723.32, 1446.64])
        self.assertEqual(run.essms_debit_order_count, 2)
        lines = orders.payment_line_ids
        self.assertEqual(
            sorted((line.partner_id.name, line.mandate_id.unique_mandate_reference, line.partner_bank_id.acc_number,
                    line.amount_currency, line.move_line_id.move_id.essms_beneficiary_id.id) for line in lines),
            [
                ("Lucie Bernard", "RUM-BERNARD", IBAN_UDAF, CONTRIBUTION, self.lucie.id),
                ("Marie Roux", "RUM-ROUX", IBAN_MARIE, CONTRIBUTION, self.marie.id),
                ("Paul Durand", "RUM-DURAND", IBAN_SISTER, CONTRIBUTION, self.paul.id),
            ],
        )
        jean_invoice = self._resident_invoice(run, self.jean)
        self.assertEqual(jean_invoice.amount_residual, CONTRIBUTION)
        self.assertFalse(jean_invoice.line_ids.payment_line_ids, "Jean pays by cheque")
        self.assertEqual(self._resident_invoice(run, self.lucie).mandate_id, self.mandate_lucie)
        # The département's invoices for the same persons are never paid by the residents' mandates.
        departement_invoices = run.move_ids.filtered(lambda move: move.partner_id == self.departement)
        self.assertEqual(len(departement_invoices), 4)
        self.assertEqual(self.env["account.banking.mandate"]._essms_valid_mandates(departement_invoices), {})
        # Made twice: the invoices are already in the orders, nothing more is made.
        with self.assertRaises(UserError) as caught:
            run.with_user(self.operator).action_essms_debit_order()
        self.assertIn("already in the debit order", str(caught.exception))
        self.assertEqual(len(self._orders()), 2)

    def test_pain008_file_validates_against_the_xsd_of_the_oca_module(self):
        run = self._invoiced_run()
        run.with_user(self.operator).action_essms_debit_order()
        order = run.essms_debit_order_ids.filtered(lambda o: o.date_scheduled == IN_30_DAYS).with_user(self.operator)
        order.draft2open()
        action = order.open2generated()
        xml = base64.b64decode(self.env["ir.attachment"].browse(action["res_id"]).datas)
        version = order.payment_method_id.pain_version
        schema = etree.XMLSchema(
            etree.parse(file_path("account_banking_sepa_direct_debit/data/%s.xsd" % version))
        )
        root = etree.fromstring(xml)
        schema.assertValid(root)
        ns = {"p": root.nsmap[None]}
        self.assertEqual(root.xpath("//p:GrpHdr/p:NbOfTxs", namespaces=ns)[0].text, "2")
        self.assertEqual(root.xpath("//p:GrpHdr/p:CtrlSum", namespaces=ns)[0].text, "1446.64")
        self.assertEqual(root.xpath("//p:PmtInf/p:ReqdColltnDt", namespaces=ns)[0].text, "2025-09-04")
        creditor = root.xpath("//p:CdtrSchmeId/p:Id/p:PrvtId/p:Othr/p:Id", namespaces=ns)
        self.assertEqual(creditor[0].text, "FR78ZZZ424242")
        debits = {
            tx.xpath("p:DrctDbtTx/p:MndtRltdInf/p:MndtId", namespaces=ns)[0].text: (
                tx.xpath("p:Dbtr/p:Nm", namespaces=ns)[0].text,
                tx.xpath("p:DbtrAcct/p:Id/p:IBAN", namespaces=ns)[0].text,
                tx.xpath("p:InstdAmt", namespaces=ns)[0].text,
            )
            for tx in root.xpath("//p:DrctDbtTxInf", namespaces=ns)
        }
        # The debtor is the owner of the account (the guardian service, the sister), not the resident.
        self.assertEqual(debits, {
            "RUM-BERNARD": ("UDAF 66 - service mandataire", IBAN_UDAF.replace(" ", ""), "723.32"),
            "RUM-DURAND": ("Claire Durand", IBAN_SISTER.replace(" ", ""), "723.32"),
        })

    def test_a_returned_debit_reopens_the_invoice_and_feeds_the_dunning(self):
        run = self._invoiced_run()
        run.action_essms_debit_order()
        order = run.essms_debit_order_ids.filtered(lambda o: o.date_scheduled == INVOICED)
        order.draft2open()
        order.open2generated()
        order.generated2uploaded()
        invoice = self._resident_invoice(run, self.marie)
        self.assertEqual(invoice.amount_residual, 0.0)
        payment = order.payment_ids
        # Posted and matched with the invoice, waiting for the bank statement.
        self.assertEqual((payment.state, payment.amount, payment.partner_id),
                         ("in_process", CONTRIBUTION, self.marie.partner_id))
        with freeze_time("2025-08-12"):
            batch = self.env["essms.payment.batch"].with_user(self.operator).create({
                "journal_id": self.bank_journal.id,
                "date": date(2025, 8, 12),
                "line_ids": [Command.create({
                    "kind": "direct_debit_return",
                    "returned_payment_id": payment.id,
                    "partner_id": self.marie.partner_id.id,
                    "amount": CONTRIBUTION,
                    "reference": "AM04 provision insuffisante",
                })],
            })
            batch.action_register()
        self.assertEqual(invoice.amount_residual, CONTRIBUTION)
        self.assertEqual(payment.state, "rejected")
        with freeze_time("2025-09-30"):
            dunning = self.env["essms.dunning.run"].with_user(self.operator).create({"date": date(2025, 9, 30)})
            dunning.action_propose()
        self.assertIn(invoice, dunning.letter_ids.line_ids.move_id, "the returned debit is reminded")
        # Presented again in a new order once the return is recorded.
        self.env["account.move"].browse(invoice.id)._essms_create_debit_orders()
        self.assertEqual(invoice.line_ids.payment_line_ids.order_id.filtered(lambda o: o.state == "draft").
                         payment_line_ids.amount_currency, CONTRIBUTION)

    def test_a_resident_without_a_valid_mandate_stops_the_whole_order(self):
        self.jean.partner_id.customer_payment_mode_id = self.sdd
        run = self._invoiced_run()
        with self.assertRaises(UserError) as caught:
            run.with_user(self.operator).with_context(lang="fr_FR").action_essms_debit_order()
        message = str(caught.exception)
        self.assertIn("Aucun ordre de prélèvement n'a été créé", message)
        self.assertIn("Jean Martin", message)
        self.assertIn(self._resident_invoice(run, self.jean).name, message)
        self.assertIn("mandat SEPA valide", message)
        self.assertFalse(self._orders(), "nothing half-made")
        self.assertFalse(run.move_ids.line_ids.payment_line_ids)
        # A mandate cancelled by the family is no longer valid either.
        self.jean.partner_id.customer_payment_mode_id = False
        self.mandate_paul.cancel()
        with self.assertRaises(UserError) as caught:
            run.with_user(self.operator).with_context(lang="fr_FR").action_essms_debit_order()
        self.assertIn("Paul Durand", str(caught.exception))
        self.assertFalse(self._orders())

    def test_an_iban_failing_its_check_is_refused(self):
        account = self.env["res.partner.bank"].create({"acc_number": IBAN_WRONG, "partner_id": self.sister.id})
        with self.assertRaises(ValidationError) as caught:
            self.env["account.banking.mandate"].with_context(lang="fr_FR").create({
                "format": "sepa", "type": "recurrent", "signature_date": date(2025, 6, 20),
                "partner_bank_id": account.id, "company_id": self.company.id,
                "unique_mandate_reference": "RUM-FAUX", "essms_beneficiary_id": self.paul.id,
            })
        self.assertIn("IBAN %s" % IBAN_WRONG, str(caught.exception))
        self.assertIn("ne passe pas le contrôle", str(caught.exception))
        self.assertFalse(self.env["account.banking.mandate"].search([("unique_mandate_reference", "=", "RUM-FAUX")]))
        # The account of a valid mandate mistyped afterwards: the debit order names it and is not made.
        self.mandate_paul.partner_bank_id.acc_number = IBAN_MISTYPED
        run = self._invoiced_run()
        with self.assertRaises(UserError) as caught:
            run.with_context(lang="fr_FR").action_essms_debit_order()
        self.assertIn("Paul Durand", str(caught.exception))
        self.assertIn("l'IBAN %s du mandat ne passe pas le contrôle" % IBAN_MISTYPED, str(caught.exception))
        self.assertFalse(self._orders())

    def test_no_debit_on_a_disputed_or_blocked_invoice(self):
        run = self._invoiced_run()
        marie_invoice = self._resident_invoice(run, self.marie)
        hold = self.env["essms.recovery.hold"].create(
            {"reason": "dispute", "move_id": marie_invoice.id, "date_start": date(2025, 8, 1)}
        )
        with self.assertRaises(UserError) as caught:
            run.with_user(self.operator).with_context(lang="fr_FR").action_essms_debit_order()
        self.assertIn(marie_invoice.name, str(caught.exception))
        self.assertIn("Contestation", str(caught.exception))
        self.assertFalse(self._orders())
        # OCA's own "Add to a payment order" on the invoice is refused the same way.
        with self.assertRaises(UserError):
            marie_invoice.with_user(self.operator).create_account_payment_line()
        self.assertFalse(self._orders())
        # A hold on the person (correction pending) set after the order was drafted stops its confirmation.
        hold.date_end = date(2025, 8, 4)
        run.action_essms_debit_order()
        self.env["essms.recovery.hold"].create(
            {"reason": "pending_correction", "beneficiary_id": self.paul.id, "date_start": INVOICED}
        )
        order = run.essms_debit_order_ids.filtered(lambda o: o.date_scheduled == IN_30_DAYS)
        with self.assertRaises(UserError) as caught:
            order.with_context(lang="fr_FR").draft2open()
        self.assertIn("Paul Durand", str(caught.exception))
        self.assertEqual(order.state, "draft")
        self.assertFalse(order.payment_ids)

    def test_establishment_staff_cannot_make_a_debit_order(self):
        run = self._invoiced_run()
        staff = new_test_user(
            self.env, "sepa_establishment", groups="essms_billing.group_essms_establishment",
            company_id=self.company.id, company_ids=[Command.set(self.company.ids)],
        )
        with self.assertRaises(AccessError):
            run.with_user(staff).action_essms_debit_order()
        with self.assertRaises(AccessError):
            self.env["account.banking.mandate"].with_user(staff).create({
                "format": "sepa", "type": "recurrent", "signature_date": date(2025, 6, 20),
                "partner_bank_id": self.mandate_marie.partner_bank_id.id, "company_id": self.company.id,
            })
        self.assertFalse(self._orders())
