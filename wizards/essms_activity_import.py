import base64

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import format_date
from odoo.tools import format_datetime

from ..engine.activity_import import file_digest
from ..engine.activity_import import parse_activity
from ..engine.dates import month_end
from ..engine.remittance import normalize_header

ACTIONS = [("create", "To create"), ("change", "To change"), ("unchanged", "Already recorded"), ("refused", "Refused")]


def _name_key(name):
    """``"Garcia Léa"`` and ``"Léa GARCIA"`` are one person: the words of the name, without case or accent."""
    return " ".join(sorted(normalize_header(name).split()))


class EssmsActivityImport(models.TransientModel):
    """Import a month of presences and absences from the establishment's care-records software (issue 21).

    *Prévisualiser* reads the file (`engine/activity_import.py`), finds each person's stay and compares with the
    absences recorded: what will be created, changed, left as it is or refused, each with its row. Nothing is
    written until *Importer*, which reads the file again and writes it whole. The same file is refused a second
    time; a month whose statement is validated is refused. An establishment user imports only into their own
    establishments (record rules on the establishment, the stays and the absences)."""

    _name = "essms.activity.import"
    _description = "Activity import"

    establishment_id = fields.Many2one("essms.establishment", string="Establishment", required=True)
    period_start = fields.Date(
        string="Month", required=True,
        default=lambda self: fields.Date.context_today(self).replace(day=1),
        help="Any day of the month: the file's absences must fall in that month.",
    )
    file = fields.Binary(string="File", required=True, attachment=False)
    filename = fields.Char()
    state = fields.Selection([("draft", "To read"), ("preview", "Preview"), ("done", "Imported")], default="draft")
    line_ids = fields.One2many("essms.activity.import.line", "import_id", string="Preview", readonly=True)
    file_messages = fields.Text(string="File problems", readonly=True)
    read_as = fields.Char(string="Read as", readonly=True)
    count_create = fields.Integer(string="To create", readonly=True)
    count_change = fields.Integer(string="To change", readonly=True)
    count_unchanged = fields.Integer(string="Already recorded", readonly=True)
    count_refused = fields.Integer(string="Refused", readonly=True)
    can_import = fields.Boolean(readonly=True)

    def _month(self):
        start = self.period_start.replace(day=1)
        return start, month_end(start)

    def _render(self, message):
        return self.env["essms.billing.input"]._render(message)

    def _check_importable(self, content):
        """The whole import is refused when the user may not write into the establishment, the month is
        validated, or this very file was imported already."""
        self.ensure_one()
        establishment = self.establishment_id
        establishment.check_access("read")
        self.env["essms.absence"].check_access("create")
        month_start, __ = self._month()
        validated = self.env["essms.activity.statement"].search(
            [("establishment_id", "=", establishment.id), ("period_start", "=", month_start),
             ("state", "=", "validated")], limit=1,
        )
        if validated:
            raise UserError(self.env._(
                "The activity statement of %(establishment)s for %(month)s is validated: its absences cannot change. "
                "Ask the billing operator to reopen it before importing.",
                establishment=establishment.display_name, month=format_date(self.env, month_start, date_format="MM/y"),
            ))
        earlier = self.env["essms.absence"].sudo().search(
            [("import_digest", "=", file_digest(content))], limit=1
        )
        if earlier:
            raise UserError(self.env._(
                "This file was already imported on %(date)s by %(user)s (%(establishment)s): it is not imported twice.",
                date=format_datetime(self.env, earlier.create_date), user=earlier.create_uid.name,
                establishment=earlier.establishment_id.display_name,
            ))

    def _plan(self):
        """The preview: one dict per line of the file (created, changed, unchanged or refused), and the file's
        problems. Reads the stays and absences of the establishment in two searches."""
        self.ensure_one()
        content = base64.b64decode(self.file or b"")
        self._check_importable(content)
        month_start, month_last = self._month()
        parsed = parse_activity(content, month_start)
        Absence = self.env["essms.absence"]
        tz_name = self.establishment_id.partner_id.tz or self.env.user.tz or "Europe/Paris"
        stays = self.env["essms.stay"].search([
            ("establishment_id", "=", self.establishment_id.id), ("date_start", "<=", month_last),
            "|", ("date_end", "=", False), ("date_end", ">=", month_start),
        ])
        by_number, by_name = {}, {}
        for stay in stays:
            beneficiary = stay.beneficiary_id
            if beneficiary.file_number:
                by_number.setdefault(beneficiary.file_number.strip().upper(), []).append(stay)
            by_name.setdefault((_name_key(beneficiary.name or ""), beneficiary.birth_date), []).append(stay)
        month_from, month_to = Absence._day_bounds_utc(month_start, month_last, tz_name)
        existing = Absence.search([
            ("stay_id", "in", stays.ids), ("date_start", "<=", month_to), ("date_end", ">=", month_from),
        ])
        recorded_by_stay = {}
        for recorded in existing:
            recorded_by_stay.setdefault(recorded.stay_id.id, []).append(recorded)
        file_messages = [self._render(issue.message) for issue in parsed.issues if not issue.row]
        row_messages = {}
        for issue in parsed.issues:
            if issue.row:
                row_messages.setdefault(issue.row, []).append(self._render(issue.message))
        lines = []
        for row in sorted(parsed.refused_rows):
            lines.append({"row": row, "action": "refused", "message": "\n".join(row_messages.get(row, []))})
        for absence in parsed.absences:
            person = absence.file_number or "%s (%s)" % (absence.name, absence.birth_date or "")
            candidates = (by_number.get(absence.file_number.strip().upper()) if absence.file_number
                          else by_name.get((_name_key(absence.name), absence.birth_date))) or []
            if absence.whole_days:
                start, end = Absence._day_bounds_utc(absence.start.date(), absence.end.date(), tz_name)
            else:
                start, end = Absence._local_to_utc(absence.start, tz_name), Absence._local_to_utc(absence.end, tz_name)
            values = {"row": absence.row, "person": person, "kind": absence.kind, "date_start": start,
                      "date_end": end}
            notes = row_messages.get(absence.row, [])
            stay = next((stay for stay in candidates if stay.date_start <= absence.start.date()
                         and (not stay.date_end or stay.date_end >= absence.end.date())), None)
            if not stay:
                notes = [*notes, self.env._(
                    "Row %(row)s: %(person)s has no stay in %(establishment)s covering these days.",
                    row=absence.row, person=person, establishment=self.establishment_id.display_name,
                )]
                lines.append({**values, "action": "refused", "message": "\n".join(notes)})
                continue
            values.update(stay_id=stay.id, beneficiary_id=stay.beneficiary_id.id)
            overlapping = Absence.browse([
                recorded.id for recorded in recorded_by_stay.get(stay.id, [])
                if recorded.date_start <= end and recorded.date_end >= start
            ])
            if len(overlapping) == 1 and (overlapping.kind, overlapping.date_start, overlapping.date_end) == (
                absence.kind, start, end
            ):
                lines.append({**values, "action": "unchanged", "absence_id": overlapping.id,
                              "message": "\n".join(notes)})
            elif len(overlapping) == 1 and overlapping.kind == absence.kind:
                notes = [*notes, self.env._("Row %(row)s changes the dates of the absence recorded.", row=absence.row)]
                lines.append({**values, "action": "change", "absence_id": overlapping.id, "message": "\n".join(notes)})
            elif overlapping:
                notes = [*notes, self.env._(
                    "Row %(row)s overlaps an absence recorded of another kind (%(absence)s): correct it by hand.",
                    row=absence.row, absence=", ".join(overlapping.mapped("display_name")),
                )]
                lines.append({**values, "action": "refused", "message": "\n".join(notes)})
            else:
                lines.append({**values, "action": "create", "message": "\n".join(notes)})
        lines.sort(key=lambda line: line["row"])
        read_as = parsed.encoding + (" « %s »" % parsed.separator if parsed.separator else "")
        return lines, file_messages, parsed.blocking and not parsed.absences, content, read_as

    def action_preview(self):
        self.ensure_one()
        lines, file_messages, blocked, __, read_as = self._plan()
        kinds = dict(self.env["essms.absence"]._fields["kind"]._description_selection(self.env))
        counts = {action: sum(1 for line in lines if line["action"] == action) for action, __ in ACTIONS}
        self.line_ids.unlink()
        self.write({
            "line_ids": [
                fields.Command.create({
                    **{name: value for name, value in line.items() if name != "kind"},
                    "kind_label": kinds.get(line.get("kind"), ""),
                })
                for line in lines
            ],
            "file_messages": "\n".join(file_messages) or False,
            "read_as": read_as,
            "state": "preview",
            "count_create": counts["create"], "count_change": counts["change"],
            "count_unchanged": counts["unchanged"], "count_refused": counts["refused"],
            "can_import": not blocked and bool(counts["create"] or counts["change"]),
        })
        return self._reopen()

    def action_import(self):
        """Write what the preview showed, read again from the file (never from a stale preview): all or nothing."""
        self.ensure_one()
        lines, __, blocked, content, __ = self._plan()
        if blocked or not any(line["action"] in ("create", "change") for line in lines):
            raise UserError(self.env._("Nothing to import: read the preview's refusals and correct the file."))
        digest = file_digest(content)
        Absence = self.env["essms.absence"]
        Absence.create([
            {"stay_id": line["stay_id"], "kind": line["kind"], "date_start": line["date_start"],
             "date_end": line["date_end"], "import_digest": digest,
             "note": self.env._("Imported from %(file)s, row %(row)s.", file=self.filename or "", row=line["row"])}
            for line in lines if line["action"] == "create"
        ])
        for line in lines:
            if line["action"] == "change":
                Absence.browse(line["absence_id"]).write(
                    {"date_start": line["date_start"], "date_end": line["date_end"], "import_digest": digest}
                )
        self.state = "done"
        statement = self.env["essms.activity.statement"].search(
            [("establishment_id", "=", self.establishment_id.id), ("period_start", "=", self._month()[0])], limit=1
        )
        if statement and statement.state == "draft":
            statement.action_refresh()
        if statement:
            return {"type": "ir.actions.act_window", "res_model": statement._name, "res_id": statement.id,
                    "view_mode": "form", "views": [(False, "form")], "target": "current"}
        return {"type": "ir.actions.act_window_close"}

    def _reopen(self):
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id, "view_mode": "form",
                "views": [(False, "form")], "target": "new", "name": self.env._("Activity import")}

    @api.onchange("file")
    def _onchange_file(self):
        self.state = "draft"


class EssmsActivityImportLine(models.TransientModel):
    _name = "essms.activity.import.line"
    _description = "Activity import: a line of the preview"
    _order = "row, id"

    import_id = fields.Many2one("essms.activity.import", required=True, ondelete="cascade", index=True)
    row = fields.Integer(readonly=True)
    person = fields.Char(readonly=True)
    beneficiary_id = fields.Many2one("essms.beneficiary", string="Beneficiary", readonly=True)
    stay_id = fields.Many2one("essms.stay", readonly=True)
    kind_label = fields.Char(string="Kind", readonly=True)
    date_start = fields.Datetime(string="Departure", readonly=True)
    date_end = fields.Datetime(string="Return", readonly=True)
    action = fields.Selection(selection=ACTIONS, string="Result", readonly=True)
    absence_id = fields.Many2one("essms.absence", string="Absence recorded", readonly=True)
    message = fields.Text(string="Notes", readonly=True)
