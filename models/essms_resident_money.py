from collections import defaultdict

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools.misc import formatLang

from ..engine import addressee as addressee_rule
from ..engine import resident_money
from ..engine.dates import month_start

INCOME_SOURCES = [("aah", "AAH (CAF)"), ("pension", "Pension"), ("other", "Other income")]
THIRD_PARTY_KINDS = [
    ("income", "Income received"),
    ("pocket_money", "Minimum left paid"),
    ("paid_over", "Contribution paid over"),
]


class EssmsResidentMoney(models.AbstractModel):
    """Residents' money on account 467 (billing-rules §2, mode 2): one service for the income wizard, the
    pocket-money wizard, the transfer to the département and the resident's statement.

    Every movement is a journal entry on the company's third-party account with the resident as partner: there is
    no parallel ledger. The entries carry the resident, the month and the kind of movement, which is all the
    recap and the controls read. The rules (minimum left, recap, controls) are in ``engine/resident_money.py``.
    """

    _name = "essms.resident.money"
    _description = "Residents' money (third-party account 467)"

    # Settings ------------------------------------------------------------------------------------------

    @api.model
    def _account(self, company):
        account = company.essms_third_party_account_id or self.env["account.account"].sudo().search(
            [*self.env["account.account"]._check_company_domain(company), ("code", "=like", "467%")],
            order="code", limit=1,
        )
        if not account:
            raise UserError(
                self.env._(
                    "Set the residents' money account (467) on the form of the company %(company)s.",
                    company=company.name,
                )
            )
        return account

    @api.model
    def _journal(self, company):
        journal = company.essms_third_party_journal_id or self.env["account.journal"].sudo().search(
            [*self.env["account.journal"]._check_company_domain(company), ("type", "=", "bank")], limit=1
        )
        if not journal:
            raise UserError(
                self.env._(
                    "Set the residents' money journal on the form of the company %(company)s.",
                    company=company.name,
                )
            )
        return journal

    @api.model
    def _outstanding_account(self, company):
        """Where a payment out of 467 goes: the journal's outstanding payments account when its outbound method has
        one, else its bank account (Odoo 18 posts such payments on the bank account directly)."""
        journal = self._journal(company)
        account = journal.outbound_payment_method_line_ids[:1].payment_account_id or journal.default_account_id
        if not account:
            raise UserError(self.env._("The journal %(journal)s has no bank account.", journal=journal.name))
        return account

    # Reading the ledger -----------------------------------------------------------------------------------

    @api.model
    def _balances(self, company, partners):
        """What the 467 account holds for each resident partner (a credit balance is positive): ``{id: amount}``."""
        account = self._account(company)
        groups = self.env["account.move.line"].sudo()._read_group(
            [("account_id", "=", account.id), ("partner_id", "in", partners.ids), ("parent_state", "=", "posted"),
             ("company_id", "=", company.id)],
            ["partner_id"],
            ["balance:sum"],
        )
        return {partner.id: -amount for partner, amount in groups}

    @api.model
    def _movements(self, company, beneficiaries, month_from=None, month_to=None, kinds=None):
        """The 467 entries of ``beneficiaries`` (posted), by month: ``{(beneficiary id, month): {kind: entries}}``."""
        domain = [
            ("company_id", "=", company.id),
            ("state", "=", "posted"),
            ("essms_third_party_kind", "!=", False),
            # A transfer cancelled: its entries are reversed, their months are payable again.
            ("reversal_move_ids", "=", False),
        ]
        if beneficiaries is not None:
            domain.append(("essms_beneficiary_id", "in", beneficiaries.ids))
        if month_from:
            domain.append(("essms_period_start", ">=", month_from))
        if month_to:
            domain.append(("essms_period_start", "<", month_to))
        if kinds:
            domain.append(("essms_third_party_kind", "in", kinds))
        moves = self.env["account.move"].sudo().search_fetch(
            domain, ["essms_beneficiary_id", "essms_period_start", "essms_third_party_kind", "name",
                     "essms_third_party_amount"]
        )
        result = defaultdict(lambda: defaultdict(lambda: self.env["account.move"]))
        for move in moves:
            result[(move.essms_beneficiary_id.id, move.essms_period_start)][move.essms_third_party_kind] |= move
        return result

    @api.model
    def _contributions(self, company, beneficiaries, month_from, month_to, payer=None):
        """The contributions the billing decided as third-party money: ``{(beneficiary id, month): amount}``."""
        domain = [
            ("company_id", "=", company.id),
            ("run_id.state", "=", "invoiced"),
            ("third_party_amount", "!=", 0),
            ("period_start", ">=", month_from),
            ("period_start", "<", month_to),
        ]
        if beneficiaries is not None:
            domain.append(("beneficiary_id", "in", beneficiaries.ids))
        if payer:
            domain.append(("payer_id", "=", payer.id))
        groups = self.env["essms.billing.line"].sudo()._read_group(
            domain, ["beneficiary_id", "period_start:month"], ["third_party_amount:sum"]
        )
        return {(beneficiary.id, month_start(month)): amount for beneficiary, month, amount in groups}

    @api.model
    def _resident_months(self, company, beneficiaries, month_from, month_to, payer=None):
        """The engine's view of each resident and month: income, contribution, what was paid and by which entry."""
        contributions = self._contributions(company, beneficiaries, month_from, month_to, payer)
        movements = self._movements(company, beneficiaries, month_from, month_to)
        keys = set(contributions)
        if not payer:
            keys |= {key for key, kinds in movements.items() if "income" in kinds}
        people = self.env["essms.beneficiary"].browse({key[0] for key in keys})
        names = {beneficiary.id: beneficiary.display_name for beneficiary in people}
        result = []
        for beneficiary_id, month in sorted(keys, key=lambda key: (names.get(key[0], ""), key[1])):
            kinds = movements.get((beneficiary_id, month), {})
            income = kinds.get("income", self.env["account.move"])
            pocket = kinds.get("pocket_money", self.env["account.move"])
            paid = kinds.get("paid_over", self.env["account.move"])
            result.append(resident_money.ResidentMonth(
                beneficiary_id, names.get(beneficiary_id, ""), month,
                sum(income.mapped("essms_third_party_amount")),
                contributions.get((beneficiary_id, month), 0.0),
                sum(pocket.mapped("essms_third_party_amount")),
                sum(paid.mapped("essms_third_party_amount")),
                ", ".join(pocket.mapped("name")),
                ", ".join(paid.mapped("name")),
                (beneficiary_id, month) in contributions,
            ))
        return result

    @api.model
    def _raise_anomalies(self, anomalies):
        if anomalies:
            raise UserError(self.env["essms.billing.input"]._render_all(anomalies))

    # Writing the ledger ---------------------------------------------------------------------------------

    @api.model
    def _check_income(self, statement_line, beneficiaries, month):
        """Refuse a statement line that cannot be ``beneficiaries``' income of ``month``; return its suspense line."""
        for beneficiary in beneficiaries:
            if statement_line.company_id != beneficiary.company_id:
                raise UserError(
                    self.env._("The bank statement line and the resident belong to different companies."))
        if statement_line.is_reconciled or statement_line.move_id.essms_third_party_kind:
            raise UserError(
                self.env._("The bank statement line %(name)s is already matched.", name=statement_line.display_name)
            )
        if statement_line.currency_id.compare_amounts(statement_line.amount, 0.0) <= 0:
            raise UserError(
                self.env._(
                    "The bank statement line %(name)s is a payment, not income received: only a receipt can be "
                    "recorded as a resident's income.",
                    name=statement_line.display_name,
                )
            )
        for beneficiary in beneficiaries:
            if not self._income_collected(beneficiary, month):
                raise UserError(
                    self.env._(
                        "%(resident)s: no granted decision of %(month)s says the establishment collects the income "
                        "(collection mode: income collected).",
                        resident=beneficiary.display_name,
                        month=month.strftime("%m/%Y"),
                    )
                )
        line = statement_line.sudo().with_context(skip_account_move_synchronization=True)
        _liquidity, suspense, _other = line._seek_for_lines()
        if len(suspense) != 1:
            raise UserError(
                self.env._("The bank statement line %(name)s is already matched.", name=statement_line.display_name)
            )
        return suspense

    @api.model
    def _record_income(self, statement_line, beneficiary, source, month):
        """Match a bank statement line of income received for ``beneficiary`` to its 467 account."""
        company = beneficiary.company_id
        account = self._account(company)
        month = month_start(month)
        suspense = self._check_income(statement_line, beneficiary, month)
        line = statement_line.sudo().with_context(skip_account_move_synchronization=True)
        suspense.write({"account_id": account.id, "partner_id": beneficiary.partner_id.id})
        line.move_id.write({
            "essms_third_party_kind": "income",
            "essms_income_source": source,
            "essms_beneficiary_id": beneficiary.id,
            "essms_period_start": month,
        })
        line.partner_id = beneficiary.partner_id
        return line.move_id

    @api.model
    def _record_income_split(self, statement_line, shares, source, month):
        """Split a bank statement line paying the income of several residents at once (a CAF transfer of several
        AAH): ``shares`` is ``[(beneficiary, amount)]``, one per resident, whose total must be the line's amount.

        The line's counterpart goes to 467 under its payer (the CAF); one income entry per resident moves each
        share from it to the resident's 467 account, tagged with the resident and the month as a line matched to a
        single resident is: the payer's 467 balance is back to 0. All or nothing.
        """
        month = month_start(month)
        currency = statement_line.currency_id
        people = self.env["essms.beneficiary"].union(*(beneficiary for beneficiary, _amount in shares))
        if not shares:
            raise UserError(self.env._("Add a row for each resident whose income the line pays."))
        if len(people) != len(shares):
            raise UserError(self.env._("A resident is listed twice: one row per resident."))
        for beneficiary, amount in shares:
            if currency.compare_amounts(amount, 0.0) <= 0:
                raise UserError(self.env._("%(resident)s: the amount must be positive.",
                                           resident=beneficiary.display_name))
        total = sum(amount for _beneficiary, amount in shares)
        if currency.compare_amounts(total, statement_line.amount):
            raise UserError(self.env._(
                "The rows add up to %(total)s but the bank statement line %(name)s is %(amount)s: the split must "
                "equal the line.", total=self._format(statement_line.company_id, total),
                name=statement_line.display_name, amount=self._format(statement_line.company_id, statement_line.amount),
            ))
        company = statement_line.company_id
        account = self._account(company)
        suspense = self._check_income(statement_line, people, month)
        payer = statement_line.partner_id
        suspense.write({"account_id": account.id, "partner_id": payer.id})
        statement_line.move_id.sudo().ref = self.env._(
            "Income of %(count)s residents for %(month)s", count=len(shares), month=month.strftime("%m/%Y"))
        label = self.env._("Income received %(month)s – %(resident)s")
        moves = self.env["account.move"].sudo().create([{
            "move_type": "entry",
            "journal_id": statement_line.journal_id.id,
            "company_id": company.id,
            "date": statement_line.date,
            "ref": label % {"month": month.strftime("%m/%Y"), "resident": beneficiary.display_name},
            "essms_third_party_kind": "income",
            "essms_income_source": source,
            "essms_beneficiary_id": beneficiary.id,
            "essms_period_start": month,
            "line_ids": [
                (0, 0, {"name": statement_line.payment_ref, "account_id": account.id, "partner_id": payer.id,
                        "debit": amount, "credit": 0.0}),
                (0, 0, {"name": label % {"month": month.strftime("%m/%Y"), "resident": beneficiary.display_name},
                        "account_id": account.id, "partner_id": beneficiary.partner_id.id,
                        "debit": 0.0, "credit": amount}),
            ],
        } for beneficiary, amount in shares])
        moves.action_post()
        if account.reconcile:
            (suspense | moves.line_ids.filtered(lambda line: line.debit)).reconcile()
        return moves

    @api.model
    def _income_collected(self, beneficiary, month):
        """Whether a granted decision covering ``month`` says the establishment collects the resident's income."""
        last = resident_money.transfer_periods(month, "monthly")[1]
        return bool(self.env["essms.funding.decision"].sudo().search_count([
            ("beneficiary_id", "=", beneficiary.id),
            ("contribution_mode", "=", "income_collected"),
            ("state", "in", ("granted", "partially_granted")),
            ("date_effect", "<", last),
            "|", ("date_end", "=", False), ("date_end", ">=", month),
        ], limit=1))

    @api.model
    def _pay_pocket_money(self, company, month, beneficiaries=None, date=None):
        """Pay the minimum left of ``month`` to every resident whose income was received: one entry each,
        debit 467 (the resident), credit the outstanding payments (the resident, or the guardian under tutelle).
        All or nothing: any anomaly (income missing or below the contribution, already paid) writes nothing.
        """
        month = month_start(month)
        month_to = resident_money.transfer_periods(month, "monthly")[1]
        months = [item for item in self._resident_months(company, beneficiaries, month, month_to)
                  if beneficiaries is not None or item.income]
        if not months:
            raise UserError(
                self.env._("No income received for %(month)s: there is no minimum left to pay.",
                           month=month.strftime("%m/%Y"))
            )
        outcome = resident_money.pocket_money(months)
        self._raise_anomalies(outcome.anomalies)
        people = self.env["essms.beneficiary"].browse([row.resident_key for row in outcome.rows])
        # One row per resident (one month): the minimum left is what leaves each account.
        self._check_balances(company, people, {row.resident_key: row.minimum_left for row in outcome.rows})
        vals_list = [
            self._prepare_out_vals(company, people.browse(row.resident_key), month, "pocket_money",
                                   float(row.minimum_left), self._payee(people.browse(row.resident_key)), date)
            for row in outcome.rows
            if row.minimum_left
        ]
        moves = self.env["account.move"].sudo().create(vals_list)
        moves.action_post()
        return moves

    @api.model
    def _payee(self, beneficiary):
        """Who receives the resident's pocket money: the resident, or the guardian under tutelle."""
        mail = addressee_rule.recipients(beneficiary.legal_protection, beneficiary.partner_id.id,
                                         beneficiary.protector_id.id or None)
        return self.env["res.partner"].browse(mail.addressee)

    @api.model
    def _check_balances(self, company, beneficiaries, outgoing):
        balances = self._balances(company, beneficiaries.partner_id)
        by_beneficiary = {person.id: balances.get(person.partner_id.id, 0.0) for person in beneficiaries}
        names = {person.id: person.display_name for person in beneficiaries}
        self._raise_anomalies(resident_money.check_balances(by_beneficiary, outgoing, names))

    @api.model
    def _prepare_out_vals(self, company, beneficiary, month, kind, amount, payee, date=None, transfer=None):
        """One payment out of a resident's 467 account: debit 467, credit the outstanding payments."""
        label = {
            "pocket_money": self.env._("Minimum left %(month)s – %(resident)s"),
            "paid_over": self.env._("Contribution paid over %(month)s – %(resident)s"),
        }[kind] % {"month": month.strftime("%m/%Y"), "resident": beneficiary.display_name}
        return {
            "move_type": "entry",
            "journal_id": self._journal(company).id,
            "company_id": company.id,
            "date": date or fields.Date.context_today(self),
            "ref": label,
            "essms_third_party_kind": kind,
            "essms_beneficiary_id": beneficiary.id,
            "essms_period_start": month,
            "essms_third_party_transfer_id": transfer.id if transfer else False,
            "line_ids": [
                (0, 0, {"name": label, "account_id": self._account(company).id,
                        "partner_id": beneficiary.partner_id.id, "debit": amount, "credit": 0.0}),
                (0, 0, {"name": label, "account_id": self._outstanding_account(company).id,
                        "partner_id": payee.id, "debit": 0.0, "credit": amount}),
            ],
        }

    @api.model
    def _format(self, company, amount):
        return formatLang(self.env, amount, currency_obj=company.currency_id)

    # The resident's statement ------------------------------------------------------------------------------

    @api.model
    def _statement(self, beneficiary):
        """The resident's 467 movements, oldest first, with the running balance held for them.

        Returns ``(rows, balance)``; each row is a dict: date, month, label, kind, received, paid out, balance.
        """
        company = beneficiary.company_id
        account = self._account(company)
        lines = self.env["account.move.line"].sudo().search_fetch(
            [("account_id", "=", account.id), ("partner_id", "=", beneficiary.partner_id.id),
             ("parent_state", "=", "posted"), ("company_id", "=", company.id)],
            ["date", "name", "balance", "move_id"],
            order="date, id",
        )
        kinds = dict(self.env["account.move"]._fields["essms_third_party_kind"]._description_selection(self.env))
        rows, balance = [], 0.0
        for line in lines:
            balance = company.currency_id.round(balance - line.balance)
            move = line.move_id
            rows.append({
                "date": line.date,
                "month": move.essms_period_start,
                "kind": kinds.get(move.essms_third_party_kind, ""),
                "label": line.name or move.ref or move.name,
                "received": max(-line.balance, 0.0),
                "paid": max(line.balance, 0.0),
                "balance": balance,
            })
        return rows, balance
