"""回访员: 待回访 then 待结案."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cases import queues, selectors

from ..common import queue_page


def home(request: HttpRequest) -> HttpResponse:
    page = queue_page(request, queues.queue_callback(request.user), audit=False)
    # The queue shows phones to call: one audit entry for the page of numbers shown.
    selectors.audit_cases_shown(request.user, request, [c.number for c in page], object_type="callback_queue")
    return render(request, "workbench/callback.html", {"page": page})
