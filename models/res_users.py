from odoo import api
from odoo import models

# Where the addon's users land after logging in, not on Discuss (the first app of the menu): the establishments on
# their activity statements (the month's first step), the operators on their month's to-do.
HOME_ACTION = "essms_billing.essms_activity_statement_action"
HOME_GROUP = "essms_billing.group_essms_establishment"
OPERATOR_HOME_ACTION = "essms_billing.essms_operator_desk_action_open"
OPERATOR_GROUP = "essms_billing.group_essms_operator"


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model_create_multi
    def create(self, vals_list):
        users = super().create(vals_list)
        users._essms_set_home_action()
        return users

    def write(self, vals):
        result = super().write(vals)
        if any(key == "groups_id" or key.startswith("in_group_") or key.startswith("sel_groups_") for key in vals):
            self._essms_set_home_action()
        return result

    def _essms_set_home_action(self):
        """Users given the addon's groups land on its first screen, unless a home action was chosen for them: an
        operator on the to-do (also when they had the establishments' home, given by an earlier group)."""
        group = self.env.ref(HOME_GROUP, raise_if_not_found=False)
        action = self.env.ref(HOME_ACTION, raise_if_not_found=False)
        if not group or not action:
            return
        operator_group = self.env.ref(OPERATOR_GROUP, raise_if_not_found=False)
        operator_action = self.env.ref(OPERATOR_HOME_ACTION, raise_if_not_found=False)
        users = self.sudo().filtered(lambda user: not user.share and group in user.groups_id)
        operators = users.filtered(
            lambda user: operator_group in user.groups_id and user.action_id.id in (action.id, False)
        ) if operator_group and operator_action else users.browse()
        if operators:
            super(ResUsers, operators).write({"action_id": operator_action.id})
        others = (users - operators).filtered(lambda user: not user.action_id)
        if others:
            super(ResUsers, others).write({"action_id": action.id})
