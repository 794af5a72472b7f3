"""Redis down (broker and cache pointing at a port where nothing listens): registering a case through the API and
the web still commits the case and its event, notifications are still stored in-app, rate limits fail open, and
work that needs the broker (hotline import, report generation) fails visibly with a Chinese message and a warning in
the log, then runs when started again: a user's action never becomes a 500 and nothing is lost."""

from __future__ import annotations

import contextlib
import logging

import pytest
from celery import Celery
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cases.models import Case, CaseEvent
from chengyun.celery import app
from core.background import BROKER_DOWN_MESSAGE
from core.testing import service_listening
from hotline import services as hotline_services
from hotline.models import ImportJob
from hotline.tests.conftest import csv_bytes, hotline_row
from notifications.models import Notification
from org.services import api_token_create
from reports.models import Report

pytestmark = pytest.mark.django_db
DEAD_PORT = 6390
NEW_CASE = {"source": "patrol", "title": "楼道堆物", "content": "愚园路128弄3号楼道堆放纸板,堵塞消防通道。",
            "address": "愚园路128弄3号", "citizen_name": "王秀英", "citizen_phone": "13912345678"}


@pytest.fixture
def redis_down(settings, tmp_path):
    if service_listening(DEAD_PORT):
        pytest.skip(f"127.0.0.1:{DEAD_PORT} is in use: cannot play a Redis that is down there")
    url = f"redis://127.0.0.1:{DEAD_PORT}"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = f"{url}/0"
    settings.REDIS_CACHE_URL = f"{url}/1"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": f"{url}/1",
                                   "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}
    # Production's app, configured as production is, but with its broker gone; shared tasks resolve to it.
    dead = Celery("chengyun-redis-down", broker=f"{url}/0", set_as_current=True)
    dead.conf.task_always_eager = False
    try:
        yield dead
    finally:
        app.set_current()
        dead.close()


def test_api_registration_commits_the_case_and_its_event(street, redis_down, caplog):
    _, key = api_token_create(user=street.intake)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    with caplog.at_level(logging.WARNING):
        response = client.post("/api/cases", NEW_CASE, content_type="application/json")
    assert response.status_code == 201, response.content[:500]
    case = Case.objects.get(number=response.json()["number"])
    assert list(case.events.values_list("action", flat=True)) == ["register"]
    assert "rate limit not counted" in caplog.text  # the limit failed open, and said so


def test_web_registration_and_dispatch_commit_and_notify_in_app(street, redis_down):
    client = Client()
    client.force_login(street.intake)
    response = client.post("/cases/new/", {**NEW_CASE, "source": "walk_in", "urgency": "normal",
                                           "category": street.category.pk})
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    client.force_login(street.dispatcher)
    response = client.post(f"/cases/{case.pk}/act/dispatch/", {"lead_department_id": street.department.pk})
    assert response.status_code in (200, 302)
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == ["register", "dispatch"]
    assert Notification.objects.filter(user=street.handler, case=case, kind="assigned").exists()


def test_hotline_import_cannot_start_then_starts_when_redis_is_back(street, redis_down, caplog,
                                                                   django_capture_on_commit_callbacks):
    job = hotline_services.import_job_create(actor=street.intake, upload=SimpleUploadedFile(
        "e.csv", csv_bytes([hotline_row(i) for i in range(3)])), profile=hotline_services.default_profile())
    client = Client()
    client.force_login(street.intake)
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/hotline/jobs/{job.pk}/start/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and job.error == BROKER_DOWN_MESSAGE
    assert "broker unavailable" in caplog.text
    page = client.get(f"/hotline/jobs/{job.pk}/").content.decode()
    assert "Redis" in page and "继续导入" in page

    # Redis is back (here: the in-process runner): 继续导入 runs it.
    with _inline(hotline_services.jobs), django_capture_on_commit_callbacks(execute=True):
        client.post(f"/hotline/jobs/{job.pk}/start/")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.created_count == 3


def test_report_cannot_be_queued_then_is_regenerated(street, redis_down, django_capture_on_commit_callbacks):
    client = Client()
    client.force_login(street.leader)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/", {"month": "2026-10"})
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.status == Report.Status.FAILED and report.error == BROKER_DOWN_MESSAGE
    page = client.get("/reports/").content.decode()
    assert "Redis" in page and "重新生成" in page

    from reports import services as report_services

    with _inline(report_services), django_capture_on_commit_callbacks(execute=True):
        client.post(f"/reports/{report.pk}/retry/")
    report.refresh_from_db()
    assert report.status == Report.Status.DONE


@contextlib.contextmanager
def _inline(views_module):
    """Redis is back: what the view hands to the background runs, here in this thread (a worker would race the test)."""
    original = views_module.run_in_background
    views_module.run_in_background = lambda task, *args: task(*args) or True
    try:
        yield
    finally:
        views_module.run_in_background = original
