"""An import job's life: upload (header checked), preview, start in the background, run or resume, fail."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction

from cases.models import Case
from cases.services import validate_phone
from core import clock
from core.background import BROKER_DOWN_MESSAGE, run_in_background
from core.errors import Conflict, DomainError, ValidationFailed
from org.models import User

# The module, not its task: hotline.tasks imports these services (either may be imported first).
from .. import tasks
from ..models import ImportJob, ImportProfile
from ..reader import count_rows, read_rows
from .parsing import RowParser, check_header
from .pipeline import BATCH_SIZE, write_batches

logger = logging.getLogger(__name__)


def import_job_create(*, actor: User, upload: UploadedFile, profile: ImportProfile) -> ImportJob:
    """Stores the upload and checks its header now, so a wrong file is refused before anything runs."""
    name = Path(upload.name or "import").name
    if Path(name).suffix.lower() not in (".xlsx", ".csv"):
        raise ValidationFailed("只支持 .xlsx 和 .csv 文件", details={"field": "file"})
    job = ImportJob(original_name=name[:200], profile=profile, created_by=actor)
    job.file.save(f"{clock.now():%Y%m%d%H%M%S}-{name}", upload, save=False)
    try:
        header, _ = read_rows(Path(job.file.path))
        check_header(profile, header)
    except DomainError:
        job.file.delete(save=False)
        raise
    except Exception:
        job.file.delete(save=False)
        raise ValidationFailed("文件无法读取,请确认是 Excel(.xlsx)或 CSV 文件", details={"field": "file"}) from None
    job.total_rows = count_rows(Path(job.file.path))
    job.save()
    return job


def import_preview(job: ImportJob, *, limit: int = 20) -> list[dict[str, Any]]:
    """The first rows as they would be imported, each with its problem if any (nothing is written)."""
    _, rows = read_rows(Path(job.file.path))
    parser = RowParser(job.profile)
    existing_numbers = []
    preview = []
    for number, raw in rows:
        entry = {"row": number, "hotline_number": parser.value(raw, "hotline_number"),
                 "content": parser.value(raw, "content")[:60], "address": parser.value(raw, "address"),
                 "category": parser.value(raw, "category"), "problem": ""}
        try:
            fields = parser.parse(raw)
            validate_phone(fields["citizen_phone"])
            if fields["category"] is None and entry["category"]:
                entry["problem"] = "分类未匹配,将由派单员判断"
        except ValidationFailed as exc:
            entry["problem"] = exc.message
        existing_numbers.append(entry["hotline_number"])
        preview.append(entry)
        if len(preview) >= limit:
            break
    existing = set(Case.objects.filter(hotline_number__in=existing_numbers).values_list("hotline_number", flat=True))
    for entry in preview:
        if entry["hotline_number"] in existing and not entry["problem"]:
            entry["problem"] = "已存在,将跳过"
    return preview


def import_job_start(*, job: ImportJob) -> bool:
    """Marks the job running and hands it to the background after commit; False if it cannot start now.

    A job RUNNING without progress for a while lost its worker (killed): it resumes after its last committed row."""
    if not job.can_start:
        return False
    with transaction.atomic():
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, heartbeat_at=clock.now(), error="")
        job_id = job.pk
        transaction.on_commit(lambda: import_job_launch(job_id=job_id))
    return True


def import_job_launch(*, job_id: int) -> None:
    """The job to the worker (or the in-process runner); with the broker down, the job says so instead."""
    if run_in_background(tasks.run_import, job_id) is False:
        # Broker down: say so on the job (the page offers 继续导入) rather than leave it RUNNING with no worker.
        import_job_fail(job_id=job_id, error=BROKER_DOWN_MESSAGE)


def import_job_fail(*, job_id: int, error: str) -> None:
    with transaction.atomic():
        ImportJob.objects.filter(pk=job_id).update(status=ImportJob.Status.FAILED, error=error[:1000])


def import_job_run(job_id: int, *, batch_size: int = BATCH_SIZE, writers: int | None = None,
                   progress: Callable[[ImportJob], None] | None = None) -> ImportJob:
    """Runs (or resumes) an import: the batches not committed yet, each batch one transaction (pipeline.py).

    `writers` connections (HOTLINE_IMPORT_WRITERS; one on SQLite) write batches side by side."""
    job = ImportJob.objects.select_related("profile", "created_by").get(pk=job_id)
    if job.status == ImportJob.Status.DONE:
        return job
    if not job.batch_size:
        job.batch_size = batch_size
    writers = 1 if connection.vendor == "sqlite" else max(1, writers or settings.HOTLINE_IMPORT_WRITERS)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, started_at=job.started_at or clock.now(),
                                               error="", heartbeat_at=clock.now(), batch_size=job.batch_size)
    try:
        write_batches(job, writers=writers, progress=progress)
        job.status, job.finished_at = ImportJob.Status.DONE, clock.now()
        job.total_rows = max(job.total_rows or 0, job.last_row - 1)
        job.save(update_fields=["status", "finished_at", "total_rows"])
    except Conflict as exc:
        # Another worker owns this job (a resume while the first one still ran): it keeps going, this one stops.
        logger.warning("hotline import %s: %s", job.pk, exc.message)
        job.refresh_from_db()
        return job
    except Exception as exc:
        logger.exception("hotline import %s failed", job.pk)
        message = exc.message if isinstance(exc, DomainError) else f"导入中断:{exc}"
        import_job_fail(job_id=job.pk, error=message)
        job.refresh_from_db()
    if progress:
        progress(job)
    return job
