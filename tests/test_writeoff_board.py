"""The board list (recovery-rules §7): the write-offs proposed to a board meeting, printed by wkhtmltopdf (A4, in
French) and downloaded as a workbook by the operator; the board's decision recorded on the approved ones at once."""

import base64
import io
from datetime import date

from openpyxl import load_workbook

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import freeze_time
from odoo.tests import tagged

from .pdf_common import PdfMixin
from .test_writeoff import WriteoffCommon

MEETING = date(2026, 6, 25)


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestWriteoffBoard(WriteoffCommon, PdfMixin):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.lang = "fr_FR"
        cls.durand = cls._resident("Paul Durand", "66200", "Elne")
        first = cls._invoice(cls.martin.partner_id)
        second = cls._invoice(cls.martin.partner_id, amount=120.5, due=date(2026, 2, 28))
        other = cls._invoice(cls.durand.partner_id, amount=310.0)
        cls.env["essms.recovery.hold"].create({"reason": "over_indebtedness", "partner_id": cls.durand.partner_id.id,
                                               "date_start": date(2026, 3, 2)})
        Writeoff = cls.env["essms.writeoff"]
        cls.approved = Writeoff.create({
            "partner_id": cls.martin.partner_id.id, "reason": "insolvent", "date": date(2026, 6, 28),
            "reason_note": "Recherches d'adresse infructueuses.",
            "line_ids": [Command.create({"move_id": first.id, "amount": 723.32}),
                         Command.create({"move_id": second.id, "amount": 120.5})]})
        cls.approved.action_submit()
        cls.approved.with_user(cls.manager).action_approve()
        cls.waiting = Writeoff.create({
            "partner_id": cls.durand.partner_id.id, "kind": "extinction", "reason": "erased", "date": date(2026, 6, 28),
            "line_ids": [Command.create({"move_id": other.id, "amount": 310.0})]})
        cls.waiting.action_submit()

    def test_board_list_printed_downloaded_and_decided(self):
        board = self.env["essms.writeoff.board"].with_user(self.operator).create({"date_meeting": MEETING})
        self.assertEqual(board.writeoff_ids, self.approved | self.waiting)
        self.assertEqual(board.amount, 1153.82)

        content = self.render_report("essms_billing.action_report_essms_writeoff_board", board.with_user(
            self.operator), lang="fr_FR")
        self.keep_pdf("board_list.pdf", content)
        text = " ".join(self.assert_pdf(content).split())
        # (The wording of the list is French once the .pot has its terms; the data are checked here.)
        for expected in ("Association Les Oliviers", "25/06/2026", "Jeanne Martin",
                         "Paul Durand", self.approved.name, self.waiting.name, "Admission en non-valeur",
                         "Débiteur insolvable", "723,32 €", "120,50 €", "843,82 €", "1 153,82 €",
                         "Recherches d'adresse infructueuses.", "Surendettement", "Page 1 / 1"):
            self.assertIn(expected, text.replace("\u202f", " ").replace("\xa0", " "))

        board.with_user(self.operator).with_context(lang="fr_FR").action_export()
        book = load_workbook(io.BytesIO(base64.b64decode(board.file)))
        proposals = [row for row in book.worksheets[0].iter_rows(min_row=5, values_only=True) if row[0]]
        self.assertEqual([(row[0], row[5]) for row in proposals], [
            (self.approved.name, 843.82), (self.waiting.name, 310.0), (proposals[-1][0], 1153.82)])
        invoices = [row for row in book.worksheets[1].iter_rows(min_row=5, values_only=True) if row[0]]
        self.assertEqual(len(invoices), 4)  # three invoices and the total

        # The decision goes to the approved write-off only; posting stays the finance director's.
        with self.assertRaisesRegex(UserError, "deliberation"):
            board.with_user(self.operator).action_record_decision()
        board.with_user(self.operator).board_reference = "CA 2026-06-25"
        board.with_user(self.operator).action_record_decision()
        self.assertEqual((self.approved.board_reference, self.approved.date_decision), ("CA 2026-06-25", MEETING))
        self.assertFalse(self.waiting.board_reference)
        self.approved.with_user(self.manager).action_post()
        self.assertEqual(self.approved.state, "posted")
