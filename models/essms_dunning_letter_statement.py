from odoo import models
from odoo.tools.pdf import merge_pdf


class EssmsDunningLetter(models.Model):
    """A letter whose level says so carries the debtors' statement of account after its own pages."""

    _inherit = "essms.dunning.letter"

    def _render_document(self):
        result = super()._render_document()
        if self.level_id.attach_statement and self.attachment_id:
            statements = self.env["essms.account.statement"]._render_pdf(self.debtor_ids, self.company_id)
            self.attachment_id.raw = merge_pdf([self.attachment_id.raw, statements])
        return result
