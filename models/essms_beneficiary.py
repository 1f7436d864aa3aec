from datetime import date
from datetime import datetime
from datetime import time

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError
from odoo.tools import format_date

from ..engine import addressee
from .essms_funding_decision import DECISION_STATES


class EssmsBeneficiary(models.Model):
    _name = "essms.beneficiary"
    _description = "Beneficiary (resident file)"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "name"
    _check_company_auto = True
    _rec_names_search = ["name", "file_number", "birth_name"]

    partner_id = fields.Many2one(
        "res.partner",
        string="Billed person",
        required=True,
        ondelete="restrict",
        index=True,
        check_company=True,
        tracking=True,
        help="The contact the resident's invoices are made out to.",
    )
    name = fields.Char(related="partner_id.name", store=True, readonly=True)
    file_number = fields.Char(string="File number", required=True, tracking=True, copy=False)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    birth_date = fields.Date(tracking=True)
    birth_name = fields.Char(tracking=True)
    legal_protection = fields.Selection(
        selection=[
            ("none", "None"),
            ("tutelle", "Tutelle"),
            ("curatelle", "Curatelle"),
            ("habilitation_familiale", "Habilitation familiale"),
            ("sauvegarde", "Sauvegarde de justice"),
        ],
        required=True,
        default="none",
        tracking=True,
    )
    protector_id = fields.Many2one(
        "res.partner",
        string="Guardian",
        check_company=True,
        tracking=True,
        help="The guardian (mandataire judiciaire, family member) who represents or assists the person.",
    )
    protector_required = fields.Boolean(
        compute="_compute_protector_required",
        string="Guardian required",
        help="The measure decides whom the mail goes to (engine/addressee.py): the guardian must be recorded.",
    )
    protection_reference = fields.Char(
        string="Measure reference", tracking=True, help="Reference of the court decision of the protection measure."
    )
    stay_ids = fields.One2many("essms.stay", "beneficiary_id", string="Stays")
    decision_ids = fields.One2many("essms.funding.decision", "beneficiary_id", string="Funding decisions")
    absence_ids = fields.One2many("essms.absence", "beneficiary_id", string="Absences")
    current_stay_id = fields.Many2one("essms.stay", compute="_compute_current_stay", string="Current stay")
    current_establishment_id = fields.Many2one(
        "essms.establishment", compute="_compute_current_stay", string="Current establishment"
    )
    current_decision_id = fields.Many2one(
        "essms.funding.decision",
        compute="_compute_current_decision",
        string="Current decision",
        groups="essms_billing.group_essms_operator",
    )
    current_decision_state = fields.Selection(
        selection=DECISION_STATES,
        compute="_compute_current_decision",
        string="Decision state",
        groups="essms_billing.group_essms_operator",
    )
    absence_days_year = fields.Float(
        compute="_compute_absence_counters",
        string="Absence days this year",
        help="Calendar days of absence in the current civil year, all kinds, across establishments.",
    )
    hospital_days_year = fields.Float(
        compute="_compute_absence_counters",
        string="Hospital days this year",
        groups="essms_billing.group_essms_operator",
    )
    other_absence_days_year = fields.Float(
        compute="_compute_absence_counters",
        string="Other absence days this year",
        groups="essms_billing.group_essms_operator",
    )
    absence_quota_days = fields.Integer(
        compute="_compute_absence_counters",
        string="Yearly quota",
        help="Quota of absence days per civil year of the payer's absence policy (0: no quota).",
    )
    active = fields.Boolean(default=True, tracking=True)

    _sql_constraints = [
        (
            "file_number_company_uniq",
            "unique(file_number, company_id) DEFERRABLE INITIALLY DEFERRED",
            "A file number must be unique within a company.",
        ),
    ]

    @api.depends("stay_ids.date_start", "stay_ids.date_end")
    @api.depends_context("date", "uid")
    def _compute_current_stay(self):
        """Today's stay among the stays the user may read: the staff of an establishment a resident left do
        not learn where they live now. Depends on the user, so that a value computed as superuser (for the
        quota) is never shown to an establishment user."""
        current = self._get_current_stays()
        for beneficiary in self:
            stay = current.get(beneficiary._origin.id, self.env["essms.stay"])
            beneficiary.current_stay_id = stay
            beneficiary.current_establishment_id = stay.establishment_id

    def _get_current_stays(self):
        """{beneficiary id: today's stay} among the stays the environment's user may read, in one search.

        Never read through `stay_ids`: that field's cache is shared by all users of the transaction, and may
        hold the stays the superuser read (evaluating a record rule, computing a quota) or only those an
        establishment user may read. The latest entry wins when two stays are current (day care beside
        full board).
        """
        today = fields.Date.context_today(self)
        stays = self.env["essms.stay"].search_fetch(
            [
                ("beneficiary_id", "in", self._origin.ids),
                ("date_start", "<=", today),
                "|",
                ("date_end", "=", False),
                ("date_end", ">=", today),
            ],
            ["beneficiary_id", "establishment_id", "date_start"],
            order="date_start desc, id desc",
        )
        current = {}
        for stay in stays:
            current.setdefault(stay.beneficiary_id.id, stay)
        return current

    @api.depends("decision_ids.state", "decision_ids.date_effect", "decision_ids.date_end")
    def _compute_current_decision(self):
        today = fields.Date.context_today(self)
        for beneficiary in self:
            decisions = beneficiary.decision_ids.sorted(
                lambda d: d.date_effect or d.date_filed or date.min, reverse=True
            )
            in_force = decisions.filtered(
                lambda d: d.state in ("granted", "partially_granted")
                and (not d.date_effect or d.date_effect <= today)
                and (not d.date_end or d.date_end >= today)
            )
            current = (in_force or decisions)[:1]
            beneficiary.current_decision_id = current
            beneficiary.current_decision_state = current.state

    def _compute_absence_counters(self):
        """Yearly absence counters of the current civil year, from one search over the whole batch.

        Computed as superuser because establishment users must see the days of absence of their residents
        spent while they were elsewhere, though not the kind nor the detail (billing-rules §3 quotas count
        across establishments).
        """
        today = fields.Date.context_today(self)
        year_start = datetime.combine(date(today.year, 1, 1), time.min)
        year_end = datetime.combine(date(today.year, 12, 31), time.max)
        absences = (
            self.env["essms.absence"]
            .sudo()
            .search_fetch(
                [
                    ("beneficiary_id", "in", self._origin.ids),
                    ("date_start", "<=", year_end),
                    ("date_end", ">=", year_start),
                ],
                ["beneficiary_id", "kind", "date_start", "date_end"],
            )
        )
        totals = {}
        for absence in absences:
            days = absence._days_within(year_start.date(), year_end.date())
            hospital, other = totals.get(absence.beneficiary_id.id, (0.0, 0.0))
            if absence.kind == "hospital":
                hospital += days
            else:
                other += days
            totals[absence.beneficiary_id.id] = (hospital, other)
        current_stays = self.sudo()._get_current_stays()
        for beneficiary in self:
            hospital, other = totals.get(beneficiary._origin.id, (0.0, 0.0))
            beneficiary.absence_days_year = hospital + other
            # Always assigned: the fields' groups keep them from establishment users, while code running as
            # superuser on their behalf still gets a value.
            beneficiary.hospital_days_year = hospital
            beneficiary.other_absence_days_year = other
            # No current stay (not yet entered, or gone): no policy applies, hence no quota.
            stay = current_stays.get(beneficiary._origin.id)
            beneficiary.absence_quota_days = stay._get_absence_policy().quota_days if stay else 0

    @api.constrains("file_number", "company_id")
    def _check_file_number_unique(self):
        """One file per number and company, archived files included. Checked here so that the message names
        both files; the deferred SQL constraint still guarantees it at commit against concurrent creations."""
        groups = (
            self.with_context(active_test=False)
            .sudo()
            ._read_group(
                [("file_number", "in", self.mapped("file_number")), ("company_id", "in", self.company_id.ids)],
                ["file_number", "company_id"],
                ["id:recordset"],
            )
        )
        for file_number, company, beneficiaries in groups:
            if len(beneficiaries) > 1:
                beneficiary = (beneficiaries & self)[:1] or beneficiaries[-1:]
                other = (beneficiaries - beneficiary)[:1]
                raise ValidationError(
                    self.env._(
                        "Beneficiary %(name)s: the File number %(number)s is already used by %(other)s in "
                        "%(company)s; file numbers are unique within a company.",
                        name=beneficiary.name,
                        number=file_number,
                        other=other.name,
                        company=company.name,
                    )
                )

    @api.depends("legal_protection")
    def _compute_protector_required(self):
        for beneficiary in self:
            beneficiary.protector_required = addressee.protector_required(beneficiary.legal_protection)

    @api.constrains("protector_id", "legal_protection")
    def _check_protector(self):
        """A measure that decides whom the mail goes to needs its protector (engine/addressee.py); the message
        says what the engine does with it."""
        measures = dict(self._fields["legal_protection"]._description_selection(self.env))
        for beneficiary in self:
            protection = beneficiary.legal_protection
            if not addressee.protector_required(protection) or beneficiary.protector_id:
                continue
            if protection in addressee.ASSISTED:
                message = self.env._(
                    "Beneficiary %(name)s is under %(measure)s: the Guardian field is required; invoices, reminders "
                    "and notices are addressed to the person, with a copy to the curator.",
                    name=beneficiary.name, measure=measures[protection],
                )
            else:
                message = self.env._(
                    "Beneficiary %(name)s is under %(measure)s: the Guardian field is required; invoices, reminders "
                    "and notices are addressed to the guardian, who represents the person.",
                    name=beneficiary.name, measure=measures[protection],
                )
            raise ValidationError(message)

    @api.constrains("birth_date")
    def _check_birth_date(self):
        today = fields.Date.context_today(self)
        for beneficiary in self:
            if beneficiary.birth_date and beneficiary.birth_date > today:
                raise ValidationError(
                    self.env._(
                        "Beneficiary %(name)s: the birth date %(date)s is in the future.",
                        name=beneficiary.name,
                        date=format_date(self.env, beneficiary.birth_date),
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_with_history(self):
        for beneficiary in self:
            if beneficiary.with_context(active_test=False).stay_ids or beneficiary.decision_ids:
                raise ValidationError(
                    self.env._(
                        "The beneficiary %(name)s has stays or funding decisions and cannot be deleted; "
                        "archive the file instead.",
                        name=beneficiary.name,
                    )
                )
