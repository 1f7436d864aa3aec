"""Who receives a person's mail (engine/addressee.py, recovery-rules §2), across the four documents written about
what a resident owes: the invoice's printed address, the invoice e-mail (the send wizard's recipients), the
dunning letter and the notice of a payment plan. One resident per protection measure, each with a guardian
recorded, owing one invoice of 723.32 € due on 31 January 2026, reminded on 20 February.

Before issue 15 the invoice followed tutelle only: under habilitation familiale the invoice went to the person
and the reminders to the family member, and a curator never saw the invoice.
"""

from datetime import date

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import freeze_time
from odoo.tests import tagged

from .test_dunning import DunningCommon

RUN_DAY = date(2026, 2, 20)
MEASURES = ("none", "tutelle", "curatelle", "habilitation_familiale", "sauvegarde")


@tagged("post_install", "-at_install")
class TestAddressee(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.person = {}
        cls.guardian = {}
        cls.invoice = {}
        for measure in MEASURES:
            guardian = cls._create_payer(
                "Protector %s" % measure, kind="guardian", zip="66000", city="Perpignan",
                email="%s.protector@example.com" % measure,
            )
            person = cls._resident(
                "Person %s" % measure, legal_protection=measure,
                protector_id=guardian.id if measure != "none" else False, protection_reference="RG 24/00123",
            )
            person.partner_id.email = "%s.person@example.com" % measure
            cls.person[measure] = person
            cls.guardian[measure] = guardian
            cls.invoice[measure] = cls._invoice(person.partner_id, beneficiary=person)
        cls.dunning_run = cls.env["essms.dunning.run"].with_user(cls.operator).create({"date": RUN_DAY})
        cls.dunning_run.action_propose()
        cls.template = cls.env.ref("account.email_template_edi_invoice")

    def _documents(self, measure):
        """``(printed invoice's addressee, invoice e-mail recipients, letter (addressee, copy), notice recipients)``"""
        person = self.person[measure]
        move = self.invoice[measure]
        mail = self.env["account.move.send"]._get_default_mail_partner_ids(move, self.template, "fr_FR")
        letter = self.dunning_run.letter_ids.filtered(lambda letter: person.partner_id in letter.debtor_ids)
        self.assertEqual(len(letter), 1)
        with freeze_time(date(2026, 2, 21)):
            plan = self.env["essms.payment.plan"].with_user(self.operator).create({
                "partner_id": person.partner_id.id,
                "move_ids": [Command.set(move.ids)],
                "instalment_count": 2,
                "date_first": date(2026, 3, 31),
            })
        return move.essms_address_partner_id, mail, (letter.partner_id, letter.copy_partner_id), \
            plan._notice_recipients()

    def _assert_documents(self, measure, addressee, copy):
        nobody = self.env["res.partner"]
        invoice_to, mail_to, (letter_to, letter_copy), notice_to = self._documents(measure)
        self.assertEqual(invoice_to, addressee, "the printed invoice's addressee")
        self.assertEqual(mail_to, addressee | (copy or nobody), "the invoice e-mail's recipients")
        self.assertEqual(letter_to, addressee, "the dunning letter's addressee")
        self.assertEqual(letter_copy, copy or nobody, "the dunning letter's copy")
        self.assertEqual(notice_to, addressee | (copy or nobody), "the plan notice's recipients")

    def test_no_measure_the_person(self):
        self._assert_documents("none", self.person["none"].partner_id, None)

    def test_sauvegarde_the_person(self):
        self._assert_documents("sauvegarde", self.person["sauvegarde"].partner_id, None)

    def test_tutelle_the_guardian(self):
        self._assert_documents("tutelle", self.guardian["tutelle"], None)

    def test_habilitation_familiale_the_family_member_for_every_document(self):
        self._assert_documents("habilitation_familiale", self.guardian["habilitation_familiale"], None)

    def test_curatelle_the_person_with_a_copy_to_the_curator(self):
        self._assert_documents("curatelle", self.person["curatelle"].partner_id, self.guardian["curatelle"])

    def test_an_invoice_to_another_payer_ignores_the_measure(self):
        """A family paying for a represented resident receives its own invoice."""
        family = self._create_payer("Famille", kind="family", email="famille@example.com")
        move = self._invoice(family, beneficiary=self.person["tutelle"])
        self.assertEqual(move.essms_address_partner_id, family)
        mail = self.env["account.move.send"]._get_default_mail_partner_ids(move, self.template, "fr_FR")
        self.assertEqual(mail, family)

    def test_a_measure_that_routes_the_mail_needs_its_guardian(self):
        """The form requires the guardian exactly when the engine routes the mail through them, and the check
        says where the documents go."""
        self.assertEqual(
            {measure: self.person[measure].protector_required for measure in MEASURES},
            {"none": False, "sauvegarde": False, "tutelle": True, "curatelle": True, "habilitation_familiale": True},
        )
        with self.assertRaisesRegex(ValidationError, "addressed to the guardian, who represents the person"):
            self._create_beneficiary("Hugo Lefèvre", legal_protection="habilitation_familiale")
        with self.assertRaisesRegex(ValidationError, "addressed to the person, with a copy to the curator"):
            self._create_beneficiary("Hugo Lefèvre", legal_protection="curatelle")
