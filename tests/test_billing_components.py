"""Every component and every payer of a stay, billed by a run (billing-rules §9 to §11): worked examples I (FAM, two
payers), F (MAS, the 30 % AAH guarantee) and G (EHPAD) on the invoice lines and each payer's invoices; a person whose
data is missing is not billed, the others are."""

import base64
import io
from datetime import date
from datetime import datetime
from unittest.mock import patch

from openpyxl import load_workbook

from odoo import Command
from odoo.addons.essms_billing.models import essms_billing_line as line_module
from odoo.exceptions import AccessError
from odoo.exceptions import ValidationError
from odoo.tests import freeze_time
from odoo.tests import new_test_user
from odoo.tests import tagged
from odoo.tools import SQL

from .billing_common import BillingCommon

MARCH = date(2026, 3, 1)
APRIL = date(2026, 4, 1)
ENTRY = date(2024, 1, 1)


@tagged("post_install", "-at_install")
class TestBillingComponents(BillingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        partner = cls.env["res.partner"]
        cls.cpam = partner.create({"name": "CPAM des Pyrénées-Orientales", "essms_payer_kind": "health_insurance"})
        cls.mutuelle = partner.create({"name": "Mutuelle Catalane", "essms_payer_kind": "other"})
        cls.cd34 = partner.create({"name": "Département de l'Hérault", "essms_payer_kind": "departement"})

        # FAM: accommodation to the département (decision), care to the beneficiary's fund.
        cls.fam = cls._create_establishment("FAM", "FAM Les Pins", tariff=184.50)
        cls.fam.kind = "fam"
        care = cls._agreement(cls.fam, "care", "health_fund", name="FAM – soins")
        cls._tariff(care, "care", 72.35)
        cls.ines = cls._create_resident("Inès Roig", establishment=cls.fam)
        cls._situation(cls.ines, health_fund_id=cls.cpam.id)
        cls._absence(cls.ines, "hospital", datetime(2026, 3, 10, 8), datetime(2026, 3, 14, 18))

        # MAS: the daily price to the fund, the daily hospital fee to the resident within the guarantee.
        cls.mas = cls._create_establishment("MAS", "MAS La Tramontane", tariff=0)
        cls.mas.kind = "mas"
        accommodation = cls.mas.agreement_ids
        accommodation.write({"payer_rule": "health_fund", "payer_id": False})
        cls._tariff(accommodation, "accommodation", 245.80)
        cls._agreement(cls.mas, "fjh", "resident", name="MAS – forfait journalier")
        cls.fabien = cls._create_resident("Fabien Sala", establishment=cls.mas, decision=None)
        cls._situation(cls.fabien, health_fund_id=cls.cpam.id, resources_monthly=1033.32)
        cls.firmin = cls._create_resident("Firmin Pujol", establishment=cls.mas, decision=None)
        cls._situation(cls.firmin, health_fund_id=cls.cpam.id, resources_monthly=600.00)
        cls.flora = cls._create_resident("Flora Vidal", establishment=cls.mas, decision=None)
        cls._situation(cls.flora, health_fund_id=cls.cpam.id, resources_monthly=600.00,
                       fjh_third_payer_id=cls.mutuelle.id)
        # Bad input: no situation at all (no fund, no resources).
        cls.blaise = cls._create_resident("Blaise Ferrer", establishment=cls.mas, decision=None)

        # EHPAD: social aid (CD66) or private accommodation; dependency by GIR, APA individual for the CD34.
        cls.ehpad = cls._create_establishment("EHP", "EHPAD Les Mimosas", tariff=68.40)
        cls.ehpad.kind = "ehpad"
        cls.social_aid = cls.ehpad.agreement_ids
        cls.social_aid.write({"payer_rule": "decision_payer", "billing_term": "advance"})
        private = cls._agreement(cls.ehpad, "accommodation", "resident", name="EHPAD – résidents payants",
                                 billing_term="advance")
        cls._tariff(private, "accommodation", 68.40)
        allocation = cls._agreement(cls.ehpad, "dependency", "decision_payer", name="APA CD66 (dotation)",
                                    payer=cls.departement, billing_term="advance")
        cls.apa34 = cls._agreement(cls.ehpad, "dependency", "decision_payer", name="APA CD34", payer=cls.cd34,
                                   billing_term="advance", apa_individual=True)
        for agreement in allocation | cls.apa34:
            for gir, amount in (("1_2", 23.10), ("3_4", 14.66), ("5_6", 6.22)):
                cls._tariff(agreement, "dependency", amount, gir_group=gir)
        cls.gaston = cls._create_resident("Gaston Marty", establishment=cls.ehpad, decision=None)
        cls._situation(cls.gaston, gir_group="1_2")
        cls.germaine = cls._create_resident("Germaine Coll", establishment=cls.ehpad, decision=None)
        cls._situation(cls.germaine, gir_group="1_2")
        cls._decision(cls.germaine, cls.cd34, cls.apa34, "APA-34-1")
        cls.gisele = cls._create_resident("Gisèle Bosch", establishment=cls.ehpad, decision=None)
        cls._situation(cls.gisele, gir_group="1_2", resources_monthly=1450.00)
        cls._decision(cls.gisele, cls.departement, cls.social_aid, "ASH-66-1", contribution=1305.00)
        # Bad input: a dependency stay without GIR group.
        cls.gaspard = cls._create_resident("Gaspard Serra", establishment=cls.ehpad, decision=None)
        cls._situation(cls.gaspard, resources_monthly=1200.00)

    @classmethod
    def _agreement(cls, establishment, component, rule, name, payer=None, billing_term="arrears", **values):
        return cls.env["essms.agreement"].create(
            {
                "name": name,
                "establishment_id": establishment.id,
                "component": component,
                "payer_rule": rule,
                "payer_id": payer.id if payer else False,
                "billing_term": billing_term,
                "absence_policy_id": cls.policy.id,
                "date_start": ENTRY,
                **values,
            }
        )

    @classmethod
    def _tariff(cls, agreement, kind, amount, **values):
        return cls.env["essms.tariff"].create(
            {"agreement_id": agreement.id, "kind": kind, "date_from": ENTRY, "amount": amount, **values}
        )

    @classmethod
    def _situation(cls, stay, **values):
        return cls.env["essms.beneficiary.situation"].create(
            {"beneficiary_id": stay.beneficiary_id.id, "date_from": ENTRY, **values}
        )

    @classmethod
    def _decision(cls, stay, payer, agreement, reference, contribution=0.0):
        return cls.env["essms.funding.decision"].create(
            {
                "beneficiary_id": stay.beneficiary_id.id,
                "payer_id": payer.id,
                "agreement_id": agreement.id,
                "state": "granted",
                "date_filed": ENTRY,
                "date_decision": ENTRY,
                "date_effect": ENTRY,
                "contribution_mode": "net_billing" if contribution else "none",
                "contribution_monthly": contribution,
                "reference": reference,
            }
        )

    def _invoiced(self, establishments, month):
        for establishment in establishments:
            self._validated_statement(establishment, month)
        run = self._run(establishments, month)
        run.action_compute()
        run.action_invoice()
        return run

    def _invoices(self, run, stay):
        """{payer: [(quantity, unit price, amount)]} of the stay's beneficiary's invoices."""
        moves = run.move_ids.filtered(lambda move: move.essms_beneficiary_id == stay.beneficiary_id)
        return {
            move.partner_id: [(line.quantity, line.price_unit, line.price_subtotal) for line in move.invoice_line_ids]
            for move in moves
        }

    def _total(self, run, stay, partner):
        moves = run.move_ids.filtered(
            lambda move: move.essms_beneficiary_id == stay.beneficiary_id and move.partner_id == partner
        )
        self.assertEqual(len(moves), 1, "one invoice per payer")
        return moves.amount_total

    def test_share_of_the_aah_kept_is_a_dated_parameter(self):
        """The 30 % of the AAH a MAS resident keeps is the legal parameter in force for the month: a value of
        35 % from April changes April's days and messages, not March's."""
        self.env["essms.parameter"].create({"code": "fjh_aah_kept", "date_from": APRIL, "value": 35.0})
        firmin = self.firmin.beneficiary_id.partner_id

        def fjh_line(run):
            return run.line_ids.filtered(lambda line: line.stay_id == self.firmin and line.payer_id == firmin)

        with freeze_time("2026-04-03"):
            march = self._invoiced(self.mas, MARCH)
        # March: (600,00 - 30 % of 1 033,32 = 310,00) / 23,00: 12 days, 19 not billed.
        line = fjh_line(march)
        self.assertEqual(self._invoices(march, self.firmin)[firmin], [(12.0, 23.00, 276.00)])
        self.assertIn("19 days of daily hospital fee", line.anomaly)
        self.assertIn("(30 % AAH guarantee)", line.anomaly)
        reasons = " ".join(line.detail_ids.mapped("reason"))
        self.assertIn("limited by the 30 % AAH guarantee: (resources", reasons)
        with freeze_time("2026-05-04"):
            april = self._invoiced(self.mas, APRIL)
        # April: (600,00 - 35 % of 1 033,32 = 361,66) / 23,00: 10 days of 30, 20 not billed.
        line = fjh_line(april)
        self.assertEqual(self._invoices(april, self.firmin)[firmin], [(10.0, 23.00, 230.00)])
        self.assertIn("20 days of daily hospital fee", line.anomaly)
        self.assertIn("(35 % AAH guarantee)", line.anomaly)
        self.assertNotIn("30 %", line.anomaly)
        reasons = " ".join(line.detail_ids.mapped("reason"))
        self.assertIn("limited by the 35 % AAH guarantee", reasons)
        self.assertIn("the resident keeps 35 % of the AAH", reasons)

    @freeze_time("2026-04-03")
    def test_examples_i_and_f_march_run_each_payer_its_own_invoice(self):
        run = self._invoiced(self.fam | self.mas, MARCH)
        ines = self.ines.beneficiary_id.partner_id
        # Example I: the département 4 950,18, the resident 723,32, the health insurance 1 881,10.
        invoices = self._invoices(run, self.ines)
        self.assertEqual(
            invoices[self.departement], [(29.0, 184.50, 5350.50), (2.0, 161.50, 323.00), (1.0, -723.32, -723.32)]
        )
        self.assertEqual(invoices[ines], [(1.0, 723.32, 723.32)])
        self.assertEqual(invoices[self.cpam], [(26.0, 72.35, 1881.10)])
        self.assertAlmostEqual(self._total(run, self.ines, self.departement), 4950.18, places=2)
        self.assertAlmostEqual(self._total(run, self.ines, self.cpam), 1881.10, places=2)
        care_move = run.move_ids.filtered(lambda move: move.partner_id == self.cpam and
                                          move.essms_beneficiary_id == self.ines.beneficiary_id)
        self.assertEqual(care_move.invoice_line_ids.essms_detail_id.mapped("component"), ["care"])

        # Example F: the fund 7 619,80 each; the resident 713,00, or 276,00 with 19 days not billed, reported.
        for stay in (self.fabien, self.firmin, self.flora):
            self.assertEqual(self._invoices(run, stay)[self.cpam], [(31.0, 245.80, 7619.80)])
        self.assertEqual(self._invoices(run, self.fabien)[self.fabien.beneficiary_id.partner_id],
                         [(31.0, 23.00, 713.00)])
        firmin = self.firmin.beneficiary_id.partner_id
        self.assertEqual(self._invoices(run, self.firmin)[firmin], [(12.0, 23.00, 276.00)])
        line = run.line_ids.filtered(lambda line: line.stay_id == self.firmin and line.payer_id == firmin)
        self.assertIn("19", line.anomaly)
        self.assertEqual(
            line.detail_ids.filtered(lambda detail: detail.kind == "not_billed" and detail.quantity).mapped("quantity"),
            [19.0],
        )
        # With a third payer, the 19 days go to it.
        flora = self._invoices(run, self.flora)
        self.assertEqual(flora[self.flora.beneficiary_id.partner_id], [(12.0, 23.00, 276.00)])
        self.assertEqual(flora[self.mutuelle], [(19.0, 23.00, 437.00)])

        # Bad input: Blaise has no fund nor resources: nothing invoiced for him, a blocking line says what to fill.
        self.assertFalse(self._invoices(run, self.blaise))
        blocked = run.line_ids.filtered(lambda line: line.stay_id == self.blaise)
        self.assertEqual(blocked.mapped("blocked"), [True])
        self.assertIn("Blaise Ferrer, accommodation: the health-insurance fund is missing", blocked.anomaly)
        self.assertIn("Blaise Ferrer, daily hospital fee: the monthly resources are missing", blocked.anomaly)
        self.assertEqual(run.state, "invoiced")

        # Control (billing-rules §8.1, §9): the accommodation days match the activity, the care days are their own.
        control = self.env["essms.activity.billing.control"]
        ines_row = control.search([("beneficiary_id", "=", self.ines.beneficiary_id.id), ("period_start", "=", MARCH)])
        self.assertEqual((ines_row.activity_days, ines_row.invoiced_days, ines_row.has_difference), (31.0, 31.0, False))
        self.assertFalse(ines_row.components_over)
        blaise_row = control.search(
            [("beneficiary_id", "=", self.blaise.beneficiary_id.id), ("period_start", "=", MARCH)]
        )
        self.assertEqual((blaise_row.invoiced_days, blaise_row.difference_days), (0.0, 31.0), "not billed: shown")
        # A care day billed twice (a second row of the same days on a posted invoice) is flagged for care.
        care_line = run.line_ids.filtered(lambda line: line.stay_id == self.ines and line.payer_id == self.cpam)
        care_line.detail_ids[:1].copy({"line_id": care_line.id, "quantity": 10.0, "amount": 723.50})
        self.env.invalidate_all()
        ines_row = control.search([("beneficiary_id", "=", self.ines.beneficiary_id.id), ("period_start", "=", MARCH)])
        self.assertEqual((ines_row.components_over, ines_row.has_difference), ("care", True))

        # Once Blaise's situation is filled in, a regularisation of March bills him, and him only.
        self._situation(self.blaise, health_fund_id=self.cpam.id, resources_monthly=1033.32)
        correction = self.env["essms.billing.run"].create(
            {"kind": "regularisation", "period_start": MARCH, "period_end": date(2026, 3, 31),
             "establishment_ids": [Command.set(self.mas.ids)]}
        )
        correction.action_compute()
        self.assertEqual(correction.line_ids.beneficiary_id, self.blaise.beneficiary_id)
        correction.action_invoice()
        self.assertEqual(
            sorted((move.partner_id, move.amount_total) for move in correction.move_ids),
            sorted([(self.cpam, 7619.80), (self.blaise.beneficiary_id.partner_id, 713.00)]),
        )

    @freeze_time("2026-04-03")
    def test_example_g_april_run_private_apa_individual_and_social_aid(self):
        run = self._invoiced(self.ehpad, APRIL)
        # Private payer, APA by allocation: the resident 2 238,60, nothing else.
        gaston = self._invoices(run, self.gaston)
        self.assertEqual(gaston, {self.gaston.beneficiary_id.partner_id: [(30.0, 68.40, 2052.00),
                                                                          (30.0, 6.22, 186.60)]})
        # APA paid individually by the CD34: 506,40 on its own invoice.
        germaine = self._invoices(run, self.germaine)
        self.assertEqual(germaine[self.cd34], [(30.0, 16.88, 506.40)])
        self.assertAlmostEqual(self._total(run, self.germaine, self.germaine.beneficiary_id.partner_id), 2238.60)
        cd34_move = run.move_ids.filtered(lambda move: move.partner_id == self.cd34)
        self.assertEqual(cd34_move.essms_line_ids.agreement_id, self.apa34)
        self.assertEqual(cd34_move.essms_line_ids.decision_id.reference, "APA-34-1")
        # Social aid not bearing the GIR 5-6 rate: the département 747,00, the resident 1 491,60.
        gisele = self._invoices(run, self.gisele)
        self.assertEqual(gisele[self.departement], [(30.0, 68.40, 2052.00), (1.0, -1305.00, -1305.00)])
        self.assertEqual(gisele[self.gisele.beneficiary_id.partner_id], [(1.0, 1305.00, 1305.00),
                                                                        (30.0, 6.22, 186.60)])
        self.assertAlmostEqual(self._total(run, self.gisele, self.departement), 747.00)
        # Each payer's documents read only its line: the days of its main component, the other component on a row of
        # its own (the resident's statement counts 30 days of accommodation, not 60).
        gaston_line = run.line_ids.filtered(lambda line: line.stay_id == self.gaston)
        self.assertEqual(
            gaston_line._essms_billed_totals(),
            {"days": 30.0, "unit_price": 68.40, "gross": 2238.60, "contribution": 0.0, "net": 2238.60},
        )
        figures = gaston_line._essms_billed_figures()
        self.assertEqual(figures["regularisations"].mapped("component"), ["dependency", "dependency"])
        apa_line = run.line_ids.filtered(lambda line: line.payer_id == self.cd34)
        self.assertEqual(apa_line._essms_billed_totals()["days"], 30.0)
        self.assertAlmostEqual(apa_line._essms_billed_totals()["gross"], 506.40)
        (statement_row,) = cd34_move._essms_statement_rows()[cd34_move.id]
        self.assertEqual((statement_row["days_full"], statement_row["prices"]), (30.0, [16.88]))
        # No GIR: Gaspard is not billed, the run says what to fill in.
        self.assertFalse(self._invoices(run, self.gaspard))
        blocked = run.line_ids.filtered(lambda line: line.stay_id == self.gaspard)
        self.assertTrue(blocked.blocked)
        self.assertIn("Gaspard Serra, dependency: the GIR group is missing", blocked.anomaly)

    def test_situation_is_the_operators_and_a_dependency_tariff_needs_its_gir(self):
        """Resources and funds are not shown to establishment staff; the operator records them."""
        staff = new_test_user(self.env, "comp_staff", groups="essms_billing.group_essms_establishment",
                              company_id=self.company.id)
        operator = new_test_user(self.env, "comp_operator", groups="essms_billing.group_essms_operator",
                                 company_id=self.company.id)
        situation = self.env["essms.beneficiary.situation"].search(
            [("beneficiary_id", "=", self.fabien.beneficiary_id.id)]
        )
        with self.assertRaises(AccessError):
            situation.with_user(staff).read(["resources_monthly"])
        with self.assertRaises(AccessError):
            self.env["essms.component.default"].with_user(operator).search([], limit=1).write({"required": False})
        situation.with_user(operator).write({"resources_monthly": 650.0})
        self.assertTrue(situation.resources_known)
        with self.assertRaises(ValidationError):
            self._tariff(self.apa34, "dependency", 10.0)  # no GIR group

    def _component_establishments(self, code, size):
        """A FAM (accommodation to the département, care to the fund) and an EHPAD (social aid with a contribution,
        dependency by GIR billed in advance), ``size`` residents each, with an absence, a situation, a decision."""
        fam = self._create_establishment("F" + code, "FAM %s" % code, tariff=184.50)
        fam.kind = "fam"
        self._tariff(self._agreement(fam, "care", "health_fund", name="Soins %s" % code), "care", 72.35)
        ehpad = self._create_establishment("E" + code, "EHPAD %s" % code, tariff=68.40)
        ehpad.kind = "ehpad"
        social_aid = ehpad.agreement_ids
        social_aid.write({"payer_rule": "decision_payer", "billing_term": "advance"})
        apa = self._agreement(ehpad, "dependency", "decision_payer", name="APA %s" % code, payer=self.departement,
                              billing_term="advance")
        for gir, amount in (("1_2", 23.10), ("3_4", 14.66), ("5_6", 6.22)):
            self._tariff(apa, "dependency", amount, gir_group=gir)
        for index in range(size):
            stay = self._create_resident("FAM %s %s" % (code, index), establishment=fam)
            self._situation(stay, health_fund_id=self.cpam.id)
            self._absence(stay, "hospital", datetime(2026, 3, 10, 8), datetime(2026, 3, 14, 18))
            stay = self._create_resident("EHPAD %s %s" % (code, index), establishment=ehpad, decision=None)
            self._situation(stay, gir_group=("1_2", "3_4", "5_6")[index % 3], resources_monthly=1450.00)
            self._decision(stay, self.departement, social_aid, "ASH-%s-%s" % (code, index), contribution=1305.00)
            self._decision(stay, self.departement, apa, "APA-%s-%s" % (code, index))
            self._absence(stay, "holidays", datetime(2026, 3, 2, 8), datetime(2026, 3, 6, 18))
        return fam | ehpad

    @freeze_time("2026-04-03")
    def test_compute_queries_do_not_grow_with_beneficiaries(self):
        """A run's compute with every component, several payers per stay and their detail rows: as many queries
        for 6 residents per establishment as for 3 (the first compute, which warms the caches, is not counted)."""
        counts = []
        for code, size in (("Q0", 1), ("Q1", 3), ("Q2", 6)):
            establishments = self._component_establishments(code, size)
            for establishment in establishments:
                self._validated_statement(establishment, MARCH)
            run = self._run(establishments, MARCH)
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            run.action_compute()
            self.env.flush_all()
            counts.append(self.cr.sql_log_count - before)
            # The accommodation, the care and the resident's share at the FAM; social aid, dependency and the
            # resident at the EHPAD: each with its detail rows.
            self.assertGreaterEqual(len(run.line_ids), 5 * size, run.line_ids.mapped("anomaly"))
            self.assertTrue(run.line_ids.detail_ids.filtered(lambda detail: detail.component == "dependency"))
            self.assertTrue(run.line_ids.detail_ids.filtered(lambda detail: detail.component == "care"))
        self.assertEqual(counts[1], counts[2], "queries of a compute for 3 and for 6 residents per establishment")
    @freeze_time("2026-04-03")
    def test_lines_inserted_as_the_orm_creates_them(self):
        """A compute inserts its lines and their detail rows in two statements (``bulk_insert.insert_records``):
        every column is what the ORM's create writes, for every component, payer and blocked person of the three
        establishments; the caches see the new lines at once; the rights are checked as by a create."""
        operator = new_test_user(self.env, "bulk_operator", groups="essms_billing.group_essms_operator",
                                 company_id=self.company.id)
        establishments = self.fam | self.mas | self.ehpad
        for establishment in establishments:
            self._validated_statement(establishment, MARCH)
        run = self._run(establishments, MARCH).with_user(operator)
        Line, Detail = self.env["essms.billing.line"], self.env["essms.billing.line.detail"]
        skipped = {"id", "create_date", "write_date", "line_id"}
        line_columns = [name for name, field in Line._fields.items()
                        if field.store and field.column_type and name not in skipped]
        detail_columns = [name for name, field in Detail._fields.items()
                          if field.store and field.column_type and name not in skipped]

        def rows():
            run.env.flush_all()  # as the operator's request does
            self.env.cr.execute(SQL(
                "SELECT line.id, %s FROM essms_billing_line line WHERE line.run_id = %s",
                SQL(", ").join(SQL.identifier("line", name) for name in line_columns), run.id,
            ))
            lines = {row[0]: row[1:] for row in self.env.cr.fetchall()}
            self.env.cr.execute(SQL(
                "SELECT detail.line_id, %s FROM essms_billing_line_detail detail WHERE detail.line_id = ANY(%s)"
                " ORDER BY detail.id",
                SQL(", ").join(SQL.identifier("detail", name) for name in detail_columns), list(lines),
            ))
            details = {}
            for line_id, *values in self.env.cr.fetchall():
                details.setdefault(line_id, []).append(tuple(values))
            return sorted((values, details.get(line_id, [])) for line_id, values in lines.items())

        run.action_compute()
        # The caches see the lines at once, as after a create: the run's counts, a line's rows, a stay's lines.
        self.assertEqual(run.line_count, len(run.line_ids))
        self.assertEqual(len(run.line_ids), Line.search_count([("run_id", "=", run.id)]))
        self.assertTrue(run.line_ids.filtered("blocked"), "Blaise and Gaspard are not billed")
        self.assertEqual(run.line_ids.detail_ids, Detail.search([("line_id.run_id", "=", run.id)]))
        self.assertEqual(run.line_ids.mapped("create_uid"), operator)
        self.assertEqual(set(run.line_ids.mapped("company_id")), {self.company})
        self.assertEqual(run.line_ids.establishment_id, establishments)
        inserted = rows()
        self.assertGreaterEqual(len({values[line_columns.index("payer_id")] for values, _rows in inserted}), 5)
        with patch.object(line_module, "insert_records", return_value=None):
            run.action_compute()
        self.assertEqual(inserted, rows())
        # Another user than an operator may not insert lines, even by this way.
        secretary = new_test_user(self.env, "bulk_secretary", groups="essms_billing.group_essms_establishment",
                                  company_id=self.company.id)
        vals = {name: run.line_ids[0][name] for name in ("run_id", "stay_id", "beneficiary_id", "role", "payer_id")}
        vals = {**{name: getattr(value, "id", value) for name, value in vals.items()}, "period_start": MARCH}
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            Line.with_user(secretary)._create_with_details([vals])

    @freeze_time("2026-04-03")
    def test_reservation_price_and_care_absence_days_are_the_agreements_settings(self):
        """Example I's month under other settings of its payers: the département's policy keeps the place at a
        reservation price beyond the 72 hours (a dated tariff of the agreement), the fund's care agreement bills the
        first days of every absence up to the threshold. Each reads as quantity x unit price on its invoice."""
        care = self.fam.agreement_ids.filtered(lambda agreement: agreement.component == "care")
        self.assertEqual(care.component_absence_days, "present", "care bills the days present unless told otherwise")
        accommodation = self.fam.agreement_ids.filtered(lambda agreement: agreement.component == "accommodation")
        self.assertFalse(accommodation.component_absence_days)
        accommodation.absence_policy_id.reduction_kind = "reservation"
        self._tariff(accommodation, "reservation", 120.00)
        care.component_absence_days = "within_threshold"
        run = self._invoiced(self.fam, MARCH)
        invoices = self._invoices(run, self.ines)
        self.assertEqual(
            invoices[self.departement], [(29.0, 184.50, 5350.50), (2.0, 120.00, 240.00), (1.0, -723.32, -723.32)]
        )
        self.assertEqual(invoices[self.cpam], [(29.0, 72.35, 2098.15)])
        line = run.line_ids.filtered(lambda line: line.stay_id == self.ines and line.payer_id == self.departement)
        self.assertEqual(line.detail_ids.mapped("kind"), ["full", "reservation", "contribution"])
        # The statement and the control count the reservation days as billed days: 31, no difference.
        control = self.env["essms.activity.billing.control"].search(
            [("beneficiary_id", "=", self.ines.beneficiary_id.id), ("period_start", "=", MARCH)]
        )
        self.assertEqual((control.invoiced_days, control.has_difference), (31.0, False))

    @freeze_time("2026-04-03")
    def test_portal_export_shows_only_the_departements_share(self):
        """The département's portal file of example I's month: Inès Roig's accommodation days and amounts, her
        contribution; the care the CPAM pays is neither counted nor summed in it (billing-rules §5, §9)."""
        self._invoiced(self.fam, MARCH)
        wizard = self.env["essms.portal.export"].create({
            "period_start": MARCH,
            "payer_id": self.departement.id,
            "establishment_ids": [Command.set(self.fam.ids)],
            "layout_id": self.env.ref("essms_billing.portal_layout_cd66").id,
        })
        wizard.action_export()
        sheet = load_workbook(io.BytesIO(base64.b64decode(wizard.file))).active
        header, *rows = list(sheet.iter_rows(values_only=True))
        (ines,) = [dict(zip(header, row, strict=True)) for row in rows]
        expected = {
            "Jours de présence": 26, "Jours d'hospitalisation": 5, "Jours facturés plein tarif": 29,
            "Jours facturés tarif minoré": 2, "Prix de journée": 184.5, "Montant brut": 5673.5,
            "Participation": 723.32, "Montant net département": 4950.18,
        }
        self.assertEqual({key: ines[key] for key in expected}, expected)

    @freeze_time("2026-04-03")
    def test_example_g_social_aid_bearing_the_gir_5_6_rate_full_run(self):
        """Example G's last variant as a run: the département's social aid also bears the GIR 5-6 rate (a setting of
        its agreement): it is invoiced 933,60, the resident only her contribution."""
        self.social_aid.social_aid_bears_gir_rate = True
        run = self._invoiced(self.ehpad, APRIL)
        gisele = self._invoices(run, self.gisele)
        self.assertEqual(
            gisele[self.departement], [(30.0, 68.40, 2052.00), (1.0, -1305.00, -1305.00), (30.0, 6.22, 186.60)]
        )
        self.assertAlmostEqual(self._total(run, self.gisele, self.departement), 933.60)
        self.assertEqual(gisele[self.gisele.beneficiary_id.partner_id], [(1.0, 1305.00, 1305.00)])
