from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import ValidationError


class EssmsEnforcementAuthorisation(models.Model):
    """The authorising officer's permission to enforce (recovery-rules §4): permanent for the company, or for the
    titres named. Without one covering a titre, no SATD and no referral to the commissaire de justice. Only the
    authorising officer's group creates them (access rights, and checked again here)."""

    _name = "essms.enforcement.authorisation"
    _description = "Authorisation of enforcement"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    scope = fields.Selection(
        selection=[("permanent", "Permanent"), ("titres", "These titres")], required=True, default="titres",
        tracking=True)
    move_ids = fields.Many2many(
        "account.move", "essms_enforcement_authorisation_move_rel", "authorisation_id", "move_id",
        string="Titres", check_company=True, domain=[("move_type", "=", "out_invoice"), ("state", "=", "posted")])
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    date_end = fields.Date(string="Revoked from", tracking=True)
    authorised_by_id = fields.Many2one(
        "res.users", string="Authorised by", required=True, readonly=True, default=lambda self: self.env.user)
    note = fields.Text()

    @api.constrains("scope", "move_ids")
    def _check_titres(self):
        for authorisation in self:
            if authorisation.scope == "titres" and not authorisation.move_ids:
                raise ValidationError(self.env._("Name the titres this authorisation of enforcement covers."))

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and not self.env.user.has_group("essms_billing.group_essms_authorising_officer"):
            raise AccessError(self.env._("Only the authorising officer authorises enforcement."))
        return super().create(vals_list)

    @api.model
    def _authorised_moves(self, moves, day):
        """The titres of ``moves`` enforcement of which is authorised on ``day``."""
        authorisations = self.sudo().search_fetch(
            [("company_id", "in", moves.company_id.ids), ("date", "<=", day),
             "|", ("date_end", "=", False), ("date_end", ">", day)],
            ["scope", "company_id", "move_ids"])
        permanent = set(authorisations.filtered(lambda auth: auth.scope == "permanent").company_id.ids)
        named = set(authorisations.filtered(lambda auth: auth.scope == "titres").move_ids.ids)
        return moves.filtered(lambda move: move.company_id.id in permanent or move.id in named)
