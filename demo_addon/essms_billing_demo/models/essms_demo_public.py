"""Demo of the public-creditor mode (recovery-rules §4, example R5): a second company, a public EHPAD, whose titres
stand at each step: one reminded, its mise en demeure de payer due; one after its mise en demeure with an SATD ready
to issue, waiting for the ordonnateur's authorisation; one under SATD and contested within 2 months; one paid by its
third party. Its own users: the ordonnateur (who authorises enforcement) and the public accountant's operator. Its
own company and fixed amounts: the association's demo figures are untouched."""

from dateutil.relativedelta import relativedelta

from odoo import Command
from odoo import api
from odoo import fields
from odoo import models

from .essms_demo_generator import MODULE
from .essms_demo_generator import TZ

PUBLIC_COMPANY = "EHPAD public Les Tilleuls"
# (xml id, name, login = password, group): the ordonnateur and the accountant's operator of the public EHPAD.
PUBLIC_USERS = (
    ("user_demo_ordonnateur", "Paul Durand", "ordonnateur", "group_essms_authorising_officer"),
    ("user_demo_operateur_public", "Nadia Sabaté", "operateur_public", "group_essms_operator"),
)


class EssmsDemoGenerator(models.AbstractModel):
    _inherit = "essms.demo.generator"

    @api.model
    def _setup_public_scenario(self, users, date_ref=None):
        date_ref = fields.Date.to_date(date_ref) or fields.Date.context_today(self)
        company = self.env["res.company"].create({
            "name": PUBLIC_COMPANY,
            "currency_id": self.env.ref("base.EUR").id,
            "essms_creditor_kind": "public_body",
            "essms_authorising_officer": "M. Paul Durand, directeur de l'EHPAD, ordonnateur",
            "essms_public_accountant": "Service de gestion comptable de Perpignan, 2 rue Henri Bataille, "
                                       "66000 Perpignan",
            "essms_appeal_court": "le tribunal judiciaire de Perpignan",
            "essms_payment_modes": "chèque à l'ordre du Trésor public, virement, carte bancaire en ligne "
                                   "(payfip.gouv.fr) ou paiement de proximité chez un buraliste agréé",
        })
        company.partner_id.write({"street": "3 rue des Tilleuls", "zip": "66000", "city": "Perpignan",
                                  "country_id": self.env.ref("base.fr").id, "is_company": True})
        self.env["account.chart.template"].try_loading("fr", company, install_demo=False)
        self.env["res.users"].browse(users).write({"company_ids": [Command.link(company.id)]})
        public_users = self._public_users(company)
        generator = self.with_company(company).with_context(
            mail_create_nosubscribe=True, lang=self._french() or self.env.lang,
            allowed_company_ids=[company.id])
        return generator._record_public(company, date_ref, public_users)

    def _public_users(self, company):
        """The public EHPAD's ordonnateur and operator, working in that company only (xml ids for the tests)."""
        french = self._french()
        created = {}
        for xmlid, name, login, group in PUBLIC_USERS:
            created[xmlid] = self.env["res.users"].with_context(no_reset_password=True).create({
                "name": name, "login": login, "password": login, "tz": TZ, "lang": french or self.env.lang,
                "email": "%s@tilleuls.example" % login,
                "company_id": company.id, "company_ids": [Command.set(company.ids)],
                "groups_id": [Command.set([self.env.ref("base.group_user").id,
                                           self.env.ref("essms_billing.%s" % group).id])],
            })
        self.env["ir.model.data"].create([
            {"module": MODULE, "name": xmlid, "model": "res.users", "res_id": user.id, "noupdate": True}
            for xmlid, user in created.items()
        ])
        return created

    def _record_public(self, company, date_ref, public_users):
        sales = self.env["account.journal"].search([("type", "=", "sale"), ("company_id", "=", company.id)], limit=1)
        journal = self.env["account.journal"].create({
            "name": "Titres de recettes", "code": "TIT", "type": "sale", "company_id": company.id,
            "default_account_id": sales.default_account_id.id})
        company.essms_titre_journal_id = journal
        self.env["essms.satd.threshold"].create([
            {"company_id": company.id, "kind": "bank", "amount": 30.0},
            {"company_id": company.id, "kind": "employer", "amount": 100.0},
        ])
        french = self._french()
        partners = self.env["res.partner"].create([
            {"name": name, "street": street, "zip": "66000", "city": "Perpignan", "essms_payer_kind": "resident",
             "lang": french or False, "company_id": company.id}
            for name, street in (("Marcel Vidal", "4 rue Foch"), ("Josette Roig", "12 rue Mailly"),
                                 ("André Pujol", "7 place Rigaud"), ("Lucienne Ferrer", "1 rue Grande la Monnaie"))
        ])
        banks = self.env["res.partner"].create([
            {"name": "Banque Populaire du Sud", "street": "10 quai Vauban", "zip": "66000", "city": "Perpignan",
             "is_company": True},
            {"name": "CAF des Pyrénées-Orientales", "street": "11 rue Jean Rière", "zip": "66000",
             "city": "Perpignan", "is_company": True},
        ])
        taken = (date_ref - relativedelta(months=11)).replace(day=5)
        notice_day = taken + relativedelta(days=46)
        satd_day = taken + relativedelta(days=79)
        titres = self.env["account.move"]
        labels = ("Hébergement", "Hébergement", "Tarif dépendance", "Frais de blanchisserie")
        for partner, amount, label in zip(partners, (480.0, 320.0, 150.0, 95.0), labels, strict=True):
            titres |= self.env["account.move"].create({
                "move_type": "out_invoice", "partner_id": partner.id, "journal_id": journal.id,
                "company_id": company.id, "invoice_date": taken, "invoice_date_due": taken, "date": taken,
                "invoice_line_ids": [Command.create({"name": label, "quantity": 1, "price_unit": amount,
                                                     "tax_ids": []})],
            })
        titres.action_post()
        titres._essms_take_in_charge(taken)
        contested, ready, reminded, paid = titres
        # The accountant's path so far (the public dunning policy): the amicable reminder a month after the taking
        # in charge for all, the mise en demeure de payer for three of them; the fourth's is due now.
        levels = self.env["essms.dunning.policy"]._policy_by_kind(company)["resident"].level_ids.sorted("sequence")
        reminded.write({"essms_dunning_level_id": levels[0].id, "essms_dunning_date": taken + relativedelta(days=35)})
        (contested | ready | paid).write({"essms_dunning_level_id": levels[1].id, "essms_dunning_date": notice_day})
        Event = self.env["essms.recovery.event"]
        for move in (contested, ready, paid):
            Event.create({"kind": "written_demand", "date": notice_day, "company_id": company.id,
                          "move_ids": [Command.set(move.ids)],
                          "note": self.env._("Mise en demeure de payer sent by registered letter.")})
        # The ordonnateur authorised the two SATDs already issued; the third one waits for him.
        self.env["essms.enforcement.authorisation"].with_user(public_users["user_demo_ordonnateur"]).sudo().create({
            "company_id": company.id, "scope": "titres", "date": notice_day,
            "authorised_by_id": public_users["user_demo_ordonnateur"].id,
            "move_ids": [Command.set((contested | paid).ids)],
            "note": self.env._("Authorisation of enforcement of the titres after their mise en demeure de payer."),
        })
        Third = self.env["essms.debtor.third.party"]
        third = {
            move: Third.create({"company_id": company.id, "debtor_id": move.partner_id.id, "partner_id": banks[0].id,
                                "kind": "bank", "source": "FICOBA", "date_info": notice_day,
                                "reference": "FR76 1660 7000 %04d" % move.id})
            for move in (contested, ready, paid)
        }
        Third.create({"company_id": company.id, "debtor_id": ready.partner_id.id, "partner_id": banks[1].id,
                      "kind": "caf", "benefit": "rsa", "source": "CAF", "date_info": notice_day})
        Notice = self.env["essms.third.party.notice"]
        issued = Notice.create([
            {"company_id": company.id, "debtor_id": move.partner_id.id, "third_party_id": third[move].id,
             "move_ids": [Command.set(move.ids)], "amount": move.amount_residual, "date": satd_day}
            for move in (contested, paid)
        ])
        issued.action_issue()
        answered = issued[1]
        answered.write({"answer": "funds", "answer_date": satd_day + relativedelta(days=20),
                        "amount_received": paid.amount_residual})
        answered.action_record_answer()
        self.env["essms.recovery.hold"].create({
            "company_id": company.id, "reason": "contest_merits", "move_id": contested.id,
            "date_start": satd_day + relativedelta(days=16), "date_notified": notice_day,
            "note": self.env._("The resident's son contests the amount of the accommodation billed."),
        })
        # Ready for the operator: the SATD of the second titre, to issue once the ordonnateur has authorised it.
        Notice.create({"company_id": company.id, "debtor_id": ready.partner_id.id, "third_party_id": third[ready].id,
                       "move_ids": [Command.set(ready.ids)], "amount": ready.amount_residual,
                       "date": date_ref})
        return company
