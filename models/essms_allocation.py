from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError


class EssmsAllocation(models.Model):
    """The annual amount of a global allocation (dotation globale, CPOM) for one agreement and year, from its
    arrêté (billing-rules §12). Its twelfths are called by `essms.allocation.call`; the control fields compare
    what was called and received with it (control §8.7)."""

    _name = "essms.allocation"
    _description = "Global allocation of a year"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "year desc, establishment_id, agreement_id"
    _check_company_auto = True
    _rec_names_search = ["agreement_id", "arrete_ref"]

    agreement_id = fields.Many2one(
        "essms.agreement", required=True, ondelete="restrict", index=True, tracking=True,
        domain=[("financing", "=", "global_allocation")],
        # The allocation's company is the agreement's: no check_company here (the form's domain offers the
        # agreements of the user's companies).
    )
    establishment_id = fields.Many2one(related="agreement_id.establishment_id", store=True, index=True)
    payer_id = fields.Many2one(related="agreement_id.payer_id", store=True, string="Financing body")
    company_id = fields.Many2one(related="agreement_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    year = fields.Integer(required=True, tracking=True, default=lambda self: fields.Date.context_today(self).year)
    amount = fields.Monetary(
        string="Annual amount", required=True, currency_field="currency_id", tracking=True,
        help="The amount of the arrêté (or of the CPOM) for the year, effective 1 January. A new amount is caught up "
        "by the next call for every month already called.",
    )
    arrete_ref = fields.Char(string="Arrêté reference", tracking=True)
    date_notified = fields.Date(string="Date notified", tracking=True)
    note = fields.Text()

    # Control §8.7: computed from the calls of the agreement and year, in one query per batch.
    months_called = fields.Integer(compute="_compute_control", string="Months called")
    called_amount = fields.Monetary(compute="_compute_control", currency_field="currency_id", string="Called")
    received_amount = fields.Monetary(compute="_compute_control", currency_field="currency_id", string="Received")
    to_call_amount = fields.Monetary(
        compute="_compute_control", currency_field="currency_id", string="Left to call",
        help="Amount of the arrêté not called yet: the months to come, or a catch-up or a regularisation to call.",
    )
    to_receive_amount = fields.Monetary(
        compute="_compute_control", currency_field="currency_id", string="Left to receive",
        help="Amount of the arrêté not received yet (paid amounts of the calls' invoices).",
    )
    control_status = fields.Selection(
        selection=[("balanced", "Called and received"), ("to_call", "To call"), ("to_receive", "To receive")],
        compute="_compute_control",
        string="Control",
    )

    _sql_constraints = [
        ("agreement_year_unique", "UNIQUE(agreement_id, year)", "An agreement has one allocation per year."),
    ]

    @api.depends("agreement_id", "year")
    def _compute_display_name(self):
        for allocation in self:
            allocation.display_name = "%s – %s" % (allocation.agreement_id.display_name or "", allocation.year or "")

    @api.constrains("amount", "year", "agreement_id")
    def _check_allocation(self):
        for allocation in self:
            if allocation.amount < 0:
                raise ValidationError(
                    self.env._(
                        "Allocation %(name)s: the annual amount cannot be negative.", name=allocation.display_name
                    )
                )
            if not 2000 <= allocation.year <= 2100:
                raise ValidationError(
                    self.env._("Allocation %(name)s: the year %(year)s is not valid.",
                               name=allocation.display_name, year=allocation.year)
                )
            if allocation.agreement_id.financing != "global_allocation":
                raise ValidationError(
                    self.env._(
                        "Allocation %(name)s: the agreement %(agreement)s is not financed by a global allocation "
                        "(field “Financing”).",
                        name=allocation.display_name,
                        agreement=allocation.agreement_id.display_name,
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_called(self):
        calls = self.env["essms.allocation.call"].sudo()
        for allocation in self:
            if calls.search_count([("allocation_id", "=", allocation.id)], limit=1):
                raise UserError(
                    self.env._(
                        "Allocation %(name)s has been called: it cannot be deleted; change its amount instead.",
                        name=allocation.display_name,
                    )
                )

    def _compute_control(self):
        totals = self.env["essms.allocation.call"]._control_totals(
            self.agreement_id.ids, list(set(self.mapped("year")))
        )
        for allocation in self:
            months, called, received = totals.get((allocation.agreement_id.id, allocation.year), (0, 0.0, 0.0))
            currency = allocation.currency_id
            allocation.months_called = months
            allocation.called_amount = called
            allocation.received_amount = received
            allocation.to_call_amount = currency.round(allocation.amount - called)
            allocation.to_receive_amount = currency.round(allocation.amount - received)
            if not currency.is_zero(allocation.to_call_amount):
                allocation.control_status = "to_call"
            elif not currency.is_zero(allocation.to_receive_amount):
                allocation.control_status = "to_receive"
            else:
                allocation.control_status = "balanced"

    def action_regularise(self):
        """Call the difference with the arrêté of a year whose twelve months are called (billing-rules §12)."""
        calls = self.env["essms.allocation.call"]._regularise(self)
        return calls._action_view()

    def action_view_calls(self):
        self.ensure_one()
        calls = self.env["essms.allocation.call"].search(
            [("agreement_id", "=", self.agreement_id.id), ("year", "=", self.year)]
        )
        return calls._action_view()
