"""Cases API: list/search, create (idempotent), detail, timeline, and one endpoint per lifecycle action."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, File, Form, Header, Query, Router, Schema, Status
from ninja.files import UploadedFile

from core.errors import NotFound, ValidationFailed
from org.models import Category, Department, Grid, Neighbourhood

from . import selectors, services
from .downloads import attachment_response
from .models import Case, IdempotencyKey, Source, State, Urgency
from .transitions import TRANSITIONS

router = Router(tags=["工单"])


# --- schemas -------------------------------------------------------------------------------------------


class CaseIn(Schema):
    source: Literal[tuple(Source.values)] = Field(
        ..., description="来源:" + "、".join(f"{v}={lbl}" for v, lbl in Source.choices)
    )
    title: str = Field("", max_length=120)
    content: str = Field(..., min_length=1, max_length=5000)
    category_id: int | None = None
    address: str = Field("", max_length=200)
    latitude: Decimal | None = Field(None, ge=-90, le=90)
    longitude: Decimal | None = Field(None, ge=-180, le=180)
    neighbourhood_id: int | None = None
    grid_id: int | None = None
    citizen_name: str = Field("", max_length=50)
    citizen_phone: str = Field("", max_length=30)
    urgency: Literal[tuple(Urgency.values)] = Urgency.NORMAL
    hotline_number: str = Field("", max_length=40)


class CaseOut(Schema):
    id: int
    number: str
    source: str
    source_label: str
    hotline_number: str
    title: str
    content: str
    category_id: int | None
    category: str | None
    address: str
    neighbourhood: str | None
    grid: str | None
    citizen_name: str
    citizen_phone: str
    personal_data_masked: bool
    urgency: str
    state: str
    state_label: str
    version: int
    lead_department: str | None
    co_departments: list[str]
    registered_at: datetime
    dispatched_at: datetime | None
    signed_at: datetime | None
    first_contact_at: datetime | None
    handled_at: datetime | None
    closed_at: datetime | None
    sign_deadline: datetime | None
    first_contact_deadline: datetime | None
    handle_deadline: datetime | None
    is_overdue: bool
    urge_count: int
    chase_count: int
    reopen_count: int
    satisfaction: str
    master_number: str | None
    available_actions: list[str]


class EventOut(Schema):
    id: int
    action: str
    action_label: str
    actor: str
    at: datetime
    from_state: str
    to_state: str
    note: str
    payload: dict[str, Any]


class CasePage(Schema):
    count: int
    limit: int
    offset: int
    results: list[CaseOut]


class CaseListQuery(Schema):
    q: str = ""
    state: Literal[tuple(State.values)] | None = None
    source: Literal[tuple(Source.values)] | None = None
    category_id: int | None = None
    neighbourhood_id: int | None = None
    department_id: int | None = None
    overdue: bool = False
    registered_from: date | None = None
    registered_to: date | None = None
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000_000)


def _serialize(request: HttpRequest, case: Case, *, with_actions: bool = True, audit: bool = True) -> dict:
    # Lists are always masked; the detail shows what the role may see and audits it.
    person = selectors.case_personal_data(request.user, case, request=request) if audit else \
        selectors.masked_personal_data(case)
    co = [a.department.name for a in case.assignments.all() if a.active and a.role == "co"]
    return {
        "id": case.pk, "number": case.number, "source": case.source, "source_label": case.get_source_display(),
        "hotline_number": case.hotline_number, "title": person.title, "content": person.content,
        "category_id": case.category_id, "category": str(case.category) if case.category_id else None,
        "address": person.address, "neighbourhood": case.neighbourhood.name if case.neighbourhood_id else None,
        "grid": case.grid.name if case.grid_id else None,
        "citizen_name": person.citizen_name, "citizen_phone": person.citizen_phone,
        "personal_data_masked": person.masked, "urgency": case.urgency, "state": case.state,
        "state_label": case.get_state_display(), "version": case.version,
        "lead_department": case.lead_department.name if case.lead_department_id else None, "co_departments": co,
        **{f: getattr(case, f) for f in (
            "registered_at", "dispatched_at", "signed_at", "first_contact_at", "handled_at", "closed_at",
            "sign_deadline", "first_contact_deadline", "handle_deadline", "is_overdue", "urge_count", "chase_count",
            "reopen_count", "satisfaction")},
        "master_number": case.master.number if case.master_id else None,
        "available_actions": [t.action for t in selectors.case_available_actions(request.user, case)]
        if with_actions else [],
    }


def _get(model, pk: int | None, label: str):
    if pk is None:
        return None
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise ValidationFailed(f"{label}不存在", details={"field": f"{label}"})
    return obj


# --- list, create, detail ----------------------------------------------------------------------------


@router.get("", response=CasePage, summary="工单列表与检索")
def case_list(request: HttpRequest, filters: Query[CaseListQuery]):
    qs = selectors.case_list(
        request.user,
        selectors.CaseFilters(
            q=filters.q, state=filters.state or "", source=filters.source or "", category=filters.category_id,
            neighbourhood=filters.neighbourhood_id, department=filters.department_id, overdue=filters.overdue,
            registered_from=filters.registered_from, registered_to=filters.registered_to,
        ),
    ).prefetch_related("assignments__department")
    page = list(qs[filters.offset: filters.offset + filters.limit])
    return {
        "count": qs.count(), "limit": filters.limit, "offset": filters.offset,
        "results": [_serialize(request, c, with_actions=False, audit=False) for c in page],
    }


@router.post("", response={201: CaseOut, 200: CaseOut}, summary="受理:新建工单(支持 Idempotency-Key)")
def case_create(
    request: HttpRequest, payload: CaseIn, idempotency_key: str | None = Header(None, alias="Idempotency-Key")
):
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= 100:
        raise ValidationFailed("Idempotency-Key 长度须为 1–100 个字符", details={"field": "Idempotency-Key"})
    category = _get(Category, payload.category_id, "类别")
    replayed = bool(idempotency_key) and IdempotencyKey.objects.filter(user=request.user, key=idempotency_key).exists()
    case = services.case_register(
        actor=request.user, source=payload.source, title=payload.title, content=payload.content, category=category,
        address=payload.address, latitude=payload.latitude, longitude=payload.longitude,
        neighbourhood=_get(Neighbourhood, payload.neighbourhood_id, "居民区"), grid=_get(Grid, payload.grid_id, "网格"),
        citizen_name=payload.citizen_name, citizen_phone=payload.citizen_phone, urgency=payload.urgency,
        hotline_number=payload.hotline_number, idempotency_key=idempotency_key,
    )
    return Status(200 if replayed else 201, _serialize(request, case))


@router.get("/{case_id}", response=CaseOut, summary="工单详情(按角色脱敏,查看明文个人信息会记入审计)")
def case_detail(request: HttpRequest, case_id: str):
    return _serialize(request, selectors.case_get(request.user, case_id))


@router.get("/{case_id}/events", response=list[EventOut], summary="工单时间线")
def case_events(request: HttpRequest, case_id: str):
    case = selectors.case_get(request.user, case_id)
    # Note and payload masked by the one CaseMasker; an unmasked timeline with personal data is audited per request.
    return [
        {"id": e.pk, "action": e.action,
         "action_label": TRANSITIONS[e.action].label if e.action in TRANSITIONS else e.action,
         "actor": str(e.actor), "at": e.at, "from_state": e.from_state, "to_state": e.to_state, "note": e.note,
         "payload": e.payload}
        for e in selectors.case_events(request.user, case, request=request)
    ]


class UnmaskIn(Schema):
    reason: str = Field(..., description="查看理由(至少4个字),连同本次查看记入审计日志")


class PersonalDataOut(Schema):
    citizen_name: str
    citizen_phone: str
    address: str
    title: str
    content: str


@router.post("/{case_id}/unmask", response=PersonalDataOut, summary="查看诉求人完整信息(须填写理由,记入审计)")
def case_unmask(request: HttpRequest, case_id: str, payload: UnmaskIn):
    from privacy.services import case_unmask as unmask

    person = unmask(actor=request.user, case=selectors.case_get(request.user, case_id), reason=payload.reason,
                    request=request)
    return {"citizen_name": person.citizen_name, "citizen_phone": person.citizen_phone, "address": person.address,
            "title": person.title, "content": person.content}


# --- one endpoint per action ---------------------------------------------------------------------------


class Versioned(Schema):
    version: int | None = Field(None, description="乐观锁:传入读取时的 version,若已被他人更新则返回 409")


class DispatchIn(Versioned):
    lead_department_id: int
    co_department_ids: list[int] = []
    category_id: int | None = None
    note: str = ""


class NoteIn(Schema):
    note: str = ""


class ReasonIn(Schema):
    reason: str = ""


class FirstContactIn(Schema):
    method: Literal[tuple(services.CONTACT_METHODS)]
    outcome: str
    contacted_at: datetime | None = None


class ExtensionIn(Schema):
    reason: str
    extra_days: int = Field(..., ge=1, le=60)


class FinishIn(Schema):
    result: str
    demand_met: bool = True
    explanation: str = ""


class CallbackIn(Schema):
    satisfaction: Literal["satisfied", "basically", "unsatisfied"]
    solved: bool
    first_contacted: bool
    remarks: str = ""


class ReopenIn(Schema):
    reason: str
    lead_department_id: int | None = None
    co_department_ids: list[int] = []


class ChaseIn(Schema):
    note: str = ""
    hotline_number: str = ""


class MergeIn(Schema):
    master: str = Field(..., description="主工单的编号或 id")
    note: str = ""


class VerifyIn(Schema):
    fixed: bool = False
    note: str


class SuspendIn(Schema):
    plan: str
    review_date: date


def _departments(ids: list[int]) -> list[Department]:
    found = list(Department.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise ValidationFailed("协办单位不存在", details={"field": "co_department_ids"})
    return found


def _master(request: HttpRequest, ref: str) -> Case:
    try:
        return selectors.case_get(request.user, ref)
    except NotFound:
        raise ValidationFailed("主工单不存在", details={"field": "master"}) from None


ACTION_ENDPOINTS: dict[str, tuple[str, type[Schema], Callable[..., Any]]] = {
    # action: (path, body schema, call(request, case, body))
    "dispatch": ("dispatch", DispatchIn, lambda r, c, b: services.case_dispatch(
        actor=r.user, case=c, lead_department=_get(Department, b.lead_department_id, "主办单位"),
        co_departments=_departments(b.co_department_ids), category=_get(Category, b.category_id, "类别"),
        note=b.note, expected_version=b.version)),
    "sign": ("sign", NoteIn, lambda r, c, b: services.case_sign(actor=r.user, case=c, note=b.note)),
    "request_return": ("return-request", ReasonIn,
                       lambda r, c, b: services.case_request_return(actor=r.user, case=c, reason=b.reason)),
    "approve_return": ("return-approve", ReasonIn,
                       lambda r, c, b: services.case_approve_return(actor=r.user, case=c, reason=b.reason)),
    "reject_return": ("return-reject", ReasonIn,
                      lambda r, c, b: services.case_reject_return(actor=r.user, case=c, reason=b.reason)),
    "record_first_contact": ("first-contact", FirstContactIn, lambda r, c, b: services.case_record_first_contact(
        actor=r.user, case=c, method=b.method, outcome=b.outcome, contacted_at=b.contacted_at)),
    "add_progress": ("progress", NoteIn, lambda r, c, b: services.case_add_progress(actor=r.user, case=c, note=b.note)),
    "co_report": ("co-report", NoteIn, lambda r, c, b: services.case_co_report(actor=r.user, case=c, report=b.note)),
    "request_extension": ("extension-request", ExtensionIn, lambda r, c, b: services.case_request_extension(
        actor=r.user, case=c, reason=b.reason, extra_days=b.extra_days)),
    "approve_extension": ("extension-approve", ReasonIn,
                          lambda r, c, b: services.case_approve_extension(actor=r.user, case=c, reason=b.reason)),
    "reject_extension": ("extension-reject", ReasonIn,
                         lambda r, c, b: services.case_reject_extension(actor=r.user, case=c, reason=b.reason)),
    "finish": ("finish", FinishIn, lambda r, c, b: services.case_finish(
        actor=r.user, case=c, result=b.result, demand_met=b.demand_met, explanation=b.explanation)),
    "callback": ("callback", CallbackIn, lambda r, c, b: services.case_callback(
        actor=r.user, case=c, satisfaction=b.satisfaction, solved=b.solved, first_contacted=b.first_contacted,
        remarks=b.remarks)),
    "reopen": ("reopen", ReopenIn, lambda r, c, b: services.case_reopen(
        actor=r.user, case=c, reason=b.reason, lead_department=_get(Department, b.lead_department_id, "主办单位"),
        co_departments=_departments(b.co_department_ids))),
    "close": ("close", ReasonIn, lambda r, c, b: services.case_close(actor=r.user, case=c, reason=b.reason)),
    "urge": ("urge", NoteIn, lambda r, c, b: services.case_urge(actor=r.user, case=c, note=b.note)),
    "respond_urge": ("urge-response", NoteIn,
                     lambda r, c, b: services.case_respond_urge(actor=r.user, case=c, note=b.note)),
    "chase": ("chase", ChaseIn, lambda r, c, b: services.case_chase(
        actor=r.user, case=c, note=b.note, hotline_number=b.hotline_number)),
    "merge": ("merge", MergeIn, lambda r, c, b: services.case_merge(
        actor=r.user, case=c, master=_master(r, b.master), note=b.note)),
    "suspend": ("suspend", SuspendIn, lambda r, c, b: services.case_suspend(
        actor=r.user, case=c, plan=b.plan, review_date=b.review_date)),
    "resume": ("resume", NoteIn, lambda r, c, b: services.case_resume(actor=r.user, case=c, note=b.note)),
    "verify": ("verify", VerifyIn,
               lambda r, c, b: services.case_verify(actor=r.user, case=c, fixed=b.fixed, note=b.note)),
}


def _add_action_endpoint(action: str, path: str, schema: type[Schema], call: Callable[..., Any]) -> None:
    transition = TRANSITIONS[action]

    def endpoint(request: HttpRequest, case_id: str, payload: schema):  # type: ignore[valid-type]
        case = selectors.case_get(request.user, case_id)
        call(request, case, payload)
        return _serialize(request, selectors.case_get(request.user, case.pk))

    endpoint.__name__ = f"case_{action}"
    # The body schema differs per action; annotations are strings here, so set the real class.
    endpoint.__annotations__ = {"request": HttpRequest, "case_id": str, "payload": schema}
    roles = "、".join(sorted(transition.roles))
    router.post(
        f"/{{case_id}}/{path}", response=CaseOut, operation_id=f"case_{action}",
        summary=f"{transition.label}", description=f"允许角色:{roles}。状态不允许时返回 409。",
    )(endpoint)


for _action, (_path, _schema, _call) in ACTION_ENDPOINTS.items():
    _add_action_endpoint(_action, _path, _schema, _call)


# --- attachments ---------------------------------------------------------------------------------------


class AttachmentOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int
    uploaded_at: datetime
    event_id: int | None


@router.post("/{case_id}/attachments", response={201: AttachmentOut}, summary="上传附件(JPG/PNG/GIF/WEBP/PDF,≤10MB)")
def attachment_upload(request: HttpRequest, case_id: str, file: UploadedFile = File(...), note: str = Form("")):
    case = selectors.case_get(request.user, case_id)
    return Status(201, services.case_attach(actor=request.user, case=case, upload=file, note=note))


@router.get("/{case_id}/attachments", response=list[AttachmentOut], summary="附件列表")
def attachment_list(request: HttpRequest, case_id: str):
    return selectors.case_attachments(request.user, selectors.case_get(request.user, case_id))


@router.get("/{case_id}/attachments/{attachment_id}", summary="下载附件", response={200: None})
def attachment_download(request: HttpRequest, case_id: str, attachment_id: int):
    attachment = selectors.case_attachment(request.user, case_id, attachment_id)
    return attachment_response(attachment)
