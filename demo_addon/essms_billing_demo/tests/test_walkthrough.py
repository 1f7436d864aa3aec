"""The README's "Demo walkthrough", in a real browser, on a database installed as `make run` installs it.

The tours (static/src/tours/essms_walkthrough_tours.js) click what the operator and the director click; nothing
is created by code here: the tests start from the demo as it is installed, run the tours in the README's order
and then read the database to check what the clicks did. They need the demo data: `make test` runs them on the
demo check database it has just installed (`make test-walkthrough`); on a database without the demo (the main
suite's) they are skipped.

A step of a tour can ask for a screenshot with ``console.log("essms-screenshot:<name>")``; screenshots land in
Odoo's screenshots directory (``--screenshots``, /tmp/odoo_tests by default), under the database's name.
"""

import io
import logging
import pathlib
import time
from unittest.mock import patch

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.addons.base.models.ir_actions_report import IrActionsReport
from odoo.addons.essms_billing.tests.common import tour_screenshots
from odoo.tests import HttpCase
from odoo.tests import tagged
from odoo.tools import config
from odoo.tools.pdf import OdooPdfFileReader

# The figures and timings of the walkthrough are logged at INFO, whatever the configuration's level: `make test` shows
# them in its output, where the README's figures and the time of each tour are read.
# Not this module's logger: the test cases log under it, and would all show at INFO.
_logger = logging.getLogger("odoo.addons.essms_billing_demo.walkthrough")
_logger.setLevel(logging.INFO)

FOYER_VIE = "Foyer de vie Les Micocouliers"
FOYER_HEBERGEMENT = "Foyer d'hébergement Les Albères"


@tagged("post_install", "-at_install", "essms_walkthrough")
class TestWalkthrough(HttpCase):
    """One test per part of the walkthrough that stands on the demo alone; "Bill a month" is one test because
    each of its steps uses what the previous one made (the transaction is rolled back after each test)."""

    timings = {}

    def setUp(self):
        super().setUp()
        self.operator = self.env.ref("essms_billing_demo.user_demo_operateur", raise_if_not_found=False)
        self.director = self.env.ref("essms_billing_demo.user_demo_directeur", raise_if_not_found=False)
        if not self.operator or not self.director:
            self.skipTest("needs the demo data, as `make run` installs it (make test runs it on the demo check db)")
        today = fields.Date.context_today(self.operator)
        self.month = today.replace(day=1) - relativedelta(months=1)
        # The three establishments of the walkthrough's month; the ESAT is financed by a global allocation called as
        # twelfths, the FAM Les Aspres, the MAS and the EHPAD are billed in the section of the components.
        self.establishments = self.env["essms.establishment"].browse(
            [self.env.ref("essms_billing_demo.demo_establishment_%s" % kind).id
             for kind in ("foyer_vie", "fam", "foyer_hebergement")]
        )
        self.assertEqual(len(self.establishments), 3, "The demo has three establishments billed per day.")

    @classmethod
    def tearDownClass(cls):
        if cls.timings:
            _logger.info("Walkthrough tours: %s", ", ".join("%s %.1f s" % item for item in cls.timings.items()))
        super().tearDownClass()

    def _screenshots(self):
        """Let a tour step ask for a screenshot by logging ``essms-screenshot:<name>``."""
        return tour_screenshots("walk_")

    def _keep_pdf(self, content, name):
        """A printed document beside the screenshots, to be looked at (pdftoppm -png)."""
        directory = pathlib.Path(config["screenshots"]) / self.env.cr.dbname
        directory.mkdir(parents=True, exist_ok=True)
        (directory / ("walk_%s.pdf" % name)).write_bytes(content)

    def _tour(self, name, login):
        start = time.monotonic()
        with self._screenshots():
            self.start_tour("/odoo", name, login=login, timeout=180)
        self.timings[name] = time.monotonic() - start
        self.env.invalidate_all()

    # Bill a month, then send it to the département -------------------------------------------------------

    def test_bill_a_month_and_send_it_to_the_departement(self):
        Statement = self.env["essms.activity.statement"]
        self.assertFalse(Statement.search([("period_start", "=", self.month)]), "M is left to bill.")

        # 1. The director makes and submits the foyer de vie's statement; the operator the two others.
        self._tour("essms_walk_statement_director", self.director.login)
        statement = Statement.search([("period_start", "=", self.month)])
        self.assertRecordValues(
            statement,
            [{"state": "submitted", "create_uid": self.director.id, "submitted_by_id": self.director.id}],
        )
        self.assertEqual(statement.establishment_id.name, FOYER_VIE)

        # 2. ... then validates the three.
        self._tour("essms_walk_statements_operator", self.operator.login)
        statements = Statement.search([("period_start", "=", self.month)])
        self.assertEqual(statements.establishment_id, self.establishments)
        self.assertEqual(set(statements.mapped("state")), {"validated"})
        self.assertEqual(statements.validated_by_id, self.operator)
        self.assertFalse(sum(statements.mapped("blocking_count")))
        hebergement = statements.filtered(lambda statement: statement.establishment_id.name == FOYER_HEBERGEMENT)
        self.assertTrue(hebergement.warning_count, "The foyer d'hébergement warns of the refused fundings.")

        # 3-4. The run of M, computed, then invoiced; its invoices posted.
        self._tour("essms_walk_run", self.operator.login)
        run = self.env["essms.billing.run"].search([("period_start", "=", self.month), ("kind", "=", "regular")])
        self.assertEqual(len(run), 1)
        self.assertRecordValues(run, [{"state": "invoiced", "create_uid": self.operator.id}])
        self.assertEqual(run.establishment_ids, self.establishments)
        invoices = run.move_ids
        self.assertTrue(invoices)
        self.assertEqual(set(invoices.mapped("state")), {"posted"})
        billed = run.line_ids.filtered(lambda line: line.move_id)
        self.assertEqual(billed.move_id, invoices, "Every invoice comes from the run's lines.")
        _logger.info(
            "Walkthrough figures: run of %s, %d lines, %d invoices, %.2f to invoice, %.2f to bill on decision;"
            " warnings of the foyer d'hébergement: %d",
            self.month, len(run.line_ids), len(invoices), run.amount_total, run.to_bill_on_decision_total,
            hebergement.warning_count,
        )

        # The job that the invoicing triggers attaches the nominative statements of the invoices made per payer
        # (a cron, outside any web request: under tests a request cannot wait for the PDF engine).
        Move = self.env["account.move"]
        for _batch in range(20):
            if not Move.search_count(Move._essms_statements_to_attach_domain()):
                break
            Move._cron_essms_attach_nominative_statements()
        grouped = invoices.filtered(lambda move: move._essms_is_grouped())
        self.assertTrue(grouped)
        self.assertFalse(grouped.filtered(lambda move: not move.essms_statement_id),
                         "Every invoice made per payer has its nominative statement attached.")

        # 4. Two invoices printed from their form: what was printed, rendered for real, is a PDF of the invoice.
        printed = []
        render = IrActionsReport._render_qweb_pdf

        def _render_qweb_pdf(report, report_ref, res_ids=None, data=None):
            printed.append((report_ref, res_ids))
            return render(report, report_ref, res_ids=res_ids, data=data)

        with patch.object(IrActionsReport, "_render_qweb_pdf", _render_qweb_pdf):
            self._tour("essms_walk_invoices", self.operator.login)
        # What the print buttons rendered (an invoice may also render other documents: only the invoices count).
        Report = self.env["ir.actions.report"]
        printed = [
            (report_ref, list(res_ids or []))
            for report_ref, res_ids in printed
            if Report._get_report(report_ref).report_name == "account.report_invoice_with_payments"
        ]
        self.assertEqual(len(printed), 2, "The tour printed two invoices, one at a time.")
        printed_moves = self.env["account.move"]
        for report_ref, res_ids in printed:
            moves = self.env["account.move"].browse(res_ids)
            self.assertEqual(len(moves), 1)
            self.assertIn(moves, invoices, "An invoice of the run was printed.")
            printed_moves |= moves
            content, _kind = (
                Report.with_user(self.operator)
                .with_context(force_report_rendering=True, lang="fr_FR")
                ._render_qweb_pdf(report_ref, res_ids=moves.ids)
            )
            # Its text is not checked here: with the report's web fonts, Debian's wkhtmltopdf draws the letters as
            # shapes that pdftotext cannot read (the documents' own tests check their text).
            self.assertTrue(content.startswith(b"%PDF"), "A PDF, not HTML.")
            self.assertGreaterEqual(len(OdooPdfFileReader(io.BytesIO(content), strict=False).pages), 1)
        self.assertEqual(
            {move.commercial_partner_id.essms_payer_kind == "departement" for move in printed_moves}, {True, False}
        )

        # Send the month to the département: the CD66 file of M, kept on the run with a message.
        attachments_before = self.env["ir.attachment"].search([("res_model", "=", "essms.billing.run"),
                                                               ("res_id", "=", run.id)])
        self._tour("essms_walk_portal_export", self.operator.login)
        exported = self.env["ir.attachment"].search(
            [("res_model", "=", "essms.billing.run"), ("res_id", "=", run.id), ("id", "not in", attachments_before.ids)]
        )
        self.assertEqual(len(exported), 1, "The export is kept on the run.")
        self.assertTrue(exported.raw)
        self.assertEqual(exported.create_uid, self.operator)

    # Every component and every payer of a stay ---------------------------------------------------------------

    def test_components_fam_and_mas(self):
        """The FAM Les Aspres and the MAS La Tramontane billed for M: Inès Roig's accommodation to the département
        less her contribution and her care to the CPAM (worked example I), Firmin Pujol's daily hospital fee within
        the 30 % AAH guarantee (worked example F), each an invoice of its own, printed."""
        Establishment = self.env["essms.establishment"]
        fam = Establishment.search([("name", "=", "Foyer d'accueil médicalisé Les Aspres")])
        mas = Establishment.search([("name", "=", "Maison d'accueil spécialisée La Tramontane")])
        self.assertEqual((len(fam), len(mas)), (1, 1), "The demo has the FAM Les Aspres and the MAS La Tramontane.")
        printed = []
        render = IrActionsReport._render_qweb_pdf

        def _render_qweb_pdf(report, report_ref, res_ids=None, data=None):
            printed.append((report_ref, res_ids))
            return render(report, report_ref, res_ids=res_ids, data=data)

        with patch.object(IrActionsReport, "_render_qweb_pdf", _render_qweb_pdf):
            self._tour("essms_walk_components", self.operator.login)
        run = self.env["essms.billing.run"].search(
            [("period_start", "=", self.month), ("kind", "=", "regular"), ("establishment_ids", "in", fam.ids)]
        )
        self.assertRecordValues(run, [{"state": "invoiced", "create_uid": self.operator.id}])
        self.assertEqual(run.establishment_ids, fam | mas)
        self.assertFalse(run.line_ids.filtered("blocked"))
        days = (self.month + relativedelta(months=1) - self.month).days
        cd66 = self.env.ref("essms_billing_demo.demo_payer_cd66")
        cpam = self.env.ref("essms_billing_demo.demo_payer_cpam66")

        def invoices(name):
            moves = run.move_ids.filtered(lambda move: move.essms_beneficiary_id.name == name)
            return {
                move.partner_id.name: [(line.quantity, line.price_unit) for line in move.invoice_line_ids]
                for move in moves
            }

        # Example I: a hospital stay from the 10th to the 14th (5 days, the first 3 at the full price).
        ines = invoices("Inès Roig")
        self.assertEqual(ines[cd66.name], [(days - 2.0, 184.50), (2.0, 161.50), (1.0, -723.32)])
        self.assertEqual(ines[cpam.name], [(days - 5.0, 72.35)])
        self.assertEqual(ines["Inès Roig"], [(1.0, 723.32)])
        # Example F: resources 600,00: floor((600,00 - 30 % of 1 033,32) / 23,00) = 12 days, the others reported.
        firmin = invoices("Firmin Pujol")
        self.assertEqual(firmin[cpam.name], [(float(days), 245.80)])
        self.assertEqual(firmin["Firmin Pujol"], [(12.0, 23.00)])
        line = run.line_ids.filtered(lambda line: line.beneficiary_id.name == "Firmin Pujol" and
                                     line.payer_id.name == "Firmin Pujol")
        self.assertIn(str(days - 12), line.anomaly)
        # With a third payer (Flora Vidal's mutual insurance), the days beyond go to it.
        self.assertEqual(invoices("Flora Vidal")["Mutuelle Catalane"], [(days - 12.0, 23.00)])

        # The tour printed the three invoices it opened, each a PDF.
        Report = self.env["ir.actions.report"]
        printed = [
            (report_ref, list(res_ids or []))
            for report_ref, res_ids in printed
            if Report._get_report(report_ref).report_name == "account.report_invoice_with_payments"
        ]
        printed_moves = self.env["account.move"].browse([res_id for _ref, res_ids in printed for res_id in res_ids])
        self.assertEqual(
            {(move.essms_beneficiary_id.name, move.partner_id.name) for move in printed_moves},
            {("Inès Roig", cd66.name), ("Inès Roig", cpam.name), ("Firmin Pujol", "Firmin Pujol")},
        )
        for report_ref, res_ids in printed:
            content, _kind = (
                Report.with_user(self.operator)
                .with_context(force_report_rendering=True, lang="fr_FR")
                ._render_qweb_pdf(report_ref, res_ids=res_ids)
            )
            self.assertTrue(content.startswith(b"%PDF"), "A PDF, not HTML.")
            self._keep_pdf(content, "components_%s" % "_".join(map(str, res_ids)))
        _logger.info(
            "Walkthrough figures: components run of %s, %d lines, %d invoices, %.2f; Inès Roig %s; Firmin Pujol %s",
            self.month, len(run.line_ids), len(run.move_ids), run.amount_total,
            ", ".join("%s %.2f" % (move.partner_id.name, move.amount_total) for move in
                      run.move_ids.filtered(lambda move: move.essms_beneficiary_id.name == "Inès Roig")),
            ", ".join("%s %.2f" % (move.partner_id.name, move.amount_total) for move in
                      run.move_ids.filtered(lambda move: move.essms_beneficiary_id.name == "Firmin Pujol")),
        )

    # A recall, a regularisation ----------------------------------------------------------------------------------

    def test_recall(self):
        decision = self.env["essms.funding.decision"].search(
            [("beneficiary_id.name", "=", "Émilie Guérin"), ("state", "=", "filed")]
        )
        self.assertEqual(len(decision), 1, "Émilie Guérin's file is pending in the demo.")
        self._tour("essms_walk_recall", self.operator.login)
        self.assertEqual(decision.state, "granted")
        run = self.env["essms.billing.run"].search([("kind", "=", "recall"), ("decision_id", "=", decision.id)])
        self.assertRecordValues(run, [{"state": "invoiced", "create_uid": self.operator.id}])
        invoices = run.move_ids.filtered(lambda move: move.move_type == "out_invoice")
        self.assertTrue(invoices)
        self.assertEqual(set(run.move_ids.mapped("state")), {"posted"})
        self.assertIn(decision.payer_id, run.move_ids.commercial_partner_id)
        _logger.info(
            "Walkthrough figures: recall of %s (entered %s): invoices %s; lines %s",
            decision.beneficiary_id.name, decision.beneficiary_id.stay_ids[:1].date_start,
            ", ".join("%s %s %.2f" % (move.name, move.partner_id.name, move.amount_total_signed)
                      for move in run.move_ids),
            ", ".join("%s %s %.2f" % (line.period_start, line.payer_id.name, line.amount) for line in run.line_ids),
        )

    def test_regularisation(self):
        Run = self.env["essms.billing.run"]
        self._tour("essms_walk_regularisation", self.operator.login)
        runs = Run.search([("kind", "=", "regularisation"), ("create_uid", "=", self.operator.id)], order="id")
        self.assertEqual(len(runs), 2, "Regularised, then run again.")
        first, again = runs
        self.assertEqual(first.state, "invoiced")
        self.assertTrue(first.move_ids)
        self.assertEqual(set(first.move_ids.mapped("state")), {"posted"})
        self.assertFalse(
            again.line_ids.filtered(lambda line: line.amount),
            "What was regularised is not billed twice.",
        )
        _logger.info(
            "Walkthrough figures: regularisation of %s: %d lines, %.2f",
            first.period_start, len(first.line_ids), sum(first.line_ids.mapped("amount")),
        )

    # A payment advice to check and post --------------------------------------------------------------------

    def test_payment_advice(self):
        Remittance = self.env["essms.remittance"]
        advice = Remittance.search([("state", "=", "checked")])
        self.assertEqual(len(advice), 1, "The demo's CD66 advice waits to be posted.")
        self._tour("essms_walk_advice", self.operator.login)
        self.assertEqual(advice.state, "posted")
        self.assertTrue(advice.payment_id)
        self.assertEqual(advice.payment_id.amount, advice.amount_total)
        self.assertTrue(advice.statement_line_id.is_reconciled, "The bank line of the transfer is reconciled.")
        _logger.info(
            "Walkthrough figures: advice %s of %s, %.2f; lines %s",
            advice.name, advice.date, advice.amount_total,
            ", ".join("%s %s %.2f" % (line.invoice_ref or line.beneficiary_name, line.status, line.amount)
                      for line in advice.line_ids),
        )
        statuses = set(advice.line_ids.mapped("status"))
        self.assertTrue({"matched", "partial", "already_paid", "unknown"} <= statuses, statuses)

    # Remind what is overdue ----------------------------------------------------------------------------------

    def test_dunning(self):
        self._tour("essms_walk_dunning", self.operator.login)
        run = self.env["essms.dunning.run"].search([("create_uid", "=", self.operator.id)])
        self.assertEqual(len(run), 1)
        self.assertIn(run.state, ("sending", "sent"))
        letters = run.letter_ids.filtered(lambda letter: letter.state != "excluded")
        addressees = set(letters.mapped("partner_id.name"))
        _logger.info(
            "Walkthrough figures: dunning letters %s",
            ", ".join("%s (%s, %d invoices, %.2f)" % (letter.partner_id.name, letter.level_id.name,
                                                     len(letter.line_ids), letter.amount_due) for letter in letters),
        )
        self.assertTrue(any("Hérault" in name for name in addressees), addressees)
        self.assertTrue(any("ATI 66" in name for name in addressees), addressees)
        # What the server's job does once the click is committed: the letters rendered, the run sent.
        self.env.ref("essms_billing.ir_cron_essms_dunning_send").method_direct_trigger()
        self.env.invalidate_all()
        self.assertEqual(run.state, "sent")
        self.assertTrue(run.batch_attachment_id, "One PDF of the letters to print is on the run.")

    # Dashboard and due-date tracking ----------------------------------------------------------------------------

    def _downloaded(self, model):
        """The file the tour downloaded from a wizard of ``model`` (wizards/download.py keeps it on the wizard)."""
        wizard = self.env[model].search([("create_uid", "=", self.operator.id)], order="id desc", limit=1)
        self.assertTrue(wizard.file, "The tour downloaded the file.")
        self.assertTrue(wizard.filename.endswith(".xlsx"), wizard.filename)
        return wizard

    def test_dashboard(self):
        self._tour("essms_walk_dashboard", self.operator.login)
        dashboard = self._downloaded("essms.recovery.dashboard")
        self.assertGreater(dashboard.amount_outstanding, 0, "The demo leaves claims to collect.")

    def test_ageing(self):
        self._tour("essms_walk_ageing", self.operator.login)
        self._downloaded("essms.receivable.ageing.export")

    # More in the demo: read only -------------------------------------------------------------------------------

    def test_demo_portfolio(self):
        """The second operator answers for the FAM and the foyer d'hébergement: her to-do has their two cards and
        her lists narrow to them; the first operator has no portfolio and sees every establishment."""
        operatrice = self.env.ref("essms_billing_demo.user_demo_operatrice")
        mine = self.env.ref("essms_billing_demo.demo_establishment_fam") | self.env.ref(
            "essms_billing_demo.demo_establishment_foyer_hebergement"
        )
        self.assertEqual(self.env["essms.establishment"].search([("operator_ids", "in", operatrice.id)]), mine)
        desk = self.env["essms.operator.desk"].with_user(operatrice).create({})
        desk._refresh()
        self.assertTrue(desk.portfolio)
        self.assertEqual(desk.line_ids.establishment_id, mine)
        Statement = self.env["essms.activity.statement"]
        everything = Statement.with_user(operatrice).search([])
        narrowed = Statement.with_user(operatrice).search([("essms_my_establishments", "=", True)])
        self.assertTrue(narrowed and narrowed.establishment_id == mine)
        self.assertLess(len(narrowed), len(everything), "the filter narrows, the rights stay")
        self.assertEqual(Statement.with_user(self.operator).search([("essms_my_establishments", "=", True)]),
                         Statement.with_user(self.operator).search([]))
        desk = self.env["essms.operator.desk"].with_user(self.operator).create({})
        desk._refresh()
        self.assertFalse(desk.portfolio)
        self.assertLessEqual(self.establishments, desk.line_ids.establishment_id)

    def test_reporting_equals_the_demo_invoices_and_statements(self):
        """The billing reporting of the demo months: its amounts are the posted run invoices less the credit
        notes, per establishment and run kind, and per month for the regular runs' own days; its days present
        are the validated statements' of each month."""
        Report = self.env["essms.billing.report"]
        moves = self.env["account.move"].search([("essms_run_id", "!=", False), ("state", "=", "posted")])
        for establishment in self.establishments:
            for kind in ("regular", "recall", "regularisation"):
                documents = moves.filtered(
                    lambda move, e=establishment, k=kind: move.essms_establishment_id == e
                    and move.essms_run_id.kind == k
                )
                groups = Report._read_group(
                    [("row_type", "=", "billed"), ("establishment_id", "=", establishment.id), ("run_kind", "=", kind)],
                    [], ["amount:sum"],
                )
                self.assertAlmostEqual(groups[0][0] or 0.0, sum(documents.mapped("amount_untaxed_signed")), places=2,
                                       msg="%s, %s runs" % (establishment.name, kind))
        regular = moves.filtered(lambda move: move.essms_run_id.kind == "regular")
        months = sorted(set(regular.essms_run_id.mapped("period_start")))
        self.assertGreaterEqual(len(months), 3, "three demo months invoiced")
        for month in months:
            invoices = regular.filtered(lambda move, m=month: move.essms_run_id.period_start == m)
            groups = Report._read_group(
                [("row_type", "=", "billed"), ("move_id", "in", invoices.ids)], [], ["amount:sum", "days_billed:sum"]
            )
            self.assertAlmostEqual(groups[0][0], sum(invoices.mapped("amount_untaxed_signed")), places=2,
                                   msg="the invoices of the run of %s" % month)
            self.assertGreater(groups[0][1], 0)
            statements = self.env["essms.activity.statement"].search(
                [("period_start", "=", month), ("state", "=", "validated")]
            )
            activity = Report._read_group([("row_type", "=", "activity"), ("month", "=", month)],
                                          ["establishment_id"], ["days_present:sum"])
            self.assertEqual(
                {establishment: round(days, 2) for establishment, days in activity},
                {statement.establishment_id: round(sum(statement.line_ids.mapped("days_present")), 2)
                 for statement in statements},
                str(month),
            )

    # Residents' money and the month's debit order (issue 19) ------------------------------------------------------

    def test_resident_money(self):
        """The resident whose income is collected: his movements, the last month paid over by the operator with its
        recap printed, his statement printed; his 467 balance is then 0."""
        Transfer = self.env["essms.third.party.transfer"]
        transfer = Transfer.search([("state", "=", "computed")])
        self.assertEqual(len(transfer), 1, "The demo leaves one transfer to pay over.")
        person = transfer.line_ids.beneficiary_id
        self.assertEqual(person.name, "Christophe Gauthier")
        self.assertEqual(Transfer.search_count([("state", "=", "posted")]), 2)
        printed = []
        render = IrActionsReport._render_qweb_pdf

        def _render_qweb_pdf(report, report_ref, res_ids=None, data=None):
            printed.append((report_ref, list(res_ids or [])))
            return render(report, report_ref, res_ids=res_ids, data=data)

        with patch.object(IrActionsReport, "_render_qweb_pdf", _render_qweb_pdf):
            self._tour("essms_walk_resident_money", self.operator.login)
        self.assertEqual(transfer.state, "posted")
        self.assertEqual(transfer.move_ids.create_uid, self.operator, "Paid over by the operator's click.")
        money = self.env["essms.resident.money"]
        balance = money._balances(transfer.company_id, person.partner_id).get(person.partner_id.id, 0.0)
        self.assertAlmostEqual(balance, 0.0, places=2)
        Report = self.env["ir.actions.report"]
        names = [(Report._get_report(report_ref).report_name, res_ids) for report_ref, res_ids in printed]
        self.assertIn(("essms_billing.report_third_party_recap", transfer.ids), names)
        self.assertIn(("essms_billing.report_resident_money", person.ids), names)
        transfers = Transfer.search([("line_ids.beneficiary_id", "=", person.id)], order="period_start")
        _logger.info(
            "Walkthrough figures: %s, income collected: %s; balance %.2f",
            person.name, "; ".join("%s income %.2f, minimum left %.2f, paid over %.2f" % (
                item.period_start.strftime("%m/%Y"), item.amount_income, item.amount_minimum_left,
                item.amount_paid_over) for item in transfers), balance,
        )
        for report, res_ids, name in (("essms_billing.action_report_essms_third_party_recap", transfer.ids, "recap"),
                                      ("essms_billing.action_report_essms_resident_money", person.ids, "statement")):
            content, _kind = (
                Report.with_user(self.operator).with_context(force_report_rendering=True, lang="fr_FR")
                ._render_qweb_pdf(report, res_ids=res_ids)
            )
            self.assertTrue(content.startswith(b"%PDF"), "A PDF, not HTML.")
            self._keep_pdf(content, "resident_money_%s" % name)

    def test_debit_order(self):
        """The month's SEPA debit order the demo prepared (OCA's modules and the bridge, installed by `make run`):
        the operator confirms it and generates its pain.008 file."""
        if "account.payment.order" not in self.env:
            self.skipTest("needs OCA's SEPA direct debit and the bridge, as `make run` installs them")
        order = self.env["account.payment.order"].search(
            [("payment_type", "=", "inbound"), ("state", "=", "draft"), ("company_id", "=", self.env.company.id)])
        self.assertEqual(len(order), 1, "The demo prepares one debit order of the month.")
        lines = order.payment_line_ids
        self.assertTrue(lines and all(lines.mapped("mandate_id")))
        self._tour("essms_walk_debit_order", self.operator.login)
        self.assertEqual(order.state, "generated")
        files = self.env["ir.attachment"].search(
            [("res_model", "=", "account.payment.order"), ("res_id", "=", order.id)])
        self.assertEqual(len(files), 1)
        self.assertIn(b"pain.008", files.raw)
        _logger.info("Walkthrough figures: debit order %s, %d debits, %.2f", order.name, len(lines),
                     sum(lines.mapped("amount_currency")))

    # The public EHPAD (public-creditor mode) ---------------------------------------------------------------------

    def test_public_titre_mise_en_demeure_and_satd(self):
        """The ordonnateur authorises the enforcement of Josette Roig's titre; the accountant's operator proposes the
        dunning run, where André Pujol's enforceable titre gets its mise en demeure de payer, then issues the SATD
        of Josette Roig's titre to her bank. The titre and the SATD's notice are printed beside the screenshots."""
        officer = self.env.ref("essms_billing_demo.user_demo_ordonnateur")
        public_operator = self.env.ref("essms_billing_demo.user_demo_operateur_public")
        company = public_operator.company_id
        self.assertEqual(company.essms_creditor_kind, "public_body")
        titres = self.env["account.move"].search([("company_id", "=", company.id), ("move_type", "=", "out_invoice")])
        ready = titres.filtered(lambda move: move.partner_id.name == "Josette Roig")
        reminded = titres.filtered(lambda move: move.partner_id.name == "André Pujol")
        self.assertEqual(set((ready | reminded).mapped("essms_recovery_stage")), {"enforceable"},
                         "taken in charge, the titres are enforceable")
        Authorisation = self.env["essms.enforcement.authorisation"]
        self.assertFalse(Authorisation._authorised_moves(ready, fields.Date.context_today(officer)))

        self._tour("essms_walk_public_authorise", officer.login)
        authorisation = Authorisation.search([("move_ids", "in", ready.ids)])
        self.assertEqual(authorisation.authorised_by_id, officer)

        self._tour("essms_walk_public_recovery", public_operator.login)
        run = self.env["essms.dunning.run"].search([("create_uid", "=", public_operator.id)], order="id desc", limit=1)
        self.assertEqual(run.company_id, company)
        letter = run.letter_ids.filtered(lambda letter: reminded in letter.line_ids.move_id)
        self.assertEqual(letter.level_id.letter_kind, "public_formal_notice")
        notice = self.env["essms.third.party.notice"].search([("move_ids", "in", ready.ids)])
        self.assertEqual(notice.state, "issued")
        self.assertEqual(notice.event_id.create_uid, public_operator)
        self.assertEqual(ready.essms_recovery_stage, "enforcing")

        Report = self.env["ir.actions.report"].with_user(public_operator).with_context(
            force_report_rendering=True, lang="fr_FR")
        for report_ref, record, name in (
            ("account.account_invoices", ready, "public_titre"),
            ("essms_billing.action_report_essms_satd_third_party", notice, "public_satd_third_party"),
            ("essms_billing.action_report_essms_satd_debtor", notice, "public_satd_debtor"),
        ):
            content, _kind = Report._render_qweb_pdf(report_ref, res_ids=record.ids)
            self.assertTrue(content.startswith(b"%PDF"), name)
            self._keep_pdf(content, name)
