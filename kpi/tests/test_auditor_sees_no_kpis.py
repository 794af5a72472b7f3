"""The 审计员 reads the audit log and sees no cases: the dashboard, its export and the KPI API refuse them."""

import pytest
from django.test import Client

from audit.models import AuditEntry

pytestmark = pytest.mark.django_db
PERIOD = "start=2026-01-01&end=2026-01-31"
URLS = ["/dashboard/", f"/dashboard/export.xlsx?{PERIOD}", "/api/kpi/definitions", f"/api/kpi/table?{PERIOD}",
        f"/api/kpi/ranking?{PERIOD}"]


def test_the_auditor_is_refused_and_each_refusal_is_audited(street):
    street.new_case()
    client = Client()
    client.force_login(street.auditor)
    for url in URLS:
        response = client.get(url)
        assert response.status_code == 403, url
        message = response.json()["message"] if url.startswith("/api/") else response.content.decode()
        assert "审计员" in message
    denials = AuditEntry.objects.filter(action=AuditEntry.Action.DENIED, actor=street.auditor)
    assert denials.count() == len(URLS)
    assert response.json()["code"] == "permission_denied"


def test_the_leader_still_reads_them(street):
    client = Client()
    client.force_login(street.leader)
    for url in URLS:
        assert client.get(url).status_code == 200, url
