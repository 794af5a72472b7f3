"""民情需求 pages: the list (filters, pages, Excel), one need (timeline, 转工单 with smart dispatch's suggestion, 解决,
关闭), the form, and the household picker. Scope and masking in the selectors; writes through the services."""

from __future__ import annotations

import re
from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from openpyxl import Workbook

from core import clock
from core.errors import DomainError, ValidationFailed
from core.excel import append_row, xlsx_response
from core.pages import domain_error_page, forbidden_page, login_required, role_required
from org.models import Category, Neighbourhood
from registry import selectors as registry_selectors
from registry.forms import person_by_reference
from registry.models import Household

from .. import policy
from ..models import NeedCategory, NeedSource, NeedStatus, NeedUrgency
from ..selectors import needs as selectors
from ..services import needs as services

READ_REFUSED = "您的角色不能查看民情需求"
PAGE_SIZE = 30
EXPORT_LIMIT = 20000


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def filters_from(request: HttpRequest) -> selectors.NeedFilters:
    g = request.GET
    return selectors.NeedFilters(
        category=_int(g.get("category")), status=g.get("status", "") if g.get("status") in NeedStatus.values else "",
        urgency=g.get("urgency", "") if g.get("urgency") in NeedUrgency.values else "",
        neighbourhood=_int(g.get("neighbourhood")), source=g.get("source", "") if g.get("source") in NeedSource.values
        else "", date_from=_day(g.get("from")), date_to=_day(g.get("to")), q=g.get("q", "")[:50])


def _choices() -> dict:
    return {"categories": NeedCategory.objects.filter(is_active=True), "statuses": NeedStatus.choices,
            "urgencies": NeedUrgency.choices, "sources": NeedSource.choices,
            "neighbourhoods": Neighbourhood.objects.order_by("name")}


@role_required(policy.READ_ROLES, READ_REFUSED)
@require_http_methods(["GET"])
def need_list(request: HttpRequest) -> HttpResponse:
    f = filters_from(request)
    page = Paginator(selectors.needs(request.user, f), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.need_rows(request.user, page)
    policy.audit_clear_view(request.user, request, object_type="need", ids=[r["id"] for r in rows], what="需求列表")
    query = request.GET.copy()
    query.pop("page", None)
    context = {"rows": rows, "page": page, "f": f, "query": query.urlencode(), "masked": policy.masker_for(
        request.user).masked, "can_create": request.user.role in policy.NEED_ROLES, **_choices()}
    template = "minqing/needs/_table.html" if request.htmx else "minqing/needs/list.html"
    return render(request, template, context)


@role_required(policy.READ_ROLES, READ_REFUSED)
@require_http_methods(["GET"])
def need_export(request: HttpRequest) -> HttpResponse:
    qs = selectors.needs(request.user, filters_from(request))[:EXPORT_LIMIT]
    rows = selectors.need_rows(request.user, qs)
    policy.audit_clear_view(request.user, request, object_type="need", ids=[r["id"] for r in rows], what="需求导出")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("民情需求")
    append_row(sheet, ["编号", "提出日期", "居民区", "户/单位", "类别", "紧急程度", "来源", "需求内容", "状态", "工单",
                       "办理结果"])
    for r in rows:
        append_row(sheet, [r["id"], r["raised_on"], r["neighbourhood"], r["place"], r["category"], r["urgency"],
                           r["source"], r["text"], r["status"], r["case_number"], r["outcome"]])
    return xlsx_response(workbook, "minqing-needs.xlsx")


def _leaf_categories():
    return Category.objects.filter(parent__isnull=False).select_related("parent").order_by("parent__name", "name")[:300]


def detail_context(request: HttpRequest, need, *, error: str = "") -> dict:
    user = request.user
    masker = policy.masker_for(user)
    row = selectors.need_rows(user, [need], masker=masker)[0]
    policy.audit_clear_view(user, request, object_type="need", ids=[need.pk], what="需求详情")
    may_act = user.role in policy.NEED_ROLES
    may_open = user.role in services.case_roles() and need.status == NeedStatus.OPEN and not need.case_id
    suggestion = services.need_dispatch_suggestion(need) if may_open else None
    citizen = services.need_citizen(need) if may_open else None
    return {
        "need": need, "row": row, "timeline": selectors.need_timeline(need, masker=masker), "masked": masker.masked,
        "may_act": may_act and need.status == NeedStatus.OPEN, "may_open": may_open,
        "open_refused": "" if user.role in services.case_roles() else "您的角色不能受理工单,如需转工单请联系受理员或派单员",
        "suggestion": suggestion, "citizen": masker.name(citizen.name) if citizen else "",
        "default_category": services.need_case_category(need) if may_open else None,
        "case_categories": _leaf_categories() if may_open else [],
        "error": error,
    }


@login_required  # the scoped lookup answers first: 404 for a role that sees no need
@require_http_methods(["GET"])
def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        need = selectors.get_need(request.user, pk)
    except DomainError as exc:
        return domain_error_page(request, exc)
    return render(request, "minqing/needs/detail.html", detail_context(request, need))


def _act(request: HttpRequest, pk: int, action) -> HttpResponse:
    try:
        need = selectors.get_need(request.user, pk)
    except DomainError as exc:
        return domain_error_page(request, exc)
    if request.user.role not in policy.NEED_ROLES:
        return forbidden_page(request, "您的角色不能处理民情需求")
    try:
        done = action(need)
    except DomainError as exc:
        if request.htmx:
            return domain_error_page(request, exc)
        return render(request, "minqing/needs/detail.html", detail_context(request, need, error=exc.message),
                      status=exc.status)
    messages.success(request, done)
    return redirect("minqing_needs:detail", pk=need.pk)


@login_required
@require_POST
def need_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    def action(need):
        solved = request.POST.get("solved", "yes") != "no"
        services.need_resolve(actor=request.user, need=need, outcome=request.POST.get("outcome", ""), solved=solved)
        return "已记录办理结果"
    return _act(request, pk, action)


@login_required
@require_POST
def need_close(request: HttpRequest, pk: int) -> HttpResponse:
    def action(need):
        services.need_close(actor=request.user, need=need, reason=request.POST.get("reason", ""))
        return "需求已关闭"
    return _act(request, pk, action)


@login_required
@require_POST
def need_open_case(request: HttpRequest, pk: int) -> HttpResponse:
    def action(need):
        category_id = _int(request.POST.get("category"))
        category = Category.objects.filter(pk=category_id).first() if category_id else None
        if category_id and category is None:
            raise ValidationFailed("工单类别不存在", details={"field": "category"})
        case = services.need_open_case(actor=request.user, need=need, category=category,
                                       title=request.POST.get("title", "")[:120],
                                       urgent=request.POST.get("urgent") == "on" or None)
        return f"已转为工单 {case.number}"
    return _act(request, pk, action)


_HOUSEHOLD_REF = re.compile(r"[Hh]?0*(\d+)")


def _household(request: HttpRequest, text: str) -> Household | None:
    text = (text or "").strip()
    if not text:
        return None
    match = _HOUSEHOLD_REF.fullmatch(text)
    qs = registry_selectors.households(request.user)
    found = qs.filter(pk=int(match[1])).first() if match else qs.filter(address_key=text).first()
    if found is None:
        raise ValidationFailed(f"底册中没有 {text} 这一户(或不在您的职责范围内),请用查找选择", details={"field": "household"})
    return found


@role_required(policy.NEED_ROLES, "您的角色不能登记民情需求")
@require_http_methods(["GET", "POST"])
def need_new(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    context = {**_choices(), "data": data, "today": timezone.localdate(clock.now()).isoformat(), "error": ""}
    if request.method == "GET":
        return render(request, "minqing/needs/form.html", context)
    try:
        category = NeedCategory.objects.filter(pk=_int(data.get("category")), is_active=True).first()
        household = _household(request, data.get("household", ""))
        person = person_by_reference(request.user, data.get("person", ""), field="person")
        if person is not None and household is not None and not person.memberships.filter(
                household=household, ended_at__isnull=True).exists():
            raise ValidationFailed("提出人不是该户的现有成员", details={"field": "person"})
        raised_on = _day(data.get("raised_on"))
        if data.get("raised_on") and raised_on is None:
            raise ValidationFailed("提出日期格式不正确", details={"field": "raised_on"})
        need = services.need_create(actor=request.user, category=category, text=data.get("text", ""),
                                    source=data.get("source", NeedSource.VISIT), urgency=data.get("urgency", "low"),
                                    household=household, person=person, raised_on=raised_on)
    except DomainError as exc:
        context["error"] = exc.message
        return render(request, "minqing/needs/form.html", context, status=exc.status)
    messages.success(request, f"已登记需求 #{need.pk}")
    return redirect("minqing_needs:detail", pk=need.pk)


@role_required(policy.READ_ROLES, READ_REFUSED)
@require_http_methods(["GET"])
def household_pick(request: HttpRequest) -> HttpResponse:
    """The household picker's results: at most ten households of the reader's area, addresses as the reader sees them."""
    term = request.GET.get("pick_q", "")[:50].strip()
    search = registry_selectors.Search()
    qs = registry_selectors.households(request.user, q=term, search=search) if term else Household.objects.none()
    masker = policy.masker_for(request.user)
    rows = [{"id": h.pk, "address": masker.address(h.address)} for h in qs[:10]]
    target = re.sub(r"[^\w-]", "", request.GET.get("target", ""))[:40]
    return render(request, "minqing/needs/_household_pick.html",
                  {"rows": rows, "term": term, "target": target, "refused": search.refused})
