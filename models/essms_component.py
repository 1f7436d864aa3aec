"""Components and payers of a stay (billing-rules §9): agreement settings, defaults per establishment kind, GIR
tariffs, and the dated situation of a beneficiary that the rules of §10 and §11 need."""

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError
from odoo.tools import format_date

from .essms_billing_line_detail import COMPONENTS
from .essms_establishment import ESTABLISHMENT_KINDS

AGREEMENT_COMPONENTS = [item for item in COMPONENTS if item[0] != "allocation"]
PAYER_RULES = [
    ("agreement_payer", "The agreement's payer"),
    ("health_fund", "The beneficiary's health-insurance fund"),
    ("decision_payer", "The payer of the beneficiary's funding decision"),
    ("resident", "The resident"),
    ("fjh_third_payer", "The third payer covering the daily hospital fee"),
]
GIR_GROUPS = [("1_2", "GIR 1-2"), ("3_4", "GIR 3-4"), ("5_6", "GIR 5-6")]
# The days each component bills unless its agreement says otherwise (billing-rules §9, §11): a starting value of the
# agreement's setting, which the engine reads (the engine has no default of its own).
COMPONENT_ABSENCE_DAYS = {"care": "present", "dependency": "short_absences"}


class EssmsComponentDefault(models.Model):
    """What an establishment of a kind bills, per component (billing-rules §9's table), as data a user can change:
    a new agreement takes its payer rule and billing term from here, and a required component without an agreement
    in force stops the billing of each person of the establishment with a message saying what to create."""

    _name = "essms.component.default"
    _description = "Component billed by a kind of establishment"
    _order = "establishment_kind, sequence, id"

    sequence = fields.Integer(default=10)
    establishment_kind = fields.Selection(selection=ESTABLISHMENT_KINDS, string="Establishment kind", required=True)
    component = fields.Selection(selection=AGREEMENT_COMPONENTS, required=True)
    payer_rule = fields.Selection(selection=PAYER_RULES, string="Payer rule", required=True)
    billing_term = fields.Selection(
        selection=[("arrears", "In arrears (terme échu)"), ("advance", "In advance (terme à échoir)")],
        required=True,
        default="arrears",
    )
    required = fields.Boolean(
        string="Required",
        help="Each stay of an establishment of this kind is billed this component: without an agreement in force "
        "for it, the person is not billed and the run says which agreement to create.",
    )
    note = fields.Char(help="What the default stands for, in the words of the trade.")

    _sql_constraints = [
        (
            "kind_component_unique",
            "UNIQUE(establishment_kind, component)",
            "One default per establishment kind and component.",
        ),
    ]


class EssmsAgreementComponent(models.Model):
    _inherit = "essms.agreement"

    component = fields.Selection(
        selection=AGREEMENT_COMPONENTS,
        required=True,
        default="accommodation",
        tracking=True,
        help="What the agreement bills of a stay: accommodation, care, dependency, the daily hospital fee (FJH).",
    )
    payer_rule = fields.Selection(
        selection=PAYER_RULES,
        string="Payer rule",
        required=True,
        default="agreement_payer",
        tracking=True,
        help="Who is invoiced for the component: the agreement's payer, the beneficiary's health-insurance fund "
        "(recorded on their situation), the payer of their funding decision (the département of the domicile de "
        "secours), the resident, or the third payer covering the daily hospital fee.",
    )
    social_aid_bears_gir_rate = fields.Boolean(
        string="Social aid bears the GIR 5-6 rate",
        tracking=True,
        help="EHPAD accommodation under social aid: the département also pays the dependency GIR 5-6 rate instead "
        "of the resident (a setting of its RDAS).",
    )
    fjh_minors_exempt = fields.Boolean(
        string="No daily hospital fee for minors",
        default=True,
        tracking=True,
        help="Daily hospital fee: not billed before the resident's 18th birthday.",
    )
    apa_individual = fields.Boolean(
        string="APA invoiced per resident",
        tracking=True,
        help="Dependency: the département pays the APA per day and per resident (the difference between the "
        "resident's GIR rate and the GIR 5-6 rate). Unticked: the APA is a global allocation, nothing individual "
        "is invoiced for it.",
    )

    component_absence_days = fields.Selection(
        selection=[
            ("present", "Days present only"),
            ("short_absences", "Days present and absences up to the threshold"),
            ("within_threshold", "Days present and the first days of every absence, up to the threshold"),
        ],
        string="Days of absence billed",
        compute="_compute_component_absence_days",
        store=True,
        readonly=False,
        tracking=True,
        help="Care and dependency: which days of the stay the component bills, the threshold being the absence "
        "policy's (72 hours by default). Care: days present only (the usual health-insurance rule); dependency: "
        "days present and absences up to the threshold, not the days of a longer absence (billing-rules §11). "
        "Another rule of the payer is chosen here, for this agreement and its dates.",
    )

    @api.depends("component")
    def _compute_component_absence_days(self):
        for agreement in self:
            if not agreement.component_absence_days or agreement._origin.component != agreement.component:
                agreement.component_absence_days = COMPONENT_ABSENCE_DAYS.get(agreement.component, False)

    @api.onchange("establishment_id", "component")
    def _onchange_component_default(self):
        """The payer rule and billing term of §9's table for the establishment's kind, as a starting point."""
        if not self.establishment_id or not self.component:
            return
        default = self.env["essms.component.default"].search(
            [("establishment_kind", "=", self.establishment_id.kind), ("component", "=", self.component)], limit=1
        )
        if default:
            self.payer_rule = default.payer_rule
            self.billing_term = default.billing_term

    @api.constrains("payer_rule", "payer_id", "component")
    def _check_payer_rule(self):
        for agreement in self:
            if agreement.payer_rule in ("agreement_payer", "decision_payer") and not agreement.payer_id:
                raise ValidationError(
                    self.env._(
                        "Agreement %(name)s: set the Payer; the payer rule invoices it.", name=agreement.name
                    )
                )
            if agreement.payer_rule == "fjh_third_payer" and agreement.component != "fjh":
                raise ValidationError(
                    self.env._(
                        "Agreement %(name)s: the third payer covering the daily hospital fee can only pay the daily "
                        "hospital fee component.",
                        name=agreement.name,
                    )
                )


class EssmsBeneficiarySituation(models.Model):
    """What the billing rules need to know about a person, from a date (billing-rules §9 to §11)."""

    _name = "essms.beneficiary.situation"
    _description = "Situation of a beneficiary"
    _inherit = ["mail.thread"]
    _order = "beneficiary_id, date_from desc, id desc"
    _check_company_auto = True

    beneficiary_id = fields.Many2one(
        "essms.beneficiary", required=True, ondelete="cascade", index=True, tracking=True
    )
    # The situation's company is its beneficiary's: check_company on beneficiary_id would filter the form's choices
    # on the still empty company of a new record.
    company_id = fields.Many2one(related="beneficiary_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_from = fields.Date(string="From", required=True, tracking=True, help="First day this situation applies.")
    gir_group = fields.Selection(
        selection=GIR_GROUPS, string="GIR group", tracking=True, help="Dependency (EHPAD): the resident's GIR group."
    )
    resources_monthly = fields.Monetary(
        string="Monthly resources",
        currency_field="currency_id",
        tracking=True,
        help="Resources of a month (AAH, pensions, wages): the daily hospital fee keeps 30 % of the AAH to the MAS "
        "resident; the contribution keeps the legal minimum.",
    )
    resources_known = fields.Boolean(
        string="Resources known",
        compute="_compute_resources_known",
        store=True,
        readonly=False,
        tracking=True,
        help="Untick when the resources are not known yet (a resource of 0.00 is a real amount).",
    )
    health_fund_id = fields.Many2one(
        "res.partner",
        string="Health-insurance fund",
        ondelete="restrict",
        tracking=True,
        help="The fund the beneficiary is affiliated to (CPAM, MSA...): invoiced for the health-insurance components.",
    )
    fjh_third_payer_id = fields.Many2one(
        "res.partner",
        string="Third payer of the daily hospital fee",
        ondelete="restrict",
        tracking=True,
        help="Complementary health insurance, or the département's social aid, paying the daily hospital fee the "
        "resident cannot pay.",
    )
    note = fields.Char()

    _sql_constraints = [
        (
            "beneficiary_date_unique",
            "UNIQUE(beneficiary_id, date_from)",
            "One situation per beneficiary and date: change the existing one.",
        ),
    ]

    @api.depends("resources_monthly")
    def _compute_resources_known(self):
        for situation in self:
            if situation.resources_monthly:
                situation.resources_known = True

    @api.constrains("resources_monthly")
    def _check_resources(self):
        for situation in self:
            if situation.resources_monthly < 0:
                raise ValidationError(
                    self.env._(
                        "Situation of %(name)s from %(date)s: the Monthly resources cannot be negative.",
                        name=situation.beneficiary_id.name,
                        date=format_date(self.env, situation.date_from),
                    )
                )

    @api.depends("beneficiary_id", "date_from")
    def _compute_display_name(self):
        for situation in self:
            situation.display_name = "%s – %s" % (
                situation.beneficiary_id.name or "",
                format_date(self.env, situation.date_from) if situation.date_from else "",
            )


class EssmsBeneficiaryWithSituation(models.Model):
    _inherit = "essms.beneficiary"

    situation_ids = fields.One2many("essms.beneficiary.situation", "beneficiary_id", string="Situations")


class EssmsBillingLineBlocked(models.Model):
    _inherit = "essms.billing.line"

    blocked = fields.Boolean(
        index=True,
        readonly=True,
        help="The person cannot be billed (a component without agreement, tariff or payer, a missing GIR group or "
        "resources): nothing is invoiced for them until the data is filled in and the run computed again.",
    )
