from odoo import fields
from odoo import models


class EssmsActivityStatementReopen(models.TransientModel):
    """The reason a validated activity statement is reopened, written in its chatter."""

    _name = "essms.activity.statement.reopen"
    _description = "Reopen an activity statement"

    statement_ids = fields.Many2many("essms.activity.statement", string="Statements", required=True)
    reason = fields.Text(required=True, help="Why the month must be corrected: written in the statement's chatter.")

    def action_reopen(self):
        self.ensure_one()
        self.statement_ids._reopen(self.reason)
        return {"type": "ir.actions.act_window_close"}
