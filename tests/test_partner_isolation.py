"""Residents' identities across establishments (issue 12, item 7), over RPC as an establishment user.

A director of Les Albères must not read the contact record (name, address) of a resident, guardian or paying
family of Le Canigou, whatever the route (search_read, read, name_search, the partner list); their own residents,
their colleagues, the company and the payers stay readable, and their own screens (absence and statement forms,
the chatter) still open.
"""

import re
import xmlrpc.client
from datetime import date

from odoo import Command
from odoo.tests import HttpCase
from odoo.tests import new_test_user
from odoo.tests import tagged

from .common import EssmsFixtureMixin

ESTABLISHMENT = "essms_billing.group_essms_establishment"
OPERATOR = "essms_billing.group_essms_operator"


@tagged("post_install", "-at_install")
class TestPartnerIsolation(EssmsFixtureMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_essms_referential()
        cls.director_a = new_test_user(cls.env, "director_alberes", groups=ESTABLISHMENT, name="Directrice Albères")
        cls.operator = new_test_user(cls.env, "iso_operator", groups=OPERATOR, name="Opérateur Facturation")
        cls.establishment.user_ids = [Command.link(cls.director_a.id)]
        cls.other = cls._create_establishment("MAS Le Canigou", code="CAN")
        cls.guardian = cls.env["res.partner"].create(
            {"name": "UDAF 66 – M. Tuteur", "street": "5 rue du Tuteur", "essms_payer_kind": "guardian"}
        )
        cls.paul = cls._create_beneficiary("Paul Durand")
        cls.lucie = cls._create_beneficiary(
            "Lucie Bernard", legal_protection="tutelle", protector_id=cls.guardian.id
        )
        cls.lucie.partner_id.write({"street": "12 rue Secrète", "city": "Céret"})
        cls.family = cls.env["res.partner"].create(
            {"name": "Famille Bernard", "street": "3 impasse Privée", "essms_payer_kind": "family"}
        )
        cls.own_guardian = cls.env["res.partner"].create({"name": "Mme Curatrice", "essms_payer_kind": "guardian"})
        cls.paul.write({"legal_protection": "curatelle", "protector_id": cls.own_guardian.id})
        cls.paul_stay = cls._create_stay(cls.paul, cls.establishment, date(2025, 1, 1))
        cls._create_stay(cls.lucie, cls.other, date(2025, 1, 1))
        cls.statement = cls.env["essms.activity.statement"].create(
            {"establishment_id": cls.establishment.id, "period_start": date(2025, 3, 1)}
        )

    def _rpc(self, user, model, method, *args, **kwargs):
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, user.id, user.login, model, method, list(args), kwargs
        )

    def test_other_establishments_residents_are_not_readable(self):
        hidden = self.lucie.partner_id | self.guardian | self.family
        found = self._rpc(self.director_a, "res.partner", "search_read", [("id", "in", hidden.ids)],
                          fields=["name", "street"])
        self.assertEqual(found, [])
        names = self._rpc(self.director_a, "res.partner", "name_search", "Bernard")
        self.assertFalse(names)
        everyone = self._rpc(self.director_a, "res.partner", "search", [])
        self.assertFalse(set(hidden.ids) & set(everyone))
        for partner in hidden:
            with self.subTest(partner=partner.name), self.assertRaises(xmlrpc.client.Fault) as caught:
                self._rpc(self.director_a, "res.partner", "read", [partner.id], ["name", "street"])
            self.assertNotIn(partner.street, caught.exception.faultString)
            self.assertNotIn(partner.name, caught.exception.faultString)

    def test_what_the_director_needs_stays_readable(self):
        needed = (
            self.paul.partner_id | self.own_guardian | self.director_a.partner_id | self.operator.partner_id
            | self.env.company.partner_id | self.establishment.partner_id | self.payer
            | self.env.ref("base.partner_root")
        )
        # read, not search: OdooBot's partner is archived, and the chatter shows it all the same.
        found = self._rpc(self.director_a, "res.partner", "read", needed.ids, ["name"])
        self.assertEqual(sorted(row["id"] for row in found), sorted(needed.ids))

    def test_own_screens_still_open(self):
        self.authenticate(self.director_a.login, self.director_a.login)
        for model, record in (("essms.absence", None), ("essms.activity.statement", self.statement),
                              ("essms.beneficiary", self.paul), ("essms.stay", self.paul_stay)):
            with self.subTest(model=model):
                views = self.make_jsonrpc_request("/web/dataset/call_kw", {
                    "model": model, "method": "get_views", "args": [],
                    "kwargs": {"views": [[False, "form"]]},
                })
                fields = views["models"][model]["fields"]
                # The fields the form shows this user (the parts for other groups are taken out of its arch).
                shown = set(re.findall(r'<field name="(\w+)"', views["views"]["form"]["arch"]))
                spec = {}
                for name, field in fields.items():
                    if name not in shown:
                        continue
                    if field["type"] == "many2one" or field["type"] in ("one2many", "many2many"):
                        spec[name] = {"fields": {"display_name": {}}}
                    else:
                        spec[name] = {}
                if record is None:
                    result = self.make_jsonrpc_request("/web/dataset/call_kw", {
                        "model": model, "method": "onchange", "args": [[], {}, [], spec],
                        "kwargs": {"context": {"default_stay_id": self.paul_stay.id}},
                    })
                    self.assertIn("value", result)
                else:
                    rows = self.make_jsonrpc_request("/web/dataset/call_kw", {
                        "model": model, "method": "web_read", "args": [record.ids],
                        "kwargs": {"specification": spec},
                    })
                    self.assertEqual(rows[0]["id"], record.id)
        # The chatter of the statement: the director writes, then reads the messages and their authors.
        self.make_jsonrpc_request("/web/dataset/call_kw", {
            "model": "essms.activity.statement", "method": "message_post", "args": [self.statement.ids],
            "kwargs": {"body": "Mars : deux absences ajoutées", "message_type": "comment"},
        })
        self.statement.with_user(self.operator).message_post(body="Reçu, merci", message_type="comment")
        messages = self.make_jsonrpc_request("/mail/thread/messages", {
            "thread_model": "essms.activity.statement", "thread_id": self.statement.id, "limit": 30,
        })
        authors = {partner["name"] for partner in messages["data"].get("res.partner", [])}
        self.assertTrue({"Directrice Albères", "Opérateur Facturation"} <= authors, authors)
