"""民情需求 API at /api/minqing/needs/: list, detail (with its timeline), create, 转工单; and the data lake's records.
The same selectors, services and masker as the pages; every clear answer audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from core.errors import PermissionDenied, ValidationFailed
from org.models import Category
from registry import selectors as registry_selectors
from registry.models import Household

from .. import policy
from ..models import NeedCategory, NeedSource, NeedUrgency
from ..selectors import lake as lake_selectors
from ..selectors import needs as selectors
from ..services import needs as services

router = Router(tags=["民情需求"])


class NeedQuery(Schema):
    category: int | None = None
    status: str = ""
    urgency: str = ""
    neighbourhood: int | None = None
    source: str = ""
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""
    limit: int = 50
    offset: int = 0


class NeedIn(Schema):
    category_id: int
    text: str
    household_id: int | None = None
    urgency: str = NeedUrgency.LOW
    source: str = NeedSource.VISIT
    raised_on: date | None = None


class OpenCaseIn(Schema):
    category_id: int | None = None
    title: str = ""


class LakeQuery(Schema):
    source: int | None = None
    match: str = ""
    neighbourhood: int | None = None
    q: str = ""
    limit: int = 50
    offset: int = 0


def _reader(request: HttpRequest) -> None:
    if request.user.role not in policy.READ_ROLES:
        raise PermissionDenied("您的角色不能查看民情需求")


def _bounds(limit: int, offset: int) -> tuple[int, int]:
    return max(1, min(limit, 200)), max(0, offset)


def _row(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "raised_on": row["raised_on"].isoformat()}


@router.get("/needs", summary="需求列表(按类别、状态、紧急程度、居民区、来源、日期筛选;内容检索仅限明文角色)")
def needs_list(request: HttpRequest, filters: Query[NeedQuery]):
    _reader(request)
    f = selectors.NeedFilters(category=filters.category, status=filters.status, urgency=filters.urgency,
                              neighbourhood=filters.neighbourhood, source=filters.source,
                              date_from=filters.date_from, date_to=filters.date_to, q=filters.q[:50])
    limit, offset = _bounds(filters.limit, filters.offset)
    qs = selectors.needs(request.user, f)
    rows = selectors.need_rows(request.user, qs[offset:offset + limit])
    policy.audit_clear_view(request.user, request, object_type="need", ids=[r["id"] for r in rows], what="api")
    return {"count": qs.count(), "limit": limit, "offset": offset, "masked": policy.masker_for(request.user).masked,
            "search_refused": f.refused, "results": [_row(r) for r in rows]}


@router.get("/needs/{need_id}", summary="需求详情与记录")
def need_detail(request: HttpRequest, need_id: int):
    need = selectors.get_need(request.user, need_id)
    masker = policy.masker_for(request.user)
    row = selectors.need_rows(request.user, [need], masker=masker)[0]
    policy.audit_clear_view(request.user, request, object_type="need", ids=[need.pk], what="api")
    timeline = [{**e, "at": e["at"].isoformat()} for e in selectors.need_timeline(need, masker=masker)]
    return {**_row(row), "timeline": timeline}


@router.post("/needs", response={201: dict}, summary="登记需求")
def need_create(request: HttpRequest, payload: NeedIn):
    policy.check_role(request.user, policy.NEED_ROLES, "登记需求")
    category = NeedCategory.objects.filter(pk=payload.category_id).first()
    household = None
    if payload.household_id:
        household = registry_selectors.households(request.user).filter(pk=payload.household_id).first()
        if household is None and Household.objects.filter(pk=payload.household_id).exists():
            raise PermissionDenied("该户不在您负责的区域内")
        if household is None:
            raise ValidationFailed("户不存在", details={"field": "household_id"})
    need = services.need_create(actor=request.user, category=category, text=payload.text, source=payload.source,
                                urgency=payload.urgency, household=household, raised_on=payload.raised_on)
    return 201, {"id": need.pk, "status": need.status}


@router.post("/needs/{need_id}/case", response={201: dict}, summary="需求一键转工单(来源 民情走访)")
def need_open_case(request: HttpRequest, need_id: int, payload: OpenCaseIn):
    need = selectors.get_need(request.user, need_id)
    category = None
    if payload.category_id:
        category = Category.objects.filter(pk=payload.category_id).first()
        if category is None:
            raise ValidationFailed("工单类别不存在", details={"field": "category_id"})
    case = services.need_open_case(actor=request.user, need=need, category=category, title=payload.title[:120])
    return 201, {"need": need.pk, "case": case.pk, "number": case.number}


@router.get("/lake/records", summary="数据湖记录(城运中心)")
def lake_records(request: HttpRequest, filters: Query[LakeQuery]):
    policy.check_role(request.user, policy.LAKE_ROLES, "查看数据湖")
    f = lake_selectors.LakeFilters(source=filters.source, match=filters.match, neighbourhood=filters.neighbourhood,
                                   q=filters.q[:50])
    limit, offset = _bounds(filters.limit, filters.offset)
    qs = lake_selectors.lake_records(request.user, f)
    masker = policy.masker_for(request.user)
    rows = [lake_selectors.lake_row(r, masker=masker) for r in qs[offset:offset + limit]]
    policy.audit_clear_view(request.user, request, object_type="lake_record", ids=[r["id"] for r in rows], what="api")
    return {"count": qs.count(), "limit": limit, "offset": offset, "masked": masker.masked,
            "search_refused": f.refused,
            "results": [{**r, "occurred_on": r["occurred_on"].isoformat() if r["occurred_on"] else None}
                        for r in rows]}
