from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError

MONTHS = [
    ("1", "January"), ("2", "February"), ("3", "March"), ("4", "April"), ("5", "May"), ("6", "June"),
    ("7", "July"), ("8", "August"), ("9", "September"), ("10", "October"), ("11", "November"), ("12", "December"),
]


class EssmsAllocationCallWizard(models.TransientModel):
    """Call the twelfths of a month (billing-rules §12) for the agreements financed by a global allocation that
    are not called yet for it: one posted invoice per agreement to its financing body. The daily job does the same
    on the due day; this is for a past month or an early call."""

    _name = "essms.allocation.call.wizard"
    _description = "Call the twelfths of global allocations"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    year = fields.Integer(required=True, default=lambda self: fields.Date.context_today(self).year)
    month = fields.Selection(
        selection=MONTHS, required=True, default=lambda self: str(fields.Date.context_today(self).month)
    )
    agreement_ids = fields.Many2many(
        "essms.agreement", string="Agreements", check_company=True,
        compute="_compute_agreement_ids", store=True, readonly=False,
        domain="[('company_id', '=', company_id), ('financing', '=', 'global_allocation')]",
        help="The agreements financed by a global allocation not called yet for the month.",
    )

    @api.depends("company_id", "year", "month")
    def _compute_agreement_ids(self):
        calls = self.env["essms.allocation.call"]
        for wizard in self:
            if not wizard.year or not wizard.month or not 2000 <= wizard.year <= 2100:
                wizard.agreement_ids = False
                continue
            wizard.agreement_ids = calls._agreements_to_call(wizard.company_id, wizard.year, int(wizard.month))

    def action_call(self):
        self.ensure_one()
        if not self.agreement_ids:
            raise UserError(
                self.env._(
                    "No agreement to call for %(month)s/%(year)s: every agreement financed by a global allocation "
                    "is called for that month.",
                    month=self.month.zfill(2), year=self.year,
                )
            )
        calls = self.env["essms.allocation.call"]._call_month(self.agreement_ids, self.year, int(self.month))
        if not calls:
            raise UserError(self.env._("These agreements are already called for %(month)s/%(year)s.",
                                       month=self.month.zfill(2), year=self.year))
        return calls._action_view()
