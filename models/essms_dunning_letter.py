import logging
from datetime import timedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import format_date
from odoo.tools import formatLang

from .essms_dunning_letter_line import check_company_in_bulk
from .essms_dunning_level import LETTER_KINDS

_logger = logging.getLogger(__name__)

LETTER_REPORT = "essms_billing.action_report_essms_dunning_letter"


class EssmsDunningLetter(models.Model):
    """One communication of a run to one addressee, covering all its overdue invoices at their levels.

    A frozen snapshot: the lines keep the invoices and the amounts due on the run's date, the letter keeps the
    recipients, the channels, the document sent and the sending state.
    """

    _name = "essms.dunning.letter"
    _description = "Dunning letter"
    _order = "run_id desc, partner_zip, partner_id, id"
    _check_company_auto = True

    run_id = fields.Many2one("essms.dunning.run", required=True, ondelete="cascade", index=True, check_company=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    # Stored, not related: the snapshot's currency, and what the amounts are written in when thousands are created.
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    date = fields.Date(related="run_id.date", store=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Addressee",
        required=True,
        index=True,
        check_company=True,
        help="Whom the letter is written to: the debtor, or the guardian who represents the debtor.",
    )
    partner_zip = fields.Char(related="partner_id.zip", string="Postal code", store=True)
    copy_partner_id = fields.Many2one(
        "res.partner", string="Copy to", check_company=True, help="The curator, who receives a copy."
    )
    debtor_ids = fields.Many2many("res.partner", string="Debtors", check_company=True)
    represented_ids = fields.Many2many(
        "essms.beneficiary",
        string="Protected persons",
        check_company=True,
        help="The people the guardian represents, named in the letter.",
    )
    policy_id = fields.Many2one("essms.dunning.policy", string="Policy", required=True)
    level_id = fields.Many2one("essms.dunning.level", string="Level")
    letter_kind = fields.Selection(related="level_id.letter_kind")
    line_ids = fields.One2many("essms.dunning.letter.line", "letter_id", string="Invoices")
    amount_due = fields.Monetary(compute="_compute_amount_due", store=True)
    credits_netted = fields.Monetary(
        string="Credits netted", help="Credit notes and payments not reconciled yet, deducted from the invoices."
    )
    channel_letter = fields.Boolean(string="Printed letter")
    channel_email = fields.Boolean(string="E-mail")
    channel_phone = fields.Boolean(string="Phone call")
    registered_letter = fields.Boolean()
    registered_number = fields.Char(string="Registered letter number")
    payment_deadline = fields.Date(compute="_compute_payment_deadline", store=True)
    state = fields.Selection(
        selection=[("draft", "To send"), ("excluded", "Excluded"), ("sent", "Sent"), ("error", "Error")],
        default="draft",
        required=True,
        index=True,
    )
    exclusion_reason = fields.Selection(
        selection=[("operator", "Excluded by the operator"), ("deceased", "Deceased: claim to declare to the estate")],
    )
    error_message = fields.Text(readonly=True)
    attachment_id = fields.Many2one("ir.attachment", string="Document", readonly=True, copy=False)
    mail_id = fields.Many2one("mail.mail", string="E-mail sent", readonly=True, copy=False)
    sent_date = fields.Datetime(readonly=True, copy=False)

    @api.depends("line_ids.amount_due")
    def _compute_amount_due(self):
        # Saved letters are summed by the database: a proposal computes 10 000 letters of 50 000 lines at once,
        # and reading the lines would also order them by letter (a join, after writing every letter first).
        saved = self.browse([letter.id for letter in self if isinstance(letter.id, int)])
        sums = dict(
            self.env["essms.dunning.letter.line"]._read_group(
                [("letter_id", "in", saved.ids)], ["letter_id"], ["amount_due:sum"]
            )
        ) if saved else {}
        for letter in self:
            if isinstance(letter.id, int):
                letter.amount_due = sums.get(letter, 0.0)
            else:
                letter.amount_due = sum(letter.line_ids.mapped("amount_due"))

    @api.depends("date", "level_id.payment_days")
    def _compute_payment_deadline(self):
        for letter in self:
            days = letter.level_id.payment_days
            letter.payment_deadline = letter.date + timedelta(days=days) if letter.date and days else False

    @api.depends("partner_id", "level_id")
    def _compute_display_name(self):
        for letter in self:
            letter.display_name = "%s – %s" % (letter.partner_id.name or "", letter.level_id.name or "")

    def _check_company(self, fnames=None):
        return super(EssmsDunningLetter, check_company_in_bulk(self, fnames))._check_company(fnames)

    @api.model
    def _create_with_lines(self, vals_list):
        """Create letters and their lines as two flat batches: nested line commands cost far more for thousands
        of letters (a proposal over 10 000 debtors). The lines are inserted in one statement (see
        ``_insert_lines``)."""
        lines_list = [vals.pop("line_ids", []) for vals in vals_list]
        letters = self.create(vals_list)
        self.env["essms.dunning.letter.line"]._insert_lines([
            {**command[2], "letter_id": letter.id, "currency_id": letter.currency_id.id,
             "company_id": letter.company_id.id}
            for letter, commands in zip(letters, lines_list, strict=True)
            for command in commands
        ])
        return letters

    # Actions -------------------------------------------------------------------------------------------

    def action_exclude(self):
        if self.filtered(lambda letter: letter.state not in ("draft", "error")):
            raise UserError(self.env._("Only a letter not sent yet can be excluded."))
        self.write({"state": "excluded", "exclusion_reason": "operator"})

    def action_include(self):
        if self.filtered(lambda letter: letter.state != "excluded" or letter.exclusion_reason == "deceased"):
            raise UserError(self.env._("Only a letter excluded by the operator can be put back."))
        self.write({"state": "draft", "exclusion_reason": False})

    def action_print(self):
        return self.env.ref(LETTER_REPORT).report_action(self)

    def _merge_vals(self, vals):
        """Add the lines of another proposal for the same addressee; the letter takes the higher level."""
        self.ensure_one()
        level = self.env["essms.dunning.level"].browse(vals["level_id"])
        write = {
            "line_ids": [
                (0, 0, {**command[2], "currency_id": self.currency_id.id, "company_id": self.company_id.id})
                for command in vals["line_ids"]
            ],
            "debtor_ids": [(4, partner_id) for partner_id in vals["debtor_ids"][0][2]],
            "represented_ids": [(4, person_id) for person_id in vals["represented_ids"][0][2]],
            "credits_netted": self.credits_netted + vals["credits_netted"],
        }
        if (level.sequence, level.delay_days, level.id) > (
            self.level_id.sequence, self.level_id.delay_days, self.level_id.id
        ):
            write.update({
                "level_id": level.id,
                "channel_letter": level.channel_letter,
                "channel_email": level.channel_email,
                "channel_phone": level.channel_phone,
                "registered_letter": level.registered_letter,
            })
        self.write(write)

    # Sending -------------------------------------------------------------------------------------------

    def _send(self):
        """Send each letter on its channels, in a savepoint: a failure is the letter's error, not a half send."""
        for letter in self:
            try:
                with self.env.cr.savepoint():
                    letter._send_one()
            except Exception as error:
                _logger.info("Dunning letter %s not sent", letter.id, exc_info=True)
                letter.write({"state": "error", "error_message": str(error) or error.__class__.__name__})

    def _send_one(self):
        self.ensure_one()
        moves = self.line_ids.move_id
        already = self.line_ids.filtered(lambda line: line.move_id.essms_dunning_level_id != line.previous_level_id)
        if already:
            raise UserError(
                self.env._(
                    "Invoice %(invoice)s was reminded by another run since this proposal: propose the run again.",
                    invoice=already[0].invoice_name,
                )
            )
        if self.channel_letter or self.channel_email:
            self._render_document()
        if self.channel_email:
            self._send_email()
        if self.channel_phone:
            self._schedule_call()
        for level, lines in self.line_ids.grouped("level_id").items():
            lines.move_id.write(
                {
                    "essms_recovery_stage": level.stage,
                    "essms_dunning_level_id": level.id,
                    "essms_dunning_date": self.date,
                }
            )
        self.write({"state": "sent", "sent_date": fields.Datetime.now(), "error_message": False})
        self._log_on_chatters(moves)

    def _render_document(self):
        # A letter is a PDF, also when the tests run (Odoo would fall back to HTML there).
        report = self.env["ir.actions.report"].with_company(self.company_id).with_context(force_report_rendering=True)
        content, _report_type = report._render_qweb_pdf(
            self.level_id.report_id.report_name or LETTER_REPORT, res_ids=self.ids
        )
        self.attachment_id = self.env["ir.attachment"].create({
            "name": self._document_filename(),
            "raw": content,
            "mimetype": "application/pdf",
            "res_model": self._name,
            "res_id": self.id,
        })

    def _document_filename(self):
        return "%s - %s - %s.pdf" % (self.level_id.name, self.partner_id.name, self.date)

    def _send_email(self):
        recipients = (self.partner_id | self.copy_partner_id).filtered("email")
        if not recipients:
            raise UserError(
                self.env._(
                    "%(partner)s has no e-mail address: the letter cannot be e-mailed.",
                    partner=self.partner_id.display_name,
                )
            )
        template = self.level_id.mail_template_id or self.env.ref("essms_billing.mail_template_essms_dunning_letter")
        mail_id = template.send_mail(
            self.id,
            force_send=True,
            raise_exception=False,
            email_values={
                "recipient_ids": [(6, 0, recipients.ids)],
                "attachment_ids": [(4, attachment_id) for attachment_id in self.attachment_id.ids],
                "auto_delete": False,
            },
        )
        mail = self.env["mail.mail"].browse(mail_id)
        self.mail_id = mail
        if mail.state == "exception":
            raise UserError(self.env._("The e-mail could not be sent: %(reason)s", reason=mail.failure_reason or ""))

    def _schedule_call(self):
        self.partner_id.activity_schedule(
            "mail.mail_activity_data_call",
            date_deadline=self.date,
            summary=self.env._("Dunning call: %(amount)s due", amount=self._format_amount(self.amount_due)),
            note=self.env._("Invoices: %(invoices)s", invoices=", ".join(self.line_ids.mapped("invoice_name"))),
            user_id=self.run_id.create_uid.id or self.env.uid,
        )

    def _log_on_chatters(self, moves):
        kind = dict(LETTER_KINDS).get(self.level_id.letter_kind, "")
        body = self.env._(
            "%(level)s sent on %(date)s for %(amount)s (%(run)s).",
            level=self.level_id.name,
            date=format_date(self.env, self.date),
            amount=self._format_amount(self.amount_due),
            run=self.run_id.name,
        )
        attachments = self.attachment_id.ids
        for partner in self.partner_id | self.debtor_ids:
            partner.message_post(body=body, attachment_ids=attachments, subtype_xmlid="mail.mt_note")
        _logger.debug("Logged %s on %s invoices", kind, len(moves))
        moves._message_log_batch(bodies=dict.fromkeys(moves.ids, body))

    def _format_amount(self, amount):
        return formatLang(self.env, amount, currency_obj=self.currency_id)

    # Printing ------------------------------------------------------------------------------------------

    def _letter_recipients(self):
        """The copies to print: one for the addressee and one for the curator, each in its own envelope."""
        self.ensure_one()
        return self.partner_id | self.copy_partner_id

    def _next_level(self):
        """The level that follows this letter's in its policy, named in a firm reminder."""
        self.ensure_one()
        levels = self.policy_id.level_ids.sorted(lambda level: (level.sequence, level.delay_days, level.id))
        following = levels.filtered(
            lambda level: (
                (level.sequence, level.delay_days, level.id)
                > (self.level_id.sequence, self.level_id.delay_days, self.level_id.id)
                and level.letter_kind != self.level_id.letter_kind
            )
        )
        return following.filtered(lambda level: level.channel_letter)[:1] or following[:1]

    def _legal_interest_rate(self):
        """The legal interest rate claimed by a formal notice when the policy enables it, else 0."""
        self.ensure_one()
        if not self.policy_id.legal_interest or self.level_id.letter_kind != "formal_notice":
            return 0.0
        return self.env["essms.parameter"].sudo().get_value("legal_interest_company", self.date)

    def _format_long_date(self, day):
        return format_date(self.env, day, date_format="d MMMM y")

    def _letter_texts(self, recipient):
        """The wording of the letter for ``recipient``, in the language of the environment (recovery-rules §2)."""
        self.ensure_one()
        kind = self.level_id.letter_kind
        amount = self._format_amount(self.amount_due)
        deadline = self._format_long_date(self.payment_deadline) if self.payment_deadline else ""
        company = self.company_id
        titles = {
            "reminder": self.env._("Reminder of unpaid invoices"),
            "firm_reminder": self.env._("Second reminder of unpaid invoices"),
            "formal_notice": self.env._("Formal notice to pay unpaid invoices"),
            "administrative_reminder": self.env._("Statement of unpaid invoices"),
            "payment_demand": self.env._("Written payment demand"),
        }
        paragraphs = []
        if kind == "reminder":
            paragraphs += [
                self.env._(
                    "Unless we are mistaken, the invoices listed below, which have fallen due, remain unpaid to date, "
                    "for a total of %(amount)s.",
                    amount=amount,
                ),
                self.env._("We would be grateful if you would settle this amount by %(deadline)s.", deadline=deadline),
            ]
        elif kind == "firm_reminder":
            paragraphs += [
                self.env._(
                    "Despite our previous reminder, the invoices listed below remain unpaid to date, for a total of "
                    "%(amount)s.",
                    amount=amount,
                ),
                self.env._("We ask you to pay this amount by %(deadline)s at the latest.", deadline=deadline),
            ]
            following = self._next_level()
            if following.letter_kind == "formal_notice":
                paragraphs.append(
                    self.env._(
                        "Failing payment by that date, we will send you a formal notice by registered "
                        "letter with acknowledgment of receipt."
                    )
                )
            elif following:
                paragraphs.append(
                    self.env._(
                        "Failing payment by that date, we will proceed to the next step: %(step)s.", step=following.name
                    )
                )
        elif kind == "formal_notice":
            paragraphs += [
                self.env._(
                    "Despite our previous reminders, the invoices listed below remain unpaid, for a total of "
                    "%(amount)s.",
                    amount=amount,
                ),
                self.env._(
                    "By this letter, we formally demand that you pay the sum of %(amount)s within %(days)s days of its "
                    "receipt, that is by %(deadline)s at the latest.",
                    amount=amount,
                    days=self.level_id.payment_days,
                    deadline=deadline,
                ),
            ]
            rate = self._legal_interest_rate()
            if rate:
                paragraphs.append(
                    self.env._(
                        "This sum bears interest at the legal rate, %(rate)s for the current half-year, from the date "
                        "of this formal notice (article 1344-1 of the Civil Code).",
                        rate=formatLang(self.env, rate) + "\N{NO-BREAK SPACE}%",
                    )
                )
            paragraphs += [
                self.env._(
                    "Failing payment within this deadline, we will refer the matter to a commissaire de justice to "
                    "obtain an enforceable title against you (order for payment), without further notice; the costs "
                    "of the proceedings may be charged to you."
                ),
                self.env._("This letter is a formal notice within the meaning of article 1344 of the Civil Code."),
            ]
        elif kind == "administrative_reminder":
            paragraphs += [
                self.env._(
                    "Unless we are mistaken, the invoices listed in the statement below, addressed to your department, "
                    "remain unpaid to date, for a total of %(amount)s.",
                    amount=amount,
                ),
                self.env._(
                    "We would be grateful if you would have them paid by %(deadline)s, or let us know what prevents "
                    "their payment (missing document, decision pending, disputed amount).",
                    deadline=deadline,
                ),
            ]
        elif kind == "payment_demand":
            paragraphs += [
                self.env._(
                    "Despite our administrative reminder, the invoices listed in the statement below remain unpaid, "
                    "for a total of %(amount)s.",
                    amount=amount,
                ),
                self.env._("We hereby ask you to pay this sum by %(deadline)s.", deadline=deadline),
                self.env._(
                    "This written demand for payment is made under article 2 of law no. 68-1250 of 31 December 1968."
                ),
            ]
        if self.credits_netted:
            paragraphs.append(
                self.env._(
                    "Your payments and credit notes not yet allocated, %(amount)s, have been deducted from the amounts "
                    "due.",
                    amount=self._format_amount(self.credits_netted),
                )
            )
        bank = company.partner_id.bank_ids[:1]
        if bank:
            payment = self.env._(
                "Please pay by bank transfer to IBAN %(iban)s (%(bank)s), quoting the invoice numbers, or by "
                "cheque payable to %(company)s.",
                iban=bank.acc_number,
                bank=bank.bank_id.name or company.name,
                company=company.name,
            )
        else:
            payment = self.env._(
                "Please pay by cheque payable to %(company)s, quoting the invoice numbers.", company=company.name
            )
        public = kind in ("administrative_reminder", "payment_demand")
        closing = []
        if not public:
            closing.append(
                self.env._("If you have difficulty paying, please contact us: a payment plan can be considered.")
            )
            if kind != "formal_notice":
                closing.append(self.env._("If your payment has crossed this letter, please disregard it."))
        city = company.partner_id.city
        date_text = self._format_long_date(self.date)
        registered = ""
        if self.registered_letter:
            registered = (
                self.env._(
                    "Registered letter with acknowledgment of receipt no. %(number)s", number=self.registered_number
                )
                if self.registered_number
                else self.env._("Registered letter with acknowledgment of receipt")
            )
        return {
            "title": titles.get(kind, self.level_id.name),
            "heading": self.env._("Formal notice") if kind == "formal_notice" else "",
            "subject": self.env._("Subject: %(title)s", title=titles.get(kind, self.level_id.name)),
            "place_date": self.env._("%(city)s, %(date)s", city=city, date=date_text) if city else date_text,
            "registered": registered,
            "concerning": self._concerning_texts(recipient),
            "salutation": self.env._("Dear Sir or Madam,"),
            "paragraphs": paragraphs,
            "payment": payment,
            "closing": closing,
            "regards": self.env._("Yours faithfully,"),
            "signatory": self.env._("The Finance Director"),
            "public": public,
        }

    def _concerning_texts(self, recipient):
        """Whom the letter is about, when it is not (only) the addressee: the protected persons and their measure."""
        measures = dict(self.env["essms.beneficiary"]._fields["legal_protection"]._description_selection(self.env))
        texts = []
        for person in self.represented_ids.sudo():
            measure = measures.get(person.legal_protection, "")
            if person.protection_reference:
                texts.append(
                    self.env._(
                        "Regarding: %(name)s, protected person under %(measure)s (measure %(reference)s), whom "
                        "you represent.",
                        name=person.name,
                        measure=measure.lower(),
                        reference=person.protection_reference,
                    )
                )
            else:
                texts.append(
                    self.env._(
                        "Regarding: %(name)s, protected person under %(measure)s, whom you represent.",
                        name=person.name,
                        measure=measure.lower(),
                    )
                )
        if self.copy_partner_id:
            person = self.env["essms.beneficiary"].sudo().search([("partner_id", "=", self.partner_id.id)], limit=1)
            reference = person.protection_reference or ""
            texts.append(
                self.env._(
                    "Letter sent to %(person)s, with a copy to %(curator)s, curator%(reference)s.",
                    person=self.partner_id.name,
                    curator=self.copy_partner_id.name,
                    reference=(" (%s)" % reference) if reference else "",
                )
            )
        return texts

    def _table_groups(self):
        """The lines by debtor (a guardian's letter covers several people), each with its subtotal."""
        self.ensure_one()
        groups = []
        for partner, lines in self.line_ids.grouped("partner_id").items():
            groups.append({"partner": partner, "lines": lines, "amount_due": sum(lines.mapped("amount_due"))})
        return groups
