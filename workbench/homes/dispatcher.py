"""派单员 / 管理员: the dispatch queue first (urgent first, sortable, with its age), each row dispatched inline with
smart dispatch's proposal preselected; the pending 退单/延期 requests in a compact panel below; "下一件" walks the
queue from a case page."""

from __future__ import annotations

from django.db.models import Case as Choose
from django.db.models import IntegerField, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cases import policy, queues, selectors
from cases.forms import CaseFilterForm
from cases.models import Case, Request, State, Urgency
from cases.views import filters_from_request
from core import clock
from dispatch.selectors import suggestion_for_case
from org.models import User
from org.selectors import active_departments, responsibility_for

from ..common import queue_page

_URGENT_FIRST = Choose(When(urgency=Urgency.URGENT, then=Value(0)), default=Value(1), output_field=IntegerField())
# The only orders the page accepts (?sort=…): key → (label, order_by).
SORTS: dict[str, tuple[str, tuple]] = {
    "urgent": ("紧急优先", ("urgency_rank", "registered_at", "id")),
    "oldest": ("受理最早", ("registered_at", "id")),
    "newest": ("受理最新", ("-registered_at", "-id")),
    "returned": ("退单次数多", ("-return_count", "urgency_rank", "registered_at", "id")),
    "neighbourhood": ("居民区", ("neighbourhood__name", "urgency_rank", "registered_at", "id")),
}
DEFAULT_SORT = "urgent"


def sort_key(request: HttpRequest) -> str:
    key = request.GET.get("sort", "")
    return key if key in SORTS else DEFAULT_SORT


def dispatch_queue(user: User, request: HttpRequest) -> tuple[CaseFilterForm, QuerySet[Case]]:
    """待派单 as the page lists it: the filters, then the chosen whitelisted order (urgent first by default)."""
    form, filters = filters_from_request(request)
    filters.state, filters.overdue = "", False  # the queue is 待派单 by definition
    waiting = selectors.case_list(user, filters).filter(state=State.REGISTERED)
    return form, waiting.annotate(urgency_rank=_URGENT_FIRST).order_by(*SORTS[sort_key(request)][1])


def age_text(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{max(minutes, 0)} 分钟"
    if minutes < 24 * 60:
        return f"{minutes // 60} 小时"
    return f"{minutes // (24 * 60)} 天"


def _returned_by(cases: list[Case]) -> dict[int, dict[int, str]]:
    """Per case, the departments whose 退单 was approved (id → name), in one query for the page."""
    found: dict[int, dict[int, str]] = {}
    rows = (Request.objects.filter(case__in=[c.pk for c in cases if c.return_count], kind=Request.Kind.RETURN,
                                   status=Request.Status.APPROVED)
            .values_list("case_id", "department_id", "department__name"))
    for case_id, department_id, name in rows:
        found.setdefault(case_id, {})[department_id] = name
    return found


def home(request: HttpRequest) -> HttpResponse:
    form, waiting = dispatch_queue(request.user, request)
    page = queue_page(request, waiting)
    now = clock.now()
    returned = _returned_by(list(page))
    for case in page:
        # Smart dispatch: category top-3, place, lead (+ co) and duplicates, with the reasons shown.
        case.suggestion = suggestion_for_case(request.user, case)
        # The reasons quote the matched address (house number) and the text's weightiest words (the name).
        case.suggestion_reasons = policy.mask_for(request.user, case, case.suggestion.reasons)
        case.returned_by = returned.get(case.pk, {})
        rule = responsibility_for(case.category, case.neighbourhood) if case.category_id else None
        case.suggested = rule.lead_department if rule and rule.lead_department_id not in case.returned_by else None
        proposed = case.suggestion.department.lead if case.suggestion.department else case.suggested
        case.proposed_department_id = proposed.pk if proposed else None
        case.age = age_text((now - case.registered_at).total_seconds())
        case.age_hours = (now - case.registered_at).total_seconds() / 3600
    requests = list(queues.queue_requests(request.user)[:50])
    for item in requests:  # 退单/延期 reasons often name the citizen: masked for 管理员
        item.reason = selectors.request_reason_for(request.user, item)
    return render(request, "workbench/dispatcher.html", {
        "page": page, "form": form, "requests": requests, "sort": sort_key(request),
        "sorts": [(key, label) for key, (label, _) in SORTS.items()],
        "departments": active_departments().order_by("kind", "name")})
