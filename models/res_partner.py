from stdnum.fr import siret

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError

from ..engine import payers


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
    essms_payer_class = fields.Selection(
        selection=[
            (payers.PUBLIC, "Public payer"),
            (payers.CONSUMER, "Resident, family or guardian"),
            (payers.PRIVATE, "Other private payer"),
        ],
        string="Payer class",
        compute="_compute_essms_payer_class",
        store=True,
        index=True,
        help="What the payer kind decides (engine/payers.py): a public payer gets administrative reminders only "
        "and its claims are barred after 4 years; a resident, a family or a guardian is reminded up to the formal "
        "notice and barred after 2 years; another private payer after 5 years.",
    )
    essms_beneficiary_ids = fields.One2many(
        "essms.beneficiary", "partner_id", string="Beneficiary files"
    )
    essms_protected_ids = fields.One2many(
        "essms.beneficiary", "protector_id", string="Protected persons"
    )

    @api.depends("essms_payer_kind")
    def _compute_essms_payer_class(self):
        for partner in self:
            kind = partner.essms_payer_kind
            partner.essms_payer_class = payers.payer_class(kind) if kind else False

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

    def _essms_window_address(self, company):
        """The address printed in a window envelope, as La Poste reads it (NF Z10-011): the name, the street
        lines, the postal code then the town in capitals on the last line, the country only for mail abroad."""
        self.ensure_one()
        lines = []
        if self.parent_id and not self.is_company:
            lines.append(self.parent_id.name)
        lines += [self.name, self.street, self.street2]
        lines.append(" ".join(filter(None, [self.zip, (self.city or "").upper()])))
        if self.country_id and self.country_id != company.country_id:
            lines.append(self.country_id.name.upper())
        return [line for line in lines if line]
