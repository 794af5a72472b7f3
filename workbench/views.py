"""Each role's home page (工作台): the queue its work needs, one click from the action.

Composed from the apps' reads: cases' queues and selectors, dispatch's suggestions, org's gazetteer; the writes
go through cases' services. The list-page helpers (filters, the refusal page) are the case pages' own, in
cases/views.py."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from cases import metrics as case_metrics
from cases import policy, queues, selectors, services
from cases.forms import CaseRegisterForm, posted_coordinates
from cases.models import Case, Source, State
from cases.transitions import TRANSITIONS
from cases.views import can_register, filters_from_request, refused_page, registered_message
from core.errors import DomainError
from core.pages import login_required
from dispatch.selectors import department_for, suggestion_for_case
from org.models import Role
from org.selectors import active_departments, address_options, place_for_address, responsibility_for

PAGE = 20
# The centre's roles get the dispatch bench; patrollers and 居委 cadres the on-site report and the cases to verify.
DISPATCH_DESK_ROLES = frozenset({Role.DISPATCHER, Role.ADMIN})
PATROL_ROLES = frozenset({Role.GRID, Role.CADRE})


def _page(request: HttpRequest, qs, name: str = "page", *, audit: bool = True):
    page = Paginator(qs, PAGE).get_page(request.GET.get(name))
    cases = [case for case in getattr(page, "object_list", []) if isinstance(case, Case)]
    for case in cases:
        case.deadline_status = selectors.deadline_status(case)
        case.display_title = selectors.case_title_for(request.user, case)
    if audit:  # one entry per page view that shows personal data unmasked (see selectors.audit_list_view)
        selectors.audit_list_view(request.user, request, cases, object_type="workbench_queue")
    return page


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    """The home page: what this role must do now."""
    role = request.user.role
    if role in DISPATCH_DESK_ROLES:
        form, filters = filters_from_request(request)
        filters.state, filters.overdue = "", False  # the queue is 待派单 by definition
        waiting = selectors.case_list(request.user, filters).filter(state=State.REGISTERED).order_by("registered_at", "id")
        page = _page(request, waiting)
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
    if role == Role.HANDLER:
        return render(request, "workbench/handler.html", {"page": _page(request, queues.queue_department(request.user))})
    if role == Role.CALLBACK:
        page = _page(request, queues.queue_callback(request.user), audit=False)
        # The queue shows phones to call: one audit entry for the page of numbers shown.
        selectors.audit_cases_shown(request.user, request, [c.number for c in page], object_type="callback_queue")
        return render(request, "workbench/callback.html", {"page": page})
    if role == Role.AUDITOR:
        return redirect("audit:log")
    if role == Role.LEADER:
        return render(request, "workbench/leader.html", {"overview": case_metrics.street_overview(request.user)})
    if role in PATROL_ROLES:
        return render(request, "workbench/grid.html", {
            "form": CaseRegisterForm(initial={"source": Source.PATROL if role == Role.GRID else Source.VISIT}),
            "address_options": address_options(),
            "page": _page(request, queues.queue_to_verify(request.user))})
    return render(request, "workbench/intake.html", {
        "form": CaseRegisterForm(initial={"source": Source.HOTLINE}), "address_options": address_options(),
        "recent": _recent(request)})


def _recent(request: HttpRequest) -> list[Case]:
    """The intake operator's last ten cases, titles as a list shows them (audited once, see audit_list_view)."""
    recent = list(selectors.case_list(request.user).filter(created_by=request.user)[:10])
    for case in recent:
        case.display_title = selectors.case_title_for(request.user, case)
    selectors.audit_list_view(request.user, request, recent, object_type="workbench_recent")
    return recent


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
    context = {"form": form, "page": _page(request, queues.queue_to_verify(request.user)),
               "address_options": address_options(),
               "recent": _recent(request)}
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
                guess = department_for(case.category, suggestion.place, suggestion.version)
                lead, co = (guess.lead, guess.co) if guess else (None, [])
        elif target == "matrix":
            rule = responsibility_for(case.category, case.neighbourhood) if case.category_id else None
            lead, co = (rule.lead_department, list(rule.co_departments.all())) if rule else (None, [])
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
    return redirect("workbench")


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
        call[(item.kind, approve)](actor=request.user, case=item.case, reason=reason)
    except DomainError as exc:
        messages.error(request, f"{item.case.number}:{exc.message}")
    else:
        messages.success(request, f"{item.case.number} {item.get_kind_display()}申请已{'同意' if approve else '驳回'}")
    return redirect("workbench")


@login_required
@require_GET
def address_check(request: HttpRequest) -> HttpResponse:
    """While the operator types: which 居民区/网格 the address is in, and open cases at the same address."""
    address = request.GET.get("address", "")
    place = place_for_address(address) if address.strip() else None
    duplicates = list(queues.possible_duplicates(request.user, address)) if address.strip() else []
    for case in duplicates:  # titles masked for masked roles; an unmasked list showing personal data is audited
        case.display_title = selectors.case_title_for(request.user, case)
    selectors.audit_list_view(request.user, request, duplicates, object_type="address_check")
    return render(request, "workbench/_address_check.html", {"address": address, "place": place,
                                                              "duplicates": duplicates})
