"""Referential for the billing tests: an establishment with its journal, a département and residents."""

from datetime import date
from datetime import datetime

from odoo import Command
from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.tools.misc import formatLang

CONTRIBUTION = 723.32


class BillingCommon(AccountTestInvoicingCommon):
    def _money(self, amount):
        """An amount as the user reads it, in the user's language and the company's currency."""
        return formatLang(self.env, amount, currency_obj=self.company.currency_id)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.env.user.groups_id = [Command.link(cls.env.ref("essms_billing.group_essms_manager").id)]
        cls.company = cls.company_data["company"]
        cls.term_30 = cls.env.ref("account.account_payment_term_30days")
        cls.departement = cls.env["res.partner"].create(
            {
                "name": "Département des Pyrénées-Orientales",
                "essms_payer_kind": "departement",
                "property_payment_term_id": cls.term_30.id,
                "company_id": False,
            }
        )
        cls.policy = cls.env.ref("essms_billing.absence_policy_national")
        cls.establishment = cls._create_establishment("FDV", "Foyer de vie Les Oliviers")
        cls.agreement = cls.establishment.agreement_ids

    @classmethod
    def _create_establishment(cls, code, name, capacity=40, policy=None, grouping="beneficiary", tariff=180.0):
        journal = cls.env["account.journal"].create(
            {"name": "Sales %s" % code, "code": code[:5], "type": "sale", "company_id": cls.company.id}
        )
        establishment = cls.env["essms.establishment"].create(
            {
                "name": name,
                "code": code,
                "company_id": cls.company.id,
                "capacity": capacity,
                "journal_id": journal.id,
                "kind": "foyer_vie",
            }
        )
        agreement = cls.env["essms.agreement"].create(
            {
                "name": "%s – CD66" % code,
                "establishment_id": establishment.id,
                "payer_id": cls.departement.id,
                "financing": "daily_price",
                "billing_term": "arrears",
                "invoice_grouping": grouping,
                "absence_policy_id": (policy or cls.policy).id,
                "date_start": date(2024, 1, 1),
                "service_code": "SERV-%s" % code,
                "commitment_number": "ENG-%s" % code,
            }
        )
        if tariff:
            cls.env["essms.tariff"].create(
                {
                    "agreement_id": agreement.id,
                    "accommodation": "full_board",
                    "kind": "accommodation",
                    "date_from": date(2024, 1, 1),
                    "amount": tariff,
                    "decree_ref": "Arrêté 2024-01",
                }
            )
        return establishment

    @classmethod
    def _create_resident(
        cls, name, establishment=None, entry=date(2024, 1, 1), decision="granted", date_filed=None, **beneficiary
    ):
        establishment = establishment or cls.establishment
        partner = cls.env["res.partner"].create({"name": name, "essms_payer_kind": "resident"})
        beneficiary = cls.env["essms.beneficiary"].create(
            {
                "partner_id": partner.id,
                "file_number": "F-%s-%s" % (establishment.code, name),
                "company_id": cls.company.id,
                **beneficiary,
            }
        )
        stay = cls.env["essms.stay"].create(
            {
                "beneficiary_id": beneficiary.id,
                "establishment_id": establishment.id,
                "accommodation": "full_board",
                "date_start": entry,
            }
        )
        if decision:
            vals = {
                "beneficiary_id": beneficiary.id,
                "payer_id": cls.departement.id,
                "agreement_id": establishment.agreement_ids[:1].id,
                "state": decision,
                "contribution_mode": "net_billing",
                "contribution_monthly": CONTRIBUTION,
                "reference": "DEC-%s" % name,
            }
            if decision != "to_file":
                vals["date_filed"] = date_filed or entry
            if decision in ("granted", "partially_granted", "refused"):
                vals["date_decision"] = vals["date_filed"]
            if decision in ("granted", "partially_granted"):
                vals["date_effect"] = entry
            cls.env["essms.funding.decision"].create(vals)
        return stay

    @classmethod
    def _absence(cls, stay, kind, start, end):
        absence_model = cls.env["essms.absence"]
        return absence_model.create(
            {
                "stay_id": stay.id,
                "kind": kind,
                "date_start": absence_model._local_to_utc(start),
                "date_end": absence_model._local_to_utc(end),
            }
        )

    @classmethod
    def _validated_statement(cls, establishment, month):
        statement = cls.env["essms.activity.statement"].create(
            {"establishment_id": establishment.id, "period_start": month}
        )
        statement.action_submit()
        statement.action_validate()
        return statement

    @classmethod
    def _run(cls, establishments, month):
        return cls.env["essms.billing.run"].create(
            {"period_start": month, "establishment_ids": [Command.set(establishments.ids)]}
        )

    @classmethod
    def _example_c(cls, stay):
        cls._absence(stay, "family_weekend", datetime(2025, 7, 5, 8), datetime(2025, 7, 6, 20))
        cls._absence(stay, "hospital", datetime(2025, 7, 10, 9), datetime(2025, 7, 20, 18))
