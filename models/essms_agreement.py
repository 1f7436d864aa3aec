from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError
from odoo.tools import format_date


class EssmsAgreement(models.Model):
    _name = "essms.agreement"
    _description = "Agreement between an establishment and a payer"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "establishment_id, payer_id, date_start desc"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    establishment_id = fields.Many2one(
        "essms.establishment", required=True, ondelete="restrict", index=True, tracking=True
    )
    payer_id = fields.Many2one(
        "res.partner", string="Payer", ondelete="restrict", index=True, check_company=True, tracking=True,
        help="Required when the payer rule invoices the agreement's payer or the payer of a funding decision; a "
        "resident or a health-insurance fund is read from the beneficiary.",
    )
    company_id = fields.Many2one(related="establishment_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    financing = fields.Selection(
        selection=[
            ("daily_price", "Daily price"),
            ("global_allocation", "Global allocation"),
            ("flat", "Flat rate"),
        ],
        required=True,
        default="daily_price",
        tracking=True,
    )
    billing_term = fields.Selection(
        selection=[("arrears", "In arrears (terme échu)"), ("advance", "In advance (terme à échoir)")],
        required=True,
        default="arrears",
        tracking=True,
    )
    invoice_grouping = fields.Selection(
        selection=[
            ("beneficiary", "One invoice per beneficiary"),
            ("payer", "One invoice per payer with a nominative statement"),
        ],
        required=True,
        default="beneficiary",
        tracking=True,
    )
    absence_policy_id = fields.Many2one(
        "essms.absence.policy", string="Absence policy", check_company=True, tracking=True
    )
    annual_allocation = fields.Monetary(
        currency_field="currency_id", tracking=True, help="Annual amount of a global allocation (dotation globale)."
    )
    date_start = fields.Date(required=True, tracking=True)
    date_end = fields.Date(tracking=True)
    service_code = fields.Char(
        string="Chorus service code", tracking=True, help="Code service of the payer in Chorus Pro (buyer reference)."
    )
    commitment_number = fields.Char(
        string="Commitment number", tracking=True, help="Numéro d'engagement given by the payer for Chorus Pro."
    )
    tariff_ids = fields.One2many("essms.tariff", "agreement_id", string="Tariffs")
    active = fields.Boolean(default=True)

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for agreement in self:
            if agreement.date_end and agreement.date_end < agreement.date_start:
                raise ValidationError(
                    self.env._(
                        "Agreement %(name)s: the end date %(end)s is before the start date %(start)s.",
                        name=agreement.name,
                        end=format_date(self.env, agreement.date_end),
                        start=format_date(self.env, agreement.date_start),
                    )
                )

    @api.constrains("financing", "annual_allocation")
    def _check_allocation(self):
        for agreement in self:
            if agreement.financing == "global_allocation" and agreement.annual_allocation < 0:
                raise ValidationError(
                    self.env._(
                        "Agreement %(name)s: the annual allocation cannot be negative.", name=agreement.name
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        decisions = self.env["essms.funding.decision"].sudo().search_count([("agreement_id", "in", self.ids)], limit=1)
        if self.tariff_ids or decisions:
            raise ValidationError(
                self.env._(
                    "Agreement %(name)s has tariffs or funding decisions and cannot be deleted; archive it instead.",
                    name=", ".join(self.mapped("name")),
                )
            )
