"""12345-imported cases hear the same event contract as any 受理: auto-dispatched when enabled, and notified."""

import pytest
from django.test import override_settings

from cases.models import Case, State
from dispatch import listeners, selectors
from dispatch.models import DispatchOutcome
from dispatch.tests.conftest import build_trained
from hotline import services
from notifications.models import Notification
from org.models import Role

from .conftest import csv_bytes, hotline_row, upload_job

pytestmark = pytest.mark.django_db

# Three different reports at three known addresses (not duplicates of one another), 诉求分类 left to the classifier.
ROWS = [
    ("愚园路128弄3号", "楼道内堆放大量纸板旧家具,占用消防通道"),
    ("愚园路150弄2号", "一套两室户被二房东隔成六间出租,住了十几个人,疑似群租"),
    ("愚园路160弄5号", "楼上卫生间漏水,渗到我家天花板,墙皮脱落"),
]


@pytest.fixture
def trained(street):
    selectors.reset_caches()
    yield build_trained(street)
    selectors.reset_caches()


@pytest.fixture
def started(monkeypatch):
    """The background jobs the listeners start, run here in this thread (a worker could not see the test's rows)."""
    jobs = []

    def run(task, *args):
        jobs.append((task.name, args))
        task(*args)
        return True

    monkeypatch.setattr(listeners, "run_in_background", run)
    return jobs


def _import(street):
    rows = [hotline_row(i, 诉求地址=address, 诉求内容=f"{address}{text}", 诉求分类="") for i, (address, text) in enumerate(ROWS)]
    # Two batches: one of two cases (handed to a background job), one of a single case (dispatched at once).
    job = services.import_job_run(upload_job(street, csv_bytes(rows)).pk, batch_size=2)
    assert job.created_count == 3
    return {address: Case.objects.get(address=address) for address, _ in ROWS}


@override_settings(DISPATCH_AUTO_CONFIDENCE=0.3)
def test_imported_cases_are_auto_dispatched_and_their_handlers_told(trained, started):
    street = trained.street
    cases = _import(street)
    assert [name for name, _ in started] == ["dispatch.tasks.auto_dispatch_cases"]  # the batch of two
    leads = {"愚园路128弄3号": street.department, "愚园路150弄2号": trained.housing,
             "愚园路160弄5号": street.other_department}
    for address, case in cases.items():
        case.refresh_from_db()
        assert case.state == State.DISPATCHED and case.lead_department == leads[address]
        dispatch = case.events.get(action="dispatch")
        assert dispatch.actor.role == Role.SYSTEM and dispatch.note.startswith("智能派单")
        assert DispatchOutcome.objects.get(case=case).automatic
    # 新派单 to the lead departments' handlers, exactly as after a single 受理's auto-dispatch.
    assert Notification.objects.get(user=street.handler, kind="assigned").case == cases["愚园路128弄3号"]
    assert Notification.objects.get(user=street.handler_other, kind="assigned").case == cases["愚园路160弄5号"]


def test_without_auto_dispatch_an_import_starts_nothing(trained, started):
    cases = _import(trained.street)
    assert started == [] and {case.state for case in cases.values()} == {State.REGISTERED}
    assert not Notification.objects.exists()
