"""The auditor's audit log page: search, pagination, Excel export; nobody else may read it."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEntry
from audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor(street):
    return street.auditor


def test_auditor_sees_the_log_newest_first(client, auditor, street):
    audit_record(action=AuditEntry.Action.EXPORT, actor=street.dispatcher, object_type="case_list")
    audit_record(action=AuditEntry.Action.VIEW_PERSONAL_DATA, actor=street.leader, object_type="case",
                 object_id="JA-2026-000001", detail={"reason": "核实"})
    client.force_login(auditor)
    response = client.get(reverse("audit:log"))
    assert response.status_code == 200
    entries = [e for e in response.context["page"] if e.action != AuditEntry.Action.LOGIN]
    assert [e.object_type for e in entries] == ["case", "case_list"]
    assert "查看个人信息" in response.content.decode()


def test_auditor_filters_by_action_user_and_text(client, auditor, street):
    audit_record(action=AuditEntry.Action.EXPORT, actor=street.dispatcher, object_type="case_list")
    audit_record(action=AuditEntry.Action.VIEW_PERSONAL_DATA, actor=street.leader, object_type="case",
                 object_id="JA-2026-000001")
    audit_record(action=AuditEntry.Action.VIEW_PERSONAL_DATA, actor=street.leader, object_type="case",
                 object_id="JA-2026-000002")
    client.force_login(auditor)
    page = client.get(reverse("audit:log"), {"action": "view_personal_data", "username": street.leader.username,
                                             "q": "000002"}).context["page"]
    assert [e.object_id for e in page] == ["JA-2026-000002"]


def test_the_log_is_paginated(client, auditor, street):
    for n in range(55):
        audit_record(action=AuditEntry.Action.EXPORT, actor=street.dispatcher, object_id=n)
    client.force_login(auditor)
    first = client.get(reverse("audit:log"), {"action": "export"}).context["page"]
    second = client.get(reverse("audit:log"), {"action": "export", "page": 2}).context["page"]
    assert len(first) == 50 and len(second) == 5


@pytest.mark.parametrize("who", ["admin", "leader", "dispatcher"])
def test_other_roles_cannot_read_the_log_and_the_refusal_is_audited(client, street, who):
    user = getattr(street, who)
    client.force_login(user)
    assert client.get(reverse("audit:log")).status_code == 403
    assert client.get(reverse("audit:export")).status_code == 403
    denied = AuditEntry.objects.filter(action=AuditEntry.Action.DENIED, actor=user)
    assert sorted(denied.values_list("object_id", flat=True)) == ["audit:export", "audit:log"]


def test_export_is_an_excel_of_the_filtered_log_and_is_itself_audited(client, auditor, street):
    audit_record(action=AuditEntry.Action.LOGIN, actor=street.leader)
    audit_record(action=AuditEntry.Action.EXPORT, actor=street.dispatcher, object_type="case_list",
                 detail={"rows": 3})
    client.force_login(auditor)  # itself a login entry
    response = client.get(reverse("audit:export"), {"action": "export"})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0][:3] == ("时间", "用户名", "操作")
    assert [r[1:4] for r in rows[1:]] == [(street.dispatcher.username, "导出", "工单列表")]  # issue 16: Chinese names
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT, actor=auditor, object_type="audit_log").exists()


def test_the_auditors_workbench_is_the_audit_log(client, auditor):
    client.force_login(auditor)
    assert client.get(reverse("workbench"))["Location"] == reverse("audit:log")
