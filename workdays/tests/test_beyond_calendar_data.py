"""Years chinesecalendar does not know (2027+, before 2004): Mon–Fri fallback, warn once per year, Holiday rows win."""

import logging
import warnings
from datetime import date, timedelta

import pytest

from workdays import calendar
from workdays.calendar import (
    CalendarDataMissing,
    add_working_days,
    add_working_hours,
    is_workday,
    next_working_day,
    working_hours_between,
)
from workdays.models import Holiday

from .utils import at

pytestmark = pytest.mark.django_db


def _missing_data_warnings(caught):
    return [w for w in caught if issubclass(w.category, CalendarDataMissing)]


def test_2027_falls_back_to_monday_to_friday_with_a_warning():
    expected = "2027 年的节假日数据缺失,按周一至周五计算工作日,请在管理后台补充节假日表"
    with pytest.warns(CalendarDataMissing, match=expected):
        assert is_workday(date(2027, 1, 4)) is True  # Monday
    assert is_workday(date(2027, 1, 1)) is True  # Friday (no 元旦 without data)
    assert is_workday(date(2027, 1, 2)) is False  # Saturday
    assert is_workday(date(2027, 1, 3)) is False  # Sunday


def test_warns_and_logs_once_per_year(caplog):
    caplog.set_level(logging.WARNING, logger="workdays")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for n in range(60):
            is_workday(date(2027, 3, 1) + timedelta(days=n))
        add_working_days(at(2027, 3, 1, 9, 0), 20)
        assert len(_missing_data_warnings(caught)) == 1
        is_workday(date(2028, 3, 1))
        is_workday(date(2028, 3, 2))
        missing = _missing_data_warnings(caught)
    assert len(missing) == 2
    assert "2027 年" in str(missing[0].message) and "2028 年" in str(missing[1].message)
    records = [r for r in caplog.records if r.name == "workdays"]
    assert [r.levelno for r in records] == [logging.WARNING, logging.WARNING]
    assert "2027 年的节假日数据缺失" in records[0].getMessage()


def test_years_before_2004_fall_back_too():
    with pytest.warns(CalendarDataMissing, match="2003 年"):
        assert is_workday(date(2003, 6, 2)) is True  # Monday
    assert is_workday(date(2003, 6, 1)) is False  # Sunday


def test_deadlines_into_2027_do_not_crash():
    with pytest.warns(CalendarDataMissing):
        # Thu 2026-12-31 17:00: 0.5 h, then Friday 2027-01-01 counts as a weekday.
        assert add_working_hours(at(2026, 12, 31, 17, 0), 1) == at(2027, 1, 1, 9, 0)
    # Wed 2027-01-06 10:00 + 3 working days → Mon 2027-01-11 10:00.
    assert add_working_days(at(2027, 1, 6, 10, 0), 3) == at(2027, 1, 11, 10, 0)
    # Fri 16:30 → Mon 09:30.
    assert working_hours_between(at(2027, 1, 8, 16, 30), at(2027, 1, 11, 9, 30)) == 2.0


def test_holiday_rows_for_2027_are_respected():
    Holiday.objects.create(date=date(2027, 1, 1), is_workday=False, name="元旦")
    Holiday.objects.create(date=date(2027, 1, 9), is_workday=True, name="调休")  # a Saturday
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert is_workday(date(2027, 1, 1)) is False
        assert is_workday(date(2027, 1, 9)) is True
    assert _missing_data_warnings(caught) == []  # those dates have data
    with pytest.warns(CalendarDataMissing):
        # Thu 2026-12-31 17:00: 0.5 h, 01-01 元旦, 01-02/03 weekend, Mon 01-04 08:30 + 0.5 h.
        assert add_working_hours(at(2026, 12, 31, 17, 0), 1) == at(2027, 1, 4, 9, 0)
    assert next_working_day(date(2027, 1, 8)) == date(2027, 1, 9)


def test_a_whole_year_of_holidays_moves_on_to_the_next_year():
    first = date(2026, 1, 1)
    Holiday.objects.bulk_create(
        [Holiday(date=first + timedelta(days=n), is_workday=False, name="全年放假") for n in range(365)]
    )
    calendar.invalidate_overrides()
    with pytest.warns(CalendarDataMissing):
        assert next_working_day(date(2025, 12, 31)) == date(2027, 1, 1)
    assert add_working_hours(at(2025, 12, 31, 17, 0), 1) == at(2027, 1, 1, 9, 0)


def test_ten_years_without_a_workday_raises_instead_of_looping():
    first = date(2026, 10, 12)
    Holiday.objects.bulk_create(
        [Holiday(date=first + timedelta(days=n), is_workday=False) for n in range(calendar.MAX_DAYS_SEARCHED)]
    )
    calendar.invalidate_overrides()
    with pytest.raises(ValueError, match=r"2026-10-11 之后连续 3660 天都没有工作日,请检查节假日表配置"):
        next_working_day(date(2026, 10, 11))
    with pytest.raises(ValueError, match="请检查节假日表配置"):
        add_working_hours(at(2026, 10, 11, 10, 0), 1)  # Sunday: the search starts on the 12th
