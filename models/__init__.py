from . import (
    essms_absence,
    essms_absence_policy,
    essms_agreement,
    essms_beneficiary,
    essms_establishment,
    essms_funding_decision,
    essms_parameter,
    essms_stay,
    essms_tariff,
    res_company,
    res_partner,
)
