from odoo import fields
from odoo import models

from ..engine import public_recovery

THIRD_PARTY_KINDS = [
    (public_recovery.BANK, "Bank"),
    (public_recovery.EMPLOYER, "Employer"),
    (public_recovery.CAF, "CAF"),
    (public_recovery.PENSION_FUND, "Pension fund"),
    (public_recovery.NOTARY, "Notary"),
    (public_recovery.OTHER, "Other"),
]
BENEFITS = [
    (public_recovery.RSA, "RSA"),
    (public_recovery.PRIME_ACTIVITE, "Prime d'activité"),
    (public_recovery.AAH, "AAH"),
    ("other", "Other benefit"),
]


class EssmsDebtorThirdParty(models.Model):
    """Someone who holds money for a debtor (recovery-rules §4): the debtor's bank, employer, CAF, pension fund,
    notary…, with where the information came from and when, so that an SATD can be addressed to it."""

    _name = "essms.debtor.third.party"
    _description = "Third party holding money for a debtor"
    _inherit = ["mail.thread"]
    _order = "debtor_id, kind, id"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    debtor_id = fields.Many2one("res.partner", string="Debtor", required=True, index=True, tracking=True)
    partner_id = fields.Many2one("res.partner", string="Third party", required=True, tracking=True)
    kind = fields.Selection(selection=THIRD_PARTY_KINDS, required=True, tracking=True)
    benefit = fields.Selection(
        selection=BENEFITS, tracking=True,
        help="For a CAF or a fund: the benefit it pays the debtor. RSA and prime d'activité are never seizable, "
             "the AAH only for the person's own upkeep costs.")
    reference = fields.Char(string="Account or file reference", tracking=True)
    source = fields.Char(required=True, tracking=True,
                         help="Where the information comes from: FICOBA, the debtor, the employer, the CAF…")
    date_info = fields.Date(string="Information dated", required=True, default=fields.Date.context_today,
                            tracking=True)
    active = fields.Boolean(default=True)

    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for third in self:
            third.display_name = "%s (%s)" % (third.partner_id.name or "", kinds.get(third.kind, ""))
