"""The Holiday table overrides chinesecalendar; its in-process cache is per year and invalidated by signals."""

from datetime import date, timedelta

import pytest

from workdays.calendar import add_working_days, add_working_hours, invalidate_overrides, is_workday
from workdays.models import Holiday

from .utils import at

pytestmark = pytest.mark.django_db


def test_override_turns_a_2026_workday_into_a_holiday():
    assert is_workday(date(2026, 10, 13)) is True
    assert add_working_days(at(2026, 9, 30, 16, 30), 5) == at(2026, 10, 13, 16, 30)
    Holiday.objects.create(date=date(2026, 10, 13), is_workday=False, name="临时放假")
    assert is_workday(date(2026, 10, 13)) is False
    # The fifth working day is now Wednesday 10-14.
    assert add_working_days(at(2026, 9, 30, 16, 30), 5) == at(2026, 10, 14, 16, 30)


def test_override_turns_a_rest_day_into_a_workday():
    assert is_workday(date(2026, 10, 11)) is False
    assert add_working_hours(at(2026, 10, 10, 17, 0), 1) == at(2026, 10, 12, 9, 0)
    Holiday.objects.create(date=date(2026, 10, 11), is_workday=True, name="加班调休")
    assert is_workday(date(2026, 10, 11)) is True
    assert add_working_hours(at(2026, 10, 10, 17, 0), 1) == at(2026, 10, 11, 9, 0)


def test_cache_follows_save_update_and_delete():
    day = date(2026, 10, 13)
    assert is_workday(day) is True  # caches 2026's (empty) overrides
    row = Holiday.objects.create(date=day, is_workday=False, name="临时放假")
    assert is_workday(day) is False
    row.is_workday = True
    row.name = "调休上班"
    row.save()
    assert is_workday(day) is True
    row.is_workday = False
    row.save()
    assert is_workday(day) is False
    row.delete()
    assert is_workday(day) is True  # back to chinesecalendar


def test_moving_a_row_to_another_year_invalidates_both_years():
    row = Holiday.objects.create(date=date(2026, 10, 13), is_workday=False, name="临时放假")
    assert is_workday(date(2026, 10, 13)) is False
    assert is_workday(date(2025, 10, 14)) is True  # a 2025 Tuesday
    row.date = date(2025, 10, 14)
    row.save()
    assert is_workday(date(2026, 10, 13)) is True
    assert is_workday(date(2025, 10, 14)) is False


def test_one_query_per_year(django_assert_num_queries):
    Holiday.objects.create(date=date(2026, 10, 13), is_workday=False, name="临时放假")
    invalidate_overrides()
    with django_assert_num_queries(1):
        results = [is_workday(date(2026, 1, 1) + timedelta(days=n)) for n in range(365)]
        for hour in range(200):
            add_working_days(at(2026, 9, 1, 9, 0) + timedelta(hours=hour), 5)
    assert results.count(False) > 100
    with django_assert_num_queries(0):
        assert is_workday(date(2026, 10, 13)) is False
    with django_assert_num_queries(1):  # a new year costs exactly one more query
        assert is_workday(date(2025, 10, 14)) is True
        assert is_workday(date(2025, 10, 1)) is False


def test_invalidate_overrides_after_bulk_create():
    assert is_workday(date(2026, 10, 13)) is True
    # bulk_create sends no post_save signal; invalidate_overrides() is the documented remedy.
    Holiday.objects.bulk_create([Holiday(date=date(2026, 10, 13), is_workday=False, name="临时放假")])
    invalidate_overrides()
    assert is_workday(date(2026, 10, 13)) is False


def test_admin_changelist_lists_and_searches(admin_client):
    Holiday.objects.create(date=date(2026, 10, 1), is_workday=False, name="国庆节")
    Holiday.objects.create(date=date(2026, 10, 10), is_workday=True, name="国庆调休")
    Holiday.objects.create(date=date(2027, 1, 1), is_workday=False, name="元旦")
    response = admin_client.get("/admin/workdays/holiday/", {"q": "国庆"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "国庆调休" in content and "周六" in content
    assert "元旦" not in content
    assert Holiday._meta.verbose_name == "节假日与调休"
