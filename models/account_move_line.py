from odoo import fields
from odoo import models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    essms_detail_id = fields.Many2one(
        "essms.billing.line.detail",
        string="Billing detail",
        index="btree_not_null",
        copy=False,
        readonly=True,
        help="The row of the billing run this invoice line bills: days × daily price, contribution, regularisation.",
    )

    def _prepare_reconciliation_single_partial(self, debit_values, credit_values, shadowed_aml_values=None):
        # A payment advice says how much of its transfer pays each invoice: a line may pay part of an invoice while
        # the transfer still holds money (for other invoices, or left as the payer's credit). Odoo reconciles as
        # much as both lines allow; the context key ``essms_reconcile_caps`` ({debit line id: amount}, in the
        # company's currency) caps what a debit line receives in this reconciliation, so one reconcile() call
        # pays every invoice exactly its share.
        caps = self.env.context.get("essms_reconcile_caps")
        aml = debit_values["aml"]
        if not caps or aml.id not in caps or aml.currency_id != aml.company_currency_id:
            return super()._prepare_reconciliation_single_partial(
                debit_values, credit_values, shadowed_aml_values=shadowed_aml_values
            )
        currency = aml.company_currency_id
        cap = caps[aml.id]
        if currency.compare_amounts(cap, debit_values["amount_residual"]) >= 0:
            residual_before = debit_values["amount_residual"]
            res = super()._prepare_reconciliation_single_partial(
                debit_values, credit_values, shadowed_aml_values=shadowed_aml_values
            )
            caps[aml.id] = currency.round(cap - (residual_before - debit_values["amount_residual"]))
            return res
        if currency.is_zero(cap):
            return {"debit_values": None, "credit_values": credit_values}
        capped = dict(debit_values, amount_residual=cap, amount_residual_currency=cap)
        res = super()._prepare_reconciliation_single_partial(
            capped, credit_values, shadowed_aml_values=shadowed_aml_values
        )
        consumed = currency.round(cap - capped["amount_residual"])
        debit_values["amount_residual"] = currency.round(debit_values["amount_residual"] - consumed)
        debit_values["amount_residual_currency"] = currency.round(debit_values["amount_residual_currency"] - consumed)
        caps[aml.id] = currency.round(cap - consumed)
        res["debit_values"] = None if currency.is_zero(caps[aml.id]) or res["debit_values"] is None else debit_values
        return res
