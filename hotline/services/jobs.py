"""An import job's life: upload (header checked), preview, start in the background, run or resume, fail."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone

from cases.models import Case
from cases.services import case_values_bulk
from core import clock
from core.background import BROKER_DOWN_MESSAGE, run_in_background
from core.errors import Conflict, DomainError, ValidationFailed
from core.tabular import count_rows, read_rows
from org.models import User
from org.selectors import Gazetteer

# The module, not its task: hotline.tasks imports these services (either may be imported first).
from .. import tasks
from ..models import ImportJob, ImportProfile
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
    """The first rows labelled with exactly what the import will do with each (nothing is written), in the order
    the import decides (pipeline.BatchPreparer.prepare, then commit_batch):

    - a row that does not parse is 拒绝, even if its hotline number was imported before (it goes to the rejected-rows
      file; the earlier case is not touched);
    - a hotline number that already has a case is 已导入(跳过), with that case's number: a re-import never changes
      the case, so a row whose content changed since is skipped too, and says so;
    - a hotline number already met higher up in the file is 文件内重复(跳过);
    - a row the checks of 受理 refuse is 拒绝; every other row is 新增 (notes: phone 待核实, category unmatched, the
      hotline's 要求办结时间)."""
    _, rows = read_rows(Path(job.file.path))
    parser = RowParser(job.profile)
    entries: list[dict[str, Any]] = []
    parsed: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for number, raw in rows:
        entry = {"row": number, "hotline_number": parser.value(raw, "hotline_number"),
                 "content": parser.value(raw, "content")[:60], "address": parser.value(raw, "address"),
                 "category": parser.value(raw, "category"), "outcome": "new", "label": "新增", "case_number": "",
                 "notes": []}
        try:
            parsed.append((entry, parser.parse(raw)))
        except ValidationFailed as exc:
            entry.update(outcome="reject", label="拒绝", notes=[exc.message])
        entries.append(entry)
        if len(entries) >= limit:
            break
    existing = {hotline_number: (case_number, content) for hotline_number, case_number, content in Case.objects.filter(
        hotline_number__in=[entry["hotline_number"] for entry in entries if entry["hotline_number"]],
    ).values_list("hotline_number", "number", "content")}
    for entry in entries:
        if entry["outcome"] == "reject" and entry["hotline_number"] in existing:
            entry["case_number"] = existing[entry["hotline_number"]][0]
            entry["notes"].append("该热线号已导入,原工单不变")
    accepted, refused = case_values_bulk(actor=job.created_by, rows=[fields for _, fields in parsed],
                                         gazetteer=Gazetteer.load())
    refusals = dict(refused)
    seen: set[str] = set()
    for index, (entry, fields) in enumerate(parsed):
        hotline_number = fields["hotline_number"]
        if hotline_number in existing:
            case_number, content = existing[hotline_number]
            entry.update(outcome="skip", label="已导入(跳过)", case_number=case_number)
            if content != fields["content"]:
                entry["notes"].append("文件中的内容与已导入的工单不同,不会更新原工单")
        elif hotline_number in seen:
            entry.update(outcome="skip", label="文件内重复(跳过)")
        elif index in refusals:
            entry.update(outcome="reject", label="拒绝", notes=[refusals[index]])
        else:
            if fields.get("citizen_phone_unverified"):
                entry["notes"].append("联系电话格式不正确,原样导入并标记待核实")
            if fields["category"] is None and entry["category"]:
                entry["notes"].append("分类未匹配,将由派单员判断")
            if fields.get("hotline_due_at"):
                entry["notes"].append(f"12345要求办结时间 {timezone.localtime(fields['hotline_due_at']):%m-%d %H:%M}")
        seen.add(hotline_number)
    for entry in entries:
        entry["note"] = ";".join(entry.pop("notes"))
    return entries


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
