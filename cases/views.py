"""Web pages for cases: list with filters, registration, detail with timeline and the actions the user may take."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from chengyun.errors import DomainError, NotFound
from org.models import Role
from org.selectors import responsibility_for

from . import selectors, services
from .api import ACTION_ENDPOINTS
from .downloads import attachment_response
from .forms import CaseFilterForm, CaseRegisterForm, action_fields, parse_action
from .models import Request
from .transitions import TRANSITIONS

PAGE_SIZE = 25


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    form = CaseFilterForm(request.GET or None)
    filters = selectors.CaseFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.CaseFilters(
            q=data["q"], state=data["state"], source=data["source"],
            category=data["category"].pk if data["category"] else None,
            neighbourhood=data["neighbourhood"].pk if data["neighbourhood"] else None,
            department=data["department"].pk if data["department"] else None, overdue=data["overdue"],
            registered_from=data["registered_from"], registered_to=data["registered_to"],
        )
    page = Paginator(selectors.case_list(request.user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    for case in page:
        case.deadline_status = selectors.deadline_status(case)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(),
               "can_register": request.user.role in TRANSITIONS["register"].roles}
    template = "cases/_table.html" if request.htmx else "cases/list.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    if request.user.role not in TRANSITIONS["register"].roles:
        return render(request, "403.html", {"message": "只有受理员、派单员、网格员和居委干部可以登记工单"}, status=403)
    form = CaseRegisterForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_register(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.details.get("field") if exc.details.get("field") in form.fields else None, exc.message)
            status = exc.status
        else:
            messages.success(request, f"工单 {case.number} 已受理")
            return redirect("cases:detail", pk=case.pk)
    elif request.method == "POST":
        status = 422
    return render(request, "cases/new.html", {"form": form}, status=status)


def _detail_context(request: HttpRequest, case, error: str = "", failed_action: str = "") -> dict:
    actions = []
    for transition in selectors.case_available_actions(request.user, case):
        if transition.action not in ACTION_ENDPOINTS:
            continue
        schema = ACTION_ENDPOINTS[transition.action][1]
        actions.append({"action": transition.action, "label": transition.label,
                        "fields": action_fields(schema, _initial(case, transition.action))})
    return {
        "case": case,
        "person": selectors.case_personal_data(request.user, case, request=request),
        "events": selectors.case_events(request.user, case),
        "assignments": case.assignments.select_related("department").order_by("-active", "role", "assigned_at"),
        "pending_requests": case.requests.filter(status=Request.Status.PENDING).select_related("department"),
        "attachments": case.attachments.order_by("uploaded_at"),
        "related": selectors.case_related(request.user, case),
        "actions": actions, "error": error, "failed_action": failed_action,
        "deadline_status": selectors.deadline_status(case),
        "labels": {a: t.label for a, t in TRANSITIONS.items()},
        "can_attach": any(t.action == "attach" for t in selectors.case_available_actions(request.user, case)),
    }


def _initial(case, action: str) -> dict:
    if action == "dispatch":
        initial = {"version": case.version, "category_id": case.category_id}
        rule = responsibility_for(case.category, case.neighbourhood) if case.category_id else None
        if rule:
            initial["lead_department_id"] = rule.lead_department_id
            initial["co_department_ids"] = [d.pk for d in rule.co_departments.all()]
        return initial
    if action == "reopen":
        return {"lead_department_id": case.lead_department_id}
    return {}


def _get_case(request: HttpRequest, pk: int):
    try:
        return selectors.case_get(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from None


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _get_case(request, pk)
    return render(request, "cases/detail.html", _detail_context(request, case))


@login_required
@require_POST
def case_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    case = _get_case(request, pk)
    allowed = {t.action for t in selectors.case_available_actions(request.user, case)}
    if action not in ACTION_ENDPOINTS or action not in allowed:
        label = TRANSITIONS[action].label if action in TRANSITIONS else action
        message = f"您当前不能对工单 {case.number} 执行「{label}」"
        return render(request, "403.html", {"message": message}, status=403)
    _, schema, call = ACTION_ENDPOINTS[action]
    try:
        call(request, case, parse_action(schema, request.POST))
    except DomainError as exc:
        case = _get_case(request, pk)
        context = _detail_context(request, case, error=exc.message, failed_action=action)
        template = "cases/_detail_body.html" if request.htmx else "cases/detail.html"
        return render(request, template, context, status=exc.status)
    case = _get_case(request, pk)
    messages.success(request, f"已{TRANSITIONS[action].label}")
    if request.htmx:
        return render(request, "cases/_detail_body.html", _detail_context(request, case))
    return redirect("cases:detail", pk=case.pk)


@login_required
@require_POST
def case_attach(request: HttpRequest, pk: int) -> HttpResponse:
    case = _get_case(request, pk)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise services.ValidationFailed("请选择要上传的文件")
        services.case_attach(actor=request.user, case=case, upload=upload, note=request.POST.get("note", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "附件已上传")
    return redirect("cases:detail", pk=case.pk)


@login_required
def attachment_download(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
    try:
        attachment = selectors.case_attachment(request.user, pk, attachment_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    return attachment_response(attachment)


def forbidden(request: HttpRequest, exception=None) -> HttpResponse:
    role = request.user.get_role_display() if request.user.is_authenticated and request.user.role != Role.SYSTEM else ""
    return render(request, "403.html", {"message": str(exception or "") or "您没有权限访问该页面", "role": role}, status=403)


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    message = str(exception) if exception and str(exception) and "Resolver404" not in repr(exception) else ""
    return render(request, "404.html", {"message": message or "页面不存在"}, status=404)
