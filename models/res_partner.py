from stdnum.fr import siret

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError


class ResPartner(models.Model):
    _inherit = "res.partner"

    essms_payer_kind = fields.Selection(
        selection=[
            ("departement", "Département"),
            ("health_insurance", "Health insurance"),
            ("state", "State"),
            ("resident", "Resident"),
            ("family", "Family"),
            ("guardian", "Guardian"),
            ("other", "Other"),
        ],
        string="Payer kind",
        tracking=True,
        help="What kind of payer this partner is for an ESSMS: it selects the dunning policy, the prescription "
        "period and whether threatening letters may be sent (never to public payers).",
    )
    essms_beneficiary_ids = fields.One2many(
        "essms.beneficiary", "partner_id", string="Beneficiary files"
    )
    essms_protected_ids = fields.One2many(
        "essms.beneficiary", "protector_id", string="Protected persons"
    )

    @api.constrains("siret", "essms_payer_kind")
    def _check_essms_siret(self):
        # Payers are invoiced through Chorus Pro on their SIRET: a wrong one sends invoices nowhere.
        for partner in self:
            if partner.essms_payer_kind and partner.siret and not siret.is_valid(partner.siret):
                raise ValidationError(
                    self.env._(
                        "Payer %(name)s: the SIRET %(siret)s is not valid (14 digits with a correct check key).",
                        name=partner.display_name,
                        siret=partner.siret,
                    )
                )
