import logging
import time
from collections import defaultdict
from datetime import timedelta

import psycopg2.errors

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools import formatLang
from odoo.tools import mute_logger

from ..engine import addressee
from ..engine import prescription
from ..engine import settlement
from .essms_dunning_level import RECOVERY_STAGES
from .essms_recovery_claim import settlement_kind as claim_settlement_kind

_logger = logging.getLogger(__name__)

INVOICE_TEMPLATE = "essms_billing.report_invoice_document"
ALLOCATION_INVOICE_TEMPLATE = "essms_billing.report_allocation_invoice_document"
STATEMENT_REPORT = "essms_billing.action_report_nominative_statement"
# Each PDF takes seconds (tens under load), and Odoo stops a cron thread that works longer than limit_time_real
# (120 s by default, counted over every job and batch of one wake-up): the job stops starting new statements after
# STATEMENT_TIME_BUDGET seconds, commits, and comes back a little later for the rest.
STATEMENT_BATCH_SIZE = 10
STATEMENT_TIME_BUDGET = 40
STATEMENT_NEXT_BATCH = timedelta(seconds=30)
# A statement the PDF engine could not make is tried again by the job an hour later, a few times.
STATEMENT_RETRY_DELAY = timedelta(hours=1)
STATEMENT_MAX_ATTEMPTS = 5


class AccountMove(models.Model):
    _inherit = "account.move"

    essms_run_id = fields.Many2one("essms.billing.run", string="Billing run", index=True, copy=False, readonly=True)
    essms_run_kind = fields.Selection(
        selection=[("regular", "Regular"), ("recall", "Recall"), ("regularisation", "Regularisation")],
        string="Billing run kind",
        copy=False,
        readonly=True,
    )
    essms_beneficiary_id = fields.Many2one(
        "essms.beneficiary", string="Beneficiary", index=True, copy=False, readonly=True, check_company=True
    )
    essms_establishment_id = fields.Many2one(
        "essms.establishment", string="Establishment", index=True, copy=False, readonly=True, check_company=True
    )
    essms_period_start = fields.Date(string="Period start", copy=False, readonly=True)
    essms_period_end = fields.Date(string="Period end", copy=False, readonly=True)
    essms_line_ids = fields.One2many("essms.billing.line", "move_id", string="Billing lines", readonly=True)
    essms_allocation_call_ids = fields.One2many(
        "essms.allocation.call", "move_id", string="Allocation calls", readonly=True
    )
    essms_address_partner_id = fields.Many2one(
        "res.partner",
        string="Send to",
        compute="_compute_essms_address_partner_id",
        store=True,
        help="Where the invoice is sent: the guardian when the resident is represented (tutelle, habilitation "
        "familiale), else the customer; a curator receives a copy by e-mail.",
    )
    essms_statement_id = fields.Many2one(
        "ir.attachment",
        string="Nominative statement",
        copy=False,
        readonly=True,
        help="The PDF listing the beneficiaries of an invoice made per payer, sent with the invoice.",
    )
    essms_statement_error = fields.Char(
        string="Nominative statement error",
        copy=False,
        readonly=True,
        help="Why the nominative statement could not be rendered; it is rendered again when the invoice is sent.",
    )
    essms_statement_attempts = fields.Integer(string="Nominative statement attempts", copy=False, readonly=True)
    essms_statement_retry_at = fields.Datetime(
        string="Nominative statement retry",
        copy=False,
        readonly=True,
        help="When the job tries again to attach the nominative statement that could not be rendered.",
    )
    essms_recovery_stage = fields.Selection(
        selection=RECOVERY_STAGES,
        string="Recovery stage",
        copy=False,
        readonly=True,
        tracking=True,
        help="Where the claim stands in its recovery (recovery-rules §1); set by the dunning runs.",
    )
    essms_dunning_level_id = fields.Many2one(
        "essms.dunning.level", string="Last dunning level", copy=False, readonly=True, index="btree_not_null"
    )
    essms_dunning_date = fields.Date(string="Last reminder", copy=False, readonly=True)
    essms_payment_plan_ids = fields.Many2many(
        "essms.payment.plan", "account_move_essms_payment_plan_rel", "account_move_id", "essms_payment_plan_id",
        string="Payment plans", copy=False, readonly=True,
    )
    essms_dunning_line_ids = fields.One2many(
        "essms.dunning.letter.line", "move_id", string="Reminders", copy=False, readonly=True
    )
    essms_prescription_date = fields.Date(
        string="Time-barred on",
        compute="_compute_essms_prescription_date",
        store=True,
        index="btree_not_null",
        copy=False,
        help="The first day the claim can no longer be recovered (recovery-rules §5): 2 years after the due date "
        "for residents, families and guardians, 5 years for other private debtors, and for départements and "
        "other public payers 4 years from the 1 January after the year of the service. A partial payment, a "
        "signed payment plan, a recorded acknowledgment, court action, act of enforcement or declaration of "
        "the claim and, for a public payer, a written reminder start a new period; a formal notice does not; a "
        "mediation, a conciliation or a small-claims procedure suspends it. Empty while a suspension lasts.",
    )

    essms_recovery_event_ids = fields.Many2many(
        "essms.recovery.event", "essms_recovery_event_account_move_rel", "move_id", "event_id",
        string="Legal events", copy=False, readonly=True,
    )
    essms_prescription_timeline = fields.Html(
        string="Prescription clock", compute="_compute_essms_prescription_timeline", sanitize=False,
        help="Each event that moved the prescription date, or did not, and why.",
    )

    def init(self):
        res = super().init()
        # Never billed twice (billing-rules §8.1). A regular run bills one invoice per payer, establishment,
        # beneficiary (or none, for an invoice per payer) and month, unless it was cancelled. A recall or a
        # regularisation bills differences with what was billed, so the same month may be corrected by
        # several successive runs; each run bills one document per payer, beneficiary and month (or
        # per payer and beneficiary for a recall, whose period is the run's): its id is part of the key.
        self.env.cr.execute(
            SQL(
                """
                DROP INDEX IF EXISTS account_move_essms_billed_once;
                CREATE UNIQUE INDEX IF NOT EXISTS account_move_essms_regular_billed_once
                    ON account_move (essms_run_kind, partner_id, essms_establishment_id,
                                     COALESCE(essms_beneficiary_id, 0), essms_period_start)
                 WHERE essms_run_kind = 'regular' AND move_type = 'out_invoice' AND state != 'cancel';
                CREATE UNIQUE INDEX IF NOT EXISTS account_move_essms_corrected_once
                    ON account_move (essms_run_kind, essms_run_id, partner_id, essms_establishment_id,
                                     COALESCE(essms_beneficiary_id, 0), essms_period_start)
                 WHERE essms_run_kind IN ('recall', 'regularisation') AND state != 'cancel'
                """
            )
        )
        return res

    @api.depends("partner_id", "essms_beneficiary_id.legal_protection", "essms_beneficiary_id.protector_id")
    def _compute_essms_address_partner_id(self):
        recipients = self._essms_recipients()
        for move in self:
            move.essms_address_partner_id = recipients[move][0]

    def _essms_recipients(self):
        """``{move: (addressee, copy)}``: who receives the invoice and who a copy of it (engine/addressee.py, the
        rule shared with the dunning letters and the plans' notices). Only a resident's own invoice follows the
        person's protection: an invoice to a family, a guardian or a public payer goes to that payer."""
        result = {}
        for move in self:
            beneficiary = move.essms_beneficiary_id
            partner = move.partner_id
            if not beneficiary or partner != beneficiary.partner_id:
                result[move] = (partner, partner.browse())
                continue
            mail = addressee.recipients(
                beneficiary.legal_protection, partner.id, beneficiary.protector_id.id or None
            )
            result[move] = (partner.browse(mail.addressee), partner.browse(mail.copy or []))
        return result

    @api.depends(
        "move_type", "state", "invoice_date", "invoice_date_due", "essms_period_end",
        "commercial_partner_id.essms_payer_kind",
        "line_ids.matched_credit_ids.max_date",
        "essms_payment_plan_ids.date_signed",
        "essms_dunning_line_ids.letter_id.state",
        "essms_recovery_event_ids.kind", "essms_recovery_event_ids.date", "essms_recovery_event_ids.date_end",
    )
    def _compute_essms_prescription_date(self):
        if not all(self._ids):  # a form's new record: no row to read the events of yet
            claims = self.filtered(lambda move: move.move_type == "out_invoice" and move.state == "posted")
            (self - claims).essms_prescription_date = False
            dates = prescription.prescription_dates(claims._essms_prescription_claims().items())
            for move in claims:
                move.essms_prescription_date = dates[move.id]
            return
        # Every event, payment and module update recomputes this on thousands of invoices at once (batches of
        # 1 000, Odoo's prefetch): their clock's input comes in a few queries (_essms_prescription_rows, which
        # keeps the posted customer invoices), the engine computes on plain data, and the dates that changed are
        # written in one statement. The cache is filled as the ORM would, without marking it to write again.
        dates = prescription.prescription_dates(self._essms_prescription_rows().items())
        values = [dates.get(move_id) for move_id in self._ids]
        self.env.cr.execute(SQL(
            """
            UPDATE account_move move
               SET essms_prescription_date = new.prescription_date, write_uid = %(uid)s, write_date = %(now)s
              FROM unnest(%(ids)s::int[], %(dates)s::date[]) AS new(id, prescription_date)
             WHERE move.id = new.id AND move.essms_prescription_date IS DISTINCT FROM new.prescription_date
            """,
            uid=self.env.uid, now=self.env.cr.now(), ids=list(self._ids), dates=values,
        ))
        field = self._fields["essms_prescription_date"]
        pending = self & self.env.cache.get_dirty_records(self, field)  # an earlier value not flushed yet
        for move in pending:
            move.essms_prescription_date = dates.get(move.id)
        clean = self - pending
        self.env.cache.update(clean, field, [dates.get(move_id) for move_id in clean._ids], dirty=False)

    def _essms_prescription_rows(self):
        """``{move id: prescription.Claim}`` of the posted customer invoices of ``self``
        (saved records), read in a few queries whatever their number: the invoice and its payer, its latest
        partial payment (a matching the settlement rules call a payment), plan signed and written reminder sent,
        then its recorded legal events. What the ORM has not written yet is flushed first."""
        self.env["account.move"].flush_model([
            "move_type", "state", "invoice_date", "invoice_date_due", "date", "essms_period_end",
            "commercial_partner_id", "essms_taken_in_charge", "essms_payment_plan_ids", "essms_recovery_event_ids",
            "line_ids",
        ])
        self.env["account.move.line"].flush_model(["move_id", "account_id"])
        self.env["account.partial.reconcile"].flush_model(["debit_move_id", "credit_move_id", "max_date"])
        self.env["res.partner"].flush_model(["essms_payer_kind"])
        self.env["essms.payment.plan"].flush_model(["date_signed"])
        self.env["essms.dunning.letter"].flush_model(["state", "sent_date", "date"])
        self.env["essms.dunning.letter.line"].flush_model(["letter_id", "move_id"])
        self.env["essms.recovery.event"].flush_model(["kind", "date", "date_end"])
        self.env["essms.doubtful.batch"].flush_model(["account_move_id"])
        ids = list(self._ids)
        # The companies read by SQL: self.company_id would load every column of the batch's invoices.
        self.env.cr.execute(SQL("SELECT DISTINCT company_id FROM account_move WHERE id = ANY(%s)", ids))
        companies = self.env["res.company"].browse(row[0] for row in self.env.cr.fetchall())
        loss_accounts = self._essms_loss_accounts(companies)
        # Each relation aggregated for the whole batch (grouped by invoice, found by its indexed column), not
        # looked up per invoice by a correlated subquery whose plan depends on the tables' statistics.
        self.env.cr.execute(SQL(
            """
            WITH payment AS (
                SELECT debit.move_id, MAX(part.max_date) AS day
                  FROM account_move_line debit
                  JOIN account_account account ON account.id = debit.account_id
                  JOIN account_partial_reconcile part ON part.debit_move_id = debit.id
                  JOIN account_move_line credit ON credit.id = part.credit_move_id
                  JOIN account_move credit_move ON credit_move.id = credit.move_id
                 WHERE debit.move_id = ANY(%(ids)s) AND account.account_type = 'asset_receivable'
                   AND %(kind)s = %(payment)s
                 GROUP BY debit.move_id
            ), plan AS (
                SELECT rel.account_move_id AS move_id, MAX(plan.date_signed) AS day
                  FROM account_move_essms_payment_plan_rel rel
                  JOIN essms_payment_plan plan ON plan.id = rel.essms_payment_plan_id
                 WHERE rel.account_move_id = ANY(%(ids)s)
                 GROUP BY rel.account_move_id
            ), demand AS (
                SELECT line.move_id, MAX(COALESCE(letter.sent_date::date, letter.date)) AS day
                  FROM essms_dunning_letter_line line
                  JOIN essms_dunning_letter letter ON letter.id = line.letter_id
                 WHERE line.move_id = ANY(%(ids)s) AND letter.state = 'sent'
                 GROUP BY line.move_id
            )
            SELECT move.id, partner.essms_payer_kind,
                   COALESCE(move.invoice_date_due, move.invoice_date, move.date),
                   COALESCE(move.essms_period_end, move.invoice_date),
                   payment.day, plan.day, demand.day, move.essms_taken_in_charge
              FROM account_move move
              LEFT JOIN res_partner partner ON partner.id = move.commercial_partner_id
              LEFT JOIN payment ON payment.move_id = move.id
              LEFT JOIN plan ON plan.move_id = move.id
              LEFT JOIN demand ON demand.move_id = move.id
             WHERE move.id = ANY(%(ids)s) AND move.move_type = 'out_invoice' AND move.state = 'posted'
            """,
            kind=claim_settlement_kind(loss_accounts), payment=settlement.PAYMENT, ids=ids,
        ))
        moves = self.env.cr.fetchall()
        self.env.cr.execute(SQL(
            """
            SELECT rel.move_id, event.id, event.kind, event.date, event.date_end
              FROM essms_recovery_event_account_move_rel rel
              JOIN essms_recovery_event event ON event.id = rel.event_id
             WHERE rel.move_id = ANY(%s)
             ORDER BY event.date DESC, event.id DESC
            """,
            ids,
        ))
        events = defaultdict(list)
        for move_id, event_id, kind, day, end in self.env.cr.fetchall():
            events[move_id].append(prescription.Event(kind, day, end or None, key=event_id))
        return {
            move_id: prescription.Claim(
                payer_kind=payer_kind, due_date=due_date, right_date=right_date, last_payment=last_payment,
                last_plan=last_plan, last_demand=last_demand, events=tuple(events.get(move_id, ())),
                taken_in_charge=taken_in_charge,
            )
            for (move_id, payer_kind, due_date, right_date, last_payment, last_plan, last_demand,
                 taken_in_charge) in moves
        }

    def _essms_prescription_claims(self):
        """The clock's input of each posted customer invoice of ``self``: ``{move id: prescription.Claim}``.

        Saved invoices are read in a few queries (``_essms_prescription_rows``); a form's new record through the
        ORM's cache (its partials, plans, letters and events).
        """
        claims = self.filtered(lambda move: move.move_type == "out_invoice" and move.state == "posted")
        if not claims:
            return {}
        saved = claims.filtered("id")
        entries = saved._essms_prescription_rows()
        new = claims - saved
        if not new:
            return entries
        settlements = new._essms_settlement_kinds()
        for move in new:
            # A credit note or a write-off settles the claim without the debtor acknowledging it.
            paid = [partial.max_date for partial, kind in settlements[move.id]
                    if settlement.interrupts_prescription(kind)]
            last_payment = max(paid) if paid else None
            signed = [day for day in move.essms_payment_plan_ids.mapped("date_signed") if day]
            sent = [
                letter.sent_date.date() if letter.sent_date else letter.date
                for letter in move.essms_dunning_line_ids.letter_id
                if letter.state == "sent"
            ]
            entries[move.id] = prescription.Claim(
                payer_kind=move.commercial_partner_id.essms_payer_kind,
                due_date=move.invoice_date_due or move.invoice_date or move.date,
                right_date=move.essms_period_end or move.invoice_date,
                last_payment=last_payment,
                last_plan=max(signed) if signed else None,
                last_demand=max(sent) if sent else None,
                events=tuple(event._engine_event() for event in move.essms_recovery_event_ids),
                taken_in_charge=move.essms_taken_in_charge or None,
            )
        return entries

    def _essms_prescription_timelines(self):
        """Each invoice's clock event by event: ``{move id: prescription.Timeline}``."""
        return {key: prescription.timeline(claim) for key, claim in self._essms_prescription_claims().items()}

    @api.depends("essms_prescription_date", "essms_recovery_event_ids")
    def _compute_essms_prescription_timeline(self):
        timelines = self._essms_prescription_timelines()
        Event = self.env["essms.recovery.event"]
        for move in self:
            result = timelines.get(move.id)
            move.essms_prescription_timeline = Event._timeline_html(move, result) if result else False

    def _essms_settlement_kinds(self):
        """What settled each invoice of ``self`` so far: ``{move id: [(partial, engine.settlement kind)]}``, the
        matchings of its receivable lines, each a payment, a credit note or a write-off (``settlement.RULES``,
        which ``essms_recovery_claim.settlement_kind`` writes in SQL). A few queries for the whole batch."""
        loss_accounts = self._essms_loss_accounts(self.company_id)
        partials = self.line_ids.filtered(lambda line: line.account_type == "asset_receivable").matched_credit_ids
        # A doubtful claim written off is matched with its reclassification entry: no more a payment than a write-off.
        reclassifications = set(self.env["essms.doubtful.batch"].sudo().search_fetch(
            [("account_move_id", "in", partials.credit_move_id.move_id.ids)], ["account_move_id"]
        ).account_move_id.ids)
        result = {}
        for move in self:
            result[move.id] = [
                (partial, settlement.settlement_kind(
                    credit_note=partial.credit_move_id.move_id.move_type == "out_refund",
                    loss_account=bool(partial.credit_move_id.move_id.line_ids.account_id & loss_accounts),
                    reclassification=partial.credit_move_id.move_id.id in reclassifications,
                ))
                for line in move.line_ids if line.account_type == "asset_receivable"
                for partial in line.matched_credit_ids
            ]
        return result

    @api.model
    def _essms_loss_accounts(self, companies):
        """The loss accounts of ``companies`` (654, recovery-rules §7): an entry on them is a write-off."""
        accounts = self.env["account.account"]
        for company in companies:
            accounts |= accounts.with_company(company).sudo().search(
                [("code", "=like", "654%"), ("company_ids", "in", company.id)]
            )
        return accounts

    # Corrections -----------------------------------------------------------------------------------------

    def action_reverse(self):
        self._essms_check_manual_reversal()
        return super().action_reverse()

    def _essms_check_manual_reversal(self):
        """Refuse Odoo's *Reverse* (credit note by hand) on the documents of billing runs.

        A regularisation run bills the difference between what a month is due and what its runs billed: a
        credit note made by hand outside a run would not be counted, and the same amount would be credited
        twice. Corrections go through a regularisation run, which makes the credit note itself.
        """
        run_moves = self.filtered("essms_run_id")
        if run_moves:
            raise UserError(
                self.env._(
                    "%(names)s made by the billing run %(run)s cannot be reversed by hand: a regularisation would "
                    "then credit the same amount a second time. Correct the absences, stays, tariffs or decisions, "
                    "then create a billing run of kind Regularisation for the month: it makes the credit note or "
                    "the invoice of the difference only.",
                    names=", ".join(run_moves.mapped("name")),
                    run=", ".join(run_moves.essms_run_id.mapped("name")),
                )
            )

    # Printed documents -----------------------------------------------------------------------------------

    def _get_name_invoice_report(self):
        # The ESSMS layout replaces Odoo's for the run's invoices only, inside the same report action, so
        # Print, Send and the Factur-X embedding of account_edi_ubl_cii work as for any invoice.
        if self.essms_run_id:
            return INVOICE_TEMPLATE
        if self.sudo().essms_allocation_call_ids:
            return ALLOCATION_INVOICE_TEMPLATE
        return super()._get_name_invoice_report()

    def _essms_is_grouped(self):
        """An invoice made per payer: its beneficiaries are listed on the nominative statement."""
        self.ensure_one()
        return bool(self.essms_run_id) and not self.essms_beneficiary_id

    def _essms_represented_person(self):
        """The protected person named above the guardian's address ("M. X, represented by"), else nothing."""
        self.ensure_one()
        if self.essms_address_partner_id and self.essms_address_partner_id != self.partner_id:
            return self.partner_id
        return self.partner_id.browse()

    def _essms_invoice_details(self):
        """The detail table of the printed invoice: per billing line, its stored rows (billing-rules §13).

        Each row is what an invoice line bills: days x daily price, each reduced price, the contribution,
        the regularisation of an earlier month naming it; the days not billed are shown without an amount.
        Nothing is recomputed: the rows add up to the line's amount, which is what the invoice lines carry.
        """
        self.ensure_one()
        sign = -1 if self.move_type == "out_refund" else 1
        details = []
        lines = self.essms_line_ids.sudo()
        for line in lines.sorted(lambda line: (line.beneficiary_id.name or "", line.role, line.id)):
            rows = []
            for detail in line.detail_ids:
                day_row = detail._is_day_row()
                if detail.kind != "not_billed" and self.currency_id.is_zero(detail.amount):
                    continue
                rows.append({
                    "detail": detail,
                    "label": detail.reason,
                    "days": detail.quantity if day_row or detail.kind == "not_billed" else False,
                    "price": sign * detail.unit_price if day_row else False,
                    "amount": sign * detail.amount,
                })
            details.append({"line": line, "rows": rows, "amount": sign * line.amount})
        return details

    def _essms_statement_rows(self):
        """One row per beneficiary for the nominative statement: the month's activity and what is billed.

        The activity (days present, absences by kind) comes from the validated activity statement of the
        establishment and month, loaded in one query for all the invoices printed; the days and amounts billed
        are the stored detail rows of the invoice's lines, the month's own first, then each regularisation
        of an earlier month on a row of its own.
        """
        lines = self.essms_line_ids.sudo()
        activity = self.env["essms.activity.statement.line"].sudo().search_fetch(
            [
                ("stay_id", "in", lines.stay_id.ids),
                ("statement_id.period_start", "in", list(set(self.mapped("essms_period_start")))),
            ],
            [
                "statement_id", "stay_id", "days_present", "absence_hospital", "absence_personal",
                "absence_holidays", "absence_family_weekend", "absence_other", "days_full_price", "days_reduced",
                "days_resident", "days_not_billed",
            ],
        )
        by_stay = {(line.stay_id, line.statement_id.period_start): line for line in activity}
        lines.detail_ids.fetch(["kind", "base_kind", "quantity", "unit_price", "amount", "reason"])
        rows = {}
        for move in self:
            move_rows = []
            for line in move.essms_line_ids.sudo().sorted(lambda line: (line.beneficiary_id.name or "", line.id)):
                row = {
                    "line": line,
                    "beneficiary": line.beneficiary_id,
                    "stay": line.stay_id,
                    "activity": by_stay.get((line.stay_id, move.essms_period_start)),
                    **line._essms_billed_figures(),
                }
                move_rows.append(row)
            rows[move.id] = move_rows
        return rows

    @api.model
    def _essms_statement_totals(self, rows):
        """The statement's total row: the sums of its rows and of their regularisation rows."""
        totals = {"days_full": 0.0, "days_reduced": 0.0, "gross": 0.0, "contribution": 0.0, "net": 0.0}
        for row in rows:
            totals["days_full"] += row["days_full"]
            totals["days_reduced"] += row["days_reduced"]
            totals["gross"] += row["gross"]
            totals["contribution"] += row["contribution"]
            totals["net"] += row["line"].amount
            for regularisation in row["regularisations"]:
                if (regularisation.base_kind or regularisation.kind) == "contribution":
                    totals["contribution"] -= regularisation.amount
                else:
                    totals["gross"] += regularisation.amount
                    if regularisation.base_kind in ("full", "reduced"):
                        totals["days_%s" % regularisation.base_kind] += regularisation.quantity
        return totals

    @api.model
    def _cron_essms_attach_nominative_statements(self):
        """Attach the nominative statements of the invoices made per payer, a bounded batch per call.

        Triggered after invoicing rather than rendered inside it: PDF rendering is slow, may fail (and cannot
        run while the module is being installed), and must never hold back or undo posted invoices. A statement
        that failed is tried again an hour later, up to ``STATEMENT_MAX_ATTEMPTS`` times; sending the invoice
        tries again too, and refuses to send it without its statement.
        """
        domain = self._essms_statements_to_attach_domain()
        moves = self.search(domain, limit=STATEMENT_BATCH_SIZE, order="id")
        started = time.monotonic()
        done = 0
        for move in moves:
            if done and time.monotonic() - started > STATEMENT_TIME_BUDGET:
                break
            move.with_company(move.company_id)._essms_attach_nominative_statements()
            done += 1
        remaining = self.search_count(domain)
        # The rest in a later wake-up of the cron thread (a new time limit), not in this one.
        self.env["ir.cron"]._notify_progress(done=done, remaining=0)
        if remaining:
            self.env.ref("essms_billing.ir_cron_essms_nominative_statements")._trigger(
                fields.Datetime.now() + STATEMENT_NEXT_BATCH
            )

    @api.model
    def _essms_statements_to_attach_domain(self):
        return [
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("essms_run_id", "!=", False),
            ("essms_beneficiary_id", "=", False),
            ("essms_statement_id", "=", False),
            "|",
            ("essms_statement_error", "=", False),
            "&",
            ("essms_statement_retry_at", "!=", False),
            ("essms_statement_retry_at", "<=", fields.Datetime.now()),
        ]

    def _essms_attach_nominative_statements(self):
        """Render the nominative statements of the invoices made per payer, one PDF each, and attach them.

        The statement belongs to the invoice (billing-rules §6): it is stored on the move and sent with it. Each
        invoice is rendered on its own, in its own savepoint: one that fails does not hold back the others.
        """
        moves = self.filtered(lambda move: move._essms_is_grouped() and not move.essms_statement_id)
        attachments = self.env["ir.attachment"]
        failed = self.env["account.move"]
        for move in moves._essms_claim_for_statement():
            try:
                with self.env.cr.savepoint():
                    localized = move.with_context(lang=move._essms_company_lang())
                    attachments |= localized._essms_render_nominative_statements()
            except Exception as error:
                # The invoice is posted and numbered, a PDF that cannot be made now must not undo it.
                _logger.warning("Nominative statement of %s could not be rendered", move.name, exc_info=True)
                move._essms_statement_failed(error)
                failed |= move
        if failed.filtered("essms_statement_retry_at"):
            self.env.ref("essms_billing.ir_cron_essms_nominative_statements")._trigger(
                min(failed.filtered("essms_statement_retry_at").mapped("essms_statement_retry_at"))
            )
        return attachments

    def _essms_claim_for_statement(self):
        """The invoices no other job runner is attaching a statement to right now, locked until this transaction
        ends and read again: two runners never render and attach one invoice's statement twice."""
        if not self:
            return self
        self.flush_recordset()
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint(flush=False):
                self.env.cr.execute(SQL(
                    "SELECT id FROM account_move WHERE id IN %s ORDER BY id FOR NO KEY UPDATE SKIP LOCKED",
                    tuple(self.ids),
                ))
                claimed = {row[0] for row in self.env.cr.fetchall()}
        except psycopg2.errors.SerializationFailure:
            return self.browse()  # attached by another runner since this transaction began
        return self.filtered(lambda move: move.id in claimed)

    def _essms_statement_failed(self, error):
        """Record why the statement could not be made, in the chatter in the company's language, and when the job
        tries again."""
        self.ensure_one()
        attempts = self.essms_statement_attempts + 1
        retry = attempts < STATEMENT_MAX_ATTEMPTS
        reason = str(error.args[0] if isinstance(error, UserError) and error.args else error) or type(error).__name__
        self.write({
            "essms_statement_error": reason,
            "essms_statement_attempts": attempts,
            "essms_statement_retry_at": fields.Datetime.now() + STATEMENT_RETRY_DELAY if retry else False,
        })
        move = self.with_context(lang=self._essms_company_lang())
        if retry:
            body = move.env._(
                "The nominative statement could not be attached (attempt %(attempt)s): %(error)s. It is made again "
                "in an hour and when the invoice is sent; the invoice cannot be sent without it.",
                attempt=attempts,
                error=reason,
            )
        else:
            body = move.env._(
                "The nominative statement could not be attached after %(attempt)s attempts: %(error)s. It is made "
                "again when the invoice is sent; the invoice cannot be sent without it.",
                attempt=attempts,
                error=reason,
            )
        self.message_post(body=body)

    def _essms_company_lang(self):
        """The language of the people who read the invoice's chatter (a job runs as OdooBot, often in English)."""
        return self.company_id.partner_id.lang or self.env.lang

    def _essms_render_nominative_statements(self):
        """Render and attach the statement of ``self`` (an invoice made per payer, none attached yet): a PDF, also
        when the tests run (Odoo would fall back to HTML there, and the PDF engine would never be exercised)."""
        self.ensure_one()
        # Under tests, a web request gets HTML (refused below as no PDF); the job, outside any request, the PDF.
        report = self.env["ir.actions.report"]._essms_pdf_renderer(self.company_id)
        content, _report_type = report._render_qweb_pdf(STATEMENT_REPORT, res_ids=self.ids)
        if not content or not content.startswith(b"%PDF"):
            raise UserError(self.env._(
                "The PDF engine returned an empty document for %(document)s: it is not printed.",
                document=self.display_name,
            ))
        attachment = self.env["ir.attachment"].sudo().create({
            "name": self._essms_statement_filename(),
            "raw": content,
            "mimetype": "application/pdf",
            "res_model": self._name,
            "res_id": self.id,
        })
        self.write({
            "essms_statement_id": attachment.id,
            "essms_statement_error": False,
            "essms_statement_retry_at": False,
        })
        return attachment

    def _essms_format_days(self, days):
        """Days as the reader counts them: whole days without decimals, half days with one."""
        return formatLang(self.env, days, digits=0 if float(days).is_integer() else 1)

    def _essms_statement_filename(self):
        self.ensure_one()
        return self.env._("Nominative statement %(name)s.pdf", name=(self.name or "").replace("/", "_"))
