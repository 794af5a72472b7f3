"""派单员 / 管理员: the dispatch queue with smart-dispatch suggestions, and the pending 退单/延期 requests."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cases import policy, queues, selectors
from cases.models import State
from cases.views import filters_from_request
from dispatch.selectors import suggestion_for_case
from org.selectors import active_departments, responsibility_for

from ..common import queue_page


def home(request: HttpRequest) -> HttpResponse:
    form, filters = filters_from_request(request)
    filters.state, filters.overdue = "", False  # the queue is 待派单 by definition
    waiting = selectors.case_list(request.user, filters).filter(state=State.REGISTERED).order_by("registered_at", "id")
    page = queue_page(request, waiting)
    for case in page:
        # Smart dispatch: category top-3, place, lead (+ co) and duplicates, with the reasons shown.
        case.suggestion = suggestion_for_case(request.user, case)
        # The reasons quote the matched address (house number) and the text's weightiest words (the name).
        case.suggestion_reasons = policy.mask_for(request.user, case, case.suggestion.reasons)
        rule = responsibility_for(case.category, case.neighbourhood) if case.category_id else None
        case.suggested = rule.lead_department if rule else None
    requests = list(queues.queue_requests(request.user)[:50])
    for item in requests:  # 退单/延期 reasons often name the citizen: masked for 管理员
        item.reason = selectors.request_reason_for(request.user, item)
    return render(request, "workbench/dispatcher.html", {
        "page": page, "form": form, "requests": requests,
        "departments": active_departments().order_by("kind", "name")})
