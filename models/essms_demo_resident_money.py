"""Demo data of residents' money (billing-rules §2, mode 2), made with fixed figures after the other scenarios.

Gérard Sabaté stayed three months at the foyer de vie, from four months before the demo's month (he then left for a
FAM); his stay was recorded late (the three statements reopened, corrected and validated again) and the
département's decision says the establishment collects his income (contribution 700,00 € a month): a recall run
bills his months, already invoiced for the others. His AAH (1 033,32 €) arrived on the bank account each month
and was matched to his 467 account, his minimum left paid; the contributions of the first two months were paid
over to the département, the third month's transfer is left for the operator to compute and pay over (not clicked
by the walkthrough yet; tests/test_tour_resident_money.py clicks the same screens on its own data).
Nothing of the other scenarios is changed.
"""

from dateutil.relativedelta import relativedelta

from odoo import api
from odoo import fields
from odoo import models

AAH = 1033.32
CONTRIBUTION = 700.00


class EssmsDemoGenerator(models.AbstractModel):
    _inherit = "essms.demo.generator"

    @api.model
    def _setup_resident_money_scenario(self, company, date_ref=None):
        company = self._get_company(company)
        date_ref = fields.Date.to_date(date_ref) or fields.Date.context_today(self)
        french = self.env["res.lang"].search_count([("code", "=", "fr_FR")])
        generator = self.with_company(company).with_context(
            mail_create_nosubscribe=True, lang="fr_FR" if french else self.env.lang)
        return generator._record_resident_money(company, date_ref)

    def _record_resident_money(self, company, date_ref):
        establishment = self.env["essms.establishment"].search(
            [("company_id", "=", company.id), ("kind", "=", "foyer_vie")], order="id", limit=1)
        agreement = establishment.agreement_ids.filtered(lambda a: a.payer_id.essms_payer_kind == "departement")[:1]
        bank = self.env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", "bank")], order="sequence, id", limit=1)
        if not establishment or not agreement or not bank:
            return {}
        first = (date_ref - relativedelta(months=4)).replace(day=1)
        months = [first + relativedelta(months=n) for n in range(3)]
        partner = self.env["res.partner"].create({
            "name": "Gérard Sabaté", "street": "12 rue de la Fusterie", "zip": "66000", "city": "Perpignan",
            "country_id": self.env.ref("base.fr").id, "essms_payer_kind": "resident",
        })
        person = self.env["essms.beneficiary"].create({
            "partner_id": partner.id, "file_number": "PR-%s-001" % first.year, "company_id": company.id,
            "birth_date": first - relativedelta(years=38, days=51),
        })
        # His three months were validated and billed for the others: the foyer reopens them, records his stay (he
        # left for a FAM at the end of the third month), and validates them again.
        statements = self.env["essms.activity.statement"].search([
            ("establishment_id", "=", establishment.id), ("period_start", "in", months), ("state", "=", "validated"),
        ])
        statements._reopen("Entrée de M. Sabaté enregistrée tardivement")
        self.env["essms.stay"].create({
            "beneficiary_id": person.id, "establishment_id": establishment.id, "accommodation": "full_board",
            "date_start": first, "date_end": months[-1] + relativedelta(months=1, days=-1), "end_reason": "transfer",
        })
        decision = self.env["essms.funding.decision"].create({
            "beneficiary_id": person.id, "payer_id": agreement.payer_id.id, "agreement_id": agreement.id,
            "state": "granted", "date_filed": first, "date_decision": first + relativedelta(months=2, days=10),
            "date_effect": first, "reference": "CD66-PR-%s" % first.strftime("%Y%m"),
            "contribution_mode": "income_collected", "contribution_monthly": CONTRIBUTION,
        })
        for statement in statements:
            statement.action_submit()
            statement.action_validate()
        run = self.env["essms.billing.run"].browse(decision.action_create_recall_run()["res_id"])
        run.action_compute()
        run.with_context(essms_invoice_date=self._invoicing_day(months[-1])).action_invoice()
        money = self.env["essms.resident.money"]
        for month in months:
            line = self.env["account.bank.statement.line"].create({
                "journal_id": bank.id, "date": month + relativedelta(months=1, day=5),
                "payment_ref": "CAF AAH %s SABATE GERARD" % month.strftime("%m/%Y"), "amount": AAH,
            })
            money._record_income(line, person, "aah", month)
            money._pay_pocket_money(company, month, person, date=month + relativedelta(months=1, day=8))
        transfers = self.env["essms.third.party.transfer"]
        for month in months:
            transfers |= transfers.create({
                "company_id": company.id, "payer_id": agreement.payer_id.id, "period_start": month,
                "date": month + relativedelta(months=1, day=15),
            })
        transfers[:2].action_compute()
        transfers[:2].action_post()
        return {"beneficiary": person, "run": run, "transfers": transfers}
