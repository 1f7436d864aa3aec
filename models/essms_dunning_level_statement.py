from odoo import fields
from odoo import models


class EssmsDunningLevel(models.Model):
    """A level may add the debtor's statement of account to its letter (issue 19, point 2)."""

    _inherit = "essms.dunning.level"

    attach_statement = fields.Boolean(
        string="Attach the statement of account",
        help="The letter of this level is followed by the statement of account of the debtors it reminds "
        "(open invoices, payments, credits, balance).",
    )
