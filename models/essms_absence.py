from datetime import datetime
from datetime import time

import pytz

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError
from odoo.tools import SQL
from odoo.tools import format_date


def local_datetime(value, tz):
    """A UTC datetime as stored, as the naive local datetime of the time zone ``tz``."""
    return pytz.utc.localize(value).astimezone(tz).replace(tzinfo=None)


class EssmsAbsence(models.Model):
    _name = "essms.absence"
    _description = "Absence of a beneficiary"
    _inherit = ["mail.thread"]
    _order = "date_start desc, id desc"
    _check_company_auto = True

    stay_id = fields.Many2one(
        "essms.stay", required=True, ondelete="restrict", index=True, tracking=True
    )
    beneficiary_id = fields.Many2one(related="stay_id.beneficiary_id", store=True, index=True)
    establishment_id = fields.Many2one(related="stay_id.establishment_id", store=True, index=True)
    company_id = fields.Many2one(related="stay_id.company_id", store=True, index=True)
    kind = fields.Selection(
        selection=[
            ("hospital", "Hospital stay"),
            ("personal", "Personal reasons"),
            ("holidays", "Holidays"),
            ("family_weekend", "Family weekend"),
            ("other", "Other"),
        ],
        required=True,
        default="personal",
        tracking=True,
    )
    date_start = fields.Datetime(string="Departure", required=True, tracking=True)
    date_end = fields.Datetime(string="Return", required=True, tracking=True)
    duration_hours = fields.Float(compute="_compute_duration", store=True, string="Duration (hours)")
    duration_days = fields.Integer(
        compute="_compute_duration", store=True, string="Days", help="Calendar days touched by the absence."
    )
    note = fields.Text()
    import_digest = fields.Char(
        copy=False, readonly=True, index="btree_not_null",
        help="The file this absence was imported from (activity import): the same file is not imported twice.",
    )

    @api.depends("date_start", "date_end")
    def _compute_duration(self):
        for absence in self:
            if absence.date_start and absence.date_end and absence.date_end >= absence.date_start:
                absence.duration_hours = (absence.date_end - absence.date_start).total_seconds() / 3600
                start, end = absence._local_dates()
                absence.duration_days = (end - start).days + 1
            else:
                absence.duration_hours = absence.duration_days = 0

    @api.depends("beneficiary_id", "kind", "date_start")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for absence in self:
            absence.display_name = "%s – %s" % (absence.beneficiary_id.name or "", kinds.get(absence.kind, ""))

    def _get_tz(self):
        return self._establishment_tz(self.establishment_id)

    @api.model
    def _establishment_tz(self, establishment):
        """The time zone the days of an establishment's absences are counted in."""
        return pytz.timezone(establishment.partner_id.tz or self.env.user.tz or "Europe/Paris")

    def _local_datetimes(self, tz=None):
        """Departure and return as naive local datetimes: days are counted in the establishment's time zone
        (``tz``, that of the absence's establishment, when the caller has it already)."""
        tz = tz or self._get_tz()
        return local_datetime(self.date_start, tz), local_datetime(self.date_end, tz)

    def _format_local(self, local_datetime):
        """A local datetime as the user reads it: the date in their language's format, then the time."""
        return "%s %s" % (format_date(self.env, local_datetime.date()), local_datetime.strftime("%H:%M"))

    def _local_dates(self):
        start, end = self._local_datetimes()
        return start.date(), end.date()

    def _days_within(self, date_from, date_to):
        """Calendar days of the absence that fall between two dates (inclusive)."""
        start, end = self._local_dates()
        start, end = max(start, date_from), min(end, date_to)
        return max((end - start).days + 1, 0)

    @api.constrains("stay_id", "date_start", "date_end")
    def _check_dates(self):
        for absence in self:
            if absence.date_end < absence.date_start:
                raise ValidationError(
                    self.env._(
                        "Absence of %(name)s: the Return %(end)s is before the Departure %(start)s.",
                        name=absence.beneficiary_id.name,
                        end=absence._format_local(absence._local_datetimes()[1]),
                        start=absence._format_local(absence._local_datetimes()[0]),
                    )
                )
        self._check_within_stay()
        self._check_no_overlap()

    def _check_within_stay(self):
        """Departure and return fall within the stay, in the establishment's local days; also called when
        the stay's dates change."""
        for absence in self:
            start, end = absence._local_dates()
            stay = absence.stay_id
            if start < stay.date_start or (stay.date_end and end > stay.date_end):
                raise ValidationError(
                    self.env._(
                        "Absence of %(name)s: the Departure %(start)s and the Return %(end)s must lie within the "
                        "stay at %(establishment)s (%(stay_start)s – %(stay_end)s).",
                        name=absence.beneficiary_id.name,
                        start=format_date(self.env, start),
                        end=format_date(self.env, end),
                        establishment=stay.establishment_id.name,
                        stay_start=format_date(self.env, stay.date_start),
                        stay_end=format_date(self.env, stay.date_end) or self.env._("no end"),
                    )
                )

    def _check_no_overlap(self):
        if not self:
            return
        self.flush_model(["beneficiary_id", "date_start", "date_end"])
        self.env.cr.execute(
            SQL(
                """
                SELECT a.id, b.id
                  FROM essms_absence a
                  JOIN essms_absence b
                    ON b.beneficiary_id = a.beneficiary_id
                   AND b.id != a.id
                   AND tsrange(a.date_start, a.date_end, '[)') && tsrange(b.date_start, b.date_end, '[)')
                 WHERE a.id IN %(ids)s
                 LIMIT 1
                """,
                ids=tuple(self.ids),
            )
        )
        row = self.env.cr.fetchone()
        if row:
            # The other absence may have been recorded by another establishment, which the user cannot
            # read: its dates are shown, never its kind nor its note.
            absence, other = self.browse(row[0]), self.sudo().browse(row[1])
            raise ValidationError(
                self.env._(
                    "Absence of %(name)s from %(start)s overlaps the absence from %(other_start)s to %(other_end)s: "
                    "a day of absence would be counted twice.",
                    name=absence.beneficiary_id.name,
                    start=absence._format_local(absence._local_datetimes()[0]),
                    other_start=other._format_local(other._local_datetimes()[0]),
                    other_end=other._format_local(other._local_datetimes()[1]),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        absences = super().create(vals_list)
        absences._check_statement_open()
        return absences

    @api.ondelete(at_uninstall=False)
    def _unlink_except_validated_month(self):
        self._check_statement_open()

    def _check_statement_open(self):
        """An absence inside a month whose activity statement is validated is refused (billing-rules §13)."""
        spans = []
        for absence in self:
            if absence.stay_id and absence.date_start and absence.date_end:
                start, end = absence._local_dates()
                spans.append((absence.stay_id.establishment_id, start, end))
        self.env["essms.activity.statement"]._check_months_open(spans)

    def write(self, vals):
        billed = {"stay_id", "kind", "date_start", "date_end"}
        if billed & set(vals):
            self._check_statement_open()
        res = super().write(vals)
        if billed & set(vals):
            self._check_statement_open()
        if "stay_id" in vals:
            # Record rules are checked on the records before a write: check them on the new stay too, so that
            # an establishment user cannot move an absence into an establishment they are not attached to.
            self.check_access("write")
        return res

    @api.model
    def _local_to_utc(self, local_dt, tz_name="Europe/Paris"):
        """Naive local datetime → naive UTC datetime, as stored by Odoo (used by imports and the demo)."""
        return pytz.timezone(tz_name).localize(local_dt).astimezone(pytz.utc).replace(tzinfo=None)

    @api.model
    def _day_bounds_utc(self, day_from, day_to, tz_name="Europe/Paris"):
        """Whole local days, `day_from` 00:00 to `day_to` 23:59:59, in UTC."""
        return (
            self._local_to_utc(datetime.combine(day_from, time.min), tz_name),
            self._local_to_utc(datetime.combine(day_to, time(23, 59, 59)), tz_name),
        )
