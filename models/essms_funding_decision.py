from dateutil.relativedelta import relativedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tools import format_date

from ..engine import decisions as decision_rules

DECISION_STATES = [
    ("to_file", "To file"),
    ("filed", "Filed"),
    ("granted", "Granted"),
    ("partially_granted", "Partially granted"),
    ("refused", "Refused"),
    ("appealed", "Appealed"),
]
PENDING_STATES = ("to_file", "filed", "appealed")
GRANTED_STATES = ("granted", "partially_granted")


class EssmsFundingDecision(models.Model):
    """A payer's social-aid decision for a beneficiary, with the deadlines of billing-rules §4."""

    _name = "essms.funding.decision"
    _description = "Funding decision"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_next_deadline, id"
    _check_company_auto = True

    beneficiary_id = fields.Many2one(
        "essms.beneficiary", required=True, ondelete="restrict", index=True, tracking=True
    )
    payer_id = fields.Many2one(
        "res.partner", string="Payer", required=True, ondelete="restrict", index=True, check_company=True,
        tracking=True,
    )
    agreement_id = fields.Many2one(
        "essms.agreement",
        check_company=True,
        tracking=True,
        domain="[('payer_id', '=', payer_id)]",
    )
    establishment_id = fields.Many2one(related="agreement_id.establishment_id", store=True, index=True)
    company_id = fields.Many2one(related="beneficiary_id.company_id", store=True, index=True, precompute=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    state = fields.Selection(
        selection=DECISION_STATES,
        required=True,
        default="to_file",
        index=True,
        tracking=True,
    )
    reference = fields.Char(string="Decision reference", tracking=True)
    date_entry = fields.Date(
        string="Entry date",
        compute="_compute_date_entry",
        store=True,
        readonly=False,
        tracking=True,
        help="Entry into the establishment: the filing deadline runs from this date.",
    )
    deadline_extended = fields.Boolean(
        string="Deadline extended",
        tracking=True,
        help="The payer granted the 2-month extension of the filing deadline.",
    )
    date_filing_deadline = fields.Date(
        string="Filing deadline", compute="_compute_date_filing_deadline", store=True
    )
    date_filed = fields.Date(string="Filing date", tracking=True)
    date_decision = fields.Date(string="Decision date", tracking=True)
    date_effect = fields.Date(
        string="Date of effect",
        compute="_compute_date_effect",
        store=True,
        readonly=False,
        tracking=True,
        help="Computed from the filing date (entry day if filed in time, else the next fortnight); "
        "the date written in the decision prevails.",
    )
    date_end = fields.Date(string="End of rights", tracking=True)
    date_renewal_alert = fields.Date(string="Renewal alert", compute="_compute_date_renewal_alert", store=True)
    date_next_deadline = fields.Date(
        string="Next deadline",
        compute="_compute_date_next_deadline",
        store=True,
        index=True,
        help="Filing deadline while the file is to be filed, renewal alert once granted.",
    )
    deadline_status = fields.Selection(
        selection=[("overdue", "Overdue"), ("soon", "Due soon"), ("ok", "On time"), ("none", "No deadline")],
        compute="_compute_deadline_status",
        string="Deadline status",
    )
    contribution_mode = fields.Selection(
        selection=[
            ("net_billing", "Net billing"),
            ("income_collected", "Income collected by the establishment"),
            ("none", "No contribution"),
        ],
        required=True,
        default="net_billing",
        tracking=True,
    )
    contribution_monthly = fields.Monetary(
        string="Monthly contribution", currency_field="currency_id", tracking=True,
        help="Resident contribution decided by the payer, per month.",
    )
    alert_sent = fields.Boolean(
        string="Deadline alert scheduled",
        copy=False,
        help="The deadline alert of the current state was already scheduled.",
    )
    note = fields.Html()

    @api.depends("beneficiary_id.stay_ids.date_start", "beneficiary_id.stay_ids.establishment_id", "agreement_id")
    def _compute_date_entry(self):
        for decision in self:
            stays = decision.beneficiary_id.stay_ids
            establishment = decision.agreement_id.establishment_id
            if establishment:
                stays = stays.filtered(lambda s, establishment=establishment: s.establishment_id == establishment)
            decision.date_entry = min(stays.mapped("date_start"), default=False) or decision.date_entry

    @api.depends("date_entry", "deadline_extended")
    def _compute_date_filing_deadline(self):
        for decision in self:
            decision.date_filing_deadline = decision.date_entry and decision_rules.filing_deadline(
                decision.date_entry, extended=decision.deadline_extended
            )

    @api.depends("date_entry", "date_filed", "deadline_extended")
    def _compute_date_effect(self):
        for decision in self:
            if decision.date_effect and decision.state not in ("to_file", "filed"):
                # Decided: the date written in the decision prevails, a later correction of the entry or
                # filing date (or of the extension) must not move it.
                continue
            # Not decided yet: the date follows the filing (none while the request is not filed).
            decision.date_effect = (
                decision.date_entry
                and decision.date_filed
                and decision_rules.date_of_effect(
                    decision.date_entry, decision.date_filed, extended=decision.deadline_extended
                )
            )

    @api.depends("date_end", "company_id.essms_renewal_notice_months")
    def _compute_date_renewal_alert(self):
        for decision in self:
            decision.date_renewal_alert = decision_rules.renewal_alert_date(
                decision.date_end or None, decision.company_id.essms_renewal_notice_months
            )

    @api.depends("state", "date_filing_deadline", "date_renewal_alert")
    def _compute_date_next_deadline(self):
        for decision in self:
            if decision.state == "to_file":
                decision.date_next_deadline = decision.date_filing_deadline
            elif decision.state in GRANTED_STATES:
                decision.date_next_deadline = decision.date_renewal_alert
            else:
                decision.date_next_deadline = False

    @api.depends_context("date")
    @api.depends("date_next_deadline")
    def _compute_deadline_status(self):
        today = fields.Date.context_today(self)
        for decision in self:
            if not decision.date_next_deadline:
                decision.deadline_status = "none"
            elif decision.date_next_deadline < today:
                decision.deadline_status = "overdue"
            elif decision.date_next_deadline <= today + relativedelta(days=15):
                decision.deadline_status = "soon"
            else:
                decision.deadline_status = "ok"

    @api.depends("beneficiary_id", "payer_id", "reference")
    def _compute_display_name(self):
        for decision in self:
            decision.display_name = "%s – %s%s" % (
                decision.beneficiary_id.name or "",
                decision.payer_id.name or "",
                " (%s)" % decision.reference if decision.reference else "",
            )

    @api.constrains("state", "date_filed", "date_decision", "date_effect", "date_end", "contribution_monthly")
    def _check_dates(self):
        for decision in self:
            name = decision.display_name
            if decision.state != "to_file" and not decision.date_filed:
                raise ValidationError(
                    self.env._("Decision %(name)s: a filed request needs its Filing date.", name=name)
                )
            if decision.state in (*GRANTED_STATES, "refused", "appealed") and not decision.date_decision:
                raise ValidationError(
                    self.env._("Decision %(name)s: a decided request needs its Decision date.", name=name)
                )
            if decision.state in GRANTED_STATES and not decision.date_effect:
                raise ValidationError(
                    self.env._("Decision %(name)s: a granted decision needs its Date of effect.", name=name)
                )
            if decision.date_filed and decision.date_decision and decision.date_decision < decision.date_filed:
                raise ValidationError(
                    self.env._(
                        "Decision %(name)s: the Decision date %(decided)s is before the Filing date %(filed)s.",
                        name=name,
                        decided=format_date(self.env, decision.date_decision),
                        filed=format_date(self.env, decision.date_filed),
                    )
                )
            if decision.date_effect and decision.date_end and decision.date_end < decision.date_effect:
                raise ValidationError(
                    self.env._(
                        "Decision %(name)s: the End of rights %(end)s is before the Date of effect %(effect)s.",
                        name=name,
                        end=format_date(self.env, decision.date_end),
                        effect=format_date(self.env, decision.date_effect),
                    )
                )
            if decision.contribution_monthly < 0:
                raise ValidationError(
                    self.env._("Decision %(name)s: the Monthly contribution cannot be negative.", name=name)
                )

    def write(self, vals):
        if "state" in vals:
            vals = dict(vals, alert_sent=False)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_decided(self):
        for decision in self:
            if decision.state not in ("to_file", "filed"):
                raise ValidationError(
                    self.env._(
                        "Decision %(name)s is decided and cannot be deleted: billing relies on it.",
                        name=decision.display_name,
                    )
                )

    def action_create_recall_run(self):
        """Open a recall run of the months billed while this decision was pending (billing-rules §4)."""
        self.ensure_one()
        if self.state not in (*GRANTED_STATES, "refused"):
            raise UserError(
                self.env._(
                    "Decision %(name)s is not decided yet: a recall is billed once it is granted or refused.",
                    name=self.display_name,
                )
            )
        run = self.env["essms.billing.run"].create(self.env["essms.billing.run"]._prepare_recall_vals(self))
        return {
            "type": "ir.actions.act_window",
            "res_model": "essms.billing.run",
            "res_id": run.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    @api.model
    def _cron_deadline_alerts(self):
        """Schedule one activity per decision whose filing deadline or renewal alert is near."""
        today = fields.Date.context_today(self)
        decisions = self.search(
            [
                ("alert_sent", "=", False),
                ("state", "in", ("to_file", *GRANTED_STATES)),
                ("date_next_deadline", "<=", today + relativedelta(days=15)),
            ]
        )
        for decision in decisions:
            if decision.state == "to_file":
                summary = self.env._(
                    "File the social-aid request by %(date)s", date=format_date(self.env, decision.date_filing_deadline)
                )
            else:
                summary = self.env._(
                    "Ask for the renewal of the decision ending on %(date)s",
                    date=format_date(self.env, decision.date_end),
                )
            decision.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=decision.date_next_deadline,
                summary=summary,
                user_id=decision.write_uid.id or self.env.uid,
            )
        decisions.alert_sent = True
