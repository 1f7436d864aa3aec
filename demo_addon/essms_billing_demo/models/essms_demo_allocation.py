"""Demo data of the global allocations (billing-rules §12): an ESAT of the association financed by the ARS.

Worked example H relative to the demo's day: the previous year's allocation of 1 212 000,00 (a CPOM known in
advance, its twelve months called), the year's arrêté of 1 248 000,00 notified on 8 April; the twelfths called on
the 20th of each month up to the demo's day through the addon's own path (the first three at the previous year's
twelfth, April with the catch-up), each paid by the ARS three weeks after its due date (so that no call is overdue
long enough to be reminded on the demo's day). So the calls, their invoices and the control §8.7 have something to
show, and the daily job calls the next month on its due day.
"""

from datetime import date
from datetime import timedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.addons.essms_billing.engine.allocation import due_date

from .essms_demo_generator import make_siret

ARS = {
    "name": "ARS Occitanie – Délégation départementale des Pyrénées-Orientales",
    "siret": ("13000799", "0031"),
    "street": "12 boulevard Mercader",
    "zip": "66000",
    "city": "Perpignan",
}
ESAT = {"name": "ESAT Les Ateliers du Canigou", "code": "ESAT1", "finess": "660790015", "capacity": 60}
PREVIOUS_AMOUNT = 1212000.0
ARRETE_AMOUNT = 1248000.0
# The ARS pays a call about three weeks after its due date.
PAYMENT_DELAY = timedelta(days=21)


class EssmsDemoGenerator(models.AbstractModel):
    _inherit = "essms.demo.generator"

    @api.model
    def _setup_allocation_scenario(self, company, date_ref=None):
        """The ESAT, its agreement with the ARS, the two arrêtés and the calls to date. Returns what was created."""
        company = self._get_company(company)
        date_ref = fields.Date.to_date(date_ref) or fields.Date.context_today(self)
        french = self.env["res.lang"].search_count([("code", "=", "fr_FR")])
        generator = self.with_company(company).with_context(
            mail_create_nosubscribe=True, tracking_disable=True, lang="fr_FR" if french else self.env.lang
        )
        env = generator.env
        ars = env["res.partner"].create({
            "name": ARS["name"], "is_company": True, "essms_payer_kind": "state", "company_id": company.id,
            "siret": make_siret(*ARS["siret"]), "street": ARS["street"], "zip": ARS["zip"], "city": ARS["city"],
            "country_id": self.env.ref("base.fr").id, **({"lang": "fr_FR"} if french else {}),
        })
        sales = env["account.journal"].search([("company_id", "=", company.id), ("type", "=", "sale")], limit=1)
        journal = env["account.journal"].create({
            "name": "Factures %s" % ESAT["name"], "code": ESAT["code"], "type": "sale", "company_id": company.id,
            "refund_sequence": True, "default_account_id": sales.default_account_id.id,
        })
        address = env["res.partner"].create({
            "name": ESAT["name"], "is_company": True, "company_id": company.id, "tz": "Europe/Paris",
            "street": "Route de Vernet", "zip": "66500", "city": "Prades", "country_id": self.env.ref("base.fr").id,
        })
        establishment = env["essms.establishment"].create({
            "name": ESAT["name"], "code": ESAT["code"], "kind": "esat", "finess": ESAT["finess"],
            "capacity": ESAT["capacity"], "company_id": company.id, "partner_id": address.id,
            "journal_id": journal.id,
        })
        agreement = env["essms.agreement"].create({
            "name": "ARS – %s" % ESAT["name"], "establishment_id": establishment.id,
            "payer_id": ars.id, "financing": "global_allocation", "invoice_grouping": "payer",
            "date_start": date(date_ref.year - 6, 1, 1), "service_code": "DD66-ESMS",
        })
        year = date_ref.year
        Allocation = env["essms.allocation"]
        # Last year's amount was known in advance (a CPOM): its twelve months called at its twelfth.
        allocations = Allocation.create({
            "agreement_id": agreement.id, "year": year - 1, "amount": PREVIOUS_AMOUNT,
            "arrete_ref": "CPOM-ARS-OC-%d" % (year - 1), "date_notified": date(year - 2, 12, 15),
        })
        notified = date(year, 4, 8)
        Call = env["essms.allocation.call"]
        calls = Call
        for call_year, month in [(year - 1, month) for month in range(1, 13)] + [(year, m) for m in range(1, 13)]:
            due = due_date(call_year, month, company.essms_allocation_due_day or 20)
            if due > date_ref:
                break
            if call_year == year and month == 4 and notified <= date_ref:
                allocations |= Allocation.create({
                    "agreement_id": agreement.id, "year": year, "amount": ARRETE_AMOUNT,
                    "arrete_ref": "ARS-OC-%d-0388" % year, "date_notified": notified,
                })
            calls |= Call._call_month(agreement, call_year, month, invoice_date=due)
        for call in calls.filtered(lambda call: call.date_due + PAYMENT_DELAY <= date_ref):
            env["account.payment.register"].with_context(
                active_model="account.move", active_ids=call.move_id.ids
            ).create({"payment_date": call.date_due + PAYMENT_DELAY})._create_payments()
        return {"establishment": establishment, "agreement": agreement, "allocations": allocations, "calls": calls}
