"""Imports writing batches over several connections side by side (PostgreSQL): each row once, numbers without
gaps when nothing fails, the job's position and counts in file order, and a resume that counts what committed."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from cases.models import Case
from hotline import services
from hotline.models import ImportBatch, ImportJob

from .conftest import csv_bytes, hotline_row, upload_job

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite has one writer: imports use one connection"),
]


def test_a_number_repeated_while_the_earlier_batch_is_still_being_written_makes_one_case(street, monkeypatch):
    # Batch 1 (rows of numbers 0 and 1) holds its transaction open until batch 2 (numbers 1 and 2) has written its
    # cases: batch 2 cannot see batch 1's uncommitted case 1, only the import knows it is being written.
    job = upload_job(street, csv_bytes([hotline_row(0), hotline_row(1), hotline_row(1), hotline_row(2)]))
    real = services.pipeline.case_register_validated
    second_written = threading.Event()

    def register(**kwargs):
        numbers = {values["hotline_number"] for values in kwargs["accepted"]}
        result = real(**kwargs)
        if "2026110000000" in numbers:
            assert second_written.wait(timeout=30), "the second batch was not written beside the first"
        else:
            second_written.set()
        return result

    monkeypatch.setattr(services.pipeline, "case_register_validated", register)
    job = services.import_job_run(job.pk, batch_size=2, writers=2)
    assert job.status == ImportJob.Status.DONE, job.error
    assert sorted(Case.objects.values_list("hotline_number", flat=True)) == [
        "2026110000000", "2026110000001", "2026110000002"]
    assert (job.created_count, job.skipped_count, job.last_row) == (3, 1, 5)


def test_two_writers_import_every_row_once_with_numbers_in_one_unbroken_run(street):
    job = upload_job(street, csv_bytes([hotline_row(i) for i in range(25)]))
    job = services.import_job_run(job.pk, batch_size=4, writers=2)
    assert job.status == ImportJob.Status.DONE and (job.created_count, job.last_row) == (25, 26)
    numbers = sorted(int(number.rsplit("-", 1)[1]) for number in Case.objects.values_list("number", flat=True))
    assert numbers == list(range(numbers[0], numbers[0] + 25))
    assert Case.objects.values("hotline_number").distinct().count() == 25
    assert list(job.batches.values_list("first_row", flat=True)) == list(range(2, 27, 4))
    assert sum(job.batches.values_list("created_count", flat=True)) == 25


def test_a_failed_batch_fails_the_job_and_the_resume_counts_the_batches_committed_beside_it(street, monkeypatch,
                                                                                           caplog):
    job = upload_job(street, csv_bytes([hotline_row(i) for i in range(9)]))
    real = services.pipeline.case_register_validated

    def register(**kwargs):
        if any(values["hotline_number"] == "2026110000003" for values in kwargs["accepted"]):
            raise RuntimeError("database went away")
        return real(**kwargs)

    monkeypatch.setattr(services.pipeline, "case_register_validated", register)
    job = services.import_job_run(job.pk, batch_size=3, writers=2)
    assert job.status == ImportJob.Status.FAILED and "database went away" in job.error
    assert "from row 5 was not committed; case numbers JAS-2026-" in caplog.text  # its reserved numbers are logged
    assert (job.last_row, job.created_count) == (4, 3)  # rows 2–4; the batch after the failed one is not counted
    committed = Case.objects.count()
    assert committed in (3, 6)  # the third batch, written beside the failed one, may have committed

    monkeypatch.setattr(services.pipeline, "case_register_validated", real)
    job = services.import_job_run(job.pk, batch_size=50, writers=2)  # the job keeps the batches it was cut into
    assert job.status == ImportJob.Status.DONE
    assert (job.created_count, job.skipped_count, job.last_row) == (9, 0, 10)
    assert Case.objects.count() == 9 == Case.objects.values("hotline_number").distinct().count()
    assert list(ImportBatch.objects.filter(job=job).values_list("first_row", flat=True)) == [2, 5, 8]


def test_the_writers_close_their_connections(street):
    def backends() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()")
            return cursor.fetchone()[0]

    before = backends()
    job = upload_job(street, csv_bytes([hotline_row(i) for i in range(6)]))
    services.import_job_run(job.pk, batch_size=2, writers=2)
    # A closed connection's server process leaves pg_stat_activity a moment after the client hangs up: wait for it
    # (up to 10 s), then the count must be back where it was — a writer that kept its connection never gets there.
    for _ in range(100):
        if backends() == before:
            break
        time.sleep(0.1)
    assert backends() == before
