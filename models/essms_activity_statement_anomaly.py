from odoo import fields
from odoo import models


class EssmsActivityStatementAnomaly(models.Model):
    """A control of billing-rules §8 that failed: blocking ones prevent the validation."""

    _name = "essms.activity.statement.anomaly"
    _description = "Activity statement anomaly"
    _order = "statement_id, severity, id"

    statement_id = fields.Many2one("essms.activity.statement", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="statement_id.company_id", store=True)
    severity = fields.Selection(
        selection=[("blocking", "Blocking"), ("warning", "Warning")], required=True, default="warning"
    )
    code = fields.Char(required=True, help="Stable code of the control, for filters and exports.")
    message = fields.Text(required=True)
    stay_id = fields.Many2one("essms.stay", ondelete="cascade")
    beneficiary_id = fields.Many2one(related="stay_id.beneficiary_id", store=True)
