from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError

from ..engine import debits

ORDER_OPEN_STATES = ("draft", "open", "generated")


class AccountMove(models.Model):
    _inherit = "account.move"

    @api.depends("company_id", "payment_mode_id", "partner_id", "essms_beneficiary_id")
    def _compute_mandate_id(self):
        # A resident's invoice is paid by the mandate signed for the resident, whoever owns the bank account.
        result = super()._compute_mandate_id()
        persons = self.filtered(
            lambda move: move.essms_beneficiary_id and move.payment_mode_id.payment_method_id.mandate_required
        )
        mandates = self.env["account.banking.mandate"]._essms_valid_mandates(persons)
        for move in persons:
            if move.id in mandates:
                move.mandate_id = mandates[move.id]
        return result

    def create_account_payment_line(self):
        # OCA's "Add to payment order" on residents' invoices: the same checks as a run's debit order.
        self.filtered(
            lambda move: move.essms_beneficiary_id and move.payment_mode_id.payment_method_id.mandate_required
        )._essms_debit_plan(raise_problems=True)
        return super().create_account_payment_line()

    def _essms_debit_plan(self, raise_problems=False):
        """Load the invoices for ``engine/debits.plan`` in a few queries; return its plan and the mandates."""
        today = fields.Date.context_today(self)
        mandates = self.env["account.banking.mandate"]._essms_valid_mandates(self)
        held = self.env["essms.recovery.hold"]._held_moves(self, today)
        hold_labels = self._essms_hold_labels(held, today)
        current_order = self.env.context.get("essms_debit_order")
        candidates = []
        for move in self:
            mandate = mandates.get(move.id)
            orders = move.line_ids.payment_line_ids.order_id.filtered(
                lambda o: o.state in ORDER_OPEN_STATES and o.id != current_order
            )
            candidates.append(
                debits.Candidate(
                    invoice_id=move.id,
                    amount_due=move.amount_residual if move.state == "posted" else 0.0,
                    due=move.invoice_date_due or today,
                    mandate_id=mandate.id if mandate else None,
                    iban=mandate.partner_bank_id.acc_number if mandate else None,
                    hold=hold_labels.get(move.id),
                    order=", ".join(orders.mapped("name")) or None,
                )
            )
        plan = debits.plan(candidates, today)
        if raise_problems and plan.problems:
            raise UserError(self._essms_debit_problems_message(plan.problems))
        return plan, mandates

    def _essms_hold_labels(self, held, today):
        """{invoice id: the reason of the hold that stops its debit}, for the invoices ``held``."""
        if not held:
            return {}
        hold_model = self.env["essms.recovery.hold"]
        reasons = dict(hold_model._fields["reason"]._description_selection(self.env))
        labels = {}
        for reason, label in reasons.items():
            for move in hold_model._held_moves(held, today, reasons=[reason]):
                labels.setdefault(move.id, label)
        return labels

    def _essms_debit_problems_message(self, problems):
        moves = self.browse([problem.invoice_id for problem in problems])
        texts = {
            debits.NOTHING_DUE: self.env._("nothing is left to pay on it"),
            debits.ALREADY_IN_ORDER: self.env._("it is already in the debit order %(detail)s"),
            debits.HELD: self.env._("its recovery is on hold (%(detail)s): no debit while the hold lasts"),
            debits.MISSING_MANDATE: self.env._(
                "%(person)s has no valid SEPA mandate: record and validate the mandate signed by the resident, "
                "the family or the guardian first"
            ),
            debits.BAD_IBAN: self.env._(
                "the IBAN %(detail)s of the mandate fails its check (country, length or check digits)"
            ),
        }
        lines = []
        for problem in problems:
            move = moves.browse(problem.invoice_id)
            person = move.essms_beneficiary_id.partner_id.display_name or move.partner_id.display_name
            lines.append(
                self.env._(
                    "- Invoice %(invoice)s (%(person)s): %(problem)s.",
                    invoice=move.name,
                    person=person,
                    problem=texts[problem.kind] % {"detail": problem.detail or "", "person": person},
                )
            )
        return self.env._("No debit order was made:\n%(lines)s", lines="\n".join(lines))

    def _essms_create_debit_orders(self, run=None):
        """One SEPA debit order per payment mode and collection date for these invoices, all or nothing."""
        plan, mandates = self._essms_debit_plan(raise_problems=True)
        by_mandate = {}
        for move in self:
            if move.mandate_id != mandates[move.id]:
                by_mandate.setdefault(mandates[move.id], []).append(move.id)
        for mandate, move_ids in by_mandate.items():
            self.browse(move_ids).mandate_id = mandate
        orders = self.env["account.payment.order"]
        for day, move_ids in plan.orders.items():
            moves = self.browse(move_ids)
            for mode, mode_moves in moves.grouped("payment_mode_id").items():
                order = orders.create(
                    {
                        "payment_mode_id": mode.id,
                        "date_prefered": "fixed",
                        "date_scheduled": day,
                        "essms_billing_run_id": run.id if run else False,
                    }
                )
                mode_moves.line_ids.filtered(
                    lambda line: line.account_id.account_type == "asset_receivable" and not line.reconciled
                ).create_payment_line_from_move_line(order)
                orders |= order
        return orders
