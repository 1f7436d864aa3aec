"""Activity import through the wizard, as an establishment's director: preview, nothing written before Import,
the same file refused twice, a validated month refused, only their own establishments."""

import base64
from datetime import date
from datetime import datetime

from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import new_test_user
from odoo.tests import tagged

from .common import EssmsReferentialCase

OCTOBER = date(2026, 10, 1)
CSV = (
    "N° dossier;Nom prénom;Date de naissance;Motif;Du;Au;Heure de départ;Heure de retour\r\n"
    "IMP-1;Garcia Léa;17/05/1980;Vacances;05/10/2026;09/10/2026;;\r\n"
    ";Léa Martin;17/05/1980;Hospitalisation;12/10/2026;14/10/2026;10:00;17h\r\n"
    "IMP-9;Boyer Karim;;Vacances;05/10/2026;06/10/2026;;\r\n"
    "IMP-2;Martin Léa;;Piscine;05/10/2026;06/10/2026;;\r\n"
).encode("cp1252")


@tagged("post_install", "-at_install")
class TestActivityImport(EssmsReferentialCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.director = new_test_user(cls.env, "import_director", groups="essms_billing.group_essms_establishment")
        cls.establishment.user_ids = cls.director
        cls.other = cls._create_establishment("Foyer d'hébergement Le Canigou", code="CAN")
        garcia = cls._create_beneficiary("Léa Garcia", file_number="IMP-1")
        martin = cls._create_beneficiary("Léa Martin", file_number="IMP-2")
        boyer = cls._create_beneficiary("Karim Boyer", file_number="IMP-9")
        cls.stay_garcia = cls._create_stay(garcia, cls.establishment, date(2026, 1, 1))
        cls.stay_martin = cls._create_stay(martin, cls.establishment, date(2026, 1, 1))
        cls._create_stay(boyer, cls.other, date(2026, 1, 1))
        cls.statement = cls.env["essms.activity.statement"].create(
            {"establishment_id": cls.establishment.id, "period_start": OCTOBER}
        )

    def _wizard(self, content=CSV, establishment=None, user=None):
        return self.env["essms.activity.import"].with_user(user or self.director).create({
            "establishment_id": (establishment or self.establishment).id,
            "period_start": date(2026, 10, 20),
            "file": base64.b64encode(content),
            "filename": "activite_octobre.csv",
        })

    def _absences(self):
        return self.env["essms.absence"].search([("stay_id", "in", (self.stay_garcia | self.stay_martin).ids)])

    def test_director_previews_then_imports_a_month(self):
        wizard = self._wizard()
        wizard.action_preview()
        self.assertFalse(self._absences(), "nothing is written by the preview")
        self.assertEqual(
            [(line.row, line.action, line.beneficiary_id.name) for line in wizard.line_ids],
            [(2, "create", "Léa Garcia"), (3, "create", "Léa Martin"), (4, "refused", False), (5, "refused", False)],
        )
        self.assertIn("Row 4", wizard.line_ids[2].message, "no stay here: named by its row")
        self.assertIn("Row 5, column D", wizard.line_ids[3].message)
        self.assertEqual((wizard.count_create, wizard.count_refused, wizard.can_import), (2, 2, True))
        action = wizard.action_import()
        absences = self._absences()
        self.assertEqual(sorted(absences.mapped("kind")), ["holidays", "hospital"])
        hospital = absences.filtered(lambda absence: absence.kind == "hospital")
        self.assertEqual(hospital._local_datetimes(), (datetime(2026, 10, 12, 10), datetime(2026, 10, 14, 17)))
        self.assertEqual((action["res_model"], action["res_id"]), ("essms.activity.statement", self.statement.id))
        line = self.statement.line_ids.filtered(lambda line: line.stay_id == self.stay_garcia)
        self.assertEqual(line.absence_holidays, 5, "the statement is computed again with the imported absences")
        # The same file again: refused, naming the earlier import; nothing written.
        with self.assertRaises(UserError) as refusal:
            self._wizard().action_preview()
        self.assertIn("already imported", str(refusal.exception))
        self.assertEqual(self._absences(), absences)

    def test_changed_dates_and_validated_month(self):
        recorded = self._create_absence(self.stay_garcia, date(2026, 10, 5), date(2026, 10, 7), kind="holidays")
        wizard = self._wizard()
        wizard.action_preview()
        self.assertEqual(wizard.line_ids[0].action, "change", wizard.line_ids[0].message)
        self.assertEqual(wizard.line_ids[0].absence_id, recorded)
        wizard.action_import()
        self.assertEqual(recorded._local_dates(), (date(2026, 10, 5), date(2026, 10, 9)))
        # Validated (by the server: this referential has no tariff, its statement would show blocking anomalies).
        self.statement.sudo().write({"state": "validated"})
        with self.assertRaises(UserError) as refusal:
            self._wizard(CSV.replace(b"09/10/2026", b"08/10/2026")).action_preview()
        self.assertIn("is validated", str(refusal.exception))

    def test_director_imports_only_into_their_establishments(self):
        with self.assertRaises(AccessError):
            self._wizard(establishment=self.other).action_preview()
