from odoo import fields
from odoo import models

from .essms_debtor_third_party import THIRD_PARTY_KINDS


class EssmsSatdThreshold(models.Model):
    """The minimum amount of an SATD for one kind of third party (recovery-rules §4): there is no legal minimum any
    more, each creditor agrees its own with its accountant."""

    _name = "essms.satd.threshold"
    _description = "SATD threshold"
    _order = "company_id, kind"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    kind = fields.Selection(selection=THIRD_PARTY_KINDS, string="Third-party kind", required=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount = fields.Monetary(string="Minimum amount", required=True)

    _sql_constraints = [
        ("company_kind_uniq", "unique(company_id, kind)", "One threshold per kind of third party."),
    ]
