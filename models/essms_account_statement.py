"""Statement of account (relevé de compte) for any debtor: open invoices, payments and credits not yet matched, and
the balance; on demand, attached to reminder letters when their level says so, and sent each month to the guardian
services for all the people they protect (once per month).

What is open is read from the receivable lines' residual amounts, as the accounting holds them: the statement
never rebuilds an amount by subtraction.
"""

from odoo import api
from odoo import fields
from odoo import models
from odoo.tools.pdf import merge_pdf

STATEMENT_REPORT = "essms_billing.report_account_statement"


class EssmsAccountStatement(models.AbstractModel):
    _name = "essms.account.statement"
    _description = "Statement of account"

    @api.model
    def _debtors(self, partner):
        """Whose account a statement sent to ``partner`` covers: the people a guardian protects, else the partner."""
        partner = partner.commercial_partner_id
        protected = partner.essms_protected_ids.partner_id
        return protected | partner if protected else partner

    @api.model
    def _sections(self, partner, company):
        """One section per debtor with anything open: ``{debtor, invoices, credits, balance}``."""
        lines = self.env["account.move.line"].sudo().search_fetch(
            [("company_id", "=", company.id), ("account_type", "=", "asset_receivable"),
             ("parent_state", "=", "posted"), ("reconciled", "=", False), ("amount_residual", "!=", 0),
             ("partner_id.commercial_partner_id", "in", self._debtors(partner).ids)],
            ["move_id", "partner_id", "date", "date_maturity", "amount_residual", "balance", "name"],
            order="date, id",
        )
        sections = []
        for debtor, debtor_lines in lines.grouped(lambda line: line.partner_id.commercial_partner_id).items():
            invoices = debtor_lines.filtered(lambda line: line.amount_residual > 0)
            credits = debtor_lines - invoices
            sections.append({
                "debtor": debtor,
                "invoices": invoices,
                "credits": credits,
                "balance": company.currency_id.round(sum(debtor_lines.mapped("amount_residual"))),
            })
        return sections

    @api.model
    def _render_pdf(self, partners, company):
        """The statements of ``partners``, one PDF (each rendered on its own, then put one after the other)."""
        report = self.env["ir.actions.report"].with_company(company).with_context(force_report_rendering=True)
        contents = [report._render_qweb_pdf(STATEMENT_REPORT, res_ids=partner.ids)[0] for partner in partners]
        return merge_pdf(contents) if len(contents) > 1 else contents[0]

    @api.model
    def _send_to_guardians(self, company, month=None):
        """The month's statements to the guardian services, each once per month: posted on the guardian's file with
        the PDF, e-mailed when it has an address. Returns the guardians sent to."""
        month = (month or fields.Date.context_today(self)).replace(day=1)
        guardians = self.env["res.partner"].sudo().search([
            ("essms_protected_ids", "!=", False),
            "|", ("essms_statement_month", "=", False), ("essms_statement_month", "<", month),
        ])
        sent = self.env["res.partner"]
        for guardian in guardians:
            if not self._sections(guardian, company):
                continue
            content = self._render_pdf(guardian, company)
            attachment = self.env["ir.attachment"].sudo().create({
                "name": self.env._("Statement of account %(month)s - %(name)s.pdf",
                                   month=month.strftime("%m-%Y"), name=guardian.name),
                "raw": content,
                "mimetype": "application/pdf",
                "res_model": "res.partner",
                "res_id": guardian.id,
            })
            body = self.env._("Statement of account of %(month)s for the people you protect.",
                              month=month.strftime("%m/%Y"))
            if guardian.email:
                guardian.message_post(body=body, attachment_ids=attachment.ids, partner_ids=guardian.ids,
                                      message_type="comment", subtype_xmlid="mail.mt_comment")
            else:
                guardian.message_post(body=body, attachment_ids=attachment.ids, subtype_xmlid="mail.mt_note")
            guardian.essms_statement_month = month
            sent |= guardian
        return sent

    @api.model
    def _cron_send_to_guardians(self):
        for company in self.env["res.company"].search([]):
            self.with_company(company)._send_to_guardians(company)
