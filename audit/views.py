"""The auditor's pages: the audit log, searchable and paginated, and its Excel export (itself audited)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.excel import xlsx_response
from core.pages import login_required

from .exports import audit_log_workbook
from .forms import AuditFilterForm
from .models import AuditEntry
from .selectors import audit_entries, audit_groups, audit_rows
from .services import audit_record

PAGE_SIZE = 50
EXPORT_LIMIT = 100000


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    entries = audit_entries(request.user, form.filters())  # PermissionDenied: the 403 page (chengyun/middleware.py)
    page = Paginator(audit_groups(entries), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = audit_rows(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/log.html", {"form": form, "page": page, "query": query.urlencode()})


@login_required
@require_GET
def audit_export(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    entries = audit_entries(request.user, form.filters())  # PermissionDenied: the 403 page (chengyun/middleware.py)
    groups = audit_groups(entries)
    total = groups.count()
    if total > EXPORT_LIMIT:
        return HttpResponse(f"筛选结果共 {total} 条,超过单次导出上限 {EXPORT_LIMIT} 条,请缩小时间范围",
                            status=422, content_type="text/plain; charset=utf-8")
    workbook = audit_log_workbook(groups)
    audit_record(action=AuditEntry.Action.EXPORT, actor=request.user, request=request, object_type="audit_log",
                 detail={"filters": request.GET.dict(), "rows": total})
    return xlsx_response(workbook, "audit-log.xlsx")
