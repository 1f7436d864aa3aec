"""A workflow's states are reached through its transitions only, never by writing the field.

An advice is posted by ``action_post`` (which makes the payment), a payment plan becomes active when it is
signed or a finance director approves it, a remission is accounted with its credit notes. Writing ``state`` over
RPC (``write`` or ``create``) would skip those checks and effects: a second payment for one transfer, a plan or a
remission in force without the director's approval. The methods that move a record from a state to another are
marked ``@transition``; while one runs (in the same thread), the guarded fields may be written. Nothing a client
sends can set that mark: it is not in the context, it is a flag of the running Python code. Server code running
as the superuser (``sudo``, the system's crons) is trusted as well.
"""

import contextvars
import functools

from odoo import Command
from odoo import api
from odoo import models
from odoo.exceptions import AccessError

_IN_TRANSITION = contextvars.ContextVar("essms_in_transition", default=False)


def transition(method):
    """Mark ``method`` as a transition: while it runs, the workflow fields of every model may be written."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        token = _IN_TRANSITION.set(True)
        try:
            return method(self, *args, **kwargs)
        finally:
            _IN_TRANSITION.reset(token)

    return wrapper


def in_transition():
    return _IN_TRANSITION.get()


class EssmsWorkflowMixin(models.AbstractModel):
    _name = "essms.workflow.mixin"
    _description = "Workflow whose states only its transitions reach"
    # The fields only the transitions write; a record may be created with their default values only.
    _workflow_fields = ("state",)

    def _check_workflow_vals(self, vals_list, create=False):
        if self.env.su or in_transition():
            return
        defaults = self.default_get(list(self._workflow_fields)) if create else {}
        for vals in vals_list:
            for name in self._workflow_fields:
                if name not in vals:
                    continue
                empty = self._workflow_empty(name, vals[name])
                if create and (vals[name] == defaults.get(name) or (empty and not defaults.get(name))):
                    continue
                field = self._fields[name]
                raise AccessError(
                    self.env._(
                        "%(model)s: the field “%(field)s” changes only through the buttons of the record (their "
                        "checks and approvals apply); it cannot be written directly.",
                        model=self.env["ir.model"].sudo()._get(self._name).name,
                        field=field._description_string(self.env),
                    )
                )

    def _workflow_empty(self, name, value):
        """No value: False, or x2many commands that link nothing (a new form sends ``[(6, 0, [])]``)."""
        if not value:
            return True
        if self._fields[name].type in ("one2many", "many2many") and isinstance(value, (list, tuple)):
            return all(
                isinstance(command, (list, tuple))
                and (command[0] == Command.CLEAR or (command[0] == Command.SET and not command[2]))
                for command in value
            )
        return False

    @api.model_create_multi
    def create(self, vals_list):
        self._check_workflow_vals(vals_list, create=True)
        return super().create(vals_list)

    def write(self, vals):
        self._check_workflow_vals([vals])
        return super().write(vals)
