from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import format_date

from ..models.essms_receivable_ageing import AGEING_DATE_KEY
from .download import download_file

# The payer kinds the operator may pick, one box each (Odoo has no multi-choice widget for a selection).
KIND_FIELDS = {
    "departement": "include_departement",
    "health_insurance": "include_health_insurance",
    "state": "include_state",
    "resident": "include_resident",
    "family": "include_family",
    "guardian": "include_guardian",
    "other": "include_other",
}


class EssmsReceivableAgeingExport(models.TransientModel):
    """Choose the as-of date and the scope of the due-date tracking sheet, then download it or analyse it."""

    _name = "essms.receivable.ageing.export"
    _description = "Due-date tracking sheet export"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    date = fields.Date(
        string="As of",
        required=True,
        default=fields.Date.context_today,
        help="What was owed on this date: invoices entered by then, less the payments matched by then.",
    )
    include_departement = fields.Boolean(string="Départements", default=True)
    include_health_insurance = fields.Boolean(string="Health insurance", default=True)
    include_state = fields.Boolean(string="State", default=True)
    include_resident = fields.Boolean(string="Residents", default=True)
    include_family = fields.Boolean(string="Families", default=True)
    include_guardian = fields.Boolean(string="Guardians", default=True)
    include_other = fields.Boolean(
        string="Other payers", default=True, help="Including customers with no payer kind and unknown payers."
    )
    establishment_ids = fields.Many2many(
        "essms.establishment",
        string="Establishments",
        check_company=True,
        help="Leave empty for all. Payments not matched yet belong to no establishment: they are left out when "
        "establishments are chosen.",
    )
    file = fields.Binary(string="Sheet", readonly=True, attachment=False)
    filename = fields.Char(readonly=True)

    @api.model
    def _kinds_in_order(self):
        return [value for value, _label in self.env["res.partner"]._fields["essms_payer_kind"].selection]

    def _selected_kinds(self):
        self.ensure_one()
        return [kind for kind in self._kinds_in_order() if self[KIND_FIELDS[kind]]]

    def _domain(self):
        self.ensure_one()
        kinds = self._selected_kinds()
        if not kinds:
            raise UserError(self.env._("Choose at least one payer kind."))
        domain = [("company_id", "=", self.company_id.id)]
        if len(kinds) < len(KIND_FIELDS):
            domain.append(("payer_kind", "in", kinds))
        if self.establishment_ids:
            domain.append(("establishment_id", "in", self.establishment_ids.ids))
        return domain

    def _filters_label(self):
        self.ensure_one()
        parts = []
        kinds = self._selected_kinds()
        if len(kinds) < len(KIND_FIELDS):
            labels = dict(self.env["res.partner"]._fields["essms_payer_kind"]._description_selection(self.env))
            parts.append(self.env._("Payer kinds: %(kinds)s", kinds=", ".join(labels[kind] for kind in kinds)))
        if self.establishment_ids:
            parts.append(
                self.env._("Establishments: %(names)s", names=", ".join(self.establishment_ids.mapped("name")))
            )
        return "; ".join(parts)

    def _render_xlsx(self):
        """The workbook's bytes for this wizard's date and scope."""
        self.ensure_one()
        service = self.env["essms.receivable.ageing.xlsx"]
        kinds = self._selected_kinds()
        documents = service._documents(self.date, self._domain(), kinds)  # streamed into the workbook
        return service._render(self.date, documents, self.company_id, kinds, self._filters_label())

    def action_export(self):
        self.ensure_one()
        content = self._render_xlsx()
        return download_file(
            self,
            content,
            self.env._("Due-date tracking %(date)s.xlsx", date=fields.Date.to_string(self.date)),
        )

    def action_open_analysis(self):
        """The pivot of the same items, as of the chosen date."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("essms_billing.essms_receivable_ageing_action")
        action["domain"] = self._domain()
        action["context"] = {AGEING_DATE_KEY: fields.Date.to_string(self.date)}
        action["name"] = self.env._("Due-date tracking as of %(date)s", date=format_date(self.env, self.date))
        return action
