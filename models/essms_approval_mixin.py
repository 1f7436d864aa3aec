"""What every recovery decision under an approval rule shares (recovery-rules §8).

A record (a payment plan, a formal-notice letter) asks its rule for the decision's mode, keeps who proposed it and
when, and, when a manager must approve, waits in ``to_approve`` until a finance director approves or refuses it.
The approval fields are written by the server only: an operator cannot approve, not even by writing the fields or
calling the methods over RPC.
"""

from collections import defaultdict

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError

from ..engine import approvals as engine
from .essms_approval_rule import APPROVAL_MODES
from .essms_workflow_mixin import in_transition
from .essms_workflow_mixin import transition

MANAGER_GROUP = "essms_billing.group_essms_manager"
APPROVAL_ACTIVITY = "essms_billing.mail_activity_type_essms_approval"
# Written by the server only (sudo) or by a finance director.
GUARDED_FIELDS = (
    "approval_mode", "approval_rule_id", "approval_state", "proposed_by_id", "proposed_date", "approved_by_id",
    "approved_date", "approval_note",
)


class EssmsApprovalMixin(models.AbstractModel):
    _name = "essms.approval.mixin"
    _description = "Recovery decision under an approval rule"
    _approval_decision_type = None

    approval_mode = fields.Selection(APPROVAL_MODES, string="Autonomy level", readonly=True, copy=False)
    approval_rule_id = fields.Many2one("essms.approval.rule", string="Approval rule", readonly=True, copy=False)
    approval_state = fields.Selection(
        selection=[("to_approve", "To approve"), ("approved", "Approved"), ("refused", "Refused")],
        string="Approval",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    proposed_by_id = fields.Many2one("res.users", string="Proposed by", readonly=True, copy=False)
    proposed_date = fields.Datetime(string="Proposed on", readonly=True, copy=False)
    approved_by_id = fields.Many2one("res.users", string="Approved or refused by", readonly=True, copy=False)
    approved_date = fields.Datetime(string="Approved or refused on", readonly=True, copy=False)
    approval_note = fields.Text(string="Decision note", copy=False)
    is_approver = fields.Boolean(compute="_compute_is_approver")

    def _compute_is_approver(self):
        self.is_approver = self.env.user.has_group(MANAGER_GROUP)

    # Guard -----------------------------------------------------------------------------------------------

    def _check_approval_fields(self, vals_list):
        if self.env.su or in_transition():
            return
        manager = self.env.user.has_group(MANAGER_GROUP)
        # A finance director writes the decision note; the decision itself goes through action_approve/refuse,
        # so that its effects (a plan in force, a letter sent) follow.
        guarded = [field for field in GUARDED_FIELDS if not manager or field != "approval_note"]
        if any(field in vals for vals in vals_list for field in guarded):
            if manager:
                raise AccessError(self.env._(
                    "A recovery decision is approved or refused with its Approve and Refuse buttons, so that what "
                    "follows from it (a plan in force, a letter sent, a credit note) is done."))
            raise AccessError(self.env._("Only a finance director can approve or refuse a recovery decision."))

    @api.model_create_multi
    def create(self, vals_list):
        self._check_approval_fields(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._check_approval_fields([vals])
        return super().write(vals)

    # What a decision is about (overridden) ---------------------------------------------------------------

    def _approval_subject(self):
        """``(company, debtor kind, amount)`` of the decision."""
        raise NotImplementedError

    def _approval_thread(self):
        """The record whose chatter and activities carry the decision (itself when it is a mail thread)."""
        return self

    def _approval_approved(self):
        """Hook: the manager approved these records."""

    def _approval_refused(self):
        """Hook: the manager refused these records."""

    # Business methods -----------------------------------------------------------------------------------

    def _approval_rules(self):
        """``{record id: approval.rule record or empty}`` under the rules of today, read once for the batch."""
        rules = self.env["essms.approval.rule"]._engine_rules(self._approval_decision_type)
        chosen = {}
        for record in self:
            company, kind, amount = record._approval_subject()
            rule = engine.choose(rules, self._approval_decision_type, company.id, kind or None, amount)
            chosen[record.id] = rule.key if rule else False
        return chosen

    def _approval_propose(self):
        """Ask the rules: record the mode, who proposed and when; the records needing approval go to
        ``to_approve`` (their managers get an activity). Returns ``{mode: records}``."""
        chosen = self._approval_rules()
        rules = self.env["essms.approval.rule"].sudo().browse(set(filter(None, chosen.values())))
        mode_of = {rule.id: rule.mode for rule in rules}
        groups = defaultdict(list)
        for record in self:
            rule_id = chosen[record.id]
            mode = mode_of.get(rule_id, engine.APPROVAL_REQUIRED)
            approved = record.approval_state == "approved" and mode == engine.APPROVAL_REQUIRED
            groups[(mode, rule_id, approved)].append(record.id)
        now = fields.Datetime.now()
        by_mode = defaultdict(lambda: self.browse())
        for (mode, rule_id, approved), ids in groups.items():
            records = self.browse(ids)
            vals = {"approval_mode": mode, "approval_rule_id": rule_id}
            if not approved:
                vals.update({
                    "approval_state": "to_approve" if mode == engine.APPROVAL_REQUIRED else False,
                    "proposed_by_id": self.env.uid,
                    "proposed_date": now,
                    "approved_by_id": False,
                    "approved_date": False,
                })
            records.sudo().write(vals)
            by_mode[mode] |= records
        return by_mode

    def _approval_needed(self):
        """The records that may not go ahead: a manager must approve them and has not (rules read now)."""
        chosen = self._approval_rules()
        rules = self.env["essms.approval.rule"].sudo().browse(set(filter(None, chosen.values())))
        mode_of = {rule.id: rule.mode for rule in rules}
        return self.filtered(
            lambda record: mode_of.get(chosen[record.id], engine.APPROVAL_REQUIRED) == engine.APPROVAL_REQUIRED
            and record.approval_state != "approved"
        )

    def _approval_managers(self, company):
        users = self.env.ref(MANAGER_GROUP).sudo().users
        return users.filtered(lambda user: user.active and not user.share and company in user.company_ids)

    def _approval_ask(self, summary, note):
        """An activity for each finance director of the company on the decision's thread, once."""
        for thread in self._approval_thread():
            company = thread.company_id
            for manager in self._approval_managers(company):
                if thread.activity_ids.filtered(
                    lambda activity, manager=manager: activity.user_id == manager
                    and activity.activity_type_id == self.env.ref(APPROVAL_ACTIVITY)
                ):
                    continue
                thread.activity_schedule(APPROVAL_ACTIVITY, summary=summary, note=note, user_id=manager.id)

    def _approval_tell(self, body):
        """A message to the finance directors of the company on the decision's thread (autonomous_notify)."""
        for thread in self._approval_thread():
            managers = self._approval_managers(thread.company_id)
            thread.message_post(body=body, partner_ids=managers.partner_id.ids, subtype_xmlid="mail.mt_comment")

    def _check_approver(self):
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a finance director can approve or refuse a recovery decision."))
        waiting = self.filtered(lambda record: record.approval_state != "to_approve")
        if waiting:
            raise UserError(self.env._("%(record)s is not waiting for an approval.", record=waiting[0].display_name))

    @transition
    def action_approve(self):
        self._check_approver()
        self.write({"approval_state": "approved", "approved_by_id": self.env.uid,
                    "approved_date": fields.Datetime.now()})
        self._approval_approved()
        self._approval_close_activities()
        return True

    @transition
    def action_refuse(self):
        self._check_approver()
        self.write({"approval_state": "refused", "approved_by_id": self.env.uid,
                    "approved_date": fields.Datetime.now()})
        self._approval_refused()
        self._approval_close_activities()
        return True

    def _approval_close_activities(self):
        """The managers' approval activities are done once nothing waits on their thread."""
        for thread in self._approval_thread():
            if not thread._approval_waiting():
                thread.activity_feedback([APPROVAL_ACTIVITY])

    def _approval_waiting(self):
        """Whether this thread still has a decision waiting (overridden by a thread holding several)."""
        self.ensure_one()
        return self.approval_state == "to_approve"
