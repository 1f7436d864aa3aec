"""The accounts and journal of the closing entries (write-offs, doubtful receivables, impairment), recovery-rules §7.

Each role of ``engine/writeoff.py`` is read from the company's chart by its French code, most specific first
(l10n_fr: 416000, 491000, 654100, 681740, 781740; 7714 is not in l10n_fr). One missing is a configuration error
naming the account, so nothing is posted on a wrong account.
"""

from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tools import format_date
from odoo.tools import formatLang

from ..engine import writeoff as engine
from .essms_approval_mixin import MANAGER_GROUP

DOUBTFUL = "doubtful"  # 416
ACCOUNT_CODES = {
    engine.LOSS: ("6541", "654"),
    engine.IMPAIRMENT: ("4911", "491"),
    engine.IMPAIRMENT_REVERSAL: ("78174", "7817"),
    engine.IMPAIRMENT_CHARGE: ("68174", "6817"),
    engine.RECOVERED: ("7714",),
    DOUBTFUL: ("416",),
}


class EssmsClosingMixin(models.AbstractModel):
    _name = "essms.closing.mixin"
    _description = "Closing entries of claims"

    def _format(self, amount):
        return formatLang(self.env, float(amount), currency_obj=self.currency_id)

    def _check_manager(self, message):
        """Closing entries are posted by a finance director only, checked on the server (``message`` says what)."""
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(message)

    def _closing_labels(self):
        return {
            engine.LOSS: self.env._("losses on irrecoverable claims"),
            engine.IMPAIRMENT: self.env._("impairment of customer accounts"),
            engine.IMPAIRMENT_REVERSAL: self.env._("reversals of impairment of current assets"),
            engine.IMPAIRMENT_CHARGE: self.env._("impairment of receivables"),
            engine.RECOVERED: self.env._("recoveries on claims written off"),
            DOUBTFUL: self.env._("doubtful or disputed customers"),
        }

    def _closing_account(self, role, company, purpose):
        """The account of ``role`` in ``company``'s chart; missing: an error naming it and what it is needed for."""
        codes = ACCOUNT_CODES[role]
        Account = self.env["account.account"].with_company(company).sudo()
        for code in codes:
            account = Account.search(
                [*Account._check_company_domain(company), ("code", "=like", code + "%"), ("deprecated", "=", False)],
                order="code", limit=1)
            if account:
                return account
        raise UserError(self.env._(
            "Account %(code)s (%(label)s) is missing from the chart of accounts of %(company)s: create it "
            "(Accounting › Configuration › Chart of Accounts) to %(purpose)s.",
            code=codes[-1], label=self._closing_labels()[role], company=company.name, purpose=purpose))

    def _closing_journal(self, company):
        Journal = self.env["account.journal"].sudo()
        journal = Journal.search(
            [*Journal._check_company_domain(company), ("type", "=", "general")], order="sequence, id", limit=1)
        if not journal:
            raise UserError(self.env._("Company %(company)s has no miscellaneous journal to post the entry in.",
                                       company=company.name))
        return journal

    def _closing_check_date(self, company, day, name):
        violated = company._get_violated_lock_dates(day, False, self._closing_journal(company))
        if violated:
            raise UserError(self.env._(
                "%(name)s: the period of %(date)s is locked (lock date %(lock)s); choose a date after it.",
                name=name, date=format_date(self.env, day), lock=format_date(self.env, violated[-1][0])))
