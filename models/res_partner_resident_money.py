from odoo import fields
from odoo import models


class ResPartner(models.Model):
    """The département's rhythm for the contributions collected from residents' income (billing-rules §2)."""

    _inherit = "res.partner"

    essms_transfer_rhythm = fields.Selection(
        selection=[("monthly", "Monthly"), ("quarterly", "Quarterly")],
        string="Contributions paid over",
        default="monthly",
        help="How often the contributions collected from residents' income are paid over to this département, "
        "with their nominative recap.",
    )
