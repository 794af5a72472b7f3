"""add_working_hours: 08:30–17:30 working days, holidays, 调休, start outside working time, fractions."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from workdays.calendar import add_working_hours

from .utils import SHANGHAI, at

pytestmark = pytest.mark.django_db


def test_across_national_day_week():
    # 1 h left on Wed 09-30 (16:30→17:30), 10-01..10-07 are holidays, 1 h more from Thu 10-08 08:30.
    assert add_working_hours(at(2026, 9, 30, 16, 30), 2) == at(2026, 10, 8, 9, 30)


def test_across_mid_autumn_long_weekend():
    # Thu 09-24 17:00: 0.5 h left, Fri 09-25..Sun 09-27 off, Mon 09-28 08:30 + 0.5 h.
    assert add_working_hours(at(2026, 9, 24, 17, 0), 1) == at(2026, 9, 28, 9, 0)


def test_make_up_saturday_counts_as_working():
    # Fri 10-09 17:00: 0.5 h, then Saturday 10-10 is a 调休 working day.
    assert add_working_hours(at(2026, 10, 9, 17, 0), 1) == at(2026, 10, 10, 9, 0)
    # Sat 10-10 17:00 → Sunday 10-11 is a rest day → Monday 10-12.
    assert add_working_hours(at(2026, 10, 10, 17, 0), 1) == at(2026, 10, 12, 9, 0)


def test_ending_exactly_at_closing_time_stays_on_that_day():
    assert add_working_hours(at(2026, 10, 12, 16, 30), 1) == at(2026, 10, 12, 17, 30)
    assert add_working_hours(at(2026, 10, 12, 8, 30), 9) == at(2026, 10, 12, 17, 30)


def test_many_days():
    # 90 h from Wed 09-30 08:30: 9 h on 09-30, then 10-08, 09, 10 (Sat), 12, 13, 14, 15, 16, 19 → 10-19 17:30.
    assert add_working_hours(at(2026, 9, 30, 8, 30), 90) == at(2026, 10, 19, 17, 30)


@pytest.mark.parametrize(
    "start, expected",
    [
        (at(2026, 10, 12, 20, 0), at(2026, 10, 13, 9, 30)),  # Monday night → Tuesday 08:30 + 1 h
        (at(2026, 10, 12, 6, 0), at(2026, 10, 12, 9, 30)),  # Monday early morning → Monday 08:30 + 1 h
        (at(2026, 10, 12, 17, 30), at(2026, 10, 13, 9, 30)),  # exactly at closing time
        (at(2026, 10, 17, 10, 0), at(2026, 10, 19, 9, 30)),  # Saturday → Monday
        (at(2026, 10, 18, 23, 59), at(2026, 10, 19, 9, 30)),  # Sunday night → Monday
        (at(2026, 10, 3, 10, 0), at(2026, 10, 8, 9, 30)),  # during the National Day holiday
        (at(2026, 10, 9, 22, 0), at(2026, 10, 10, 9, 30)),  # Friday night → 调休 Saturday
    ],
)
def test_start_outside_working_time_counts_from_next_working_start(start, expected):
    assert add_working_hours(start, 1) == expected


@pytest.mark.parametrize(
    "start, expected",
    [
        (at(2026, 10, 12, 11, 15, 7), at(2026, 10, 12, 11, 15, 7)),  # inside: unchanged
        (at(2026, 10, 12, 8, 30), at(2026, 10, 12, 8, 30)),  # opening time is inside
        (at(2026, 10, 12, 17, 30), at(2026, 10, 13, 8, 30)),  # closing time is outside
        (at(2026, 10, 17, 12, 0), at(2026, 10, 19, 8, 30)),  # Saturday
        (at(2026, 10, 1, 9, 0), at(2026, 10, 8, 8, 30)),  # holiday
    ],
)
def test_zero_hours_normalises_into_working_time(start, expected):
    assert add_working_hours(start, 0) == expected


def test_fractional_hours():
    assert add_working_hours(at(2026, 10, 12, 9, 0), Decimal("0.25")) == at(2026, 10, 12, 9, 15)
    assert add_working_hours(at(2026, 10, 12, 9, 0), 2.5) == at(2026, 10, 12, 11, 30)
    # 1.5 h from Mon 16:45: 45 min on Monday, 45 min from Tuesday 08:30.
    assert add_working_hours(at(2026, 10, 12, 16, 45), Decimal("1.5")) == at(2026, 10, 13, 9, 15)


def test_exact_to_the_second():
    assert add_working_hours(at(2026, 10, 12, 9, 0), 1 / 3) == at(2026, 10, 12, 9, 20)
    assert add_working_hours(at(2026, 10, 12, 9, 0), 7 / 3600) == at(2026, 10, 12, 9, 0, 7)
    # 0.1 h is 360 s; ten additions of 0.1 h land exactly on 10:00:00, not a microsecond off.
    moment = at(2026, 10, 12, 9, 0)
    for _ in range(10):
        moment = add_working_hours(moment, 0.1)
    assert moment == at(2026, 10, 12, 10, 0)
    assert moment.microsecond == 0


def test_returns_aware_shanghai_time_for_utc_input():
    start = datetime(2026, 10, 12, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai
    result = add_working_hours(start, 1)
    assert result == datetime(2026, 10, 12, 1, 30, tzinfo=UTC)
    assert result.utcoffset() == timedelta(hours=8)
    assert result.tzinfo == SHANGHAI


def test_invalid_input_is_rejected():
    with pytest.raises(ValueError, match="不能为负"):
        add_working_hours(at(2026, 10, 12, 9, 0), -1)
    with pytest.raises(ValueError, match="无效"):
        add_working_hours(at(2026, 10, 12, 9, 0), float("inf"))
    with pytest.raises(ValueError, match="时区"):
        add_working_hours(datetime(2026, 10, 12, 9, 0), 1)
