"""回访员: 待回访 (oldest 办结 first) then 待结案 (oldest 回访 first), the phone to call on each row."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cases import queues, selectors
from cases.models import State

from ..common import queue_page


def home(request: HttpRequest) -> HttpResponse:
    queue = queues.queue_callback(request.user)
    page = queue_page(request, queue, audit=False)
    # The queue shows phones to call: one audit entry for the page of numbers shown.
    selectors.audit_cases_shown(request.user, request, [c.number for c in page], object_type="callback_queue")
    counts = {"to_call": queue.filter(state=State.HANDLED).count(),
              "to_close": queue.filter(state=State.CALLED_BACK).count()}
    return render(request, "workbench/callback.html", {"page": page, "counts": counts})
