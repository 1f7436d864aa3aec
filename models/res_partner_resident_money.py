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

    essms_statement_month = fields.Date(
        string="Statement of account sent for", readonly=True, copy=False,
        help="The month of the last statement of account sent to this guardian service: one a month.",
    )

    def action_essms_print_statement(self):
        return self.env.ref("essms_billing.action_report_essms_account_statement").report_action(self)
