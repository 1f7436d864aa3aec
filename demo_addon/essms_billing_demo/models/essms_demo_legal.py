"""Demo data of the legal side (recovery-rules §5, §6): one claim in each situation, made in a few records.

Old claims close to their prescription for the radar (a département's, a resident's, a family's whose mediation
moved its date); a business debtor in collective proceedings, a family in over-indebtedness, a deceased resident's
estate with its notary; a small-claims procedure waiting for the debtor's answer and a payment order served, its
time to object running.
"""

from dateutil.relativedelta import relativedelta

from odoo import Command
from odoo import api
from odoo import fields
from odoo import models


class EssmsDemoGenerator(models.AbstractModel):
    _inherit = "essms.demo.generator"

    @api.model
    def _setup_legal_scenarios(self, company, date_ref=None):
        company = self._get_company(company)
        date_ref = fields.Date.to_date(date_ref) or fields.Date.context_today(self)
        french = self.env["res.lang"].search_count([("code", "=", "fr_FR")])
        generator = self.with_company(company).with_context(
            mail_create_nosubscribe=True, lang="fr_FR" if french else self.env.lang)
        result = generator._record_legal(company, date_ref)
        result.update(generator._record_court_procedures(company, date_ref))
        return result

    def _legal_invoice(self, company, partner, label, amount, day, period_end=None):
        journal = self.env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", company.id)], order="sequence, id", limit=1)
        move = self.env["account.move"].create({
            "move_type": "out_invoice", "partner_id": partner.id, "journal_id": journal.id, "company_id": company.id,
            "invoice_date": day, "invoice_date_due": day, "date": day,
            "essms_period_end": period_end or day,
            "invoice_line_ids": [Command.create({"name": label, "quantity": 1, "price_unit": amount, "tax_ids": []})],
        })
        move.action_post()
        return move

    def _record_legal(self, company, date_ref):
        Partner = self.env["res.partner"]
        city = {"zip": "66000", "city": "Perpignan", "country_id": self.env.ref("base.fr").id}
        departement = Partner.search([("essms_payer_kind", "=", "departement")], order="id", limit=1)
        result = {}
        # The radar: a département's month of the year before last but three, barred on the next 1 January.
        old_year = date_ref.year - 4
        if departement:
            result["public"] = self._legal_invoice(
                company, departement, "Frais de séjour novembre %d (facture restée impayée)" % old_year, 1486.20,
                fields.Date.to_date("%d-12-05" % old_year), fields.Date.to_date("%d-11-30" % old_year))
        resident = Partner.create({"name": "Marcel Py", "street": "3 rue des Remparts", "essms_payer_kind": "resident",
                                   **city})
        result["resident"] = self._legal_invoice(
            company, resident, "Contribution aux frais d'hébergement", 612.40, date_ref - relativedelta(months=22))
        # A family's claim barred already but for the mediation: the period runs again for 6 months after it.
        family = Partner.create({"name": "Famille Garcia", "street": "9 avenue Foch", "essms_payer_kind": "family",
                                 **city})
        result["mediation"] = self._legal_invoice(
            company, family, "Participation de la famille", 845.00, date_ref - relativedelta(months=30))
        self.env["essms.recovery.event"].create({
            "kind": "suspension", "suspension_reason": "mediation", "company_id": company.id,
            "date": date_ref - relativedelta(months=8), "date_end": date_ref - relativedelta(months=5),
            "move_ids": [Command.set(result["mediation"].ids)],
            "note": "Médiation de la consommation : la famille conteste une partie de la participation.",
        })
        # Collective proceedings of a business debtor (the caterer who rented the hall).
        business = Partner.create({"name": "SARL Traiteur du Roussillon", "is_company": True,
                                   "essms_payer_kind": "other", "street": "ZA Grand Saint-Charles", **city})
        self._legal_invoice(company, business, "Location de la salle polyvalente", 2400.00,
                            date_ref - relativedelta(months=3))
        mandataire = Partner.create({"name": "SELARL Mandataires du Roussillon", "is_company": True,
                                     "street": "12 quai Vauban", **city})
        Proceeding = self.env["essms.proceeding"]
        result["collective"] = Proceeding.create({
            "kind": "collective", "partner_id": business.id, "company_id": company.id,
            "date_start": date_ref - relativedelta(days=20), "reference": "TC Perpignan, RG 2026/00412",
            "representative_id": mandataire.id,
        })
        # Over-indebtedness of a family: the debts statement received, 30 days to contest it.
        over = Partner.create({"name": "Famille Roig", "street": "4 rue Mailly", "essms_payer_kind": "family", **city})
        self._legal_invoice(company, over, "Participation de la famille", 390.00, date_ref - relativedelta(months=4))
        result["over_indebtedness"] = Proceeding.create({
            "kind": "over_indebtedness", "partner_id": over.id, "company_id": company.id,
            "date_start": date_ref - relativedelta(days=15), "date_statement": date_ref - relativedelta(days=5),
            "reference": "Banque de France, dossier 066-2026-0187",
        })
        # A resident's estate, its notary, the heirs not known yet.
        deceased = Partner.create({"name": "Joséphine Sabaté", "street": "1 place de la Loge",
                                   "essms_payer_kind": "resident", **city})
        self._legal_invoice(company, deceased, "Contribution aux frais d'hébergement", 731.18,
                            date_ref - relativedelta(months=1))
        notary = Partner.create({"name": "Maître Anne Vidal, notaire", "street": "20 boulevard Clemenceau", **city})
        result["estate"] = Proceeding.create({
            "kind": "estate", "partner_id": deceased.id, "company_id": company.id,
            "date_start": date_ref - relativedelta(days=10), "representative_id": notary.id,
        })
        return result

    def _record_court_procedures(self, company, date_ref):
        """A family's small claim (the commissaire's invitation sent a week ago) and a business debtor's payment order
        (dated 2 months ago, served 3 weeks ago: the time to object runs, then the enforceable formula)."""
        Partner = self.env["res.partner"]
        Proceeding = self.env["essms.proceeding"]
        city = {"zip": "66000", "city": "Perpignan", "country_id": self.env.ref("base.fr").id}
        small = Partner.create({"name": "Famille Pujol", "street": "15 rue de l'Ange", "essms_payer_kind": "family",
                                **city})
        self._legal_invoice(company, small, "Participation de la famille", 1260.00, date_ref - relativedelta(months=5))
        business = Partner.create({"name": "SAS Blanchisserie Catalane", "is_company": True,
                                   "essms_payer_kind": "other", "street": "8 rue Paul Langevin", **city})
        self._legal_invoice(company, business, "Refacturation du linge perdu", 6480.00,
                            date_ref - relativedelta(months=6))
        return {
            "small_claims": Proceeding.create({
                "kind": "small_claims", "partner_id": small.id, "company_id": company.id,
                "date_start": date_ref - relativedelta(days=7), "reference": "Étude Soler, PC 2026-118",
            }),
            "payment_order": Proceeding.create({
                "kind": "payment_order", "partner_id": business.id, "company_id": company.id,
                "date_start": date_ref - relativedelta(months=2), "date_served": date_ref - relativedelta(days=21),
                "reference": "TJ Perpignan, IP 26/00231",
            }),
        }
