"""Printed documents: the ESSMS invoice, the nominative statement, Factur-X for Chorus Pro payers."""

import io
import subprocess
from datetime import date
from datetime import datetime
from unittest.mock import patch

from lxml import etree

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import freeze_time
from odoo.tests import new_test_user
from odoo.tests import tagged
from odoo.tools import config
from odoo.tools import format_date
from odoo.tools import formatLang
from odoo.tools import mute_logger
from odoo.tools.pdf import OdooPdfFileReader

from .billing_common import BillingCommon
from .pdf_common import PdfMixin
from .pdf_common import pdf_pages_text
from .pdf_common import pdf_words
from .pdf_common import quantity_price_rows

JULY = date(2025, 7, 1)
EXEMPTION = "Exonération de TVA – article 261-7-1°-b du CGI"
INVOICE_REPORT = "account.account_invoices"
STATEMENT_REPORT = "essms_billing.action_report_nominative_statement"
CII = {
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
}


def _wkhtmltopdf_writes_outlines():
    version = subprocess.run(["wkhtmltopdf", "--version"], capture_output=True, text=True, check=False).stdout
    return "patched qt" in version


@tagged("post_install", "-at_install")
@freeze_time("2025-08-05")
class TestReports(BillingCommon, PdfMixin):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        france = cls.env.ref("base.fr")
        cls.company.write({
            "country_id": france.id,
            "street": "2 avenue de la Gare",
            "zip": "66000",
            "city": "Perpignan",
            "vat": "FR23334175221",
            "siret": "33417522100004",
            "phone": "+33 4 68 00 00 00",
            "email": "facturation@association.example",
        })
        cls.env["res.partner.bank"].create({
            "acc_number": "FR7630001007941234567890185",
            "partner_id": cls.company.partner_id.id,
            "allow_out_payment": True,
        })
        cls.exempt_tax = cls.env["account.tax"].create({
            "name": "0% exonéré ESSMS",
            "amount": 0.0,
            "amount_type": "percent",
            "type_tax_use": "sale",
            "tax_scope": "service",
            "company_id": cls.company.id,
        })
        cls.company.essms_exempt_tax_id = cls.exempt_tax
        cls.company.partner_id.lang = "fr_FR" if cls.env["res.lang"]._lang_get("fr_FR") else "en_US"
        # The documents are read in French: the partners' language when the database has it.
        cls.lang = "fr_FR" if cls.env["res.lang"]._lang_get("fr_FR") else "en_US"
        cls.departement.write({
            "lang": cls.lang,
            "street": "24 quai Sadi Carnot",
            "zip": "66000",
            "city": "Perpignan",
            "country_id": france.id,
            "siret": "21440109300015",
        })
        cls.establishment.write({"finess": "660000123", "partner_id": cls.env["res.partner"].create({
            "name": "Foyer de vie Les Oliviers", "street": "5 chemin des Oliviers", "zip": "66100",
            "city": "Perpignan", "country_id": france.id, "company_id": cls.company.id,
        }).id})

    def _invoiced(self, establishment):
        self._validated_statement(establishment, JULY)
        run = self._run(establishment, JULY)
        run.action_compute()
        run.action_invoice()
        # The job triggered by the invoicing attaches the nominative statements.
        self.env["account.move"]._cron_essms_attach_nominative_statements()
        return run

    def _html(self, report, moves):
        html = self.env["ir.actions.report"]._render_qweb_html(report, moves.ids)[0].decode()
        # Monetary values use no-break spaces, and a zero-width one after the minus sign.
        return html.replace("\xa0", " ").replace("\u202f", " ").replace("\ufeff", "")

    def _amount(self, value):
        return formatLang(self.env(context={"lang": self.lang}), value).replace("\xa0", " ").replace("\u202f", " ")

    def _date(self, value):
        return format_date(self.env(context={"lang": self.lang}), value)

    def _departement_move(self, run):
        return run.move_ids.filtered(lambda move: move.partner_id == self.departement)

    def test_invoice_per_beneficiary_prints_the_sector_mentions(self):
        stay = self._create_resident("Martin", birth_date=date(1980, 5, 17))
        self._example_c(stay)
        move = self._departement_move(self._invoiced(self.establishment))
        html = self._html(INVOICE_REPORT, move)
        for expected in (
            "Foyer de vie Les Oliviers", "<span>660000123</span>", "5 chemin des Oliviers", "Martin",
            self._date(date(1980, 5, 17)), "F-FDV-Martin", "DEC-Martin", self._date(JULY),
            self._date(date(2025, 7, 31)), "SERV-FDV", "ENG-FDV", "<span>21440109300015</span>", EXEMPTION,
        ):
            self.assertIn(expected, html)
        details = move.with_context(lang="en_US")._essms_invoice_details()
        self.assertEqual(
            [(row["label"], row["days"], row["price"], row["amount"]) for row in details[0]["rows"]],
            [
                ("23 days at the full price (present, or absent without reduction)", 23.0, 180.0, 4140.0),
                ("8 days × %s = %s (absence over 72 h: %s less the daily hospital fee %s)" % (
                    self._money(160), self._money(1280), self._money(180), self._money(20)), 8.0, 160.0, 1280.0),
                ("Resident contribution deducted", False, False, -723.32),
            ],
        )
        # The rows the reader adds up make the invoice's total, each the days times the price printed beside it.
        self.assertAlmostEqual(sum(row["amount"] for row in details[0]["rows"]), move.amount_total)
        for amount in (180.0, 4140.0, 160.0, 1280.0, -723.32, 4696.68):
            self.assertIn(self._amount(amount), html)
        self.assertEqual(html.count(EXEMPTION), 1, "the run's narration must not repeat the mention")

    def test_standard_invoices_keep_odoo_layout(self):
        move = self.env["account.move"].create({
            "move_type": "out_invoice",
            "partner_id": self.departement.id,
            "invoice_line_ids": [Command.create({"name": "Meals", "quantity": 1, "price_unit": 10.0})],
        })
        html = self._html(INVOICE_REPORT, move)
        self.assertIn('name="invoice_line_table"', html)
        self.assertNotIn("essms_detail_table", html)
        self.assertNotIn(EXEMPTION, html)

    def test_resident_invoice_goes_to_the_guardian_naming_the_protected_person(self):
        guardian = self.env["res.partner"].create(
            {"name": "UDAF 66", "street": "1 rue du Mandataire", "zip": "66000", "city": "Perpignan", "lang": self.lang}
        )
        stay = self._create_resident("Protected", legal_protection="tutelle", protector_id=guardian.id)
        mister = self.env.ref("base.res_partner_title_mister")
        stay.beneficiary_id.partner_id.write({"lang": self.lang, "title": mister.id})
        run = self._invoiced(self.establishment)
        resident_move = run.move_ids - self._departement_move(run)
        html = self._html(INVOICE_REPORT, resident_move)
        # "M. Protected, représenté(e) par" above the guardian's name and address.
        represented = html.split('name="essms_represented_person"')[1].split("</div>")[0]
        self.assertIn(mister.with_context(lang=self.lang).shortcut, represented)
        self.assertIn("Protected", represented)
        address = html.split('name="essms_represented_person"')[1].split("</address>")[0]
        self.assertIn("UDAF 66", address)
        self.assertIn("1 rue du Mandataire", address)
        self.assertIn(self._amount(723.32), html)
        # The département's invoice is addressed to the département, with nobody represented.
        self.assertNotIn("essms_represented_person", self._html(INVOICE_REPORT, self._departement_move(run)))

    def test_invoice_per_payer_gets_its_nominative_statement(self):
        grouped = self._create_establishment("GRP", "Foyer groupé", grouping="payer")
        grouped.finess = "660000456"
        first = self._create_resident("Alpha", establishment=grouped, birth_date=date(1975, 1, 2))
        self._create_resident("Beta", establishment=grouped, birth_date=date(1990, 3, 4))
        self._absence(first, "hospital", datetime(2025, 7, 10, 9), datetime(2025, 7, 20, 18))
        run = self._invoiced(grouped)
        move = self._departement_move(run)
        statement = move.essms_statement_id
        self.assertTrue(statement, "the payer's invoice carries its nominative statement")
        self.assertEqual((statement.res_model, statement.res_id), ("account.move", move.id))
        self.assertFalse((run.move_ids - move).essms_statement_id, "residents' invoices have none")
        self.assertIn(statement, self.env["account.move.send"]._get_invoice_extra_attachments(move))

        html = self._html(STATEMENT_REPORT, move)
        for expected in ("Alpha", "Beta", "F-GRP-Alpha", "DEC-Alpha", self._date(date(1975, 1, 2)),
                         self._date(date(1990, 3, 4)), "660000456", "<span>2</span>", "SERV-GRP", "ENG-GRP"):
            self.assertIn(expected, html)
        alpha = html.split("F-GRP-Alpha")[1].split("</tr>")[0]
        cells = [cell.split(">", 1)[1].split("<", 1)[0].strip() for cell in alpha.split("<td")[1:]]
        # Entry, exit, present 20, hospital 11, personal, holidays, other, full price 23, reduced 8, then amounts.
        self.assertEqual(cells[3:10], ["20", "11", "0", "0", "0", "23", "8"])
        for amount in (5420.0, 723.32, 4696.68, 4856.68, 11000.0, 1446.64, 9553.36):
            self.assertIn(self._amount(amount), html)
        self.assertAlmostEqual(move.amount_total, 9553.36, msg="the statement's net total is the invoice's")
        invoice_html = self._html(INVOICE_REPORT, move)
        self.assertIn('name="essms_beneficiaries"', invoice_html)
        rows = invoice_html.split('name="essms_beneficiary_row"')[1:]
        self.assertEqual(len(rows), 2, "one heading per beneficiary on the payer's invoice")
        self.assertIn("Alpha", rows[0])
        # Under each beneficiary, its days x prices, the contribution and its amount (billing-rules §13).
        self.assertEqual(rows[0].count('name="essms_detail_row"'), 3)
        for amount in (180.0, 4140.0, 160.0, 1280.0, -723.32, 4696.68):
            self.assertIn(self._amount(amount), rows[0])

    def test_a_failing_pdf_engine_does_not_undo_the_invoices(self):
        """wkhtmltopdf fails (no server to load assets from, a crash): the invoices stay posted, the payer's
        invoice says so on its chatter, the job does not retry it forever, and sending it makes it again."""
        grouped = self._create_establishment("GRF", "Foyer groupé", grouping="payer")
        self._create_resident("Alpha", establishment=grouped)
        AccountMove = type(self.env["account.move"])
        with (
            patch.object(AccountMove, "_essms_render_nominative_statements",
                         side_effect=OSError("wkhtmltopdf: exit code 1")) as render,
            mute_logger("odoo.addons.essms_billing.models.account_move"),
        ):
            run = self._invoiced(grouped)
            self.env["account.move"]._cron_essms_attach_nominative_statements()
        self.assertEqual(render.call_count, 1, "a statement that failed is not retried by the same job")
        self.assertEqual(run.state, "invoiced")
        move = self._departement_move(run)
        self.assertEqual(move.state, "posted")
        self.assertFalse(move.essms_statement_id)
        self.assertEqual(move.essms_statement_error, "wkhtmltopdf: exit code 1")
        self.assertIn("wkhtmltopdf: exit code 1", move.message_ids[:1].body)
        self.assertIn("L'état nominatif n'a pas pu être joint", move.message_ids[:1].body,
                      "said on the chatter in French, the company's language")
        # Sending it refuses while the statement cannot be made, and says why in French.
        with (
            patch.object(AccountMove, "_essms_render_nominative_statements",
                         side_effect=OSError("wkhtmltopdf: exit code 1")),
            mute_logger("odoo.addons.essms_billing.models.account_move"),
            self.assertRaisesRegex(UserError, "n'est pas envoyée sans lui"),
        ):
            move.with_context(lang="fr_FR").action_send_and_print()
        # The job tries again an hour later, and attaches it.
        with freeze_time("2025-08-05 01:01:00"):
            self.env["account.move"]._cron_essms_attach_nominative_statements()
        self.assertTrue(move.essms_statement_id, "the job retried the statement")
        self.assertFalse(move.essms_statement_error)
        self.assertIn(move.essms_statement_id, self.env["account.move.send"]._get_invoice_extra_attachments(move))

    def test_statement_job_attaches_a_pdf_to_every_grouped_invoice(self):
        """The job's batch holds several invoices: rendered in one call, Debian's wkhtmltopdf made an empty PDF
        ("Cannot read an empty file" on every invoice of a fresh demo database, while the tests read HTML). Each is
        now a PDF of its own, also under test."""
        moves = self.env["account.move"]
        for code in ("GRA", "GRB"):
            grouped = self._create_establishment(code, "Foyer %s" % code, grouping="payer")
            self._create_resident("Alpha %s" % code, establishment=grouped)
            self._validated_statement(grouped, JULY)
            run = self._run(grouped, JULY)
            run.action_compute()
            run.action_invoice()
            moves |= self._departement_move(run)
        self.env["account.move"]._cron_essms_attach_nominative_statements()
        for move in moves:
            self.assertFalse(move.essms_statement_error)
            text = self.assert_pdf(move.essms_statement_id.raw, landscape=True)
            self.assertIn(move.name, text)
            self.assertIn(self._amount(move.amount_total), text)

    def test_run_invoices_carry_no_fiscal_position(self):
        """l10n_fr's "EU privé" applies by itself to every customer in Europe without a VAT number, départements
        and residents alike: run invoices (French services exempt from VAT) carry none, chosen explicitly."""
        eu_private = self.env["account.fiscal.position"].create({
            "name": "EU privé",
            "auto_apply": True,
            "country_group_id": self.env.ref("base.europe").id,
            "company_id": self.company.id,
        })
        self.assertEqual(
            self.env["account.fiscal.position"].with_company(self.company)._get_fiscal_position(self.departement),
            eu_private,
            "Odoo would choose it for the département",
        )
        self._create_resident("Martin")
        run = self._invoiced(self.establishment)
        self.assertEqual(len(run.move_ids), 2, "the département's invoice and the resident's")
        self.assertFalse(run.move_ids.fiscal_position_id)
        self.assertEqual(run.move_ids.invoice_line_ids.tax_ids, self.exempt_tax, "the exempt tax, unmapped")

    def test_invoicing_triggers_the_statement_job(self):
        grouped = self._create_establishment("GRT", "Foyer groupé", grouping="payer")
        self._create_resident("Alpha", establishment=grouped)
        self._validated_statement(grouped, JULY)
        run = self._run(grouped, JULY)
        run.action_compute()
        cron = self.env.ref("essms_billing.ir_cron_essms_nominative_statements")
        with patch.object(type(cron), "_trigger", autospec=True) as trigger:
            run.action_invoice()
        self.assertEqual([call.args[0] for call in trigger.call_args_list], [cron])
        self.assertFalse(self._departement_move(run).essms_statement_id, "not rendered inside the invoicing")

    # The printed documents, rendered by wkhtmltopdf through the Print button's route, as the operator.

    def _operator(self):
        return new_test_user(
            self.env, "essms_report_operator", groups="essms_billing.group_essms_operator",
            company_id=self.company.id, company_ids=[Command.set(self.company.ids)], lang=self.lang,
        )

    def _seller_mentions(self):
        """The legal mentions of billing-rules §6 that identify the seller, printed in the body."""
        return (self.company.name, "2 avenue de la Gare", "33417522100004", "SIRET 33417522100004")

    def test_printed_invoice_per_beneficiary(self):
        stay = self._create_resident("Martin", birth_date=date(1980, 5, 17))
        self._example_c(stay)
        move = self._departement_move(self._invoiced(self.establishment))
        self.assertFalse(move.fiscal_position_id, "an exempt French service: no fiscal position, not EU privé")
        operator = self._operator()
        content, filename = self.render_print_action(move.with_user(operator).action_print_pdf(), user=operator)
        self.keep_pdf("invoice_single.pdf", content)
        text = self.assert_pdf(content, pages=1)
        for expected in (
            *self._seller_mentions(),
            "Foyer de vie Les Oliviers", "FINESS 660000123", "5 chemin des Oliviers",  # the establishment
            "24 quai Sadi Carnot", "21440109300015",  # the customer
            move.name, "Martin", "F-FDV-Martin", "DEC-Martin", "SERV-FDV", "ENG-FDV", EXEMPTION, "Page 1 / 1",
        ):
            self.assertIn(expected, text)
        # The stored detail rows (billing-rules §13): 23 days at 180,00, 8 reduced days at 160,00, the contribution.
        for amount in (180.0, 4140.0, 160.0, 1280.0, -723.32, 4696.68):
            self.assertIn(self._amount(amount), text)
        self._check_quantity_times_price(content, rows=2)
        self.assertEqual(filename, "%s.pdf" % move.name)

    def test_printed_invoice_per_payer_and_its_statement(self):
        """Two pages of beneficiaries: the table's header is printed again on the second page, no row is cut by
        the page break, the statement's last column (Net) is on the page, every page is numbered."""
        grouped = self._create_establishment("GRP", "Foyer groupé", grouping="payer")
        grouped.write({"finess": "660000456", "partner_id": self.establishment.partner_id.id})
        names = ["Résident %02d" % number for number in range(1, 25)]
        for name in names:
            self._create_resident(name, establishment=grouped, birth_date=date(1980, 1, 1))
        move = self._departement_move(self._invoiced(grouped))
        self.assertFalse(move.fiscal_position_id, "an exempt French service: no fiscal position, not EU privé")
        operator = self._operator()
        per_person = move.essms_line_ids[:1].amount

        content, _filename = self.render_print_action(move.with_user(operator).action_print_pdf(), user=operator)
        self.keep_pdf("invoice_grouped.pdf", content)
        text = self.assert_pdf(content)
        for expected in (*self._seller_mentions(), "FINESS 660000456", "21440109300015", move.name, EXEMPTION):
            self.assertIn(expected, text)
        self.assertIn(self._amount(move.amount_total), text)
        # On the invoice a beneficiary heads several rows (days at a price, contribution, its amount): a page break may
        # fall between two of them, so rows are counted on the statement below (one row per beneficiary) and the
        # invoice's pages are checked for their numbers, header, margins and every beneficiary printed.
        self._check_pages(content, names, header="Description", amount=None)
        self._check_quantity_times_price(content, rows=len(names))

        # The statement as the job attached it, and as printed from the invoice's Print menu.
        attached = move.essms_statement_id
        self.assertEqual(attached.mimetype, "application/pdf", "a PDF, also under test")
        action = self.env.ref(STATEMENT_REPORT).with_user(operator).report_action(move)
        content, filename = self.render_print_action(action, user=operator)
        self.keep_pdf("nominative_statement.pdf", content)
        for pdf in (attached.raw, content):
            text = self.assert_pdf(pdf, landscape=True)
            for expected in (*self._seller_mentions(), "FINESS 660000456", move.name, "SERV-GRP", "ENG-GRP"):
                self.assertIn(expected, text)
            self.assertIn(self._amount(move.amount_total), text)
        self._check_pages(content, names, header="Bénéficiaire" if self.lang == "fr_FR" else "Beneficiary",
                          amount=self._amount(per_person))
        self.assertTrue(filename.endswith(".pdf") and not filename.endswith(".pdf.pdf"))

    def _check_quantity_times_price(self, content, rows):
        """Each amount of the table is the quantity times the unit price printed beside it (billing-rules §13),
        read from the PDF as the payer reads it."""
        found = quantity_price_rows(content)
        self.assertEqual(len(found), rows, "rows with days, a daily price and an amount: %s" % found)
        for line, quantity, price, amount in found:
            self.assertAlmostEqual(quantity * price, amount, places=2, msg="not quantity x price: %r" % line)

    def _check_pages(self, content, names, header, amount):
        """Every page numbered; each beneficiary's row whole on one page, with its amount; no word past the right
        margin. The table's header on the first page, and on every page with a wkhtmltopdf that can repeat it
        (Debian's cannot: see report_essms_document_style)."""
        pages = pdf_pages_text(content)
        pages = [page for page in pages if page.strip()]
        self.assertGreater(len(pages), 1, "enough beneficiaries for two pages")
        for number, page in enumerate(pages, start=1):
            self.assertIn("Page %s / %s" % (number, len(pages)), page)
            if number == 1 or (_wkhtmltopdf_writes_outlines() and any(name in page for name in names)):
                self.assertIn(header, page, "the table's header on page %s" % number)
        if amount is None:
            self.assertEqual([name for name in names if not any(name in page for page in pages)], [],
                             "every beneficiary printed")
        else:
            for number, page in enumerate(pages, start=1):
                # As many rows as amounts on each page: a row cut by the page break leaves its amount on the next.
                self.assertEqual(sum(1 for name in names if name in page), page.count(amount),
                                 "a row is cut across page %s" % number)
            self.assertEqual(sum(page.count(amount) for page in pages), len(names), "every row printed once")
        for page, word, _x_min, x_max, width in pdf_words(content):
            self.assertLessEqual(x_max, width - 10, "%r is cut at the right edge of page %s" % (word, page))

    def test_facturx_for_chorus_pro_payers(self):
        self.departement.invoice_edi_format = "facturx"
        self._create_resident("Martin")
        move = self._departement_move(self._invoiced(self.establishment))
        self.assertEqual(move.invoice_line_ids.tax_ids, self.exempt_tax)
        # Odoo's own sending flow, outside its test shortcut that skips the embedding in the PDF.
        with patch.dict(config.options, {"test_enable": False, "test_file": False}):
            self.env["account.move.send"]._generate_and_send_invoices(move, sending_methods=["manual"])
        pdf = move.invoice_pdf_report_id.raw
        self.assertTrue(pdf.startswith(b"%PDF"))
        if _wkhtmltopdf_writes_outlines():
            # Odoo makes a PDF/A-3 from the outlines that only its patched wkhtmltopdf writes.
            self.assertIn(b"<pdfaid:part>3</pdfaid:part>", pdf, "a PDF/A-3, as Factur-X requires")
        reader = OdooPdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = dict(reader.getAttachments())
        self.assertIn("factur-x.xml", embedded)
        tree = etree.fromstring(embedded["factur-x.xml"])

        def value(xpath):
            return tree.xpath(xpath, namespaces=CII)[0].text

        agreement = "//ram:ApplicableHeaderTradeAgreement"
        self.assertEqual(value(f"{agreement}/ram:BuyerReference"), "SERV-FDV")
        self.assertEqual(value(f"{agreement}/ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID"), "ENG-FDV")
        self.assertEqual(value(f"{agreement}/ram:BuyerTradeParty/ram:SpecifiedLegalOrganization/ram:ID"),
                         "21440109300015")
        self.assertEqual(value(f"{agreement}/ram:SellerTradeParty/ram:SpecifiedLegalOrganization/ram:ID"),
                         "33417522100004")
        tax = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax"
        self.assertEqual(value(f"{tax}/ram:CategoryCode"), "E")
        self.assertEqual(value(f"{tax}/ram:ExemptionReason"), EXEMPTION)
        self.assertEqual(value("//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:DuePayableAmount"),
                         "4856.68")

    def test_facturx_of_a_grouped_invoice_carries_the_days_as_quantities(self):
        """Chorus Pro receives days x daily price per beneficiary, not 1 x the month's amount (billing-rules §13)."""
        grouped = self._create_establishment("GRF", "Foyer groupé Factur-X", grouping="payer")
        first = self._create_resident("Alpha", establishment=grouped)
        self._create_resident("Beta", establishment=grouped)
        self._absence(first, "hospital", datetime(2025, 7, 10, 9), datetime(2025, 7, 20, 18))
        move = self._departement_move(self._invoiced(grouped))
        xml, errors = self.env["account.edi.xml.cii"]._export_invoice(move)
        self.assertFalse(errors)
        tree = etree.fromstring(xml)
        items = tree.xpath("//ram:IncludedSupplyChainTradeLineItem", namespaces=CII)
        rows = []
        for item in items:
            quantity = float(item.xpath(".//ram:BilledQuantity", namespaces=CII)[0].text)
            price = float(item.xpath(".//ram:NetPriceProductTradePrice/ram:ChargeAmount", namespaces=CII)[0].text)
            total = float(item.xpath(".//ram:LineTotalAmount", namespaces=CII)[0].text)
            self.assertAlmostEqual(quantity * price, total, places=2)
            rows.append((quantity, total))
        # The contribution deducted: Odoo writes a negative line as -1 x the positive price (EN 16931).
        self.assertEqual(
            rows, [(23.0, 4140.0), (8.0, 1280.0), (-1.0, -723.32), (31.0, 5580.0), (-1.0, -723.32)],
        )
        due = tree.xpath("//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:DuePayableAmount",
                         namespaces=CII)[0].text
        self.assertEqual(float(due), sum(total for _quantity, total in rows))
