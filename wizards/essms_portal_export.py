import base64
import re
import unicodedata
from collections import Counter

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError

from ..engine.dates import add_months
from ..engine.dates import month_end
from ..engine.days import classify_days
from ..engine.portal import SOURCES
from ..engine.portal import day_code

GRANTED_STATES = ("granted", "partially_granted")


def _slug(name):
    """A file name part: accents dropped, anything but letters and digits made an underscore."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "_", ascii_name).strip("_").lower()


def _previous_month(record):
    return add_months(fields.Date.context_today(record).replace(day=1), -1)


class EssmsPortalExport(models.TransientModel):
    """The month's file for a département's portal, from validated statements and the run's lines (§5)."""

    _name = "essms.portal.export"
    _description = "Département portal export"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    period_start = fields.Date(string="Month", required=True, default=lambda self: _previous_month(self),
                               help="Any day of the month to export.")
    payer_id = fields.Many2one(
        "res.partner", string="Département", required=True, check_company=True,
        domain="[('essms_payer_kind', '=', 'departement')]",
    )
    establishment_ids = fields.Many2many("essms.establishment", string="Establishments", required=True,
                                         check_company=True)
    layout_id = fields.Many2one(
        "essms.portal.layout", string="Layout", required=True, check_company=True,
        domain="['|', ('payer_id', '=', False), ('payer_id', '=', payer_id)]",
    )
    state = fields.Selection(selection=[("choose", "Choose"), ("done", "Done")], default="choose", required=True)
    file = fields.Binary(string="Exported file", readonly=True, attachment=False)
    file_name = fields.Char(readonly=True)
    row_count = fields.Integer(string="Beneficiaries exported", readonly=True)
    left_out = fields.Text(string="Left out", readonly=True)
    notes = fields.Text(readonly=True)

    @api.onchange("payer_id")
    def _onchange_payer_id(self):
        if self.payer_id and self.layout_id.payer_id and self.layout_id.payer_id != self.payer_id:
            self.layout_id = False
        if self.payer_id and not self.layout_id:
            self.layout_id = self.env["essms.portal.layout"].search(
                [("payer_id", "=", self.payer_id.id)], limit=1
            )

    def action_export(self):
        self.ensure_one()
        month = self.period_start.replace(day=1)
        statements = self._validated_statements(month)
        rows, left_out, left_count, notes = self._collect_rows(statements, month)
        data = self.layout_id._render(rows, month_end(month).day, month.strftime("%Y-%m"))
        file_name = "%s_%s.%s" % (
            _slug(self.layout_id.name),
            month.strftime("%Y-%m"),
            self.layout_id._extension(),
        )
        self._keep(statements, month, data, file_name, len(rows), left_count)
        self.write({
            "state": "done",
            "file": base64.b64encode(data),
            "file_name": file_name,
            "row_count": len(rows),
            "left_out": "\n".join(left_out) or False,
            "notes": "\n".join(notes) or False,
        })
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Département portal export: file ready"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def _validated_statements(self, month):
        statements = self.env["essms.activity.statement"].search(
            [("establishment_id", "in", self.establishment_ids.ids), ("period_start", "=", month)]
        )
        validated = statements.filtered(lambda statement: statement.state == "validated")
        missing = self.establishment_ids - validated.establishment_id
        if missing:
            raise UserError(
                self.env._(
                    "The activity statement of %(month)s is not validated for %(establishments)s: the portal file "
                    "is made from validated statements only.",
                    month=month.strftime("%m/%Y"),
                    establishments=", ".join(missing.sorted("name").mapped("name")),
                )
            )
        return validated

    def _collect_rows(self, statements, month):
        """Rows of the file (source → value), what was left out and why, how many beneficiaries that is, and
        notes; in a stable order. Beneficiaries of other payers are counted per payer, not listed: they belong
        to another département's file."""
        payer = self.payer_id
        lines = statements.line_ids
        lines.fetch([
            "statement_id", "stay_id", "beneficiary_id", "decision_id", "days_in_stay", "days_present",
            "absence_hospital", "absence_personal", "absence_holidays", "absence_family_weekend",
            "absence_other", "days_full_price", "days_reduced", "days_resident", "year_absence_days",
            "year_hospital_days", "quota_days", "day_codes",
        ])
        stays = lines.stay_id
        stays.fetch(["establishment_id", "accommodation", "date_start", "date_end", "end_reason"])
        lines.beneficiary_id.fetch(["name", "file_number", "birth_date", "birth_name"])
        lines.decision_id.fetch(["payer_id", "state", "reference"])
        billing = self._billing_by_stay(stays, month)
        codes = self._day_codes(lines, month) if self._needs_day_codes() else {}
        accommodations = dict(self.env["essms.stay"]._fields["accommodation"]._description_selection(self.env))
        rows, left_out, unbilled = [], [], []
        other_payers = Counter()

        def order(line):
            return (line.stay_id.establishment_id.code or "", line.beneficiary_id.name or "",
                    line.beneficiary_id.file_number or "", line.stay_id.id)

        for line in lines.sorted(order):
            beneficiary, stay, decision = line.beneficiary_id, line.stay_id, line.decision_id
            who = self.env._(
                "%(name)s (file %(file)s, %(establishment)s)",
                name=beneficiary.name, file=beneficiary.file_number, establishment=stay.establishment_id.name,
            )
            if not decision:
                left_out.append(self.env._("%(who)s: no funding decision covers the month.", who=who))
                continue
            if decision.payer_id != payer:
                other_payers[decision.payer_id.name] += 1
                continue
            if decision.state not in GRANTED_STATES:
                left_out.append(
                    self.env._(
                        "%(who)s: the funding decision is pending; the payer's share is to bill on decision.", who=who
                    )
                )
                continue
            billed = billing.get(stay.id)
            if billed is None:
                unbilled.append(who)
            rows.append(self._row(line, month, billed, codes.get(stay.id, ""), accommodations))
        left_count = len(left_out) + sum(other_payers.values())
        for name, count in sorted(other_payers.items()):
            left_out.append(
                self.env._("%(count)s beneficiaries funded by another payer, %(payer)s.", count=count, payer=name)
            )
        notes = []
        if unbilled:
            notes.append(
                self.env._(
                    "No billing run of the month has computed these beneficiaries yet, their amounts are empty: "
                    "%(names)s",
                    names="; ".join(unbilled),
                )
            )
        return rows, left_out, left_count, notes

    def _row(self, line, month, billed, codes, accommodations):
        stay, beneficiary, decision = line.stay_id, line.beneficiary_id, line.decision_id
        establishment = stay.establishment_id
        exit_in_month = stay.date_end and month <= stay.date_end <= month_end(month)
        row = {
            "payer_name": self.payer_id.name,
            "decision_reference": decision.reference or "",
            "file_number": beneficiary.file_number,
            "beneficiary_name": beneficiary.name,
            "birth_name": beneficiary.birth_name or "",
            "birth_date": beneficiary.birth_date or None,
            "finess": establishment.finess or "",
            "establishment_code": establishment.code,
            "establishment_name": establishment.name,
            "accommodation": accommodations.get(stay.accommodation, ""),
            "month": month,
            "date_entry": stay.date_start,
            "date_exit": stay.date_end or None,
            "comment": self._comment(stay) if exit_in_month else "",
            "days_in_stay": line.days_in_stay,
            "days_present": line.days_present,
            "absence_hospital": line.absence_hospital,
            "absence_personal": line.absence_personal,
            "absence_holidays": line.absence_holidays,
            "absence_family_weekend": line.absence_family_weekend,
            "absence_other": line.absence_other,
            "year_absence_days": line.year_absence_days,
            "year_hospital_days": line.year_hospital_days,
            "quota_days": line.quota_days,
            "days_full_price": line.days_full_price,
            "days_reduced": line.days_reduced,
            "days_resident": line.days_resident,
            "daily_codes": codes,
            "day_string": codes,
        }
        if billed:
            row.update(billed)
        return row

    def _comment(self, stay):
        day = stay.date_end.strftime(self.layout_id.date_format)
        if stay.end_reason == "death":
            return self.env._("Death on %(day)s", day=day)
        if stay.end_reason == "transfer":
            return self.env._("Transfer on %(day)s", day=day)
        return self.env._("Departure on %(day)s", day=day)

    def _billing_by_stay(self, stays, month):
        """{stay id: billed values} from the payer's lines of the month's regular runs, computed or invoiced:
        the sums of their stored detail rows (billing-rules §13), as the invoice and the nominative statement."""
        lines = self.env["essms.billing.line"].search_fetch(
            [
                ("stay_id", "in", stays.ids),
                ("period_start", "=", month),
                ("role", "=", "payer"),
                ("payer_id", "=", self.payer_id.id),
                ("run_id.kind", "=", "regular"),
                ("run_id.state", "in", ("computed", "invoiced")),
            ],
            ["stay_id", "amount", "detail_ids"],
        )
        lines.detail_ids.fetch(["kind", "base_kind", "quantity", "unit_price", "amount"])
        billed = {}
        for line in lines:
            totals = line._essms_billed_totals()
            values = billed.setdefault(
                line.stay_id.id,
                {"days_billed": 0.0, "unit_price": 0.0, "gross_amount": 0.0, "contribution_amount": 0.0,
                 "net_amount": 0.0},
            )
            values["days_billed"] += totals["days"]
            values["unit_price"] = max(values["unit_price"], totals["unit_price"])
            values["gross_amount"] += totals["gross"]
            values["contribution_amount"] += totals["contribution"]
            values["net_amount"] += totals["net"]
        return billed

    def _needs_day_codes(self):
        sources = self.layout_id.column_ids.mapped("source")
        return any(SOURCES[source] == "daily" or source == "day_string" for source in sources)

    def _day_codes(self, lines, month):
        """{stay id: one character per day of the month}, as the statement froze them when it was computed.

        Statements computed before the codes were kept have none: their days are classified again.
        """
        codes = {line.stay_id.id: line.day_codes for line in lines if line.day_codes}
        stays = lines.stay_id.filtered(lambda stay: stay.id not in codes)
        if not stays:
            return codes
        end = month_end(month)
        batch = self.env["essms.billing.input"]._load(stays, month, end)
        for stay_id, loaded in batch.stays.items():
            engine = loaded.engine
            days = classify_days(engine.stay, engine.absences, engine.policy, month, end, engine.counters,
                                 batch.holidays)
            codes[stay_id] = "".join(day_code(day) for day in days.days)
        return codes

    def _keep(self, statements, month, data, file_name, count, left_count):
        """The file as an attachment of the month's runs (or of the statements without a run), with a message."""
        runs = self.env["essms.billing.run"].search(
            [("kind", "=", "regular"), ("period_start", "=", month), ("state", "in", ("computed", "invoiced")),
             ("establishment_ids", "in", self.establishment_ids.ids)]
        )
        holders = runs or statements
        body = self.env._(
            "Portal file %(file)s exported for %(payer)s, %(month)s, with the layout %(layout)s: %(count)s "
            "beneficiaries, %(left)s left out.",
            file=file_name, payer=self.payer_id.name, month=month.strftime("%m/%Y"), layout=self.layout_id.name,
            count=count, left=left_count,
        )
        for holder in holders:
            attachment = self.env["ir.attachment"].create({
                "name": file_name,
                "raw": data,
                "mimetype": self.layout_id._mimetype(),
                "res_model": holder._name,
                "res_id": holder.id,
            })
            holder.message_post(body=body, attachment_ids=attachment.ids)
