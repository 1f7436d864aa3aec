"""The dunning proposal also offers the sector's levers on unpaid contributions (recovery-rules §2).

Kept apart from the run's letters: a lever is a request of its own (``essms.lever.request``), made once per
resident, addressed to the CAF or the département, not a reminder to the debtor.
"""

from collections import defaultdict

from odoo import models

from ..engine import resident_money
from ..engine.dates import month_start
from .essms_workflow_mixin import transition


class EssmsDunningRun(models.Model):
    _inherit = "essms.dunning.run"

    @transition
    def action_propose(self):
        result = super().action_propose()
        self._propose_levers()
        return result

    def _prepare_next_batch(self, limit):
        done, left = super()._prepare_next_batch(limit)
        if not left:
            self._propose_levers()
        return done, left

    def action_open_levers(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Requests to the CAF and the département"),
            "res_model": "essms.lever.request",
            "view_mode": "list,form",
            "domain": [("run_id", "=", self.id)],
        }

    def _propose_levers(self):
        """Propose the levers the residents' unpaid contributions open, once per resident and kind.

        The unpaid months are the residents' invoices (their contribution) still open after their due date on the
        run's date, not held; the engine counts the latest run of consecutive months against the settings.
        """
        requests = self.env["essms.lever.request"]
        for run in self:
            company = run.company_id
            caf, departement = company.essms_lever_caf_months, company.essms_lever_departement_months
            if not caf and not departement:
                continue
            moves = self.env["account.move"].search_fetch(
                [("company_id", "=", company.id), ("move_type", "=", "out_invoice"), ("state", "=", "posted"),
                 ("payment_state", "in", ("not_paid", "partial")), ("invoice_date_due", "<", run.date),
                 ("essms_beneficiary_id", "!=", False), ("essms_period_start", "!=", False),
                 ("commercial_partner_id.essms_payer_kind", "=", "resident")],
                ["essms_beneficiary_id", "essms_period_start", "amount_residual", "commercial_partner_id"],
            )
            moves -= self.env["essms.recovery.hold"]._held_moves(moves, run.date)
            if not moves:
                continue
            existing = {
                (request.beneficiary_id.id, request.kind)
                for request in self.env["essms.lever.request"].search_fetch(
                    [("beneficiary_id", "in", moves.essms_beneficiary_id.ids), ("state", "!=", "cancelled")],
                    ["beneficiary_id", "kind"],
                )
            }
            aah = self.env["essms.parameter"].get_value("aah", run.date)
            vals_list = []
            for beneficiary, person_moves in moves.grouped("essms_beneficiary_id").items():
                by_month = defaultdict(lambda: self.env["account.move"])
                for move in person_moves:
                    by_month[month_start(move.essms_period_start)] |= move
                proposal = resident_money.levers(list(by_month), caf, departement)
                for kind, open_ in (("caf", proposal.caf), ("departement", proposal.departement)):
                    if not open_ or (beneficiary.id, kind) in existing:
                        continue
                    recipient = beneficiary.current_decision_id.payer_id if kind == "departement" else False
                    vals_list.append({
                        "kind": kind,
                        "company_id": company.id,
                        "run_id": run.id,
                        "beneficiary_id": beneficiary.id,
                        "recipient_id": recipient.id if recipient else False,
                        "date": run.date,
                        "aah_monthly": aah,
                        "month_count": len(proposal.unpaid_months),
                        "line_ids": [
                            (0, 0, {"month": month, "move_id": move.id, "amount_due": move.amount_residual})
                            for month in proposal.unpaid_months
                            for move in by_month[month]
                        ],
                    })
            if vals_list:
                created = self.env["essms.lever.request"].create(vals_list)
                created._approval_propose()
                requests |= created
        return requests
