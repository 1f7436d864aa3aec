from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError
from odoo.tools import format_date

HOLD_BATCH_SIZE = 200


class EssmsRecoveryHold(models.Model):
    """An overlay on a claim (recovery-rules §1): while it is active, no reminder and no escalation.

    On one invoice, on a payer (all its invoices) or on a beneficiary (all the invoices made out to the person or
    for the person). Active from its start to its end; on its review date a daily job asks for a review.
    """

    _name = "essms.recovery.hold"
    _description = "Recovery hold"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True

    reason = fields.Selection(
        selection=[
            ("dispute", "Dispute"),
            ("pending_decision", "Funding decision pending"),
            ("pending_correction", "Correction pending"),
            ("payment_plan", "Payment plan"),
            ("promise_to_pay", "Promise to pay"),
            ("collective_proceedings", "Collective proceedings"),
            ("over_indebtedness", "Over-indebtedness"),
            ("deceased", "Deceased"),
            ("court_procedure", "Court procedure"),
            ("other", "Other"),
        ],
        required=True,
        tracking=True,
    )
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        index=True,
        check_company=True,
        tracking=True,
        domain=[("move_type", "=", "out_invoice"), ("state", "=", "posted")],
    )
    partner_id = fields.Many2one("res.partner", string="Payer", index=True, check_company=True, tracking=True)
    beneficiary_id = fields.Many2one(
        "essms.beneficiary", string="Beneficiary", index=True, check_company=True, tracking=True
    )
    date_start = fields.Date(
        string="Start", required=True, default=fields.Date.context_today, tracking=True
    )
    date_review = fields.Date(string="Review date", tracking=True)
    date_end = fields.Date(string="End", tracking=True)
    note = fields.Text(tracking=True)
    review_requested = fields.Boolean(copy=False, readonly=True)
    is_active = fields.Boolean(string="Active now", compute="_compute_is_active", search="_search_is_active")

    @api.depends("date_start", "date_end")
    def _compute_is_active(self):
        today = fields.Date.context_today(self)
        for hold in self:
            hold.is_active = hold.date_start <= today and (not hold.date_end or hold.date_end >= today)

    def _search_is_active(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(self.env._("Unsupported search on the active holds."))
        domain = self._active_domain(fields.Date.context_today(self))
        return domain if (operator == "=") == value else ["!", *domain]

    @api.depends("reason", "move_id", "partner_id", "beneficiary_id")
    def _compute_display_name(self):
        reasons = dict(self._fields["reason"]._description_selection(self.env))
        for hold in self:
            target = hold.move_id or hold.partner_id or hold.beneficiary_id
            hold.display_name = "%s – %s" % (reasons.get(hold.reason, ""), target.display_name or "")

    @api.constrains("move_id", "partner_id", "beneficiary_id", "date_start", "date_review", "date_end")
    def _check_target_and_dates(self):
        for hold in self:
            if bool(hold.move_id) + bool(hold.partner_id) + bool(hold.beneficiary_id) != 1:
                raise ValidationError(
                    self.env._("Hold %(name)s: give one invoice, or one payer, or one beneficiary.",
                               name=hold.display_name)
                )
            if hold.date_end and hold.date_end < hold.date_start:
                raise ValidationError(
                    self.env._("Hold %(name)s: the end (%(end)s) is before the start (%(start)s).",
                               name=hold.display_name, end=format_date(self.env, hold.date_end),
                               start=format_date(self.env, hold.date_start))
                )
            if hold.date_review and hold.date_review < hold.date_start:
                raise ValidationError(
                    self.env._("Hold %(name)s: the review date (%(review)s) is before the start (%(start)s).",
                               name=hold.display_name, review=format_date(self.env, hold.date_review),
                               start=format_date(self.env, hold.date_start))
                )

    def write(self, vals):
        if "date_review" in vals:
            vals = {**vals, "review_requested": False}
        return super().write(vals)

    def action_end(self):
        """End the hold today: the claims go back to their stage and are reminded again."""
        self.write({"date_end": fields.Date.context_today(self)})

    @api.model
    def _active_domain(self, day):
        return [("date_start", "<=", day), "|", ("date_end", "=", False), ("date_end", ">=", day)]

    @api.model
    def _held_moves(self, moves, day, reasons=None):
        """The invoices of ``moves`` under a hold active on ``day`` (of one of ``reasons``, if given): on the
        invoice, its payer or its beneficiary."""
        if not moves:
            return moves
        held = self._held_move_ids(
            [(move.id, move.commercial_partner_id.id, move.essms_beneficiary_id.id) for move in moves], day, reasons
        )
        return moves.filtered(lambda move: move.id in held)

    @api.model
    def _held_move_ids(self, claims, day, reasons=None):
        """``_held_moves`` on plain rows (a proposal over 500 000 invoices reads them by SQL): the ids among
        ``claims``, ``(invoice id, payer id, beneficiary id or False)``, under a hold active on ``day``."""
        if not claims:
            return set()
        partner_ids = list({partner_id for _move_id, partner_id, _beneficiary_id in claims})
        holds = self.search_fetch(
            [
                *self._active_domain(day),
                *([("reason", "in", list(reasons))] if reasons else []),
                "|", "|", "|",
                ("move_id", "in", [move_id for move_id, _partner_id, _beneficiary_id in claims]),
                ("partner_id", "in", partner_ids),
                ("beneficiary_id", "in", list({beneficiary_id for *_ids, beneficiary_id in claims if beneficiary_id})),
                # A hold on a beneficiary also covers the invoices made out to the person.
                ("beneficiary_id.partner_id", "in", partner_ids),
            ],
            ["move_id", "partner_id", "beneficiary_id"],
        )
        if not holds:
            return set()
        held_partners = set(holds.partner_id.ids)
        held_beneficiaries = set(holds.beneficiary_id.ids)
        persons = self.env["essms.beneficiary"].search_fetch(
            [("id", "in", list(held_beneficiaries))], ["partner_id"]
        )
        held_partners |= set(persons.partner_id.ids)
        held_moves = set(holds.move_id.ids)
        return {
            move_id for move_id, partner_id, beneficiary_id in claims
            if move_id in held_moves or partner_id in held_partners or beneficiary_id in held_beneficiaries
        }

    @api.model
    def _cron_review_due(self):
        """Ask for a review of the holds whose review date has come, a bounded batch per call."""
        today = fields.Date.context_today(self)
        domain = [
            *self._active_domain(today),
            ("date_review", "!=", False),
            ("date_review", "<=", today),
            ("review_requested", "=", False),
        ]
        holds = self.search(domain, limit=HOLD_BATCH_SIZE, order="date_review, id")
        for hold in holds:
            hold.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=hold.date_review,
                summary=self.env._("Review the hold: %(name)s", name=hold.display_name),
                user_id=hold.write_uid.id or self.env.uid,
            )
        holds.review_requested = True
        remaining = self.search_count(domain)
        self.env["ir.cron"]._notify_progress(done=len(holds), remaining=remaining)
