from openpyxl.utils import get_column_letter

from odoo import api
from odoo import models
from odoo.tools import SQL
from odoo.tools import format_date

from ..engine.exports import SafeWorkbook
from ..models.essms_receivable_ageing import BUCKETS
from ..models.essms_recovery_claim import CLAIM_DATE_KEY
from . import public_wording
from .essms_receivable_ageing_xlsx import DOCUMENT_BATCH
from .essms_receivable_ageing_xlsx import EXCEL_EPOCH
from .essms_receivable_ageing_xlsx import _start_rows
from .essms_receivable_ageing_xlsx import _XmlRows
from .essms_receivable_ageing_xlsx import workbook_content
from .xlsx_styles import BOLD
from .xlsx_styles import COUNT_FORMAT
from .xlsx_styles import DATE_FORMAT
from .xlsx_styles import EURO_FORMAT
from .xlsx_styles import HEADER_ROW
from .xlsx_styles import ONE_DECIMAL_FORMAT
from .xlsx_styles import SHARE_FORMAT
from .xlsx_styles import TOTAL_BORDER
from .xlsx_styles import TOTAL_FILL


class EssmsRecoveryDashboardXlsx(models.AbstractModel):
    """The recovery dashboard as a workbook: a summary sheet, then one sheet per section (outstanding by age,
    DSO, stages, reminders, promises, holds, write-offs, prescription), each with its header frozen, filters and
    a total row. It writes the figures the dashboard shows (`essms.recovery.dashboard._figures`), with the cell
    helpers of the due-date tracking sheet (openpyxl write-only mode)."""

    _name = "essms.recovery.dashboard.xlsx"
    _description = "Recovery dashboard workbook"

    @api.model
    def _render(self, dashboard, figures):
        self = public_wording.with_public_wording(self, dashboard.company_id)  # pylint: disable=self-cls-assignment
        word = public_wording.words(self.env)
        helper = self.env["essms.receivable.ageing.xlsx"]
        title = self.env._("Recovery dashboard – %(company)s", company=dashboard.company_id.name) \
            if not public_wording.is_public(self.env) \
            else self.env._("Titres remaining to recover – %(company)s", company=dashboard.company_id.name)
        scope = self.env._("From %(start)s to %(end)s", start=format_date(self.env, dashboard.date_from),
                  end=format_date(self.env, dashboard.date_to))
        if dashboard.establishment_ids:
            names = ", ".join(dashboard.establishment_ids.mapped("name"))
            scope += " – " + self.env._("Establishments: %(names)s", names=names)
        workbook = SafeWorkbook(write_only=True)
        used = set()

        def sheet(name, headers, widths):
            work = workbook.create_sheet(helper._sheet_name(name, used))
            helper._setup_sheet(work, widths)
            helper._write_heading(work, title, scope, headers)
            return work

        def cell(work, value, number_format=None, font=None):
            return helper._cell(work, value, number_format=number_format, font=font)

        def table(name, headers, widths, rows, formats, total=None):
            """A section's sheet: ``rows`` of values, ``formats`` per column, then a total row (or none)."""
            work = sheet(name, headers, widths)
            for row in rows:
                work.append([cell(work, value, number_format) for value, number_format in zip(row, formats,
                                                                                              strict=True)])
            if total is not None:
                cells = helper._total_cells(work, total[0], [])
                for value, number_format in zip(total[1:], formats[1:], strict=True):
                    cells.append(helper._cell(work, value, number_format=number_format, font=BOLD,
                                              fill=TOTAL_FILL, border=TOTAL_BORDER))
                work.append(cells)
            work.auto_filter.ref = "A%d:%s%d" % (HEADER_ROW, get_column_letter(len(headers)),
                                                 HEADER_ROW + max(len(rows), 1))
            return work

        billing = figures["billing"]
        plans = figures["plans"]
        prescription = figures["prescription"]
        summary = [
            (word(self.env._("Invoices of the period")), billing["count"], COUNT_FORMAT),
            (word(self.env._("Billed")), billing["billed"], EURO_FORMAT),
            (word(self.env._("Credit notes matched")), billing["credited"], EURO_FORMAT),
            (self.env._("Collected"), billing["collected"], EURO_FORMAT),
            (self.env._("Recovery rate"), billing["rate"], SHARE_FORMAT),
            (word(self.env._("Outstanding on the end date")), figures["outstanding_total"]["total"], EURO_FORMAT),
            (self.env._("DSO (days)"), figures["dso_total"]["dso"], ONE_DECIMAL_FORMAT),
            (self.env._("Written off in the period"), figures["written_off_total"]["amount"], EURO_FORMAT),
            (self.env._("Extinct in the period"), figures["extinct_total"]["amount"], EURO_FORMAT),
            (self.env._("Active payment plans"), plans["count"], COUNT_FORMAT),
            (self.env._("Signed under plan"), plans["signed"], EURO_FORMAT),
            (self.env._("Still due under plan"), plans["residual"], EURO_FORMAT),
            *((self.env._("%(state)s: claims", state=row["label"]), row["count"], COUNT_FORMAT)
              for row in prescription.values()),
            *((self.env._("%(state)s: amount", state=row["label"]), row["amount"], EURO_FORMAT)
              for row in prescription.values()),
        ]
        work = sheet(self.env._("Summary"), [self.env._("Figure"), self.env._("Value")], [40, 18])
        for label, value, number_format in summary:
            work.append([cell(work, label), cell(work, value, number_format)])
        work.auto_filter.ref = "A%d:B%d" % (HEADER_ROW, HEADER_ROW + len(summary))

        bucket_labels = dict(self.env["essms.receivable.ageing"]._fields["bucket"]._description_selection(self.env))
        buckets = [bucket for bucket, _label in BUCKETS]
        table(
            word(self.env._("Outstanding")),
            [word(self.env._("Payer kind")), *(bucket_labels[b] for b in buckets), self.env._("Total")],
            [28] + [15] * (len(buckets) + 1),
            [(row["label"], *(row["buckets"][b] for b in buckets), row["total"]) for row in figures["outstanding"]],
            [None] + [EURO_FORMAT] * (len(buckets) + 1),
            (self.env._("Total"), *(figures["outstanding_total"]["buckets"][b] for b in buckets),
             figures["outstanding_total"]["total"]),
        )
        dso_total = figures["dso_total"]
        table(
            self.env._("DSO"),
            [word(self.env._("Payer kind")), word(self.env._("Billed (net of credit notes)")),
             word(self.env._("Outstanding")), self.env._("DSO (days)")],
            [28, 18, 18, 12],
            [(row["label"], row["billed"], row["outstanding"], row["dso"]) for row in figures["dso"]],
            [None, EURO_FORMAT, EURO_FORMAT, ONE_DECIMAL_FORMAT],
            (self.env._("Total"), dso_total["billed"], dso_total["outstanding"], dso_total["dso"]),
        )
        table(
            self.env._("Stages"), [self.env._("Stage"), word(self.env._("Claims")), word(self.env._("Outstanding"))],
            [30, 12, 18],
            [(row["label"], row["count"], row["amount"]) for row in figures["stages"]],
            [None, COUNT_FORMAT, EURO_FORMAT],
            (self.env._("Total"), figures["stages_total"]["count"], figures["stages_total"]["amount"]),
        )
        reminders = figures["reminders"]
        sent = sum(row["letters"] for row in reminders)
        paid = sum(row["letters_paid"] for row in reminders)
        due = sum(row["amount_due"] for row in reminders)
        recovered = sum(row["amount_paid"] for row in reminders)
        table(
            self.env._("Reminders"),
            [self.env._("Level"), self.env._("Letters sent"),
             self.env._("Paid within %(days)s days", days=dashboard.reminder_days), self.env._("Share"),
             self.env._("Amount reminded"), self.env._("Paid within the delay"), self.env._("Share of the amount")],
            [30, 12, 14, 10, 18, 18, 12],
            [(row["level"], row["letters"], row["letters_paid"], row["share"], row["amount_due"], row["amount_paid"],
              row["amount_share"]) for row in reminders],
            [None, COUNT_FORMAT, COUNT_FORMAT, SHARE_FORMAT, EURO_FORMAT, EURO_FORMAT, SHARE_FORMAT],
            (self.env._("Total"), sent, paid, paid / sent if sent else 0.0, dashboard.currency_id.round(due),
             dashboard.currency_id.round(recovered), recovered / due if due else 0.0),
        )
        for name, rows, first in (
            (self.env._("Promises"), figures["promises"], self.env._("Outcome")),
            (self.env._("Holds"), figures["holds"], self.env._("Reason")),
            (self.env._("Written off"), figures["written_off"], word(self.env._("Payer kind"))),
            (self.env._("Extinct"), figures["extinct"], word(self.env._("Payer kind"))),
            (self.env._("Prescription"), list(prescription.values()), self.env._("Prescription")),
        ):
            table(
                name, [first, word(self.env._("Claims")), self.env._("Amount")], [30, 12, 18],
                [(row["label"], row["count"], row["amount"]) for row in rows],
                [None, COUNT_FORMAT, EURO_FORMAT],
                (self.env._("Total"), sum(row["count"] for row in rows),
                 dashboard.currency_id.round(sum(row["amount"] for row in rows))),
            )
        self._write_prescription_detail(workbook, helper, dashboard, title, used)
        return workbook_content(workbook)

    @api.model
    def _write_prescription_detail(self, workbook, helper, dashboard, title, used):
        """The claims time-barred or becoming so within 6 months, one row each, to act on them.

        One query on `essms.recovery.claim` as of the end date (its `_search`: the access rules of the analysis
        apply), read through a server-side cursor and written as the due-date tracking sheet writes its documents
        (`_XmlRows`): a hundred thousand claims are never records nor openpyxl cells."""
        word = public_wording.words(self.env)
        claims = self.env["essms.recovery.claim"].with_context(**{CLAIM_DATE_KEY: dashboard.date_to})
        claims.browse().check_access("read")
        query = claims._search([*dashboard._scope(), ("amount_residual", ">", 0),
                                ("prescription_state", "in", ("barred", "within_3", "within_6"))])

        def column(name):
            return claims._field_to_sql(query.table, name, query)

        partner = query.left_join(query.table, "partner_id", "res_partner", "id", "partner")
        establishment = query.left_join(query.table, "establishment_id", "essms_establishment", "id",
                                        "establishment")
        query.order = SQL("%s, %s", column("prescription_date"), column("move_id"))
        select = query.select(
            column("move_name"),
            self.env["res.partner"]._field_to_sql(partner, "name", query),
            self.env["essms.establishment"]._field_to_sql(establishment, "name", query),
            column("date_maturity"),
            column("prescription_date"),
            column("amount_residual"),
        )
        headers = [word(self.env._("Invoice")), word(self.env._("Payer")), self.env._("Establishment"),
                   self.env._("Due date"), self.env._("Time-barred on"),
                   word(self.env._("Outstanding"))]
        work = workbook.create_sheet(helper._sheet_name(word(self.env._("Close to prescription")), used))
        helper._setup_sheet(work, [20, 34, 30, 12, 14, 16])
        _start_rows(work)
        helper._write_heading(work, title, self.env._("Claims time-barred or within 6 months of it"), headers)
        rows = _XmlRows(work, HEADER_ROW + 1)
        date_style, euro_style = rows.style(DATE_FORMAT), rows.style(EURO_FORMAT)
        text, number = rows.text, rows.number
        total, count = 0.0, 0
        self.env.flush_all()
        # A server-side cursor of the export's transaction, as the due-date tracking's documents are read.
        with self.env.cr._cnx.cursor(name="essms_dashboard_prescription") as cursor:
            cursor.itersize = DOCUMENT_BATCH
            cursor.execute(select.code, select.params)
            for move_name, partner_name, establishment_name, due, barred, amount in cursor:
                row = rows.row
                cells = [text("A", row, move_name, repeated=False)] if move_name else []
                cells += [text(letter, row, value) for letter, value in (("B", partner_name),
                                                                         ("C", establishment_name)) if value]
                cells += [number(letter, row, date_style, (day - EXCEL_EPOCH).days)
                          for letter, day in (("D", due), ("E", barred)) if day]
                cells.append(number("F", row, euro_style, round(amount, 2)))
                rows.append(cells)
                total += amount
                count += 1
        rows.flush()
        work.append(helper._total_cells(work, self.env._("Total"), [dashboard.currency_id.round(total)], blanks=4))
        work.auto_filter.ref = "A%d:F%d" % (HEADER_ROW, HEADER_ROW + max(count, 1))
