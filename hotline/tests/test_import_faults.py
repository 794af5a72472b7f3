"""A worker killed mid-import (SIGKILL, a real `manage.py import_hotline` subprocess) keeps every committed batch
whole, each case with its register event and the job's counts matching, and a re-run imports every row exactly once."""

from __future__ import annotations

import signal
import time

import pytest

from cases.models import Case
from core.errors import Conflict
from core.tabular import read_rows
from core.testing import ScratchDatabase, run_with_fault
from hotline import services
from hotline.models import ImportJob
from org.selectors import Gazetteer

from .conftest import csv_bytes, hotline_row, upload_job

pytestmark = pytest.mark.django_db(transaction=True)
ROWS, BATCH = 400, 20


@pytest.fixture
def scratch(street, tmp_path):
    services.default_profile()
    database = ScratchDatabase(tmp_path)
    yield database
    database.drop()


@pytest.fixture
def export_file(tmp_path):
    path = tmp_path / "12345-export.csv"
    path.write_bytes(csv_bytes([hotline_row(i) for i in range(ROWS)]))
    return path


def assert_consistent(db: ScratchDatabase, job_id: int) -> tuple[int, int]:
    """Nothing half-written: every case has exactly one register event and every event a case; the cases are
    exactly the rows of the committed batches (ImportBatch), whatever order the writers committed them in; the
    job's position and counts never run ahead of its batches. Returns (last_row, cases)."""
    last_row, created = db.scalar("SELECT last_row, created_count FROM hotline_importjob WHERE id = %s", (job_id,))
    cases = db.scalar("SELECT COUNT(*) FROM cases_case")
    assert db.scalar("SELECT COUNT(*) FROM cases_case c WHERE (SELECT COUNT(*) FROM cases_caseevent e "
                     "WHERE e.case_id = c.id AND e.action = 'register') != 1") == 0
    assert db.scalar("SELECT COUNT(*) FROM cases_caseevent e WHERE NOT EXISTS "
                     "(SELECT 1 FROM cases_case c WHERE c.id = e.case_id)") == 0
    assert db.scalar("SELECT COUNT(*) FROM cases_caseevent") == cases
    batches = db.rows("SELECT first_row, last_row, created_count FROM hotline_importbatch WHERE job_id = %s "
                      "ORDER BY first_row", (job_id,))
    # Row r of the file (row 1 is the header) carries hotline number r - 2.
    numbers = [row[0] for row in db.rows("SELECT hotline_number FROM cases_case ORDER BY hotline_number")]
    assert numbers == [f"2026110{row - 2:06d}" for first, last, _ in batches for row in range(first, last + 1)]
    assert sum(count for _, _, count in batches) == cases
    # Rows 2..last_row are all in committed batches, and the job counted exactly those.
    before = [(first, last, count) for first, last, count in batches if last <= last_row]
    assert [first for first, _, _ in before] == list(range(2, last_row, BATCH))
    assert created == sum(count for _, _, count in before)
    return last_row, cases


def assert_all_imported_once(db: ScratchDatabase) -> None:
    assert db.scalar("SELECT COUNT(*), COUNT(DISTINCT hotline_number) FROM cases_case") == (ROWS, ROWS)
    assert db.scalar("SELECT COUNT(*) FROM cases_caseevent WHERE action = 'register'") == ROWS
    assert db.scalar("SELECT COUNT(*) FROM cases_case c WHERE NOT EXISTS (SELECT 1 FROM cases_caseevent e "
                     "WHERE e.case_id = c.id)") == 0


def test_sigkill_from_outside_while_batches_commit_then_resume(scratch, export_file, tmp_path):
    # Each batch pauses inside its transaction (cases and events written, not yet committed), so the kill most
    # likely lands in the middle of one; wherever it lands, the checks below must hold.
    env = scratch.env(tmp_path, FAULT_PATCH="hotline.services.pipeline.case_register_validated", FAULT_PAUSE="0.05")
    worker = run_with_fault(["import_hotline", str(export_file), "--batch", str(BATCH), "--user", "t_intake"], env=env, background=True)
    hang_guard = time.monotonic() + 300  # only so a hung worker cannot hang the suite; not a timing assertion
    try:
        while worker.poll() is None and time.monotonic() < hang_guard:
            position = scratch.scalar("SELECT MAX(last_row) FROM hotline_importjob")
            if position and position >= 3 * BATCH:
                worker.send_signal(signal.SIGKILL)
                break
            time.sleep(0.01)
        worker.wait(timeout=60)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == -signal.SIGKILL, worker.stderr.read()[-2000:]
    job_id, status = scratch.scalar("SELECT id, status FROM hotline_importjob")
    assert status == "running"  # the killed worker could not say otherwise
    last_row, cases = assert_consistent(scratch, job_id)
    assert BATCH <= cases < ROWS and (last_row - 1) % BATCH == 0

    result = run_with_fault(["import_hotline", "--resume", str(job_id)], env=scratch.env(tmp_path))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "导入完成" in result.stdout
    assert scratch.scalar("SELECT status, created_count, skipped_count FROM hotline_importjob") == ("done", ROWS, 0)
    assert_all_imported_once(scratch)


@pytest.mark.parametrize("writers", ["1", "2"])
def test_sigkill_inside_a_batch_transaction_keeps_nothing_of_that_batch_then_reimport(scratch, export_file, tmp_path,
                                                                                      writers):
    # Killed right after the third batch's cases and events were written (COPY on PostgreSQL), before its commit.
    # With two writers the first two batches may or may not have committed by then.
    env = scratch.env(tmp_path, FAULT_PATCH="hotline.services.pipeline.case_register_validated", FAULT_KILL_AT="3",
                      HOTLINE_IMPORT_WRITERS=writers)
    result = run_with_fault(["import_hotline", str(export_file), "--batch", str(BATCH), "--user", "t_intake"], env=env)
    assert result.returncode == -signal.SIGKILL, result.stderr[-2000:]
    job_id = scratch.scalar("SELECT id FROM hotline_importjob")
    last_row, cases = assert_consistent(scratch, job_id)
    if writers == "1":
        assert (last_row, cases) == (2 * BATCH + 1, 2 * BATCH)
    else:
        assert cases in (0, BATCH, 2 * BATCH)

    # Importing the same file again (a new job) skips what the killed one committed and adds the rest.
    result = run_with_fault(["import_hotline", str(export_file), "--batch", str(BATCH), "--user", "t_intake"],
                            env=scratch.env(tmp_path, HOTLINE_IMPORT_WRITERS=writers))
    assert result.returncode == 0, result.stderr[-2000:]
    assert scratch.scalar("SELECT created_count, skipped_count FROM hotline_importjob WHERE id != %s",
                          (job_id,)) == (ROWS - cases, cases)
    assert_all_imported_once(scratch)


def test_a_second_worker_on_the_same_job_stops_instead_of_importing_twice(street, tmp_path):
    """A resumed job whose old worker is in fact still alive: the one that finds the batch already committed
    (its ImportBatch row) stops."""
    job = upload_job(street, csv_bytes([hotline_row(i) for i in range(6)]))
    stale = ImportJob.objects.get(pk=job.pk)
    services.import_job_run(job.pk, batch_size=2)  # the "other" worker finished it
    parser, gazetteer = services.RowParser(stale.profile), Gazetteer.load()
    with pytest.raises(Conflict):
        services.pipeline.commit_batch(stale, services.pipeline.BatchPreparer(stale, parser, gazetteer).prepare([(2, {})]))


@pytest.mark.django_db
def test_a_job_left_running_by_a_killed_worker_is_resumed_from_the_page(street, monkeypatch,
                                                                       django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.conf import settings
    from django.test import Client

    from core import clock
    monkeypatch.setattr(services.jobs, "run_in_background", lambda task, *args: task(*args))
    job = upload_job(street, csv_bytes([hotline_row(i) for i in range(6)]))
    first_row = read_rows(job.file.path)[1].__next__()[1]
    committed = services.pipeline.commit_batch(job, services.pipeline.BatchPreparer(job, services.RowParser(job.profile),
                                                                    Gazetteer.load()).prepare([(2, first_row)]))
    services.pipeline.record_batch(job, committed)
    ImportJob.objects.filter(pk=job.pk).update(status="running", heartbeat_at=clock.now())
    client = Client()
    client.force_login(street.intake)
    assert "继续导入" not in client.get(f"/hotline/jobs/{job.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/hotline/jobs/{job.pk}/start/")      # a live worker's job is not started twice
    assert ImportJob.objects.get(pk=job.pk).last_row == 2

    with clock.frozen_at(clock.now() + timedelta(seconds=settings.BACKGROUND_STALE_SECONDS + 60)):
        page = client.get(f"/hotline/jobs/{job.pk}/").content.decode()
        assert "导入进程已中断" in page and "继续导入" in page
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/hotline/jobs/{job.pk}/start/")
    job.refresh_from_db()
    assert job.status == "done" and job.created_count == 6 and Case.objects.count() == 6
