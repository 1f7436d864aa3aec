from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import SQL


class AccountMove(models.Model):
    _inherit = "account.move"

    essms_run_id = fields.Many2one("essms.billing.run", string="Billing run", index=True, copy=False, readonly=True)
    essms_run_kind = fields.Selection(
        selection=[("regular", "Regular"), ("recall", "Recall"), ("regularisation", "Regularisation")],
        string="Billing run kind",
        copy=False,
        readonly=True,
    )
    essms_beneficiary_id = fields.Many2one(
        "essms.beneficiary", string="Beneficiary", index=True, copy=False, readonly=True, check_company=True
    )
    essms_establishment_id = fields.Many2one(
        "essms.establishment", string="Establishment", index=True, copy=False, readonly=True, check_company=True
    )
    essms_period_start = fields.Date(string="Period start", copy=False, readonly=True)
    essms_period_end = fields.Date(string="Period end", copy=False, readonly=True)
    essms_line_ids = fields.One2many("essms.billing.line", "move_id", string="Billing lines", readonly=True)
    essms_address_partner_id = fields.Many2one(
        "res.partner",
        string="Send to",
        compute="_compute_essms_address_partner_id",
        store=True,
        help="Where the invoice is sent: the guardian when the resident is under tutelle, else the customer.",
    )

    def init(self):
        res = super().init()
        # Never billed twice (billing-rules §8.1). A regular run bills one invoice per payer, establishment,
        # beneficiary (or none, for an invoice per payer) and month, unless it was cancelled. A recall or a
        # regularisation bills differences with what was billed, so the same month may be corrected by
        # several successive runs; each run bills one document per payer, beneficiary and month (or
        # per payer and beneficiary for a recall, whose period is the run's): its id is part of the key.
        self.env.cr.execute(
            SQL(
                """
                DROP INDEX IF EXISTS account_move_essms_billed_once;
                CREATE UNIQUE INDEX IF NOT EXISTS account_move_essms_regular_billed_once
                    ON account_move (essms_run_kind, partner_id, essms_establishment_id,
                                     COALESCE(essms_beneficiary_id, 0), essms_period_start)
                 WHERE essms_run_kind = 'regular' AND move_type = 'out_invoice' AND state != 'cancel';
                CREATE UNIQUE INDEX IF NOT EXISTS account_move_essms_corrected_once
                    ON account_move (essms_run_kind, essms_run_id, partner_id, essms_establishment_id,
                                     COALESCE(essms_beneficiary_id, 0), essms_period_start)
                 WHERE essms_run_kind IN ('recall', 'regularisation') AND state != 'cancel'
                """
            )
        )
        return res

    @api.depends("partner_id", "essms_beneficiary_id.legal_protection", "essms_beneficiary_id.protector_id")
    def _compute_essms_address_partner_id(self):
        for move in self:
            beneficiary = move.essms_beneficiary_id
            resident_invoice = beneficiary and move.partner_id == beneficiary.partner_id
            if resident_invoice and beneficiary.legal_protection == "tutelle" and beneficiary.protector_id:
                move.essms_address_partner_id = beneficiary.protector_id
            else:
                move.essms_address_partner_id = move.partner_id
