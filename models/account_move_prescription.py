"""The prescription you can act on (recovery-rules §5): alerts 6 and 3 months before, and the radar.

A daily job gives the operator one activity per claim and threshold, on the day of the threshold (or the first run
after it), never twice for the same prescription date: a claim whose date moved (a payment, an acknowledgment…) is
alerted again for its new date. The radar lists the open claims becoming time-barred within 12 months with the
cheapest action that would interrupt them; for a public payer, one click sends a dated written payment demand,
which is itself the interrupting event.
"""

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools import format_date
from odoo.tools import formatLang

from ..engine import prescription
from ..engine import proceedings

ALERT_BATCH_SIZE = 500
RADAR_ACTIONS = [
    (proceedings.WRITTEN_DEMAND, "Written payment demand (one click)"),
    (proceedings.SMALL_CLAIMS, "Acknowledgment or payment; else small-claims procedure (up to 5,000 €)"),
    (proceedings.PAYMENT_ORDER, "Acknowledgment or payment; else payment order"),
]


def _alert_field(months):
    """The field keeping the prescription date the ``months`` alert was given for."""
    return "essms_prescription_alert_%d" % months


class AccountMove(models.Model):
    _inherit = "account.move"

    essms_prescription_alert_6 = fields.Date(
        string="Alerted 6 months before", copy=False, readonly=True,
        help="The prescription date the 6-month alert was given for.")
    essms_prescription_alert_3 = fields.Date(
        string="Alerted 3 months before", copy=False, readonly=True,
        help="The prescription date the 3-month alert was given for.")
    essms_radar_action = fields.Selection(
        selection=RADAR_ACTIONS, string="Cheapest interrupting action", compute="_compute_essms_radar_action",
        help="A public payer: a written payment demand interrupts. A private debtor: a written acknowledgment or a "
             "payment (a plan) costs nothing; else a court action: the small-claims procedure through a "
             "commissaire de justice up to 5,000 €, a payment order above.")

    @api.depends("commercial_partner_id.essms_payer_kind", "amount_residual")
    def _compute_essms_radar_action(self):
        for move in self:
            public = prescription.debtor_class(move.commercial_partner_id.essms_payer_kind) == prescription.PUBLIC
            move.essms_radar_action = proceedings.cheapest_interrupting_action(public, move.amount_residual)

    # Alerts ------------------------------------------------------------------------------------------------

    @api.model
    def _essms_prescription_alert_candidates(self, today, limit=None):
        """Open claims whose 6- or 3-month threshold has come and was not alerted for their current date."""
        self.env["account.move"].flush_model(
            ["essms_prescription_date", "essms_prescription_alert_6", "essms_prescription_alert_3", "amount_residual",
             "state", "move_type"])
        query = SQL(
            """
            SELECT id FROM account_move
             WHERE move_type = 'out_invoice' AND state = 'posted' AND amount_residual > 0
               AND essms_prescription_date > %(today)s
               AND (%(reached)s)
             ORDER BY essms_prescription_date, id
            """,
            today=today,
            # A threshold of prescription.ALERT_MONTHS reached and not alerted for the current date.
            reached=SQL(" OR ").join(
                SQL("((essms_prescription_date - %s * interval '1 month')::date <= %s AND %s IS DISTINCT FROM "
                    "essms_prescription_date)", months, today, SQL.identifier(_alert_field(months)))
                for months in prescription.ALERT_MONTHS
            ),
        )
        if limit:
            query = SQL("%s LIMIT %s", query, limit)
        self.env.cr.execute(query)
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def _cron_essms_prescription_alerts(self):
        """Alert on the claims reaching 6 or 3 months before their prescription, a bounded batch per call."""
        today = fields.Date.context_today(self)
        moves = self._essms_prescription_alert_candidates(today, limit=ALERT_BATCH_SIZE)
        moves._essms_prescription_alert(today)
        remaining = len(self._essms_prescription_alert_candidates(today))
        self.env["ir.cron"]._notify_progress(done=len(moves), remaining=remaining)

    def _essms_prescription_alert(self, today):
        """One activity per claim and threshold reached on ``today``; once a claim is within 3 months, its
        6-month alert is not given any more (the 3-month one says more)."""
        actions = dict(self._fields["essms_radar_action"]._description_selection(self.env))
        for move in self:
            barred = move.essms_prescription_date
            months = prescription.alert_due(barred, today)
            if months is None:
                continue
            # The earlier thresholds are given up with it.
            vals = {_alert_field(other): barred for other in prescription.ALERT_MONTHS if other >= months}
            lang = move._essms_company_lang()
            local = move.with_context(lang=lang)
            local.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=today,
                summary=local.env._(
                    "Time-barred in %(months)s months: %(invoice)s, from %(date)s",
                    months=months, invoice=move.name, date=format_date(local.env, barred, lang_code=lang)),
                note=local.env._(
                    "%(amount)s still due by %(debtor)s. Cheapest action that interrupts the prescription: %(action)s.",
                    amount=formatLang(local.env, move.amount_residual, currency_obj=move.currency_id),
                    debtor=move.commercial_partner_id.name, action=actions.get(move.essms_radar_action, "")),
                user_id=move.invoice_user_id.id or self.env.uid,
            )
            move.write(vals)

    # Radar -------------------------------------------------------------------------------------------------

    def action_essms_written_demand(self):
        """Send a dated written payment demand to each public payer of the selected claims: one letter per payer,
        recorded as the event that interrupts their prescription (the date is today's)."""
        moves = self.filtered(lambda move: move.move_type == "out_invoice" and move.state == "posted"
                              and move.amount_residual > 0)
        private = moves.filtered(lambda move: move.essms_radar_action != "written_demand")
        if private or not moves:
            raise UserError(self.env._(
                "A written payment demand interrupts the prescription of a public payer's open claims only: "
                "%(invoices)s are not.", invoices=", ".join((private or self).mapped("display_name"))))
        today = fields.Date.context_today(self)
        Event = self.env["essms.recovery.event"]
        events = Event
        for (company, _debtor), debtor_moves in moves.grouped(
            lambda move: (move.company_id, move.commercial_partner_id)
        ).items():
            events |= Event.with_company(company).create({
                "kind": prescription.WRITTEN_DEMAND,
                "date": today,
                "company_id": company.id,
                "move_ids": [(6, 0, debtor_moves.ids)],
                "note": self.env._("Written payment demand sent from the prescription radar."),
            })
        events._essms_send_written_demand()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("%(count)s written payment demands sent and recorded.", count=len(events)),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
