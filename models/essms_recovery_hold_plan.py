"""Holds put by a payment plan or a promise to pay, ended with it (see essms_payment_plan)."""

from datetime import timedelta

from odoo import fields
from odoo import models


class EssmsRecoveryHold(models.Model):
    _inherit = "essms.recovery.hold"

    payment_plan_id = fields.Many2one(
        "essms.payment.plan", string="Payment plan", index="btree_not_null", readonly=True, ondelete="cascade"
    )
    promise_id = fields.Many2one(
        "essms.promise", string="Promise to pay", index="btree_not_null", readonly=True, ondelete="cascade"
    )

    def _end_now(self):
        """End the holds so that the claims are reminded from today (the end day is still held)."""
        yesterday = fields.Date.context_today(self) - timedelta(days=1)
        for hold in self.filtered(lambda hold: not hold.date_end or hold.date_end > yesterday):
            hold.date_end = max(hold.date_start, yesterday)
