from datetime import date

from odoo.addons.essms_billing.engine.decisions import FilingRules
from odoo.addons.essms_billing.engine.decisions import date_of_effect
from odoo.addons.essms_billing.engine.decisions import filing_deadline
from odoo.addons.essms_billing.engine.decisions import next_fortnight_start
from odoo.addons.essms_billing.engine.decisions import renewal_alert_date

ENTRY_E = date(2025, 3, 10)


def test_filing_deadline_two_months_after_entry():
    assert filing_deadline(ENTRY_E) == date(2025, 5, 10)


def test_filing_deadline_extended_by_two_more_months():
    assert filing_deadline(ENTRY_E, extended=True) == date(2025, 7, 10)


def test_filing_deadline_clamped_to_month_end():
    assert filing_deadline(date(2024, 12, 31)) == date(2025, 2, 28)


def test_filing_deadline_follows_the_rules_passed_in():
    assert filing_deadline(ENTRY_E, rules=FilingRules(months=3)) == date(2025, 6, 10)


def test_example_e_filed_in_time_takes_effect_on_entry_day():
    assert date_of_effect(ENTRY_E, date(2025, 4, 2)) == ENTRY_E


def test_filed_on_the_deadline_is_in_time():
    assert date_of_effect(ENTRY_E, date(2025, 5, 10)) == ENTRY_E


def test_example_e_filed_late_takes_effect_next_fortnight():
    assert date_of_effect(ENTRY_E, date(2025, 5, 20)) == date(2025, 6, 1)


def test_filed_late_in_first_half_of_month_takes_effect_on_the_16th():
    assert date_of_effect(ENTRY_E, date(2025, 5, 11)) == date(2025, 5, 16)
    assert date_of_effect(ENTRY_E, date(2025, 6, 15)) == date(2025, 6, 16)


def test_extension_makes_a_late_filing_timely():
    assert date_of_effect(ENTRY_E, date(2025, 5, 20), extended=True) == ENTRY_E


def test_not_filed_has_no_date_of_effect():
    assert date_of_effect(ENTRY_E, None) is None


def test_next_fortnight_at_year_end():
    assert next_fortnight_start(date(2025, 12, 16)) == date(2026, 1, 1)
    assert next_fortnight_start(date(2025, 12, 1)) == date(2025, 12, 16)


def test_renewal_alert_months_before_end():
    assert renewal_alert_date(date(2030, 3, 9), 6) == date(2029, 9, 9)
    assert renewal_alert_date(date(2030, 8, 31), 6) == date(2030, 2, 28)
    assert renewal_alert_date(None, 6) is None
