"""add_working_days == add_working_hours(start, days × hours per day): same clock time N working days later."""

import pytest

from workdays.calendar import add_working_days, add_working_hours

from .utils import at

pytestmark = pytest.mark.django_db


def test_five_working_days_across_national_day_week():
    # From Wed 09-30 16:30: working days 10-08, 10-09, 10-10 (调休 Sat), 10-12, 10-13 → Tue 10-13 16:30.
    assert add_working_days(at(2026, 9, 30, 16, 30), 5) == at(2026, 10, 13, 16, 30)


def test_make_up_saturday_is_one_of_the_days():
    assert add_working_days(at(2026, 10, 9, 10, 0), 1) == at(2026, 10, 10, 10, 0)  # Fri → 调休 Sat
    assert add_working_days(at(2026, 10, 10, 10, 0), 1) == at(2026, 10, 12, 10, 0)  # 调休 Sat → Mon
    assert add_working_days(at(2026, 9, 18, 14, 0), 1) == at(2026, 9, 20, 14, 0)  # Fri → 调休 Sun


@pytest.mark.parametrize("days", [0, 1, 2, 5, 10, 30])
@pytest.mark.parametrize(
    "start", [at(2026, 9, 30, 16, 30), at(2026, 10, 9, 8, 30), at(2026, 10, 17, 21, 0), at(2026, 9, 24, 12, 34, 56)]
)
def test_equals_add_working_hours_of_nine_hours_per_day(start, days):
    assert add_working_days(start, days) == add_working_hours(start, days * 9)


def test_start_outside_working_time():
    # Saturday night counts from Monday 08:30; one full working day ends Monday at closing time.
    assert add_working_days(at(2026, 10, 17, 21, 0), 1) == at(2026, 10, 19, 17, 30)
    # Monday 20:00 → Tuesday 08:30 → 2 working days → Wednesday 17:30.
    assert add_working_days(at(2026, 10, 12, 20, 0), 2) == at(2026, 10, 14, 17, 30)
    assert add_working_days(at(2026, 10, 17, 21, 0), 0) == at(2026, 10, 19, 8, 30)


def test_negative_days_rejected():
    with pytest.raises(ValueError):
        add_working_days(at(2026, 10, 12, 9, 0), -1)
