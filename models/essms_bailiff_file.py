"""The file a commissaire de justice needs (recovery-rules §3): for a debtor, one PDF bundle and a CSV of the claims.

The bundle is the statement of account (each open claim, what was invoiced, paid and is due, its prescription date;
each letter and notice sent with its date, channel and registered-letter number; each legal event), then the
letters and notices as they were sent (their stored PDFs) and the invoices. Both files are attached to the debtor.
"""

import csv
import io

from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import formatLang
from odoo.tools.pdf import merge_pdf

STATEMENT_REPORT = "essms_billing.action_report_essms_bailiff_statement"
INVOICE_REPORT = "account.account_invoices"


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _essms_bailiff_claims(self):
        self.ensure_one()
        return self.env["account.move"].search([
            ("commercial_partner_id", "=", self.commercial_partner_id.id), ("company_id", "=", self.env.company.id),
            ("move_type", "=", "out_invoice"), ("state", "=", "posted"), ("amount_residual", ">", 0),
        ], order="invoice_date_due, id")

    def _essms_bailiff_letters(self, moves):
        return moves.essms_dunning_line_ids.letter_id.filtered(lambda letter: letter.state == "sent").sorted(
            lambda letter: (letter.sent_date or fields.Datetime.now(), letter.id))

    def _essms_bailiff_csv(self, moves):
        """The claims, one row each, in the French spreadsheet format (semicolon, decimal comma, UTF-8 with BOM)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow([self.env._("Invoice"), self.env._("Invoice date"), self.env._("Due date"),
                         self.env._("Invoiced"), self.env._("Paid"), self.env._("Amount due"),
                         self.env._("Time-barred on"), self.env._("Reminders sent")])

        def amount(value):
            return ("%.2f" % value).replace(".", ",")

        for move in moves:
            letters = self._essms_bailiff_letters(move)
            writer.writerow([
                move.name, move.invoice_date or "", move.invoice_date_due or "", amount(move.amount_total),
                amount(move.amount_total - move.amount_residual), amount(move.amount_residual),
                move.essms_prescription_date or "",
                ", ".join("%s %s" % (letter.sent_date.date() if letter.sent_date else letter.date,
                                     letter.registered_number or "") for letter in letters).strip(),
            ])
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")

    def action_essms_bailiff_file(self):
        """Make the bailiff's file of the debtor's open claims and attach its PDF bundle and CSV to the debtor (its
        chatter shows them)."""
        self.ensure_one()
        self._essms_make_bailiff_file()
        return True

    def _essms_make_bailiff_file(self):
        self.ensure_one()
        debtor = self.commercial_partner_id
        moves = debtor._essms_bailiff_claims()
        if not moves:
            raise UserError(self.env._("%(debtor)s has no open claim: there is no file to make.",
                                       debtor=debtor.display_name))
        report = self.env["ir.actions.report"]._essms_pdf_renderer()
        statement, _kind = report._render_qweb_pdf(STATEMENT_REPORT, res_ids=debtor.ids)
        documents = [statement]
        documents += [letter.attachment_id.raw for letter in debtor._essms_bailiff_letters(moves)
                      if letter.attachment_id and (letter.attachment_id.raw or b"").startswith(b"%PDF")]
        invoices, _kind = report._render_qweb_pdf(INVOICE_REPORT, res_ids=moves.ids)
        documents.append(invoices)
        pdfs = [document for document in documents if document and document.startswith(b"%PDF")]
        bundle = merge_pdf(pdfs) if len(pdfs) > 1 else (pdfs[0] if pdfs else statement)
        today = fields.Date.context_today(self)
        name = self.env._("Bailiff file - %(debtor)s - %(date)s", debtor=debtor.name, date=today)
        Attachment = self.env["ir.attachment"]
        attachments = Attachment.create({
            "name": "%s.pdf" % name, "raw": bundle, "res_model": "res.partner", "res_id": debtor.id,
            "mimetype": "application/pdf" if bundle.startswith(b"%PDF") else "text/html",
        }) | Attachment.create({
            "name": "%s.csv" % name, "raw": debtor._essms_bailiff_csv(moves), "res_model": "res.partner",
            "res_id": debtor.id, "mimetype": "text/csv",
        })
        total = formatLang(self.env, sum(moves.mapped("amount_residual")), currency_obj=self.env.company.currency_id)
        debtor.message_post(body=self.env._("Bailiff file of %(count)s claims (%(amount)s due).", count=len(moves),
                                            amount=total),
                            attachment_ids=attachments.ids)
        return attachments
