from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError

from ..engine import approvals as engine
from .essms_receivable_ageing import _payer_kinds

DECISION_TYPES = [
    ("plan", "Payment plan"),
    ("formal_notice", "Escalation to formal notice"),
    ("remission", "Remission proposal"),
    ("writeoff", "Write-off"),
]
APPROVAL_MODES = [
    ("autonomous", "Autonomous"),
    ("autonomous_notify", "Autonomous, manager notified"),
    ("approval_required", "Manager's approval required"),
]


class EssmsApprovalRule(models.Model):
    """Who may take a recovery decision (recovery-rules §8): the operator alone, the operator telling the manager, or
    the manager. Per decision type, debtor kind and amount; the most specific matching rule wins
    (``engine/approvals.py``)."""

    _name = "essms.approval.rule"
    _description = "Approval rule"
    _inherit = ["mail.thread"]
    _order = "decision_type, sequence, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", index=True, tracking=True, help="Empty: the rule applies to every company."
    )
    currency_id = fields.Many2one(
        "res.currency", compute="_compute_currency_id", help="The amounts are in the company's currency."
    )
    decision_type = fields.Selection(DECISION_TYPES, string="Decision", required=True, tracking=True)
    payer_kind = fields.Selection(
        selection=_payer_kinds,
        string="Debtor kind",
        tracking=True,
        help="Empty: every kind of debtor.",
    )
    amount_min = fields.Monetary(
        string="From (included)", tracking=True, help="The rule applies from this amount (0: from the first cent)."
    )
    amount_max = fields.Monetary(
        string="Up to (excluded)", tracking=True, help="The rule applies below this amount (0: no upper bound)."
    )
    board_decision_required = fields.Boolean(
        string="Board decision required", tracking=True,
        help="Write-offs: the board's decision (reference and date) must be recorded before the entry is posted.",
    )
    mode = fields.Selection(
        APPROVAL_MODES, string="Autonomy level", required=True, default="approval_required", tracking=True
    )

    @api.depends("company_id")
    def _compute_currency_id(self):
        for rule in self:
            rule.currency_id = (rule.company_id or self.env.company).currency_id

    @api.depends("decision_type", "payer_kind", "amount_min", "amount_max", "mode")
    def _compute_display_name(self):
        types = dict(self._fields["decision_type"]._description_selection(self.env))
        kinds = dict(self._fields["payer_kind"]._description_selection(self.env))
        for rule in self:
            rule.display_name = "%s – %s" % (
                types.get(rule.decision_type, ""), kinds.get(rule.payer_kind, self.env._("every debtor"))
            )

    @api.constrains("amount_min", "amount_max")
    def _check_amounts(self):
        for rule in self:
            if rule.amount_min < 0 or rule.amount_max < 0:
                raise ValidationError(self.env._("Approval rule %(rule)s: the amounts cannot be negative.",
                                                 rule=rule.display_name))
            if rule.amount_max and rule.amount_max <= rule.amount_min:
                raise ValidationError(self.env._(
                    "Approval rule %(rule)s: the upper amount must be above the lower amount.",
                    rule=rule.display_name))

    @api.model
    def _engine_rules(self, decision_type):
        """Every active rule of the decision type, as engine rules (read once for a batch of decisions)."""
        rules = self.sudo().search_fetch(
            [("decision_type", "=", decision_type)],
            ["company_id", "payer_kind", "amount_min", "amount_max", "mode", "sequence"],
        )
        return [
            engine.Rule(rule.id, decision_type, rule.mode, rule.company_id.id or None, rule.payer_kind or None,
                        rule.amount_min, rule.amount_max, rule.sequence)
            for rule in rules
        ]
