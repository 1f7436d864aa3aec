"""Titres de recettes of a public creditor (recovery-rules §4): the floor, the taking in charge by the accountant
that starts the 4-year prescription (CGCT L1617-5), and the titre's stage."""


from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError

from ..engine import public_recovery


class AccountMove(models.Model):
    _inherit = "account.move"

    essms_creditor_kind = fields.Selection(related="company_id.essms_creditor_kind", string="Creditor kind")
    essms_taken_in_charge = fields.Date(
        string="Taken in charge by the accountant", copy=False, readonly=True, tracking=True,
        help="The day the public accountant took the titre in charge: the 4-year prescription starts (CGCT "
             "L1617-5) and the titre is enforceable.")

    @api.depends("essms_taken_in_charge")
    def _compute_essms_prescription_date(self):
        return super()._compute_essms_prescription_date()

    def _essms_titres_below_floor(self):
        """The customer invoices of public bodies in ``self`` below the titre floor in force on their date, with
        the engine's message for each."""
        refused = []
        Parameter = self.env["essms.parameter"]
        floors = {}  # one look-up per invoice date, not per titre: a run posts hundreds at once
        for move in self.filtered(lambda move: move.move_type == "out_invoice"
                                  and move.company_id.essms_creditor_kind == "public_body"):
            day = move.invoice_date or fields.Date.context_today(self)
            if day not in floors:
                floors[day] = Parameter.get_value("titre_floor", day)
            floor = floors[day]
            _issued, below = public_recovery.split_titres(
                [public_recovery.Titre(move.partner_id.name or "", move.amount_total)], floor)
            refused.extend((move, message) for _titre, message in below)
        return refused

    def _essms_floor_text(self, message):
        params = message.formatted_params()
        for key in ("amount", "floor"):
            params[key] = params[key].replace(".", ",")
        return self.env._(message.template.text, **params)

    def _post(self, soft=True):
        refused = self._essms_titres_below_floor()
        if refused:
            raise UserError(self.env._(
                "No titre below the floor:\n%(lines)s",
                lines="\n".join(self._essms_floor_text(message) for _move, message in refused)))
        return super()._post(soft=soft)

    def action_essms_take_in_charge(self):
        """The accountant takes the titres in charge (today, or the day in the context): they are enforceable and
        their 4-year prescription runs."""
        titres = self.filtered(lambda move: move.move_type == "out_invoice" and move.state == "posted"
                               and move.company_id.essms_creditor_kind == "public_body")
        if titres != self or not titres:
            raise UserError(self.env._(
                "Only the posted titres of a public body are taken in charge: %(moves)s are not.",
                moves=", ".join((self - titres).mapped("display_name")) or "-"))
        already = titres.filtered("essms_taken_in_charge")
        if already:
            raise UserError(self.env._("%(titres)s were already taken in charge.",
                                       titres=", ".join(already.mapped("name"))))
        day = self.env.context.get("essms_take_in_charge_date") or fields.Date.context_today(self)
        # A titre is enforceable once taken in charge (recovery-rules §1, P); its stage stays in the amicable phase so
        # that the accountant's reminder and mise en demeure de payer (the public dunning policy) still reach it.
        titres.write({"essms_taken_in_charge": day})
        return True
