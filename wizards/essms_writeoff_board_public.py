"""The reports in public-creditor mode (recovery-rules §4, §7, §9): the dashboard speaks of restes à recouvrer on
titres, and the write-off list goes to the deliberative assembly."""

from odoo import fields
from odoo import models


class EssmsRecoveryDashboard(models.TransientModel):
    _inherit = "essms.recovery.dashboard"

    essms_creditor_kind = fields.Selection(related="company_id.essms_creditor_kind")


class EssmsWriteoffBoard(models.TransientModel):
    _inherit = "essms.writeoff.board"

    def _default_body(self):
        return "assembly" if self.env.company.essms_creditor_kind == "public_body" else "board"

    body = fields.Selection(default=lambda self: self._default_body())
