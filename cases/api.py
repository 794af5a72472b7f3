"""Cases API endpoints: list/search, create (idempotent), detail, timeline, attachments, and one endpoint per entry
of the action registry (cases/actions.py). The bodies are in cases/schemas.py."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import File, Form, Header, Query, Router, Status
from ninja.files import UploadedFile

from core.errors import ValidationFailed
from org.models import Category, Grid, Neighbourhood

from . import selectors, services
from .actions import ACTIONS, Action, lookup
from .downloads import attachment_response
from .models import Case, IdempotencyKey
from .schemas import AttachmentOut, CaseIn, CaseListQuery, CaseOut, CasePage, EventOut
from .transitions import TRANSITIONS

router = Router(tags=["工单"])


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
    category = lookup(Category, payload.category_id, "类别")
    replayed = bool(idempotency_key) and IdempotencyKey.objects.filter(user=request.user, key=idempotency_key).exists()
    case = services.case_register(
        actor=request.user, source=payload.source, title=payload.title, content=payload.content, category=category,
        address=payload.address, latitude=payload.latitude, longitude=payload.longitude,
        neighbourhood=lookup(Neighbourhood, payload.neighbourhood_id, "居民区"), grid=lookup(Grid, payload.grid_id, "网格"),
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


# --- one endpoint per action ---------------------------------------------------------------------------


def _add_action_endpoint(entry: Action) -> None:
    transition = TRANSITIONS[entry.action]
    schema = entry.schema

    def endpoint(request: HttpRequest, case_id: str, payload: schema):  # type: ignore[valid-type]
        case = selectors.case_get(request.user, case_id)
        entry.run(request, case, payload)
        return _serialize(request, selectors.case_get(request.user, case.pk))

    endpoint.__name__ = f"case_{entry.action}"
    # The body schema differs per action; annotations are strings here, so set the real class.
    endpoint.__annotations__ = {"request": HttpRequest, "case_id": str, "payload": schema}
    roles = "、".join(sorted(transition.roles))
    router.post(
        f"/{{case_id}}/{entry.path}", response=CaseOut, operation_id=f"case_{entry.action}",
        summary=f"{transition.label}", description=f"允许角色:{roles}。状态不允许时返回 409。",
    )(endpoint)


for _entry in ACTIONS.values():
    _add_action_endpoint(_entry)


# --- attachments ---------------------------------------------------------------------------------------


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
