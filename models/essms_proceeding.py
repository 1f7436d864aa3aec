"""Insolvency, over-indebtedness and estates (recovery-rules §6): the dated steps of a debtor's proceeding.

- Collective proceedings (a business debtor): the publication (BODACC) puts a ``collective_proceedings`` hold on the
  debtor and sets the declaration deadline (2 months) and the relief deadline (6 months, when the claim was not
  declared in time); the declaration is recorded as the event that interrupts the prescription; declared, admitted,
  rejected amounts and dividends are kept; a closure for lack of assets proposes an extinction (``essms.writeoff``
  of kind *extinction*, for the finance director to approve and post).
- Over-indebtedness (a private person, Banque de France): admissibility puts an ``over_indebtedness`` hold (no
  enforcement); the debts statement opens a 30-day window to contest it; an erasure proposes an extinction.
- Estate (death): a ``deceased`` hold stops the reminders; the notary and the heirs are recorded; the claims stay
  held while the estate is open.
- Small-claims procedure (recovery-rules §3, claims up to 5 000 €): the commissaire de justice's invitation gives
  the debtor one month to answer; a ``court_procedure`` hold stops the reminders meanwhile.
- Payment order (*injonction de payer*, CPC 1405 to 1424): the order lapses if it is not served within 6 months;
  once served, the debtor has 1 month to object, then the creditor 1 month to ask for the enforceable formula.

A daily job alerts once per deadline (``_cron_deadline_alerts``). The holds end with the proceeding's closure.
"""


from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tools import format_date
from odoo.tools import formatLang

from ..engine import prescription
from ..engine import proceedings as deadline_rules

HOLD_REASONS = {"collective": "collective_proceedings", "over_indebtedness": "over_indebtedness",
                "estate": "deceased", "small_claims": "court_procedure", "payment_order": "court_procedure"}
# The deadlines and their alerts are engine rules (engine/proceedings.py).
ALERT_DAYS = deadline_rules.ALERT_DAYS
DECLARATION_REPORT = "essms_billing.action_report_essms_proceeding_declaration"


class EssmsProceeding(models.Model):
    _name = "essms.proceeding"
    _description = "Insolvency, over-indebtedness or estate proceeding"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    kind = fields.Selection(
        selection=[("collective", "Collective proceedings"), ("over_indebtedness", "Over-indebtedness"),
                   ("estate", "Estate"), ("small_claims", "Small-claims procedure"),
                   ("payment_order", "Payment order")],
        required=True, tracking=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one("res.partner", string="Debtor", required=True, index=True, check_company=True,
                                 tracking=True)
    move_ids = fields.Many2many(
        "account.move", "essms_proceeding_account_move_rel", "proceeding_id", "move_id", string="Claims",
        check_company=True, help="The debtor's claims open when the proceeding was recorded.")
    date_start = fields.Date(
        string="Opened on", required=True, tracking=True,
        help="Collective proceedings: the publication in the BODACC. Over-indebtedness: the admissibility of the "
             "file. Estate: the death. Small claims: the commissaire de justice's invitation sent to the debtor. "
             "Payment order: the date of the order.")
    reference = fields.Char(help="The court's judgment, the Banque de France file, the notary's reference…")
    representative_id = fields.Many2one(
        "res.partner", string="Mandataire or notary", tracking=True,
        help="The mandataire judiciaire the claims are declared to, or the notary in charge of the estate.")
    heir_ids = fields.Many2many("res.partner", "essms_proceeding_heir_rel", "proceeding_id", "partner_id",
                                string="Heirs", help="The heirs the claims of the estate are addressed to.")
    # Collective proceedings
    date_declaration_deadline = fields.Date(string="Declare by", compute="_compute_deadlines", store=True)
    date_relief_deadline = fields.Date(string="Relief by", compute="_compute_deadlines", store=True,
                                       help="A claim not declared in time: ask the judge for relief by this day.")
    date_declared = fields.Date(string="Declared on", tracking=True)
    amount_declared = fields.Monetary(string="Declared", tracking=True)
    amount_admitted = fields.Monetary(string="Admitted", tracking=True)
    amount_rejected = fields.Monetary(string="Rejected", tracking=True)
    amount_dividends = fields.Monetary(string="Dividends received", tracking=True)
    # Over-indebtedness
    date_statement = fields.Date(string="Debts statement received on", tracking=True)
    date_contest_deadline = fields.Date(string="Contest by", compute="_compute_deadlines", store=True)
    # Small claims and payment order
    date_answer_deadline = fields.Date(
        string="Debtor answers by", compute="_compute_deadlines", store=True,
        help="Small claims: one month from the invitation; without the debtor's agreement, apply for a payment order.")
    date_agreed = fields.Date(string="Agreement on", tracking=True,
                              help="Small claims: the debtor accepted the amount and the terms of payment.")
    date_serve_deadline = fields.Date(string="Serve by", compute="_compute_deadlines", store=True,
                                      help="Payment order: not served within 6 months of its date, it lapses.")
    date_served = fields.Date(string="Served on", tracking=True)
    date_objection_deadline = fields.Date(string="Objection possible until", compute="_compute_deadlines",
                                          store=True, help="Payment order: one month from its service.")
    date_objection = fields.Date(string="Objection lodged on", tracking=True)
    date_formula_deadline = fields.Date(
        string="Ask for the enforceable formula by", compute="_compute_deadlines", store=True,
        help="Payment order: within one month after the time to object has run out.")
    date_formula = fields.Date(string="Enforceable formula asked on", tracking=True)
    # Closure
    date_closed = fields.Date(string="Closed on", tracking=True)
    closure_reason = fields.Selection(
        selection=[("lack_of_assets", "Lack of assets"), ("erasure", "Debts erased"), ("plan", "Plan adopted"),
                   ("paid", "Paid"), ("other", "Other")],
        tracking=True)
    writeoff_id = fields.Many2one("essms.writeoff", string="Extinction proposed", readonly=True, copy=False)
    payment_plan_id = fields.Many2one(
        "essms.payment.plan", string="Over-indebtedness plan", readonly=True, copy=False,
        help="The instalments the commission's plan sets, followed like a payment plan (missed instalment, notice).")
    hold_ids = fields.Many2many("essms.recovery.hold", "essms_proceeding_hold_rel", "proceeding_id", "hold_id",
                                string="Holds", readonly=True, copy=False)
    alerted = fields.Char(readonly=True, copy=False, help="The deadlines already alerted, for the daily job.")
    note = fields.Text()

    @api.depends("kind", "partner_id")
    def _compute_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for proceeding in self:
            proceeding.name = "%s – %s" % (kinds.get(proceeding.kind, ""), proceeding.partner_id.name or "")

    @api.depends("kind", "date_start", "date_statement", "date_served")
    def _compute_deadlines(self):
        for proceeding in self:
            every = deadline_rules.deadlines(proceeding._steps()) if proceeding.date_start else {}
            proceeding.date_declaration_deadline = every.get("declaration", False)
            proceeding.date_relief_deadline = every.get("relief", False)
            proceeding.date_contest_deadline = every.get("contest", False)
            proceeding.date_answer_deadline = every.get("answer", False)
            proceeding.date_serve_deadline = every.get("service", False)
            proceeding.date_objection_deadline = every.get("objection", False)
            proceeding.date_formula_deadline = every.get("formula", False)

    def _steps(self):
        self.ensure_one()
        return deadline_rules.Steps(
            self.kind, self.date_start, statement=self.date_statement or None, declared=self.date_declared or None,
            agreed=self.date_agreed or None, served=self.date_served or None, objection=self.date_objection or None,
            formula=self.date_formula or None, closed=self.date_closed or None)

    # Creation: the claims and the hold ---------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            partner = self.env["res.partner"].browse(vals.get("partner_id")).commercial_partner_id
            company_id = vals.get("company_id") or self.env.company.id
            open_moves = self.env["account.move"].search([
                ("commercial_partner_id", "=", partner.id), ("company_id", "=", company_id),
                ("move_type", "=", "out_invoice"), ("state", "=", "posted"), ("amount_residual", ">", 0),
            ])
            if not open_moves:
                raise ValidationError(self.env._(
                    "Proceeding on %(debtor)s: the debtor has no open claim; nothing is recorded.",
                    debtor=partner.display_name or "?"))
            vals.setdefault("move_ids", [(6, 0, open_moves.ids)])
        proceedings = super().create(vals_list)
        proceedings._check_small_claims_limit()
        proceedings._put_holds()
        return proceedings

    def _put_holds(self):
        Hold = self.env["essms.recovery.hold"]
        for proceeding in self:
            hold = Hold.create({
                "reason": HOLD_REASONS[proceeding.kind],
                "partner_id": proceeding.partner_id.commercial_partner_id.id,
                "company_id": proceeding.company_id.id,
                "date_start": min(proceeding.date_start, fields.Date.context_today(self)),
                "note": proceeding.name,
            })
            proceeding.hold_ids = [(4, hold.id)]

    def _check_small_claims_limit(self):
        """A small-claims procedure is for claims up to 5 000 € (CPC R211-3-4 via L125-1 CPCE)."""
        for proceeding in self.filtered(lambda proceeding: proceeding.kind == "small_claims"):
            total = proceeding.currency_id.round(sum(proceeding.move_ids.mapped("amount_residual")))
            if deadline_rules.over_small_claims_limit(total):
                raise ValidationError(self.env._(
                    "Small-claims procedure on %(debtor)s: the claims still due total %(amount)s, above the limit of "
                    "%(limit)s; apply for a payment order instead. Nothing is recorded.",
                    debtor=proceeding.partner_id.display_name,
                    amount=formatLang(self.env, total, currency_obj=proceeding.currency_id),
                    limit=formatLang(self.env, deadline_rules.SMALL_CLAIMS_LIMIT, currency_obj=proceeding.currency_id)))

    @api.constrains("date_start", "date_declared", "date_closed", "date_statement", "kind", "date_served",
                    "date_objection", "date_formula", "date_agreed")
    def _check_dates(self):
        today = fields.Date.context_today(self)
        for proceeding in self:
            for name in ("date_start", "date_declared", "date_closed", "date_statement", "date_served",
                         "date_objection", "date_formula", "date_agreed"):
                day = proceeding[name]
                if day and day > today:
                    raise ValidationError(self.env._(
                        "Proceeding %(name)s: %(field)s (%(date)s) is in the future.", name=proceeding.name,
                        field=proceeding._fields[name].get_description(self.env)["string"],
                        date=format_date(self.env, day)))
            declared, closed = proceeding.date_declared, proceeding.date_closed
            if declared and closed and declared > closed:
                raise ValidationError(self.env._(
                    "Proceeding %(name)s: the declaration (%(declared)s) comes after the closure (%(closed)s); a "
                    "claim cannot be declared to a closed proceeding.", name=proceeding.name,
                    declared=format_date(self.env, proceeding.date_declared),
                    closed=format_date(self.env, proceeding.date_closed)))
            if proceeding.date_declared and proceeding.kind != "collective":
                raise ValidationError(self.env._(
                    "Proceeding %(name)s: a claim is declared in collective proceedings only.", name=proceeding.name))
            proceeding._check_order_dates()
            if proceeding.date_closed and proceeding.date_closed < proceeding.date_start:
                raise ValidationError(self.env._(
                    "Proceeding %(name)s: the closure (%(closed)s) is before the opening (%(start)s).",
                    name=proceeding.name, closed=format_date(self.env, proceeding.date_closed),
                    start=format_date(self.env, proceeding.date_start)))

    def _check_order_dates(self):
        """A payment order is served after its date and within 6 months; the formula is asked after the time to
        object, never after an objection."""
        self.ensure_one()
        if self.kind != "payment_order" and any((self.date_served, self.date_objection, self.date_formula)):
            raise ValidationError(self.env._(
                "Proceeding %(name)s: service, objection and enforceable formula belong to a payment order only.",
                name=self.name))
        if self.kind != "small_claims" and self.date_agreed:
            raise ValidationError(self.env._(
                "Proceeding %(name)s: an agreement is recorded in a small-claims procedure only.", name=self.name))
        served = self.date_served
        if served and served < self.date_start:
            raise ValidationError(self.env._(
                "Proceeding %(name)s: served on %(served)s, before the order's date (%(start)s).", name=self.name,
                served=format_date(self.env, served), start=format_date(self.env, self.date_start)))
        if served and self.date_serve_deadline and served > self.date_serve_deadline:
            raise ValidationError(self.env._(
                "Proceeding %(name)s: served on %(served)s, after %(deadline)s: an order not served within 6 months "
                "has lapsed; apply for a new one.", name=self.name, served=format_date(self.env, served),
                deadline=format_date(self.env, self.date_serve_deadline)))
        if (self.date_objection or self.date_formula) and not served:
            raise ValidationError(self.env._(
                "Proceeding %(name)s: record the service of the order first.", name=self.name))
        if self.date_formula and self.date_objection:
            raise ValidationError(self.env._(
                "Proceeding %(name)s: the debtor objected on %(objection)s: the order cannot be made enforceable, "
                "the court will judge the claim.", name=self.name,
                objection=format_date(self.env, self.date_objection)))
        if self.date_formula and self.date_formula <= self.date_objection_deadline:
            raise ValidationError(self.env._(
                "Proceeding %(name)s: the enforceable formula is asked once the time to object has run out, after "
                "%(deadline)s.", name=self.name, deadline=format_date(self.env, self.date_objection_deadline)))

    # Steps -------------------------------------------------------------------------------------------------

    def action_declare(self):
        """Record the declaration of the claims to the mandataire today: the amount still due, and the event that
        interrupts their prescription."""
        today = fields.Date.context_today(self)
        for proceeding in self:
            if proceeding.kind != "collective":
                raise UserError(self.env._("Proceeding %(name)s: a claim is declared in collective proceedings only.",
                                           name=proceeding.name))
            if proceeding.date_closed:
                raise UserError(self.env._(
                    "Proceeding %(name)s was closed on %(closed)s: a claim cannot be declared any more.",
                    name=proceeding.name, closed=format_date(self.env, proceeding.date_closed)))
            moves = proceeding.move_ids.filtered(lambda move: move.amount_residual > 0)
            proceeding.write({"date_declared": today, "amount_declared": sum(moves.mapped("amount_residual"))})
            if moves:
                self.env["essms.recovery.event"].create({
                    "kind": prescription.CLAIM_DECLARATION, "date": today, "company_id": proceeding.company_id.id,
                    "move_ids": [(6, 0, moves.ids)], "reference": proceeding.reference,
                    "note": self.env._("Declared to %(representative)s.",
                                       representative=proceeding.representative_id.name or "?"),
                })
            proceeding._attach_declaration()

    def action_notary_letter(self):
        """The letter to the notary in charge of the estate, with the statement of the estate's debts."""
        for proceeding in self:
            if proceeding.kind != "estate" or not proceeding.representative_id:
                raise UserError(self.env._(
                    "Proceeding %(name)s: record the notary in charge of the estate first.", name=proceeding.name))
            proceeding._attach_declaration()

    def action_heirs_letter(self):
        """Address the heirs of an estate: they are recorded as debtors of the claims still due (``essms_heir_ids``
        on each invoice), and each gets a letter with the statement of the estate's debts, attached to the
        proceeding. The dunning runs still leave a deceased person's claims out: the estate's letters are these."""
        for proceeding in self:
            if proceeding.kind != "estate":
                raise UserError(self.env._("Proceeding %(name)s: heirs are addressed for an estate only.",
                                           name=proceeding.name))
            if not proceeding.heir_ids:
                raise UserError(self.env._(
                    "Proceeding %(name)s: record the heirs first (from the notary); until they are known the claims "
                    "are not claimed from anyone.", name=proceeding.name))
            if proceeding.date_closed:
                raise UserError(self.env._("Proceeding %(name)s was closed on %(closed)s.", name=proceeding.name,
                                           closed=format_date(self.env, proceeding.date_closed)))
            moves = proceeding._declaration_moves()
            if not moves:
                raise UserError(self.env._("Proceeding %(name)s: no claim of the estate is still due.",
                                           name=proceeding.name))
            moves.sudo().write({"essms_heir_ids": [(4, heir.id) for heir in proceeding.heir_ids]})
            for heir in proceeding.heir_ids:
                proceeding.with_context(essms_recipient_id=heir.id)._attach_declaration()

    def action_over_indebtedness_plan(self):
        """The commission's plan (over-indebtedness): a draft payment plan on the claims still due, to type the
        instalments the plan sets and sign; the daily job then follows them like any payment plan. The proceeding's
        hold stays while it is open, so a broken plan does not resume the reminders."""
        self.ensure_one()
        if self.kind != "over_indebtedness":
            raise UserError(self.env._("Proceeding %(name)s: a plan of the commission belongs to an over-indebtedness "
                                       "file only.", name=self.name))
        if self.date_closed:
            raise UserError(self.env._("Proceeding %(name)s was closed on %(closed)s.", name=self.name,
                                       closed=format_date(self.env, self.date_closed)))
        if not self.payment_plan_id or self.payment_plan_id.state in ("cancelled", "refused"):
            moves = self._declaration_moves()
            if not moves:
                raise UserError(self.env._("Proceeding %(name)s: no claim is still due.", name=self.name))
            self.payment_plan_id = self.env["essms.payment.plan"].create({
                "partner_id": self.partner_id.commercial_partner_id.id,
                "company_id": self.company_id.id,
                "move_ids": [(6, 0, moves.ids)],
                "note": self.env._("Plan of the over-indebtedness commission, %(name)s (%(reference)s).",
                                   name=self.name, reference=self.reference or "-"),
            })
            self.message_post(body=self.env._("Plan of the commission: %(plan)s.", plan=self.payment_plan_id.name))
        return {
            "type": "ir.actions.act_window",
            "res_model": "essms.payment.plan",
            "res_id": self.payment_plan_id.id,
            "view_mode": "form",
            "name": self.env._("Over-indebtedness plan"),
        }

    def _declaration_recipient(self):
        """Whom the declaration is addressed to: an heir (context ``essms_recipient_id``), else the mandataire or
        the notary, else the debtor."""
        self.ensure_one()
        heir_id = self.env.context.get("essms_recipient_id")
        if heir_id:
            return self.heir_ids.filtered(lambda heir: heir.id == heir_id)
        return self.representative_id or self.partner_id

    def _declaration_moves(self):
        """The statement of claims: the claims still due, oldest first."""
        self.ensure_one()
        return self.move_ids.filtered(lambda move: move.amount_residual > 0).sorted(
            lambda move: (move.invoice_date_due or move.invoice_date, move.id))

    def _declaration_date(self):
        self.ensure_one()
        return self.date_declared or fields.Date.context_today(self)

    def _declaration_filename(self):
        self.ensure_one()
        if self.env.context.get("essms_recipient_id"):
            return self.env._("Debts of the estate - %(debtor)s - %(heir)s - %(date)s", debtor=self.partner_id.name,
                              heir=self._declaration_recipient().name, date=self._declaration_date())
        return self.env._("Declaration of claims - %(debtor)s - %(date)s", debtor=self.partner_id.name,
                          date=self._declaration_date())

    def _attach_declaration(self):
        """Render the declaration letter to the mandataire (or the notary) and attach it to the proceeding."""
        self.ensure_one()
        report = self.env["ir.actions.report"]._essms_pdf_renderer(self.company_id)
        content, _kind = report._render_qweb_pdf(DECLARATION_REPORT, res_ids=self.ids)
        attachment = self.env["ir.attachment"].create({
            "name": "%s.pdf" % self._declaration_filename(),
            "raw": content,
            "mimetype": "application/pdf" if content.startswith(b"%PDF") else "text/html",
            "res_model": self._name,
            "res_id": self.id,
        })
        self.message_post(body=self.env._("Declaration of claims to send to %(representative)s.",
                                          representative=self._declaration_recipient().name or "?"),
                          attachment_ids=attachment.ids)
        return attachment

    def action_close(self):
        """Close the proceeding on its closure date (today when empty): the holds end; a closure for lack of assets
        or a debt erasure proposes the extinction of what is still due."""
        today = fields.Date.context_today(self)
        for proceeding in self:
            if not proceeding.closure_reason:
                raise UserError(self.env._("Proceeding %(name)s: give the reason of the closure first.",
                                           name=proceeding.name))
            closed = proceeding.date_closed or today
            proceeding.date_closed = closed
            holds = proceeding.hold_ids.filtered(lambda hold, day=closed: not hold.date_end or hold.date_end > day)
            holds.write({"date_end": max(closed, proceeding.date_start)})
            if proceeding.closure_reason in ("lack_of_assets", "erasure") and not proceeding.writeoff_id:
                proceeding._propose_extinction()

    def _propose_extinction(self):
        self.ensure_one()
        moves = self.move_ids.filtered(lambda move: move.amount_residual > 0)
        if not moves:
            return
        self.writeoff_id = self.env["essms.writeoff"].create({
            "partner_id": self.partner_id.commercial_partner_id.id,
            "company_id": self.company_id.id,
            "kind": "extinction",
            "reason": "erased" if self.closure_reason == "erasure" else "insolvent",
            "reason_note": self.env._("%(name)s closed on %(date)s (%(reference)s).", name=self.name,
                                      date=format_date(self.env, self.date_closed), reference=self.reference or "-"),
            "line_ids": [(0, 0, {"move_id": move.id, "amount": move.amount_residual}) for move in moves],
        })
        self.message_post(body=self.env._("Extinction proposed: %(writeoff)s.", writeoff=self.writeoff_id.name))

    # Alerts ------------------------------------------------------------------------------------------------

    def _deadlines(self):
        """``{key: deadline}`` of what is still to do (``engine.proceedings.pending``)."""
        self.ensure_one()
        return deadline_rules.pending(self._steps())

    def _alert_summary(self, key, deadline):
        day = format_date(self.env, deadline)
        if key == "declaration":
            return self.env._("Declare the claims to the mandataire by %(date)s: %(name)s", date=day, name=self.name)
        if key == "relief":
            return self.env._("Not declared: ask for relief by %(date)s: %(name)s", date=day, name=self.name)
        if key == "answer":
            return self.env._("The debtor's time to answer the small-claims invitation ends on %(date)s; without an "
                              "agreement, apply for a payment order: %(name)s", date=day, name=self.name)
        if key == "service":
            return self.env._("Have the payment order served by %(date)s, or it lapses: %(name)s", date=day,
                              name=self.name)
        if key == "objection":
            return self.env._("The debtor's time to object ends on %(date)s: check with the court registry: %(name)s",
                              date=day, name=self.name)
        if key == "formula":
            return self.env._("Ask the court for the enforceable formula by %(date)s: %(name)s", date=day,
                              name=self.name)
        return self.env._("Contest the debts statement by %(date)s if it is wrong: %(name)s", date=day, name=self.name)

    @api.model
    def _cron_deadline_alerts(self):
        """One activity per proceeding and deadline, ``ALERT_DAYS`` before it (or the first run after), never twice."""
        today = fields.Date.context_today(self)
        proceedings = self.search([("date_closed", "=", False)], order="id")
        done = 0
        for proceeding in proceedings:
            alerted = set(filter(None, (proceeding.alerted or "").split(",")))
            pending = proceeding._deadlines()
            for key in deadline_rules.alerts_due(proceeding._steps(), today, frozenset(alerted)):
                deadline = pending[key]
                proceeding.activity_schedule(
                    "mail.mail_activity_data_todo", date_deadline=deadline,
                    summary=proceeding._alert_summary(key, deadline),
                    user_id=proceeding.create_uid.id or self.env.uid)
                alerted.add(key)
                done += 1
            if alerted != set(filter(None, (proceeding.alerted or "").split(","))):
                proceeding.alerted = ",".join(sorted(alerted))
        self.env["ir.cron"]._notify_progress(done=done, remaining=0)


class AccountMove(models.Model):
    _inherit = "account.move"

    essms_heir_ids = fields.Many2many(
        "res.partner", "essms_account_move_heir_rel", "move_id", "partner_id", string="Heirs (debtors)",
        copy=False, readonly=True,
        help="The heirs of a deceased debtor the claim is now claimed from (Lettre aux héritiers, on the estate).")
