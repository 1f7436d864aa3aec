"""Legal events of a claim (recovery-rules §5, example R4): what interrupts or suspends the prescription.

An event is dated and typed, on invoices of one debtor (given the debtor alone, it covers the debtor's claims open
on that day). The prescription date of each invoice (``account.move.essms_prescription_date``) is recomputed in
batch from its events by ``engine/prescription.py``; each event shows what it did to each invoice. The partial
payments and signed plans of the ledger are read as events without being recorded here.
"""

from markupsafe import Markup
from markupsafe import escape

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError
from odoo.tools import format_date

from ..engine import prescription

EVENT_KINDS = [
    (prescription.ACKNOWLEDGMENT, "Written acknowledgment of the debt"),
    (prescription.PARTIAL_PAYMENT, "Partial payment"),
    (prescription.PLAN_SIGNED, "Payment plan signed"),
    (prescription.COURT_ACTION, "Court action"),
    (prescription.ENFORCEMENT_ACT, "Act of enforcement"),
    (prescription.CLAIM_DECLARATION, "Declaration of the claim (insolvency)"),
    (prescription.WRITTEN_DEMAND, "Written payment demand"),
    (prescription.SUSPENSION, "Suspension"),
]
WRITTEN_DEMAND_REPORT = "essms_billing.action_report_essms_written_demand"
SUSPENSION_REASONS = [
    ("mediation", "Mediation"),
    ("conciliation", "Conciliation"),
    ("small_claims", "Small-claims procedure accepted"),
]


class EssmsRecoveryEvent(models.Model):
    _name = "essms.recovery.event"
    _description = "Recovery legal event"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    kind = fields.Selection(selection=EVENT_KINDS, required=True, tracking=True)
    suspension_reason = fields.Selection(selection=SUSPENSION_REASONS, string="Suspended by", tracking=True)
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True,
                       help="The day of the event; for a suspension, its first day.")
    date_end = fields.Date(string="End", tracking=True,
                           help="The last day of a suspension; empty while it lasts (the clock stays paused).")
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    partner_id = fields.Many2one("res.partner", string="Debtor", index=True, check_company=True, tracking=True,
                                 help="Given alone, the event covers the debtor's claims open on its date.")
    move_ids = fields.Many2many(
        "account.move", "essms_recovery_event_account_move_rel", "event_id", "move_id",
        string="Invoices", check_company=True,
        domain=[("move_type", "=", "out_invoice"), ("state", "=", "posted")],
    )
    reference = fields.Char(help="The court's or the bailiff's reference, the registered-letter number…")
    note = fields.Text()
    effect = fields.Html(string="Effect on the prescription", compute="_compute_effect", sanitize=False)

    @api.depends("kind", "suspension_reason", "date", "partner_id")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for event in self:
            event.display_name = "%s – %s – %s" % (
                kinds.get(event.kind, ""), format_date(self.env, event.date) if event.date else "",
                event.partner_id.display_name or "",
            )

    @api.depends("kind", "date", "date_end", "move_ids")
    def _compute_effect(self):
        timelines = self.move_ids._essms_prescription_timelines() if self.move_ids else {}
        labels = self._effect_labels()
        for event in self:
            rows = []
            for move in event.move_ids:
                effect = next((item for item in timelines.get(move.id, prescription.Timeline(None, ())).effects
                               if item.key == event.id), None)
                if effect:
                    rows.append(Markup("<li>%s: %s</li>") % (move.name, labels(effect)))
            event.effect = Markup("<ul>%s</ul>") % Markup("").join(rows) if rows else False

    def _effect_labels(self):
        env = self.env

        def label(effect):
            day = format_date(env, effect.barred_after) if effect.barred_after else ""
            if effect.kind == prescription.INTERRUPTED:
                if effect.barred_after is None:
                    return env._("interrupts: a new full period once the suspension ends")
                return env._("interrupts: a new period, time-barred from %(date)s", date=day)
            if effect.kind == prescription.SUSPENDED:
                return env._("suspends: the days left run again after the end, time-barred from %(date)s", date=day)
            if effect.kind == prescription.PAUSED:
                return env._("suspends: the clock is paused until the end is recorded")
            if effect.kind == prescription.NO_EFFECT_PRIVATE_DEMAND:
                return env._("no effect: a written demand or a formal notice does not interrupt against a private "
                             "debtor (time-barred from %(date)s)", date=day)
            if effect.kind == prescription.NO_EFFECT_BEFORE:
                return env._("no effect: before the period started (time-barred from %(date)s)", date=day)
            if effect.kind == prescription.NO_EFFECT_BARRED:
                return env._("no effect: the claim was already time-barred from %(date)s", date=day)
            return env._("no effect on the date")

        return label

    # Checks ------------------------------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._fill_invoices(vals)
        return super().create(vals_list)

    def _fill_invoices(self, vals):
        """The debtor from the invoices, or the debtor's claims open on the event's day when no invoice is given."""
        moves = self.env["account.move"]
        if vals.get("move_ids"):
            moves = self.new({"move_ids": vals["move_ids"]}).move_ids._origin
        if moves and not vals.get("partner_id"):
            vals["partner_id"] = moves[:1].commercial_partner_id.id
        if not moves and vals.get("partner_id"):
            partner = self.env["res.partner"].browse(vals["partner_id"]).commercial_partner_id
            day = fields.Date.to_date(vals.get("date")) or fields.Date.context_today(self)
            open_moves = moves.search([
                ("commercial_partner_id", "=", partner.id),
                ("company_id", "=", vals.get("company_id") or self.env.company.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("amount_residual", ">", 0),
                ("invoice_date", "<=", day),
            ])
            if not open_moves:
                raise ValidationError(self.env._(
                    "Legal event: the debtor %(debtor)s has no open claim on %(date)s; nothing is recorded.",
                    debtor=partner.display_name, date=format_date(self.env, day)))
            vals["move_ids"] = [(6, 0, open_moves.ids)]

    @api.constrains("kind", "suspension_reason", "date", "date_end", "partner_id", "move_ids")
    def _check_event(self):
        today = fields.Date.context_today(self)
        for event in self:
            name = event.display_name
            if event.date > today:
                raise ValidationError(self.env._(
                    "Legal event %(name)s: the date (%(date)s) is in the future; record an event once it happened.",
                    name=name, date=format_date(self.env, event.date)))
            if event.kind == prescription.SUSPENSION:
                if not event.suspension_reason:
                    raise ValidationError(self.env._(
                        "Legal event %(name)s: say what suspends the prescription (mediation, conciliation, "
                        "small-claims procedure).", name=name))
                if event.date_end and event.date_end < event.date:
                    raise ValidationError(self.env._(
                        "Legal event %(name)s: the suspension ends (%(end)s) before it starts (%(start)s).",
                        name=name, end=format_date(self.env, event.date_end),
                        start=format_date(self.env, event.date)))
                if event.date_end and event.date_end > today:
                    raise ValidationError(self.env._(
                        "Legal event %(name)s: the end of the suspension (%(end)s) is in the future; leave it empty "
                        "while the suspension lasts.", name=name, end=format_date(self.env, event.date_end)))
            elif event.date_end:
                raise ValidationError(self.env._(
                    "Legal event %(name)s: only a suspension has an end.", name=name))
            if not event.move_ids:
                raise ValidationError(self.env._(
                    "Legal event %(name)s: give the invoices, or the debtor of open claims.", name=name))
            if len(event.move_ids.commercial_partner_id) > 1 or (
                event.partner_id and event.move_ids.commercial_partner_id != event.partner_id.commercial_partner_id
            ):
                raise ValidationError(self.env._(
                    "Legal event %(name)s: the invoices %(invoices)s are not all the debtor's.",
                    name=name, invoices=", ".join(event.move_ids.mapped("name"))))
            wrong = event.move_ids.filtered(lambda move: move.move_type != "out_invoice" or move.state != "posted")
            if wrong:
                raise ValidationError(self.env._(
                    "Legal event %(name)s: %(invoices)s are not posted customer invoices.",
                    name=name, invoices=", ".join(wrong.mapped("display_name"))))

    def _engine_event(self):
        self.ensure_one()
        return prescription.Event(self.kind, self.date, self.date_end or None, key=self.id)

    @api.model
    def _timeline_html(self, move, result):
        """The clock of ``move`` as an HTML table: each event (recorded or read from the ledger) and its effect."""
        labels = self._effect_labels()
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        derived = {
            "payment": self.env._("Partial payment (matched)"),
            "plan": self.env._("Payment plan signed"),
            "letter": self.env._("Reminder sent"),
        }
        events = {event.id: event for event in move.essms_recovery_event_ids}
        rows = []
        for effect in result.effects:
            event = events.get(effect.key)
            if event:
                what = kinds.get(event.kind, "")
                day = format_date(self.env, event.date)
                if event.kind == prescription.SUSPENSION:
                    day = "%s → %s" % (day, format_date(self.env, event.date_end) if event.date_end else "…")
            else:
                what = derived.get(effect.key, "")
                day = format_date(self.env, effect.day) if effect.day else ""
            rows.append(Markup("<tr><td>%s</td><td>%s</td><td>%s</td></tr>") % (day, what, labels(effect)))
        header = Markup("<tr><th>%s</th><th>%s</th><th>%s</th></tr>") % (
            self.env._("Date"), self.env._("Event"), self.env._("Effect"))
        if not rows:
            return escape(self.env._("No event: the period runs from the due date."))
        return Markup('<table class="table table-sm o_essms_prescription_timeline">%s%s</table>') % (
            header, Markup("").join(rows))

    # Written payment demand ------------------------------------------------------------------------------------

    def _essms_written_demand_lines(self):
        """The rows of the demand: each invoice, its period, its beneficiary and what is still due."""
        self.ensure_one()
        return self.move_ids.sorted(lambda move: (move.invoice_date_due or move.invoice_date, move.id))

    def _document_filename(self):
        self.ensure_one()
        return self.env._("Written payment demand - %(debtor)s - %(date)s",
                          debtor=self.partner_id.name, date=self.date)

    def _essms_send_written_demand(self):
        """Render each demand, attach it to the event and send it to the payer (e-mail where it has an address,
        otherwise the operator prints it from the event), with a note on the invoices' chatter."""
        for event in self:
            report = self.env["ir.actions.report"]._essms_pdf_renderer(event.company_id)
            content, _kind = report._render_qweb_pdf(WRITTEN_DEMAND_REPORT, res_ids=event.ids)
            attachment = self.env["ir.attachment"].create({
                "name": "%s.pdf" % event._document_filename(),
                "raw": content,
                "mimetype": "application/pdf" if content.startswith(b"%PDF") else "text/html",
                "res_model": event._name,
                "res_id": event.id,
            })
            body = self.env._("Written payment demand of %(date)s: %(invoices)s.",
                              date=format_date(self.env, event.date), invoices=", ".join(event.move_ids.mapped("name")))
            recipients = event.partner_id.filtered("email")
            event.message_post(body=body, attachment_ids=attachment.ids, partner_ids=recipients.ids,
                               subtype_xmlid="mail.mt_comment" if recipients else "mail.mt_note")
            for move in event.move_ids:
                move.message_post(body=body, attachment_ids=attachment.ids, subtype_xmlid="mail.mt_note")
