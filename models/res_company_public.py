"""The creditor kind of a company (recovery-rules §1, §4): an association (the default, today's behaviour) or a
public body whose claims are titres de recettes recovered by its public accountant. Kept in its own file: the public
mode reads these settings only, and the association's ones stay where they are."""

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError

CREDITOR_KINDS = [("association", "Association"), ("public_body", "Public body")]


class ResCompany(models.Model):
    _inherit = "res.company"

    essms_creditor_kind = fields.Selection(
        selection=CREDITOR_KINDS, string="Creditor kind", default="association", required=True,
        help="Association: invoices, reminders, formal notice and legal interest, titles through a commissaire de "
             "justice. Public body: the run's invoices are titres de recettes recovered by the public accountant "
             "(mise en demeure de payer, SATD, referral to the commissaire de justice).")
    essms_titre_journal_id = fields.Many2one(
        "account.journal", string="Series of the titres", check_company=True, domain=[("type", "=", "sale")],
        help="The sales journal whose sequence numbers the public body's titres. Empty: each establishment's "
             "journal.")
    essms_authorising_officer = fields.Char(
        string="Authorising officer", help="Name and title of the ordonnateur who issues the titres.")
    essms_public_accountant = fields.Char(
        string="Public accountant", help="The comptable public who recovers the titres (service and address).")
    essms_appeal_court = fields.Char(
        string="Court for appeals", help="Where the debtor can challenge the titre within 2 months.")
    essms_payment_modes = fields.Text(
        string="How to pay", help="The means of payment printed on the avis des sommes à payer.")
    essms_satd_threshold_ids = fields.One2many(
        "essms.satd.threshold", "company_id", string="SATD thresholds",
        help="The minimum amount of an SATD, per kind of third party, agreed locally.")

    def _essms_is_public(self):
        self.ensure_one()
        return self.essms_creditor_kind == "public_body"

    def write(self, vals):
        if "essms_creditor_kind" in vals and not self.env.context.get("essms_creditor_migration"):
            self._essms_check_creditor_switch(vals["essms_creditor_kind"])
        return super().write(vals)

    def _essms_check_creditor_switch(self, kind):
        """Refuse to change the kind of a company that has posted invoices: their documents, stages and
        prescription were made under the other regime. ``action_essms_migrate_creditor_kind`` does it
        explicitly."""
        changing = self.filtered(lambda company: company.essms_creditor_kind != kind)
        if not changing:
            return
        posted = self.env["account.move"].sudo()._read_group(
            [("company_id", "in", changing.ids), ("move_type", "in", ("out_invoice", "out_refund")),
             ("state", "=", "posted")], ["company_id"], ["__count"])
        if posted:
            raise UserError(self.env._(
                "%(companies)s already posted invoices (%(count)s): the creditor kind cannot change any more. A "
                "finance director can migrate them explicitly (Migrate the creditor kind).",
                companies=", ".join(company.name for company, _count in posted),
                count=sum(count for _company, count in posted)))

    def action_essms_migrate_creditor_kind(self):
        """The button: migrate to the other creditor kind, explicitly."""
        for company in self:
            other = "association" if company.essms_creditor_kind == "public_body" else "public_body"
            self._essms_migrate_creditor_kind(company, other)
        return True

    @api.model
    def _essms_migrate_creditor_kind(self, company, kind):
        """The explicit migration: the posted invoices stay as they were posted; later runs follow ``kind``."""
        if not self.env.user.has_group("essms_billing.group_essms_manager"):
            raise UserError(self.env._("Only a finance director can migrate the creditor kind of a company."))
        company.with_context(essms_creditor_migration=True).write({"essms_creditor_kind": kind})
        company.partner_id.message_post(body=self.env._(
            "Creditor kind migrated to %(kind)s by %(user)s; the invoices already posted are unchanged.",
            kind=dict(self._fields["essms_creditor_kind"]._description_selection(self.env))[kind],
            user=self.env.user.name))
