"""Hotline import (upload → preview → run in the background with a progress bar) and export pages."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from audit.models import AuditEntry
from audit.services import audit_record
from cases import policy
from core import clock
from core.background import BROKER_DOWN_MESSAGE, run_in_background
from core.errors import DomainError
from core.excel import xlsx_response
from core.pages import login_required
from org.roles import HOTLINE_ROLES

from . import services
from .models import ImportJob, ImportProfile
from .tasks import run_import


def _allowed(request: HttpRequest) -> HttpResponse | None:
    if request.user.role not in HOTLINE_ROLES:
        return render(request, "403.html", {"message": "只有受理员、派单员和管理员可以导入导出12345工单"}, status=403)
    return None




@login_required
def import_home(request: HttpRequest) -> HttpResponse:
    if refusal := _allowed(request):
        return refusal
    status = 200
    if request.method == "POST":
        profile = ImportProfile.objects.filter(pk=request.POST.get("profile") or 0).first()
        upload = request.FILES.get("file")
        try:
            if upload is None or profile is None:
                raise services.ValidationFailed("请选择文件和导入格式")
            job = services.import_job_create(actor=request.user, upload=upload, profile=profile)
        except DomainError as exc:
            messages.error(request, exc.message)
            status = exc.status
        else:
            return redirect("hotline:job", pk=job.pk)
    services.default_profile()
    return render(request, "hotline/import.html", {
        "profiles": ImportProfile.objects.order_by("-is_default", "name"),
        "jobs": ImportJob.objects.select_related("created_by")[:20]}, status=status)


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if refusal := _allowed(request):
        return refusal
    job = get_object_or_404(ImportJob, pk=pk)
    preview = services.import_preview(job) if job.status == ImportJob.Status.UPLOADED else []
    if request.user.role not in policy.PERSONAL_DATA_ROLES:  # the 管理员 imports too, and sees cases masked
        for row in preview:
            row["content"] = policy.mask_public_text(row["content"])
            row["address"] = policy.mask_address(row["address"])
    template = "hotline/_progress.html" if request.htmx else "hotline/job.html"
    return render(request, template, {"job": job, "preview": preview})


@login_required
@require_POST
def job_start(request: HttpRequest, pk: int) -> HttpResponse:
    if refusal := _allowed(request):
        return refusal
    job = get_object_or_404(ImportJob, pk=pk)
    # A job RUNNING without progress for a while lost its worker (killed): it resumes after its last committed row.
    if job.can_start:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, heartbeat_at=clock.now(), error="")
        transaction.on_commit(lambda: _start(job.pk))
    return redirect("hotline:job", pk=job.pk)


def _start(job_id: int) -> None:
    if run_in_background(run_import, job_id) is False:
        # Broker down: say so on the job (the page offers 继续导入) rather than leave it RUNNING with no worker.
        ImportJob.objects.filter(pk=job_id).update(status=ImportJob.Status.FAILED, error=BROKER_DOWN_MESSAGE)


@login_required
def job_errors(request: HttpRequest, pk: int) -> HttpResponse:
    if refusal := _allowed(request):
        return refusal
    job = get_object_or_404(ImportJob, pk=pk)
    audit_record(action=AuditEntry.Action.EXPORT, actor=request.user, request=request, object_type="hotline_rejections",
                 object_id=job.pk)
    return xlsx_response(services.rejections_workbook(job), f"import-{job.pk}-errors.xlsx")


@login_required
def export(request: HttpRequest) -> HttpResponse:
    if refusal := _allowed(request):
        return refusal
    if "start" not in request.GET:
        return render(request, "hotline/export.html", {})
    try:
        start, end = date.fromisoformat(request.GET["start"]), date.fromisoformat(request.GET.get("end", ""))
        workbook = services.export_workbook(start=start, end=end, actor=request.user)
    except ValueError:
        return render(request, "hotline/export.html", {"error": "请填写正确的起止日期"}, status=422)
    except DomainError as exc:
        return render(request, "hotline/export.html", {"error": exc.message}, status=exc.status)
    audit_record(action=AuditEntry.Action.EXPORT, actor=request.user, request=request, object_type="hotline_export",
                 detail={"start": start.isoformat(), "end": end.isoformat()})
    return xlsx_response(workbook, f"12345-replies-{start}-{end}.xlsx")
