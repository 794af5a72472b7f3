"""Each role's home page (工作台): the queue its work needs, one click from the action.

Composed from the apps' reads: cases' queues and selectors, dispatch's suggestions, org's gazetteer; the writes
go through cases' services. The list-page helpers (filters, the refusal page) are the case pages' own, in
cases/views.py."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from cases import queues, selectors, services
from cases.forms import CaseRegisterForm, posted_coordinates
from cases.transitions import TRANSITIONS
from cases.views import can_register, refused_page, registered_message
from core.errors import DomainError
from core.pages import login_required
from dispatch.places import place_for
from dispatch.selectors import department_for, suggestion_for_case
from org.selectors import active_departments, address_options, responsibility_for

from . import homes
from .common import PATROL_ROLES, queue_page, recent_cases


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
