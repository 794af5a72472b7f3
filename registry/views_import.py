"""Registry import pages: upload → preview → run in the background with a progress bar → rejected rows; and the
review of suspected duplicates (side by side, 同一人 / 不是同一人)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from audit.models import AuditEntry
from audit.services import audit_record
from core.errors import DomainError, PermissionDenied, ValidationFailed
from core.excel import xlsx_response
from core.pages import role_required

from . import import_jobs as jobs
from . import policy, selectors
from .models import ImportKind, RegistryImportJob
from .policy import RegistryMasker

import_roles = role_required(policy.IMPORT_ROLES, "只有管理员、派单员和居委干部可以导入社区底册")
PURPOSE = "导入底册:核对导入行与疑似重复"


@import_roles
def home(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        profile = None
        if request.POST.get("profile"):
            profile = jobs.import_profiles(request.user).filter(pk=request.POST["profile"]).first()
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationFailed("请选择要上传的文件")
            if request.POST.get("profile") and profile is None:
                raise ValidationFailed("导入格式不存在")
            job = jobs.import_job_create(actor=request.user, upload=upload, kind=kind, profile=profile)
        except DomainError as exc:
            messages.error(request, exc.message)
            status = exc.status
        else:
            return redirect("registry_import:job", pk=job.pk)
    from .importing import default_profile

    for kind in ImportKind.values:
        default_profile(kind)
    return render(request, "registry/import/home.html", {
        "kinds": ImportKind.choices, "profiles": jobs.import_profiles(request.user),
        "jobs": jobs.import_jobs(request.user)[:20], "pending": jobs.candidates(request.user).count()},
        status=status)


@import_roles
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = jobs.import_job_get(request.user, pk)
    masker = RegistryMasker(request.user)
    preview = []
    if job.status == RegistryImportJob.Status.UPLOADED:
        preview = jobs.import_preview(job, masker=masker)
        if not masker.masked:
            selectors.audit_unmasked(request.user, request, entity="import_job", object_id=job.pk, purpose=PURPOSE)
    template = "registry/import/_progress.html" if request.htmx else "registry/import/job.html"
    return render(request, template, {"job": job, "preview": preview, "headers": jobs.preview_headers(job),
                                      "pending": jobs.pending_count(job)})


@import_roles
@require_POST
def job_start(request: HttpRequest, pk: int) -> HttpResponse:
    job = jobs.import_job_get(request.user, pk)
    if not jobs.import_job_start(job=job):
        messages.error(request, "该导入任务已开始或已完成,不能重复开始")
    return redirect("registry_import:job", pk=job.pk)


@import_roles
def job_errors(request: HttpRequest, pk: int) -> HttpResponse:
    job = jobs.import_job_get(request.user, pk)
    audit_record(action=AuditEntry.Action.EXPORT, actor=request.user, request=request,
                 object_type="registry_import_rejections", object_id=job.pk)
    return xlsx_response(jobs.rejections_workbook(job, actor=request.user), f"registry-import-{job.pk}-errors.xlsx")


@import_roles
def candidate_list(request: HttpRequest) -> HttpResponse:
    masker = RegistryMasker(request.user)
    qs = jobs.candidates(request.user)
    total = qs.count()
    pairs = jobs.candidate_pairs(request.user, qs[:50], masker=masker)
    if pairs and not masker.masked:
        selectors.audit_unmasked(request.user, request, entity="link_candidate", object_id=0, purpose=PURPOSE,
                                 detail={"pairs": [p["id"] for p in pairs]})
    return render(request, "registry/import/candidates.html", {
        "pairs": pairs, "total": total, "may_decide": request.user.role in jobs.DECIDE_ROLES, "masked": masker.masked})


@import_roles
@require_POST
def candidate_decide(request: HttpRequest, pk: int) -> HttpResponse:
    # The role first (403 for the import roles that see the pair masked), then the pair (404 outside the area).
    if request.user.role not in jobs.DECIDE_ROLES:
        raise PermissionDenied("只有派单员可以确认疑似重复(须核对未打码的信息)")
    decision = request.POST.get("decision", "")
    if decision not in ("same", "different"):
        raise ValidationFailed("请选择“同一人”或“不是同一人”")
    candidate = jobs.candidate_decide(actor=request.user, candidate_id=pk, same=decision == "same")
    if request.htmx:
        return render(request, "registry/import/_decided.html", {"c": candidate})
    messages.success(request, f"已确认:{candidate.get_decision_display()}")
    return redirect("registry_import:candidates")
