from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError
from odoo.tools import format_date

PARAMETER_CODES = [
    ("fjh", "Daily hospital fee (FJH)"),
    ("fjh_psy", "Daily hospital fee, psychiatry (FJH)"),
    ("aah", "AAH full rate (monthly)"),
    ("fjh_aah_kept", "Share of the AAH a MAS resident keeps above the daily hospital fee (%)"),
    ("aspa", "ASPA, single person (monthly)"),
    ("legal_interest_company", "Legal interest rate, other creditors (%)"),
    ("legal_interest_individual", "Legal interest rate, individual creditors (%)"),
    ("rsa_unseizable", "Unseizable bank balance (monthly RSA, one person)"),
    ("titre_floor", "Minimum amount of a titre de recettes"),
    ("satd_bank_full_freeze", "SATD amount from which a bank freezes the whole balance"),
    ("wage_scale_1", "Wage seizure: yearly limit of the 1/20 band"),
    ("wage_scale_2", "Wage seizure: yearly limit of the 1/10 band"),
    ("wage_scale_3", "Wage seizure: yearly limit of the 1/5 band"),
    ("wage_scale_4", "Wage seizure: yearly limit of the 1/4 band"),
    ("wage_scale_5", "Wage seizure: yearly limit of the 1/3 band"),
    ("wage_scale_6", "Wage seizure: yearly limit of the 2/3 band"),
    ("wage_scale_dependent", "Wage seizure: yearly raise of each limit per dependent"),
]
# The wage seizure scale (code du travail R3252-2 and R3252-3), limit by limit, then the raise per dependent.
WAGE_SCALE_CODES = ("wage_scale_1", "wage_scale_2", "wage_scale_3", "wage_scale_4", "wage_scale_5", "wage_scale_6")


class EssmsParameter(models.Model):
    """A legal value that changes by decree: the engine always reads the value in force at a date."""

    _name = "essms.parameter"
    _description = "Dated legal parameter"
    _order = "code, date_from desc"

    code = fields.Selection(selection=PARAMETER_CODES, required=True, index=True)
    date_from = fields.Date(string="Valid from", required=True)
    value = fields.Float(required=True, digits=(16, 4))
    source = fields.Char(help="Legal text that sets the value (decree, arrêté, notice).")

    _sql_constraints = [
        ("code_date_uniq", "unique(code, date_from)", "A parameter has a single value from a given date."),
    ]

    @api.depends("code", "date_from", "value")
    def _compute_display_name(self):
        labels = dict(self._fields["code"]._description_selection(self.env))
        for parameter in self:
            parameter.display_name = "%s (%s)" % (labels.get(parameter.code, ""), parameter.date_from or "")

    @api.constrains("value")
    def _check_value(self):
        for parameter in self:
            if parameter.value < 0:
                raise ValidationError(
                    self.env._(
                        "Parameter %(name)s: the value cannot be negative.", name=parameter.display_name
                    )
                )

    @api.model
    def _get_series(self, codes):
        """{code: [(date_from, value), …] sorted by date} for the given codes, in one query."""
        series = {code: [] for code in codes}
        parameters = self.search_fetch([("code", "in", list(codes))], ["code", "date_from", "value"], order="date_from")
        for parameter in parameters:
            series[parameter.code].append((parameter.date_from, parameter.value))
        return series

    @api.model
    def get_value(self, code, on_date):
        """The value in force on `on_date`; a clear error when none is recorded yet."""
        parameter = self.search([("code", "=", code), ("date_from", "<=", on_date)], order="date_from desc", limit=1)
        if not parameter:
            labels = dict(self._fields["code"]._description_selection(self.env))
            raise ValidationError(
                self.env._(
                    "No value of the legal parameter %(name)s is recorded for %(date)s; "
                    "add it in Configuration > Legal parameters.",
                    name=labels.get(code, code),
                    date=format_date(self.env, on_date),
                )
            )
        return parameter.value
