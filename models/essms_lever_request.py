"""The two levers of the sector on a resident's unpaid contribution (recovery-rules §2; billing-rules §2).

After ``essms_lever_caf_months`` consecutive unpaid months (default 2) the establishment may ask the CAF to pay the
AAH directly to it (CASF R344-31); after ``essms_lever_departement_months`` (default 3) it may ask the département
to collect the resident's income (CASF L132-4). The dunning proposal offers each as a letter of its own, with the
figures it needs (the unpaid contributions by month, the resident's AAH), under the approval rules (decision type
*lever*). A lever is requested once per resident: a request not cancelled is not proposed again.
"""

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError

from .essms_workflow_mixin import transition

LEVER_KINDS = [
    ("caf", "CAF: AAH paid to the establishment (R344-31)"),
    ("departement", "Département: income collected (L132-4)"),
]


class EssmsLeverRequest(models.Model):
    _name = "essms.lever.request"
    _description = "Request to the CAF or the département on an unpaid contribution"
    _inherit = ["mail.thread", "mail.activity.mixin", "essms.approval.mixin", "essms.workflow.mixin"]
    _workflow_fields = ("state",)
    _approval_decision_type = "lever"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    kind = fields.Selection(LEVER_KINDS, required=True, readonly=True)
    state = fields.Selection(
        selection=[("proposed", "Proposed"), ("sent", "Sent"), ("cancelled", "Cancelled")],
        default="proposed", required=True, readonly=True, tracking=True, copy=False,
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    run_id = fields.Many2one("essms.dunning.run", string="Dunning run", readonly=True, index=True, ondelete="set null")
    beneficiary_id = fields.Many2one("essms.beneficiary", string="Resident", required=True, readonly=True, index=True,
                                     ondelete="restrict")
    partner_id = fields.Many2one(related="beneficiary_id.partner_id", string="Debtor")
    recipient_id = fields.Many2one(
        "res.partner", string="Addressed to", tracking=True,
        help="The CAF (R344-31) or the département of the resident's funding decision (L132-4).",
    )
    date = fields.Date(required=True, readonly=True, default=fields.Date.context_today)
    date_sent = fields.Date(readonly=True, copy=False)
    aah_monthly = fields.Monetary(string="AAH (monthly)", readonly=True,
                                  help="The full-rate AAH on the request's date (legal parameter).")
    line_ids = fields.One2many("essms.lever.request.line", "request_id", string="Unpaid months detail",
                               readonly=True)
    month_count = fields.Integer(string="Unpaid months", readonly=True)
    amount_unpaid = fields.Monetary(string="Unpaid contributions", compute="_compute_amount_unpaid", store=True)

    @api.depends("kind", "beneficiary_id")
    def _compute_name(self):
        kinds = dict(LEVER_KINDS)
        for request in self:
            request.name = "%s – %s" % (self.env._(kinds.get(request.kind, "")), request.beneficiary_id.display_name)

    @api.depends("line_ids.amount_due")
    def _compute_amount_unpaid(self):
        for request in self:
            request.amount_unpaid = sum(request.line_ids.mapped("amount_due"))

    # Approval --------------------------------------------------------------------------------------------

    def _approval_subject(self):
        self.ensure_one()
        return (self.company_id, self.partner_id.essms_payer_kind, self.amount_unpaid)

    # Actions -----------------------------------------------------------------------------------------------

    @transition
    def action_send(self):
        """Send the request: refused while a finance director's approval is awaited."""
        waiting = self._approval_needed()
        if waiting:
            raise UserError(self.env._(
                "%(names)s: a finance director must approve the request before it is sent.",
                names=", ".join(waiting.mapped("name")),
            ))
        for request in self:
            if request.state != "proposed":
                raise UserError(self.env._("%(name)s was already sent or cancelled.", name=request.name))
            if not request.recipient_id:
                raise UserError(self.env._("%(name)s: choose whom the request is addressed to.", name=request.name))
        self.write({"state": "sent", "date_sent": fields.Date.context_today(self)})
        for request in self:
            request.message_post(body=self.env._("Request sent to %(recipient)s.", recipient=request.recipient_id.name))
        return self.env.ref("essms_billing.action_report_essms_lever_request").report_action(self)

    @transition
    def action_cancel(self):
        if any(request.state == "sent" for request in self):
            raise UserError(self.env._("A request sent is kept as the proof of the request."))
        self.state = "cancelled"
        return True

    def action_print(self):
        return self.env.ref("essms_billing.action_report_essms_lever_request").report_action(self)
