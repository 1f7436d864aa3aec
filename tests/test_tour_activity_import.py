import base64

from odoo import fields
from odoo.tests import HttpCase
from odoo.tests import tagged
from odoo.tests.common import JsonRpcException
from odoo.tests.common import new_test_user

from .common import EssmsFixtureMixin


@tagged("post_install", "-at_install")
class TestActivityImportTour(EssmsFixtureMixin, HttpCase):
    """An establishment's director imports this month's absences from their care-records export and sees their
    statement computed with them (static/src/tours/essms_activity_import_tour.js clicks; the file is the one a
    care-records system exports, built by the tour for the current month)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls._setup_essms_referential()
        cls.director = new_test_user(
            cls.env,
            login="essms_import_tour_director",
            password="essms_import_tour_director",
            groups="essms_billing.group_essms_establishment",
            lang="fr_FR",
            tz="Europe/Paris",
        )
        cls.establishment.name = "Foyer Tour Import"
        cls.establishment.user_ids = cls.director
        cls.month = fields.Date.context_today(cls.director).replace(day=1)
        cls._create_tariff(cls.agreement, cls.month.replace(month=1))
        cls.stays = cls.env["essms.stay"]
        for name, number in (("Tour Garcia Léa", "TOUR-1"), ("Tour Martin Paul", "TOUR-2")):
            beneficiary = cls._create_beneficiary(name, file_number=number)
            cls.stays |= cls._create_stay(beneficiary, cls.establishment, cls.month.replace(month=1))
        cls.statement = cls.env["essms.activity.statement"].create(
            {"establishment_id": cls.establishment.id, "period_start": cls.month}
        )
        # A colleague's establishment, with its statement and a person staying there.
        cls.other = cls._create_establishment("Foyer Tour Autre")
        cls.other_stay = cls._create_stay(
            cls._create_beneficiary("Tour Boyer Karim", file_number="TOUR-9"), cls.other, cls.month.replace(month=1)
        )
        cls.other_statement = cls.env["essms.activity.statement"].create(
            {"establishment_id": cls.other.id, "period_start": cls.month}
        )
        cls.operator = new_test_user(
            cls.env, login="essms_import_tour_operator", password="essms_import_tour_operator",
            groups="essms_billing.group_essms_operator",
        )

    def test_director_imports_a_month(self):
        self.start_tour("/odoo", "essms_activity_import_tour", login=self.director.login)
        absences = self.env["essms.absence"].search([("stay_id", "in", self.stays.ids)])
        self.assertEqual(sorted(absences.mapped("kind")), ["holidays", "personal"], "both rows imported")
        self.assertTrue(all(absences.mapped("import_digest")))
        garcia = self.statement.line_ids.filtered(lambda line: line.stay_id == self.stays[0])
        self.assertEqual((garcia.absence_holidays, self.statement.state), (5, "draft"))

    def _call(self, model, method, *args, **kwargs):
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw", {"model": model, "method": method, "args": list(args), "kwargs": kwargs}
        )

    def _file(self, number, kind):
        day = self.month.strftime("%m/%Y")
        return base64.b64encode(
            ("N° dossier;Motif;Du;Au\r\n%s;%s;05/%s;06/%s\r\n" % (number, kind, day, day)).encode()
        ).decode()

    def test_director_sees_and_imports_only_their_establishments_by_rpc(self):
        """What the web client sends, as the director: their establishment's statements only, an import into a
        colleague's establishment refused by the server with nothing written, an import into their own done."""
        self.authenticate(self.director.login, self.director.login)
        found = self._call("essms.activity.statement", "search_read", [], ["establishment_id"])
        self.assertEqual({row["id"] for row in found}, {self.statement.id})
        establishments = self._call("essms.establishment", "search_read", [], ["name"])
        self.assertEqual([row["id"] for row in establishments], self.establishment.ids)
        with self.assertRaises(JsonRpcException) as refusal:
            self._call("essms.stay", "read", self.other_stay.ids, ["beneficiary_id"])
        self.assertIn("AccessError", str(refusal.exception))
        wizard = self._call("essms.activity.import", "create", {
            "establishment_id": self.other.id, "period_start": str(self.month),
            "file": self._file("TOUR-9", "Vacances"), "filename": "autre.csv",
        })
        with self.assertRaises(JsonRpcException) as refusal:
            self._call("essms.activity.import", "action_preview", [wizard])
        self.assertIn("AccessError", str(refusal.exception))
        with self.assertRaises(JsonRpcException):
            self._call("essms.activity.import", "action_import", [wizard])
        self.assertFalse(self.env["essms.absence"].search([("stay_id", "=", self.other_stay.id)]), "nothing written")
        wizard = self._call("essms.activity.import", "create", {
            "establishment_id": self.establishment.id, "period_start": str(self.month),
            "file": self._file("TOUR-1", "Vacances"), "filename": "mien.csv",
        })
        self._call("essms.activity.import", "action_preview", [wizard])
        action = self._call("essms.activity.import", "action_import", [wizard])
        self.assertEqual((action["res_model"], action["res_id"]), ("essms.activity.statement", self.statement.id))
        self.assertEqual(self.env["essms.absence"].search([("stay_id", "in", self.stays.ids)]).kind, "holidays")

    def test_operator_without_portfolio_sees_everything_by_rpc(self):
        """An operator without any establishment in their portfolio: the lists' filter "My establishments" keeps
        every record their group allows, and the to-do has a card for every establishment."""
        self.authenticate(self.operator.login, self.operator.login)
        statements = self.statement | self.other_statement
        found = self._call(
            "essms.activity.statement", "search_read",
            [("id", "in", statements.ids), ("essms_my_establishments", "=", True)], ["id"],
        )
        self.assertEqual({row["id"] for row in found}, set(statements.ids))
        action = self._call("essms.operator.desk", "action_open")
        desk = self.env["essms.operator.desk"].browse(action["res_id"])
        self.assertFalse(desk.portfolio)
        self.assertLessEqual(self.establishment | self.other, desk.line_ids.establishment_id)
        # With an establishment in the portfolio, the same filter narrows to it (the rights stay the same).
        self.establishment.operator_ids = self.operator
        found = self._call(
            "essms.activity.statement", "search_read",
            [("id", "in", statements.ids), ("essms_my_establishments", "=", True)], ["id"],
        )
        self.assertEqual([row["id"] for row in found], self.statement.ids)
        found = self._call("essms.activity.statement", "search_read", [("id", "in", statements.ids)], ["id"])
        self.assertEqual({row["id"] for row in found}, set(statements.ids))
