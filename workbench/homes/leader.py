"""领导: the street's overview for a period (上月 by default), every figure clicking down to its cases."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.errors import ValidationFailed
from kpi import drilldown
from kpi.periods import period_from
from minqing import policy as minqing_policy  # --- issue18 visits ---
from minqing.selectors import coverage as visit_coverage  # --- issue18 visits ---

from ..brain import period_context

TEMPLATE = "workbench/leader.html"


def home(request: HttpRequest) -> HttpResponse:
    try:
        period = period_from(request.GET)
    except ValidationFailed as exc:
        return render(request, TEMPLATE, {"error": exc.message, **period_context(None, request)}, status=422)
    user = request.user
    return render(request, TEMPLATE, {
        **period_context(period, request), "tiles": drilldown.tile_counts(user, period),
        "lists": drilldown.overview_lists(user, period), "by_state": drilldown.open_by_state(user, period),
        # --- issue18 visits ---: the street's visit coverage, counts only, marked masked for the leader
        "visit_coverage": {**visit_coverage.summary(user), "masked": minqing_policy.masker_for(user).masked},
    })
