from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError
from odoo.tools import SQL
from odoo.tools import format_date

from .essms_stay import ACCOMMODATIONS


class EssmsTariff(models.Model):
    _name = "essms.tariff"
    _description = "Dated tariff of an agreement"
    _inherit = ["mail.thread"]
    _order = "agreement_id, accommodation, kind, date_from desc"
    _check_company_auto = True

    agreement_id = fields.Many2one(
        "essms.agreement", required=True, ondelete="cascade", index=True, tracking=True
    )
    establishment_id = fields.Many2one(related="agreement_id.establishment_id", store=True, index=True)
    payer_id = fields.Many2one(related="agreement_id.payer_id", store=True)
    company_id = fields.Many2one(related="agreement_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="agreement_id.currency_id")
    accommodation = fields.Selection(
        string="Accommodation type",
        selection=ACCOMMODATIONS,
        required=True,
        default="full_board",
        tracking=True,
    )
    kind = fields.Selection(
        selection=[
            ("accommodation", "Accommodation"),
            ("dependency", "Dependency"),
            ("care", "Care"),
            ("reservation", "Place reservation"),
        ],
        required=True,
        default="accommodation",
        tracking=True,
    )
    date_from = fields.Date(
        string="Start date", required=True, tracking=True, help="Date of effect written in the tariff decree."
    )
    date_to = fields.Date(string="End date", tracking=True)
    gir_group = fields.Selection(
        selection=[("1_2", "GIR 1-2"), ("3_4", "GIR 3-4"), ("5_6", "GIR 5-6")],
        string="GIR group",
        tracking=True,
        help="Dependency tariffs: one daily price per GIR group (1-2, 3-4, 5-6).",
    )
    amount = fields.Monetary(string="Daily price", currency_field="currency_id", required=True, tracking=True)
    decree_ref = fields.Char(string="Decree reference", tracking=True, help="Reference of the arrêté de tarification.")

    @api.depends("agreement_id", "kind", "accommodation", "amount", "date_from")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for tariff in self:
            tariff.display_name = "%s – %s %s (%s)" % (
                tariff.agreement_id.name or "",
                kinds.get(tariff.kind, ""),
                tariff.amount,
                tariff.date_from or "",
            )

    @api.constrains("date_from", "date_to", "amount")
    def _check_values(self):
        for tariff in self:
            if tariff.date_to and tariff.date_to < tariff.date_from:
                raise ValidationError(
                    self.env._(
                        "Tariff of %(agreement)s from %(start)s: the End date %(end)s is before the Start date.",
                        agreement=tariff.agreement_id.name,
                        start=format_date(self.env, tariff.date_from),
                        end=format_date(self.env, tariff.date_to),
                    )
                )
            if tariff.amount < 0:
                raise ValidationError(
                    self.env._(
                        "Tariff of %(agreement)s from %(start)s: the Daily price cannot be negative.",
                        agreement=tariff.agreement_id.name,
                        start=format_date(self.env, tariff.date_from),
                    )
                )

    @api.constrains("agreement_id", "accommodation", "kind", "gir_group", "date_from", "date_to")
    def _check_no_overlap(self):
        """One price per agreement, accommodation, kind and day: the engine must never have to choose."""
        self.flush_model(["agreement_id", "accommodation", "kind", "gir_group", "date_from", "date_to"])
        # Plain comparisons rather than date ranges: a tariff ending before it starts must reach the clear
        # message of _check_values, not a range error of PostgreSQL.
        self.env.cr.execute(
            SQL(
                """
                SELECT a.id, b.id
                  FROM essms_tariff a
                  JOIN essms_tariff b
                    ON b.agreement_id = a.agreement_id
                   AND b.accommodation = a.accommodation
                   AND b.kind = a.kind
                   AND b.gir_group IS NOT DISTINCT FROM a.gir_group
                   AND b.id != a.id
                   AND a.date_from <= COALESCE(b.date_to, 'infinity'::date)
                   AND b.date_from <= COALESCE(a.date_to, 'infinity'::date)
                 WHERE a.id IN %(ids)s
                   AND a.date_from <= COALESCE(a.date_to, 'infinity'::date)
                 LIMIT 1
                """,
                ids=tuple(self.ids),
            )
        )
        row = self.env.cr.fetchone()
        if row:
            tariff, other = self.browse(row)
            accommodations = dict(self._fields["accommodation"]._description_selection(self.env))
            kinds = dict(self._fields["kind"]._description_selection(self.env))
            raise ValidationError(
                self.env._(
                    "Tariff of %(agreement)s (%(accommodation)s, %(kind)s) from %(start)s overlaps the tariff from "
                    "%(other_start)s to %(other_end)s: one daily price per accommodation and kind on a given day. "
                    "Set the End date of the older tariff before the Start date of the new one.",
                    agreement=tariff.agreement_id.name,
                    accommodation=accommodations[tariff.accommodation],
                    kind=kinds[tariff.kind],
                    start=format_date(self.env, tariff.date_from),
                    other_start=format_date(self.env, other.date_from),
                    other_end=format_date(self.env, other.date_to) or self.env._("no end"),
                )
            )

    @api.constrains("kind", "gir_group")
    def _check_gir_group(self):
        for tariff in self:
            if tariff.kind == "dependency" and not tariff.gir_group:
                raise ValidationError(
                    self.env._(
                        "Tariff of %(agreement)s from %(start)s: a dependency tariff needs its GIR group.",
                        agreement=tariff.agreement_id.name,
                        start=format_date(self.env, tariff.date_from),
                    )
                )
