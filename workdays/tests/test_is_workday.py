"""is_workday, next_working_day and working_days_in_range against the real 2026 calendar (chinesecalendar 1.11.0)."""

from datetime import UTC, date, datetime

import chinese_calendar
import pytest

from workdays import calendar
from workdays.calendar import is_workday, next_working_day, working_days_in_range

from .utils import at

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("day", [date(2026, 10, d) for d in range(1, 8)])
def test_national_day_week_is_holiday(day):
    assert is_workday(day) is False


@pytest.mark.parametrize(
    "day, expected",
    [
        (date(2026, 9, 19), False),  # ordinary Saturday
        (date(2026, 9, 20), True),  # Sunday, 国庆调休
        (date(2026, 9, 25), False),  # Friday, 中秋节
        (date(2026, 9, 26), False),
        (date(2026, 9, 27), False),
        (date(2026, 9, 30), True),
        (date(2026, 10, 8), True),  # Thursday after the holiday
        (date(2026, 10, 9), True),
        (date(2026, 10, 10), True),  # Saturday, 国庆调休
        (date(2026, 10, 11), False),  # ordinary Sunday
        (date(2026, 10, 12), True),
    ],
)
def test_2026_autumn_calendar(day, expected):
    assert is_workday(day) is expected


def test_datetime_argument_uses_shanghai_date():
    # 2026-10-09 20:00 UTC is Saturday 10-10 04:00 in Shanghai (调休 working day).
    assert is_workday(datetime(2026, 10, 9, 20, 0, tzinfo=UTC)) is True
    # 2026-10-10 17:00 UTC is Sunday 10-11 01:00 in Shanghai (rest day), although the UTC date is the 调休 Saturday.
    assert is_workday(datetime(2026, 10, 10, 17, 0, tzinfo=UTC)) is False
    assert is_workday(at(2026, 10, 10, 23, 59)) is True


def test_next_working_day_skips_holidays_and_finds_make_up_days():
    assert next_working_day(date(2026, 9, 30)) == date(2026, 10, 8)
    assert next_working_day(date(2026, 10, 9)) == date(2026, 10, 10)  # 调休 Saturday
    assert next_working_day(date(2026, 10, 10)) == date(2026, 10, 12)
    assert next_working_day(date(2026, 9, 19)) == date(2026, 9, 20)  # 调休 Sunday


def test_working_days_in_range_is_inclusive():
    assert working_days_in_range(date(2026, 10, 1), date(2026, 10, 11)) == 3  # 10-08, 10-09, 10-10
    # September 2026: 22 weekdays − 中秋 Friday 09-25 + 调休 Sunday 09-20 = 22.
    assert working_days_in_range(date(2026, 9, 1), date(2026, 9, 30)) == 22
    assert working_days_in_range(date(2026, 10, 8), date(2026, 10, 8)) == 1
    assert working_days_in_range(date(2026, 10, 8), date(2026, 10, 7)) == 0


def test_chinesecalendar_lookups_are_cached(monkeypatch):
    calls = []
    original = chinese_calendar.is_workday

    def counting(day):
        calls.append(day)
        return original(day)

    monkeypatch.setattr(chinese_calendar, "is_workday", counting)
    calendar.clear_cache()
    for _ in range(50):
        assert is_workday(date(2026, 10, 10)) is True
    assert calls == [date(2026, 10, 10)]
