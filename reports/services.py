"""Monthly 情况分析: request a report (archived), start or retry its generation in the background, generate its Word
and PDF files with progress, hand them out."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEntry
from audit.services import audit_record
from core import clock
from core.background import BROKER_DOWN_MESSAGE, run_in_background
from core.errors import PermissionDenied, ValidationFailed
from org.models import User

# The module, not its task: reports.tasks imports these services (either may be imported first).
from . import tasks
from .document import report_blocks, write_docx, write_pdf
from .models import Report
from .selectors import REPORT_ROLES, report_figures


def _check_role(user: User) -> None:
    if user.role not in REPORT_ROLES:
        raise PermissionDenied("只有城运中心派单员、领导和管理员可以生成和下载情况分析报告")


def report_request(*, actor: User, month: date) -> Report:
    """Queue a report for `month` (a new archived version each time); the caller starts it after commit (report_launch)."""
    _check_role(actor)
    month = month.replace(day=1)
    if month > timezone.localdate(clock.now()).replace(day=1):
        raise ValidationFailed("不能生成未来月份的报告")
    if month.year < 2000:
        raise ValidationFailed("月份超出范围")
    report = Report.objects.create(month=month, requested_by=actor, requested_at=clock.now(), stage="排队中")
    audit_record(action=AuditEntry.Action.EXPORT, actor=actor, object_type="report", object_id=report.pk,
                 detail={"month": month.strftime("%Y-%m")})
    return report


def report_retry(*, actor: User, report: Report) -> bool:
    """Generate a report again after commit: failed, or queued/generating with no progress for a while (its worker
    was killed). False if it is still making progress (two workers on one report)."""
    _check_role(actor)
    if not report.can_retry:
        return False
    with transaction.atomic():
        Report.objects.filter(pk=report.pk).update(status=Report.Status.QUEUED, progress=0, stage="排队中", error="",
                                                   heartbeat_at=clock.now())
        report_id = report.pk
        transaction.on_commit(lambda: report_launch(report_id=report_id))
    return True


def report_launch(*, report_id: int) -> None:
    """The generation to the worker (or the in-process runner); with the broker down, the report says so instead."""
    if run_in_background(tasks.generate_report, report_id) is False:
        # Broker down: the report says so and offers 重新生成, instead of waiting in the queue forever.
        with transaction.atomic():
            Report.objects.filter(pk=report_id).update(status=Report.Status.FAILED, stage="失败",
                                                       error=BROKER_DOWN_MESSAGE)


def _progress(report: Report, percent: int, stage: str, **fields) -> None:
    # Outside any transaction, so a polling page sees each step as it happens.
    Report.objects.filter(pk=report.pk).update(progress=percent, stage=stage, heartbeat_at=clock.now(), **fields)


def _atomic_write(writer, blocks, target: Path) -> None:
    """Write to a temporary name and rename: a killed worker leaves no half file under the real name."""
    partial = target.with_name(target.name + ".partial")
    writer(blocks, partial)
    os.replace(partial, target)


def report_generate(report_id: int) -> Report:
    """Collect the figures, draw the charts, write Word then PDF; the files are linked only when both are complete."""
    report = Report.objects.get(pk=report_id)
    if report.status == Report.Status.DONE:
        return report
    _progress(report, 5, "统计数据", status=Report.Status.RUNNING, error="")
    try:
        figures = report_figures(report.month)
        _progress(report, 35, "绘制图表")
        blocks = report_blocks(report.title, figures)
        folder = Path(settings.MEDIA_ROOT) / "reports" / report.month.strftime("%Y-%m")
        folder.mkdir(parents=True, exist_ok=True)
        stem = f"{report.pk}-{report.month:%Y-%m}-情况分析"
        _progress(report, 55, "生成 Word")
        _atomic_write(write_docx, blocks, folder / f"{stem}.docx")
        _progress(report, 75, "生成 PDF")
        _atomic_write(write_pdf, blocks, folder / f"{stem}.pdf")
    except Exception as exc:
        _progress(report, report.progress, "失败", status=Report.Status.FAILED, error=f"{type(exc).__name__}: {exc}")
        raise
    relative = folder.relative_to(settings.MEDIA_ROOT)
    _progress(report, 100, "完成", status=Report.Status.DONE, docx_path=str(relative / f"{stem}.docx"),
              pdf_path=str(relative / f"{stem}.pdf"), summary="\n".join(figures.summary), finished_at=clock.now())
    report.refresh_from_db()
    return report


def report_file(*, actor: User, report: Report, kind: str) -> Path:
    """The path of a finished report's Word or PDF file for download (audited)."""
    _check_role(actor)
    if report.status != Report.Status.DONE:
        raise ValidationFailed("报告尚未生成完成")
    relative = {"docx": report.docx_path, "pdf": report.pdf_path}.get(kind)
    if not relative:
        raise ValidationFailed("不支持的文件格式")
    path = Path(settings.MEDIA_ROOT) / relative
    if not path.exists():
        raise ValidationFailed("报告文件已不存在,请重新生成")
    audit_record(action=AuditEntry.Action.EXPORT, actor=actor, object_type="report_file", object_id=report.pk,
                 detail={"kind": kind, "month": report.month.strftime("%Y-%m")})
    return path
