"""Every refused request is written to the audit log: pages and API alike."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_a_refused_page_is_audited(client, street):
    client.force_login(street.leader)
    assert client.get(reverse("hotline:import")).status_code == 403
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DENIED)
    assert (entry.actor, entry.object_id, entry.detail["method"]) == (street.leader, "hotline:import", "GET")


def test_a_refused_api_call_is_audited(client, street):
    case = street.new_case()
    client.force_login(street.leader)
    response = client.post(f"/api/cases/{case.pk}/dispatch", {"lead_department_id": street.department.pk},
                           content_type="application/json")
    assert response.status_code == 403
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DENIED)
    assert entry.actor == street.leader
    assert entry.detail["path"] == f"/api/cases/{case.pk}/dispatch"


def test_an_allowed_request_writes_no_denial(client, street):
    client.force_login(street.dispatcher)
    assert client.get(reverse("hotline:import")).status_code == 200
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.DENIED).exists()
