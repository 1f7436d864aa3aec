"""Entries export for an external accounting package: parsed back, debits equal credits, lettering shown."""

import base64
from datetime import date

from odoo import Command
from odoo.addons.essms_billing.engine.portal import FileSettings
from odoo.addons.essms_billing.engine.portal import read_csv
from odoo.exceptions import AccessError
from odoo.tests import new_test_user
from odoo.tests import tagged

from .portal_common import PortalCommon


@tagged("post_install", "-at_install")
class TestEntriesExport(PortalCommon):
    def _wizard(self, **vals):
        return self.env["essms.entries.export"].create({
            "date_from": date(2025, 8, 1),
            "date_to": date(2025, 8, 31),
            "layout_id": self.env.ref("essms_billing.entries_layout_default").id,
            **vals,
        })

    def test_entries_parse_back_balanced_with_the_lettering(self):
        invoice = self.billing_run.move_ids.filtered(lambda move: move.partner_id == self.departement)[:1]
        payment = self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"payment_date": date(2025, 8, 20)})._create_payments()
        bank = payment.journal_id
        wizard = self._wizard(journal_ids=[Command.set((self.establishment.journal_id | bank).ids)])
        wizard.action_export()
        settings = wizard.layout_id._file_settings()
        lines = read_csv(base64.b64decode(wizard.file), settings)
        header, rows = lines[0], [dict(zip(lines[0], row, strict=True)) for row in lines[1:]]
        self.assertEqual(header, ["Journal", "Date", "N° pièce", "Référence", "Compte", "Intitulé du compte",
                                  "Code tiers", "Tiers", "Libellé", "Débit", "Crédit", "Lettrage",
                                  "Date de lettrage"])

        def amount(text):
            return round(float(text.replace(",", ".")), 2)

        debit = round(sum(amount(row["Débit"]) for row in rows), 2)
        credit = round(sum(amount(row["Crédit"]) for row in rows), 2)
        self.assertEqual(debit, credit)
        moves = self.billing_run.move_ids | payment.move_id
        self.assertEqual(debit, round(sum(moves.line_ids.mapped("debit")), 2))
        self.assertEqual(len(rows), len(moves.line_ids))
        self.assertEqual((wizard.total_debit, wizard.total_credit), (debit, credit))
        self.assertEqual(wizard.line_count, len(rows))
        self.assertEqual({row["Journal"] for row in rows}, {self.establishment.journal_id.code, bank.code})

        receivable = invoice.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        lettered = [row for row in rows if row["Lettrage"]]
        self.assertTrue(lettered)
        self.assertEqual({row["Lettrage"] for row in lettered}, {receivable.matching_number})
        self.assertEqual({row["Date de lettrage"] for row in lettered},
                         {receivable.full_reconcile_id.create_date.strftime("%d/%m/%Y")})
        self.assertIn(invoice.name, {row["N° pièce"] for row in lettered})

    def test_other_journals_and_periods_are_left_out(self):
        wizard = self._wizard(date_from=date(2025, 9, 1), date_to=date(2025, 9, 30))
        wizard.action_export()
        self.assertEqual(wizard.line_count, 0)
        self.assertEqual(len(read_csv(base64.b64decode(wizard.file), FileSettings())), 1)

    def test_establishment_user_reads_neither_entries_nor_controls(self):
        director = new_test_user(self.env, "entries_director", groups="essms_billing.group_essms_establishment")
        with self.assertRaises(AccessError):
            self.env["essms.entries.export"].with_user(director).create(
                {"date_from": date(2025, 8, 1), "date_to": date(2025, 8, 31),
                 "layout_id": self.env.ref("essms_billing.entries_layout_default").id}
            )
        with self.assertRaises(AccessError):
            self.env["essms.activity.billing.control"].with_user(director).search([])

    def test_fec_comes_from_odoo(self):
        wizard = self._wizard()
        wizard.action_fec()
        self.assertTrue(wizard.file_name.endswith(".csv"))
        self.assertIn("FEC", wizard.file_name)
        content = base64.b64decode(wizard.file).decode()
        self.assertTrue(content.startswith("JournalCode|JournalLib|EcritureNum"))
        self.assertFalse(self.company.fiscalyear_lock_date, "a test FEC does not lock the period")
