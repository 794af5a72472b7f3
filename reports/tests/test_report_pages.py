"""The report archive page: who may use it, requesting a month, progress rows, audited downloads."""

import pytest
from django.test import Client

from audit.models import AuditEntry
from core import clock
from reports import services
from reports.models import Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def inline(monkeypatch):
    monkeypatch.setattr(services, "run_in_background", lambda task, *args: task(*args))  # the thread's work, inline


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_leader_requests_a_month_and_downloads_word_and_pdf(street, october, inline, django_capture_on_commit_callbacks):
    client = _client(street.leader)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/", {"month": "2026-10"})
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.status == "done" and report.requested_by == street.leader
    page = client.get("/reports/").content.decode()
    assert "2026年10月" in page and f"/reports/{report.pk}/docx/" in page and f"/reports/{report.pk}/pdf/" in page
    word = client.get(f"/reports/{report.pk}/docx/")
    assert word.status_code == 200 and "attachment" in word["Content-Disposition"]
    assert b"".join(word.streaming_content)[:2] == b"PK"                 # a real .docx (zip)
    pdf = client.get(f"/reports/{report.pk}/pdf/")
    assert b"".join(pdf.streaming_content)[:5] == b"%PDF-"
    downloads = AuditEntry.objects.filter(object_type="report_file", actor=street.leader)
    assert sorted(downloads.values_list("detail__kind", flat=True)) == ["docx", "pdf"]


def test_progress_row_polls_while_running_and_stops_when_done(street, october):
    report = Report.objects.create(month="2026-10-01", requested_by=street.leader, requested_at="2026-11-01T09:00+08:00",
                                   status="running", progress=55, stage="生成 Word", heartbeat_at=clock.now())
    client = _client(street.dispatcher)
    row = client.get(f"/reports/{report.pk}/row/").content.decode()
    assert 'hx-trigger="every 1s"' in row and "55%" in row and "生成 Word" in row
    Report.objects.filter(pk=report.pk).update(status="failed", error="OSError: disk full")
    row = client.get(f"/reports/{report.pk}/row/").content.decode()
    assert "every 1s" not in row and "disk full" in row and "重新生成" in row
    assert client.get(f"/reports/{report.pk}/pdf/").status_code == 404   # nothing to download


def test_other_roles_are_refused_and_bad_months_rejected(street, october):
    for user in (street.handler, street.intake, street.callback, street.grid_user):
        assert _client(user).get("/reports/").status_code == 403
    client = _client(street.leader)
    assert client.post("/reports/", {"month": "2099-01"}).status_code == 422
    assert client.post("/reports/", {"month": "oops"}).status_code == 422
    assert not Report.objects.exists()
    assert "还没有生成过报告" in client.get("/reports/").content.decode()
