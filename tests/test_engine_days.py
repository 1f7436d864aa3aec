"""Day classification (billing-rules §3): what each day of a month becomes, and the yearly counters."""

from dataclasses import replace
from datetime import date
from datetime import datetime
from decimal import Decimal

from odoo.addons.essms_billing.engine.days import Absence
from odoo.addons.essms_billing.engine.days import DayReason
from odoo.addons.essms_billing.engine.days import DayStatus
from odoo.addons.essms_billing.engine.days import StaySpan
from odoo.addons.essms_billing.engine.days import YearCounters
from odoo.addons.essms_billing.engine.days import classify_days

from .engine_fixtures import LONG_STAY
from .engine_fixtures import POLICY_C

JULY = (date(2025, 7, 1), date(2025, 7, 31))

# Example D's policy: 3 days at full price once a year, then reduced up to day 105, then not billed.
POLICY_D = replace(POLICY_C, threshold_scope="once_a_year", quota_days=105)

ABSENCES_C = (
    Absence("family_weekend", date(2025, 7, 5), date(2025, 7, 6)),
    Absence("hospital", datetime(2025, 7, 10, 9, 0), datetime(2025, 7, 20, 18, 0)),
)


def statuses(classification):
    return {day.day: day.status for day in classification.days}


def count(classification, status, reason=None):
    return sum(1 for day in classification.days if day.status == status and reason in (None, day.reason))


def test_example_c_short_absence_full_price_then_reduction_after_72_hours():
    july = classify_days(LONG_STAY, ABSENCES_C, POLICY_C, *JULY, YearCounters(2025))
    assert count(july, DayStatus.PRESENT) == 18
    assert count(july, DayStatus.ABSENT_FULL_PRICE, DayReason.SHORT_ABSENCE) == 2
    assert count(july, DayStatus.ABSENT_FULL_PRICE, DayReason.WITHIN_THRESHOLD) == 3
    assert count(july, DayStatus.ABSENT_REDUCED) == 8
    reduced = [day.day for day in july.days if day.status == DayStatus.ABSENT_REDUCED]
    assert reduced[0] == date(2025, 7, 13) and reduced[-1] == date(2025, 7, 20)
    assert july.absence_days("hospital") == 11
    assert july.absence_days() == 13
    assert july.days_in_stay == 31


def test_example_c_reduced_from_day_one():
    policy = replace(POLICY_C, reduction_start="first_day")
    july = classify_days(LONG_STAY, ABSENCES_C, policy, *JULY, YearCounters(2025))
    assert count(july, DayStatus.ABSENT_REDUCED) == 11
    assert count(july, DayStatus.ABSENT_FULL_PRICE) == 2  # the weekend, under 72 h


def test_absence_of_exactly_72_hours_is_at_full_price_and_one_minute_more_is_reduced():
    exactly = Absence("personal", datetime(2025, 7, 7, 10, 0), datetime(2025, 7, 10, 10, 0))
    july = classify_days(
        LONG_STAY, (exactly,), replace(POLICY_C, reduction_start="first_day"), *JULY, YearCounters(2025)
    )
    assert count(july, DayStatus.ABSENT_FULL_PRICE, DayReason.SHORT_ABSENCE) == 4
    assert july.counters.absence_days == 0

    longer = replace(exactly, end=datetime(2025, 7, 10, 10, 1))
    july = classify_days(
        LONG_STAY, (longer,), replace(POLICY_C, reduction_start="first_day"), *JULY, YearCounters(2025)
    )
    assert count(july, DayStatus.ABSENT_REDUCED) == 4


def test_absence_ending_at_midnight_does_not_touch_the_next_day():
    absence = Absence("personal", datetime(2025, 7, 7, 0, 0), datetime(2025, 7, 12, 0, 0))
    july = classify_days(LONG_STAY, (absence,), POLICY_C, *JULY, YearCounters(2025))
    assert july.absence_days() == 5
    assert statuses(july)[date(2025, 7, 12)] == DayStatus.PRESENT


def test_example_d_first_three_days_once_a_year_then_reduced_and_counter_12_of_105():
    absence = Absence("personal", date(2025, 3, 3), date(2025, 3, 14))
    march = classify_days(LONG_STAY, (absence,), POLICY_D, date(2025, 3, 1), date(2025, 3, 31), YearCounters(2025))
    assert count(march, DayStatus.ABSENT_FULL_PRICE) == 3
    assert count(march, DayStatus.ABSENT_REDUCED) == 9
    assert march.counters == YearCounters(2025, absence_days=12, threshold_days=3)


def test_once_a_year_threshold_is_not_granted_again_to_a_second_absence():
    counters = YearCounters(2025, absence_days=12, threshold_days=3)
    absence = Absence("personal", date(2025, 5, 5), date(2025, 5, 9))
    may = classify_days(LONG_STAY, (absence,), POLICY_D, date(2025, 5, 1), date(2025, 5, 31), counters)
    assert count(may, DayStatus.ABSENT_REDUCED) == 5
    assert count(may, DayStatus.ABSENT_FULL_PRICE) == 0
    assert may.counters.absence_days == 17


def test_each_absence_threshold_is_granted_again_to_a_second_absence():
    first = Absence("personal", date(2025, 7, 1), date(2025, 7, 5))
    second = Absence("personal", date(2025, 7, 20), date(2025, 7, 24))
    july = classify_days(LONG_STAY, (first, second), POLICY_C, *JULY, YearCounters(2025))
    assert count(july, DayStatus.ABSENT_FULL_PRICE, DayReason.WITHIN_THRESHOLD) == 6
    assert count(july, DayStatus.ABSENT_REDUCED) == 4


def test_quota_is_carried_across_months_and_days_beyond_it_are_not_billed():
    policy = replace(POLICY_D, quota_days=30)
    absence = Absence("personal", date(2025, 6, 20), date(2025, 8, 10))
    june = classify_days(LONG_STAY, (absence,), policy, date(2025, 6, 1), date(2025, 6, 30), YearCounters(2025))
    assert june.counters.absence_days == 11
    july = classify_days(LONG_STAY, (absence,), policy, *JULY, june.counters)
    assert count(july, DayStatus.ABSENT_REDUCED) == 19  # days 12 to 30 of the year
    assert count(july, DayStatus.ABSENT_NOT_BILLED, DayReason.QUOTA_USED) == 12
    assert statuses(july)[date(2025, 7, 19)] == DayStatus.ABSENT_REDUCED
    assert statuses(july)[date(2025, 7, 20)] == DayStatus.ABSENT_NOT_BILLED
    assert july.counters.absence_days == 42


def test_after_the_quota_the_resident_may_be_charged():
    policy = replace(POLICY_D, quota_days=5, after_quota="resident")
    absence = Absence("personal", date(2025, 7, 1), date(2025, 7, 8))
    july = classify_days(LONG_STAY, (absence,), policy, *JULY, YearCounters(2025))
    resident_days = [day for day in july.days if day.status == DayStatus.ABSENT_RESIDENT]
    assert len(resident_days) == 3
    assert all(day.quantity == 1 for day in resident_days)


def test_counters_of_last_year_restart_on_the_first_of_january():
    absence = Absence("personal", date(2026, 1, 5), date(2026, 1, 9))
    january = classify_days(
        LONG_STAY,
        (absence,),
        POLICY_D,
        date(2026, 1, 1),
        date(2026, 1, 31),
        YearCounters(2025, absence_days=104, threshold_days=3),
    )
    assert count(january, DayStatus.ABSENT_FULL_PRICE) == 3
    assert january.counters == YearCounters(2026, absence_days=5, threshold_days=3)


def test_separate_hospital_counter_leaves_the_personal_quota_untouched():
    policy = replace(POLICY_D, hospital_separate_counter=True)
    absences = (
        Absence("hospital", date(2025, 7, 1), date(2025, 7, 10)),
        Absence("personal", date(2025, 7, 20), date(2025, 7, 23)),
    )
    july = classify_days(LONG_STAY, absences, policy, *JULY, YearCounters(2025, absence_days=7))
    assert july.counters.hospital_days == 10
    assert july.counters.absence_days == 11


def test_weekends_and_public_holidays_not_counted_are_full_price_and_spare_the_quota():
    # 10-20 July 2025: Saturdays 12 and 19, Sundays 13 and 20, Bastille Day on Monday 14.
    policy = replace(POLICY_C, count_weekends_holidays=False)
    absence = Absence("personal", date(2025, 7, 10), date(2025, 7, 20))
    july = classify_days(LONG_STAY, (absence,), policy, *JULY, YearCounters(2025))
    assert count(july, DayStatus.ABSENT_FULL_PRICE, DayReason.NOT_COUNTED) == 5
    assert statuses(july)[date(2025, 7, 14)] == DayStatus.ABSENT_FULL_PRICE
    # The threshold runs over counted days only: 10, 11 and 15 July.
    assert count(july, DayStatus.ABSENT_FULL_PRICE, DayReason.WITHIN_THRESHOLD) == 3
    assert statuses(july)[date(2025, 7, 15)] == DayStatus.ABSENT_FULL_PRICE
    assert count(july, DayStatus.ABSENT_REDUCED) == 3
    assert july.counters.absence_days == 6


def test_weekly_boarding_weekends_are_neither_billed_nor_absences():
    stay = StaySpan(date(2024, 9, 1), accommodation="weekly_board")
    absence = Absence("personal", date(2025, 7, 7), date(2025, 7, 18))  # two working weeks
    july = classify_days(stay, (absence,), replace(POLICY_C, reduction_start="first_day"), *JULY, YearCounters(2025))
    weekends = count(july, DayStatus.NOT_BILLED, DayReason.WEEKLY_BOARDING_WEEKEND)
    assert weekends == 8
    assert july.absence_days() == 10
    assert july.counters.absence_days == 10
    assert july.quantity(DayStatus.PRESENT, DayStatus.ABSENT_REDUCED) == 23
    assert july.days_in_stay == 31


def test_day_care_bills_attendance_by_half_days_on_open_days():
    stay = StaySpan(date(2025, 1, 6), accommodation="day_care")
    absences = (
        Absence("personal", datetime(2025, 7, 2, 8, 0), datetime(2025, 7, 2, 12, 0)),  # the morning
        Absence("personal", datetime(2025, 7, 3, 13, 30), datetime(2025, 7, 3, 17, 0)),  # the afternoon
        Absence("other", date(2025, 7, 4), date(2025, 7, 4)),  # the whole day
    )
    july = classify_days(stay, absences, POLICY_C, *JULY, YearCounters(2025))
    # July 2025 has 23 weekdays, one of them Bastille Day.
    assert count(july, DayStatus.NOT_BILLED, DayReason.DAY_CARE_CLOSED) == 9
    assert statuses(july)[date(2025, 7, 14)] == DayStatus.NOT_BILLED
    assert july.days_present == Decimal("20")  # 21 open days present, two of them half days, 4 July absent
    assert july.absence_days() == Decimal("2")
    assert statuses(july)[date(2025, 7, 4)] == DayStatus.ABSENT_NOT_BILLED


def test_entry_day_billed_and_exit_day_not_by_default():
    stay = StaySpan(date(2025, 7, 10), date(2025, 7, 25), end_reason="departure")
    july = classify_days(stay, (), POLICY_C, *JULY, YearCounters(2025))
    assert statuses(july)[date(2025, 7, 9)] == DayStatus.OUTSIDE_STAY
    assert statuses(july)[date(2025, 7, 10)] == DayStatus.PRESENT
    assert statuses(july)[date(2025, 7, 25)] == DayStatus.NOT_BILLED
    assert statuses(july)[date(2025, 7, 26)] == DayStatus.OUTSIDE_STAY
    assert july.days_present == 15
    assert july.days_in_stay == 15


def test_entry_and_exit_day_follow_the_policy():
    stay = StaySpan(date(2025, 7, 10), date(2025, 7, 25), end_reason="death")
    policy = replace(POLICY_C, entry_day_billed=False, exit_day_billed=True)
    july = classify_days(stay, (), policy, *JULY, YearCounters(2025))
    assert statuses(july)[date(2025, 7, 10)] == DayStatus.NOT_BILLED
    assert statuses(july)[date(2025, 7, 25)] == DayStatus.PRESENT
    assert july.days_present == 15


def test_absence_still_running_lasts_until_the_end_of_the_period():
    absence = Absence("hospital", datetime(2025, 7, 25, 14, 0))
    july = classify_days(LONG_STAY, (absence,), POLICY_C, *JULY, YearCounters(2025))
    assert count(july, DayStatus.ABSENT_FULL_PRICE, DayReason.WITHIN_THRESHOLD) == 3
    assert count(july, DayStatus.ABSENT_REDUCED) == 4


def test_absence_started_last_month_keeps_its_threshold_days_there():
    absence = Absence("hospital", date(2025, 6, 29), date(2025, 7, 5))
    july = classify_days(LONG_STAY, (absence,), POLICY_C, *JULY, YearCounters(2025, absence_days=2))
    assert count(july, DayStatus.ABSENT_FULL_PRICE) == 1  # 1 July is the third day
    assert count(july, DayStatus.ABSENT_REDUCED) == 4


def test_overlapping_absences_are_reported():
    absences = (
        Absence("personal", date(2025, 7, 1), date(2025, 7, 6)),
        Absence("hospital", date(2025, 7, 5), date(2025, 7, 9)),
    )
    july = classify_days(LONG_STAY, absences, POLICY_C, *JULY, YearCounters(2025))
    assert [anomaly.code for anomaly in july.anomalies] == ["overlapping_absences", "overlapping_absences"]
    assert july.days[4].absence_kind == "personal"
