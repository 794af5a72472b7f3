"""社区大脑: the centre's big screen and the leaders' page, composed from kpi's and cases' figures."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cases import metrics as case_metrics
from core.errors import ValidationFailed
from core.pages import login_required
from kpi import metrics as kpi_metrics
from kpi import selectors as kpi_selectors

TEMPLATE = "workbench/brain.html"


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    kpi_selectors.check_kpi_reader(request.user)  # PermissionDenied: the 403 page (chengyun/middleware.py)
    try:
        start, end = kpi_metrics.reporting_period(request.GET)
    except ValidationFailed as exc:
        return render(request, TEMPLATE, {"error": exc.message}, status=422)
    user = request.user
    context = {
        "start": start, "end": end, **kpi_metrics.brain_figures(user, start=start, end=end),
        "overview": case_metrics.street_overview(user), "wall": request.GET.get("wall") == "1",
    }
    return render(request, TEMPLATE, context)
