"""working_hours_between: lateness and handling time in working hours (no lunch break, 9 h per day)."""

from decimal import Decimal

import pytest

from workdays.calendar import add_working_hours, working_hours_between

from .utils import at

pytestmark = pytest.mark.django_db


def test_across_a_weekend():
    # Fri 10-16 16:30→17:30 is 1 h, Mon 10-19 08:30→09:30 is 1 h.
    assert working_hours_between(at(2026, 10, 16, 16, 30), at(2026, 10, 19, 9, 30)) == 2.0


def test_across_national_day_week():
    assert working_hours_between(at(2026, 9, 30, 16, 30), at(2026, 10, 8, 9, 30)) == 2.0


def test_full_days_have_no_lunch_break():
    assert working_hours_between(at(2026, 10, 12, 8, 30), at(2026, 10, 12, 17, 30)) == 9.0
    assert working_hours_between(at(2026, 10, 12, 11, 0), at(2026, 10, 12, 14, 0)) == 3.0
    assert working_hours_between(at(2026, 10, 12, 8, 30), at(2026, 10, 16, 17, 30)) == 45.0


def test_make_up_saturday_counts():
    # Fri 10-09 17:00 → Mon 10-12 09:00: 0.5 + 9 (Sat 10-10) + 0.5.
    assert working_hours_between(at(2026, 10, 9, 17, 0), at(2026, 10, 12, 9, 0)) == 10.0


def test_negative_when_end_before_start():
    assert working_hours_between(at(2026, 10, 19, 9, 30), at(2026, 10, 16, 16, 30)) == -2.0


def test_parts_outside_working_time_do_not_count():
    assert working_hours_between(at(2026, 10, 17, 10, 0), at(2026, 10, 18, 15, 0)) == 0.0  # weekend
    assert working_hours_between(at(2026, 10, 12, 16, 0), at(2026, 10, 12, 22, 0)) == 1.5
    assert working_hours_between(at(2026, 10, 12, 5, 0), at(2026, 10, 12, 9, 0)) == 0.5
    assert working_hours_between(at(2026, 10, 12, 18, 0), at(2026, 10, 13, 8, 0)) == 0.0


def test_seconds():
    assert working_hours_between(at(2026, 10, 12, 9, 0), at(2026, 10, 12, 9, 0, 45)) == 45 / 3600


@pytest.mark.parametrize("hours", [0, Decimal("0.5"), 2, 9, 13.25, 47])
def test_inverse_of_add_working_hours(hours):
    start = at(2026, 9, 30, 15, 10)
    assert working_hours_between(start, add_working_hours(start, hours)) == pytest.approx(float(hours), abs=1e-9)
