"""Recovery dashboard (recovery-rules §9) and prescription clock (§5), on a small book computed by hand.

Today is 30/11/2026; the period is 01/01/2026 - 30/11/2026 (334 days); N = 30 days after a reminder.

| Inv. | Payer (kind) | Est. | Invoiced | Due | Amount | What happened | Open on 30/11 |
|---|---|---|---|---|---|---|---|
| D1 | CD66 (département) | A | 31/03/2026 | 30/04/2026 | 10 000,00 | letter 31/05 (admin.), paid 15/06 | 0 |
| D2 | CD66 | A | 30/09/2026 | 31/10/2026 | 4 000,00 | hold "decision pending" on the payer | 4 000,00 (30 d) |
| R1 | J. Martin | A | 31/01/2026 | 28/02/2026 | 1 000,00 | letter 20/03, paid 300 10/04, plan 05/05 | 700,00 (275 d) |
| R2 | J. Martin | A | 28/02/2026 | 31/03/2026 | 500,00 | written off 15/10 (654) | 0 |
| R3 | J. Martin | A | 31/10/2024 | 30/11/2024 | 800,00 | stage firm reminder | 800,00 (730 d) |
| R4 | J. Martin | A | 31/05/2024 | 30/06/2024 | 600,00 | time-barred on 01/07/2026 | 600,00 (883 d) |
| R5 | J. Martin | A | 15/03/2025 | 15/04/2025 | 200,00 | time-barred on 16/04/2027 | 200,00 (594 d) |
| F1 | Famille Dupont (family) | B | 30/06/2026 | 31/07/2026 | 450,00 | promise 05/08 for 20/08, letter 15/08, |
|    |  |  |  |  |  | paid 18/08 | 0 |
| F2 | Famille Dupont | B | 31/07/2026 | 31/08/2026 | 300,00 | promise 10/09 for 25/09 broken; dispute | 300,00 (91 d) |
| F3 | Famille Dupont | B | 31/10/2026 | 30/11/2026 | 400,00 | credit note 100,00 matched | 300,00 (0 d) |

Billed in the period: 16 650,00 (D1, D2, R1, R2, F1, F2, F3); credited 100,00; collected 10 750,00
(10 000 + 300 + 450): recovery rate 10 750 / 16 550 = 64,95 %.
Outstanding 6 900,00: département 4 000 (0-30), resident 2 300 (181-365: 700; > 365: 1 600), family 600
(0-30: 300; 91-180: 300). DSO = outstanding / (billed - credited) x 334: département 4 000 / 14 000 x 334 = 95,4;
resident 2 300 / 1 500 x 334 = 512,1; family 600 / 1 050 x 334 = 190,9; all 6 900 / 16 550 x 334 = 139,3.
"""

import base64
import io
from collections import defaultdict
from datetime import date
from datetime import datetime

from openpyxl import load_workbook

from odoo import Command
from odoo.addons.essms_billing.models.essms_recovery_claim import CLAIM_DATE_KEY
from odoo.exceptions import AccessError
from odoo.exceptions import ValidationError
from odoo.tests import freeze_time
from odoo.tests import new_test_user
from odoo.tests import tagged

from .test_dunning import DunningCommon

TODAY = date(2026, 11, 30)
START = date(2026, 1, 1)
ESTABLISHMENT = "essms_billing.group_essms_establishment"


@tagged("post_install", "-at_install")
class TestRecoveryDashboard(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.est_a = cls.establishment
        cls.est_b = cls._create_establishment("Foyer d'hébergement Le Canigou", code="CAN")
        cls.cd66 = cls.env["res.partner"].create(
            {"name": "Département des Pyrénées-Orientales", "is_company": True, "essms_payer_kind": "departement"}
        )
        cls.resident = cls.martin.partner_id
        cls.resident.essms_payer_kind = "resident"
        cls.family = cls.env["res.partner"].create({"name": "Famille Dupont", "essms_payer_kind": "family"})
        cls.loss = cls.env["account.account"].create(
            {"name": "Pertes sur créances irrécouvrables", "code": "654100", "account_type": "expense"}
        )
        with freeze_time(TODAY):
            cls.d1 = cls._bill(cls.cd66, 10000.0, date(2026, 3, 31), date(2026, 4, 30), cls.est_a)
            cls.d2 = cls._bill(cls.cd66, 4000.0, date(2026, 9, 30), date(2026, 10, 31), cls.est_a)
            cls.r1 = cls._bill(cls.resident, 1000.0, date(2026, 1, 31), date(2026, 2, 28), cls.est_a)
            cls.r2 = cls._bill(cls.resident, 500.0, date(2026, 2, 28), date(2026, 3, 31), cls.est_a)
            cls.r3 = cls._bill(cls.resident, 800.0, date(2024, 10, 31), date(2024, 11, 30), cls.est_a)
            cls.r4 = cls._bill(cls.resident, 600.0, date(2024, 5, 31), date(2024, 6, 30), cls.est_a)
            cls.r5 = cls._bill(cls.resident, 200.0, date(2025, 3, 15), date(2025, 4, 15), cls.est_a)
            cls.f1 = cls._bill(cls.family, 450.0, date(2026, 6, 30), date(2026, 7, 31), cls.est_b)
            cls.f2 = cls._bill(cls.family, 300.0, date(2026, 7, 31), date(2026, 8, 31), cls.est_b)
            cls.f3 = cls._bill(cls.family, 400.0, date(2026, 10, 31), date(2026, 11, 30), cls.est_b)
            credit_note = cls._bill(cls.family, 100.0, date(2026, 11, 5), date(2026, 11, 5), cls.est_b,
                                    move_type="out_refund")
        cls._match(cls.f3, credit_note)
        cls.r1.essms_recovery_stage = "reminded"
        cls.r3.essms_recovery_stage = "firm_reminder"

        cls.letter_d1 = cls._letter_sent(cls.cd66, cls.d1, "departement_admin", datetime(2026, 5, 31, 9))
        cls._pay(cls.d1, 10000.0, date(2026, 6, 15))
        cls.letter_r1 = cls._letter_sent(cls.resident, cls.r1, "resident_reminder", datetime(2026, 3, 20, 9))
        cls._pay(cls.r1, 300.0, date(2026, 4, 10))
        with freeze_time(date(2026, 5, 5)):
            cls.plan = cls.env["essms.payment.plan"].create({
                "partner_id": cls.resident.id,
                "move_ids": [Command.set(cls.r1.ids)],
                "instalment_count": 3,
                "date_first": date(2026, 12, 31),
            })
            cls.plan.action_generate_instalments()
            cls.plan.action_sign()
        cls._write_off(cls.r2, 500.0, date(2026, 10, 15))

        with freeze_time(date(2026, 8, 5)):
            cls.promise_kept = cls.env["essms.promise"].create({
                "partner_id": cls.family.id, "move_ids": [Command.set(cls.f1.ids)],
                "date_promised": date(2026, 8, 20), "amount": 450.0,
            })
        cls.letter_f1 = cls._letter_sent(cls.family, cls.f1, "family_reminder", datetime(2026, 8, 15, 9))
        cls._pay(cls.f1, 450.0, date(2026, 8, 18))
        with freeze_time(date(2026, 8, 21)):
            cls.promise_kept._monitor_open()
        with freeze_time(date(2026, 9, 10)):
            cls.promise_broken = cls.env["essms.promise"].create({
                "partner_id": cls.family.id, "move_ids": [Command.set(cls.f2.ids)],
                "date_promised": date(2026, 9, 25), "amount": 300.0,
            })
        with freeze_time(date(2026, 9, 26)):
            cls.promise_broken._monitor_open()
        cls.env["essms.recovery.hold"].create([
            {"reason": "dispute", "move_id": cls.f2.id, "date_start": date(2026, 10, 1)},
            {"reason": "pending_decision", "partner_id": cls.cd66.id, "date_start": date(2026, 11, 1)},
        ])

    @classmethod
    def _bill(cls, partner, amount, invoice_date, due, establishment, move_type="out_invoice"):
        move = cls.env["account.move"].create({
            "move_type": move_type,
            "partner_id": partner.id,
            "journal_id": cls.journal.id,
            "invoice_date": invoice_date,
            "date": invoice_date,
            "invoice_date_due": due,
            "essms_establishment_id": establishment.id,
            "invoice_line_ids": [Command.create({"name": "Hébergement", "price_unit": amount, "tax_ids": []})],
        })
        move.action_post()
        return move

    @classmethod
    def _receivable(cls, move):
        return move.line_ids.filtered(lambda line: line.account_type == "asset_receivable")

    @classmethod
    def _match(cls, invoice, credit):
        (cls._receivable(invoice) | cls._receivable(credit)).reconcile()

    @classmethod
    def _pay(cls, invoice, amount, day):
        with freeze_time(day):
            cls.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create({"amount": amount, "payment_date": day})._create_payments()

    @classmethod
    def _write_off(cls, invoice, amount, day, kind="non_valeur"):
        """An admission en non-valeur (recovery-rules §7) posted on ``day``: debit 654, credit the receivable."""
        writeoff = cls.env["essms.writeoff"].create({
            "partner_id": invoice.partner_id.id, "kind": kind, "reason": "insolvent", "date": day,
            "board_reference": "CA", "date_decision": day,
            "line_ids": [Command.create({"move_id": invoice.id, "amount": amount})],
        })
        with freeze_time(day):
            writeoff.action_submit()
            writeoff.action_approve()
            writeoff.action_post()
        return writeoff.account_move_id

    @classmethod
    def _letter_sent(cls, partner, invoice, level, sent):
        """A letter of a run, sent: the snapshot the dunning run leaves (its rendering is tested elsewhere)."""
        level = cls.env.ref("essms_billing.dunning_policy_%s" % level)
        run = cls.env["essms.dunning.run"].sudo().create({"date": sent.date(), "state": "sent"})
        # Put in its state by the server, as the sending job would (the state is written by transitions only).
        letter = cls.env["essms.dunning.letter"].sudo().create({
            "run_id": run.id,
            "company_id": cls.company.id,
            "currency_id": cls.company.currency_id.id,
            "partner_id": partner.id,
            "debtor_ids": [Command.set(partner.ids)],
            "policy_id": level.policy_id.id,
            "level_id": level.id,
            "state": "sent",
            "sent_date": sent,
            "line_ids": [Command.create({
                "move_id": invoice.id, "partner_id": partner.id, "company_id": cls.company.id,
                "currency_id": cls.company.currency_id.id, "level_id": level.id, "invoice_name": invoice.name,
                "amount_total": invoice.amount_total, "residual": invoice.amount_residual,
                "amount_due": invoice.amount_residual,
            })],
        })
        return letter.sudo(False)

    def _dashboard(self, user=None, **vals):
        return self.env["essms.recovery.dashboard"].with_user(user or self.env.user).create(
            {"date_from": START, "date_to": TODAY, **vals}
        )

    # Prescription clock -----------------------------------------------------------------------------------

    def test_prescription_dates(self):
        self.assertEqual(self.r4.essms_prescription_date, date(2026, 7, 1), "resident: 2 years from the due date")
        self.assertEqual(self.r3.essms_prescription_date, date(2026, 12, 1))
        self.assertEqual(self.r5.essms_prescription_date, date(2027, 4, 16))
        self.assertEqual(self.d2.essms_prescription_date, date(2031, 1, 1),
                         "département: 4 years from the 1 January after the year billed")
        self.assertEqual(self.r1.essms_prescription_date, date(2028, 5, 6),
                         "the plan signed on 05/05/2026 restarts the period (after the payment of 10/04)")
        self.assertFalse(self.env["account.move"].search([("move_type", "=", "out_refund"),
                                                          ("essms_prescription_date", "!=", False)]))

    def test_interruptions(self):
        with freeze_time(TODAY):
            resident = self._bill(self.resident, 90.0, date(2025, 1, 31), date(2025, 2, 28), self.est_a)
            public = self._bill(self.cd66, 900.0, date(2025, 6, 30), date(2025, 7, 31), self.est_a)
        self.assertEqual(resident.essms_prescription_date, date(2027, 3, 1))
        self.assertEqual(public.essms_prescription_date, date(2030, 1, 1))
        self._pay(resident, 10.0, date(2025, 9, 10))
        self.assertEqual(resident.essms_prescription_date, date(2027, 9, 11), "a partial payment interrupts")
        self._letter_sent(self.resident, resident, "resident_notice", datetime(2026, 1, 10, 9))
        self.assertEqual(resident.essms_prescription_date, date(2027, 9, 11), "a formal notice does not interrupt")
        letter = self._letter_sent(self.cd66, public, "departement_demand", datetime(2026, 2, 10, 9))
        self.assertEqual(public.essms_prescription_date, date(2031, 1, 1),
                         "a written payment demand to a public payer interrupts: 4 years from 1 January 2027")
        letter.sudo().state = "error"
        self.assertEqual(public.essms_prescription_date, date(2030, 1, 1), "a letter not sent does not")

    def test_prescription_computed_in_batch(self):
        """The clock of ten invoices costs the queries of four with the same kinds of events (payment, plan, letter,
        write-off, credit note): the events are read for the whole batch, not per invoice."""

        def queries(moves):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self.env.add_to_compute(moves._fields["essms_prescription_date"], moves)
            moves._recompute_recordset(["essms_prescription_date"])
            count = self.env.cr.sql_log_count - before
            self.env.invalidate_all(flush=False)
            return count

        everything = self.d1 | self.d2 | self.r1 | self.r2 | self.r3 | self.r4 | self.r5 | self.f1 | self.f2 | self.f3
        queries(everything)  # warm the caches (access rules, registry) that the first computation fills
        self.assertEqual(queries(everything), queries(self.r1 | self.r2 | self.f3 | self.d1))

    def test_time_barred_claims_are_not_reminded(self):
        with freeze_time(TODAY):
            run = self.env["essms.dunning.run"].with_user(self.operator).create({"date": TODAY})
            run.action_propose()
        reminded = run.letter_ids.line_ids.move_id
        self.assertIn(self.r3, reminded, "a claim a day before its prescription is still reminded")
        self.assertNotIn(self.r4, reminded, "a time-barred claim is not")
        self.assertNotIn(self.r1, reminded, "a claim under a plan is not")

    def test_invoice_filters_close_to_prescription(self):
        with freeze_time(TODAY):
            moves = self.env["account.move"].search([("partner_id", "=", self.resident.id)])
            arch = self.env["account.move"].get_views([(False, "search")])["views"]["search"]["arch"]
        self.assertIn("essms_prescription_6", arch)
        in_3 = moves.filtered_domain([("amount_residual", ">", 0), ("essms_prescription_date", ">", TODAY),
                                      ("essms_prescription_date", "<=", date(2027, 2, 28))])
        self.assertEqual(in_3, self.r3)

    # Dashboard figures -----------------------------------------------------------------------------------

    @freeze_time(TODAY)
    def test_figures_match_the_hand_computed_values(self):
        dashboard = self._dashboard()
        figures = dashboard._figures()
        self.assertEqual(figures["billing"], {
            "count": 7, "billed": 16650.0, "credited": 100.0, "collected": 10750.0, "rate": 10750.0 / 16550.0,
        })
        self.assertAlmostEqual(dashboard.recovery_rate, 0.6495, places=4)
        self.assertEqual(
            {row["kind"]: (row["buckets"], row["total"]) for row in figures["outstanding"]},
            {
                "departement": ({**self._no_bucket(), "1_0_30": 4000.0}, 4000.0),
                "resident": ({**self._no_bucket(), "5_181_365": 700.0, "6_over_365": 1600.0}, 2300.0),
                "family": ({**self._no_bucket(), "1_0_30": 300.0, "4_91_180": 300.0}, 600.0),
            },
        )
        self.assertEqual(figures["outstanding_total"]["total"], 6900.0)
        self.assertEqual(
            {row["kind"]: (row["billed"], row["outstanding"], row["dso"]) for row in figures["dso"]},
            {"departement": (14000.0, 4000.0, 95.4), "resident": (1500.0, 2300.0, 512.1),
             "family": (1050.0, 600.0, 190.9)},
        )
        self.assertEqual(figures["dso_total"]["dso"], 139.3)
        self.assertEqual(
            {row["stage"]: (row["count"], row["amount"]) for row in figures["stages"]},
            {"billed": (1, 300.0), "due": (4, 5100.0), "reminded": (1, 700.0), "firm_reminder": (1, 800.0)},
        )
        level = self.env.ref
        self.assertEqual(
            {row["level"]: (row["letters"], row["letters_paid"], row["amount_due"], row["amount_paid"])
             for row in figures["reminders"]},
            {
                level("essms_billing.dunning_policy_departement_admin").display_name: (1, 1, 10000.0, 10000.0),
                level("essms_billing.dunning_policy_resident_reminder").display_name: (1, 0, 1000.0, 300.0),
                level("essms_billing.dunning_policy_family_reminder").display_name: (1, 1, 450.0, 450.0),
            },
        )
        self.assertEqual(
            {row["state"]: (row["count"], row["amount"]) for row in figures["promises"]},
            {"kept": (1, 450.0), "broken": (1, 300.0), "open": (0, 0.0)},
        )
        self.assertEqual(figures["plans"], {"count": 1, "signed": 700.0, "claims": 1, "residual": 700.0})
        self.assertEqual(
            {row["reason"]: (row["count"], row["amount"]) for row in figures["holds"]},
            {"payment_plan": (1, 700.0), "dispute": (1, 300.0), "pending_decision": (1, 4000.0)},
        )
        self.assertEqual([(row["kind"], row["count"], row["amount"]) for row in figures["written_off"]],
                         [("resident", 1, 500.0)])
        self.assertEqual(figures["extinct"], [])
        self.assertEqual(
            {state: (row["count"], row["amount"]) for state, row in figures["prescription"].items()},
            {"barred": (1, 600.0), "within_3": (1, 800.0), "within_6": (1, 200.0)},
        )
        self.assertIn("Funding decision pending", dashboard.tables)

    @freeze_time(TODAY)
    def test_figures_as_of_the_end_date(self):
        """On 30/09/2026, seen from 30/11: the stages, holds, plans and prescription as they stood then, and a
        hand-made entry on 654 is not a write-off (only the write-offs posted are)."""
        handmade = self.env["account.move"].create({
            "move_type": "entry", "date": date(2026, 9, 1), "journal_id": self.company_data["default_journal_misc"].id,
            "line_ids": [Command.create({"name": "Perte", "account_id": self.loss.id, "debit": 50.0}),
                         Command.create({"name": "Perte", "account_id": self._receivable(self.r5).account_id.id,
                                         "partner_id": self.resident.id, "credit": 50.0})]})
        handmade.action_post()
        self._match(self.r5, handmade)
        self.env["essms.recovery.hold"].create(
            {"reason": "over_indebtedness", "partner_id": self.resident.id, "date_start": date(2026, 9, 1),
             "date_end": date(2026, 10, 31)})
        extinct = self._bill(self.resident, 90.0, date(2026, 1, 15), date(2026, 2, 15), self.est_a)
        self._write_off(extinct, 90.0, date(2026, 11, 20), kind="extinction")
        figures = self._dashboard(date_to=date(2026, 9, 30))._figures()
        # R2 (written off on 15/10) and the extinct claim (20/11) were still open, R5 owed 150 (50 matched with a
        # hand-made entry on 654 on 01/09); D2 was billed, not due; F3 did not exist yet.
        self.assertEqual(
            {row["stage"]: (row["count"], row["amount"]) for row in figures["stages"]},
            {"billed": (1, 4000.0), "due": (5, 1640.0), "reminded": (1, 700.0), "firm_reminder": (1, 800.0)},
        )
        # The over-indebtedness hold (ended since) covered the resident's open claims then; no dispute yet.
        self.assertEqual(
            {row["reason"]: (row["count"], row["amount"]) for row in figures["holds"]},
            {"payment_plan": (1, 700.0), "over_indebtedness": (6, 2840.0)},
        )
        self.assertEqual(figures["plans"], {"count": 1, "signed": 700.0, "claims": 1, "residual": 700.0})
        self.assertEqual((figures["written_off"], figures["extinct"]), ([], []))
        # R4 barred since 01/07/2026, R3 (01/12/2026) within 3 months of 30/09, R5 (16/04/2027) later.
        self.assertEqual(
            {state: (row["count"], row["amount"]) for state, row in figures["prescription"].items()},
            {"barred": (1, 600.0), "within_3": (1, 800.0), "within_6": (0, 0.0)},
        )
        whole = self._dashboard()._figures()
        self.assertEqual([(row["kind"], row["count"], row["amount"]) for row in whole["written_off"]],
                         [("resident", 1, 500.0)])
        self.assertEqual([(row["kind"], row["count"], row["amount"]) for row in whole["extinct"]],
                         [("resident", 1, 90.0)])

    def _no_bucket(self):
        return dict.fromkeys(["0_not_due", "1_0_30", "2_31_60", "3_61_90", "4_91_180", "5_181_365", "6_over_365",
                              "7_credit"], 0.0)

    @freeze_time(TODAY)
    def test_an_unallocated_credit_is_shown_apart_and_the_stages_add_up(self):
        """The family pays 150,00 on 25/11/2026 without saying which invoice: owed to it, not late. It is in its
        own column (not in the 0-30 days), on its own row of the stages, whose total is the outstanding amount."""
        payment = self.env["account.payment"].create({
            "payment_type": "inbound", "partner_type": "customer", "partner_id": self.family.id, "amount": 150.0,
            "date": date(2026, 11, 25), "journal_id": self.company_data["default_journal_bank"].id,
        })
        payment.action_post()
        dashboard = self._dashboard()
        figures = dashboard._figures()
        family = next(row for row in figures["outstanding"] if row["kind"] == "family")
        self.assertEqual(family["buckets"], {**self._no_bucket(), "1_0_30": 300.0, "4_91_180": 300.0,
                                             "7_credit": -150.0})
        self.assertEqual((family["total"], figures["outstanding_total"]["total"]), (450.0, 6750.0))
        stages = {row["stage"]: (row["count"], row["amount"]) for row in figures["stages"]}
        self.assertEqual(stages["credit"], (1, -150.0))
        self.assertNotIn("other", stages, "invoices and credits explain the whole outstanding amount")
        self.assertEqual(sum(amount for _count, amount in stages.values()), figures["outstanding_total"]["total"])
        self.assertEqual(figures["stages_total"]["amount"], 6750.0)
        self.assertEqual(dashboard.amount_credits, -150.0)
        self.assertIn("Unallocated credits", dashboard.tables)
        book = load_workbook(io.BytesIO(base64.b64decode(dashboard.action_export() and dashboard.file)))
        stage_rows = list(book["Stages"].iter_rows(min_row=5, values_only=True))
        self.assertEqual(stage_rows[-1], ("Total", 8, 6750.0))
        outstanding = list(book["Outstanding"].iter_rows(min_row=4, values_only=True))
        self.assertEqual(outstanding[0][8], "Unallocated credits")
        self.assertEqual(outstanding[-1][8], -150.0)

    def test_menu_opens_a_titled_dashboard(self):
        """The menu opens a saved dashboard under its title, not an unsaved "New" record."""
        menu = self.env.ref("essms_billing.essms_recovery_dashboard_menu")
        self.assertEqual(menu.action._name, "ir.actions.server")
        action = menu.action.with_user(self.operator).run()
        dashboard = self.env["essms.recovery.dashboard"].with_user(self.operator).browse(action["res_id"])
        self.assertTrue(dashboard.exists())
        self.assertEqual((dashboard.date_to, dashboard.display_name), (date.today(), "Recovery dashboard"))
        self.assertEqual(action["name"], "Recovery dashboard")

    @freeze_time(TODAY)
    def test_reminder_delay_and_establishment_filter(self):
        # Within 10 days only the family's letter (paid 3 days after) was effective; D1 was paid after 15 days.
        figures = self._dashboard(reminder_days=10)._figures()
        self.assertEqual(sum(row["letters_paid"] for row in figures["reminders"]), 1)
        self.assertEqual(sum(row["amount_paid"] for row in figures["reminders"]), 450.0)
        figures = self._dashboard(establishment_ids=[Command.set(self.est_b.ids)])._figures()
        self.assertEqual(figures["billing"], {
            "count": 3, "billed": 1150.0, "credited": 100.0, "collected": 450.0, "rate": 450.0 / 1050.0,
        })
        self.assertEqual(figures["outstanding_total"]["total"], 600.0)
        self.assertEqual({row["reason"] for row in figures["holds"]}, {"dispute"})
        self.assertEqual(figures["plans"]["count"], 0)
        self.assertEqual(figures["written_off"], [])
        with self.assertRaisesRegex(ValidationError, "before its start"):
            self._dashboard(date_from=TODAY, date_to=START)
        # A period before anything was billed: nothing billed, no rate, no DSO.
        figures = self._dashboard(date_from=date(2023, 1, 1), date_to=date(2023, 12, 31))._figures()
        self.assertEqual(figures["billing"]["billed"], 0.0)
        self.assertIsNone(figures["billing"]["rate"])

    @freeze_time(TODAY)
    def test_figures_queries_do_not_grow_with_the_invoices(self):
        def queries():
            dashboard = self._dashboard()
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            dashboard._figures()
            return self.env.cr.sql_log_count - before

        queries()  # warm the caches
        first = queries()
        for index in range(5):
            invoice = self._bill(self.family, 100.0 + index, date(2026, 10, 1), date(2026, 10, 31), self.est_b)
            self._pay(invoice, 50.0, date(2026, 11, 2))
            self._letter_sent(self.family, invoice, "family_reminder", datetime(2026, 11, 1, 9))
        self.assertEqual(queries(), first)

    @freeze_time(TODAY)
    def test_claims_analysis_matches_the_figures(self):
        claims = self.env["essms.recovery.claim"]
        self.assertRecordValues(claims.search([("move_id", "=", self.r2.id)]), [{
            "stage": "written_off", "amount_billed": 500.0, "amount_written_off": 500.0, "amount_collected": 0.0,
            "amount_residual": 0.0, "prescription_state": "closed",
        }])
        self.assertRecordValues(claims.search([("move_id", "=", self.f3.id)]), [{
            "stage": "billed", "amount_credited": 100.0, "amount_residual": 300.0, "bucket": "1_0_30",
        }])
        action = self._dashboard().action_open_claims()
        self.assertEqual(claims.search_count(action["domain"]), 7)
        # What settled each invoice, one rule (engine.settlement) read twice: by the analysis in SQL and by the
        # prescription clock in Python. They agree on every invoice, today and as of an earlier day.
        invoices = claims.search([]).move_id
        kinds = invoices._essms_settlement_kinds()
        self.assertTrue({kind for rows in kinds.values() for _partial, kind in rows}
                        >= {"payment", "credit_note", "write_off"})
        for as_of in (None, date(2026, 11, 15)):
            view = claims.with_context(**{CLAIM_DATE_KEY: as_of}) if as_of else claims
            for claim in view.search([("move_id", "in", invoices.ids)]):
                expected = defaultdict(float)
                for partial, kind in kinds[claim.move_id.id]:
                    if not as_of or partial.max_date <= as_of:
                        expected[kind] += partial.amount
                self.assertEqual(
                    (claim.amount_collected, claim.amount_credited, claim.amount_written_off),
                    (expected["payment"], expected["credit_note"], expected["write_off"]),
                    claim.move_name,
                )

    @freeze_time(TODAY)
    def test_workbook(self):
        dashboard = self._dashboard()
        action = dashboard.action_export()
        self.assertIn("download=true", action["url"])
        book = load_workbook(io.BytesIO(base64.b64decode(dashboard.file)))
        self.assertEqual(book.sheetnames, [
            "Summary", "Outstanding", "DSO", "Stages", "Reminders", "Promises", "Holds", "Written off",
            "Extinct", "Prescription", "Close to prescription",
        ])
        summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=5, values_only=True)}
        self.assertEqual(summary["Billed"], 16650.0)
        self.assertEqual(summary["Collected"], 10750.0)
        self.assertAlmostEqual(summary["Recovery rate"], 0.6495, places=4)
        self.assertEqual(summary["Outstanding on the end date"], 6900.0)
        self.assertEqual(summary["Still due under plan"], 700.0)
        outstanding = book["Outstanding"]
        self.assertEqual(outstanding.freeze_panes, "B5")
        rows = list(outstanding.iter_rows(min_row=5, values_only=True))
        self.assertEqual(rows[-1][0], "Total")
        self.assertEqual(rows[-1][-1], 6900.0)
        self.assertEqual(rows[-1][2], 4300.0, "0–30 days: D2 and F3")
        self.assertEqual(outstanding["H5"].number_format, '#,##0.00 "€"')
        reminders = list(book["Reminders"].iter_rows(min_row=5, values_only=True))
        self.assertEqual(reminders[-1][:3], ("Total", 3, 2))
        self.assertEqual(reminders[-1][4:6], (11450.0, 10750.0))
        detail = list(book["Close to prescription"].iter_rows(min_row=5, values_only=True))
        self.assertEqual([row[0] for row in detail[:-1]], [self.r4.name, self.r3.name, self.r5.name])
        # Each row is the claim as the analysis shows it on the end date (written as raw sheet rows, not cells).
        claims = self.env["essms.recovery.claim"].with_context(**{CLAIM_DATE_KEY: TODAY})
        for row, invoice in zip(detail, self.r4 | self.r3 | self.r5, strict=False):
            claim = claims.search([("move_id", "=", invoice.id)])
            self.assertEqual(row, (claim.move_name, claim.partner_id.name, claim.establishment_id.name,
                                   datetime.combine(claim.date_maturity, datetime.min.time()),
                                   datetime.combine(claim.prescription_date, datetime.min.time()),
                                   claim.amount_residual))
        self.assertEqual(book["Close to prescription"]["E5"].number_format, "DD/MM/YYYY")
        self.assertEqual(book["Close to prescription"]["F5"].number_format, '#,##0.00 "€"')
        self.assertEqual(detail[-1][-1], 1600.0)
        self.assertEqual(book["Close to prescription"].auto_filter.ref, "A4:F7")

    # Security ----------------------------------------------------------------------------------------------

    @freeze_time(TODAY)
    def test_least_privileged_users(self):
        figures = self._dashboard(user=self.operator)._figures()
        self.assertEqual(figures["billing"]["billed"], 16650.0)
        self.assertEqual(figures["outstanding_total"]["total"], 6900.0)
        secretary = new_test_user(self.env, "dashboard_secretary", groups=ESTABLISHMENT,
                                  company_id=self.company.id, company_ids=[Command.set(self.company.ids)])
        with self.assertRaises(AccessError):
            self._dashboard(user=secretary)
        with self.assertRaises(AccessError):
            self.env["essms.recovery.claim"].with_user(secretary).search([])
        with self.assertRaises(AccessError):
            self.env["essms.recovery.reminder"].with_user(secretary).search([])

    @freeze_time(TODAY)
    def test_other_company_sees_nothing(self):
        other = self.env["res.company"].create({"name": "Autre association"})
        user = new_test_user(self.env, "dashboard_other", groups="essms_billing.group_essms_operator",
                             company_id=other.id, company_ids=[Command.set(other.ids)])
        self.assertFalse(self.env["essms.recovery.claim"].with_user(user).search([]))
        self.assertFalse(self.env["essms.recovery.reminder"].with_user(user).search([]))
        figures = self.env["essms.recovery.dashboard"].with_user(user).with_company(other).create(
            {"date_from": START, "date_to": TODAY}
        )._figures()
        self.assertEqual(figures["billing"]["billed"], 0.0)
        self.assertEqual(figures["holds"], [])
