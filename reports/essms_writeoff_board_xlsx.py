import io

from odoo import api
from odoo import models

from ..engine.exports import SafeWorkbook
from .xlsx_styles import DATE_FORMAT
from .xlsx_styles import EURO_FORMAT
from .xlsx_styles import HEADER_ROW


class EssmsWriteoffBoardXlsx(models.AbstractModel):
    """The board list as a workbook: the proposals (one row each: debtor, kind, reason, invoices, amount, actions
    taken) and their invoices (one row each, the amounts billed, still due and to write off), headers frozen,
    filters and totals (the cell helpers of the due-date tracking sheet)."""

    _name = "essms.writeoff.board.xlsx"
    _description = "Board list of write-offs workbook"

    @api.model
    def _render(self, board):
        helper = self.env["essms.receivable.ageing.xlsx"]
        rows = board._rows()
        title = board._title()
        subtitle = board.company_id.name
        workbook = SafeWorkbook(write_only=True)
        used = set()

        sheet = workbook.create_sheet(helper._sheet_name(self.env._("Proposals"), used))
        helper._setup_sheet(sheet, [16, 30, 22, 26, 30, 14, 60])
        helper._write_heading(sheet, title, subtitle, [
            self.env._("No."), self.env._("Debtor"), self.env._("Kind"), self.env._("Reason"),
            self.env._("Invoices"), self.env._("Amount"), self.env._("Actions already taken"),
        ])
        for row in rows:
            actions = ["%s: %s" % (action["date"].strftime("%d/%m/%Y"), action["label"]) for action in row["actions"]]
            if row["note"]:
                actions.append(row["note"])
            sheet.append([
                row["name"], row["debtor"].name, row["kind"], row["reason"],
                ", ".join(invoice["name"] for invoice in row["invoices"]),
                helper._cell(sheet, row["amount"], number_format=EURO_FORMAT),
                "\n".join(actions),
            ])
        sheet.append(helper._total_cells(sheet, self.env._("Total"), [board.amount], blanks=4))
        sheet.auto_filter.ref = "A%d:G%d" % (HEADER_ROW, HEADER_ROW + len(rows))

        sheet = workbook.create_sheet(helper._sheet_name(self.env._("Invoices"), used))
        helper._setup_sheet(sheet, [16, 30, 18, 26, 24, 12, 14, 14, 14])
        helper._write_heading(sheet, title, subtitle, [
            self.env._("No."), self.env._("Debtor"), self.env._("Invoice"), self.env._("Beneficiary"),
            self.env._("Period"), self.env._("Due date"), self.env._("Amount billed"), self.env._("Still due"),
            self.env._("To write off"),
        ])
        count = 0
        for row in rows:
            for invoice in row["invoices"]:
                count += 1
                sheet.append([
                    row["name"], row["debtor"].name, invoice["name"], invoice["beneficiary"], invoice["period"],
                    helper._cell(sheet, invoice["due"], number_format=DATE_FORMAT),
                    *(helper._cell(sheet, invoice[key], number_format=EURO_FORMAT)
                      for key in ("billed", "open", "amount")),
                ])
        sheet.append(helper._total_cells(sheet, self.env._("Total"), [
            sum(invoice["billed"] for row in rows for invoice in row["invoices"]),
            sum(invoice["open"] for row in rows for invoice in row["invoices"]),
            board.amount,
        ], blanks=5))
        sheet.auto_filter.ref = "A%d:I%d" % (HEADER_ROW, HEADER_ROW + count)
        stream = io.BytesIO()
        workbook.save(stream)
        return stream.getvalue()
