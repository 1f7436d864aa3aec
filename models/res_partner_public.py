from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools.pdf import merge_pdf

from .essms_third_party_notice import SUSPENDING_HOLDS

PUBLIC_REFERRAL_REPORT = "essms_billing.action_report_essms_public_referral"
SATD_REPORT = "essms_billing.action_report_essms_satd_third_party"


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _essms_make_bailiff_file(self):
        """A public body refers its titres to the commissaire de justice only with the authorising officer's
        permission and while no contest or stay suspends them (recovery-rules §4). Its file opens on the referral
        (the titres and why they are enforceable, the authorisations, the acts already done) and ends with the
        notices of the SATDs issued."""
        if self.env.company.essms_creditor_kind != "public_body":
            return super()._essms_make_bailiff_file()
        moves = self.commercial_partner_id._essms_bailiff_claims()
        today = fields.Date.context_today(self)
        authorised = self.env["essms.enforcement.authorisation"]._authorised_moves(moves, today)
        held = self.env["essms.recovery.hold"].sudo()._held_moves(moves, today, reasons=SUSPENDING_HOLDS)
        if moves - authorised:
            raise UserError(self.env._(
                "The authorising officer has not authorised enforcement of %(titres)s: no referral to the "
                "commissaire de justice without that permission.",
                titres=", ".join((moves - authorised).mapped("name"))))
        if held:
            raise UserError(self.env._(
                "%(titres)s: enforcement is suspended by a contest or a stay of payment; no referral to the "
                "commissaire de justice.", titres=", ".join(held.mapped("name"))))
        attachments = super()._essms_make_bailiff_file()
        debtor = self.commercial_partner_id
        report = self.env["ir.actions.report"]._essms_pdf_renderer()
        referral, _kind = report._render_qweb_pdf(PUBLIC_REFERRAL_REPORT, res_ids=debtor.ids)
        notices = debtor._essms_public_referral_values(moves)["notices"]
        documents = [referral]
        bundle = attachments.filtered(lambda attachment: attachment.mimetype == "application/pdf")
        documents += [bundle.raw] if bundle else []
        if notices:
            documents.append(report._render_qweb_pdf(SATD_REPORT, res_ids=notices.ids)[0])
        pdfs = [document for document in documents if document and document.startswith(b"%PDF")]
        if bundle and len(pdfs) > 1:
            bundle.raw = merge_pdf(pdfs)
        return attachments

    def _essms_public_referral_values(self, moves=None):
        """What the referral of a public body's titres shows: the titres, the authorisations covering them, the
        legal events recorded on them and their SATDs issued, each in date order."""
        self.ensure_one()
        moves = moves if moves is not None else self.commercial_partner_id._essms_bailiff_claims()
        today = fields.Date.context_today(self)
        Authorisation = self.env["essms.enforcement.authorisation"].sudo()
        authorisations = Authorisation.search([
            ("company_id", "in", moves.company_id.ids), ("date", "<=", today),
            "|", ("date_end", "=", False), ("date_end", ">", today),
            "|", ("scope", "=", "permanent"), ("move_ids", "in", moves.ids)], order="date, id")
        events = self.env["essms.recovery.event"].search(
            [("move_ids", "in", moves.ids)], order="date, id")
        notices = self.env["essms.third.party.notice"].search(
            [("move_ids", "in", moves.ids), ("state", "in", ("issued", "answered", "closed"))], order="date, id")
        return {"moves": moves, "authorisations": authorisations, "events": events, "notices": notices}
