from odoo import fields
from odoo import models


class EssmsDunningLetterLine(models.Model):
    """An invoice on a letter, frozen on the run's date: what was billed, what is left, what is claimed."""

    _name = "essms.dunning.letter.line"
    _description = "Invoice of a dunning letter"
    _order = "letter_id, partner_id, due_date, id"
    _check_company_auto = True

    letter_id = fields.Many2one("essms.dunning.letter", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    move_id = fields.Many2one("account.move", string="Invoice", required=True, index=True, check_company=True)
    partner_id = fields.Many2one("res.partner", string="Debtor", required=True)
    beneficiary_id = fields.Many2one("essms.beneficiary", string="Beneficiary")
    level_id = fields.Many2one("essms.dunning.level", string="Level")
    previous_level_id = fields.Many2one("essms.dunning.level", string="Previous level")
    invoice_name = fields.Char(string="Invoice number")
    due_date = fields.Date()
    period_start = fields.Date()
    period_end = fields.Date()
    amount_total = fields.Monetary(string="Invoiced")
    residual = fields.Monetary(string="Left to pay")
    amount_due = fields.Monetary(string="Amount due", help="What is left to pay after the credits netted.")

    def _decision_reference(self):
        """The funding decision numbers of the invoice, for a public payer's statement of unpaid invoices."""
        self.ensure_one()
        return ", ".join(sorted(set(filter(None, self.move_id.sudo().essms_line_ids.decision_id.mapped("reference")))))
