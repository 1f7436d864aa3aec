"""A mass action of the accountant (recovery-rules §4): SATDs prepared at once for the selected titres, one per
debtor to the debtor's latest known bank, reviewed, then issued. Each SATD is checked and issued on its own: those
refused stay drafts and the batch says why. (The mises en demeure de payer in bulk are the dunning runs of the
public policy: proposed, reviewed, then sent.)"""

from odoo import Command
from odoo import fields
from odoo import models
from odoo.exceptions import UserError


class EssmsEnforcementBatch(models.Model):
    _name = "essms.enforcement.batch"
    _description = "Mass SATD"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, default=lambda self: self.env._("Mass SATD"))
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    date = fields.Date(required=True, default=fields.Date.context_today)
    state = fields.Selection(selection=[("draft", "To review"), ("done", "Issued")], default="draft", required=True,
                             tracking=True)
    notice_ids = fields.One2many("essms.third.party.notice", "batch_id", string="SATDs")
    not_prepared = fields.Text(string="Not prepared", readonly=True)

    def _prepare(self, moves):
        """One draft SATD per debtor of ``moves``, to the debtor's latest recorded bank, for what is still due."""
        self.ensure_one()
        moves = moves.filtered(lambda move: move.move_type == "out_invoice" and move.state == "posted"
                               and move.amount_residual > 0 and move.essms_taken_in_charge)
        banks = self.env["essms.debtor.third.party"].search(
            [("debtor_id", "in", moves.commercial_partner_id.ids), ("kind", "=", "bank")],
            order="date_info desc, id desc")
        bank_of = {}
        for bank in banks:
            bank_of.setdefault(bank.debtor_id.id, bank)
        vals_list, missing = [], []
        for debtor, debtor_moves in moves.grouped("commercial_partner_id").items():
            bank = bank_of.get(debtor.id)
            if not bank:
                missing.append(debtor.name)
                continue
            vals_list.append({
                "batch_id": self.id, "company_id": self.company_id.id, "debtor_id": debtor.id,
                "third_party_id": bank.id, "move_ids": [Command.set(debtor_moves.ids)], "date": self.date,
                "amount": sum(debtor_moves.mapped("amount_residual")),
            })
        self.env["essms.third.party.notice"].create(vals_list)
        if missing:
            self.not_prepared = self.env._("No bank known for: %(debtors)s", debtors=", ".join(missing))

    def action_issue(self):
        """Issue each SATD of the batch that passes its checks; the others stay drafts, listed on the batch."""
        for batch in self:
            refused = []
            for notice in batch.notice_ids.filtered(lambda notice: notice.state == "draft"):
                try:
                    with self.env.cr.savepoint():
                        notice.action_issue()
                except UserError as error:
                    refused.append(str(error.args[0]))
            batch.state = "done"
            issued = batch.notice_ids.filtered(lambda notice: notice.state == "issued")
            body = self.env._("%(count)s SATDs issued.", count=len(issued))
            if refused:
                body += " " + self.env._("Not issued: %(reasons)s", reasons=" ".join(refused))
            batch.message_post(body=body)
        return True


class AccountMove(models.Model):
    _inherit = "account.move"

    def action_essms_prepare_satd(self):
        """Selected titres → a mass SATD to review."""
        companies = self.company_id
        if len(companies) != 1 or companies.essms_creditor_kind != "public_body":
            raise UserError(self.env._("Select the titres of one public body to prepare SATDs."))
        batch = self.env["essms.enforcement.batch"].with_company(companies).create({"company_id": companies.id})
        batch._prepare(self)
        return {"type": "ir.actions.act_window", "res_model": "essms.enforcement.batch", "res_id": batch.id,
                "view_mode": "form", "target": "current"}
