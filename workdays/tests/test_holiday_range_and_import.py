"""Issue 16, 管理员: holidays entered as a range or imported for a year in admin, with a warning for past dates."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from core import clock
from workdays.calendar import is_workday
from workdays.models import Holiday

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 9, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
RANGE = reverse("admin:workdays_holiday_range")
IMPORT = reverse("admin:workdays_holiday_import")


@pytest.fixture
def admin_client(client, street):
    client.force_login(street.admin)
    return client


def post(client, url, data):
    with clock.frozen_at(NOW):
        return client.post(url, data, follow=True)


def test_a_range_of_holidays_in_one_go(admin_client):
    response = post(admin_client, RANGE, {"start": "2026-10-01", "end": "2026-10-08", "name": "国庆节", "allow_past": ""})
    assert response.redirect_chain[-1][0] == reverse("admin:workdays_holiday_changelist")
    assert "已录入 8 天(新增 8,更新 0)" in response.content.decode()
    assert Holiday.objects.filter(name="国庆节", is_workday=False).count() == 8
    assert not is_workday(date(2026, 10, 8))
    entry = AuditEntry.objects.get(action="config_change", object_type="holiday")
    assert entry.detail["start"] == "2026-10-01" and len(entry.detail["created"]) == 8
    # again as make-up working days: the same dates are updated, not duplicated
    again = post(admin_client, RANGE, {"start": "2026-10-08", "end": "2026-10-08", "name": "调休", "is_workday": "on"})
    assert "更新 1" in again.content.decode() and Holiday.objects.get(date=date(2026, 10, 8)).is_workday


def test_past_dates_need_a_confirmation_and_get_a_warning(admin_client):
    refused = post(admin_client, RANGE, {"start": "2026-08-30", "end": "2026-09-02", "name": "台风停工"})
    page = refused.content.decode()
    assert refused.status_code == 422 and 'role="alert"' in page and "包含已过去的日期:2026-08-30、2026-08-31" in page
    assert not Holiday.objects.exists()
    confirmed = post(admin_client, RANGE, {"start": "2026-08-30", "end": "2026-09-02", "name": "台风停工",
                                           "allow_past": "on"})
    assert "其中 2 天已过去" in confirmed.content.decode() and Holiday.objects.count() == 4


def test_a_bad_range_is_refused_with_its_message(admin_client):
    response = post(admin_client, RANGE, {"start": "2026-10-08", "end": "2026-10-01", "name": "x"})
    assert response.status_code == 422 and "结束日期不能早于开始日期" in response.content.decode()
    too_long = post(admin_client, RANGE, {"start": "2026-10-01", "end": "2027-10-01"})
    assert too_long.status_code == 422 and "一次最多录入" in too_long.content.decode()


def test_a_year_imported_from_the_calendar_data(admin_client):
    response = post(admin_client, IMPORT, {"year": "2026"})
    assert response.status_code == 422 and "包含已过去的日期" in response.content.decode()  # 元旦, 春节…
    done = post(admin_client, IMPORT, {"year": "2026", "allow_past": "on"})
    assert "已录入" in done.content.decode() and "天已过去" in done.content.decode()
    national = Holiday.objects.get(date=date(2026, 10, 1))
    assert national.name == "国庆节" and not national.is_workday
    assert Holiday.objects.filter(is_workday=True, name__endswith="调休").exists()
    missing = post(admin_client, IMPORT, {"year": "2099"})
    assert missing.status_code == 422 and "还没有 2099 年的节假日安排" in missing.content.decode()


def test_a_single_past_holiday_saved_in_admin_warns(admin_client):
    response = post(admin_client, reverse("admin:workdays_holiday_add"),
                    {"date": "2026-08-01", "name": "补录", "is_workday": ""})
    assert "2026-08-01 已过去" in response.content.decode()


def test_only_admins_reach_the_forms(client, street):
    client.force_login(street.dispatcher)
    assert client.get(RANGE).status_code == 302  # the admin site sends non-staff to its login page
