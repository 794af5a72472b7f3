"""Excel exports of KPI tables (the 社区大脑 page itself is composed in workbench/brain.py)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from audit.models import AuditEntry
from audit.services import audit_record
from core.errors import ValidationFailed
from core.excel import xlsx_response
from core.pages import login_required

from . import metrics, selectors
from .exports import kpi_table_workbook


@login_required
def kpi_export(request: HttpRequest) -> HttpResponse:
    """The KPI table as filtered (period and grouping) in Excel."""
    selectors.check_kpi_reader(request.user)  # PermissionDenied: the 403 page (chengyun/middleware.py)
    try:
        start, end = metrics.reporting_period(request.GET)
        group_by = request.GET.get("group_by") or None
        rows = selectors.kpi_table(request.user, start=start, end=end, group_by=group_by)
    except ValidationFailed as exc:
        return HttpResponse(exc.message, status=422, content_type="text/plain; charset=utf-8")
    workbook = kpi_table_workbook(rows)
    audit_record(action=AuditEntry.Action.EXPORT, actor=request.user, request=request, object_type="kpi_table",
                 detail={"start": start.isoformat(), "end": end.isoformat(), "group_by": group_by})
    return xlsx_response(workbook, f"kpi-{start}-{end}.xlsx")
