"""WORKDAY_START / WORKDAY_END are read on every call, so per-test settings overrides take effect at once."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from workdays.calendar import add_working_days, add_working_hours, hours_per_day, working_hours_between

from .utils import at

pytestmark = pytest.mark.django_db


def test_custom_start_and_end(settings):
    settings.WORKDAY_START = "09:00"
    settings.WORKDAY_END = "18:00"
    assert hours_per_day() == 9.0
    assert add_working_hours(at(2026, 10, 12, 8, 30), 1) == at(2026, 10, 12, 10, 0)
    assert add_working_hours(at(2026, 10, 12, 17, 30), 1) == at(2026, 10, 13, 9, 30)
    assert working_hours_between(at(2026, 10, 12, 9, 0), at(2026, 10, 13, 18, 0)) == 18.0


def test_hours_per_day_does_not_go_stale(settings):
    monday_ten = at(2026, 10, 12, 10, 0)
    # Default 08:30–17:30: 7.5 h left on Monday, 0.5 h on Tuesday.
    assert add_working_hours(monday_ten, 8) == at(2026, 10, 13, 9, 0)
    assert add_working_days(monday_ten, 1) == at(2026, 10, 13, 10, 0)
    settings.WORKDAY_START = "09:00"
    settings.WORKDAY_END = "17:00"
    assert hours_per_day() == 8.0
    assert add_working_hours(monday_ten, 8) == at(2026, 10, 13, 10, 0)
    assert add_working_days(monday_ten, 1) == at(2026, 10, 13, 10, 0)
    assert add_working_days(monday_ten, 2) == add_working_hours(monday_ten, 16)


def test_non_whole_hour_days_stay_exact(settings):
    settings.WORKDAY_START = "08:00"
    settings.WORKDAY_END = "17:20"  # 9 h 20 min = 9.333… h
    result = add_working_days(at(2026, 10, 12, 10, 0), 3)
    assert result == at(2026, 10, 15, 10, 0)
    assert result.microsecond == 0
    assert add_working_days(at(2026, 10, 12, 8, 0), 1) == at(2026, 10, 12, 17, 20)


@pytest.mark.parametrize("start, end", [("17:30", "08:30"), ("09:00", "09:00"), ("8点半", "17:30")])
def test_bad_settings_are_reported(settings, start, end):
    settings.WORKDAY_START = start
    settings.WORKDAY_END = end
    with pytest.raises(ImproperlyConfigured, match="WORKDAY"):
        add_working_hours(at(2026, 10, 12, 10, 0), 1)
