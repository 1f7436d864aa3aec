from odoo import models

EXEMPTION_REASON = "Exonération de TVA – article 261-7-1°-b du CGI"


class AccountEdiCommon(models.AbstractModel):
    _inherit = "account.edi.common"

    def _get_tax_unece_codes(self, customer, supplier, tax):
        # Factur-X/UBL give the legal ground of the exemption (BT-120) instead of Odoo's generic directive
        # articles, for the tax the company bills its social and medico-social services with.
        codes = super()._get_tax_unece_codes(customer, supplier, tax)
        if tax and codes.get("tax_category_code") == "E" and tax == tax.company_id._essms_exempt_tax():
            codes["tax_exemption_reason"] = EXEMPTION_REASON
        return codes
