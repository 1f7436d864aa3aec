"""Département-portal export (billing-rules §5): the CD66 layout to the cent, the compact layout read back,
refusal of an unvalidated month, identical files, the copy of a layout, and who may export."""

import base64
import hashlib
import io
from datetime import date
from datetime import datetime

from openpyxl import load_workbook

from odoo import Command
from odoo.addons.essms_billing.engine.portal import FileSettings
from odoo.addons.essms_billing.engine.portal import count_codes
from odoo.addons.essms_billing.engine.portal import read_csv
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import new_test_user
from odoo.tests import tagged

from .portal_common import JULY
from .portal_common import PortalCommon


@tagged("post_install", "-at_install")
class TestPortalExport(PortalCommon):
    def _export(self, layout="essms_billing.portal_layout_cd66", establishments=None, user=None):
        wizard = self.env["essms.portal.export"].with_user(user or self.env.user).create({
            "period_start": date(2025, 7, 15),
            "payer_id": self.departement.id,
            "establishment_ids": [Command.set((establishments or self.establishment).ids)],
            "layout_id": self.env.ref(layout).id if isinstance(layout, str) else layout.id,
        })
        wizard.action_export()
        return wizard

    def _sheet_rows(self, wizard):
        sheet = load_workbook(io.BytesIO(base64.b64decode(wizard.file))).active
        rows = list(sheet.iter_rows(values_only=True))
        return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]

    def test_cd66_layout_to_the_cent_and_the_day(self):
        wizard = self._export()
        self.assertEqual(wizard.file_name, "pyrenees_orientales_cd66_monthly_statement_2025-07.xlsx")
        rows = {row["N° dossier"]: row for row in self._sheet_rows(wizard)}
        self.assertEqual(sorted(rows), ["F-FDV-Bernard", "F-FDV-Martin"])
        martin = rows["F-FDV-Martin"]
        self.assertEqual(martin["N° décision"], "DEC-Martin")
        self.assertEqual(martin["Nom Prénom"], "Martin")
        self.assertEqual(martin["FINESS"], "660000017")
        self.assertEqual(martin["Type d'accueil"], "Full board")
        self.assertEqual(martin["Date d'entrée"].date(), date(2024, 1, 1))
        self.assertIsNone(martin["Date de sortie"])
        expected_martin = {
            "Jours de présence": 18, "Jours d'hospitalisation": 11, "Week-ends en famille": 2,
            "Absences convenance personnelle": 0, "Jours de vacances": 0, "Autres absences": 0,
            "Cumul absences année": 11, "Jours facturés plein tarif": 23, "Jours facturés tarif minoré": 8,
            "Jours à la charge du résident": 0, "Prix de journée": 180.0, "Montant brut": 5420.0,
            "Participation": 723.32, "Montant net département": 4696.68,
        }
        self.assertEqual({key: martin[key] for key in expected_martin}, expected_martin)
        bernard = rows["F-FDV-Bernard"]
        expected_bernard = {
            "Date de naissance": date(1975, 2, 3), "Date de sortie": date(2025, 7, 20), "Jours de présence": 19,
            "Jours facturés plein tarif": 19, "Montant brut": 3420.0, "Participation": 443.33,
            "Montant net département": 2976.67,
        }
        self.assertEqual(
            {key: bernard[key].date() if hasattr(bernard[key], "date") else bernard[key] for key in expected_bernard},
            expected_bernard,
        )
        self.assertEqual(bernard["Observations"], "Departure on 20/07/2025")

    def test_left_out_beneficiaries_are_listed_with_the_reason(self):
        wizard = self._export()
        self.assertEqual(wizard.row_count, 2)
        self.assertIn("Petit (file F-FDV-Petit, Foyer de vie Les Oliviers): the funding decision is pending",
                      wizard.left_out)
        self.assertIn("Roux (file F-FDV-Roux, Foyer de vie Les Oliviers): no funding decision covers the month",
                      wizard.left_out)
        self.assertFalse(wizard.notes)

    def test_other_payer_is_left_out(self):
        aude = self.env["res.partner"].create({"name": "Département de l'Aude", "essms_payer_kind": "departement"})
        layout = self.env.ref("essms_billing.portal_layout_cd66").copy({"name": "Aude"})
        wizard = self.env["essms.portal.export"].create({
            "period_start": JULY, "payer_id": aude.id, "layout_id": layout.id,
            "establishment_ids": [Command.set(self.establishment.ids)],
        })
        wizard.action_export()
        self.assertEqual(wizard.row_count, 0)
        self.assertEqual(wizard.left_out.splitlines(), [
            "Roux (file F-FDV-Roux, Foyer de vie Les Oliviers): no funding decision covers the month.",
            "3 beneficiaries funded by another payer, Département des Pyrénées-Orientales.",
        ])
        message = self.statement.message_ids[:1] | self.billing_run.message_ids[:1]
        self.assertIn("0 beneficiaries, 4 left out", " ".join(message.mapped("body")))

    def test_compact_layout_reads_back_the_same_days(self):
        wizard = self._export("essms_billing.portal_layout_compact")
        self.assertTrue(wizard.file_name.endswith("_2025-07.csv"))
        layout = self.env.ref("essms_billing.portal_layout_compact")
        lines = read_csv(base64.b64decode(wizard.file), layout._file_settings())
        header, rows = lines[0], lines[1:]
        self.assertEqual(header[2:5], ["J01", "J02", "J03"])
        self.assertEqual(header[32], "J31")
        self.assertEqual(len(rows), 2)
        stays = {"F-FDV-Martin": self.martin, "F-FDV-Bernard": self.bernard}
        for row in rows:
            codes = "".join(row[2:33])
            counts = count_codes(codes)
            line = self._statement_line(stays[row[0]])
            with self.subTest(file=row[0]):
                self.assertEqual(len(codes), 31)
                self.assertEqual(counts["present"], line.days_present)
                self.assertEqual(counts["hospital"], line.absence_hospital)
                self.assertEqual(counts["family_weekend"], line.absence_family_weekend)
                self.assertEqual(counts["personal"], line.absence_personal)
                self.assertEqual(row[33], str(int(line.days_present)))
        martin = next(row for row in rows if row[0] == "F-FDV-Martin")
        self.assertEqual("".join(martin[2:33]), "PPPPWWPPP" + "H" * 11 + "P" * 11)
        bernard = next(row for row in rows if row[0] == "F-FDV-Bernard")
        self.assertEqual("".join(bernard[2:33]), "P" * 19 + "X" + "-" * 11)

    def test_compact_codes_are_those_of_the_validated_statement(self):
        # An absence cannot be recorded in a validated month (billing-rules §13): the file keeps the statement's codes.
        with self.assertRaises(UserError):
            self._absence(self.bernard, "holidays", datetime(2025, 7, 2, 8), datetime(2025, 7, 6, 20))
        wizard = self._export("essms_billing.portal_layout_compact")
        lines = read_csv(base64.b64decode(wizard.file), FileSettings(separator=";"))
        bernard = next(row for row in lines if row[0] == "F-FDV-Bernard")
        self.assertEqual("".join(bernard[2:33]), "P" * 19 + "X" + "-" * 11)
        self.assertEqual(self._statement_line(self.bernard).day_codes, "P" * 19 + "X" + "-" * 11)

    def test_unvalidated_statement_is_refused_naming_the_establishment(self):
        other = self._create_establishment("FDH", "Foyer d'hébergement Les Albères")
        self.env["essms.activity.statement"].create({"establishment_id": other.id, "period_start": JULY})
        with self.assertRaises(UserError) as caught:
            self._export(establishments=self.establishment | other)
        self.assertIn("07/2025", str(caught.exception))
        self.assertIn("Foyer d'hébergement Les Albères", str(caught.exception))
        self.assertNotIn("Les Oliviers", str(caught.exception))

    def test_same_month_gives_the_same_file_kept_on_the_run(self):
        first = self._export()
        second = self._export()
        self.assertEqual(hashlib.sha256(base64.b64decode(first.file)).hexdigest(),
                         hashlib.sha256(base64.b64decode(second.file)).hexdigest())
        compact = [self._export("essms_billing.portal_layout_compact").file for _ in range(2)]
        self.assertEqual(compact[0], compact[1])
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", "essms.billing.run"), ("res_id", "=", self.billing_run.id),
             ("name", "=", first.file_name)]
        )
        self.assertEqual(len(attachments), 2)
        self.assertEqual(attachments[0].raw, base64.b64decode(first.file))
        message = self.billing_run.message_ids.filtered(lambda m: first.file_name in (m.body or ""))[:1]
        self.assertEqual(message.author_id, self.env.user.partner_id)
        self.assertEqual(message.attachment_ids[:1].name, first.file_name)
        self.assertIn("2 beneficiaries, 2 left out", message.body)

    def test_without_a_run_the_file_is_kept_on_the_statement(self):
        other = self._create_establishment("FDH", "Foyer d'hébergement Les Albères")
        stay = self._create_resident("Garcia", establishment=other)
        statement = self._validated_statement(other, JULY)
        wizard = self._export(establishments=other)
        self.assertEqual(wizard.row_count, 1)
        self.assertIn("No billing run of the month has computed these beneficiaries yet", wizard.notes)
        self.assertIn("Garcia", wizard.notes)
        row = self._sheet_rows(wizard)[0]
        self.assertEqual(row["Jours de présence"], 31)
        self.assertIsNone(row["Montant net département"])
        self.assertEqual(stay.beneficiary_id.file_number, row["N° dossier"])
        self.assertTrue(self.env["ir.attachment"].search_count(
            [("res_model", "=", "essms.activity.statement"), ("res_id", "=", statement.id)]
        ))

    def test_operator_copies_and_adapts_a_layout_without_code(self):
        operator = new_test_user(self.env, "portal_operator", groups="essms_billing.group_essms_operator")
        cd66 = self.env.ref("essms_billing.portal_layout_cd66").with_user(operator)
        copy = cd66.copy()
        self.assertEqual(copy.name, "Pyrénées-Orientales (CD66) monthly statement (copy)")
        self.assertEqual(copy.column_ids.mapped("source"), cd66.column_ids.mapped("source"))
        copy.write({
            "file_format": "csv", "csv_separator": ";", "decimal_separator": ".", "date_format": "%Y-%m-%d",
            "column_ids": [Command.clear(),
                           Command.create({"sequence": 1, "source": "file_number", "header": "Dossier"}),
                           Command.create({"sequence": 2, "source": "date_exit", "header": "Sortie"}),
                           Command.create({"sequence": 3, "source": "net_amount", "header": "Net"})],
        })
        self.assertEqual(len(cd66.column_ids), 24, "the shipped layout is unchanged")
        wizard = self._export(copy, user=operator)
        lines = read_csv(base64.b64decode(wizard.file), FileSettings(separator=";"))
        self.assertEqual(lines[0], ["Dossier", "Sortie", "Net"])
        self.assertEqual(lines[1:], [["F-FDV-Bernard", "2025-07-20", "2976.67"], ["F-FDV-Martin", "", "4696.68"]])

    def test_export_queries_do_not_grow_with_beneficiaries(self):
        for layout in ("essms_billing.portal_layout_cd66", "essms_billing.portal_layout_compact"):
            self._export(layout)  # caches warmed up
        counts = []
        for code, residents in (("SMALL", 1), ("LARGE", 5)):
            establishment = self._create_establishment(code, "Foyer %s" % code)
            for index in range(residents):
                self._create_resident("%s-%s" % (code, index), establishment=establishment)
            self._validated_statement(establishment, JULY)
            self._run(establishment, JULY).action_compute()
            for layout in ("essms_billing.portal_layout_cd66", "essms_billing.portal_layout_compact"):
                self.env.invalidate_all()
                before = self.env.cr.sql_log_count
                wizard = self._export(layout, establishments=establishment)
                counts.append((layout, wizard.row_count, self.env.cr.sql_log_count - before))
        self.assertEqual([count[1] for count in counts], [1, 1, 5, 5])
        self.assertEqual(counts[0][2], counts[2][2], counts)
        self.assertEqual(counts[1][2], counts[3][2], counts)

    def test_establishment_user_cannot_export(self):
        director = new_test_user(self.env, "portal_director", groups="essms_billing.group_essms_establishment")
        self.establishment.user_ids = [Command.link(director.id)]
        with self.assertRaises(AccessError):
            self._export(user=director)
        with self.assertRaises(AccessError):
            self.env["essms.portal.layout"].with_user(director).search([])
