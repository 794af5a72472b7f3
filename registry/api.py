"""社区底册 API at /api/registry/: persons, households and units (list, detail), person create/update, 查看完整信息
with a purpose, and a case's 诉求人 link decision. The same selectors, services and RegistryMasker as the pages,
so a role reads exactly what its pages show (lists clear only for policy.CLEAR_ROLES, one audit entry a request;
every clear detail audited with its purpose); errors are core.errors in the project's one format."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from ninja import Query, Router, Status

from cases.selectors import case_get, case_title_for
from core.errors import PermissionDenied, ValidationFailed

from . import policy, selectors, services
from .models import Entity, Household, Person, Unit
from .policy import RegistryMasker
from .schemas import (
    CaseLinkIn,
    CaseLinkOut,
    HouseholdOut,
    HouseholdQuery,
    Page,
    PersonIn,
    PersonOut,
    PersonPatch,
    PersonQuery,
    RevealIn,
    UnitOut,
    UnitQuery,
)

router = Router(tags=["社区底册"])


def _reader(request: HttpRequest) -> None:
    if request.user.role not in policy.READ_ROLES:
        raise PermissionDenied("您的角色不能查看社区底册")


def _page(request: HttpRequest, qs, filters, *, entity: str, row, search=None) -> dict[str, Any]:
    masker = RegistryMasker(request.user)
    items = list(qs[filters.offset: filters.offset + filters.limit])
    results = [row(item, masker=masker) for item in items]
    selectors.audit_list_unmasked(request.user, request, entity=entity, ids=[r["id"] for r in results], what="api")
    return {"count": qs.count(), "limit": filters.limit, "offset": filters.offset, "masked": masker.masked,
            "search_refused": search.refused if search else "", "results": results}


def _cases(request: HttpRequest, qs) -> list[dict[str, Any]]:
    return [{"id": c.pk, "number": c.number, "title": case_title_for(request.user, c), "state": c.state,
             "registered_at": c.registered_at} for c in qs[:50]]


# --- persons -------------------------------------------------------------------------------------------------------


@router.get("/persons", response=Page, summary="人员列表与检索(电话/证件号检索仅限需要的角色,并审计)")
def registry_persons(request: HttpRequest, filters: Query[PersonQuery]):
    _reader(request)
    search = selectors.Search()
    qs = selectors.persons(request.user, q=filters.q, neighbourhood=filters.neighbourhood_id, tag=filters.tag,
                           residence=filters.residence, status=filters.status, request=request, search=search)
    return _page(request, selectors.persons_prefetched(qs), filters, entity="person", row=selectors.person_row,
                 search=search)


def _person_out(request: HttpRequest, person: Person, *, purpose: str = "") -> dict[str, Any]:
    user = request.user
    masker = selectors.reader_masker(user, request, entity=Entity.PERSON, object_id=person.pk, purpose=purpose,
                                     force=person.anonymised_at is not None)
    names, phones = (person.name,), tuple(p for p in (person.phone, person.phone_alt) if p)
    return {**selectors.person_card(user, person, masker=masker),
            "households": selectors.person_households(user, person, masker=masker),
            "cases": _cases(request, selectors.person_cases(user, person)),
            "timeline": selectors.timeline(user, entity=Entity.PERSON, object_id=person.pk, masker=masker,
                                           names=names, phones=phones)}


@router.get("/persons/{person_id}", response=PersonOut, summary="人员详情(按角色脱敏;明文查看均审计)")
def registry_person(request: HttpRequest, person_id: int):
    return _person_out(request, selectors.get_person(request.user, person_id))


def _purpose(payload: RevealIn) -> str:
    text = payload.purpose_text.strip()
    if payload.purpose == "other":
        if len(text) < 4:
            raise ValidationFailed("选择“其他”时请写明查看目的(至少4个字)", details={"field": "purpose_text"})
        return f"其他:{text}"
    label = policy.REVEAL_PURPOSES[payload.purpose]
    return f"{label}:{text}" if text else label


@router.post("/persons/{person_id}/reveal", response=PersonOut, summary="查看完整信息(须说明目的,审计)")
def registry_person_reveal(request: HttpRequest, person_id: int, payload: RevealIn):
    person = selectors.get_person(request.user, person_id)
    if request.user.role not in policy.REVEAL_ROLES:
        raise PermissionDenied("您的角色无需(或不能)申请查看完整信息")
    return _person_out(request, person, purpose=_purpose(payload))


def _household_for(request: HttpRequest, household_id: int | None) -> Household | None:
    if household_id is None:
        return None
    household = policy.visible(request.user, Household.objects.filter(pk=household_id)).first()
    if household is None:
        raise ValidationFailed("所在户不存在或不在您的职责范围内", details={"field": "household_id"})
    return household


@router.post("/persons", response={201: PersonOut}, summary="登记人员")
def registry_person_create(request: HttpRequest, payload: PersonIn):
    if request.user.role not in policy.WRITE_ROLES:
        raise PermissionDenied("您的角色不能登记人员")
    data = payload.dict()
    household = _household_for(request, data.pop("household_id"))
    person = services.person_create(actor=request.user, household=household, source="api", **data)
    return Status(201, _person_out(request, selectors.get_person(request.user, person.pk)))


@router.patch("/persons/{person_id}", response=PersonOut, summary="修改人员(带 version 乐观锁,冲突为 409)")
def registry_person_update(request: HttpRequest, person_id: int, payload: PersonPatch):
    person = selectors.get_person(request.user, person_id)
    if request.user.role not in policy.WRITE_ROLES:
        raise PermissionDenied("您的角色不能修改人员")
    fields = payload.dict(exclude_unset=True)
    version = fields.pop("version", None)
    services.person_update(actor=request.user, person=person, version=version, source="api", **fields)
    return _person_out(request, selectors.get_person(request.user, person_id))


# --- households and units ------------------------------------------------------------------------------------------


@router.get("/households", response=Page, summary="户列表(门牌号检索对脱敏角色只按路名/小区)")
def registry_households(request: HttpRequest, filters: Query[HouseholdQuery]):
    _reader(request)
    search = selectors.Search()
    qs = selectors.households(request.user, q=filters.q, neighbourhood=filters.neighbourhood_id,
                              housing=filters.housing, crowded=filters.crowded, search=search).annotate(
        open_members=Count("memberships", filter=Q(memberships__ended_at__isnull=True)))
    return _page(request, qs, filters, entity="household", search=search,
                 row=lambda h, masker: selectors.household_row(h, masker=masker, members=h.open_members))


@router.get("/households/{household_id}", response=HouseholdOut, summary="户详情:成员(现有与曾住)、关联工单、变更记录")
def registry_household(request: HttpRequest, household_id: int):
    user = request.user
    household = selectors.get_household(user, household_id)
    masker = selectors.reader_masker(user, request, entity=Entity.HOUSEHOLD, object_id=household.pk)
    names, phones = selectors.household_secrets(household)
    return {**selectors.household_card(user, household, masker=masker),
            "members": selectors.household_members(user, household, masker=masker, include_past=True),
            "cases": _cases(request, selectors.household_cases(user, household)),
            "timeline": selectors.timeline(user, entity=Entity.HOUSEHOLD, object_id=household.pk, masker=masker,
                                           names=names, phones=phones)}


@router.get("/units", response=Page, summary="单位列表(一店一档)")
def registry_units(request: HttpRequest, filters: Query[UnitQuery]):
    _reader(request)
    qs = selectors.units(request.user, q=filters.q, neighbourhood=filters.neighbourhood_id, kind=filters.kind,
                         status=filters.status)
    return _page(request, qs, filters, entity="unit", row=selectors.unit_row)


@router.get("/units/{unit_id}", response=UnitOut, summary="单位详情:经营者与联系人(按角色脱敏)")
def registry_unit(request: HttpRequest, unit_id: int):
    user = request.user
    unit = selectors.get_unit(user, unit_id)
    unit = Unit.objects.select_related("neighbourhood", "grid", "estate", "operator").prefetch_related(
        "contacts__person").get(pk=unit.pk)
    masker = selectors.reader_masker(user, request, entity=Entity.UNIT, object_id=unit.pk)
    card = selectors.unit_card(user, unit, masker=masker)
    names, phones = card.pop("secrets")
    return {**card, "timeline": selectors.timeline(user, entity=Entity.UNIT, object_id=unit.pk, masker=masker,
                                                   names=names, phones=phones)}


# --- a case's 诉求人 --------------------------------------------------------------------------------------------------


@router.post("/cases/{case_id}/links", response=CaseLinkOut, summary="确认/否认工单诉求人为底册人员")
def registry_case_link_decide(request: HttpRequest, case_id: int, payload: CaseLinkIn):
    case = case_get(request.user, case_id)
    if request.user.role not in policy.CLEAR_ROLES:
        raise PermissionDenied("您的角色不能关联工单诉求人")
    person = policy.visible(request.user, Person.objects.filter(pk=payload.person_id)).first()
    if person is None:
        raise ValidationFailed("底册中没有该人员(或不在您的职责范围内)", details={"field": "person_id"})
    link = services.case_link_decide(actor=request.user, case=case, person=person,
                                     linked=payload.decision == "linked", source="api")
    return {"case_id": case.pk, "person_id": person.pk, "decision": link.decision, "decided_at": link.decided_at}
