"""Each role's home page (工作台): the queue its work needs, one click from the action.

Composed from the apps' reads: cases' queues and selectors, dispatch's suggestions, org's gazetteer; the writes
go through cases' services. The list-page helpers (filters, the refusal page) are the case pages' own, in
cases/views.py."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from cases import queues, selectors, services
from cases.forms import CaseRegisterForm, posted_coordinates
from cases.transitions import TRANSITIONS
from cases.views import can_register, refused_page, registered_message
from core.errors import DomainError
from core.pages import login_required
from dispatch.places import place_for
from dispatch.selectors import department_for, returned_departments, suggestion_for_case
from org.selectors import active_departments, address_options, responsibility_for

from . import homes
from .common import DISPATCH_DESK_ROLES, PATROL_ROLES, queue_page, recent_cases
from .homes.dispatcher import dispatch_queue


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    """The home page: what this role must do now. Each desk is its own function, each in its own module."""
    return homes.home_for(request)


@login_required
@require_POST
def quick_register(request: HttpRequest) -> HttpResponse:
    """The intake/patrol form of the workbench: the case, then its photos, in one transaction."""
    if not can_register(request.user):
        return refused_page(request, "您的角色不能登记工单。", transition=TRANSITIONS["register"])
    form = CaseRegisterForm(request.POST)
    template = "workbench/grid.html" if request.user.role in PATROL_ROLES else "workbench/intake.html"
    if form.is_valid():
        try:
            with transaction.atomic():
                latitude, longitude = posted_coordinates(request.POST)
                case = services.case_register(actor=request.user, latitude=latitude, longitude=longitude,
                                              idempotency_key=form.idempotency_key, **form.cleaned_data)
                if not getattr(case, "idempotent_replay", False):  # a repeated submit does not attach twice
                    for upload in request.FILES.getlist("photos"):
                        services.case_attach(actor=request.user, case=case, upload=upload, note="登记时上传")
        except DomainError as exc:
            form.add_error(exc.details.get("field") if exc.details.get("field") in form.fields else None, exc.message)
        else:
            messages.success(request, registered_message(case))
            return redirect("workbench")
    context = {"form": form, "page": queue_page(request, queues.queue_to_verify(request.user)),
               "address_options": address_options(),
               "recent": recent_cases(request)}
    return render(request, template, context, status=422)


@login_required
@require_POST
def bulk_dispatch(request: HttpRequest) -> HttpResponse:
    """批量派单: the chosen cases to one department, or each to its responsibility-matrix department."""
    ids = [int(i) for i in request.POST.getlist("case") if i.isdigit()]
    target = request.POST.get("lead_department", "")
    if not ids:
        messages.error(request, "请先勾选要派单的工单")
        return redirect("workbench")
    done, failed = [], []
    for case in queues.queue_to_dispatch(request.user).filter(pk__in=ids):
        category = None
        if target == "suggestion":
            suggestion = suggestion_for_case(request.user, case, with_duplicates=False)
            category = case.category or (suggestion.category.category if suggestion.category else None)
            guess = suggestion.department
            lead, co = (guess.lead, guess.co) if guess else (None, [])
            if case.category and suggestion.category and case.category != suggestion.category.category:
                guess = department_for(case.category, suggestion.place, suggestion.version,
                                       exclude=returned_departments(case))
                lead, co = (guess.lead, guess.co) if guess else (None, [])
        elif target == "matrix":
            rule = responsibility_for(case.category, case.neighbourhood) if case.category_id else None
            lead, co = (rule.lead_department, list(rule.co_departments.all())) if rule else (None, [])
            returned = returned_departments(case)
            if lead is not None and lead.pk in returned:  # the matrix names the department that returned it
                failed.append(f"{case.number}:{lead.name}已退单,请另选主办单位")
                continue
            co = [d for d in co if d.pk not in returned]
        else:
            lead, co = active_departments().filter(pk=target or 0).first(), []
        try:
            services.case_dispatch(actor=request.user, case=case, lead_department=lead, co_departments=co,
                                   category=category)
            done.append(case.number)
        except DomainError as exc:
            failed.append(f"{case.number}:{exc.message}")
    if done:
        messages.success(request, f"已派单 {len(done)} 件:{'、'.join(done)}")
    for failure in failed:
        messages.error(request, failure)
    return redirect(_back(request))


@login_required
@require_POST
def dispatch_one(request: HttpRequest, pk: int) -> HttpResponse:
    """One row's 派单/再派 straight from the desk: the department chosen in that row (smart dispatch's proposal
    preselected), the case's own category."""
    case = queues.queue_to_dispatch(request.user).filter(pk=pk).first()
    if case is None:
        messages.error(request, "该工单已派出或不存在,请刷新")
        return redirect(_back(request))
    lead = active_departments().filter(pk=_int(request.POST.get(f"lead_{pk}"))).first()
    category = None
    if case.category is None:
        suggestion = suggestion_for_case(request.user, case, with_duplicates=False)
        category = suggestion.category.category if suggestion.category else None
    try:
        services.case_dispatch(actor=request.user, case=case, lead_department=lead, category=category)
    except DomainError as exc:
        messages.error(request, f"{case.number}:{exc.message}")
    else:
        messages.success(request, f"{case.number} 已派至{lead.name}")
    return redirect(_back(request))


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


def _back(request: HttpRequest) -> str:
    """The desk again with its sort and filters (only the workbench's own query string is kept)."""
    query = request.POST.get("back", "")
    return reverse("workbench") + (f"?{query}" if query and "//" not in query else "")


@login_required
@require_GET
def next_case(request: HttpRequest) -> HttpResponse:
    """下一件: the case after `after` in the dispatch queue as the desk sorts it (the first one when `after` has
    left the queue, e.g. just dispatched)."""
    if request.user.role not in DISPATCH_DESK_ROLES:
        return refused_page(request, "只有派单员可以按派单队列逐件处理。", transition=TRANSITIONS["dispatch"])
    _, waiting = dispatch_queue(request.user, request)
    ids = list(waiting.values_list("pk", flat=True)[:2000])
    after = _int(request.GET.get("after"))
    if after in ids:
        ids = ids[ids.index(after) + 1:] + ids[:ids.index(after)]
    if not ids:
        messages.success(request, "待派单队列已清空")
        return redirect("workbench")
    return redirect("cases:detail", pk=ids[0])


@login_required
@require_POST
def decide_request(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or reject a 退单/延期 request straight from the queue."""
    item = queues.queue_requests(request.user).filter(pk=pk).first()
    if item is None:
        messages.error(request, "该申请已处理或不存在")
        return redirect("workbench")
    approve = request.POST.get("decision") == "approve"
    reason = request.POST.get("reason", "")
    call = {("return", True): services.case_approve_return, ("return", False): services.case_reject_return,
            ("extension", True): services.case_approve_extension, ("extension", False): services.case_reject_extension}
    try:
        decided = call[(item.kind, approve)](actor=request.user, case=item.case, reason=reason)
    except DomainError as exc:
        messages.error(request, f"{item.case.number}:{exc.message}")
    else:
        messages.success(request, f"{item.case.number} {item.get_kind_display()}申请已{'同意' if approve else '驳回'}")
        if warning := getattr(decided, "deadline_warning", ""):
            messages.warning(request, f"{item.case.number} {services.DEADLINE_WARNING_TEXT[warning]}")
    return redirect("workbench")


@login_required
@require_GET
def address_check(request: HttpRequest) -> HttpResponse:
    """While the operator types: which 居民区/网格 the address is in, and open cases at the same address. Placed as
    the suggestion panel places it (dispatch.places.place_for: spelling variants, then landmarks such as
    愚园路菜场), so the form and the panel never disagree about an address."""
    address = request.GET.get("address", "")
    match = place_for(address) if address.strip() else None
    place = match if match is not None and match.known else None
    duplicates = list(queues.possible_duplicates(request.user, address)) if address.strip() else []
    for case in duplicates:  # titles masked for masked roles; an unmasked list showing personal data is audited
        case.display_title = selectors.case_title_for(request.user, case)
    selectors.audit_list_view(request.user, request, duplicates, object_type="address_check")
    return render(request, "workbench/_address_check.html", {"address": address, "place": place,
                                                              "duplicates": duplicates})
