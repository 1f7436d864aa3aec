"""Demo data of the closing of claims: write-offs for the board list.

Three old remainders of residents' contributions, billed over a year before the demo's day and never paid: one
written off after the last board meeting (decided and posted), two proposed for the next meeting — one approved by
the finance director, one waiting for approval (an extinct claim: the debts erased by a personal recovery
procedure). They are billed in the company's own sales journal, not an establishment's: the billing runs' control of
the establishments' journals is not concerned.
"""

from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command
from odoo import api
from odoo import fields
from odoo import models

# (remainder billed, kind, reason, what was done)
CLAIMS = (
    (412.80, "non_valeur", "unknown_address",
     "Relance simple, relance ferme puis mise en demeure revenues « destinataire inconnu à l'adresse » ; "
     "recherches auprès de la famille et de la mairie sans résultat."),
    (268.45, "non_valeur", "insolvent",
     "Relances et mise en demeure restées sans effet ; ressources limitées à l'allocation aux adultes handicapés, "
     "saisie sur compte vaine (solde bancaire insaisissable)."),
    (95.30, "extinction", "erased",
     "Dossier de surendettement : rétablissement personnel sans liquidation judiciaire prononcé, dettes effacées."),
)


class EssmsDemoGenerator(models.AbstractModel):
    _inherit = "essms.demo.generator"

    @api.model
    def _setup_closing_scenarios(self, company, date_ref=None):
        """Three old claims: one written off at the last board meeting, two proposed for the next one."""
        company = self._get_company(company)
        date_ref = fields.Date.to_date(date_ref) or fields.Date.context_today(self)
        french = self.env["res.lang"].search_count([("code", "=", "fr_FR")])
        generator = self.with_company(company).with_context(
            mail_create_nosubscribe=True, lang="fr_FR" if french else self.env.lang
        )
        return generator._record_closing(company, date_ref)

    def _record_closing(self, company, date_ref):
        Journal = self.env["account.journal"]
        establishment_journals = self.env["essms.establishment"].search([("company_id", "=", company.id)]).journal_id
        journal = Journal.search([*Journal._check_company_domain(company), ("type", "=", "sale"),
                                  ("id", "not in", establishment_journals.ids)], limit=1) or Journal.search(
            [*Journal._check_company_domain(company), ("type", "=", "sale")], limit=1)
        residents = self.env["essms.beneficiary"].search(
            [("company_id", "in", (company.id, False)), ("partner_id.essms_payer_kind", "=", "resident"),
             ("legal_protection", "=", "none")], order="file_number desc", limit=len(CLAIMS))
        if len(residents) < len(CLAIMS) or not journal:
            return self.env["essms.writeoff"]
        month = (date_ref - relativedelta(months=15)).replace(day=1)
        invoices = self.env["account.move"].create([{
            "move_type": "out_invoice",
            "partner_id": resident.partner_id.id,
            "journal_id": journal.id,
            "invoice_date": month + timedelta(days=4),
            "invoice_date_due": month + timedelta(days=34),
            "essms_beneficiary_id": resident.id,
            "invoice_line_ids": [Command.create({
                "name": "Participation aux frais d'hébergement – reliquat de %s" % month.strftime("%m/%Y"),
                "quantity": 1, "price_unit": amount, "tax_ids": [],
            })],
        } for resident, (amount, _kind, _reason, _note) in zip(residents, CLAIMS, strict=True)])
        invoices.action_post()
        meeting = date_ref - timedelta(days=30)
        writeoffs = self.env["essms.writeoff"].create([{
            "partner_id": invoice.partner_id.id, "kind": kind, "reason": reason, "reason_note": note,
            "date": meeting if index == 0 else date_ref,
            "line_ids": [Command.create({"move_id": invoice.id, "amount": amount})],
        } for index, (invoice, (amount, kind, reason, note)) in enumerate(zip(invoices, CLAIMS, strict=True))])
        decided, approved, waiting = writeoffs
        writeoffs.action_submit()
        # The finance director of the demo is the administrator (the demo's "directeur" runs an establishment).
        admin = self.env.ref("base.user_admin", raise_if_not_found=False)
        approver = admin if admin and admin.has_group("essms_billing.group_essms_manager") else self.env.user
        (decided | approved).filtered(lambda writeoff: writeoff.state == "to_approve").with_user(
            approver).action_approve()
        decided.write({"board_reference": "CA du %s – délibération n° 4" % meeting.strftime(
            "%d/%m/%Y"), "date_decision": meeting})
        decided.with_user(approver).action_post()
        return decided | approved | waiting
