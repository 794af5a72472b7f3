"""Questionnaire results pages: the versions with answers, one version's per-question summary with charts, and its
answers as Excel. Scope and masking are the reader policy's (questionnaires/results_policy.py): a 居委干部 counts and
exports its 居民区's submissions only."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.excel import xlsx_response
from core.pages import login_required, not_found_page

from . import exports, summary
from .models import FormVersion
from .results_policy import reader_policy, visible_submissions


def _may_read(request: HttpRequest) -> bool:
    return request.user.role in reader_policy().READ_ROLES


def _refused(request: HttpRequest) -> HttpResponse:
    from core.pages import forbidden_page

    return forbidden_page(request, "您的角色不能查看问卷结果。")


@login_required
def result_index(request: HttpRequest) -> HttpResponse:
    if not _may_read(request):
        return _refused(request)
    versions = (FormVersion.objects.select_related("questionnaire")
                .annotate(total=Count("submissions", filter=Q(submissions__superseded_by__isnull=True)))
                .order_by("questionnaire__title", "-number"))
    rows = [{"version": v, "total": v.total,
             "mine": visible_submissions(request.user, v.submissions.filter(superseded_by__isnull=True)).count()}
            for v in versions]
    return render(request, "questionnaires/results/index.html", {"rows": rows})


def _version(pk: int) -> FormVersion | None:
    return FormVersion.objects.select_related("questionnaire").filter(pk=pk).first()


@login_required
def result_version(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(pk)
    if version is None:
        return not_found_page(request, "问卷版本不存在")
    if not _may_read(request):
        return _refused(request)
    result = summary.version_summary(request.user, version)
    return render(request, "questionnaires/results/version.html", {
        "version": version, "summary": result, "charts": result.charts})


@login_required
def result_export(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(pk)
    if version is None:
        return not_found_page(request, "问卷版本不存在")
    if not _may_read(request):
        return _refused(request)
    workbook = exports.version_workbook(request.user, version, request)
    slug = version.questionnaire.slug
    return xlsx_response(workbook, f"{slug}-v{version.number}.xlsx")
