from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.osv import expression


class EssmsPortfolioMixin(models.AbstractModel):
    """*My establishments*: the records of the establishments the current user answers for (their portfolio).

    A searchable flag, used by the removable *My establishments* filter that the operator's lists open with.
    A user without any establishment in their portfolio gets every record (the filter filters nothing): the
    portfolio narrows what the operator looks at, never what they may see or do (the rights stay their group's).
    """

    _name = "essms.portfolio.mixin"
    _description = "Records of the user's establishments"

    essms_my_establishments = fields.Boolean(
        string="My establishments",
        compute="_compute_essms_my_establishments",
        search="_search_essms_my_establishments",
        help="The record concerns an establishment of your portfolio (or you have no portfolio).",
    )

    def _essms_portfolio_domain(self, establishment_ids):
        """The records of these establishments; each model says how it reaches its establishment."""
        raise NotImplementedError

    @api.model
    def _essms_portfolio_ids(self):
        """The ids of the establishments the current user answers for (one query)."""
        return self.env["essms.establishment"].sudo()._search([("operator_ids", "in", self.env.uid)])

    def _compute_essms_my_establishments(self):
        ids = [record_id for record_id in self.ids if record_id]
        mine = set(
            self.with_context(active_test=False)._search([("id", "in", ids), ("essms_my_establishments", "=", True)])
        ) if ids else set()
        for record in self:
            record.essms_my_establishments = record.id in mine

    def _search_essms_my_establishments(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("The filter My establishments only compares with true or false."))
        establishment_ids = list(self._essms_portfolio_ids())
        positive = (operator == "=") == value
        if not establishment_ids:
            return expression.TRUE_DOMAIN if positive else expression.FALSE_DOMAIN
        domain = self._essms_portfolio_domain(establishment_ids)
        return domain if positive else ["!", *expression.normalize_domain(domain)]


# The lists the operator works in, and how each reaches its establishments. Kept together here, beside the
# filter's definition, so that what *My establishments* means is read in one place.


class EssmsActivityStatement(models.Model):
    _name = "essms.activity.statement"
    _inherit = ["essms.activity.statement", "essms.portfolio.mixin"]

    def _essms_portfolio_domain(self, establishment_ids):
        return [("establishment_id", "in", establishment_ids)]


class EssmsBillingRun(models.Model):
    _name = "essms.billing.run"
    _inherit = ["essms.billing.run", "essms.portfolio.mixin"]

    def _essms_portfolio_domain(self, establishment_ids):
        return [("establishment_ids", "in", establishment_ids)]


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "essms.portfolio.mixin"]

    def _essms_portfolio_domain(self, establishment_ids):
        return [("essms_establishment_id", "in", establishment_ids)]


class EssmsRemittance(models.Model):
    _name = "essms.remittance"
    _inherit = ["essms.remittance", "essms.portfolio.mixin"]

    def _essms_portfolio_domain(self, establishment_ids):
        # An advice pays invoices of several establishments: it is mine when one of its lines pays one of mine;
        # an advice not imported yet has no line and is everyone's.
        return ["|", ("line_ids.move_id.essms_establishment_id", "in", establishment_ids), ("line_ids", "=", False)]


class EssmsRemittanceLine(models.Model):
    _name = "essms.remittance.line"
    _inherit = ["essms.remittance.line", "essms.portfolio.mixin"]

    def _essms_portfolio_domain(self, establishment_ids):
        # A line whose invoice is not found belongs to no establishment yet: every operator may have to find it.
        return ["|", ("move_id.essms_establishment_id", "in", establishment_ids), ("move_id", "=", False)]


class EssmsDunningLetter(models.Model):
    _name = "essms.dunning.letter"
    _inherit = ["essms.dunning.letter", "essms.portfolio.mixin"]

    def _essms_portfolio_domain(self, establishment_ids):
        return [("line_ids.move_id.essms_establishment_id", "in", establishment_ids)]


class EssmsRecoveryHold(models.Model):
    _name = "essms.recovery.hold"
    _inherit = ["essms.recovery.hold", "essms.portfolio.mixin"]

    def _essms_portfolio_domain(self, establishment_ids):
        # On an invoice: its establishment; on a beneficiary: their stays'; on a payer (a département): everyone's.
        return [
            "|",
            "|",
            ("move_id.essms_establishment_id", "in", establishment_ids),
            ("beneficiary_id.stay_ids.establishment_id", "in", establishment_ids),
            "&",
            ("move_id", "=", False),
            ("beneficiary_id", "=", False),
        ]


class EssmsPaymentPlan(models.Model):
    _name = "essms.payment.plan"
    _inherit = ["essms.payment.plan", "essms.portfolio.mixin"]

    def _essms_portfolio_domain(self, establishment_ids):
        return [("move_ids.essms_establishment_id", "in", establishment_ids)]


class EssmsPromise(models.Model):
    _name = "essms.promise"
    _inherit = ["essms.promise", "essms.portfolio.mixin"]

    def _essms_portfolio_domain(self, establishment_ids):
        return [("move_ids.essms_establishment_id", "in", establishment_ids)]


class EssmsFundingDecision(models.Model):
    _name = "essms.funding.decision"
    _inherit = ["essms.funding.decision", "essms.portfolio.mixin"]

    def _essms_portfolio_domain(self, establishment_ids):
        # The agreement's establishment, or, for a file without agreement yet, where the person stays.
        return [
            "|",
            ("establishment_id", "in", establishment_ids),
            ("beneficiary_id.stay_ids.establishment_id", "in", establishment_ids),
        ]


class EssmsRemittanceLineDesk(models.Model):
    _inherit = "essms.remittance.line"

    essms_establishment_id = fields.Many2one(
        related="move_id.essms_establishment_id", string="Establishment", help="The establishment of the invoice paid."
    )


class EssmsRecoveryHoldDesk(models.Model):
    _inherit = "essms.recovery.hold"

    essms_establishment_id = fields.Many2one(
        related="move_id.essms_establishment_id", string="Establishment", help="The establishment of the invoice held."
    )
