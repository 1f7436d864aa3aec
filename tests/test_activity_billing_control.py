"""Activity vs billing control (billing-rules §8.1): nothing to report on a clean month, then a day billed
twice and a line billed without activity show first, with their drill-downs."""

from datetime import date

from odoo import Command
from odoo.tests import freeze_time
from odoo.tests import tagged

from .portal_common import JULY
from .portal_common import PortalCommon


@tagged("post_install", "-at_install")
class TestActivityBillingControl(PortalCommon):
    def _rows(self):
        return self.env["essms.activity.billing.control"].search([("period_start", "=", JULY)])

    def _row(self, stay):
        return self._rows().filtered(lambda row: row.beneficiary_id == stay.beneficiary_id)

    def test_clean_month_shows_no_difference(self):
        rows = self._rows()
        self.assertEqual(len(rows), 4)
        self.assertFalse(rows.filtered("has_difference"))
        self.assertRecordValues(self._row(self.martin), [{
            "activity_days": 31, "invoiced_days": 31, "accrued_days": 0, "difference_days": 0,
            "days_present": 18, "absence_days": 13, "gross_amount": 5420.0,
            "invoiced_amount": 4696.68 + 723.32, "move_count": 2,
        }])
        # The pending file: the département's 30 days are accrued, the resident pays a provision.
        self.assertRecordValues(self._row(self.petit), [{
            "activity_days": 31, "invoiced_days": 0, "accrued_days": 31, "difference_days": 0,
        }])
        # No decision: every day is invoiced to the resident.
        self.assertRecordValues(self._row(self.roux), [{"activity_days": 31, "invoiced_days": 31}])

    def test_day_billed_twice_and_line_without_activity_come_first(self):
        payer_line = self._payer_line(self.martin)
        payer_line.copy({"run_id": self.billing_run.id, "days_billed": 1, "amount": 180.0, "gross_amount": 180.0,
                         "move_id": payer_line.move_id.id, "detail_ids": self._days(payer_line, 1)})
        # Billed in an establishment whose month has no validated statement (a stay cannot be added to a validated
        # month any more, billing-rules §13).
        elsewhere = self._create_establishment("AIL", "Foyer d'ailleurs")
        newcomer = self._create_resident("Nouveau", establishment=elsewhere)
        payer_line.copy({"run_id": self.billing_run.id, "stay_id": newcomer.id,
                         "beneficiary_id": newcomer.beneficiary_id.id, "days_billed": 3, "amount": 540.0,
                         "gross_amount": 540.0, "move_id": payer_line.move_id.id,
                         "detail_ids": self._days(payer_line, 3)})
        rows = self._rows()
        self.assertEqual(rows[:2].beneficiary_id, (self.martin | newcomer).beneficiary_id)
        self.assertRecordValues(self._row(self.martin), [{
            "activity_days": 31, "invoiced_days": 32, "difference_days": -1, "has_difference": True,
            "without_activity": False,
        }])
        self.assertRecordValues(self._row(newcomer), [{
            "activity_days": 0, "invoiced_days": 3, "difference_days": -3, "has_difference": True,
            "without_activity": True,
        }])
        self.assertEqual(len(rows.filtered("has_difference")), 2)

        row = self._row(self.martin)
        lines = self.env["essms.billing.line"].search(row.action_view_billing_lines()["domain"])
        self.assertEqual(len(lines), 3)
        moves = self.env["account.move"].search(row.action_view_invoices()["domain"])
        self.assertEqual(moves, payer_line.move_id | self._line_move(self.martin, "resident"))
        absences = self.env["essms.absence"].search(row.action_view_absences()["domain"])
        self.assertEqual(sorted(absences.mapped("kind")), ["family_weekend", "hospital"])

    def test_credit_note_brings_the_days_back(self):
        payer_line = self._payer_line(self.bernard)
        # A regularisation line that takes back two days on a posted credit note.
        refund = payer_line.move_id._reverse_moves()
        refund.action_post()
        payer_line.copy({
            "run_id": self.billing_run.id, "days_billed": -2, "amount": -360.0, "move_id": refund.id,
            "detail_ids": [Command.create({
                "kind": "regularisation", "base_kind": "full", "payer_id": payer_line.payer_id.id,
                "date_from": payer_line.period_start, "date_to": payer_line.period_start,
                "quantity": -2, "unit_price": 180.0, "amount": -360.0,
            })],
        })
        self.assertRecordValues(self._row(self.bernard), [{
            "activity_days": 19, "invoiced_days": 17, "difference_days": 2, "has_difference": True,
        }])

    @freeze_time("2025-08-20")
    def test_recalled_pending_month_counts_once(self):
        decision = self.petit.beneficiary_id.decision_ids
        decision.write({"state": "granted", "date_decision": date(2025, 8, 10)})
        recall = self.env["essms.billing.run"].browse(decision.action_create_recall_run()["res_id"])
        recall.action_compute()
        self.assertEqual(recall.line_ids.filtered(lambda line: line.role == "payer").days_billed, 31)
        recall.action_invoice()
        self.assertRecordValues(self._row(self.petit), [{
            "activity_days": 31, "invoiced_days": 31, "accrued_days": 0, "accrued_amount": 0.0,
            "difference_days": 0, "has_difference": False, "move_count": 2,
        }])

    def _days(self, line, days):
        """Detail rows of ``days`` at 180.00 in the line's month: the control counts the stored rows."""
        return [Command.create({
            "kind": "full", "payer_id": line.payer_id.id, "date_from": line.period_start,
            "date_to": line.period_start, "quantity": days, "unit_price": 180.0, "amount": 180.0 * days,
        })]

    def _payer_line(self, stay):
        return self.billing_run.line_ids.filtered(lambda line: line.stay_id == stay and line.role == "payer")

    def _line_move(self, stay, role):
        return self.billing_run.line_ids.filtered(lambda line: line.stay_id == stay and line.role == role).move_id
