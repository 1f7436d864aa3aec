"""The wording of the letters lives in QWeb templates, one per letter kind (issue 15, point 4): every kind of
dunning letter and the payment plan's notice render, in English and in French, the text they rendered when the
wording was Python (``_letter_texts``, ``_concerning_texts``, ``_notice_texts``), captured in
``letter_texts_before.json``.

The scenarios cover every sentence of the old code: each letter kind, the firm reminder announcing a formal
notice or another step, a formal notice with legal interest and a registered number, credits netted, payment
by transfer or cheque, a guardian's letter for represented persons (with and without a measure reference), the
person's and the curator's copies under curatelle, and the notice of a plan with one unpaid, one partly paid or
several late instalments, to the debtor, the guardian and the curator.

The fixture was captured from the Python wording before the move; the guardian's letter was captured again
afterwards, reading the protected persons and their invoices in the models' order (by name) instead of the order
of creation: the same lines, in that order.

``ESSMS_CAPTURE_LETTERS=1`` rewrites the fixture from the current templates (only when the wording is meant to
change).
"""

import json
import os
import re
from datetime import date
from pathlib import Path

from lxml import html as lxml_html

from odoo import Command
from odoo.tests import freeze_time
from odoo.tests import tagged

from .test_dunning import DunningCommon

FIXTURE = Path(__file__).with_name("letter_texts_before.json")
LETTER_REPORT = "essms_billing.action_report_essms_dunning_letter"
NOTICE_REPORT = "essms_billing.action_report_essms_payment_plan_notice"
RUN_DAY = date(2026, 3, 20)


BLOCKS = ("p", "div", "td", "th", "tr", "address", "table", "h1", "h2", "h3", "li", "br")


def article_texts(content):
    """The text of each copy (``div.article``) of a rendered report: one line per block (paragraph, cell…), its
    white space collapsed, so that the layout of the template's source does not count."""
    tree = lxml_html.fromstring(content)
    for style in tree.xpath("//style"):
        style.drop_tree()
    for element in tree.iter(*BLOCKS):
        element.tail = "\n" + (element.tail or "")
        element.text = "\n" + (element.text or "")
    texts = []
    for article in tree.xpath("//div[contains(concat(' ', @class, ' '), ' article ')]"):
        lines = article.text_content().replace("\N{NO-BREAK SPACE}", " ").splitlines()
        texts.append("\n".join(filter(None, (re.sub(r"\s+", " ", line).strip() for line in lines))))
    return texts


@tagged("post_install", "-at_install")
class TestLetterWording(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("base.lang_fr").active = True
        cls.family_policy = cls.env.ref("essms_billing.dunning_policy_family")
        cls.family_policy.legal_interest = True
        cls.departement = cls._create_payer("Département des Pyrénées-Orientales", zip="66000", city="Perpignan")
        cls.family = cls._create_payer("Famille Garcia", kind="family", zip="66100", city="Perpignan")
        cls.guardian = cls._create_payer("ATI 66 – Service mandataire", kind="guardian", zip="66000",
                                         city="Perpignan")
        cls.curator = cls._create_payer("Mme Élise Fabre", kind="guardian", zip="66200", city="Elne")
        cls.dupont = cls._resident("Louis Dupont", legal_protection="tutelle", protector_id=cls.guardian.id,
                                   protection_reference="RG 24/00123")
        cls.roux = cls._resident("Anne Roux", legal_protection="habilitation_familiale",
                                 protector_id=cls.guardian.id)
        cls.moreau = cls._resident("Paul Moreau", legal_protection="curatelle", protector_id=cls.curator.id,
                                   protection_reference="RG 23/00456")
        # The letters are rendered in the language of the test, not of the recipient.
        (cls.martin | cls.dupont | cls.roux | cls.moreau).partner_id.lang = False
        (cls.departement | cls.family | cls.guardian | cls.curator).lang = False
        cls.dunning_run = cls.env["essms.dunning.run"].create({"date": RUN_DAY})
        levels = {
            name: cls.env.ref("essms_billing.dunning_policy_%s" % name)
            for name in ("resident_reminder", "resident_firm", "resident_notice", "family_notice",
                         "departement_admin", "departement_demand")
        }
        # A policy whose firm reminder announces a step other than a formal notice.
        other = cls.env["essms.dunning.policy"].create({
            "name": "Other payers", "payer_kind": "other",
            "level_ids": [
                Command.create({"name": "Firm reminder", "sequence": 1, "delay_days": 30,
                                "letter_kind": "firm_reminder", "stage": "firm_reminder"}),
                Command.create({"name": "Final reminder before litigation", "sequence": 2, "delay_days": 60,
                                "letter_kind": "reminder", "stage": "firm_reminder"}),
            ],
        })
        other_payer = cls._create_payer("Mutuelle Catalane", kind="other", zip="66000", city="Perpignan")
        cls.letters = {}
        cls.invoices = cls.env["account.move"]

        def letter(key, partner, level, debtors, policy=None, **vals):
            lines = []
            for debtor, amount, beneficiary in debtors:
                move = cls._invoice(debtor, amount=amount, beneficiary=beneficiary)
                cls.invoices |= move
                lines.append(Command.create({
                    "move_id": move.id, "partner_id": debtor.id, "level_id": level.id,
                    "beneficiary_id": beneficiary.id if beneficiary else False,
                    "invoice_name": move.name, "due_date": move.invoice_date_due,
                    "period_start": date(2026, 1, 1), "period_end": date(2026, 1, 31),
                    "amount_total": amount, "residual": amount, "amount_due": amount,
                    "company_id": cls.company.id, "currency_id": cls.company.currency_id.id,
                }))
            cls.letters[key] = cls.env["essms.dunning.letter"].create({
                "run_id": cls.dunning_run.id, "company_id": cls.company.id, "currency_id": cls.company.currency_id.id,
                "partner_id": partner.id, "policy_id": (policy or level.policy_id).id, "level_id": level.id,
                "debtor_ids": [Command.set([debtor.id for debtor, _a, _b in debtors])],
                "registered_letter": level.registered_letter, "line_ids": lines, **vals,
            })

        martin = cls.martin.partner_id
        letter("reminder", martin, levels["resident_reminder"], [(martin, 723.32, cls.martin)])
        letter("firm_reminder_notice_next", martin, levels["resident_firm"], [(martin, 723.32, cls.martin)],
               credits_netted=100.0)
        letter("firm_reminder_other_next", other_payer, other.level_ids[0], [(other_payer, 250.0, None)])
        letter("formal_notice_interest_registered", cls.family, levels["family_notice"],
               [(cls.family, 1446.64, cls.martin)], registered_number="1A 234 567 8901 2")
        letter("formal_notice", martin, levels["resident_notice"], [(martin, 723.32, cls.martin)])
        letter("administrative_reminder", cls.departement, levels["departement_admin"],
               [(cls.departement, 2890.50, cls.martin)])
        letter("payment_demand", cls.departement, levels["departement_demand"],
               [(cls.departement, 2890.50, cls.martin)], credits_netted=90.5)
        letter("guardian_represented", cls.guardian, levels["resident_reminder"],
               [(cls.dupont.partner_id, 723.32, cls.dupont), (cls.roux.partner_id, 300.0, cls.roux)],
               # in the order of the names: the order the letter reads them in from the database
               represented_ids=[Command.set((cls.roux | cls.dupont).ids)])
        letter("curatelle_copy", cls.moreau.partner_id, levels["resident_firm"],
               [(cls.moreau.partner_id, 723.32, cls.moreau)], copy_partner_id=cls.curator.id)
        cls.bank_letters = ("payment_demand", "firm_reminder_notice_next", "formal_notice_interest_registered")

    def _add_bank(self):
        bank = self.env["res.bank"].create({"name": "Crédit Agricole Sud Méditerranée"})
        self.env["res.partner.bank"].create({
            "partner_id": self.company.partner_id.id, "acc_number": "FR76 1710 6000 0012 3456 7890 123",
            "bank_id": bank.id,
        })

    def _normalise(self, text):
        """The names numbered by sequences (invoices, plans) differ from one database to the next."""
        for number, move in enumerate(self.invoices.sorted("id"), start=1):
            text = text.replace(move.name, "{invoice %s}" % number)
        for plan in self.env["essms.payment.plan"].search([("company_id", "=", self.company.id)]):
            text = text.replace(plan.name, "{plan}")
        return text

    def _render(self, report, records, lang):
        # Read from the database, in the models' order (a guardian's protected persons and invoices by name),
        # not in the order the records were created in.
        self.env.invalidate_all()
        content = self.env["ir.actions.report"].with_context(lang=lang)._render_qweb_html(report, records.ids)[0]
        return [self._normalise(text) for text in article_texts(content)]

    def _letter_texts(self):
        texts = {}
        for lang in ("en_US", "fr_FR"):
            for key, letter in self.letters.items():
                texts["%s/%s" % (lang, key)] = self._render(LETTER_REPORT, letter, lang)
        self._add_bank()
        for lang in ("en_US", "fr_FR"):
            for key in self.bank_letters:
                texts["%s/%s/bank" % (lang, key)] = self._render(LETTER_REPORT, self.letters[key], lang)
        return texts

    def _plan(self, partner, amount=900.0):
        invoice = self._invoice(partner, amount=amount)
        self.invoices |= invoice
        with freeze_time(date(2026, 2, 5)):
            plan = self.env["essms.payment.plan"].create({
                "partner_id": partner.id, "move_ids": [Command.set(invoice.ids)], "instalment_count": 3,
                "date_first": date(2026, 2, 28),
            })
            plan.action_generate_instalments()
            plan.action_sign()
        return plan, invoice

    def _notice_texts(self):
        texts = {}
        plans = {}
        plan, _invoice = self._plan(self.martin.partner_id)
        plans["one_unpaid"] = (plan, date(2026, 3, 1))
        plan, invoice = self._plan(self.dupont.partner_id)
        with freeze_time(date(2026, 2, 27)):
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create({"amount": 100.0, "payment_date": date(2026, 2, 27)})._create_payments()
        plans["part_paid_guardian"] = (plan, date(2026, 3, 1))
        plan, _invoice = self._plan(self.moreau.partner_id)
        plans["several_late_curatelle"] = (plan, date(2026, 4, 1))
        for plan, day in plans.values():
            plan.write({"notice_for": date(2026, 2, 28), "notice_date": day})
        for lang in ("en_US", "fr_FR"):
            for key, (plan, _day) in plans.items():
                texts["%s/notice/%s" % (lang, key)] = self._render(NOTICE_REPORT, plan, lang)
        self._add_bank()
        for lang in ("en_US", "fr_FR"):
            texts["%s/notice/one_unpaid/bank" % lang] = self._render(NOTICE_REPORT, plans["one_unpaid"][0], lang)
        return texts

    def _check(self, texts, notices):
        if os.environ.get("ESSMS_CAPTURE_LETTERS"):
            before = json.loads(FIXTURE.read_text()) if FIXTURE.exists() else {}
            before.update(texts)
            FIXTURE.write_text(json.dumps(before, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
            return
        before = {
            key: value for key, value in json.loads(FIXTURE.read_text()).items() if ("/notice/" in key) == notices
        }
        self.assertEqual(sorted(texts), sorted(before), "the same scenarios")
        for key, copies in texts.items():
            with self.subTest(key):
                self.assertEqual(copies, before[key])

    def test_dunning_letters_render_the_same_text(self):
        texts = self._letter_texts()
        self.assertEqual(len(texts["en_US/curatelle_copy"]), 2, "the person's copy and the curator's")
        self.assertIn("MISE EN DEMEURE", texts["fr_FR/formal_notice"][0], "printed in French")
        self._check(texts, notices=False)

    def test_plan_notices_render_the_same_text(self):
        texts = self._notice_texts()
        self.assertEqual(len(texts["en_US/notice/several_late_curatelle"]), 2)
        self._check(texts, notices=True)

    def test_a_level_prints_its_own_report(self):
        """The level's "Letter" is an extension point: another report whose template calls the shared letter with
        its own wording (``body_template``) keeps the layout, the copies and the values, and is what is sent."""
        self.env["ir.ui.view"].create([
            {
                "name": "custom_letter", "type": "qweb", "key": "essms_billing.test_custom_letter",
                "arch": '<t t-name="essms_billing.test_custom_letter">'
                        '<t t-call="essms_billing.report_dunning_letter">'
                        "<t t-set=\"body_template\" t-value=\"'essms_billing.test_custom_body'\"/></t></t>",
            },
            {
                "name": "custom_body", "type": "qweb", "key": "essms_billing.test_custom_body",
                "arch": '<t t-name="essms_billing.test_custom_body">'
                        '<t t-call="essms_billing.report_dunning_letter_top"><t t-set="title">Our own reminder</t></t>'
                        "<p>Please pay <t t-out=\"values['amount']\"/>.</p>"
                        '<t t-call="essms_billing.report_dunning_letter_signature"/></t>',
            },
        ])
        report = self.env.ref(LETTER_REPORT).copy({
            "name": "Our own reminder", "report_name": "essms_billing.test_custom_letter",
        })
        letter = self.letters["curatelle_copy"]
        letter.level_id.report_id = report
        copies = self._render(letter.level_id.report_id.report_name, letter, "en_US")
        self.assertEqual(len(copies), 2, "the person's copy and the curator's")
        self.assertIn("Subject: Our own reminder\n", copies[0])
        self.assertIn("Please pay 723,32 €.\n", copies[0])
        self.assertIn("Subject: Our own reminder – copy for information", copies[1])
