from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    essms_renewal_notice_months = fields.Integer(
        string="Renewal notice (months)",
        default=6,
        help="How long before the end of a funding decision its renewal is flagged.",
    )
    essms_exempt_tax_id = fields.Many2one(
        "account.tax",
        string="VAT exemption tax",
        check_company=True,
        domain=[("type_tax_use", "=", "sale"), ("amount", "=", 0)],
        help="The 0 % sales tax of the invoices of social and medico-social services (CGI art. 261-7-1°-b). "
        "Empty: the French chart's exempt services tax. Factur-X needs a tax on every line to state the "
        "exemption.",
    )

    essms_allocation_due_day = fields.Integer(
        string="Allocation due day",
        default=20,
        help="Day of the month the twelfths of the global allocations are due and called by the daily job "
        "(billing-rules §12).",
    )

    @api.constrains("essms_allocation_due_day")
    def _check_essms_allocation_due_day(self):
        for company in self:
            if not 1 <= company.essms_allocation_due_day <= 31:
                raise ValidationError(
                    self.env._(
                        "%(company)s: the allocation due day must be a day of the month, 1 to 31 (given: %(day)s).",
                        company=company.name,
                        day=company.essms_allocation_due_day,
                    )
                )

    essms_doubtful_notice_days = fields.Integer(
        string="Doubtful after a formal notice (days)",
        default=60,
        help="A claim whose formal notice is still unpaid this many days after it was sent is proposed for the "
        "doubtful receivables (416).",
    )

    essms_plan_notice_days = fields.Integer(
        string="Payment plan notice delay (days)",
        default=15,
        help="Days after a missed instalment (and its notice) before the payment plan is ended as broken.",
    )

    @api.constrains("essms_plan_notice_days")
    def _check_essms_plan_notice_days(self):
        for company in self:
            if company.essms_plan_notice_days < 1:
                raise ValidationError(self.env._(
                    "%(company)s: the payment plan notice delay must be at least one day.", company=company.name))

    def _essms_exempt_tax(self):
        """The tax of the billing runs' invoice lines: the one set on the company, else the French chart's."""
        self.ensure_one()
        if self.essms_exempt_tax_id:
            return self.essms_exempt_tax_id
        # ``account.chart.template.ref`` (the company's, else its root's), read from the registry's cache of
        # external ids: the invoicing asks for it on every invoice line, and ``env.ref`` queries each time.
        data = self.env["ir.model.data"]
        for company in (self, self.parent_ids[:1]):
            tax_id = company and data._xmlid_to_res_id("account.%s_tva_sale_service_0" % company.id,
                                                       raise_if_not_found=False)
            if tax_id:
                return self.env["account.tax"].browse(tax_id)
        return self.env["account.tax"]

    @api.model
    def _essms_set_document_layout(self):
        """French documents are printed on A4, with Odoo's standard layout. The first company of a new database is
        created before Odoo's paper formats exist, so it has none, and wkhtmltopdf then prints on its default, US
        Letter; without a layout, the first print of an administrator opens the layout wizard instead."""
        a4 = self.env.ref("base.paperformat_euro")
        layout = self.env.ref("web.external_layout_standard", raise_if_not_found=False)
        companies = self.sudo().with_context(active_test=False).search([])
        companies.filtered(lambda company: company.paperformat_id.format != "A4").paperformat_id = a4
        if layout:
            companies.filtered(lambda company: not company.external_report_layout_id).external_report_layout_id = layout
