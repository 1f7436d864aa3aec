"""Global allocations called as twelfths (billing-rules §12), as invoices: worked example H to the cent.

Two ESAT agreements with the ARS are called month by month in 2026, in one batch per month. The first (example
H: 2025 allocation 1 212 000,00, 2026 arrêté 1 248 000,00 notified 8 April) is called 101 000,00 for January to
March, 113 000,00 in April (104 000,00 + 3 x 3 000,00) and 104 000,00 from May on. The second has no 2026
arrêté before December is called (twelve provisional twelfths of 1 200 000,00): its 1 176 000,00 arrêté is
regularised on a credit note of 12 x 2 000,00. Then: never twice, bad input, the control §8.7 and the rights.
"""

from datetime import date

import psycopg2

from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import freeze_time
from odoo.tests import new_test_user
from odoo.tests import tagged
from odoo.tools import format_date
from odoo.tools import mute_logger
from odoo.tools.misc import formatLang

from .billing_common import BillingCommon


def _lines(move):
    return [(line.quantity, line.price_unit) for line in move.invoice_line_ids.sorted("sequence")]


@tagged("post_install", "-at_install")
class TestAllocation(BillingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ars = cls.env["res.partner"].create(
            {"name": "ARS Occitanie", "is_company": True, "essms_payer_kind": "state", "company_id": False}
        )
        cls.esat = cls._create_establishment("ESAT", "ESAT Les Ateliers", tariff=None)
        cls.esat2 = cls._create_establishment("ESAT2", "ESAT Le Mas", tariff=None)
        cls.agreement_h = cls._allocation_agreement(cls.esat)
        cls.agreement_late = cls._allocation_agreement(cls.esat2)
        cls.operator = new_test_user(
            cls.env, login="alloc_operator", groups="essms_billing.group_essms_operator",
            company_id=cls.company.id, company_ids=[cls.company.id],
        )
        Allocation = cls.env["essms.allocation"]
        cls.allocation_2025 = Allocation.create(
            {"agreement_id": cls.agreement_h.id, "year": 2025, "amount": 1212000.0, "arrete_ref": "ARS-2025-12"}
        )
        Allocation.create({"agreement_id": cls.agreement_late.id, "year": 2025, "amount": 1200000.0})
        # The operator calls every month (the daily job does the same on the 20th).
        calls = cls.env["essms.allocation.call"].with_user(cls.operator)
        both = (cls.agreement_h | cls.agreement_late).with_user(cls.operator)
        for month in (1, 2, 3):
            calls._call_month(both, 2026, month, invoice_date=date(2026, month, 20))
        cls.arrete_2026 = Allocation.create({
            "agreement_id": cls.agreement_h.id, "year": 2026, "amount": 1248000.0, "arrete_ref": "ARS-2026-04",
            "date_notified": date(2026, 4, 8),
        })
        for month in range(4, 13):
            calls._call_month(both, 2026, month, invoice_date=date(2026, month, 20))
        cls.calls_h = cls.env["essms.allocation.call"].search([("agreement_id", "=", cls.agreement_h.id)])
        cls.calls_late = cls.env["essms.allocation.call"].search([("agreement_id", "=", cls.agreement_late.id)])

    @classmethod
    def _allocation_agreement(cls, establishment):
        agreement = establishment.agreement_ids
        agreement.write({
            "name": "ARS – %s" % establishment.name, "payer_id": cls.ars.id, "financing": "global_allocation",
            "invoice_grouping": "payer",
        })
        return agreement

    def _call(self, month):
        return self.calls_h.filtered(lambda call: call.month == month)

    def test_example_h_invoices(self):
        self.assertEqual(len(self.calls_h), 12)
        for month in (1, 2, 3):
            call = self._call(month)
            self.assertTrue(call.provisional)
            self.assertEqual(call.allocation_id, self.allocation_2025)
            self.assertEqual(_lines(call.move_id), [(1.0, 101000.0)])
        april = self._call(4).move_id
        self.assertEqual(_lines(april), [(1.0, 104000.0), (3.0, 3000.0)])
        self.assertEqual(april.amount_total, 113000.0)
        catch_up = april.invoice_line_ids.sorted("sequence")[1].name.lower()
        for month in (1, 2, 3):  # the months are named in the payer's language
            name = format_date(self.env, date(2026, month, 1), lang_code=self.ars.lang, date_format="MMMM y")
            self.assertIn(name.lower(), catch_up)
        for month in range(5, 13):
            self.assertEqual(_lines(self._call(month).move_id), [(1.0, 104000.0)])
        moves = self.calls_h.move_id
        self.assertEqual(sum(moves.mapped("amount_total")), 1248000.0)
        self.assertEqual(set(moves.mapped("state")), {"posted"})
        self.assertEqual(moves.partner_id, self.ars)
        self.assertEqual(moves.journal_id, self.esat.journal_id)
        self.assertEqual(moves.essms_establishment_id, self.esat)
        self.assertEqual(april.invoice_date_due, date(2026, 4, 20))
        self.assertEqual(april.essms_period_start, date(2026, 4, 1))
        # Printed with the ESSMS letterhead, the allocation and the invoice lines (rendered as HTML, no PDF engine).
        self.assertEqual(april._get_name_invoice_report(), "essms_billing.report_allocation_invoice_document")
        html = self.env["ir.actions.report"]._render_qweb_html("account.account_invoices", april.ids)[0].decode()
        payer_env = self.env(context=dict(self.env.context, lang=self.ars.lang))  # printed in the payer's language
        for text in (self.esat.name, self.agreement_h.name, "ARS-2026-04", formatLang(payer_env, 104000.0),
                     formatLang(payer_env, 3000.0), formatLang(payer_env, 113000.0)):
            self.assertIn(text, html)
        # The catch-up is stored per month paid for: January received 101 000,00 + 3 000,00.
        january = self.calls_h.line_ids.filtered(lambda line: line.month == 1)
        self.assertEqual(sorted(january.mapped("amount")), [3000.0, 101000.0])

    def test_regularisation_of_a_fully_called_year(self):
        self.assertEqual(sum(self.calls_late.mapped("amount")), 1200000.0)
        self.assertTrue(all(self.calls_late.mapped("provisional")))
        arrete = self.env["essms.allocation"].create(
            {"agreement_id": self.agreement_late.id, "year": 2026, "amount": 1176000.0, "arrete_ref": "ARS-2026-12"}
        )
        self.assertEqual(arrete.control_status, "to_call")
        self.assertEqual(arrete.to_call_amount, -24000.0)
        regularisation = arrete.with_user(self.operator).action_regularise()
        call = self.env["essms.allocation.call"].search(regularisation["domain"])
        self.assertEqual(call.kind, "regularisation")
        self.assertEqual(call.amount, -24000.0)
        self.assertEqual(call.move_id.move_type, "out_refund")
        self.assertEqual(_lines(call.move_id), [(12.0, 2000.0)])
        self.assertEqual(call.move_id.amount_total, 24000.0)
        arrete.invalidate_recordset()
        self.assertEqual(arrete.called_amount, 1176000.0)
        with self.assertRaises(UserError):
            arrete.action_regularise()  # nothing left to regularise

    def test_never_twice(self):
        wizard = self.env["essms.allocation.call.wizard"].with_user(self.operator).create({"year": 2026, "month": "4"})
        self.assertFalse(wizard.agreement_ids)
        with self.assertRaises(UserError):
            wizard.action_call()
        self.assertFalse(self.env["essms.allocation.call"]._call_month(self.agreement_h, 2026, 4))
        # The database refuses a second call of the month, whatever the code path.
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.IntegrityError), self.env.cr.savepoint():
            self.env.cr.execute(
                "INSERT INTO essms_allocation_call (agreement_id, kind, year, month, amount) "
                "VALUES (%s, 'twelfth', 2026, 4, 1)", [self.agreement_h.id],
            )
        # A cancelled invoice frees its month: the next call of April calls it again, with what is due.
        april = self._call(4)
        april.move_id.button_draft()
        april.move_id.button_cancel()
        self.assertTrue(april.cancelled)
        again = self.env["essms.allocation.call"]._call_month(self.agreement_h, 2026, 4)
        self.assertEqual(_lines(again.move_id), [(1.0, 104000.0), (3.0, 3000.0)])

    def test_bad_input_names_the_agreement(self):
        esat3 = self._create_establishment("ESAT3", "ESAT Sans Arrêté", tariff=None)
        agreement = self._allocation_agreement(esat3)
        moves_before = self.env["account.move"].search_count([])
        with self.assertRaises(UserError) as error:
            self.env["essms.allocation.call"].with_user(self.operator)._call_month(
                (agreement | self.agreement_h).with_user(self.operator), 2027, 1
            )
        message = str(error.exception)
        self.assertIn(agreement.name, message)
        self.assertIn("2027", message)
        self.assertEqual(self.env["account.move"].search_count([]), moves_before)
        self.assertFalse(self.env["essms.allocation.call"].search([("year", "=", 2027)]))
        # The daily job calls the others and reports this one on the agreement.
        self.env["essms.allocation.call"]._call_month(agreement | self.agreement_h, 2027, 1, raise_on_error=False)
        self.assertEqual(self.env["essms.allocation.call"].search([("year", "=", 2027)]).agreement_id, self.agreement_h)
        self.assertIn(agreement.name, agreement.message_ids[0].body)

    def test_daily_job_on_the_due_day(self):
        """The job calls January 2027 on the 20th, not before: the first agreement at 2026's twelfth (provisional),
        the second, with no allocation for 2026 nor 2027, is reported on its agreement."""
        Call = self.env["essms.allocation.call"]
        with freeze_time("2027-01-19 10:00:00"):
            Call.sudo()._cron_call_twelfths()  # as the cron runs: the superuser
        self.assertFalse(Call.search([("year", "=", 2027)]))
        with freeze_time("2027-01-20 10:00:00"):
            Call.sudo()._cron_call_twelfths()  # as the cron runs: the superuser
        call = Call.search([("year", "=", 2027)])
        self.assertEqual(call.agreement_id, self.agreement_h)
        self.assertTrue(call.provisional)
        self.assertEqual(call.allocation_id, self.arrete_2026)
        self.assertEqual(_lines(call.move_id), [(1.0, 104000.0)])
        self.assertEqual(call.move_id.invoice_date_due, date(2027, 1, 20))
        self.assertIn(self.agreement_late.name, self.agreement_late.message_ids[0].body)

    def test_control_called_and_received(self):
        self.assertEqual(self.arrete_2026.months_called, 12)
        self.assertEqual(self.arrete_2026.called_amount, 1248000.0)
        self.assertEqual(self.arrete_2026.received_amount, 0.0)
        self.assertEqual(self.arrete_2026.control_status, "to_receive")
        for month in range(1, 13):
            move = self._call(month).move_id
            self.env["account.payment.register"].with_context(active_model="account.move", active_ids=move.ids).create(
                {"payment_date": date(2026, month, 25)}
            )._create_payments()
        self.arrete_2026.invalidate_recordset()
        self.assertEqual(self.arrete_2026.received_amount, 1248000.0)
        self.assertEqual(self.arrete_2026.to_receive_amount, 0.0)
        self.assertEqual(self.arrete_2026.control_status, "balanced")

    def test_rights(self):
        with self.assertRaises(AccessError):
            self.env["essms.allocation"].with_user(self.operator).create(
                {"agreement_id": self.agreement_h.id, "year": 2027, "amount": 1.0}
            )
        with self.assertRaises(AccessError):
            self.env["essms.allocation.call"].with_user(self.operator).create({
                "agreement_id": self.agreement_h.id, "year": 2027, "month": 1, "amount": 1.0,
                "move_id": self._call(1).move_id.id,
            })
        director = new_test_user(
            self.env, login="alloc_director", groups="essms_billing.group_essms_establishment",
            company_id=self.company.id, company_ids=[self.company.id],
        )
        self.esat.user_ids = [(4, director.id)]
        for model in ("essms.allocation", "essms.allocation.call"):
            with self.assertRaises(AccessError):
                self.env[model].with_user(director).search([])
