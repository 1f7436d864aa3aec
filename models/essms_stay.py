from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError
from odoo.tools import SQL
from odoo.tools import format_date

ACCOMMODATIONS = [
    ("full_board", "Full board"),
    ("weekly_board", "Weekly boarding"),
    ("day_care", "Day care"),
    ("temporary", "Temporary stay"),
    # IME / ITEP (billing-rules §9): billed on the days attended, like day care, each at its own tariff.
    ("semi_boarding", "Semi-boarding (semi-internat)"),
    ("day_pupil", "Day attendance (externat)"),
]
# Accommodations that occupy a bed: two of them cannot overlap for one person.
RESIDENTIAL = ("full_board", "weekly_board", "temporary")


class EssmsStay(models.Model):
    _name = "essms.stay"
    _description = "Stay of a beneficiary in an establishment"
    _inherit = ["mail.thread"]
    _order = "date_start desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    beneficiary_id = fields.Many2one(
        "essms.beneficiary", required=True, ondelete="restrict", index=True, check_company=True, tracking=True
    )
    establishment_id = fields.Many2one(
        "essms.establishment", required=True, ondelete="restrict", index=True, tracking=True
    )
    company_id = fields.Many2one(related="establishment_id.company_id", store=True, index=True, precompute=True)
    accommodation = fields.Selection(
        string="Accommodation type",
        selection=ACCOMMODATIONS,
        required=True,
        default="full_board",
        tracking=True,
    )
    date_start = fields.Date(string="Entry date", required=True, tracking=True)
    date_end = fields.Date(string="Exit date", tracking=True)
    end_reason = fields.Selection(
        selection=[("departure", "Departure"), ("death", "Death"), ("transfer", "Transfer")],
        string="End reason",
        tracking=True,
    )
    date_room_cleared = fields.Date(
        string="Room cleared on",
        tracking=True,
        help="After a death in an EHPAD: the accommodation is billed until the room is cleared, 6 days at most "
        "(L314-10-1).",
    )
    absence_ids = fields.One2many("essms.absence", "stay_id", string="Absences")
    state = fields.Selection(
        selection=[("planned", "Planned"), ("current", "Current"), ("ended", "Ended")],
        compute="_compute_state",
        search="_search_state",
    )

    @api.depends("beneficiary_id.name", "establishment_id.code", "date_start")
    def _compute_name(self):
        for stay in self:
            stay.name = "%s – %s (%s)" % (
                stay.beneficiary_id.name or "",
                stay.establishment_id.code or "",
                format_date(self.env, stay.date_start),
            )

    @api.depends_context("date")
    @api.depends("date_start", "date_end")
    def _compute_state(self):
        today = fields.Date.context_today(self)
        for stay in self:
            if stay.date_start and stay.date_start > today:
                stay.state = "planned"
            elif stay.date_end and stay.date_end < today:
                stay.state = "ended"
            else:
                stay.state = "current"

    def _search_state(self, operator, value):
        if operator not in ("=", "in"):
            raise ValidationError(self.env._("Unsupported search on the stay state."))
        today = fields.Date.context_today(self)
        values = [value] if operator == "=" else value
        domains = {
            "planned": [("date_start", ">", today)],
            "current": [("date_start", "<=", today), "|", ("date_end", "=", False), ("date_end", ">=", today)],
            "ended": [("date_end", "<", today)],
        }
        result = []
        for val in values:
            result = ["|", *result, *domains[val]] if result else domains[val]
        return result

    @api.constrains("date_start", "date_end", "end_reason")
    def _check_dates(self):
        for stay in self:
            if stay.date_end and stay.date_end < stay.date_start:
                raise ValidationError(
                    self.env._(
                        "Stay of %(name)s: the Exit date %(end)s is before the Entry date %(start)s.",
                        name=stay.beneficiary_id.name,
                        end=format_date(self.env, stay.date_end),
                        start=format_date(self.env, stay.date_start),
                    )
                )
            if stay.end_reason and not stay.date_end:
                raise ValidationError(
                    self.env._(
                        "Stay of %(name)s: an End reason needs an Exit date.", name=stay.beneficiary_id.name
                    )
                )
        # Moving the entry or exit date must not leave recorded absences outside the stay.
        self.absence_ids._check_within_stay()

    @api.constrains("beneficiary_id", "accommodation", "date_start", "date_end")
    def _check_no_overlap(self):
        """Two residential stays of one person cannot overlap: a day would be billed twice.

        The exit day is the day of departure (not billed by default, billing-rules §3), so a stay may start
        on the exit day of the previous one: that is how a transfer is recorded. Any other shared day is an
        overlap, including a one-day stay inside another or two stays entering on the same day.
        """
        residential = self.filtered(lambda s: s.accommodation in RESIDENTIAL)
        if not residential:
            return
        self.flush_model(["beneficiary_id", "accommodation", "date_start", "date_end"])
        self.env.cr.execute(
            SQL(
                """
                SELECT a.id, b.id
                  FROM essms_stay a
                  JOIN essms_stay b
                    ON b.beneficiary_id = a.beneficiary_id
                   AND b.id != a.id
                   AND b.accommodation IN %(residential)s
                   AND (a.date_start = b.date_start
                        OR (a.date_start < COALESCE(b.date_end, 'infinity'::date)
                            AND b.date_start < COALESCE(a.date_end, 'infinity'::date)))
                 WHERE a.id IN %(ids)s
                   AND a.accommodation IN %(residential)s
                 LIMIT 1
                """,
                residential=RESIDENTIAL,
                ids=tuple(residential.ids),
            )
        )
        row = self.env.cr.fetchone()
        if row:
            stay, other = self.browse(row)
            raise ValidationError(
                self.env._(
                    "Stay of %(name)s at %(establishment)s from %(start)s overlaps the stay at "
                    "%(other_establishment)s from %(other_start)s to %(other_end)s: a person cannot have two "
                    "residential stays on the same day. Set the Exit date of the earlier stay on or before the "
                    "Entry date of the later one.",
                    name=stay.beneficiary_id.name,
                    establishment=stay.establishment_id.name,
                    start=format_date(self.env, stay.date_start),
                    other_establishment=other.establishment_id.name,
                    other_start=format_date(self.env, other.date_start),
                    other_end=format_date(self.env, other.date_end) or self.env._("no end"),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        stays = super().create(vals_list)
        self.env["essms.activity.statement"]._check_months_open(
            [(stay.establishment_id, stay.date_start, stay.date_end or None) for stay in stays]
        )
        return stays

    def write(self, vals):
        """Stay dates, place or accommodation inside a month whose statement is validated cannot change
        (billing-rules §13): the days changed are those between the old and the new dates."""
        whole = bool({"establishment_id", "accommodation", "beneficiary_id"} & set(vals))
        watched = whole or {"date_start", "date_end", "end_reason"} & set(vals)
        before = {
            stay: (stay.establishment_id, stay.date_start, stay.date_end, stay.end_reason) for stay in self
        } if watched else {}
        res = super().write(vals)
        spans = []
        for stay, (old_establishment, old_start, old_end, old_reason) in before.items():
            if whole:
                spans.append((old_establishment, old_start, old_end or None))
                spans.append((stay.establishment_id, stay.date_start, stay.date_end or None))
                continue
            if old_start != stay.date_start:
                spans.append((stay.establishment_id, min(old_start, stay.date_start), max(old_start, stay.date_start)))
            if old_end != stay.date_end or old_reason != stay.end_reason:
                ends = [day for day in (old_end, stay.date_end) if day]
                # From the earlier exit on; open-ended when one of them is: every later validated month.
                if ends:
                    spans.append((stay.establishment_id, min(ends), max(ends) if len(ends) == 2 else None))
        if spans:
            self.env["essms.activity.statement"]._check_months_open(spans)
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_with_absences(self):
        for stay in self:
            if stay.absence_ids:
                raise ValidationError(
                    self.env._(
                        "The stay %(name)s has recorded absences and cannot be deleted; set an exit date instead.",
                        name=stay.name,
                    )
                )

    def _get_absence_policy(self):
        """The absence policy that applies to the stay: the one of the agreement of its establishment
        with the payer of the beneficiary's current decision, else the establishment's first agreement."""
        self.ensure_one()
        agreements = self.establishment_id.agreement_ids.filtered("absence_policy_id")
        decision_payers = self.beneficiary_id.sudo().decision_ids.payer_id
        preferred = agreements.filtered(lambda a: a.payer_id in decision_payers)
        return (preferred or agreements)[:1].absence_policy_id
