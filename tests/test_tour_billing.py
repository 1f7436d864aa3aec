from datetime import date
from unittest.mock import patch

from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon
from odoo.tests import tagged
from odoo.tests.common import new_test_user

from .billing_common import CONTRIBUTION
from .billing_common import BillingCommon
from .common import tour_screenshots

RUN_MODULE = "odoo.addons.essms_billing.models.essms_billing_run"

JULY = date(2025, 7, 1)


@tagged("post_install", "-at_install")
class TestBillingRunTour(BillingCommon, AccountTestInvoicingHttpCommon):
    """The operator bills a month in the web client, in French: validate, compute, read a line, invoice.

    The tour (static/src/tours/essms_billing_run_tour.js) clicks through the month; this test prepares what
    the operator finds in place (an establishment whose July statement is submitted, with worked example C
    of doc/billing-rules.md) and checks what the web client really did, to the cent.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.tour_establishment = cls._create_establishment("TBR", "Foyer de vie Tour Les Aspres")
        cls.stay = cls._create_resident("Tour Résident Vidal", establishment=cls.tour_establishment)
        # 8 reduced days (hospital after 72 h) at 180.00 - 20.00 of daily hospital fee: 5420.00 gross.
        cls._example_c(cls.stay)
        cls.statement = cls.env["essms.activity.statement"].create(
            {"establishment_id": cls.tour_establishment.id, "period_start": JULY}
        )
        cls.statement.action_submit()
        # The operator group alone: validating, billing and posting invoices must not need more.
        cls.operator = new_test_user(
            cls.env,
            login="essms_billing_tour_operator",
            password="essms_billing_tour_operator",
            groups="essms_billing.group_essms_operator",
            company_id=cls.company.id,
            lang="fr_FR",
            tz="Europe/Paris",
        )

    def test_operator_validates_computes_and_invoices_a_month(self):
        self.assertEqual(self.statement.state, "submitted")
        self.assertFalse(self.statement.blocking_count)

        self.start_tour("/odoo", "essms_billing_run_tour", login=self.operator.login)

        self.env.invalidate_all()
        self.assertEqual(self.statement.state, "validated", "The tour should have validated the statement.")
        self.assertEqual(self.statement.validated_by_id, self.operator)

        run = self.env["essms.billing.run"].search([("establishment_ids", "in", self.tour_establishment.ids)])
        self.assertEqual(len(run), 1, "The tour should have created one billing run for the establishment.")
        self.assertRecordValues(
            run, [{"kind": "regular", "period_start": JULY, "period_end": date(2025, 7, 31), "state": "invoiced"}]
        )
        self.assertEqual(run.create_uid, self.operator)

        payer_line = run.line_ids.filtered(lambda line: line.role == "payer")
        self.assertRecordValues(
            payer_line,
            [{"payer_id": self.departement.id, "days_billed": 31, "days_reduced": 8, "gross_amount": 5420.0,
              "contribution_amount": CONTRIBUTION, "amount": 4696.68}],
        )

        moves = run.move_ids
        self.assertEqual(len(moves), 2, "One invoice to the département and one to the resident.")
        self.assertEqual(set(moves.mapped("state")), {"posted"})
        self.assertEqual(set(moves.mapped("move_type")), {"out_invoice"})
        self.assertEqual(moves.create_uid, self.operator)
        departement_move = moves.filtered(lambda move: move.partner_id == self.departement)
        resident_move = moves - departement_move
        self.assertRecordValues(
            departement_move,
            [{"amount_total": 4696.68, "journal_id": self.tour_establishment.journal_id.id,
              "essms_beneficiary_id": self.stay.beneficiary_id.id, "essms_period_start": JULY,
              "essms_period_end": date(2025, 7, 31)}],
        )
        # Days x daily price, the reduced days and the contribution on lines of their own (billing-rules §13).
        self.assertEqual(
            [(line.quantity, line.price_unit) for line in departement_move.invoice_line_ids],
            [(23.0, 180.0), (8.0, 160.0), (1.0, -CONTRIBUTION)],
        )
        self.assertRecordValues(
            resident_move, [{"partner_id": self.stay.beneficiary_id.partner_id.id, "amount_total": CONTRIBUTION}]
        )
        self.assertEqual(payer_line.move_id, departement_move)


@tagged("post_install", "-at_install")
class TestBillingRunPartsTour(BillingCommon, AccountTestInvoicingHttpCommon):
    """A month too large to be invoiced in the click (issue 20), in the web client, in French: the operator asks for
    the invoices, the run shows the job runners' parts (0 of 2 done) and cannot be invoiced again meanwhile; the parts
    done, as Odoo's job runners do them, the run is invoiced and shows its invoices
    (static/src/tours/essms_billing_run_parts_tour.js)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        establishment = cls._create_establishment("TBP", "Foyer Tour Les Parts")
        for name in ("Parts Anne Roig", "Parts Marc Sala", "Parts Lucie Vidal"):
            cls._create_resident(name, establishment=establishment)
        cls._validated_statement(establishment, JULY)
        cls.parts_run = cls._run(establishment, JULY)
        cls.parts_run.action_compute()
        cls.operator = new_test_user(
            cls.env, login="essms_billing_parts_operator", password="essms_billing_parts_operator",
            groups="essms_billing.group_essms_operator", company_id=cls.company.id, lang="fr_FR", tz="Europe/Paris",
        )

    def test_operator_follows_a_run_invoiced_in_parts(self):
        self.assertEqual(len(self.parts_run._get_lines_to_bill().grouped(self.parts_run._invoice_key)), 6)
        with (
            patch(RUN_MODULE + ".INVOICE_QUEUE_THRESHOLD", 1),
            patch(RUN_MODULE + ".INVOICE_CHUNK_SIZE", 3),
            tour_screenshots("parts_"),
        ):
            self.start_tour("/odoo", "essms_billing_run_parts_tour", login=self.operator.login)
        self.env.invalidate_all()
        chunks = self.env["essms.job.chunk"].search([("billing_run_id", "=", self.parts_run.id)])
        self.assertEqual((len(chunks), set(chunks.mapped("state"))), (2, {"pending"}))
        self.assertEqual(chunks.user_id, self.operator)
        self.assertTrue(self.parts_run.invoicing_queued)
        self.assertFalse(self.parts_run.move_ids, "nothing is invoiced in the click")

        # Odoo's job runners, as the operator's parts: each part its invoices.
        self.env["essms.job.chunk"]._run_pending()
        self.assertEqual(set(chunks.mapped("state")), {"done"})
        run = self.parts_run
        self.assertEqual((run.state, run.invoicing_queued, len(run.move_ids)), ("invoiced", False, 6))
        self.assertEqual(self.parts_run.move_ids.create_uid, self.operator)

        with tour_screenshots("parts_"):
            self.start_tour("/odoo", "essms_billing_run_parts_done_tour", login=self.operator.login)
