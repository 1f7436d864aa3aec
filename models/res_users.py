from odoo import api
from odoo import models

# Where the addon's users land after logging in: the month starts with the activity statements (both the
# establishments and the operators), not on Discuss, the first app of the menu.
HOME_ACTION = "essms_billing.essms_activity_statement_action"
HOME_GROUP = "essms_billing.group_essms_establishment"


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
        """Users given the addon's groups land on its first screen, unless a home action was chosen for them."""
        group = self.env.ref(HOME_GROUP, raise_if_not_found=False)
        action = self.env.ref(HOME_ACTION, raise_if_not_found=False)
        if not group or not action:
            return
        users = self.sudo().filtered(lambda user: not user.action_id and not user.share and group in user.groups_id)
        if users:
            super(ResUsers, users).write({"action_id": action.id})
