from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    """The settings of residents' money (billing-rules §2, mode 2) and of the two levers (recovery-rules §2)."""

    _inherit = "res.company"

    essms_third_party_account_id = fields.Many2one(
        "account.account",
        string="Residents' money account (467)",
        help="The third-party account of the income collected for residents, with the resident as partner: "
        "never revenue.",
    )
    essms_third_party_journal_id = fields.Many2one(
        "account.journal",
        string="Residents' money journal",
        domain=[("type", "=", "bank")],
        help="The bank journal the minimum left is paid to residents from, and the contributions paid over to the "
        "départements. Empty: the company's first bank journal.",
    )
    essms_lever_caf_months = fields.Integer(
        string="CAF request after (unpaid months)",
        default=2,
        help="Consecutive months of unpaid contribution after which the dunning proposal offers to ask the CAF "
        "to pay the AAH directly to the establishment (CASF R344-31). 0: never.",
    )
    essms_lever_departement_months = fields.Integer(
        string="Département request after (unpaid months)",
        default=3,
        help="Consecutive months of unpaid contribution after which the dunning proposal offers to ask the "
        "département to collect the resident's income (CASF L132-4). 0: never.",
    )

    @api.constrains("essms_lever_caf_months", "essms_lever_departement_months")
    def _check_essms_lever_months(self):
        for company in self:
            if company.essms_lever_caf_months < 0 or company.essms_lever_departement_months < 0:
                raise ValidationError(
                    self.env._("%(company)s: a number of unpaid months cannot be negative.", company=company.name)
                )
