"""Excel exports of KPI tables (the 社区大脑 page itself is composed in workbench/brain.py)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from audit.models import AuditEntry
from audit.services import audit_record
from core.errors import PermissionDenied, ValidationFailed
from core.excel import append_row, xlsx_response
from core.pages import forbidden_page, login_required

from . import metrics, selectors
from .definitions import KPIS


@login_required
def kpi_export(request: HttpRequest) -> HttpResponse:
    """The KPI table as filtered (period and grouping) in Excel."""
    from openpyxl import Workbook

    try:
        selectors.check_kpi_reader(request.user)
    except PermissionDenied as exc:
        return forbidden_page(request, exc.message)
    try:
        start, end = metrics.reporting_period(request.GET)
        group_by = request.GET.get("group_by") or None
        rows = selectors.kpi_table(request.user, start=start, end=end, group_by=group_by)
    except ValidationFailed as exc:
        return HttpResponse(exc.message, status=422, content_type="text/plain; charset=utf-8")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("考核指标")
    append_row(sheet, ["分组", "工单数", *[k.name for k in KPIS]])
    for row in rows:
        append_row(sheet, [row["label"], row["cases"], *[_cell(row[k.code]["value"], k) for k in KPIS]])
    audit_record(action=AuditEntry.Action.EXPORT, actor=request.user, request=request, object_type="kpi_table",
                 detail={"start": start.isoformat(), "end": end.isoformat(), "group_by": group_by})
    return xlsx_response(workbook, f"kpi-{start}-{end}.xlsx")


def _cell(value, kpi):
    if value is None:
        return ""
    if kpi.unit == "rate":
        return f"{value * 100:.1f}%"
    return value
