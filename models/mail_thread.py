"""The chatter's first message on the addon's records, in French that agrees with the record.

Odoo writes "<model description> created", which French renders "… créé" whatever the gender of the noun
("Campagne de relance créé"). Each model of the addon that keeps a chatter says its own sentence instead.
"""

from odoo import models

CREATION_MESSAGES = {
    "essms.absence": lambda env: env._("Absence recorded"),
    "essms.absence.policy": lambda env: env._("Absence policy created"),
    "essms.activity.statement": lambda env: env._("Activity statement created"),
    "essms.agreement": lambda env: env._("Agreement created"),
    "essms.allocation": lambda env: env._("Global allocation recorded"),
    "essms.approval.rule": lambda env: env._("Approval rule created"),
    "essms.beneficiary": lambda env: env._("Beneficiary file created"),
    "essms.beneficiary.situation": lambda env: env._("Situation recorded"),
    "essms.billing.run": lambda env: env._("Billing run created"),
    "essms.debtor.third.party": lambda env: env._("Third party of the debtor recorded"),
    "essms.doubtful.batch": lambda env: env._("Reclassification of doubtful receivables created"),
    "essms.dunning.policy": lambda env: env._("Dunning policy created"),
    "essms.dunning.run": lambda env: env._("Dunning run created"),
    "essms.enforcement.authorisation": lambda env: env._("Authorisation of enforcement given"),
    "essms.enforcement.batch": lambda env: env._("Mass SATD prepared"),
    "essms.establishment": lambda env: env._("Establishment created"),
    "essms.funding.decision": lambda env: env._("Funding decision recorded"),
    "essms.impairment": lambda env: env._("Year-end impairment created"),
    "essms.payment.plan": lambda env: env._("Payment plan created"),
    "essms.proceeding": lambda env: env._("Proceeding recorded"),
    "essms.promise": lambda env: env._("Promise to pay recorded"),
    "essms.recovery.event": lambda env: env._("Legal event recorded"),
    "essms.recovery.hold": lambda env: env._("Recovery hold created"),
    "essms.remission": lambda env: env._("Remission requested"),
    "essms.remittance": lambda env: env._("Payment advice created"),
    "essms.stay": lambda env: env._("Stay created"),
    "essms.tariff": lambda env: env._("Tariff created"),
    "essms.lever.request": lambda env: env._("Request to the CAF or the département proposed"),
    "essms.third.party.transfer": lambda env: env._("Transfer to the département created"),
    "essms.third.party.notice": lambda env: env._("SATD prepared"),
    "essms.writeoff": lambda env: env._("Write-off requested"),
}


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def _creation_message(self):
        message = CREATION_MESSAGES.get(self._name)
        if message is None:
            return super()._creation_message()
        self.ensure_one()
        return message(self.env)
