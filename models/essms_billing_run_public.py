"""A public body's run issues titres (recovery-rules §4): numbered in the public body's series, and none below the
floor (15 €, CGCT D1611-1): those claims are set aside, and the run says which."""

from odoo import fields
from odoo import models

from ..engine import public_recovery


class EssmsBillingLine(models.Model):
    _inherit = "essms.billing.line"

    titre_refused = fields.Boolean(
        string="Below the titre floor", readonly=True, copy=False,
        help="A public body issues no titre below the floor: this line was not billed.")


class EssmsBillingRun(models.Model):
    _inherit = "essms.billing.run"

    def _get_lines_to_bill(self):
        return super()._get_lines_to_bill().filtered(lambda line: not line.titre_refused)

    def _invoice(self):
        if self.company_id.essms_creditor_kind == "public_body":
            self._essms_set_aside_below_floor()
        return super()._invoice()

    def _essms_set_aside_below_floor(self):
        """Mark the lines of the titres below the floor and post the list on the run."""
        groups = list(self._get_lines_to_bill().grouped(self._invoice_key).items())
        floor = self.env["essms.parameter"].get_value("titre_floor", fields.Date.context_today(self))
        titres = [
            public_recovery.Titre(" – ".join(filter(None, [key[2].name, key[3].name, lines[:1].period_start
                                                           and lines[:1].period_start.strftime("%m/%Y")])),
                                  sum(lines.mapped("amount")))
            for key, lines in groups
        ]
        _issued, refused = public_recovery.split_titres(titres, floor)
        if not refused:
            return
        refused_keys = {id(titre) for titre, _message in refused}
        set_aside = self.env["essms.billing.line"]
        for titre, (_key, lines) in zip(titres, groups, strict=False):
            if id(titre) in refused_keys:
                set_aside |= lines
        set_aside.write({"titre_refused": True})
        texts = [self.env["account.move"]._essms_floor_text(message) for _titre, message in refused]
        self.message_post(body=self.env._(
            "%(count)s titres not issued, below the floor: %(lines)s", count=len(refused), lines="; ".join(texts)))

    def _prepare_invoice_vals(self, key, lines):
        vals = super()._prepare_invoice_vals(key, lines)
        journal = self.company_id.essms_titre_journal_id
        if self.company_id.essms_creditor_kind == "public_body" and journal:
            vals["journal_id"] = journal.id
        return vals
