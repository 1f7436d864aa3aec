from odoo import fields
from odoo import models
from odoo.exceptions import UserError

from .essms_third_party_notice import SUSPENDING_HOLDS


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _essms_make_bailiff_file(self):
        """A public body refers its titres to the commissaire de justice only with the authorising officer's
        permission and while no contest or stay suspends them (recovery-rules §4)."""
        if self.env.company.essms_creditor_kind == "public_body":
            moves = self.commercial_partner_id._essms_bailiff_claims()
            today = fields.Date.context_today(self)
            authorised = self.env["essms.enforcement.authorisation"]._authorised_moves(moves, today)
            held = self.env["essms.recovery.hold"].sudo()._held_moves(moves, today, reasons=SUSPENDING_HOLDS)
            if moves - authorised:
                raise UserError(self.env._(
                    "The authorising officer has not authorised enforcement of %(titres)s: no referral to the "
                    "commissaire de justice without that permission.",
                    titres=", ".join((moves - authorised).mapped("name"))))
            if held:
                raise UserError(self.env._(
                    "%(titres)s: enforcement is suspended by a contest or a stay of payment; no referral to the "
                    "commissaire de justice.", titres=", ".join(held.mapped("name"))))
        return super()._essms_make_bailiff_file()
