"""Demo data of the payments and recovery side: what happened to the months billed before the demo's day.

The public payers paid the older months by transfers whose advices were imported and posted, the residents,
families and guardian services by cheques, transfers and direct debits registered in batches; each through the
addon's own paths (``essms.remittance``, ``essms.payment.batch``). A few claims are left unpaid or partly paid so
that a dunning run proposed on the demo's day has letters to show: residents, a guardian service representing
several people, a person under curatelle (with the curator's copy), a département (administrative reminder). One
claim is disputed (a recovery hold). The Département des Pyrénées-Orientales' last transfer waits as a draft
advice, with its bank statement line, for the operator to preview, correct and post.
"""

import base64
import random
from collections import defaultdict
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.addons.essms_billing.engine.dates import public_holidays

from .essms_demo_generator import PAYERS
from .essms_demo_generator import make_siret

DAY = timedelta(days=1)
# How many days after the invoice each public payer's transfer comes (the public accounting's delay).
TRANSFER_DELAYS = {"cd66": 28, "cd11": 35, "cd34": 41}
FRENCH_MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre",
    "décembre",
)
# The association's bank account: a fictitious bank, an IBAN with valid check digits (the Banque de France's
# specimen).
BANK_ACCOUNT = ("FR76 3000 1007 9412 3456 7890 185", "Banque du Roussillon – agence de Perpignan")
# Paid by no one we know: an invoice of another organisation the département paid us by mistake.
UNKNOWN_INVOICE = ("MAS/%d/00412", "Maison d'accueil spécialisée Le Ribéral", 3412.56)


def _amount(value):
    """``4687.68`` → ``"4 687,68"``: as the paying services write amounts."""
    return f"{value:,.2f}".replace(",", " ").replace(".", ",")


class EssmsDemoGenerator(models.AbstractModel):
    _inherit = "essms.demo.generator"

    @api.model
    def _setup_recovery_scenarios(self, company, date_ref=None):
        """Pay the months billed by ``_setup_billing_scenarios`` as their payers would have, but for a few claims
        left to remind; put one claim on hold (dispute); import the CD66's last advice without posting it.

        Returns the records made, by kind.
        """
        company = self._get_company(company)
        date_ref = fields.Date.to_date(date_ref) or fields.Date.context_today(self)
        french = self.env["res.lang"].search_count([("code", "=", "fr_FR")])
        generator = self.with_company(company).with_context(
            mail_create_nosubscribe=True, lang="fr_FR" if french else self.env.lang
        )
        return generator._record_recovery(company, date_ref)

    def _record_recovery(self, company, date_ref):
        months = [(date_ref - relativedelta(months=n)).replace(day=1) for n in (4, 3, 2)]
        runs = self.env["essms.billing.run"].search(
            [
                ("company_id", "=", company.id),
                ("kind", "=", "regular"),
                ("state", "=", "invoiced"),
                ("period_start", "in", months),
            ]
        )
        invoices = dict.fromkeys(months, self.env["account.move"])
        for run in runs:
            invoices[run.period_start] |= run.move_ids.filtered(
                lambda move: move.move_type == "out_invoice" and move.state == "posted"
            )
        bank = self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", company.id)], order="sequence, id", limit=1
        )
        self._setup_bank_account(company, bank)
        rng = random.Random(66)
        left_unpaid = self._pick_residents_left_unpaid(invoices, months)
        payments = self.env["account.payment"]
        for month in months:
            payments |= self._pay_residents(invoices[month], left_unpaid, bank, date_ref, rng)
        advices = self._pay_public_payers(invoices, months, bank, date_ref, rng)
        hold = self._record_dispute(left_unpaid, date_ref)
        return {"left_unpaid": left_unpaid, "payments": payments, "hold": hold, **advices}

    def _setup_bank_account(self, company, bank):
        """The association's account, where the transfers arrive: its IBAN goes on the dunning letters."""
        if company.partner_id.bank_ids:
            return company.partner_id.bank_ids[:1]
        account = self.env["res.partner.bank"].create(
            {
                "acc_number": BANK_ACCOUNT[0],
                "partner_id": company.partner_id.id,
                "bank_id": self.env["res.bank"].create({"name": BANK_ACCOUNT[1], "city": "Perpignan"}).id,
                "allow_out_payment": True,
            }
        )
        if bank and not bank.bank_account_id:
            bank.bank_account_id = account
        return account

    # Who does not pay ------------------------------------------------------------------------------------------

    def _pick_residents_left_unpaid(self, invoices, months):
        """``{role: (beneficiary, {invoice: amount paid})}``: the claims a dunning run will remind.

        Two people under the tutelle of the same mandataire service (not paid for the last two months billed, or
        the last one for a newcomer: one letter to the service), a person under curatelle (part of one month, not
        the next: the letter goes to the person, a copy to the curator), two residents without protection (one
        partly paid, one not paid the last month), and a resident whose family disputes a month (the claim is
        held).
        """
        older, last = months[1], months[2]
        resident_invoices = {
            month: moves.filtered(lambda move: move.commercial_partner_id.essms_payer_kind == "resident")
            for month, moves in invoices.items()
        }
        by_person = defaultdict(dict)
        for month in (older, last):
            for move in resident_invoices[month]:
                by_person[move.essms_beneficiary_id][month] = move
        deceased = self.env["essms.stay"].search(
            [("beneficiary_id", "in", [b.id for b in by_person]), ("end_reason", "=", "death")]
        ).beneficiary_id
        alive = sorted((b for b in by_person if b not in deceased), key=lambda beneficiary: beneficiary.file_number)
        candidates = [beneficiary for beneficiary in alive if len(by_person[beneficiary]) == 2]
        picked = {}
        by_service = defaultdict(list)
        for beneficiary in alive:
            if beneficiary.legal_protection == "tutelle" and beneficiary.protector_id.essms_payer_kind == "guardian":
                by_service[beneficiary.protector_id].append(beneficiary)
        if by_service:
            # The service's people billed both months first; one who entered lately owes one month only.
            service_people = sorted(max(by_service.values(), key=len), key=lambda b: -len(by_person[b]))[:2]
            for position, beneficiary in enumerate(service_people):
                unpaid = dict.fromkeys(by_person[beneficiary].values(), 0.0)
                picked["tutelle_%d" % (position + 1)] = (beneficiary, unpaid)
        taken = {beneficiary for beneficiary, _paid in picked.values()}
        curatelle = [b for b in candidates if b.legal_protection == "curatelle" and b.protector_id and b not in taken]
        if curatelle:
            beneficiary = curatelle[0]
            moves = by_person[beneficiary]
            picked["curatelle"] = (beneficiary, {moves[older]: self._part_of(moves[older]), moves[last]: 0.0})
        plain = [b for b in candidates if b.legal_protection == "none" and b not in taken]
        if len(plain) >= 3:
            partial, unpaid, disputed = plain[0], plain[len(plain) // 2], plain[-1]
            picked["partial"] = (
                partial, {by_person[partial][older]: self._part_of(by_person[partial][older]),
                          by_person[partial][last]: 0.0},
            )
            picked["unpaid"] = (unpaid, {by_person[unpaid][last]: 0.0})
            picked["dispute"] = (disputed, {by_person[disputed][older]: 0.0})
        return picked

    def _part_of(self, move):
        """A cheque for part of the invoice: about half of it, in round tens of euros."""
        return float(max(10, int(move.amount_residual / 2 / 10) * 10))

    # Residents' payments ---------------------------------------------------------------------------------------

    def _pay_residents(self, moves, left_unpaid, bank, date_ref, rng):
        """One batch of the month's payments: each resident, family or mandataire service pays its invoices."""
        paid_as = {move: amount for _b, plan in left_unpaid.values() for move, amount in plan.items()}
        by_payer = defaultdict(list)
        for move in moves.filtered(lambda move: move.commercial_partner_id.essms_payer_kind == "resident"):
            amount = paid_as.get(move, move.amount_residual)
            if move.currency_id.is_zero(amount):
                continue
            beneficiary = move.essms_beneficiary_id
            represented = beneficiary.protector_id and beneficiary.legal_protection in (
                "tutelle", "habilitation_familiale"
            )
            payer = beneficiary.protector_id if represented else move.partner_id
            by_payer[payer].append((move, amount))
        if not by_payer:
            return self.env["account.payment"]
        invoiced = min(moves.mapped("invoice_date"))
        lines = []
        for payer, items in sorted(by_payer.items(), key=lambda item: item[0].name):
            kind = payer.essms_payer_kind
            if kind == "guardian":
                method, delay = "transfer", 18
            else:
                method = rng.choices(("direct_debit", "transfer", "cheque"), (55, 20, 25))[0]
                delay = {"direct_debit": 7, "transfer": rng.randint(4, 14), "cheque": rng.randint(6, 20)}[method]
            day = self._working_day_before(min(invoiced + timedelta(days=delay), date_ref - DAY))
            month = FRENCH_MONTHS[items[0][0].essms_period_start.month - 1]
            reference = {
                "cheque": "Chèque n° %07d" % rng.randrange(1000000, 9999999),
                "transfer": "Virement %s – %s" % (payer.name, month),
                "direct_debit": "Prélèvement SEPA – %s" % month,
            }[method]
            lines.append(
                Command.create(
                    {
                        "partner_id": payer.id,
                        "amount": sum(amount for _move, amount in items),
                        "method": method,
                        "reference": reference,
                        "date": day,
                        "invoice_ids": [Command.set([move.id for move, _amount in items])],
                    }
                )
            )
        batch = self.env["essms.payment.batch"].create(
            {"company_id": self.env.company.id, "journal_id": bank.id, "date": invoiced + timedelta(days=7),
             "line_ids": lines}
        )
        batch.action_register()
        return batch.payment_ids

    # Public payers' transfers ----------------------------------------------------------------------------------

    def _pay_public_payers(self, invoices, months, bank, date_ref, rng):
        """The older months paid by transfers whose advices are imported and posted, but for the Hérault (one
        invoice of the oldest month, then nothing); the CD66's transfer for the last month billed is imported only.
        """
        payers = {
            key: self.env["res.partner"].search(
                [("company_id", "=", self.env.company.id), ("siret", "=", make_siret(*PAYERS[key]["siret"]))], limit=1
            )
            for key in TRANSFER_DELAYS
        }
        posted = self.env["essms.remittance"]
        for month in months[:2]:
            for key, payer in payers.items():
                moves = invoices[month].filtered(lambda move, payer=payer: move.commercial_partner_id == payer)
                if key == "cd34":
                    if month != months[0]:
                        continue  # the Hérault has not paid since
                    moves = moves.sorted("name")[1:]  # one invoice held back by its payment service
                if not moves:
                    continue
                rows = [(move, move.amount_residual) for move in moves.sorted("name")]
                posted |= self._advice(key, payer, month, rows, bank, date_ref, rng, post=True)
        # The CD66's transfer for the last month billed, with what such a file often has wrong.
        cd66 = payers["cd66"]
        last = invoices[months[2]].filtered(lambda move: move.commercial_partner_id == cd66).sorted("name")
        paid_before = posted.filtered(lambda advice: advice.partner_id == cd66).line_ids.move_id.sorted("name")
        rows = [(move, move.amount_residual) for move in last]
        if rows:
            move = rows[-1][0]
            contested = move.essms_line_ids.filtered(lambda line: line.amount > 0).sorted(
                lambda line: line.beneficiary_id.name
            )[:1]
            if contested:
                # One resident's month left out by the département: the invoice is partly paid.
                rows[-1] = (move, move.amount_residual - contested.amount)
        if paid_before:
            rows.append((paid_before[0], paid_before[0].amount_total))  # paid a second time
        rows.append(None)  # an invoice of another organisation
        draft = self.env["essms.remittance"]
        if last:
            draft = self._advice("cd66", cd66, months[2], rows, bank, date_ref, rng, post=False)
        return {"advices": posted, "draft_advice": draft}

    def _advice(self, key, payer, month, rows, bank, date_ref, rng, post):
        """The payer's advice file for ``rows`` (``(invoice, amount)``, None for a line nobody knows), its transfer
        on the bank statement, the advice imported, and posted when ``post``."""
        invoiced = max(row[0].invoice_date for row in rows if row)
        day = self._working_day_before(min(invoiced + timedelta(days=TRANSFER_DELAYS[key]), date_ref - DAY))
        number = "%d-%05d" % (day.year, rng.randrange(1000, 99999))
        content = self._advice_file(key, payer, month, rows, day, number, rng)
        total = self._advice_total(rows)
        self.env["account.bank.statement.line"].create(
            {
                "journal_id": bank.id,
                "date": day,
                "amount": total,
                "partner_id": payer.id,
                "payment_ref": "VIR SEPA %s AVIS %s" % (payer.name.upper(), number),
            }
        )
        advice = self.env["essms.remittance"].create(
            {
                "partner_id": payer.id,
                "date": day,
                "journal_id": bank.id,
                "file": base64.b64encode(content),
                "filename": "avis_paiement_%s_%s.csv" % (key, day.strftime("%Y%m%d")),
            }
        )
        advice.action_import()
        if post:
            advice.action_post()
        return advice

    def _advice_total(self, rows):
        return round(sum(round(row[1], 2) if row else UNKNOWN_INVOICE[2] for row in rows), 2)

    def _advice_file(self, key, payer, month, rows, day, number, rng):
        """The CSV as the payer's paying service sends it: Windows-1252, ``;``, decimal commas, dd/mm/yyyy, a title
        block and a total line."""
        period = month.strftime("%m/%Y")
        label = "%s %d" % (FRENCH_MONTHS[month.month - 1], month.year)
        total = self._advice_total(rows)
        lines = [
            payer.name.upper(),
            "Paierie départementale – avis de paiement n° %s" % number,
            "Créancier : %s" % self.env.company.name,
            "Date du virement : %s" % day.strftime("%d/%m/%Y"),
            "",
        ]
        if key == "cd66":
            lines.append("N° mandat;Date du mandat;N° facture;Établissement;Objet;Période;Montant réglé")
            for row in rows:
                mandate = "%d-%06d" % (day.year, rng.randrange(10000, 999999))
                mandated = (day - timedelta(days=4)).strftime("%d/%m/%Y")
                if row is None:
                    ref, establishment, amount = UNKNOWN_INVOICE
                    lines.append(";".join([mandate, mandated, ref % day.year, establishment,
                                           "Hébergement PH – %s" % label, period, _amount(amount)]))
                    continue
                move, amount = row
                lines.append(";".join([
                    mandate, mandated, move.name, move.essms_establishment_id.name,
                    "Hébergement PH – %s" % FRENCH_MONTHS[move.essms_period_start.month - 1],
                    move.essms_period_start.strftime("%m/%Y"), _amount(amount),
                ]))
        else:
            lines.append("N° facture;Nom Prénom;N° dossier;Période;Montant versé")
            for move, amount in rows:
                beneficiary = move.essms_beneficiary_id
                first, _space, surname = (beneficiary.name or "").partition(" ")
                lines.append(";".join([move.name, "%s %s" % (surname.upper(), first), beneficiary.file_number or "",
                                       move.essms_period_start.strftime("%m/%Y"), _amount(amount)]))
        lines.append("Total" + ";" * (lines[-1].count(";") - 1) + ";" + _amount(total))
        return ("\r\n".join(lines) + "\r\n").encode("cp1252")

    # Hold ------------------------------------------------------------------------------------------------------

    def _record_dispute(self, left_unpaid, date_ref):
        """The family of a resident disputes a month's contribution: the claim is held until the review date."""
        if "dispute" not in left_unpaid:
            return self.env["essms.recovery.hold"]
        beneficiary, plan = left_unpaid["dispute"]
        move = next(iter(plan))
        start = min(move.invoice_date + timedelta(days=12), date_ref - DAY)
        period = "%s %d" % (FRENCH_MONTHS[move.essms_period_start.month - 1], move.essms_period_start.year)
        return self.env["essms.recovery.hold"].create(
            {
                "reason": "dispute",
                "move_id": move.id,
                "date_start": start,
                "date_review": date_ref + timedelta(days=14),
                "note": "La famille de %s conteste la facture %s (%s) : selon elle, les jours d'hospitalisation "
                "n'ont pas été déduits. Relevé des absences du mois demandé à l'établissement le %s ; à revoir "
                "à sa réception." % (beneficiary.name, move.name, period, start.strftime("%d/%m/%Y")),
            }
        )

    # Helpers ---------------------------------------------------------------------------------------------------

    def _working_day_before(self, day):
        """``day``, or the last working day before it (weekends and French public holidays)."""
        closed = public_holidays((day.year - 1, day.year))
        while day.weekday() >= 5 or day in closed:
            day -= DAY
        return day
