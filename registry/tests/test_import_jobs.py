"""An import job that fails half-way says why and resumes after its last committed batch."""

from pathlib import Path

import pytest
from django.core.files import File

from registry import import_engine, import_jobs
from registry.models import Person, RegistryImportJob

from .importhelp import PERSON_HEADER, write_csv


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_failed_job_resumes_after_its_last_batch(street, tmp_path, monkeypatch):
    rows = [[f"居民{i}", "男", "", "", "", f"愚园路128弄{i}号101室", "", "", "", ""] for i in range(1, 7)]
    path = write_csv(tmp_path / "p.csv", PERSON_HEADER, rows)
    with open(path, "rb") as handle:
        job = import_jobs.import_job_create(actor=street.dispatcher, upload=File(handle, name=Path(path).name),
                                            kind="persons")
    original, calls = import_engine.PersonImporter.write_new, []

    def flaky(self, plans):
        calls.append(len(plans))
        if len(calls) == 2:
            raise RuntimeError("数据库连接中断")
        return original(self, plans)

    monkeypatch.setattr(import_engine.PersonImporter, "write_new", flaky)
    job = import_jobs.import_job_run(job.pk, batch_size=2)
    assert job.status == RegistryImportJob.Status.FAILED and "数据库连接中断" in job.error
    assert (job.last_row, job.created_count, Person.objects.count()) == (3, 2, 2)
    assert job.can_start
    job = import_jobs.import_job_run(job.pk, batch_size=2)
    assert job.status == RegistryImportJob.Status.DONE and job.created_count == 6 and Person.objects.count() == 6


def test_a_write_only_workbook_counts_its_rows_for_the_preview(street, tmp_path):
    """Workbooks written in write-only mode record no dimension: the job still knows how many rows it has."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("居民底册")
    sheet.append(PERSON_HEADER)
    for i in range(1, 38):
        sheet.append([f"居民{i}", "男", "", "", "", f"愚园路128弄{i}号101室", "", "", "", ""])
    path = tmp_path / "book.xlsx"
    book.save(path)
    with open(path, "rb") as handle:
        job = import_jobs.import_job_create(actor=street.dispatcher, upload=File(handle, name="book.xlsx"),
                                            kind="persons")
    assert job.total_rows == 37
