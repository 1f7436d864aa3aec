from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError
from odoo.tools import format_date

from ..engine import public_recovery


class EssmsRecoveryHold(models.Model):
    """A public creditor's titre is suspended by a challenge on the merits made within 2 months, and by a stay of
    payment (sursis) the accountant grants (recovery-rules §4): holds, so that no SATD or referral goes out."""

    _inherit = "essms.recovery.hold"

    reason = fields.Selection(
        selection_add=[("contest_merits", "Contest on the merits"), ("stay_of_payment", "Stay of payment")],
        ondelete={"contest_merits": "cascade", "stay_of_payment": "cascade"})
    date_notified = fields.Date(
        string="Titre notified on",
        help="A contest on the merits: the day the debtor received the titre or, failing that, the first act of "
             "recovery (the mise en demeure de payer). The contest must come within 2 months of it.")

    @api.constrains("reason", "date_notified", "date_start")
    def _check_contest_in_time(self):
        for hold in self.filtered(lambda hold: hold.reason == "contest_merits"):
            if not hold.date_notified:
                raise ValidationError(self.env._(
                    "A contest on the merits needs the day the titre (or the first act of recovery) was notified."))
            if not public_recovery.contest_in_time(hold.date_notified, hold.date_start):
                raise ValidationError(self.env._(
                    "The contest of %(date)s comes after the 2-month delay that ran out on %(deadline)s: it does "
                    "not suspend the titre (CGCT L1617-5).",
                    date=format_date(self.env, hold.date_start),
                    deadline=format_date(self.env, public_recovery.contest_deadline(hold.date_notified))))
