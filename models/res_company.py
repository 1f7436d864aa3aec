from odoo import fields
from odoo import models


class ResCompany(models.Model):
    _inherit = "res.company"

    essms_renewal_notice_months = fields.Integer(
        string="Renewal notice (months)",
        default=6,
        help="How long before the end of a funding decision its renewal is flagged.",
    )
