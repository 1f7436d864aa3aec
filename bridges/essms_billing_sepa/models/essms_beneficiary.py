from odoo import fields
from odoo import models


class EssmsBeneficiary(models.Model):
    _inherit = "essms.beneficiary"

    essms_mandate_ids = fields.One2many("account.banking.mandate", "essms_beneficiary_id", string="SEPA mandates")
