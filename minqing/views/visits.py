"""民情走访 pages: 今日走访 (the signed-in visitor's open targets), the visit form (visitors, companions, the person met,
the outcome, notes, the questionnaires filled during the visit, the needs raised, added row by row with htmx), the
visit list (filters, pages) and one visit with its history and its correction. Scope and masking in the selectors;
writes through the services."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from core import clock
from core.errors import DomainError, ValidationFailed
from core.pages import domain_error_page, forbidden_page, login_required, role_required
from org.models import Neighbourhood, Role, User
from questionnaires.models import Questionnaire, Submission
from registry import selectors as registry_selectors
from registry.models import Person

from .. import policy
from ..models import NeedCategory, NeedUrgency, VisitOutcome
from ..selectors import visits as selectors
from ..services import visits as services
from .needs import _day, _household, _int

READ_REFUSED = "您的角色不能查看民情走访"
VISIT_REFUSED = "您的角色不能登记走访"
PAGE_SIZE = 30


@role_required(policy.VISIT_ROLES, VISIT_REFUSED)
@require_http_methods(["GET"])
def today(request: HttpRequest) -> HttpResponse:
    """今日走访: the doors my running plans still wait for, one row each (one visit fills all its targets), the
    earliest due first, the overdue ones marked, each with its plans and its 登记走访 button."""
    masker = policy.masker_for(request.user)
    page = Paginator(selectors.my_open_places(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.place_rows(page.object_list, request.user, masker=masker)
    policy.audit_clear_view(request.user, request, object_type="visit_plan_target",
                            ids=[i for r in rows for i in r["ids"]], what="今日走访")
    recent = selectors.visit_rows(request.user, selectors.visits(request.user).filter(
        visitors=request.user, visited_on=clock.today()), masker=masker)
    return render(request, "minqing/visits/today.html", {"rows": rows, "page": page, "recent": recent,
                                                          "masked": masker.masked,
                                                          "may_plan": request.user.role in policy.PLAN_ROLES})


def filters_from(request: HttpRequest) -> selectors.VisitFilters:
    g = request.GET
    return selectors.VisitFilters(outcome=g.get("outcome", "") if g.get("outcome") in VisitOutcome.values else "",
                                  neighbourhood=_int(g.get("neighbourhood")), visitor=_int(g.get("visitor")),
                                  date_from=_day(g.get("from")), date_to=_day(g.get("to")))


def _visitor_choices(user: User) -> list[User]:
    """The 居委干部 and 网格员 whose visits the reader may filter by (those of its area)."""
    if user.role in policy.STREET_WIDE_ROLES:
        q = Q(role__in=[Role.CADRE, Role.GRID])
    elif user.role == Role.CADRE:
        q = Q(role=Role.CADRE, neighbourhood_id=user.neighbourhood_id) | Q(role=Role.GRID,
                                                                          grid__neighbourhood_id=user.neighbourhood_id)
    else:
        q = Q(pk=user.pk)
    return list(User.objects.filter(q, is_active=True).order_by("role", "username")[:200])


@role_required(policy.READ_ROLES, READ_REFUSED)
@require_http_methods(["GET"])
def visit_list(request: HttpRequest) -> HttpResponse:
    f = filters_from(request)
    page = Paginator(selectors.visits(request.user, f), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.visit_rows(request.user, page.object_list)
    policy.audit_clear_view(request.user, request, object_type="visit", ids=[r["id"] for r in rows], what="走访列表")
    query = request.GET.copy()
    query.pop("page", None)
    context = {"rows": rows, "page": page, "f": f, "query": query.urlencode(), "outcomes": VisitOutcome.choices,
               "neighbourhoods": Neighbourhood.objects.order_by("name"), "visitors": _visitor_choices(request.user),
               "masked": policy.masker_for(request.user).masked,
               "can_create": request.user.role in policy.VISIT_ROLES}
    template = "minqing/visits/_table.html" if request.htmx else "minqing/visits/list.html"
    return render(request, template, context)


# --- the form -------------------------------------------------------------------------------------------------------

def _place(request: HttpRequest, data) -> tuple:
    """The household (H… or id) or the unit (id) the form is about, inside the user's area."""
    household = _household(request, data.get("household", ""))
    unit = None
    if household is None and data.get("unit"):
        unit = registry_selectors.units(request.user).filter(pk=_int(data.get("unit"))).first() if _int(
            data.get("unit")) else None
        if unit is None:
            raise ValidationFailed("单位不存在或不在您的职责范围内", details={"field": "unit"})
    return household, unit


def possible_visitors(place) -> list[User]:
    """Who may be named as a visitor of this place: the 居委干部 of its 居民区 and the 网格员 of its 网格."""
    if place is None:
        return []
    q = Q(role=Role.CADRE, neighbourhood_id=place.neighbourhood_id) if place.neighbourhood_id else Q(pk__in=[])
    if place.grid_id:
        q |= Q(role=Role.GRID, grid_id=place.grid_id)
    return list(User.objects.filter(q, is_active=True).order_by("role", "username")[:50])


def form_context(request: HttpRequest, data, *, household=None, unit=None, error: str = "") -> dict:
    user = request.user
    masker = policy.masker_for(user)
    place = household or unit
    visited_on = _day(data.get("visited_on")) or clock.today()
    members, offered, questionnaires, back = [], [], [], ""
    if household is not None:
        members = list(Person.objects.filter(memberships__household=household, memberships__ended_at__isnull=True)
                       .order_by("name"))
        back = reverse("minqing_visits:new") + "?" + urlencode({"household": household.pk})
        questionnaires = [{"title": q.title, "url": reverse("questionnaires:fill", args=[q.slug]) + "?" + urlencode(
            {"household": household.pk, "prefill": "1", "next": back})}
            for q in Questionnaire.objects.filter(is_active=True).order_by("title")]
    elif unit is not None:
        back = reverse("minqing_visits:new") + "?" + urlencode({"unit": unit.pk})
        questionnaires = [{"title": q.title, "url": reverse("questionnaires:fill", args=[q.slug]) + "?" + urlencode(
            {"unit": unit.pk, "next": back})} for q in Questionnaire.objects.filter(is_active=True).order_by("title")]
    if place is not None:
        offered = list(selectors.offered_submissions(user, household=household, unit=unit, on=visited_on))
    chosen_subs = set(data.getlist("submissions")) if hasattr(data, "getlist") and "submissions" in data else None
    visitors = possible_visitors(place)
    if user.pk not in {v.pk for v in visitors}:
        visitors.insert(0, user)
    chosen_visitors = set(data.getlist("visitors")) if hasattr(data, "getlist") and data.get("visitors") else {
        str(user.pk)}
    needs = []
    if hasattr(data, "getlist"):
        needs = [{"category": c, "urgency": u, "text": t} for c, u, t in zip(
            data.getlist("need_category"), data.getlist("need_urgency"), data.getlist("need_text"), strict=False)]
    return {
        "data": data, "household": household, "unit": unit, "error": error,
        "place_label": masker.address(household.address) if household else (f"{unit.name} {unit.address}" if unit
                                                                             else ""),
        "members": [{"id": p.pk, "name": masker.name(p.name)} for p in members],
        "visitors": [{"id": v.pk, "name": v.display_name or v.username, "role": v.get_role_display(),
                      "checked": str(v.pk) in chosen_visitors} for v in visitors],
        "offered": [{"id": s.pk, "title": s.form_version.questionnaire.title, "at": s.received_at,
                     "checked": chosen_subs is None or str(s.pk) in chosen_subs} for s in offered],
        "questionnaires": questionnaires, "outcomes": VisitOutcome.choices, "needs": needs or [{}],
        "categories": NeedCategory.objects.filter(is_active=True), "urgencies": NeedUrgency.choices,
        "today": clock.today().isoformat(), "visited_on": visited_on.isoformat(), "masked": masker.masked,
    }


def _posted(request: HttpRequest, household, unit) -> dict:
    data = request.POST
    visited_on = _day(data.get("visited_on"))
    if data.get("visited_on") and visited_on is None:
        raise ValidationFailed("走访日期格式不正确", details={"field": "visited_on"})
    ids = [i for i in (_int(v) for v in data.getlist("visitors")) if i]
    visitors = list(User.objects.filter(pk__in=ids))
    if len(visitors) != len(set(ids)):
        raise ValidationFailed("走访人不存在", details={"field": "visitors"})
    met_person = None
    if _int(data.get("met_person")):
        met_person = Person.objects.filter(pk=_int(data.get("met_person"))).first()
        if met_person is None:
            raise ValidationFailed("接待人不存在", details={"field": "met_person"})
    sub_ids = [i for i in (_int(v) for v in data.getlist("submissions")) if i]
    submissions = list(Submission.objects.filter(pk__in=sub_ids))
    if len(submissions) != len(set(sub_ids)):
        raise ValidationFailed("问卷答卷不存在", details={"field": "submissions"})
    needs = [{"category": _int(c), "urgency": u, "text": t} for c, u, t in zip(
        data.getlist("need_category"), data.getlist("need_urgency"), data.getlist("need_text"), strict=False)]
    return {"household": household, "unit": unit, "visited_on": visited_on, "visitors": visitors,
            "companions": data.get("companions", ""), "met_person": met_person,
            "outcome": data.get("outcome", ""), "notes": data.get("notes", ""), "submissions": submissions,
            "needs": needs}


@role_required(policy.VISIT_ROLES, VISIT_REFUSED)
@require_http_methods(["GET", "POST"])
def visit_new(request: HttpRequest) -> HttpResponse:
    """登记走访: GET ?household=H… (or ?unit=) opens the form for that place; without one, the household picker."""
    data = request.POST if request.method == "POST" else request.GET
    try:
        household, unit = _place(request, data)
    except DomainError as exc:
        return render(request, "minqing/visits/form.html", form_context(request, data, error=exc.message),
                      status=exc.status)
    if request.method == "GET":
        return render(request, "minqing/visits/form.html", form_context(request, data, household=household,
                                                                        unit=unit))
    try:
        if household is None and unit is None:
            raise ValidationFailed("请先选择走访的户或单位", details={"field": "household"})
        visit = services.visit_record(actor=request.user, **_posted(request, household, unit))
    except DomainError as exc:
        return render(request, "minqing/visits/form.html",
                      form_context(request, data, household=household, unit=unit, error=exc.message),
                      status=exc.status)
    done = visit.plan_targets.count()
    messages.success(request, f"已登记走访 #{visit.pk}" + (f",完成计划对象 {done} 个" if done else "")
                     + (f",登记需求 {visit.needs.count()} 条" if visit.needs.exists() else ""))
    return redirect("minqing_visits:detail", pk=visit.pk)


@role_required(policy.VISIT_ROLES, VISIT_REFUSED)
@require_http_methods(["GET"])
def need_row(request: HttpRequest) -> HttpResponse:
    """One more need row of the visit form (htmx, appended)."""
    return render(request, "minqing/visits/_need_row.html", {
        "n": {}, "categories": NeedCategory.objects.filter(is_active=True), "urgencies": NeedUrgency.choices})


# --- one visit ------------------------------------------------------------------------------------------------------

def detail_context(request: HttpRequest, visit, *, error: str = "") -> dict:
    from registry.selectors import household_secrets

    user = request.user
    masker = policy.masker_for(user)
    row = selectors.visit_rows(user, [visit], masker=masker)[0]
    names, phones = household_secrets(visit.household) if masker.masked and visit.household_id else ((), ())
    policy.audit_clear_view(user, request, object_type="visit", ids=[visit.pk], what="走访详情")
    from ..selectors import needs as need_selectors

    return {
        "visit": visit, "row": row, "masked": masker.masked, "error": error,
        "timeline": selectors.timeline(visit=visit, masker=masker, names=names, phones=phones),
        "needs": need_selectors.need_rows(user, visit.needs.select_related(
            "category", "household", "unit", "person", "neighbourhood", "case", "created_by"), masker=masker),
        "submissions": [{"id": s.pk, "title": s.form_version.questionnaire.title, "at": s.received_at}
                        for s in visit.submissions.select_related("form_version__questionnaire")],
        "targets": [{"plan_id": t.plan_id, "plan": t.plan.title} for t in visit.plan_targets.select_related("plan")],
        "may_correct": user.role in policy.VISIT_ROLES, "outcomes": VisitOutcome.choices,
    }


@login_required  # the scoped lookup answers first: 404 for a role that sees no visit
@require_http_methods(["GET"])
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        visit = selectors.get_visit(request.user, pk)
    except DomainError as exc:
        return domain_error_page(request, exc)
    return render(request, "minqing/visits/detail.html", detail_context(request, visit))


@login_required
@require_POST
def visit_correct(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        visit = selectors.get_visit(request.user, pk)
    except DomainError as exc:
        return domain_error_page(request, exc)
    if request.user.role not in policy.VISIT_ROLES:
        return forbidden_page(request, "您的角色不能更正走访记录")
    try:
        services.visit_correct(actor=request.user, visit=visit, reason=request.POST.get("reason", ""),
                               outcome=request.POST.get("outcome") or None,
                               notes=request.POST.get("notes") if "notes" in request.POST else None)
    except DomainError as exc:
        return render(request, "minqing/visits/detail.html", detail_context(request, visit, error=exc.message),
                      status=exc.status)
    messages.success(request, "已更正走访记录")
    return redirect("minqing_visits:detail", pk=visit.pk)

