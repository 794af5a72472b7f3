"""走访计划 pages (list, new, one plan with its targets and history, 取消) and the 走访覆盖 page (per 居民区 and per
visitor, overdue plans, the households not visited in N months). Scope and masking in the selectors."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core import clock
from core.errors import DomainError, ValidationFailed
from core.pages import domain_error_page, forbidden_page, login_required, role_required
from org.models import Neighbourhood, Role, User
from registry import selectors as registry_selectors
from registry.models import Tag

from .. import policy
from ..models import PlanRule, VisitPlan
from ..selectors import coverage
from ..selectors import visits as selectors
from ..services import plans as services
from .needs import _day, _int
from .visits import READ_REFUSED

PAGE_SIZE = 30
COVERAGE_ROLES = policy.READ_ROLES


@role_required(policy.READ_ROLES, READ_REFUSED)
@require_http_methods(["GET"])
def plan_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in VisitPlan.Status.values else ""
    qs = selectors.plans(request.user, status=status, neighbourhood=_int(request.GET.get("neighbourhood")))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "minqing/visits/plans.html", {
        "page": page, "status": status, "statuses": VisitPlan.Status.choices, "today": clock.today(),
        "neighbourhoods": Neighbourhood.objects.order_by("name"), "may_plan": request.user.role in policy.PLAN_ROLES})


def _plan_neighbourhoods(user: User):
    if user.role in policy.STREET_WIDE_ROLES:
        return Neighbourhood.objects.order_by("name")
    return Neighbourhood.objects.filter(pk=user.neighbourhood_id or 0)


def _assignees(neighbourhoods) -> list[User]:
    ids = [n.pk for n in neighbourhoods]
    return list(User.objects.filter(Q(role=Role.CADRE, neighbourhood_id__in=ids) | Q(
        role=Role.GRID, grid__neighbourhood_id__in=ids), is_active=True).select_related(
        "neighbourhood", "grid").order_by("role", "username")[:200])


_REF = re.compile(r"[Hh]?0*(\d+)")


def _households(request: HttpRequest, text: str):
    refs = [r for r in re.split(r"[\s,,、;;]+", text or "") if r]
    ids = []
    for ref in refs:
        match = _REF.fullmatch(ref)
        if not match:
            raise ValidationFailed(f"户编号「{ref}」格式不正确,应为 H 加数字", details={"field": "households"})
        ids.append(int(match[1]))
    found = list(registry_selectors.households(request.user).filter(pk__in=ids))
    missing = sorted(set(ids) - {h.pk for h in found})
    if missing:
        raise ValidationFailed("底册中没有 " + "、".join(f"H{i}" for i in missing) + "(或不在您的职责范围内)",
                               details={"field": "households"})
    return found


@role_required(policy.PLAN_ROLES, "您的角色不能制定走访计划")
@require_http_methods(["GET", "POST"])
def plan_new(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    neighbourhoods = list(_plan_neighbourhoods(request.user))
    today = clock.today()
    context = {"data": data, "error": "", "neighbourhoods": neighbourhoods, "assignees": _assignees(neighbourhoods),
               "rules": PlanRule.choices, "tags": Tag.objects.order_by("order", "name"), "today": today.isoformat()}
    if request.method == "GET":
        return render(request, "minqing/visits/plan_form.html", context)
    try:
        neighbourhood = Neighbourhood.objects.filter(pk=_int(data.get("neighbourhood"))).first()
        assignee = User.objects.filter(pk=_int(data.get("assignee"))).first() if _int(data.get("assignee")) else None
        for field, label in (("starts_on", "开始日期"), ("due_on", "完成期限")):
            if data.get(field) and _day(data.get(field)) is None:
                raise ValidationFailed(f"{label}格式不正确", details={"field": field})
        plan = services.visit_plan_create(
            actor=request.user, title=data.get("title", ""), neighbourhood=neighbourhood, assignee=assignee,
            rule=data.get("rule", ""), rule_tag=data.get("rule_tag", ""), starts_on=_day(data.get("starts_on")),
            due_on=_day(data.get("due_on")), note=data.get("note", ""),
            households=_households(request, data.get("households", "")) if data.get("rule") == PlanRule.MANUAL
            else ())
    except DomainError as exc:
        context["error"] = exc.message
        return render(request, "minqing/visits/plan_form.html", context, status=exc.status)
    messages.success(request, f"已制定走访计划「{plan.title}」,共 {plan.targets.count()} 个走访对象")
    return redirect("minqing_visits:plan-detail", pk=plan.pk)


def plan_context(request: HttpRequest, plan, *, error: str = "") -> dict:
    masker = policy.masker_for(request.user)
    page = Paginator(selectors.plan_targets(plan, masker=masker), 50).get_page(request.GET.get("page"))
    rows = selectors.target_rows(page, masker=masker)
    policy.audit_clear_view(request.user, request, object_type="visit_plan", ids=[plan.pk], what="走访计划")
    return {"plan": plan, "page": page, "rows": rows, "masked": masker.masked, "error": error,
            "timeline": selectors.timeline(plan=plan, masker=masker), "today": clock.today(),
            "may_cancel": request.user.role in policy.PLAN_ROLES and plan.status == VisitPlan.Status.ACTIVE,
            "may_visit": request.user.role in policy.VISIT_ROLES}


@login_required  # the scoped lookup answers first: 404 for a role that sees no plan
@require_http_methods(["GET"])
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        plan = selectors.get_plan(request.user, pk)
    except DomainError as exc:
        return domain_error_page(request, exc)
    return render(request, "minqing/visits/plan_detail.html", plan_context(request, plan))


@login_required
@require_POST
def plan_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        plan = selectors.get_plan(request.user, pk)
    except DomainError as exc:
        return domain_error_page(request, exc)
    if request.user.role not in policy.PLAN_ROLES:
        return forbidden_page(request, "您的角色不能取消走访计划")
    try:
        services.visit_plan_cancel(actor=request.user, plan=plan, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        return render(request, "minqing/visits/plan_detail.html", plan_context(request, plan, error=exc.message),
                      status=exc.status)
    messages.success(request, "走访计划已取消")
    return redirect("minqing_visits:plan-detail", pk=plan.pk)


def period_from(request: HttpRequest) -> coverage.Period:
    months = _int(request.GET.get("months")) or coverage.DEFAULT_MONTHS
    if not 1 <= months <= coverage.MAX_MONTHS:
        raise ValidationFailed(f"月数应在 1 到 {coverage.MAX_MONTHS} 之间", details={"field": "months"})
    period = coverage.default_period(months=months)
    start, end = _day(request.GET.get("from")), _day(request.GET.get("to"))
    if (request.GET.get("from") and start is None) or (request.GET.get("to") and end is None):
        raise ValidationFailed("日期格式不正确", details={"field": "from"})
    period.start, period.end = start or period.start, end or period.end
    if period.end < period.start:
        raise ValidationFailed("结束日期不能早于开始日期", details={"field": "to"})
    return period


@role_required(COVERAGE_ROLES, "您的角色不能查看走访覆盖")
@require_http_methods(["GET"])
def coverage_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    masker = policy.masker_for(user)
    try:
        period = period_from(request)
    except DomainError as exc:
        return render(request, "minqing/visits/coverage.html", {"error": exc.message, "period": None,
                                                                 "masked": masker.masked}, status=exc.status)
    nb = _int(request.GET.get("neighbourhood"))
    page = Paginator(coverage.not_visited(user, period, neighbourhood=nb), PAGE_SIZE).get_page(request.GET.get("page"))
    never = [{"id": h.pk, "address": masker.address(h.address), "neighbourhood": h.neighbourhood.name
              if h.neighbourhood_id else "", "last_visit": h.last_visit} for h in page]
    policy.audit_clear_view(user, request, object_type="household", ids=[r["id"] for r in never],
                            what="走访覆盖:未走访户")
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "minqing/visits/coverage.html", {
        "period": period, "by_neighbourhood": coverage.by_neighbourhood(user, period),
        "by_visitor": coverage.by_visitor(user, period), "overdue": coverage.overdue_plans(user)[:50],
        "never": never, "page": page, "query": query.urlencode(), "masked": masker.masked, "error": "",
        "neighbourhood": nb, "neighbourhoods": Neighbourhood.objects.order_by("name"),
    })
