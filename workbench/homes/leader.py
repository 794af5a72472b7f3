"""领导: the street's overview."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cases import metrics as case_metrics


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "workbench/leader.html", {"overview": case_metrics.street_overview(request.user)})
