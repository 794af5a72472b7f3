"""Issue 16, 审计员: repeated views of one case by one person within 10 minutes are one row with a count (on the
page and in the export), object types have Chinese names, and the table is the styled one."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from unittest.mock import patch
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.labels import object_type_label
from audit.models import AuditEntry
from audit.services import audit_record

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 5, 10, 0, 5, tzinfo=SH)


def view(user, case_number: str, at: datetime, action=AuditEntry.Action.VIEW_PERSONAL_DATA):
    with patch("django.utils.timezone.now", return_value=at):  # the log is append-only, even for tests
        return audit_record(action=action, actor=user, object_type="case", object_id=case_number)


@pytest.fixture
def views(street):
    for n in range(13):  # 10:00:05 … 10:08:05
        view(street.leader, "JAS-2026-000001", T0 + timedelta(seconds=40 * n))
    view(street.leader, "JAS-2026-000001", T0 + timedelta(minutes=12))   # the next 10 minutes: a new row
    view(street.leader, "JAS-2026-000002", T0 + timedelta(minutes=1))    # another case
    view(street.dispatcher, "JAS-2026-000001", T0 + timedelta(minutes=2))  # another person
    for n in range(2):  # exports are never collapsed
        view(street.leader, "JAS-2026-000001", T0 + timedelta(minutes=3, seconds=n), action=AuditEntry.Action.EXPORT)


def rows_of(client, **params):
    page = client.get(reverse("audit:log"), {"date_from": "2026-11-05", "date_to": "2026-11-05", **params})
    return page, [(e.username, e.action, e.object_id, e.times) for e in page.context["page"]]


def test_thirteen_views_in_ten_minutes_are_one_row_with_the_count(client, street, views):
    client.force_login(street.auditor)
    page, rows = rows_of(client)
    leader, dispatcher = street.leader.username, street.dispatcher.username
    assert rows == [
        (leader, "view_personal_data", "JAS-2026-000001", 1),   # 10:12
        (leader, "view_personal_data", "JAS-2026-000001", 13),  # 10:00–10:08
        (leader, "export", "JAS-2026-000001", 1), (leader, "export", "JAS-2026-000001", 1),
        (dispatcher, "view_personal_data", "JAS-2026-000001", 1),
        (leader, "view_personal_data", "JAS-2026-000002", 1),
    ]
    html = page.content.decode()
    assert "13 次" in html and "自 10:00:05 起" in html and page.context["page"].paginator.count == 6
    assert AuditEntry.objects.filter(action="view_personal_data").count() == 16  # every view still kept


def test_the_export_holds_the_collapsed_rows_with_their_count(client, street, views):
    client.force_login(street.auditor)
    response = client.get(reverse("audit:export"), {"date_from": "2026-11-05", "date_to": "2026-11-05",
                                                    "action": "view_personal_data"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0][-2:] == ("次数", "首次时间")
    assert [(r[3], r[4], r[7]) for r in rows[1:]] == [("工单", "JAS-2026-000001", 1), ("工单", "JAS-2026-000001", 13),
                                                     ("工单", "JAS-2026-000001", 1), ("工单", "JAS-2026-000002", 1)]
    assert rows[2][8] == "2026-11-05 10:00:05"


def test_object_types_have_chinese_names(client, street):
    audit_record(action=AuditEntry.Action.CONFIG_CHANGE, actor=street.admin, object_type="holiday", object_id=3,
                 detail={"change": "create", "fields": ["date", "name"], "repr": "2026-10-01 国庆节 放假"})
    audit_record(action=AuditEntry.Action.EXPORT, actor=street.dispatcher, object_type="kpi_table")
    assert object_type_label("case_list") == "工单列表" and object_type_label("holiday") == "节假日与调休"
    assert object_type_label("user") == "用户" and object_type_label("mystery") == "mystery"
    client.force_login(street.auditor)
    html = client.get(reverse("audit:log")).content.decode()
    assert "节假日与调休" in html and "考核指标表" in html and "变更:新增" in html and "字段:date、name" in html
    assert 'class="audit" id="audit-table"' in html and "kpi_table" not in html
    # the search box takes the Chinese name as well
    found = client.get(reverse("audit:log"), {"q": "考核指标"}).context["page"]
    assert [e.object_type for e in found] == ["kpi_table"]


def test_a_bad_filter_is_said(client, street):
    client.force_login(street.auditor)
    response = client.get(reverse("audit:log"), {"date_from": "2026-13-45"})
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
