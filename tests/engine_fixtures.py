"""Inputs of the worked examples shared by the engine tests (billing-rules §3)."""

from datetime import date
from decimal import Decimal

from odoo.addons.essms_billing.engine.days import AbsencePolicy
from odoo.addons.essms_billing.engine.days import StaySpan
from odoo.addons.essms_billing.engine.parameters import DatedValues

# The daily hospital fee: 20 € until 2026-02-28, 23 € from 2026-03-01.
FJH = DatedValues("fjh", ((date(2018, 1, 1), 20.0), (date(2026, 3, 1), 23.0)))
LONG_STAY = StaySpan(date(2024, 1, 1))
# Example C's policy: the first 72 h of each absence at full price, then price - FJH.
POLICY_C = AbsencePolicy(
    threshold_scope="each_absence",
    reduction_kind="fjh",
    reduction_value=Decimal(0),
    quota_days=0,
    after_quota="not_billed",
    count_weekends_holidays=True,
    hospital_separate_counter=False,
    holiday_contribution_exoneration=False,
)
