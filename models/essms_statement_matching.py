from datetime import timedelta

from odoo import api
from odoo import models

# A transfer is looked for on the bank statement this many days before and after its date.
STATEMENT_DAYS = 5


class EssmsStatementMatching(models.AbstractModel):
    """Which bank statement line is the transfer a payment advice or a residents' payment batch records.

    One service for both: the same journal, payer and amount, a few days apart, the nearest first; and one rule
    for a line already taken, so that the same money is never matched twice.
    """

    _name = "essms.statement.matching"
    _description = "Bank statement line matching"

    @api.model
    def _candidates(self, journal, amounts, first_day, last_day):
        """The unreconciled statement lines of ``journal`` for one of ``amounts``, from ``STATEMENT_DAYS`` before
        ``first_day`` to as many after ``last_day``: one query for a whole batch."""
        return self.env["account.bank.statement.line"].search_fetch(
            [
                ("journal_id", "=", journal.id),
                ("is_reconciled", "=", False),
                ("amount", "in", list(set(amounts))),
                ("date", ">=", first_day - timedelta(days=STATEMENT_DAYS)),
                ("date", "<=", last_day + timedelta(days=STATEMENT_DAYS)),
            ],
            ["partner_id", "amount", "date"],
        )

    @api.model
    def _taken(self, st_lines, remittance=None):
        """The lines of ``st_lines`` an advice other than ``remittance`` holds, unless that advice is cancelled.

        A posted advice keeps its line even when its bank reconciliation was undone by hand: its payment is
        recorded, so the line is that money, not a free one."""
        domain = [("statement_line_id", "in", st_lines.ids), ("state", "!=", "cancel")]
        if remittance:
            domain.append(("id", "!=", remittance.id))
        return self.env["essms.remittance"].search_fetch(domain, ["statement_line_id"]).statement_line_id

    @api.model
    def _nearest(self, candidates, payer, amount, day, currency):
        """The statement line of ``candidates`` paid by ``payer`` (its commercial entity) for ``amount`` nearest
        to ``day`` and at most ``STATEMENT_DAYS`` from it, the oldest first on a tie; empty when none."""
        payer = payer.commercial_partner_id
        found = candidates.filtered(
            lambda st_line: st_line.partner_id.commercial_partner_id == payer
            and not currency.compare_amounts(st_line.amount, amount)
            and abs((st_line.date - day).days) <= STATEMENT_DAYS
        )
        return found.sorted(lambda st_line: (abs((st_line.date - day).days), st_line.id))[:1]
