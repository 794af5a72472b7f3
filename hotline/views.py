"""Hotline import (upload → preview → run in the background with a progress bar) and export pages."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from audit.models import AuditEntry
from audit.services import audit_record
from cases import policy
from core.errors import DomainError, ValidationFailed
from core.excel import xlsx_response
from core.pages import role_required

from . import selectors, services
from .models import ImportJob

hotline_roles = role_required(selectors.HOTLINE_ROLES, "只有受理员、派单员和管理员可以导入导出12345工单")


@hotline_roles
def import_home(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        profile = selectors.import_profiles(request.user).filter(pk=request.POST.get("profile") or 0).first()
        upload = request.FILES.get("file")
        try:
            if upload is None or profile is None:
                raise ValidationFailed("请选择文件和导入格式")
            job = services.import_job_create(actor=request.user, upload=upload, profile=profile)
        except DomainError as exc:
            messages.error(request, exc.message)
            status = exc.status
        else:
            return redirect("hotline:job", pk=job.pk)
    services.default_profile()
    return render(request, "hotline/import.html", {
        "profiles": selectors.import_profiles(request.user), "jobs": selectors.import_jobs(request.user)[:20]},
        status=status)


@hotline_roles
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.import_job_get(request.user, pk)
    preview = services.import_preview(job) if job.status == ImportJob.Status.UPLOADED else []
    if request.user.role not in policy.PERSONAL_DATA_ROLES:  # the 管理员 imports too, and sees cases masked
        for row in preview:
            row["content"] = policy.mask_public_text(row["content"])
            row["address"] = policy.mask_address(row["address"])
    template = "hotline/_progress.html" if request.htmx else "hotline/job.html"
    return render(request, template, {"job": job, "preview": preview})


@hotline_roles
@require_POST
def job_start(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.import_job_get(request.user, pk)
    services.import_job_start(job=job)
    return redirect("hotline:job", pk=job.pk)


@hotline_roles
def job_errors(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.import_job_get(request.user, pk)
    audit_record(action=AuditEntry.Action.EXPORT, actor=request.user, request=request, object_type="hotline_rejections",
                 object_id=job.pk)
    return xlsx_response(services.rejections_workbook(job, actor=request.user), f"import-{job.pk}-errors.xlsx")


@hotline_roles
def export(request: HttpRequest) -> HttpResponse:
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
