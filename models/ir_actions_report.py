import io
from collections import OrderedDict

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from odoo import models
from odoo.exceptions import UserError
from odoo.http import request
from odoo.tools import config
from odoo.tools.pdf import PdfFileReader
from odoo.tools.pdf import PdfFileWriter
from odoo.tools.pdf import merge_pdf

# The addon's documents, printed one per wkhtmltopdf call and numbered "Page x / y".
ESSMS_REPORT_MODELS = ("essms.dunning.letter", "essms.payment.plan", "essms.writeoff.board")
ESSMS_MOVE_REPORTS = ("account.report_invoice", "account.report_invoice_with_payments",
                      "essms_billing.report_nominative_statement")


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _render_qweb_pdf_prepare_streams(self, report_ref, data, res_ids=None):
        """The addon's documents are rendered one document per wkhtmltopdf call, checked and numbered.

        Debian's wkhtmltopdf (without Odoo's patched Qt) returns an empty PDF when one call holds several
        documents, and writes no outlines to split a batch back into one PDF per record: the nominative statements
        of a run, several invoices printed from the list, a letter with the curator's copy. It prints no header or
        footer either, so the page numbers are stamped on the PDF, which works with any wkhtmltopdf.
        """
        report = self._get_report(report_ref)
        if not res_ids or len(res_ids) != len(set(res_ids)) or not self._essms_renders_one_by_one(report, res_ids):
            return super()._render_qweb_pdf_prepare_streams(report_ref, data, res_ids=res_ids)
        records = self.env[report.model].browse(res_ids)
        collected_streams = OrderedDict()
        for record in records:
            contents = []
            for context in self._essms_document_copies(report, record):
                streams = super(IrActionsReport, self.with_context(**context))._render_qweb_pdf_prepare_streams(
                    report_ref, dict(data or {}), res_ids=record.ids
                )
                stream_data = streams.get(record.id) or next(iter(streams.values()))
                if stream_data.get("attachment") and report.attachment_use:
                    # Reloaded from the stored document, as printed the first time.
                    contents.append(stream_data["stream"].getvalue())
                    continue
                content = stream_data["stream"].getvalue() if stream_data.get("stream") else b""
                if not content.startswith(b"%PDF"):
                    raise UserError(self.env._(
                        "The PDF engine returned an empty document for %(document)s: it is not printed.",
                        document=record.display_name,
                    ))
                contents.append(self._essms_number_pages(content))
            collected_streams[record.id] = {
                "stream": io.BytesIO(merge_pdf(contents) if len(contents) > 1 else contents[0]),
                "attachment": None,
            }
        return collected_streams

    def _essms_pdf_renderer(self, company=None):
        """The report model to render a document that is kept (attached, sent): a real PDF, forced, except in a web
        request under tests, where wkhtmltopdf would load the page's assets from the test server whose one worker is
        busy with this request, and wait for ever (Odoo falls back to HTML there)."""
        report = self.with_company(company) if company else self
        if not (request and (config["test_enable"] or config["test_file"])):
            report = report.with_context(force_report_rendering=True)
        return report

    def _essms_renders_one_by_one(self, report, res_ids):
        if report.model in ESSMS_REPORT_MODELS:
            return True
        if report.model == "account.move" and report.report_name in ESSMS_MOVE_REPORTS:
            # Odoo's own invoices keep Odoo's rendering; the addon's go one by one, numbered.
            return bool(self.env["account.move"].browse(res_ids).sudo().filtered("essms_run_id"))
        return False

    def _essms_document_copies(self, report, record):
        """The contexts to render ``record`` with, one wkhtmltopdf call each: a dunning letter and a missed
        instalment notice have one copy per recipient (the person, the curator for information), unless the
        context names the recipient."""
        context = self.env.context
        if report.model == "essms.dunning.letter" and not context.get("essms_letter_recipient_id"):
            return [{"essms_letter_recipient_id": partner.id} for partner in record._letter_recipients()] or [{}]
        if (report.report_name == "essms_billing.report_payment_plan_notice"
                and not context.get("essms_notice_recipient_id")):
            return [{"essms_notice_recipient_id": partner.id} for partner in record._notice_recipients()] or [{}]
        return [{}]

    def _essms_number_pages(self, content):
        """Stamp "Page x / y" at the bottom right of each page, in the bottom margin."""
        reader = PdfFileReader(io.BytesIO(content), strict=False)
        count = reader.getNumPages()
        packet = io.BytesIO()
        overlay = canvas.Canvas(packet)
        for number in range(1, count + 1):
            page = reader.getPage(number - 1)
            width = float(abs(page.mediaBox.getWidth()))
            height = float(abs(page.mediaBox.getHeight()))
            overlay.setPageSize((width, height))
            overlay.setFont("Helvetica", 8)
            overlay.setFillColor(colors.Color(0.33, 0.33, 0.33))
            overlay.drawRightString(
                width - 12 * mm, 6 * mm, self.env._("Page %(page)s / %(pages)s", page=number, pages=count)
            )
            overlay.showPage()
        overlay.save()
        stamps = PdfFileReader(packet, strict=False)
        writer = PdfFileWriter()
        for index in range(count):
            page = reader.getPage(index)
            page.mergePage(stamps.getPage(index))
            writer.addPage(page)
        result = io.BytesIO()
        writer.write(result)
        return result.getvalue()
