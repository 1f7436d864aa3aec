from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError
from odoo.tools import format_date


class EssmsPaymentPlanInstalment(models.Model):
    _name = "essms.payment.plan.instalment"
    _description = "Payment plan instalment"
    _order = "plan_id, date, id"
    _check_company_auto = True

    plan_id = fields.Many2one("essms.payment.plan", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="plan_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="plan_id.currency_id")
    date = fields.Date(string="Due date", required=True)
    amount = fields.Monetary(required=True)
    amount_paid = fields.Monetary(string="Paid", compute="_compute_status")
    state = fields.Selection(
        selection=[("due", "Due"), ("paid", "Paid"), ("late", "Late")], compute="_compute_status"
    )

    @api.depends("plan_id.amount_paid", "date", "amount")
    def _compute_status(self):
        statuses = self.plan_id.filtered("date_signed")._statuses()
        for plan in self.plan_id:
            items = self.filtered(lambda item, plan=plan: item.plan_id == plan)
            status = statuses.get(plan.id)
            if not status:
                items.amount_paid = 0.0
                items.state = "due"
                continue
            allocated = list(status.instalments)
            for item in plan.instalment_ids.sorted(lambda item: (item.date, item.id)):
                match = allocated.pop(0)
                if item in items:
                    item.amount_paid = float(match.paid)
                    item.state = match.state

    @api.constrains("amount")
    def _check_amount(self):
        for item in self:
            if item.amount <= 0:
                raise ValidationError(self.env._(
                    "Plan %(plan)s: the instalment of %(date)s must have a positive amount.",
                    plan=item.plan_id.name, date=format_date(self.env, item.date)))
