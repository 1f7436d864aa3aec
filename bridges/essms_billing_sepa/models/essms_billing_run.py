from odoo import fields
from odoo import models
from odoo.exceptions import UserError


class EssmsBillingRun(models.Model):
    _inherit = "essms.billing.run"

    essms_debit_order_ids = fields.One2many(
        "account.payment.order", "essms_billing_run_id", string="Debit orders", readonly=True, copy=False
    )
    essms_debit_order_count = fields.Integer(compute="_compute_essms_debit_order_count", string="Debit order count")

    def _compute_essms_debit_order_count(self):
        counts = dict(
            self.env["account.payment.order"]._read_group(
                [("essms_billing_run_id", "in", self.ids)], ["essms_billing_run_id"], ["__count"]
            )
        )
        for run in self:
            run.essms_debit_order_count = counts.get(run, 0)

    def action_essms_debit_order(self):
        """The run's invoices paid by SEPA direct debit (the payer's payment mode) become debit orders, one per
        collection date (their due date), or nothing at all when one of them cannot be debited."""
        self.ensure_one()
        if self.state != "invoiced":
            raise UserError(self.env._("Run %(run)s: create its invoices first.", run=self.name))
        moves = self.move_ids.filtered(
            lambda move: move.move_type == "out_invoice"
            and move.state == "posted"
            and move.payment_mode_id.payment_method_id.code == "sepa_direct_debit"
            and not move.currency_id.is_zero(move.amount_residual)
        )
        if not moves:
            raise UserError(
                self.env._(
                    "Run %(run)s: no open invoice is paid by SEPA direct debit. Set the SEPA direct debit payment "
                    "mode on the residents who pay by direct debit (Customer payment mode), then invoice.",
                    run=self.name,
                )
            )
        orders = moves._essms_create_debit_orders(run=self)
        self.message_post(
            body=self.env._(
                "Debit orders %(orders)s made of %(count)s invoices.",
                orders=", ".join(orders.mapped("name")),
                count=len(moves),
            )
        )
        return self.action_view_essms_debit_orders()

    def action_view_essms_debit_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_payment_order.account_payment_order_inbound_action"
        )
        orders = self.essms_debit_order_ids
        if len(orders) == 1:
            action.update({"view_mode": "form", "views": [(False, "form")], "res_id": orders.id})
        else:
            action["domain"] = [("id", "in", orders.ids)]
        action["context"] = {"create": False}
        return action
