import base64

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError


class EssmsEntriesExport(models.TransientModel):
    """The posted journal entries of a period and journals as a CSV for an external accounting package.

    For associations whose general accounts are kept elsewhere: each line with its account, partner,
    label, debit, credit, lettering code and date. The legal FEC is Odoo's own (l10n_fr_account).
    """

    _name = "essms.entries.export"
    _description = "Accounting entries export"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    date_from = fields.Date(string="From", required=True)
    date_to = fields.Date(string="To", required=True)
    journal_ids = fields.Many2many(
        "account.journal", string="Journals", check_company=True,
        domain="[('company_id', '=', company_id)]", help="Empty: every journal.",
    )
    layout_id = fields.Many2one("essms.entries.layout", string="Layout", required=True, check_company=True,
                                default=lambda self: self.env["essms.entries.layout"].search([], limit=1))
    state = fields.Selection(selection=[("choose", "Choose"), ("done", "Done")], default="choose", required=True)
    file = fields.Binary(readonly=True, attachment=False)
    file_name = fields.Char(readonly=True)
    line_count = fields.Integer(string="Lines exported", readonly=True)
    total_debit = fields.Float(readonly=True)
    total_credit = fields.Float(readonly=True)

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for wizard in self:
            if wizard.date_to < wizard.date_from:
                raise UserError(self.env._("The period ends before it starts."))

    def _domain(self):
        domain = [
            ("company_id", "=", self.company_id.id),
            ("date", ">=", self.date_from),
            ("date", "<=", self.date_to),
            ("parent_state", "=", "posted"),
            ("display_type", "not in", ("line_section", "line_note")),
        ]
        if self.journal_ids:
            domain.append(("journal_id", "in", self.journal_ids.ids))
        return domain

    def _rows(self):
        lines = self.env["account.move.line"].search_fetch(
            self._domain(),
            ["journal_id", "move_id", "move_name", "ref", "date", "account_id", "partner_id", "name", "debit",
             "credit", "balance", "matching_number", "full_reconcile_id"],
            order="date, move_name, id",
        )
        lines.journal_id.fetch(["code", "name"])
        lines.account_id.fetch(["code", "name"])
        lines.partner_id.fetch(["ref", "name"])
        lines.full_reconcile_id.fetch(["create_date"])
        partial = lines.filtered(lambda line: line.matching_number and not line.full_reconcile_id)
        partial.fetch(["matched_debit_ids", "matched_credit_ids"])
        (partial.matched_debit_ids | partial.matched_credit_ids).fetch(["create_date"])
        rows = []
        for line in lines:
            matching_date = None
            if line.full_reconcile_id:
                matching_date = line.full_reconcile_id.create_date.date()
            elif line.matching_number:
                dates = (line.matched_debit_ids | line.matched_credit_ids).mapped("create_date")
                matching_date = max(dates).date() if dates else None
            rows.append({
                "journal_code": line.journal_id.code,
                "journal_name": line.journal_id.name,
                "move_name": line.move_name,
                "move_ref": line.ref or "",
                "entry_date": line.date,
                "account_code": line.account_id.code,
                "account_name": line.account_id.name,
                "partner_ref": line.partner_id.ref or "",
                "partner_name": line.partner_id.name or "",
                "label": (line.name or "").replace("\n", " "),
                "debit": line.debit,
                "credit": line.credit,
                "balance": line.balance,
                "matching_number": line.matching_number or "",
                "matching_date": matching_date,
            })
        return rows

    def action_export(self):
        self.ensure_one()
        rows = self._rows()
        data = self.layout_id._render(rows)
        self.write({
            "state": "done",
            "file": base64.b64encode(data),
            "file_name": "entries_%s_%s.csv" % (self.date_from.strftime("%Y%m%d"), self.date_to.strftime("%Y%m%d")),
            "line_count": len(rows),
            "total_debit": self.company_id.currency_id.round(sum(row["debit"] for row in rows)),
            "total_credit": self.company_id.currency_id.round(sum(row["credit"] for row in rows)),
        })
        return self._reopen()

    def action_fec(self):
        """Odoo's legal FEC (l10n_fr_account) for the same period, as a test file: the period is not locked."""
        self.ensure_one()
        fec = self.env["l10n_fr.fec.export.wizard"].create(
            {"date_from": self.date_from, "date_to": self.date_to, "test_file": True}
        ).with_company(self.company_id)
        result = fec.generate_fec()
        self.write({
            "state": "done",
            "file": base64.b64encode(result["file_content"]),
            "file_name": result["file_name"],
            "line_count": 0,
            "total_debit": 0.0,
            "total_credit": 0.0,
        })
        return self._reopen()

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Accounting entries export: file ready"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }
