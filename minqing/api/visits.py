"""民情走访 API at /api/minqing/: visits (list, record), plans (list) and coverage. The same selectors, services and
masker as the pages; every clear answer audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from core.errors import PermissionDenied, ValidationFailed
from org.models import User
from questionnaires.models import Submission
from registry import selectors as registry_selectors
from registry.models import Household, Person, Unit

from .. import policy
from ..models import NeedCategory, VisitOutcome, VisitPlan
from ..selectors import coverage
from ..selectors import visits as selectors
from ..services import visits as services

router = Router(tags=["民情走访"])


class VisitQuery(Schema):
    outcome: str = ""
    neighbourhood: int | None = None
    visitor: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    limit: int = 50
    offset: int = 0


class NeedRowIn(Schema):
    category_id: int
    urgency: str = "low"
    text: str


class VisitIn(Schema):
    household_id: int | None = None
    unit_id: int | None = None
    visited_on: date
    visitor_ids: list[int] = []
    companions: str = ""
    met_person_id: int | None = None
    outcome: str
    notes: str = ""
    submission_ids: list[int] = []
    needs: list[NeedRowIn] = []


class PlanQuery(Schema):
    status: str = ""
    neighbourhood: int | None = None
    limit: int = 50
    offset: int = 0


class CoverageQuery(Schema):
    months: int = coverage.DEFAULT_MONTHS
    date_from: date | None = None
    date_to: date | None = None
    limit: int = 50
    offset: int = 0


def _reader(request: HttpRequest) -> None:
    if request.user.role not in policy.READ_ROLES:
        raise PermissionDenied("您的角色不能查看民情走访")


def _bounds(limit: int, offset: int) -> tuple[int, int]:
    return max(1, min(limit, 200)), max(0, offset)


def _row(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "visited_on": row["visited_on"].isoformat()}


@router.get("/visits", summary="走访记录列表(按结果、居民区、走访人、日期筛选)")
def visits_list(request: HttpRequest, filters: Query[VisitQuery]):
    _reader(request)
    f = selectors.VisitFilters(outcome=filters.outcome if filters.outcome in VisitOutcome.values else "",
                               neighbourhood=filters.neighbourhood, visitor=filters.visitor,
                               date_from=filters.date_from, date_to=filters.date_to)
    limit, offset = _bounds(filters.limit, filters.offset)
    qs = selectors.visits(request.user, f)
    rows = selectors.visit_rows(request.user, qs[offset:offset + limit])
    policy.audit_clear_view(request.user, request, object_type="visit", ids=[r["id"] for r in rows], what="api")
    return {"count": qs.count(), "limit": limit, "offset": offset, "masked": policy.masker_for(request.user).masked,
            "results": [_row(r) for r in rows]}


def _in_scope(request: HttpRequest, qs, model, pk: int | None, label: str):
    if not pk:
        return None
    found = qs.filter(pk=pk).first()
    if found is None and model.objects.filter(pk=pk).exists():
        raise PermissionDenied(f"该{label}不在您负责的区域内")
    if found is None:
        raise ValidationFailed(f"{label}不存在", details={"field": f"{model.__name__.lower()}_id"})
    return found


@router.post("/visits", response={201: dict}, summary="登记走访(含需求、问卷;自动完成对应的计划对象)")
def visit_create(request: HttpRequest, payload: VisitIn):
    policy.check_role(request.user, policy.VISIT_ROLES, "登记走访")
    household = _in_scope(request, registry_selectors.households(request.user), Household, payload.household_id, "户")
    unit = _in_scope(request, registry_selectors.units(request.user), Unit, payload.unit_id, "单位")
    visitors = list(User.objects.filter(pk__in=payload.visitor_ids or [request.user.pk]))
    if len(visitors) != len(set(payload.visitor_ids or [request.user.pk])):
        raise ValidationFailed("走访人不存在", details={"field": "visitor_ids"})
    met_person = Person.objects.filter(pk=payload.met_person_id).first() if payload.met_person_id else None
    if payload.met_person_id and met_person is None:
        raise ValidationFailed("接待人不存在", details={"field": "met_person_id"})
    submissions = list(Submission.objects.filter(pk__in=payload.submission_ids))
    if len(submissions) != len(set(payload.submission_ids)):
        raise ValidationFailed("问卷答卷不存在", details={"field": "submission_ids"})
    categories = {c.pk: c for c in NeedCategory.objects.filter(pk__in=[n.category_id for n in payload.needs])}
    needs = [{"category": categories.get(n.category_id), "urgency": n.urgency, "text": n.text} for n in payload.needs]
    visit = services.visit_record(
        actor=request.user, household=household, unit=unit, visited_on=payload.visited_on, visitors=visitors,
        companions=payload.companions, met_person=met_person, outcome=payload.outcome, notes=payload.notes,
        submissions=submissions, needs=needs)
    return 201, {"id": visit.pk, "needs": list(visit.needs.values_list("pk", flat=True)),
                 "plan_targets": list(visit.plan_targets.values_list("pk", flat=True))}


@router.get("/visit-plans", summary="走访计划列表")
def visit_plans_list(request: HttpRequest, filters: Query[PlanQuery]):
    _reader(request)
    limit, offset = _bounds(filters.limit, filters.offset)
    status = filters.status if filters.status in VisitPlan.Status.values else ""
    qs = selectors.plans(request.user, status=status, neighbourhood=filters.neighbourhood)
    results = [{"id": p.pk, "title": p.title, "neighbourhood": p.neighbourhood.name, "status": p.status,
                "rule": p.rule, "rule_tag": p.rule_tag, "assignee": p.assignee.display_name or p.assignee.username,
                "starts_on": p.starts_on.isoformat(), "due_on": p.due_on.isoformat(), "targets": p.target_count,
                "done": p.done_count} for p in qs[offset:offset + limit]]
    return {"count": qs.count(), "limit": limit, "offset": offset, "results": results}


@router.get("/visit-coverage", summary="走访覆盖:按居民区、走访人,逾期计划,N 个月未走访的户")
def visit_coverage(request: HttpRequest, filters: Query[CoverageQuery]):
    _reader(request)
    if not 1 <= filters.months <= coverage.MAX_MONTHS:
        raise ValidationFailed(f"月数应在 1 到 {coverage.MAX_MONTHS} 之间", details={"field": "months"})
    period = coverage.default_period(months=filters.months)
    period.start, period.end = filters.date_from or period.start, filters.date_to or period.end
    if period.end < period.start:
        raise ValidationFailed("结束日期不能早于开始日期", details={"field": "date_to"})
    limit, offset = _bounds(filters.limit, filters.offset)
    masker = policy.masker_for(request.user)
    qs = coverage.not_visited(request.user, period)
    never = [{"id": h.pk, "address": masker.address(h.address),
              "last_visit": h.last_visit.isoformat() if h.last_visit else None} for h in qs[offset:offset + limit]]
    policy.audit_clear_view(request.user, request, object_type="household", ids=[r["id"] for r in never],
                            what="api 走访覆盖")
    return {"period": {"from": period.start.isoformat(), "to": period.end.isoformat(), "months": period.months},
            "masked": masker.masked, "by_neighbourhood": coverage.by_neighbourhood(request.user, period),
            "by_visitor": coverage.by_visitor(request.user, period),
            "overdue_plans": [{"id": p.pk, "title": p.title, "due_on": p.due_on.isoformat(), "open": p.open_count}
                              for p in coverage.overdue_plans(request.user)[:100]],
            "not_visited": {"count": qs.count(), "limit": limit, "offset": offset, "results": never}}
