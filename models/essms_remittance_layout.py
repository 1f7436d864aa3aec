from odoo import api
from odoo import fields
from odoo import models

from ..engine.remittance import Layout

HEADERS_HELP = "Header names of this column in the payer's files, separated by |; empty: the usual names."


class EssmsRemittanceLayout(models.Model):
    """Where a payer's advices put each field: its header names, matched ignoring case and accents."""

    _name = "essms.remittance.layout"
    _inherit = ["essms.layout.mixin"]
    _description = "Payment advice layout"
    _order = "partner_id, id"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Payer",
        index=True,
        check_company=True,
        help="The payer whose advices have this layout; a layout without payer is the default one.",
    )
    company_id = fields.Many2one("res.company", string="Company", index=True)
    invoice_ref_headers = fields.Char(string="Invoice number column", help=HEADERS_HELP)
    beneficiary_headers = fields.Char(string="Beneficiary column", help=HEADERS_HELP)
    file_number_headers = fields.Char(string="File number column", help=HEADERS_HELP)
    period_headers = fields.Char(string="Period column", help=HEADERS_HELP)
    amount_headers = fields.Char(string="Amount column", help=HEADERS_HELP)

    @api.model
    def _for_payer(self, partner, company):
        """The payer's layout, else the default layout of the company, else an empty one (the usual names)."""
        layouts = self.search(
            [
                ("partner_id", "in", [False, partner.commercial_partner_id.id]),
                ("company_id", "in", [False, company.id]),
            ]
        )
        return layouts.sorted(lambda layout: (not layout.partner_id, not layout.company_id, layout.id))[:1]

    def _engine_layout(self):
        """The engine's ``Layout``: the columns named here, the usual names for the others."""
        if not self:
            return Layout()
        self.ensure_one()
        return Layout.from_texts(
            invoice_ref=self.invoice_ref_headers,
            beneficiary=self.beneficiary_headers,
            file_number=self.file_number_headers,
            period=self.period_headers,
            amount=self.amount_headers,
        )
