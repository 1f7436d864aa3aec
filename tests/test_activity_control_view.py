"""The activity vs billing control's SQL view and its engine (``engine/activity_control.py``, billing-rules §8.1)
agree: every row of the view, recomputed in Python by ``summarise`` and ``compare`` from the records themselves,
on the billed July, then with a day billed twice, days billed without activity and a pending month recalled."""

from collections import defaultdict
from datetime import date

from odoo.addons.essms_billing.engine import activity_control as rule
from odoo.tests import freeze_time
from odoo.tests import tagged

from .portal_common import PortalCommon


@tagged("post_install", "-at_install")
class TestActivityControlView(PortalCommon):
    def _engine_rows(self):
        """{(establishment, month, beneficiary): (activity days or None, Billing)} read with the ORM."""
        activity = defaultdict(float)
        for line in self.env["essms.activity.statement.line"].search([("statement_id.state", "=", "validated")]):
            key = (line.statement_id.establishment_id.id, line.statement_id.period_start, line.beneficiary_id.id)
            activity[key] += sum(line[field] for field in rule.ACTIVITY_DAYS)
        recalled = {
            (line.stay_id.id, line.period_start)
            for line in self.env["essms.billing.line"].search([("run_id.kind", "=", "recall"), ("role", "=", "payer")])
            if line.move_id.state == "posted"
        }
        details = defaultdict(list)
        for detail in self.env["essms.billing.line.detail"].search([]):
            line = detail.line_id
            key = (line.establishment_id.id, detail.date_from.replace(day=1), line.beneficiary_id.id)
            details[key].append(rule.DetailRow(
                kind=detail.kind, base_kind=detail.base_kind or None, component=detail.component,
                quantity=detail.quantity, amount=detail.amount, posted=line.move_id.state == "posted",
                has_document=bool(line.move_id), run_invoiced=line.run_id.state == "invoiced",
                pending=line.pending_decision,
                recalled=line.run_id.kind == "regular" and (line.stay_id.id, line.period_start) in recalled,
                document=line.move_id.id,
            ))
        result = {}
        for key in set(activity) | set(details):
            billing = rule.summarise(details.get(key, ()))
            if key in activity or billing != rule.Billing():
                result[key] = (activity.get(key), billing)
        return result

    def assertViewAgrees(self):
        # The view's rows are numbered: forget those read before, their ids come back with other values.
        self.env.invalidate_all()
        rows = self.env["essms.activity.billing.control"].search([])
        expected = self._engine_rows()
        self.assertEqual(
            {(row.establishment_id.id, row.period_start, row.beneficiary_id.id) for row in rows}, set(expected)
        )
        for row in rows:
            activity, billing = expected[row.establishment_id.id, row.period_start, row.beneficiary_id.id]
            verdict = rule.compare(activity or 0.0, billing, has_activity=activity is not None)
            self.assertRecordValues(row, [{
                "activity_days": activity or 0.0,
                "invoiced_days": billing.invoiced_days,
                "accrued_days": billing.accrued_days,
                "gross_amount": billing.gross_amount,
                "invoiced_amount": billing.invoiced_amount,
                "accrued_amount": billing.accrued_amount,
                "move_count": billing.document_count,
                "difference_days": verdict.difference_days,
                "has_difference": verdict.has_difference,
                "without_activity": verdict.without_activity,
                "components_over": verdict.components_over or False,
            }])
        return rows

    def test_view_agrees_with_the_engine(self):
        rows = self.assertViewAgrees()
        self.assertFalse(rows.filtered("has_difference"))
        # A day billed twice, and days billed where no statement is validated.
        payer_line = self.billing_run.line_ids.filtered(lambda line: line.stay_id == self.martin
                                                        and line.role == "payer")
        detail = payer_line.detail_ids[:1]
        payer_line.copy({"run_id": self.billing_run.id, "move_id": payer_line.move_id.id, "detail_ids": [
            (0, 0, {"kind": "full", "payer_id": payer_line.payer_id.id, "date_from": detail.date_from,
                    "date_to": detail.date_from, "quantity": 1, "unit_price": 180.0, "amount": 180.0}),
        ]})
        elsewhere = self._create_establishment("AIL", "Foyer d'ailleurs")
        newcomer = self._create_resident("Nouveau", establishment=elsewhere)
        payer_line.copy({"run_id": self.billing_run.id, "stay_id": newcomer.id,
                         "beneficiary_id": newcomer.beneficiary_id.id, "move_id": payer_line.move_id.id,
                         "detail_ids": [(0, 0, {"kind": "full", "payer_id": payer_line.payer_id.id,
                                                "date_from": detail.date_from, "date_to": detail.date_from,
                                                "quantity": 3, "unit_price": 180.0, "amount": 540.0})]})
        rows = self.assertViewAgrees()
        self.assertEqual(len(rows.filtered("has_difference")), 2)
        self.assertEqual(len(rows.filtered("without_activity")), 1)

    @freeze_time("2025-08-20")
    def test_view_agrees_after_a_pending_month_is_recalled(self):
        decision = self.petit.beneficiary_id.decision_ids
        decision.write({"state": "granted", "date_decision": date(2025, 8, 10)})
        recall = self.env["essms.billing.run"].browse(decision.action_create_recall_run()["res_id"])
        recall.action_compute()
        recall.action_invoice()
        rows = self.assertViewAgrees()
        petit = rows.filtered(lambda row: row.beneficiary_id == self.petit.beneficiary_id
                              and row.period_start == date(2025, 7, 1))
        self.assertRecordValues(petit, [{"invoiced_days": 31, "accrued_days": 0, "has_difference": False}])
