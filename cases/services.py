"""Every operation on a case, one function per verb. Each runs in one transaction, checks the transition
table, the actor's role and scope, changes the case and writes its append-only CaseEvent."""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from chengyun import clock
from chengyun.errors import Conflict, PermissionDenied, TransitionNotAllowed, ValidationFailed
from org.models import Category, Department, Grid, Neighbourhood, Role, User
from org.selectors import Gazetteer
from workdays.calendar import add_working_days, add_working_hours, working_hours_between

from . import bulk, policy, uploads
from .models import (
    OPEN_STATES,
    Assignment,
    Attachment,
    Case,
    CaseCounter,
    CaseEvent,
    IdempotencyKey,
    Request,
    Satisfaction,
    Source,
    State,
    Urgency,
)
from .transitions import TRANSITIONS, Transition

logger = logging.getLogger(__name__)
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# Enum .values rebuilds its list on every call; a bulk import checks these once per row.
SOURCE_VALUES, URGENCY_VALUES = frozenset(Source.values), frozenset(Urgency.values)
LANDLINE_RE = re.compile(r"^(0\d{2,3}-?)?[2-9]\d{6,7}(-\d{1,6})?$")


# --- the one path every change goes through ---------------------------------------------------------


def _check_actor(actor: User, transition: Transition, state: str) -> None:
    if actor.role not in transition.roles:
        raise PermissionDenied(f"您的角色({actor.get_role_display()})不能{transition.label}")
    if state not in transition.sources:
        label = State(state).label if state else "新建"
        raise TransitionNotAllowed(
            f"工单当前状态为「{label}」,不能{transition.label}", details={"state": state, "action": transition.action}
        )


def _perform(
    *,
    actor: User,
    case: Case,
    action: str,
    note: str = "",
    payload: dict[str, Any] | None = None,
    change: Callable[[Case], None] | None = None,
    expected_version: int | None = None,
) -> CaseEvent:
    """Lock the case, check the table, apply `change`, bump the version and append the event."""
    transition = TRANSITIONS[action]
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if expected_version is not None and locked.version != expected_version:
            raise Conflict("工单已被他人更新,请刷新后重试", details={"version": locked.version})
        _check_actor(actor, transition, locked.state)
        policy.check_scope(actor, locked, transition)
        from_state = locked.state
        before = {f.attname: getattr(locked, f.attname) for f in Case._meta.concrete_fields}
        if change is not None:
            change(locked)
        locked.state = transition.target(from_state)
        # Optimistic check on top of the row lock: SQLite ignores SELECT … FOR UPDATE.
        fields = _changed_fields(case_before=before, case_after=locked)
        updated = Case.objects.filter(pk=locked.pk, version=locked.version).update(version=F("version") + 1, **fields)
        if updated != 1:
            raise Conflict("工单已被他人更新,请刷新后重试")
        locked.version += 1
        event = CaseEvent.objects.create(
            case=locked,
            action=action,
            actor=actor,
            at=clock.now(),
            from_state=from_state,
            to_state=locked.state,
            note=note,
            payload=payload or {},
        )
    _refresh(case, locked)
    return event


def _changed_fields(*, case_before: dict, case_after: Case) -> dict[str, Any]:
    changed = {}
    for field in Case._meta.concrete_fields:
        if field.primary_key or field.attname == "version":
            continue
        value = getattr(case_after, field.attname)
        if case_before[field.attname] != value:
            changed[field.attname] = value
    return changed


def _refresh(target: Case, source: Case) -> None:
    for field in Case._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    # Cached relations may be stale after the change.
    target._state.fields_cache.clear()


def _require(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(f"请填写{what}", details={"field": what})
    return text


def _iso(moment: datetime | None) -> str | None:
    # Local (Asia/Shanghai) time with its offset: events are read by people, and the offset keeps it exact.
    return timezone.localtime(moment).isoformat() if moment else None


# --- 受理 ---------------------------------------------------------------------------------------------


PHONE_NOISE_RE = re.compile(r"[\s()()]")


def validate_phone(phone: str) -> str:
    compact = PHONE_NOISE_RE.sub("", phone or "")
    if compact.startswith("+86"):
        compact = compact[3:]
    if compact and not (MOBILE_RE.match(compact) or LANDLINE_RE.match(compact)):
        raise ValidationFailed("联系电话格式不正确:请填写11位手机号或固定电话(如 021-62481234)",
                               details={"field": "citizen_phone"})
    return compact


def _next_case_numbers(moment: datetime, count: int) -> list[str]:
    """`count` consecutive numbers of the moment's year, reserved under the counter's row lock."""
    from django.conf import settings

    year = timezone.localtime(moment).year
    CaseCounter.objects.get_or_create(year=year)
    counter = CaseCounter.objects.select_for_update().get(year=year)
    first = counter.last + 1
    counter.last += count
    counter.save(update_fields=["last"])
    return [f"{settings.CASE_NUMBER_PREFIX}-{year}-{n:06d}" for n in range(first, first + count)]


def _case_values(
    *, actor: User, source: str, title: str, content: str, category: Category | None = None, address: str = "",
    latitude: Decimal | None = None, longitude: Decimal | None = None, neighbourhood: Neighbourhood | None = None,
    grid: Grid | None = None, citizen_name: str = "", citizen_phone: str = "", urgency: str = Urgency.NORMAL,
    hotline_number: str = "", registered_at: datetime, gazetteer: Gazetteer | None = None,
) -> dict[str, Any]:
    """The validated, placed fields of a new case: what 受理 checks, shared by single and bulk registration."""
    if source not in SOURCE_VALUES:
        raise ValidationFailed("来源不正确", details={"field": "source"})
    if urgency not in URGENCY_VALUES:
        raise ValidationFailed("紧急程度不正确", details={"field": "urgency"})
    content = _require(content, "诉求内容")
    title = (title or "").strip() or content[:30]
    if len(title) > 120:
        raise ValidationFailed("标题不能超过120个字", details={"field": "title"})
    if source == Source.HOTLINE and not (hotline_number or "").strip():
        raise ValidationFailed("12345热线工单须填写热线工单号", details={"field": "hotline_number"})
    if category is not None and not category.is_leaf:
        raise ValidationFailed("请选择小类,不能只选大类", details={"field": "category"})
    if (latitude is None) != (longitude is None):
        raise ValidationFailed("经纬度须同时填写", details={"field": "latitude"})
    phone = validate_phone(citizen_phone)
    estate = None
    if address and neighbourhood is None:
        place = (gazetteer or Gazetteer.load()).lookup(address)
        if place:
            estate, neighbourhood, grid = place.estate, place.neighbourhood, grid or place.grid
    if actor.role == Role.GRID and grid is None:
        grid = actor.grid
    # After the 网格员's default grid, so a patrol report at an unknown address still gets its 居民区.
    if grid is not None and neighbourhood is None:
        neighbourhood = grid.neighbourhood
    return dict(
        source=source, hotline_number=(hotline_number or "").strip(), title=title, content=content,
        category=category, address=(address or "").strip(), latitude=latitude, longitude=longitude,
        neighbourhood=neighbourhood, estate=estate, grid=grid, citizen_name=(citizen_name or "").strip(),
        citizen_phone=phone, urgency=urgency, state=State.REGISTERED, registered_at=registered_at, created_by=actor,
    )


def _new_case(**fields: Any) -> Case:
    """A validated, placed, unsaved case."""
    return Case(**_case_values(**fields))


def _register_event(case: Case, actor: User) -> CaseEvent:
    return CaseEvent(case=case, action="register", actor=actor, at=case.registered_at, from_state="",
                     to_state=State.REGISTERED,
                     payload={"source": case.source, "place_found": case.neighbourhood_id is not None})


def case_register(*, actor: User, idempotency_key: str | None = None, **fields: Any) -> Case:
    """受理: a new case from any source (fields as in `_new_case`). With an idempotency key a retry returns the
    first case."""
    _check_actor(actor, TRANSITIONS["register"], "")
    if idempotency_key:
        existing = IdempotencyKey.objects.filter(user=actor, key=idempotency_key).select_related("case").first()
        if existing:
            existing.case.idempotent_replay = True  # the caller must not repeat what followed the first time
            return existing.case
    now = clock.now()
    case = _new_case(actor=actor, registered_at=now, **fields)
    try:
        with transaction.atomic():
            case.number = _next_case_numbers(now, 1)[0]
            case.save(force_insert=True)
            if idempotency_key:
                IdempotencyKey.objects.create(user=actor, key=idempotency_key, case=case)
            _register_event(case, actor).save(force_insert=True)
    except IntegrityError:
        # A concurrent retry with the same key won the race: answer with its case.
        existing = IdempotencyKey.objects.filter(user=actor, key=idempotency_key).select_related("case").first()
        if idempotency_key and existing:
            existing.case.idempotent_replay = True
            return existing.case
        raise
    return case


def case_register_bulk(*, actor: User, rows: list[dict[str, Any]], gazetteer: Gazetteer | None = None,
                       ) -> tuple[list[bulk.Registered], list[tuple[int, str]]]:
    """受理 many cases at once (hotline imports): the same checks and the same register event per case, written
    in bulk (COPY on PostgreSQL). Returns what was registered and (row index, reason) for each row refused; refused
    rows write nothing. Runs inside the caller's transaction."""
    accepted, refused = case_values_bulk(actor=actor, rows=rows, gazetteer=gazetteer or Gazetteer.load())
    return case_register_validated(actor=actor, accepted=[values for _, values in accepted]), refused


def case_values_bulk(*, actor: User, rows: list[dict[str, Any]], gazetteer: Gazetteer, now: datetime | None = None,
                     ) -> tuple[list[tuple[int, dict[str, Any]]], list[tuple[int, str]]]:
    """The checking half of bulk 受理: (row index, validated values) per accepted row and (row index, reason) per
    refused one, through `_case_values` like a single 受理. No database access (the gazetteer is loaded and the
    actor's grid fetched beforehand), so an import can run it in a thread beside the writes of the previous batch."""
    _check_actor(actor, TRANSITIONS["register"], "")
    now = now or clock.now()
    accepted: list[tuple[int, dict[str, Any]]] = []
    refused: list[tuple[int, str]] = []
    for index, fields in enumerate(rows):
        try:
            accepted.append((index, _case_values(actor=actor, gazetteer=gazetteer, **{"registered_at": now, **fields})))
        except ValidationFailed as exc:
            refused.append((index, exc.message))
    return accepted, refused


def case_register_validated(*, actor: User, accepted: list[dict[str, Any]],
                            copy_texts: list[tuple[str, str]] | None = None) -> list[bulk.Registered]:
    """The writing half of bulk 受理: numbers (per registration year, under the counter's row lock) for the values
    not numbered yet (see case_numbers_reserve), and one bulk insert of the cases and their register events, for
    values from `case_values_bulk` (and, on PostgreSQL, optionally their `bulk.copy_text`, built ahead). Inside
    the caller's transaction."""
    _check_actor(actor, TRANSITIONS["register"], "")
    if not accepted:
        return []
    _assign_case_numbers([values for values in accepted if "number" not in values])
    return bulk.cases_insert(accepted, actor=actor, copy_texts=copy_texts)


def case_numbers_reserve(*, actor: User, accepted: list[dict[str, Any]]) -> None:
    """Numbers for these validated values, taken now in a transaction of their own (called outside any), so a bulk
    write that follows in another transaction does not hold the counter's lock until it commits: imports write
    batches side by side on several connections. The price: if that write fails, its numbers stay unused."""
    _check_actor(actor, TRANSITIONS["register"], "")
    with transaction.atomic():
        # Not waiting for the WAL flush is safe here: the log is one sequence, so a crash that loses this commit
        # loses every later one too, the bulk write of these numbers included; numbers are never given twice.
        bulk.relax_commit_durability()
        _assign_case_numbers(accepted)


def _assign_case_numbers(accepted: list[dict[str, Any]]) -> None:
    # Numbers follow the registration year of each case, taken in blocks per year.
    tz = timezone.get_current_timezone()
    by_year: dict[int, list[dict[str, Any]]] = {}
    for values in accepted:
        by_year.setdefault(values["registered_at"].astimezone(tz).year, []).append(values)
    for group in by_year.values():
        for values, number in zip(group, _next_case_numbers(group[0]["registered_at"], len(group)), strict=True):
            values["number"] = number


# --- 派单, 签收, 退单 ----------------------------------------------------------------------------------


def _set_deadlines(case: Case, now: datetime) -> None:
    category = case.category
    case.dispatched_at = now
    case.sign_deadline = add_working_hours(now, category.sign_hours)
    urgent = case.urgency == Urgency.URGENT
    contact_hours = category.urgent_first_contact_hours if urgent else category.first_contact_hours
    case.first_contact_deadline = add_working_hours(now, contact_hours)
    case.handle_deadline = add_working_days(now, category.handle_days)
    case.signed_at = case.first_contact_at = case.handled_at = None
    case.handling_hours = None
    case.is_overdue = False
    case.sign_escalated = False


def _assign(case: Case, lead: Department, co_departments: Iterable[Department], now: datetime) -> list[str]:
    Assignment.objects.filter(case=case, active=True).update(active=False)
    Assignment.objects.create(case=case, department=lead, role=Assignment.Role.LEAD, assigned_at=now)
    names = []
    for department in co_departments:
        Assignment.objects.create(case=case, department=department, role=Assignment.Role.CO, assigned_at=now)
        names.append(department.name)
    case.lead_department = lead
    return names


def _validate_departments(lead: Department | None, co_departments: Iterable[Department]) -> list[Department]:
    if lead is None:
        raise ValidationFailed("请选择主办单位", details={"field": "lead_department"})
    co = list({d.pk: d for d in co_departments}.values())
    for department in [lead, *co]:
        if not department.is_active:
            raise ValidationFailed(f"单位「{department.name}」已停用,不能派单", details={"field": "lead_department"})
    if any(d.pk == lead.pk for d in co):
        raise ValidationFailed("主办单位不能同时作为协办单位", details={"field": "co_departments"})
    return co


def case_dispatch(
    *,
    actor: User,
    case: Case,
    lead_department: Department | None,
    co_departments: Iterable[Department] = (),
    category: Category | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Case:
    """派单: to one lead department (+ co-handlers); deadlines come from the category's SLA in working time."""
    co = _validate_departments(lead_department, co_departments)
    if category is not None and not category.is_leaf:
        raise ValidationFailed("请选择小类,不能只选大类", details={"field": "category"})
    now = clock.now()
    payload: dict[str, Any] = {}

    def change(c: Case) -> None:
        if category is not None:
            c.category = category
        if c.category is None:
            raise ValidationFailed("派单前请先确定工单类别", details={"field": "category"})
        payload["co_departments"] = _assign(c, lead_department, co, now)
        _set_deadlines(c, now)
        payload.update(
            lead_department=lead_department.name,
            category=str(c.category),
            handle_deadline=_iso(c.handle_deadline),
            sign_deadline=_iso(c.sign_deadline),
        )

    _perform(actor=actor, case=case, action="dispatch", note=note, payload=payload, change=change,
             expected_version=expected_version)
    return case


def case_sign(*, actor: User, case: Case, note: str = "") -> Case:
    """签收: the lead department accepts the case."""

    def change(c: Case) -> None:
        c.signed_at = clock.now()

    _perform(actor=actor, case=case, action="sign", note=note, change=change,
             payload={"on_time": _on_time(case.sign_deadline)})
    return case


def _on_time(deadline: datetime | None) -> bool | None:
    return None if deadline is None else clock.now() <= deadline


def case_request_return(*, actor: User, case: Case, reason: str) -> Request:
    """退单申请: a department may not refuse silently; it asks the centre with a reason."""
    reason = _require(reason, "退单理由")
    created: list[Request] = []

    def change(c: Case) -> None:
        created.append(
            Request.objects.create(
                case=c, kind=Request.Kind.RETURN, reason=reason, department=actor.department,
                requested_by=actor, requested_at=clock.now(),
            )
        )

    _perform(actor=actor, case=case, action="request_return", note=reason, change=change)
    return created[0]


def _decide(
    *, actor: User, case: Case, kind: str, approve: bool, reason: str, action: str,
    extra: Callable[[Case, Request], dict | None] | None = None,
) -> Request:
    decided: list[Request] = []
    payload: dict[str, Any] = {"kind": kind}

    def change(c: Case) -> None:
        request = Request.objects.select_for_update().filter(case=c, kind=kind, status=Request.Status.PENDING).first()
        if request is None:
            raise TransitionNotAllowed("该工单没有待审核的申请", code="no_pending_request")
        request.status = Request.Status.APPROVED if approve else Request.Status.REJECTED
        request.decided_by, request.decided_at, request.decision_reason = actor, clock.now(), reason
        request.save()
        payload["request_reason"] = request.reason
        if extra:
            payload.update(extra(c, request) or {})
        decided.append(request)

    _perform(actor=actor, case=case, action=action, note=reason, change=change, payload=payload)
    return decided[0]


def case_approve_return(*, actor: User, case: Case, reason: str = "") -> Request:
    """同意退单: the case goes back to the dispatcher's queue for re-dispatch."""

    def extra(c: Case, request: Request) -> dict:
        returned_by = c.lead_department.name if c.lead_department_id else ""
        Assignment.objects.filter(case=c, active=True).update(active=False)
        c.lead_department = None
        c.return_count += 1
        c.sign_deadline = c.first_contact_deadline = c.handle_deadline = None
        return {"returned_by": returned_by}

    return _decide(actor=actor, case=case, kind=Request.Kind.RETURN, approve=True, reason=reason,
                   action="approve_return", extra=extra)


def case_reject_return(*, actor: User, case: Case, reason: str) -> Request:
    """驳回退单: the department keeps the case and must sign it."""
    reason = _require(reason, "驳回理由")
    return _decide(actor=actor, case=case, kind=Request.Kind.RETURN, approve=False, reason=reason,
                   action="reject_return")


# --- 先联, 处置, 延期, 办结 -----------------------------------------------------------------------------


CONTACT_METHODS = {"phone": "电话", "visit": "上门", "sms": "短信", "wechat": "微信", "other": "其他"}


def case_record_first_contact(
    *, actor: User, case: Case, method: str, outcome: str, contacted_at: datetime | None = None
) -> Case:
    """先联: the handler contacted the citizen before acting. A second one (双先联) is recorded too."""
    if method not in CONTACT_METHODS:
        raise ValidationFailed("请选择联系方式", details={"field": "method"})
    outcome = _require(outcome, "联系情况")
    moment = contacted_at or clock.now()
    if timezone.is_naive(moment):  # a web form's datetime-local has no offset: it is Shanghai time (TIME_ZONE)
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    if moment > clock.now():
        raise ValidationFailed("联系时间不能晚于当前时间", details={"field": "contacted_at"})
    payload = {"method": method, "contacted_at": _iso(moment)}

    def change(c: Case) -> None:
        # Any 先联 of this round, 双先联 included: the department cannot have contacted for a case not yet sent.
        if c.dispatched_at and moment < c.dispatched_at:
            raise ValidationFailed("联系时间不能早于派单时间", details={"field": "contacted_at"})
        if c.first_contact_at is None:
            if c.signed_at and moment < c.signed_at:
                raise ValidationFailed("联系时间不能早于签收时间", details={"field": "contacted_at"})
            c.first_contact_at = moment
            payload["on_time"] = c.first_contact_deadline is None or moment <= c.first_contact_deadline

    _perform(actor=actor, case=case, action="record_first_contact", note=outcome, payload=payload, change=change)
    return case


def case_add_progress(*, actor: User, case: Case, note: str) -> CaseEvent:
    """处置进展: a progress note (photos are attached to the returned event)."""
    return _perform(actor=actor, case=case, action="add_progress", note=_require(note, "进展情况"),
                    payload={"department": actor.department.name if actor.department_id else ""})


def case_co_report(*, actor: User, case: Case, report: str) -> CaseEvent:
    """协办反馈: a co-handler reports on its share of a joint case."""
    report = _require(report, "协办反馈内容")

    def change(c: Case) -> None:
        Assignment.objects.filter(case=c, department=actor.department, active=True).update(
            report=report, reported_at=clock.now()
        )

    return _perform(actor=actor, case=case, action="co_report", note=report, change=change,
                    payload={"department": actor.department.name if actor.department_id else ""})


def case_request_extension(*, actor: User, case: Case, reason: str, extra_days: int) -> Request:
    """延期申请: more working days, with a reason; the deadline only moves on approval."""
    reason = _require(reason, "延期理由")
    if not isinstance(extra_days, int) or not 1 <= extra_days <= 60:
        raise ValidationFailed("延期天数须为 1 到 60 个工作日", details={"field": "extra_days"})
    created: list[Request] = []

    def change(c: Case) -> None:
        if Request.objects.filter(case=c, kind=Request.Kind.EXTENSION, status=Request.Status.PENDING).exists():
            raise Conflict("已有待审核的延期申请", code="request_pending")
        base = c.handle_deadline or clock.now()
        created.append(
            Request.objects.create(
                case=c, kind=Request.Kind.EXTENSION, reason=reason, department=actor.department,
                requested_by=actor, requested_at=clock.now(), requested_deadline=add_working_days(base, extra_days),
            )
        )

    _perform(actor=actor, case=case, action="request_extension", note=reason, change=change,
             payload={"extra_days": extra_days})
    return created[0]


def case_approve_extension(*, actor: User, case: Case, reason: str = "") -> Request:
    """同意延期: the handling deadline moves; the event keeps the old and the new one."""

    def extra(c: Case, request: Request) -> dict:
        old = c.handle_deadline
        c.handle_deadline = request.requested_deadline
        c.extension_count += 1
        c.is_overdue = c.handle_deadline < clock.now()
        return {"old_deadline": _iso(old), "new_deadline": _iso(c.handle_deadline)}

    return _decide(actor=actor, case=case, kind=Request.Kind.EXTENSION, approve=True, reason=reason,
                   action="approve_extension", extra=extra)


def case_reject_extension(*, actor: User, case: Case, reason: str) -> Request:
    reason = _require(reason, "驳回理由")
    return _decide(actor=actor, case=case, kind=Request.Kind.EXTENSION, approve=False, reason=reason,
                   action="reject_extension")


def case_finish(*, actor: User, case: Case, result: str, demand_met: bool = True, explanation: str = "") -> Case:
    """办结: the handler reports what was done; an unmet demand needs its explanation (非本辖区, 政策不支持…)."""
    result = _require(result, "办结情况")
    if not demand_met:
        explanation = _require(explanation, "诉求未能满足的原因")

    def change(c: Case) -> None:
        c.handled_at = clock.now()
        c.handling_result = result
        c.handling_hours = round(working_hours_between(c.dispatched_at, c.handled_at), 2) if c.dispatched_at else None

    _perform(actor=actor, case=case, action="finish", note=result, change=change,
             payload={"demand_met": demand_met, "explanation": explanation,
                      "on_time": _on_time(case.handle_deadline)})
    return case


# --- 回访, 重办, 结案 ---------------------------------------------------------------------------------


def case_callback(
    *, actor: User, case: Case, satisfaction: str, solved: bool, first_contacted: bool, remarks: str = ""
) -> Case:
    """回访: satisfaction, whether it was actually solved and whether the handler called first."""
    if satisfaction not in Satisfaction.values:
        raise ValidationFailed("请选择满意度", details={"field": "satisfaction"})
    if satisfaction == Satisfaction.UNSATISFIED:
        remarks = _require(remarks, "不满意原因")

    def change(c: Case) -> None:
        c.called_back_at = clock.now()
        c.satisfaction, c.solved, c.first_contact_confirmed = satisfaction, bool(solved), bool(first_contacted)

    _perform(actor=actor, case=case, action="callback", note=remarks, change=change,
             payload={"satisfaction": satisfaction, "solved": bool(solved), "first_contacted": bool(first_contacted)})
    return case


def case_reopen(
    *, actor: User, case: Case, reason: str, lead_department: Department | None = None,
    co_departments: Iterable[Department] = (),
) -> Case:
    """重办: after 不满意, back to the same or another department with the callback's remarks and fresh deadlines."""
    reason = _require(reason, "重办理由")
    now = clock.now()
    payload: dict[str, Any] = {}

    def change(c: Case) -> None:
        if c.satisfaction != Satisfaction.UNSATISFIED:
            raise TransitionNotAllowed("只有回访不满意的工单可以重办", code="reopen_needs_unsatisfied")
        lead = lead_department or c.lead_department
        co = _validate_departments(lead, co_departments)
        payload["co_departments"] = _assign(c, lead, co, now)
        payload["lead_department"] = lead.name
        payload["previous_satisfaction"] = c.satisfaction
        _set_deadlines(c, now)
        payload["handle_deadline"] = _iso(c.handle_deadline)
        c.reopen_count += 1
        c.satisfaction, c.solved, c.first_contact_confirmed, c.called_back_at = "", None, None, None

    _perform(actor=actor, case=case, action="reopen", note=reason, change=change, payload=payload)
    return case


def case_close(*, actor: User, case: Case, reason: str = "") -> Case:
    """结案. Closing over a 不满意 callback needs the documented reason; merged duplicates are informed."""
    payload: dict[str, Any] = {}

    def change(c: Case) -> None:
        if c.satisfaction == Satisfaction.UNSATISFIED:
            _require(reason, "不满意件结案说明")
        c.closed_at = clock.now()
        payload["informed_duplicates"] = list(c.duplicates.values_list("number", flat=True))
        payload["satisfaction"] = c.satisfaction

    _perform(actor=actor, case=case, action="close", note=reason, change=change, payload=payload)
    return case


# --- 附件 ------------------------------------------------------------------------------------------

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# Types are decided by content, not by the name or the browser's claim.
ATTACHMENT_SIGNATURES = {
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", ".png"),
    b"%PDF-": ("application/pdf", ".pdf"),
    b"GIF87a": ("image/gif", ".gif"),
    b"GIF89a": ("image/gif", ".gif"),
}


def sniff_attachment(head: bytes) -> tuple[str, str]:
    for signature, kind in ATTACHMENT_SIGNATURES.items():
        if head.startswith(signature):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", ".webp"
    raise ValidationFailed("附件只支持 JPG、PNG、GIF、WEBP 图片和 PDF 文件", details={"field": "file"})


def case_attach(*, actor: User, case: Case, upload, note: str = "") -> Attachment:
    """上传附件: a photo or PDF on the case, recorded as its own event."""
    size = getattr(upload, "size", None) or 0
    if size <= 0:
        raise ValidationFailed("附件为空", details={"field": "file"})
    if size > MAX_ATTACHMENT_BYTES:
        raise ValidationFailed("附件不能超过 10 MB", details={"field": "file"})
    data = upload.read(MAX_ATTACHMENT_BYTES + 1)
    upload.seek(0)
    content_type, extension = sniff_attachment(data[:16])
    # What is stored is what the content check produced: images re-encoded, PDFs checked (cases/uploads.py).
    if content_type.startswith("image/"):
        stored, content_type, extension = uploads.image_reencode(data, content_type)
    else:
        uploads.pdf_check(data)
        stored = upload
    size = stored.size
    original = (getattr(upload, "name", "") or "附件")[-200:]
    with transaction.atomic():
        event = _perform(actor=actor, case=case, action="attach", note=note,
                         payload={"name": original, "content_type": content_type, "size": size})
        attachment = Attachment(case_id=case.pk, event=event, original_name=original, content_type=content_type,
                                size=size, uploaded_by=actor, uploaded_at=event.at)
        # Stored under a random name with the sniffed extension, never the uploader's.
        attachment.file.save(f"{secrets.token_hex(12)}{extension}", stored, save=False)
        attachment.save()
    return attachment


# --- 督办, 催单, 合并, 挂账, 超时 --------------------------------------------------------------------


def case_urge(*, actor: User, case: Case, note: str) -> Case:
    """督办: a leader or the centre presses a department; the department must respond."""
    note = _require(note, "督办要求")

    def change(c: Case) -> None:
        c.urge_count += 1

    _perform(actor=actor, case=case, action="urge", note=note, change=change)
    return case


def case_respond_urge(*, actor: User, case: Case, note: str) -> CaseEvent:
    note = _require(note, "督办回复")

    def change(c: Case) -> None:
        if c.urge_count == 0:
            raise TransitionNotAllowed("该工单没有督办,无需回复", code="no_urge")

    return _perform(actor=actor, case=case, action="respond_urge", note=note, change=change)


def case_chase(*, actor: User, case: Case, note: str = "", hotline_number: str = "") -> Case:
    """催单: the citizen chased again; counted and linked to the case."""

    def change(c: Case) -> None:
        c.chase_count += 1

    _perform(actor=actor, case=case, action="chase", note=note, change=change,
             payload={"hotline_number": hotline_number})
    return case


def case_merge(*, actor: User, case: Case, master: Case, note: str = "") -> Case:
    """合并重复件: the duplicate ends as 已合并 and points at its open master case."""
    if master.pk == case.pk:
        raise ValidationFailed("不能把工单合并到自身", details={"field": "master"})
    master = Case.objects.get(pk=master.pk)
    if master.state not in OPEN_STATES or master.master_id:
        raise ValidationFailed("主工单须为未结案且未被合并的工单", details={"field": "master"})

    def change(c: Case) -> None:
        if c.duplicates.exists():
            raise ValidationFailed("该工单已有重复件并入,请把其他工单合并到它", details={"field": "master"})
        c.master = master
        c.closed_at = clock.now()
        Assignment.objects.filter(case=c, active=True).update(active=False)
        Request.objects.filter(case=c, status=Request.Status.PENDING).update(
            status=Request.Status.REJECTED, decided_by=actor, decided_at=clock.now(), decision_reason="工单已合并"
        )

    _perform(actor=actor, case=case, action="merge", note=note, change=change, payload={"master": master.number})
    return case


def case_suspend(*, actor: User, case: Case, plan: str, review_date: date) -> Case:
    """挂账: a long-term hard case with a plan and a review date."""
    plan = _require(plan, "挂账处置计划")
    # Today in Shanghai: clock.now() is UTC outside tests, and before 08:00 its date is still yesterday's.
    if review_date is None or review_date <= timezone.localdate(clock.now()):
        raise ValidationFailed("复查日期须晚于今天", details={"field": "review_date"})

    def change(c: Case) -> None:
        c.suspended_review_date = review_date

    _perform(actor=actor, case=case, action="suspend", note=plan, change=change,
             payload={"review_date": review_date.isoformat()})
    return case


def case_resume(*, actor: User, case: Case, note: str = "") -> Case:
    def change(c: Case) -> None:
        c.suspended_review_date = None

    _perform(actor=actor, case=case, action="resume", note=note, change=change)
    return case


def case_verify(*, actor: User, case: Case, fixed: bool, note: str) -> CaseEvent:
    """现场核查: a 网格员 or 居委干部 checks the fix on site; the callback operator sees the finding."""
    return _perform(actor=actor, case=case, action="verify", note=_require(note, "核查情况"),
                    payload={"fixed": bool(fixed)})


def case_record_sensor(*, actor: User, case: Case, alarm: bool, note: str, payload: dict[str, Any]) -> CaseEvent:
    """A monitored point alarmed again (appended, no new case) or went back to normal."""
    return _perform(actor=actor, case=case, action="sensor_alarm" if alarm else "sensor_normal", note=note,
                    payload=payload)


def case_mark_overdue(*, actor: User, case: Case) -> Case:
    def change(c: Case) -> None:
        if c.is_overdue:
            raise Conflict("工单已标记超时", code="already_overdue")
        c.is_overdue = True

    _perform(actor=actor, case=case, action="mark_overdue", change=change,
             payload={"handle_deadline": _iso(case.handle_deadline)})
    return case


# --- the periodic SLA job -------------------------------------------------------------------------


def sla_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """超时 for cases past their handling deadline; an automatic 督办 for cases left unsigned past their limit.

    Each case is handled in its own transaction so one failure never blocks the rest.
    """
    from django.conf import settings

    from org.services import system_user

    now = now or clock.now()
    system = system_user()
    counts = {"overdue": 0, "escalated": 0, "failed": 0}
    overdue = Case.objects.filter(
        state__in=[State.DISPATCHED, State.RETURN_REQUESTED, State.SIGNED, State.HANDLING],
        is_overdue=False, handle_deadline__lt=now,
    )
    with clock.frozen_at(now):
        for case in overdue.iterator():
            try:
                case_mark_overdue(actor=system, case=case)
                counts["overdue"] += 1
            except Conflict:
                continue
            except Exception:
                # One broken case must not leave the rest of the street unswept; it is retried next run.
                logger.exception("SLA sweep: marking case %s overdue failed", case.pk)
                counts["failed"] += 1
        grace = settings.UNSIGNED_ESCALATION_GRACE_HOURS
        for case in Case.objects.filter(state=State.DISPATCHED, sign_escalated=False, sign_deadline__lt=now).iterator():
            if grace and add_working_hours(case.sign_deadline, grace) > now:
                continue

            def change(c: Case) -> None:
                # Re-checked under the row lock: since the query the case may have been signed (urge is allowed
                # in every open state, so the table would not stop it) or escalated by a concurrent sweep.
                if c.state != State.DISPATCHED or c.sign_escalated:
                    raise Conflict("工单已签收或已自动督办", code="already_escalated")
                c.sign_escalated = True
                c.urge_count += 1

            try:
                _perform(actor=system, case=case, action="urge", change=change,
                         note=f"工单超过签收时限仍未签收,系统自动督办({case.lead_department})",
                         payload={"automatic": True, "reason": "unsigned", "sign_deadline": _iso(case.sign_deadline)})
            except Conflict:
                continue
            except Exception:
                logger.exception("SLA sweep: escalating unsigned case %s failed", case.pk)
                counts["failed"] += 1
                continue
            counts["escalated"] += 1
    return counts
