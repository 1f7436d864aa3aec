"""Titres de recettes of a public creditor (recovery-rules §4): the floor, the taking in charge by the accountant
that starts the 4-year prescription (CGCT L1617-5), and the titre's stage."""


from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError

from ..engine import public_recovery
from .essms_dunning_level import LEVEL_STAGES

LEVEL_STAGE_CODES = tuple(code for code, _label in LEVEL_STAGES)
# The stages before enforcement (essms_dunning_run.AMICABLE_STAGES).
AMICABLE_STAGES = (False, "billed", "due", *LEVEL_STAGE_CODES)
ENFORCEABLE_STAGES = ("enforceable", "enforcing")


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
        """The accountant takes the titres in charge today: they are enforceable and their 4-year prescription runs."""
        return self._essms_take_in_charge(fields.Date.context_today(self))

    def _essms_take_in_charge(self, day):
        """Take the titres in charge on ``day`` (the button: today; an import of the accountant's past takings in
        charge, the demo and the tests: the day it happened)."""
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
        # A titre is enforceable once taken in charge (recovery-rules §1, P: billed → enforceable). The public
        # dunning policy still reaches it (essms_dunning_run_public.py), and its reminder and mise en demeure de
        # payer leave that stage as it is (``write`` below).
        amicable = titres.filtered(lambda move: move.essms_recovery_stage in AMICABLE_STAGES)
        titres.write({"essms_taken_in_charge": day})
        amicable.write({"essms_recovery_stage": "enforceable"})
        return True

    def write(self, vals):
        """A reminder or a mise en demeure de payer sent on a titre already enforceable (or under enforcement) does
        not take it back to an amicable stage: it keeps its stage, the letter is its last dunning level."""
        stage = vals.get("essms_recovery_stage")
        if stage in LEVEL_STAGE_CODES:
            kept = self.filtered(lambda move: move.essms_recovery_stage in ENFORCEABLE_STAGES
                                 and move.company_id.essms_creditor_kind == "public_body")
            if kept:
                others = {key: value for key, value in vals.items() if key != "essms_recovery_stage"}
                result = super(AccountMove, self - kept).write(vals)
                if others:
                    super(AccountMove, kept).write(others)
                return result
        return super().write(vals)
