"""社区大脑: the centre's big screen and the leaders' page, composed from kpi's and cases' figures.

Every figure follows the chosen period (kpi/periods.py, 上月 by default) and clicks down to the cases it counts
(`brain_cases`, kpi/drilldown.py: the same filter as the figure, so the list holds exactly that many)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cases import selectors as case_selectors
from core.errors import ValidationFailed
from core.pages import login_required
from kpi import drilldown
from kpi import metrics as kpi_metrics
from kpi import selectors as kpi_selectors
from kpi.periods import PRESETS, Period, period_from

TEMPLATE = "workbench/brain.html"
CASES_TEMPLATE = "workbench/brain_cases.html"
PAGE_SIZE = 50
# The overview's lists (templates/workbench/_brain_lists.html): key, heading, the tile's measure, empty text.
LIST_SPECS = (
    ("overdue", "超时工单", "overdue", "本期没有超时工单"),
    ("unsatisfied", "不满意工单", "unsatisfied", "本期没有不满意工单"),
    ("urged", "督办中", "urged", "本期没有督办中的工单"),
)


def period_context(period: Period | None, request: HttpRequest) -> dict:
    """What the period bar (templates/workbench/_period.html) needs."""
    return {"period": period, "presets": PRESETS, "asked": request.GET, "list_specs": LIST_SPECS}


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    kpi_selectors.check_kpi_reader(request.user)  # PermissionDenied: the 403 page (chengyun/middleware.py)
    wall = request.GET.get("wall") == "1"
    try:
        period = period_from(request.GET)
    except ValidationFailed as exc:
        return render(request, TEMPLATE, {"error": exc.message, "wall": wall, **period_context(None, request)},
                      status=422)
    context = {**period_context(period, request), **kpi_metrics.brain_figures(request.user, period), "wall": wall}
    return render(request, TEMPLATE, context)


@login_required
def brain_cases(request: HttpRequest) -> HttpResponse:
    """The cases behind one figure of the 社区大脑 or the leader's page, as many as the figure says."""
    kpi_selectors.check_kpi_reader(request.user)
    try:
        period = period_from(request.GET)
        said, cases = drilldown.drill_cases(request.user, period, request.GET)
    except ValidationFailed as exc:
        return render(request, CASES_TEMPLATE, {"error": exc.message}, status=422)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    for case in page:
        case.display_title = case_selectors.case_title_for(request.user, case)
        case.deadline_status = case_selectors.deadline_status(case)
    case_selectors.audit_list_view(request.user, request, page, object_type="case_list")
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, CASES_TEMPLATE, {"period": period, "said": said, "page": page, "query": query.urlencode()})
