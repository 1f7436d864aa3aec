from odoo import fields
from odoo import models


class EssmsApprovalRule(models.Model):
    """The requests to the CAF (R344-31) and to the département (L132-4) go through the approval rules."""

    _inherit = "essms.approval.rule"

    decision_type = fields.Selection(
        selection_add=[("lever", "Request to the CAF or the département")], ondelete={"lever": "cascade"}
    )
