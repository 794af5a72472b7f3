"""PIPL requests: a citizen's data found by phone, exported (Excel/JSON) and erased; audited with the reason."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEntry
from cases.models import Case
from cases.tests.helpers import case_in_state
from core.errors import PermissionDenied, ValidationFailed
from privacy.services import citizen_data_erase, citizen_data_export

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(street):
    closed = case_in_state(street, "closed")
    open_case = street.dispatched_case()
    other = street.new_case(citizen_name="李四", citizen_phone="13900001111")
    return closed, open_case, other


def test_export_holds_every_case_of_that_phone_and_is_audited(street, cases):
    closed, open_case, _ = cases
    export = citizen_data_export(actor=street.admin, phone="138 1234 1234", reason="诉求人书面申请")
    assert [c["number"] for c in export.cases] == [closed.number, open_case.number]
    assert export.cases[0]["citizen_name"] == "张建国" and export.cases[0]["events"]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT, object_type="citizen")
    assert entry.object_id == "138****1234"  # the audit log does not hold the phone in clear
    assert entry.detail["reason"] == "诉求人书面申请"


def test_only_the_administrator_handles_requests(street, cases):
    with pytest.raises(PermissionDenied):
        citizen_data_export(actor=street.dispatcher, phone="13812341234", reason="诉求人书面申请")
    with pytest.raises(PermissionDenied):
        citizen_data_erase(actor=street.leader, phone="13812341234", reason="诉求人书面申请")


def test_a_request_needs_a_reason(street, cases):
    with pytest.raises(ValidationFailed):
        citizen_data_erase(actor=street.admin, phone="13812341234", reason="")


def test_erase_anonymises_finished_cases_and_keeps_open_ones(street, cases):
    closed, open_case, other = cases
    result = citizen_data_erase(actor=street.admin, phone="13812341234", reason="诉求人申请删除")
    assert (result.erased, result.kept_open) == ([closed.number], [open_case.number])
    assert Case.objects.get(pk=closed.pk).citizen_phone == ""
    assert Case.objects.get(pk=open_case.pk).citizen_phone == "13812341234"
    assert Case.objects.get(pk=other.pk).citizen_name == "李四"
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ANONYMISE, object_type="citizen")
    assert entry.detail["erased"] == [closed.number] and entry.detail["reason"] == "诉求人申请删除"


def test_the_desk_finds_exports_and_erases(client, street, cases):
    closed, open_case, _ = cases
    client.force_login(street.admin)
    page = client.post(reverse("privacy:citizen"), {"phone": "13812341234", "reason": "诉求人书面申请"})
    assert page.status_code == 200 and closed.number in page.content.decode()
    excel = client.post(reverse("privacy:export"), {"phone": "13812341234", "reason": "诉求人书面申请"})
    rows = list(load_workbook(io.BytesIO(excel.content))["工单"].values)
    assert [r[0] for r in rows[1:]] == [closed.number, open_case.number]
    as_json = client.post(reverse("privacy:export"), {"phone": "13812341234", "reason": "诉求人书面申请",
                                                      "format": "json"})
    assert json.loads(as_json.content)["cases"][0]["citizen_phone"] == "13812341234"
    erased = client.post(reverse("privacy:erase"), {"phone": "13812341234", "reason": "诉求人申请删除"})
    assert erased.status_code == 200 and "已删除(匿名化)1 件" in erased.content.decode()
    assert Case.objects.get(pk=closed.pk).citizen_name == ""


def test_the_desk_refuses_other_roles(client, street):
    client.force_login(street.dispatcher)
    assert client.get(reverse("privacy:citizen")).status_code == 403
    assert client.post(reverse("privacy:erase"), {"phone": "13812341234", "reason": "xxxx"}).status_code == 403


# --- issue 14 point 13: the lookup is a POST with a basis, audited, and the phone never goes into a URL --------------


def test_a_get_with_the_phone_in_the_url_does_not_search(client, street, cases):
    closed, _, _ = cases
    client.force_login(street.admin)
    page = client.get(reverse("privacy:citizen"), {"phone": "13812341234"})
    assert page.status_code == 200
    body = page.content.decode()
    assert closed.number not in body and "13812341234" not in body and "共 " not in body
    assert not AuditEntry.objects.filter(object_type="citizen").exists()


def test_the_lookup_is_audited_with_the_masked_phone_the_count_and_the_basis(client, street, cases):
    client.force_login(street.admin)
    page = client.post(reverse("privacy:citizen"), {"phone": "138 1234 1234", "reason": "诉求人书面申请 2026-17"})
    assert page.status_code == 200 and "共 2 件工单" in page.content.decode()
    entry = AuditEntry.objects.get(object_type="citizen")
    assert entry.action == AuditEntry.Action.VIEW_PERSONAL_DATA and entry.actor == street.admin
    assert entry.object_id == "138****1234" and "13812341234" not in str(entry.detail)
    assert entry.detail == {"reason": "诉求人书面申请 2026-17", "found": 2, "pipl": "lookup"}


def test_a_lookup_without_a_basis_is_refused_and_not_run(client, street, cases):
    closed, _, _ = cases
    client.force_login(street.admin)
    page = client.post(reverse("privacy:citizen"), {"phone": "13812341234", "reason": ""})
    assert page.status_code == 422 and "请填写查询依据" in page.content.decode()
    assert closed.number not in page.content.decode()
    assert not AuditEntry.objects.filter(object_type="citizen").exists()


def test_no_link_form_target_or_redirect_carries_the_phone(client, street, cases):
    import re

    client.force_login(street.admin)
    responses = [
        client.post(reverse("privacy:citizen"), {"phone": "13812341234", "reason": "诉求人书面申请"}),
        client.post(reverse("privacy:export"), {"phone": "13812341234", "reason": ""}),  # refused: the desk again
        client.post(reverse("privacy:erase"), {"phone": "13812341234", "reason": "诉求人申请删除"}),
    ]
    for response in responses:
        assert response.status_code in (200, 422) and "Location" not in response
        body = response.content.decode()
        targets = re.findall(r'(?:href|action|hx-get|hx-post|src)="([^"]*)"', body)
        assert targets and not [t for t in targets if "1381234" in t or "phone=" in t]
        assert re.findall(r'<form method="post"[^>]*privacy/citizen', body)
    assert "请填写申请依据" in responses[1].content.decode() and responses[1].status_code == 422
