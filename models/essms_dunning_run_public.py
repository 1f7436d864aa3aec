"""The public dunning policy reaches a public body's titres once taken in charge (recovery-rules §1, P): they are
enforceable from that day, and the accountant's reminder and mise en demeure de payer still come before the first
act that costs fees (§4)."""

from odoo import models


class EssmsDunningRun(models.Model):
    _inherit = "essms.dunning.run"

    def _claims_domain(self, kinds):
        domain = super()._claims_domain(kinds)
        if self.company_id.essms_creditor_kind != "public_body":
            return domain
        return [
            ("essms_recovery_stage", "in", [*leaf[2], "enforceable"])
            if isinstance(leaf, tuple) and leaf[0] == "essms_recovery_stage" else leaf
            for leaf in domain
        ]
