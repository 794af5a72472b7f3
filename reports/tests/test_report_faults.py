"""A worker killed mid-report (SIGKILL, a real `manage.py generate_report` subprocess): no file under its final name
is half-written, the report is not DONE with missing files, the archive page offers 重新生成 once the run is stale,
and a retry completes."""

from __future__ import annotations

import signal
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from pypdf import PdfReader

from core import clock
from core.testing import ScratchDatabase, run_with_fault
from org.services import system_user
from reports import services
from reports.models import Report


def complete(path: Path) -> bool:
    try:
        if path.suffix == ".docx":
            with zipfile.ZipFile(path) as archive:
                return archive.testzip() is None and "word/document.xml" in archive.namelist()
        return len(PdfReader(path).pages) > 0
    except Exception:  # noqa: BLE001 — any failure to read is a half file
        return False


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("killed_after", ["write_docx", "write_pdf"])
def test_sigkill_while_writing_leaves_no_half_file_and_a_retry_completes(october, tmp_path, killed_after):
    database = ScratchDatabase(tmp_path)
    try:
        out = tmp_path / "out"
        # Killed right after the file was written to its .partial name, before the rename: the worst moment.
        env = database.env(tmp_path, FAULT_PATCH=f"reports.services.{killed_after}", FAULT_KILL_AT="1")
        result = run_with_fault(["generate_report", "--month", "2026-10", "--out", str(out)], env=env)
        assert result.returncode == -signal.SIGKILL, result.stderr[-2000:]

        report_id, status, docx, pdf = database.scalar("SELECT id, status, docx_path, pdf_path FROM reports_report")
        assert status == "running" and docx == "" and pdf == ""   # not DONE, nothing linked for download
        folder = Path(settings.MEDIA_ROOT) / "reports" / "2026-10"
        finals = [p for p in folder.iterdir() if not p.name.endswith(".partial")]
        assert all(complete(p) for p in finals)                   # a final name only ever holds a whole file
        assert [p.suffix for p in finals] == ([] if killed_after == "write_docx" else [".docx"])
        assert not out.exists()

        retry = run_with_fault(["shell", "-c", f"from reports.services import report_generate as g; "
                                f"print(g({report_id}).status)"], env=database.env(tmp_path))
        assert retry.returncode == 0 and retry.stdout.strip().splitlines()[-1] == "done", retry.stderr[-2000:]
        docx, pdf = database.scalar("SELECT docx_path, pdf_path FROM reports_report")
        media = Path(settings.MEDIA_ROOT)
        assert complete(media / docx) and complete(media / pdf)
        assert not list(folder.glob("*.partial"))                 # the retry's own writes replaced the leftovers
    finally:
        database.drop()


@pytest.mark.django_db
def test_a_report_left_running_by_a_killed_worker_is_offered_again_and_regenerated(street, october, monkeypatch,
                                                                               django_capture_on_commit_callbacks):
    monkeypatch.setattr(services, "run_in_background", lambda task, *args: task(*args))
    report = services.report_request(actor=system_user(), month=date(2026, 10, 1))
    Report.objects.filter(pk=report.pk).update(status="running", progress=75, stage="生成 PDF",
                                               heartbeat_at=clock.now())
    client = Client()
    client.force_login(street.leader)
    # Still making progress: polled, no button, and a retry is refused (two workers on one report).
    page = client.get("/reports/").content.decode()
    polling = f'hx-get="/reports/{report.pk}/row/"'
    assert polling in page and "重新生成" not in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/reports/{report.pk}/retry/")
    assert Report.objects.get(pk=report.pk).status == "running"

    later = clock.now() + timedelta(seconds=settings.BACKGROUND_STALE_SECONDS + 60)
    with clock.frozen_at(later):
        page = client.get("/reports/").content.decode()
        assert "已中断" in page and "重新生成" in page and polling not in page
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/reports/{report.pk}/retry/")
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "done" and report.docx_path and report.pdf_path


def test_staleness_counts_from_the_last_sign_of_life():
    now = datetime(2026, 11, 3, 9, 0, tzinfo=clock.now().tzinfo)
    running = Report(status="running", requested_at=now - timedelta(days=1), heartbeat_at=now)
    with clock.frozen_at(now + timedelta(seconds=settings.BACKGROUND_STALE_SECONDS - 1)):
        assert not running.is_stale and not running.can_retry
    with clock.frozen_at(now + timedelta(seconds=settings.BACKGROUND_STALE_SECONDS + 1)):
        assert running.is_stale and running.can_retry
        assert not Report(status="done", requested_at=now, heartbeat_at=now).is_stale
