"""Web pages for cases: list with filters, registration, detail with timeline and the actions the user may take.

Reads go through cases.selectors (scope and masking), writes through the same service calls as the API
(cases/actions.py, the action registry), so a page can never do more than the API allows.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from audit.models import AuditEntry
from audit.services import audit_record
from core import clock
from core.errors import DomainError, NotFound, ValidationFailed
from core.excel import xlsx_response
from core.pages import forbidden_page, login_required, not_found_page
from org.models import Role
from org.selectors import responsibility_for

from . import advice, listing, panels, policy, selectors, services
from .actions import ACTIONS
from .downloads import attachment_response
from .exports import case_list_workbook
from .forms import CaseFilterForm, CaseRegisterForm, action_fields, parse_action
from .models import Case
from .transitions import TRANSITIONS, Transition

PAGE_SIZE = 25


# --- helpers ---------------------------------------------------------------------------------------------------


def roles_text(transition: Transition) -> str:
    """"受理员、派单员" — the human roles a transition allows (the system user is not one to ask for)."""
    return "、".join(Role(r).label for r in Role.values if r in transition.roles and r != Role.SYSTEM)


def refused_page(request: HttpRequest, message: str, *, transition: Transition | None = None) -> HttpResponse:
    """The 403 page for a case action: the message and the roles the transition table allows."""
    if transition is None:
        return forbidden_page(request, message)
    return forbidden_page(request, message, needed_roles=roles_text(transition), action_label=transition.label)


def can_register(user) -> bool:
    return user.is_authenticated and user.role in TRANSITIONS["register"].roles


# --- list --------------------------------------------------------------------------------------------------------


def filters_from_request(request: HttpRequest) -> tuple[CaseFilterForm, selectors.CaseFilters]:
    """The filter form of a list page and the filters it yields (valid fields filter even if another is wrong)."""
    form = CaseFilterForm(request.GET or None)
    data: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()
        data = form.cleaned_data
    filters = selectors.CaseFilters(
        q=data.get("q") or "", state=data.get("state") or "", source=data.get("source") or "",
        category=_pk(data.get("category")), neighbourhood=_pk(data.get("neighbourhood")),
        department=_pk(data.get("department")), overdue=bool(data.get("overdue")),
        registered_from=data.get("registered_from"), registered_to=data.get("registered_to"),
    )
    return form, filters


@login_required
@require_http_methods(["GET"])
def case_list_page(request: HttpRequest) -> HttpResponse:
    form, filters = filters_from_request(request)
    sort = listing.parse_sort(request.GET.get("sort"))
    cases = listing.sort_cases(selectors.case_list(request.user, filters), sort)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    for case in page:
        case.deadline_status = selectors.deadline_status(case)
        case.display_title = selectors.case_title_for(request.user, case)
    selectors.audit_list_view(request.user, request, page, object_type="case_list")
    query = request.GET.copy()
    query.pop("page", None)
    unsorted = query.copy()
    unsorted.pop("sort", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "can_register": can_register(request.user),
               "problems": form.problems() if form.is_bound else [], "sort": sort,
               "headers": listing.sort_headers(sort, unsorted.urlencode()),
               "bulk_actions": listing.bulk_actions_for(request.user)}
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(request, "cases/_table.html" if partial else "cases/list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_POST
def case_bulk(request: HttpRequest) -> HttpResponse:
    """批量签收 / 批量督办 on the cases ticked in the list: one service call per case, successes and failures told."""
    action = request.POST.get("action", "")
    ids = [int(i) for i in request.POST.getlist("case") if i.isdigit()]
    query = QueryDict(request.POST.get("query", "")).urlencode()  # re-encoded: only a query string goes back
    back = reverse("cases:list") + (f"?{query}" if query else "")
    available = listing.bulk_actions_for(request.user)
    entry = listing.BULK_ACTIONS.get(action)
    if not available or (entry is not None and entry not in available):
        return refused_page(request, "您的角色不能执行这项批量操作。")
    if entry is None:
        return render(request, "error.html", {"message": "请选择批量操作"}, status=422)
    if not ids:
        messages.error(request, f"请先勾选要{entry.label}的工单")
        return redirect(back)
    note = request.POST.get("note", "").strip()
    if entry.note_label and not note:
        messages.error(request, f"请填写{entry.note_label}")
        return redirect(back)
    done, failed = listing.bulk_run(request.user, action, ids, note)
    if done:
        messages.success(request, f"{entry.label}成功 {len(done)} 件:{'、'.join(done)}")
    if failed:
        messages.error(request, f"{entry.label}未成功 {len(failed)} 件:{';'.join(failed)}")
    return redirect(back)


def _pk(obj) -> int | None:
    return obj.pk if obj is not None else None


# --- registration ------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    if not can_register(request.user):
        return refused_page(request, "您的角色不能登记工单。", transition=TRANSITIONS["register"])
    form = CaseRegisterForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_register(actor=request.user, idempotency_key=form.idempotency_key, **form.cleaned_data)
        except DomainError as exc:
            field = exc.details.get("field")
            form.add_error(field if field in form.fields else None, exc.message)
            status = exc.status
        else:
            messages.success(request, registered_message(case))
            return redirect("cases:detail", pk=case.pk)
    elif request.method == "POST":
        status = 422
    return render(request, "cases/new.html", {"form": form}, status=status)


def registered_message(case: Case) -> str:
    if getattr(case, "idempotent_replay", False):
        return f"该登记已提交过,工单 {case.number} 已受理(未重复登记)"
    return f"工单 {case.number} 已受理"


# --- detail and actions ------------------------------------------------------------------------------------------


def _initial(case: Case, action: str) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    if action == "dispatch":
        initial = {"version": case.version, "category_id": case.category_id}
        rule = responsibility_for(case.category, case.neighbourhood) if case.category_id else None
        if rule:
            initial["lead_department_id"] = rule.lead_department_id
            initial["co_department_ids"] = [d.pk for d in rule.co_departments.all()]
    elif action == "reopen":
        initial = {"lead_department_id": case.lead_department_id}
    if action in ("dispatch", "merge"):
        initial.update(advice.form_defaults(case, action))  # smart dispatch refines it (cases/advice.py)
    return initial


def _deadline_rows(case: Case, handle_status: str) -> list[dict[str, Any]]:
    """签收 / 先联 / 办结 deadlines, each with when it was met and a status word for the badge."""
    now = clock.now()
    rows = []
    for label, deadline, done in (("签收期限", case.sign_deadline, case.signed_at),
                                  ("先联期限", case.first_contact_deadline, case.first_contact_at),
                                  ("办结期限", case.handle_deadline, case.handled_at)):
        if deadline is None:
            continue
        if done is not None:
            status, word = ("ok", "按时") if done <= deadline else ("overdue", "超时完成")
        elif label == "办结期限" and handle_status:
            status, word = handle_status, {"overdue": "已超时", "near": "临期", "ok": "未到期"}[handle_status]
        elif case.is_open and deadline < now:
            status, word = "overdue", "已超时"
        else:
            status, word = ("ok", "未到期") if case.is_open else ("", "")
        rows.append({"label": label, "deadline": deadline, "done": done, "status": status, "word": word})
    return rows


def _suggestion(request: HttpRequest, case: Case, available) -> Any:
    """Smart dispatch's proposal, for whoever may dispatch or merge this case now."""
    if not any(t.action in ("dispatch", "merge") for t in available):
        return None
    return advice.panel(request.user, case)


def case_detail_context(request: HttpRequest, case: Case, *, error: str = "", failed_action: str = "",
                    notice: str = "") -> dict[str, Any]:
    available = selectors.case_available_actions(request.user, case)
    events = selectors.case_events(request.user, case, request=request)
    actions = []
    for transition in available:
        if transition.action not in ACTIONS:
            continue
        schema = ACTIONS[transition.action].schema
        posted = request.POST if transition.action == failed_action else None
        actions.append({"action": transition.action, "label": transition.label,
                        "fields": action_fields(transition.action, schema, _initial(case, transition.action), posted),
                        "contacts": selectors.round_first_contacts(events) if transition.action == "callback"
                        else None})
    deadline_status = selectors.deadline_status(case)
    return {
        "case": case,
        "person": selectors.case_personal_data(request.user, case, request=request),
        "events": events,
        **selectors.case_texts(request.user, case),  # pending_requests, assignments, attachments: texts masked
        "related": selectors.case_related(request.user, case, request=request),
        "actions": actions, "error": error, "failed_action": failed_action, "notice": notice,
        "deadline_status": deadline_status, "deadlines": _deadline_rows(case, deadline_status),
        "can_attach": any(t.action == "attach" for t in available),
        "can_unmask": request.user.role in policy.UNMASK_ROLES,
        "can_call": policy.sees_personal_data(request.user, case),  # the tap-to-call link (case_call)
        "suggestion": _suggestion(request, case, available),
        "panels": panels.panels(request, case),  # higher apps' panels by name (settings.CASE_PAGE_PANELS)
    }


@login_required
@require_http_methods(["GET"])
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(request.user, pk)  # NotFound: the 404 page (chengyun/middleware.py)
    return render(request, "cases/detail.html", case_detail_context(request, case))


@login_required
@require_POST
def case_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One action from the detail page. Refused unless the table, the role and the scope all allow it now."""
    case = selectors.case_get(request.user, pk)  # NotFound: the 404 page (chengyun/middleware.py)
    transition = TRANSITIONS.get(action)
    allowed = {t.action for t in selectors.case_available_actions(request.user, case, with_guards=False)}
    if transition is None or action not in ACTIONS:
        return not_found_page(request, "没有这项操作")
    if action not in allowed:
        if request.user.role in transition.roles and case.state not in transition.sources:
            # The case moved on since the page was opened (another tab, a colleague): a conflict, not a refusal.
            return render(request, "error.html", {"message": _refusal(request.user, case, transition)
                                                  + "请刷新页面查看最新状态。"}, status=409)
        return refused_page(request, _refusal(request.user, case, transition), transition=transition)
    entry = ACTIONS[action]
    try:
        result = entry.run(request, case, parse_action(action, entry.schema, request.POST))
    except DomainError as exc:
        return _render_refused(request, pk, action, exc)
    notice = f"已{transition.label}"
    if warning := getattr(result, "deadline_warning", ""):  # an approved 延期 that still leaves the case due now
        notice += f"。{services.DEADLINE_WARNING_TEXT[warning]}"
    try:
        case = selectors.case_get(request.user, pk)
    except NotFound:
        # The action moved the case out of this user's scope (e.g. a department's case handed elsewhere).
        messages.success(request, f"{notice}。该工单已不在您的职责范围内。")
        return _go(request, reverse("cases:list"))
    if request.htmx:
        return render(request, "cases/_detail_body.html", case_detail_context(request, case, notice=notice))
    messages.success(request, notice)
    return redirect("cases:detail", pk=case.pk)


def _refusal(user, case: Case, transition: Transition) -> str:
    if user.role not in transition.roles:
        return f"您的角色({user.get_role_display()})不能对工单 {case.number} 执行「{transition.label}」。"
    if case.state not in transition.sources:
        return f"工单 {case.number} 当前状态为「{case.get_state_display()}」,不能「{transition.label}」。"
    return f"工单 {case.number} 不在您的职责范围内,不能「{transition.label}」。"


def _render_refused(request: HttpRequest, pk: int, action: str, exc: DomainError) -> HttpResponse:
    """The page again with the service's message next to the form and what the user typed, with its status.

    Not a redirect: a redirect would turn 409/403/422 into 302 and lose what was typed into the form.
    """
    case = selectors.case_get(request.user, pk)  # NotFound: the 404 page (chengyun/middleware.py)
    context = case_detail_context(request, case, error=exc.message, failed_action=action)
    template = "cases/_detail_body.html" if request.htmx else "cases/detail.html"
    return render(request, template, context, status=exc.status)


def _go(request: HttpRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


# --- tap-to-call -------------------------------------------------------------------------------------------------


class TelRedirect(HttpResponseRedirect):
    allowed_schemes = ["tel"]


@login_required
@require_http_methods(["GET"])
def case_call(request: HttpRequest, pk: int) -> HttpResponse:
    """拨打: the citizen's phone as a `tel:` redirect, for those who see it unmasked; the number only reaches the
    phone's dialler through here, so every tap is one audited view of personal data."""
    case = selectors.case_get(request.user, pk)  # NotFound: the 404 page (chengyun/middleware.py)
    if not policy.sees_personal_data(request.user, case):
        return forbidden_page(request, "您的角色不能查看该工单诉求人的完整电话,不能直接拨打。")
    number = re.sub(r"[^\d+]", "", case.citizen_phone or "")
    if not number:
        return render(request, "error.html", {"message": "该工单没有可拨打的联系电话。"}, status=422)
    audit_record(action=AuditEntry.Action.VIEW_PERSONAL_DATA, actor=request.user, request=request,
                 object_type="case_call", object_id=case.number, detail={"via": "tel"})
    return TelRedirect(f"tel:{number}")


# --- attachments -------------------------------------------------------------------------------------------------


@login_required
@require_POST
def case_attach(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(request.user, pk)  # NotFound: the 404 page (chengyun/middleware.py)
    transition = TRANSITIONS["attach"]
    if request.user.role not in transition.roles or not policy.scope_allows(request.user, case, transition):
        return refused_page(request, _refusal(request.user, case, transition), transition=transition)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationFailed("请选择要上传的文件")
        services.case_attach(actor=request.user, case=case, upload=upload, note=request.POST.get("note", ""))
    except DomainError as exc:
        # The page again with the message and the refusal's status (422 for a refused file), not a 302.
        return _render_refused(request, pk, "attach", exc)
    else:
        messages.success(request, "附件已上传")
    return redirect("cases:detail", pk=case.pk)


@login_required
def attachment_download(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
    attachment = selectors.case_attachment(request.user, pk, attachment_id)  # NotFound: the 404 page (chengyun/middleware.py)
    return attachment_response(attachment)


EXPORT_LIMIT = 50000


@login_required
@require_http_methods(["GET"])
def case_export(request: HttpRequest) -> HttpResponse:
    """The case list as filtered on the page, in Excel; personal data as the role may see it, and audited."""
    form, filters = filters_from_request(request)
    cases = selectors.case_list(request.user, filters)
    total = cases.count()
    if total > EXPORT_LIMIT:
        return HttpResponse(f"筛选结果共 {total} 件,超过单次导出上限 {EXPORT_LIMIT} 件,请缩小筛选范围",
                            status=422, content_type="text/plain; charset=utf-8")
    workbook, any_unmasked = case_list_workbook(request.user, cases)
    audit_record(action=AuditEntry.Action.EXPORT, actor=request.user, request=request, object_type="case_list",
                 detail={"filters": request.GET.dict(), "rows": total, "personal_data": any_unmasked})
    return xlsx_response(workbook, "cases.xlsx")
