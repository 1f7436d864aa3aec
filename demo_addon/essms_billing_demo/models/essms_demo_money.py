"""Demo data of residents' money (billing-rules §2, mode 2): a resident whose income the establishment collects.

The resident is one of the generated residents whose granted decision is in *income collected* (the generator
draws that mode for about one decision in ten), billed by the demo's own monthly runs like everyone else: the
département is invoiced the gross and the run's lines carry the contribution as third-party money. Nothing is
added to the billing. For each of the three billed months, the CAF's transfer of the AAH arrives on the bank
account (a bank statement line, early the next month) and is matched to the resident's 467 account; the minimum
left is paid to the resident (or the guardian under tutelle); the contributions of the first two months are paid
over to the département with their nominative recap. The third month's transfer is computed and left for the
operator to pay over and print (README, section *Demo walkthrough*, residents' money): once done, the balance is 0.
"""

from decimal import Decimal

from dateutil.relativedelta import relativedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.addons.essms_billing.engine import resident_money
from odoo.addons.essms_billing.engine.contribution import Resources
from odoo.addons.essms_billing.engine.contribution import minimum_left

CAF = {"name": "CAF des Pyrénées-Orientales", "street": "11 rue Jean Rière", "zip": "66000", "city": "Perpignan"}
MONTHS_BILLED = (4, 3, 2)  # the months the demo's regular runs invoiced, counted back from the demo's day


class EssmsDemoGenerator(models.AbstractModel):
    _inherit = "essms.demo.generator"

    @api.model
    def _setup_money_scenario(self, company, date_ref=None):
        """Income received, minimum left paid and contributions paid over for one income-collected resident."""
        company = self._get_company(company)
        date_ref = fields.Date.to_date(date_ref) or fields.Date.context_today(self)
        french = self.env["res.lang"].search_count([("code", "=", "fr_FR")])
        generator = self.with_company(company).with_context(
            mail_create_nosubscribe=True, lang="fr_FR" if french else self.env.lang
        )
        return generator._record_money(company, date_ref)

    def _money_resident(self, company, months):
        """The income-collected resident of the demo: a granted decision of that mode covering the billed months,
        each month's contribution on an invoiced run's lines. The one living on the AAH alone first (the CAF pays
        the whole income), then the foyer de vie's, then by file number."""
        first, last = months[0], months[-1]
        decisions = self.env["essms.funding.decision"].search([
            ("beneficiary_id.company_id", "=", company.id),
            ("state", "=", "granted"),
            ("contribution_mode", "=", "income_collected"),
            ("payer_id.essms_payer_kind", "=", "departement"),
            ("date_effect", "<=", first),
            "|", ("date_end", "=", False), ("date_end", ">=", last + relativedelta(months=1, days=-1)),
        ])
        contributions = self.env["essms.resident.money"]._contributions(
            company, decisions.beneficiary_id, first, last + relativedelta(months=1))
        complete = decisions.filtered(lambda decision: all(
            (decision.beneficiary_id.id, month) in contributions for month in months))
        aah_only = float(self._aah_only_contribution(last))
        return complete.sorted(lambda decision: (
            decision.company_id.currency_id.compare_amounts(decision.contribution_monthly, aah_only) != 0,
            decision.agreement_id.establishment_id.kind != "foyer_vie",
            decision.beneficiary_id.file_number,
        ))[:1]

    def _aah_only_contribution(self, month):
        """The contribution decided for a resident living on the AAH alone (full board, not working)."""
        aah = Decimal(str(self._aah(month)))
        return minimum_left(Resources(monthly=aah, aah=aah)).contribution

    def _record_money(self, company, date_ref):
        months = [(date_ref - relativedelta(months=back)).replace(day=1) for back in MONTHS_BILLED]
        decision = self._money_resident(company, months)
        money = self.env["essms.resident.money"]
        if not decision:
            return {}
        person = decision.beneficiary_id
        bank = money._journal(company)
        caf = self.env["res.partner"].search(
            [("name", "=", CAF["name"]), ("company_id", "in", (company.id, False))], limit=1
        ) or self.env["res.partner"].create({**CAF, "is_company": True, "company_id": company.id,
                                             "country_id": self.env.ref("base.fr").id})
        # Resources above the AAH alone: the rest is a pension (the contribution was decided on both).
        pension = max(Decimal(str(decision.contribution_monthly)) - self._aah_only_contribution(months[-1]),
                      Decimal(0))
        surname = person.partner_id.name.upper()
        incomes = self.env["account.move"]
        pocket = self.env["account.move"]
        for month in months:
            paid = month + relativedelta(months=1, day=5)
            rows = [("aah", "CAF AAH %s %s" % (month.strftime("%m/%Y"), surname), float(self._aah(month)), caf)]
            if pension:
                rows.append(("pension", "CARSAT RETRAITE %s %s" % (month.strftime("%m/%Y"), surname),
                             float(pension), self.env["res.partner"]))
            for source, label, amount, payer in rows:
                line = self.env["account.bank.statement.line"].create({
                    "journal_id": bank.id, "date": paid, "payment_ref": label, "amount": amount,
                    "partner_id": payer.id,
                })
                incomes |= money._record_income(line, person, source, month)
            pocket |= money._pay_pocket_money(company, month, person, date=month + relativedelta(months=1, day=10))
        # One transfer per period of the département's rhythm (monthly unless its contact says quarterly).
        rhythm = decision.payer_id.essms_transfer_rhythm or "monthly"
        periods = dict.fromkeys(resident_money.transfer_periods(month, rhythm) for month in months)
        transfers = self.env["essms.third.party.transfer"].create([{
            "company_id": company.id, "payer_id": decision.payer_id.id, "period_start": start,
            "date": end + relativedelta(day=20),
        } for start, end in periods])
        transfers.action_compute()
        transfers[:-1].action_post()
        return {"beneficiary": person, "decision": decision, "incomes": incomes, "pocket_money": pocket,
                "transfers": transfers}
