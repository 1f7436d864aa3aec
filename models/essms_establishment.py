import re

from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import ValidationError

# FINESS: 9 characters, the first two are the département (2A/2B for Corsica).
FINESS_RE = re.compile(r"^(\d{2}|2A|2B)\d{7}$")


ESTABLISHMENT_KINDS = [
    ("foyer_hebergement", "Foyer d'hébergement"),
    ("foyer_vie", "Foyer de vie"),
    ("fam", "FAM"),
    ("mas", "MAS"),
    ("ime", "IME"),
    ("esat", "ESAT"),
    ("mecs", "MECS"),
    ("ehpad", "EHPAD"),
    ("other", "Other"),
]


class EssmsEstablishment(models.Model):
    _name = "essms.establishment"
    _description = "Social or medico-social establishment"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "company_id, name"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(required=True, tracking=True, help="Short code used in exports and invoice numbers.")
    finess = fields.Char(
        string="FINESS",
        tracking=True,
        help="FINESS number of the establishment (9 characters), printed on invoices and portal exports.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner",
        string="Address",
        check_company=True,
        help="The establishment's postal address, printed on its documents.",
    )
    kind = fields.Selection(
        selection=ESTABLISHMENT_KINDS,
        required=True,
        default="foyer_vie",
        tracking=True,
    )
    capacity = fields.Integer(tracking=True, help="Authorised places: days present may not exceed places × days.")
    journal_id = fields.Many2one(
        "account.journal",
        string="Sales journal",
        check_company=True,
        domain="[('type', '=', 'sale')]",
        tracking=True,
        help="One invoice numbering series per establishment.",
    )
    analytic_account_id = fields.Many2one(
        "account.analytic.account",
        string="Analytic account",
        check_company=True,
        tracking=True,
        help="The establishment's revenue is booked on this analytic account.",
    )
    user_ids = fields.Many2many(
        "res.users",
        "essms_establishment_users_rel",
        "establishment_id",
        "user_id",
        string="Establishment users",
        help="Directors and secretaries who see this establishment's residents and record their absences.",
    )
    operator_ids = fields.Many2many(
        "res.users",
        "essms_establishment_operator_rel",
        "establishment_id",
        "user_id",
        string="Responsible operators",
        domain=lambda self: [("groups_id", "in", self.env.ref("essms_billing.group_essms_operator").id)],
        help="The billing operators who answer for this establishment: their lists open on it (filter My "
        "establishments). To cover a colleague's absence, add their establishments; it gives no new right.",
    )
    stay_ids = fields.One2many("essms.stay", "establishment_id", string="Stays")
    agreement_ids = fields.One2many("essms.agreement", "establishment_id", string="Agreements")
    current_stay_count = fields.Integer(compute="_compute_current_stay_count", string="Residents")
    in_my_portfolio = fields.Boolean(compute="_compute_in_my_portfolio", string="In my portfolio")
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("code_company_uniq", "unique(code, company_id)", "The establishment code must be unique per company."),
    ]

    def _compute_current_stay_count(self):
        today = fields.Date.context_today(self)
        groups = self.env["essms.stay"]._read_group(
            [
                ("establishment_id", "in", self.ids),
                ("date_start", "<=", today),
                "|",
                ("date_end", "=", False),
                ("date_end", ">=", today),
            ],
            ["establishment_id"],
            ["__count"],
        )
        counts = {establishment.id: count for establishment, count in groups}
        for establishment in self:
            establishment.current_stay_count = counts.get(establishment.id, 0)

    @api.depends_context("uid")
    def _compute_in_my_portfolio(self):
        ids = [establishment_id for establishment_id in self.ids if establishment_id]
        mine = set(self.sudo()._search([("id", "in", ids), ("operator_ids", "in", self.env.uid)])) if ids else set()
        for establishment in self:
            establishment.in_my_portfolio = establishment.id in mine

    @api.constrains("finess")
    def _check_finess(self):
        for establishment in self:
            if establishment.finess and not FINESS_RE.match(establishment.finess):
                raise ValidationError(
                    self.env._(
                        "Establishment %(name)s: the FINESS number %(finess)s is malformed; it must have "
                        "9 characters: the département (2 digits, or 2A/2B) followed by 7 digits.",
                        name=establishment.name,
                        finess=establishment.finess,
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_with_stays(self):
        for establishment in self.with_context(active_test=False):
            if establishment.stay_ids or establishment.agreement_ids:
                raise ValidationError(
                    self.env._(
                        "The establishment %(name)s has stays or agreements and cannot be deleted; "
                        "archive it instead.",
                        name=establishment.name,
                    )
                )

    def action_portfolio_add(self):
        """The operator takes these establishments into their portfolio (a colleague's absence, a new share of
        the work): the portfolio only filters their lists, so an operator may change their own, and only theirs."""
        self._essms_check_portfolio_rights()
        self.sudo().write({"operator_ids": [Command.link(self.env.uid)]})

    def action_portfolio_remove(self):
        self._essms_check_portfolio_rights()
        self.sudo().write({"operator_ids": [Command.unlink(self.env.uid)]})

    def _essms_check_portfolio_rights(self):
        if not self.env.user.has_group("essms_billing.group_essms_operator"):
            raise AccessError(self.env._("Only billing operators have a portfolio of establishments."))
        self.check_access("read")

    def action_view_stays(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Stays"),
            "res_model": "essms.stay",
            "view_mode": "list,form",
            "domain": [("establishment_id", "=", self.id)],
            "context": {"default_establishment_id": self.id, "search_default_current": 1},
        }
