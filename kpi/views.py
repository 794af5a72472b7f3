"""社区大脑: the centre's big screen and the leaders' page, and Excel exports of KPI tables."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from audit.models import AuditEntry
from audit.services import audit_record
from cases import policy, queues
from core.errors import PermissionDenied, ValidationFailed
from core.excel import xlsx_response
from core.pages import forbidden_page, login_required

from . import selectors
from .definitions import KPIS
from .exports import kpi_table_workbook

RATE_CODES = ("sign_on_time", "first_contact", "handled_on_time", "solved", "satisfied")


def _period(request: HttpRequest) -> tuple[date, date]:
    today = timezone.localdate()
    try:
        start = date.fromisoformat(request.GET["start"]) if request.GET.get("start") else today.replace(day=1)
        end = date.fromisoformat(request.GET["end"]) if request.GET.get("end") else today
    except ValueError:
        raise ValidationFailed("日期格式不正确,应为 YYYY-MM-DD") from None
    selectors.check_period(start, end)
    return start, end


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    try:
        selectors.check_kpi_reader(request.user)
    except PermissionDenied as exc:
        return forbidden_page(request, exc.message)
    try:
        start, end = _period(request)
    except ValidationFailed as exc:
        return render(request, "kpi/dashboard.html", {"error": exc.message}, status=422)
    user = request.user
    street = selectors.kpi_table(user, start=start, end=end)[0]
    # The department ranking is street-wide for everyone (figures only); its rows link to cases only where the
    # user may see them, so a department head sees where it stands but not other departments' cases.
    ranking = selectors.kpi_ranking(user, start=start, end=end, kpi="satisfied", street_wide=True)
    for row in ranking:
        row["linkable"] = user.role in policy.STREET_WIDE_ROLES or row["key"] == user.department_id
    trend = selectors.monthly_trend(user)
    by_category = selectors.kpi_table(user, start=start, end=end, group_by="category_parent")
    by_source = selectors.kpi_table(user, start=start, end=end, group_by="source")
    charts = {
        "trend": {"months": [r["month"] for r in trend],
                  "series": [{"name": k.name, "data": [_pct(r[k.code]["value"]) for r in trend]}
                             for k in KPIS if k.code in selectors.TREND_CODES]},
        "category": [{"name": r["label"], "value": r["cases"], "filter": f"category={r['key'] or ''}"} for r in by_category],
        "source": [{"name": r["label"], "value": r["cases"], "filter": f"source={r['key']}"} for r in by_source],
        "period": f"registered_from={start.isoformat()}&registered_to={end.isoformat()}",
    }
    context = {
        "start": start, "end": end, "street": street, "ranking": ranking, "overview": queues.street_overview(user),
        "rates": [(k, street[k.code]) for k in KPIS if k.code in RATE_CODES],
        "counts": [(k, street[k.code]) for k in KPIS if k.code not in RATE_CODES],
        "hotspots": selectors.hotspots(user, start=start, end=end), "charts": charts,
        "by_category": by_category, "by_source": by_source, "wall": request.GET.get("wall") == "1",
        "kpis": KPIS,
    }
    return render(request, "kpi/dashboard.html", context)


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


@login_required
def kpi_export(request: HttpRequest) -> HttpResponse:
    """The KPI table as filtered (period and grouping) in Excel."""
    try:
        selectors.check_kpi_reader(request.user)
    except PermissionDenied as exc:
        return forbidden_page(request, exc.message)
    try:
        start, end = _period(request)
        group_by = request.GET.get("group_by") or None
        rows = selectors.kpi_table(request.user, start=start, end=end, group_by=group_by)
    except ValidationFailed as exc:
        return HttpResponse(exc.message, status=422, content_type="text/plain; charset=utf-8")
    workbook = kpi_table_workbook(rows)
    audit_record(action=AuditEntry.Action.EXPORT, actor=request.user, request=request, object_type="kpi_table",
                 detail={"start": start.isoformat(), "end": end.isoformat(), "group_by": group_by})
    return xlsx_response(workbook, f"kpi-{start}-{end}.xlsx")
