"""The demo's scenarios read back: the documents of generated months agree with their invoices (billing-rules §13),
one claim in each legal situation, and the demo's chatter written in French."""

from collections import defaultdict
from datetime import date

from odoo import Command
from odoo.addons.essms_billing.engine.dates import month_end
from odoo.addons.essms_billing.tests.test_legal_events import LegalCommon
from odoo.tests import TransactionCase
from odoo.tests import freeze_time
from odoo.tests import tagged

DATE_REF = date(2026, 3, 16)


@tagged("post_install", "-at_install")
class TestDemoDocumentsAgree(TransactionCase):
    """Over a generated demo (three invoiced months, a recall-ready pending file, a retroactive decree regularised):
    every run invoice is the sum of its quantities x unit prices, and the nominative statement, the portal file and
    the activity control show each person the days and the amounts of the invoices (billing-rules §13)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        generator = cls.env["essms.demo.generator"]
        cls.company = cls.env["res.company"].create({"name": "Association détaillée"})
        generator._setup_company(cls.company)
        generator.generate(20, seed=7, company=cls.company, date_ref=DATE_REF)
        cls.scenarios = generator._setup_billing_scenarios(cls.company, date_ref=DATE_REF)
        env = cls.env(context=dict(cls.env.context, allowed_company_ids=[cls.company.id]))
        foyer_vie = cls.scenarios["tariffs"].establishment_id
        month = cls.scenarios["run"].period_start
        cls.regularisation = env["essms.billing.run"].create(
            {"kind": "regularisation", "company_id": cls.company.id, "period_start": month,
             "period_end": month_end(month), "establishment_ids": foyer_vie.ids}
        )
        cls.regularisation.action_compute()
        cls.regularisation.action_invoice()
        cls.env = env
        cls.moves = env["account.move"].search([("company_id", "=", cls.company.id), ("essms_run_id", "!=", False),
                                                ("state", "=", "posted")])

    def _by_person(self, move):
        """{beneficiary: (days, amount)} read from the invoice's lines, signed like the billing lines."""
        sign = -1 if move.move_type == "out_refund" else 1
        result = defaultdict(lambda: [0.0, 0.0])
        for line in move.invoice_line_ids:
            detail = line.essms_detail_id
            person = result[detail.line_id.beneficiary_id]
            if detail._is_day_row():
                person[0] += detail.quantity
            person[1] += sign * line.price_subtotal
        return result

    def test_every_run_invoice_is_its_quantities_times_prices(self):
        self.assertGreater(len(self.moves), 20)
        self.assertTrue(self.regularisation.move_ids & self.moves, "the decree's regularisation is in the demo")
        self.assertIn("advance", self.moves.essms_line_ids.agreement_id.mapped("billing_term"))
        self.assertIn("regularisation", self.moves.invoice_line_ids.essms_detail_id.mapped("kind"))
        for move in self.moves:
            total = 0.0
            for line in move.invoice_line_ids:
                self.assertTrue(line.essms_detail_id, "%s: %s has no stored row" % (move.name, line.name))
                self.assertAlmostEqual(line.quantity * line.price_unit, line.price_subtotal, places=2)
                total += line.quantity * line.price_unit
            self.assertAlmostEqual(total, move.amount_total, places=2, msg=move.name)

    def test_the_nominative_statement_shows_the_invoice_days_and_amounts(self):
        rows = self.moves._essms_statement_rows()
        for move in self.moves:
            invoiced = self._by_person(move)
            printed = defaultdict(lambda: [0.0, 0.0])
            for row in rows[move.id]:
                totals = row["line"]._essms_billed_totals()
                printed[row["beneficiary"]][0] += totals["days"]
                printed[row["beneficiary"]][1] += totals["gross"] - totals["contribution"]
            self.assertEqual(set(printed), set(invoiced), move.name)
            for person, (days, amount) in invoiced.items():
                self.assertAlmostEqual(printed[person][0], days, places=2, msg="%s %s" % (move.name, person.name))
                self.assertAlmostEqual(printed[person][1], amount, places=2, msg="%s %s" % (move.name, person.name))
            self.assertAlmostEqual(
                move._essms_statement_totals(rows[move.id])["net"] * (-1 if move.move_type == "out_refund" else 1),
                move.amount_total, places=2,
            )

    def test_the_portal_file_shows_the_invoice_days_and_amounts(self):
        layout = self.env.ref("essms_billing.portal_layout_cd66")
        regular = self.moves.filtered(lambda move: move.essms_run_kind == "regular")
        checked = 0
        for (month, payer), moves in regular.grouped(lambda move: (move.essms_period_start, move.partner_id)).items():
            if payer.essms_payer_kind != "departement":
                continue
            invoiced = defaultdict(lambda: [0.0, 0.0])
            for move in moves:
                for person, (days, amount) in self._by_person(move).items():
                    invoiced[person.file_number][0] += days
                    invoiced[person.file_number][1] += amount
            wizard = self.env["essms.portal.export"].create({
                "company_id": self.company.id, "period_start": month, "payer_id": payer.id,
                "establishment_ids": [Command.set(moves.essms_establishment_id.ids)], "layout_id": layout.id,
            })
            statements = wizard._validated_statements(month)
            rows, _left_out, _count, _notes = wizard._collect_rows(statements, month)
            for row in rows:
                if row["file_number"] not in invoiced:
                    self.assertFalse(row.get("net_amount"), "%s is billed without an invoice" % row["file_number"])
                    continue
                days, amount = invoiced[row["file_number"]]
                self.assertAlmostEqual(row["days_billed"], days, places=2, msg=row["file_number"])
                self.assertAlmostEqual(row["net_amount"], amount, places=2, msg=row["file_number"])
                self.assertAlmostEqual(row["gross_amount"] - row["contribution_amount"], amount, places=2)
                checked += 1
        self.assertGreater(checked, 10)

    def test_the_activity_control_shows_the_invoice_days_and_amounts(self):
        invoiced = defaultdict(lambda: [0.0, 0.0])
        for move in self.moves:
            sign = -1 if move.move_type == "out_refund" else 1
            for line in move.invoice_line_ids:
                detail = line.essms_detail_id
                key = (detail.line_id.beneficiary_id, detail.date_from.replace(day=1))
                invoiced[key][0] += detail.quantity if detail._is_day_row() else 0.0
                invoiced[key][1] += sign * line.price_subtotal
        # Lines of an invoiced run that made no document (their amount is nil) count their days, not an amount.
        runs = self.moves.essms_run_id
        for line in runs.line_ids.filtered(lambda line: not line.move_id and not line.pending_decision):
            for detail in line.detail_ids.filtered(lambda detail: detail._is_day_row()):
                invoiced[(line.beneficiary_id, detail.date_from.replace(day=1))][0] += detail.quantity
        control = self.env["essms.activity.billing.control"].search([("company_id", "=", self.company.id)])
        shown = {(row.beneficiary_id, row.period_start): row for row in control}
        for key, (days, amount) in invoiced.items():
            row = shown.get(key)
            self.assertTrue(row, "%s %s is not in the control" % (key[0].name, key[1]))
            self.assertAlmostEqual(row.invoiced_days, days, places=2, msg="%s %s" % (key[0].name, key[1]))
            self.assertAlmostEqual(row.invoiced_amount, amount, places=2, msg="%s %s" % (key[0].name, key[1]))


@tagged("post_install", "-at_install")
class TestLegalDemo(LegalCommon):
    def test_demo_has_one_claim_in_each_situation(self):
        with freeze_time("2026-12-01"):
            made = self.env["essms.demo.generator"]._setup_legal_scenarios(self.company.id)
        self.assertEqual(made["mediation"].essms_prescription_date, date(2027, 1, 2),
                         "6 months at least after the mediation's end")
        self.assertTrue(date(2026, 12, 1) < made["resident"].essms_prescription_date <= date(2027, 3, 1))
        self.assertEqual(made["collective"].date_declaration_deadline, date(2027, 1, 11))
        self.assertEqual(made["over_indebtedness"].date_contest_deadline, date(2026, 12, 26))
        self.assertEqual(made["estate"].hold_ids.reason, "deceased")
        self.assertEqual(made["small_claims"].date_answer_deadline, date(2026, 12, 24))
        self.assertEqual((made["payment_order"].date_objection_deadline, made["payment_order"].date_formula_deadline),
                         (date(2026, 12, 10), date(2027, 1, 10)))


@tagged("post_install", "-at_install")
class TestDemoFrench(TransactionCase):
    def test_demo_writes_its_chatter_in_french(self):
        """Odoo loads a module's translations after its data: the demo, generated during the installation, loads
        the addon's French terms first, or its messages stay half English ("Payment advice créé")."""
        model = self.env["ir.model"]._get("essms.remittance")
        self.env.cr.execute(
            "UPDATE ir_model SET name = jsonb_build_object('en_US', name->>'en_US') WHERE id = %s", [model.id]
        )
        model.invalidate_recordset(["name"])
        self.assertEqual(model.with_context(lang="fr_FR").name, "Payment advice", "as during the installation")
        self.env["essms.demo.generator"]._load_french_terms()
        model.invalidate_recordset(["name"])
        self.assertEqual(model.with_context(lang="fr_FR").name, "Avis de paiement")
        remittance = self.env["essms.remittance"].with_context(lang="fr_FR").create({
            "partner_id": self.env["res.partner"].create({"name": "Département"}).id,
        })
        self.assertIn("Avis de paiement créé", remittance.message_ids[-1:].body or "")
