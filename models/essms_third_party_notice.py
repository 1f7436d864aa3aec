"""The SATD (saisie administrative à tiers détenteur, LPF L262, recovery-rules §4): the accountant orders a third
party holding money for the debtor to pay it instead, within 30 days. The checks and the amounts are the engine's
(engine/public_recovery.py); here they are gathered, and the issue either writes everything or nothing."""

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import float_round

from ..engine import prescription
from ..engine import public_recovery
from .essms_parameter import WAGE_SCALE_CODES

SUSPENDING_HOLDS = ("contest_merits", "stay_of_payment", "dispute")


class EssmsThirdPartyNotice(models.Model):
    _name = "essms.third.party.notice"
    _description = "SATD (third-party notice)"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True, copy=False, default=lambda self: self.env._("New SATD"))
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    debtor_id = fields.Many2one("res.partner", string="Debtor", required=True, index=True, tracking=True)
    third_party_id = fields.Many2one(
        "essms.debtor.third.party", string="Third party", required=True, check_company=True, tracking=True,
        domain="[('debtor_id', '=', debtor_id)]")
    kind = fields.Selection(related="third_party_id.kind", store=True, string="Third-party kind")
    move_ids = fields.Many2many(
        "account.move", "essms_third_party_notice_move_rel", "notice_id", "move_id", string="Titres",
        check_company=True, domain="[('commercial_partner_id', '=', debtor_id), ('move_type', '=', 'out_invoice'), "
                                   "('state', '=', 'posted'), ('amount_residual', '>', 0)]")
    amount_due = fields.Monetary(string="Still due", compute="_compute_amount_due")
    amount = fields.Monetary(string="Amount claimed", tracking=True)
    upkeep = fields.Boolean(
        string="For the person's upkeep", default=True,
        help="The titres are for the person's own upkeep at the establishment (the only use an AAH can be seized "
             "for).")
    bank_balance = fields.Monetary(string="Bank balance, if known")
    wage = fields.Monetary(
        string="Monthly net wage", tracking=True,
        help="For an employer: the debtor's monthly net wage; the employer withholds only its seizable part (code du "
             "travail R3252-2).")
    dependents = fields.Integer(
        string="Dependents", tracking=True,
        help="For an employer: the persons the debtor supports, on proof; each raises every limit of the scale "
             "(code du travail R3252-3).")
    wage_seizable = fields.Monetary(string="Seizable part of the wage (monthly)", readonly=True, copy=False)
    monthly_withholding = fields.Monetary(
        string="Withheld each month", readonly=True, copy=False,
        help="What the employer pays the accountant each month: the seizable part of the wage, at most the amount "
             "claimed.")
    wage_rsa_left = fields.Monetary(string="RSA left to the debtor", readonly=True, copy=False)
    wage_scale_amount = fields.Monetary(string="Seizable by the scale (monthly)", readonly=True, copy=False)
    wage_bands = fields.Json(string="Wage seizure, band by band", readonly=True, copy=False)
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    state = fields.Selection(
        selection=[("draft", "Draft"), ("issued", "Issued"), ("answered", "Answered"), ("closed", "Closed"),
                   ("cancelled", "Cancelled")],
        default="draft", required=True, tracking=True, copy=False)
    batch_id = fields.Many2one("essms.enforcement.batch", string="Mass action", index=True, copy=False,
                               check_company=True)
    frozen_amount = fields.Monetary(readonly=True, copy=False, tracking=True)
    left_available = fields.Monetary(string="Unseizable balance left", readonly=True, copy=False)
    whole_balance = fields.Boolean(string="Whole balance frozen", readonly=True, copy=False)
    block_end = fields.Date(string="Bank block until", readonly=True, copy=False)
    pay_by = fields.Date(string="Third party pays by", readonly=True, copy=False)
    event_id = fields.Many2one("essms.recovery.event", string="Act of enforcement", readonly=True, copy=False)
    answer = fields.Selection(
        selection=[("funds", "Funds held"), ("partial", "Part of the amount held"), ("no_funds", "Nothing held"),
                   ("unknown", "Debtor unknown")], tracking=True, copy=False)
    answer_date = fields.Date(tracking=True, copy=False)
    amount_received = fields.Monetary(tracking=True, copy=False)
    allocation = fields.Text(string="Matched to the titres", readonly=True, copy=False)

    @api.depends("move_ids.amount_residual")
    def _compute_amount_due(self):
        for notice in self:
            notice.amount_due = sum(notice.move_ids.mapped("amount_residual"))

    @api.onchange("move_ids")
    def _onchange_move_ids(self):
        if not self.amount:
            self.amount = self.amount_due

    # Issue -------------------------------------------------------------------------------------------------

    def _engine_request(self):
        """The engine's input for ``self``: authorisation, holds, threshold and the unseizable balance, read in
        bulk for the titres."""
        self.ensure_one()
        moves = self.move_ids
        authorised = self.env["essms.enforcement.authorisation"]._authorised_moves(moves, self.date)
        Hold = self.env["essms.recovery.hold"].sudo()
        held = Hold._held_moves(moves, self.date, reasons=SUSPENDING_HOLDS)
        holds = Hold.search([*Hold._active_domain(self.date), ("reason", "in", SUSPENDING_HOLDS),
                             "|", ("move_id", "in", held.ids), ("partner_id", "in", moves.commercial_partner_id.ids)])
        threshold = self.env["essms.satd.threshold"].sudo().search(
            [("company_id", "=", self.company_id.id), ("kind", "=", self.kind)], limit=1).amount
        Parameter = self.env["essms.parameter"]
        unseizable = Parameter.get_value("rsa_unseizable", self.date) if self.kind in ("bank", "employer") else 0
        wage_limits, per_dependent = (), 0
        if self.kind == "employer" and self.wage > 0:
            wage_limits = tuple(Parameter.get_value(code, self.date) for code in WAGE_SCALE_CODES)
            per_dependent = Parameter.get_value("wage_scale_dependent", self.date)
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        benefits = dict(self.third_party_id._fields["benefit"]._description_selection(self.env))
        return public_recovery.SatdRequest(
            titres=tuple(moves.mapped("name")),
            due=self.amount_due, amount=self.amount, kind=self.kind, day=self.date,
            third_party=self.third_party_id.partner_id.name, benefit=self.third_party_id.benefit,
            upkeep=self.upkeep, threshold=threshold, authorised=bool(moves) and authorised == moves,
            holds=tuple(sorted(set(holds.mapped("display_name")))),
            balance=self.bank_balance or None, unseizable=unseizable,
            wage=self.wage or None, dependents=self.dependents, wage_limits=wage_limits,
            wage_per_dependent=per_dependent,
        ), kinds, benefits

    def _refusal_text(self, message, kinds, benefits):
        params = message.formatted_params()
        if "kind" in params:
            params["kind"] = kinds.get(params["kind"], params["kind"])
        if "benefit" in params:
            params["benefit"] = benefits.get(params["benefit"], params["benefit"])
        for key in ("amount", "due", "threshold", "wage", "rsa"):
            if key in params:
                params[key] = params[key].replace(".", ",")
        return self.env._(message.template.text, **params)

    def action_issue(self):
        """Issue the SATDs: each one checked by the engine; a single refusal and none is issued (the message names
        each SATD and each cause). Issued: the frozen amount, the dates, and the act of enforcement that
        interrupts the titres' prescription."""
        if not self.env.user.has_group("essms_billing.group_essms_operator"):
            raise UserError(self.env._("Only the recovery operators issue SATDs."))
        errors, results = [], {}
        for notice in self:
            if notice.state != "draft":
                errors.append(self.env._("%(name)s is not a draft.", name=notice.name))
                continue
            if notice.company_id.essms_creditor_kind != "public_body":
                errors.append(self.env._(
                    "%(name)s: an SATD is a public accountant's act; %(company)s is not a public body.",
                    name=notice.name, company=notice.company_id.name))
                continue
            request, kinds, benefits = notice._engine_request()
            full_freeze = self.env["essms.parameter"].get_value("satd_bank_full_freeze", notice.date)
            result = public_recovery.satd(request, full_freeze)
            if not result.ok:
                errors.extend("%s (%s): %s" % (notice.name, notice.debtor_id.name,
                                                notice._refusal_text(message, kinds, benefits))
                              for message in result.refusals)
            results[notice] = result
        if errors:
            raise UserError(self.env._("No SATD was issued:\n%(errors)s", errors="\n".join(errors)))
        Event = self.env["essms.recovery.event"]
        sequence = self.env["ir.sequence"]
        for notice, result in results.items():
            event = Event.with_company(notice.company_id).create({
                "kind": prescription.ENFORCEMENT_ACT,
                "date": notice.date,
                "company_id": notice.company_id.id,
                "move_ids": [(6, 0, notice.move_ids.ids)],
                "note": self.env._("SATD to %(third_party)s.", third_party=notice.third_party_id.display_name),
            })
            notice.write({
                "name": sequence.with_company(notice.company_id).next_by_code("essms.third.party.notice")
                or notice.name,
                "state": "issued",
                **notice._wage_values(result.wage_seizure, result.monthly),
                "frozen_amount": float(result.frozen),
                "left_available": float(result.left_available),
                "whole_balance": result.whole_balance,
                "block_end": result.block_end,
                "pay_by": result.pay_by,
                "event_id": event.id,
            })
            notice.move_ids.write({"essms_recovery_stage": "enforcing"})
        return True

    @staticmethod
    def _wage_values(seizure, monthly):
        """What the issue stores of the wage seizure, for the notice to print it band by band."""
        if seizure is None:
            return {}
        return {
            "wage_seizable": float(seizure.seizable),
            "monthly_withholding": float(monthly),
            "wage_rsa_left": float(seizure.rsa),
            "wage_bands": [{
                "low": float(band.low),
                "high": None if band.high is None else float(band.high),
                "fraction": "%d/%d" % (band.fraction.numerator, band.fraction.denominator)
                if band.fraction != 1 else "1",
                "quantity": float(band.quantity),
                "amount": float(band.amount),
            } for band in seizure.bands],
            "wage_scale_amount": float(seizure.scale),
        }

    def action_record_answer(self):
        """The third party answered: the amount received is matched to the titres, oldest first, and paid on them
        (one payment per titre, reconciled)."""
        for notice in self:
            if notice.state != "issued" or not notice.answer:
                raise UserError(self.env._("%(name)s: record the third party's answer of an issued SATD.",
                                           name=notice.name))
            if notice.amount_received > notice.amount + 0.001:
                raise UserError(self.env._(
                    "%(name)s: the third party cannot pay more than the SATD claims (%(amount)s).",
                    name=notice.name, amount=notice.amount))
            moves = notice.move_ids.sorted(lambda move: (move.invoice_date_due or move.date, move.id))
            shares = public_recovery.allocate(notice.amount_received, [(move, move.amount_residual) for move in moves])
            for move, share in shares:
                self.env["account.payment.register"].with_context(
                    active_model="account.move", active_ids=move.ids).create({
                        "amount": float_round(float(share), 2),
                        "payment_date": notice.answer_date or fields.Date.context_today(self),
                        "communication": "%s %s" % (notice.name, move.name),
                    }).action_create_payments()
            notice.write({
                "state": "answered",
                "answer_date": notice.answer_date or fields.Date.context_today(self),
                "allocation": "\n".join("%s: %.2f" % (move.name, share) for move, share in shares),
            })

    def action_close(self):
        self.write({"state": "closed"})

    def action_cancel(self):
        if self.filtered(lambda notice: notice.state not in ("draft", "issued")):
            raise UserError(self.env._("Only a draft or an issued SATD can be cancelled."))
        self.write({"state": "cancelled"})
