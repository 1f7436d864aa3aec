from odoo import models


class AccountMoveReversal(models.TransientModel):
    _inherit = "account.move.reversal"

    def reverse_moves(self, is_modify=False):
        # The wizard can be reached without the invoice's button (from a list): the same refusal.
        self.move_ids._essms_check_manual_reversal()
        return super().reverse_moves(is_modify=is_modify)
