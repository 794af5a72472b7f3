"""The handling lifecycle after 受理: 派单, 签收, 退单, 先联, 处置, 延期, 办结, 回访, 重办, 结案."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from core import clock
from core.errors import ValidationFailed
from org.models import Category, Department, User
from workdays.calendar import add_working_days, add_working_hours, working_hours_between

from ..models import (
    Assignment,
    Case,
    CaseEvent,
    Request,
    Satisfaction,
    Urgency,
)
from ..transitions import check_bounds, require_fields
from .engine import iso_or_none, perform

# --- 派单, 签收, 退单 ----------------------------------------------------------------------------------


def _set_deadlines(case: Case, now: datetime) -> None:
    category = case.category
    case.dispatched_at = now
    case.sign_deadline = add_working_hours(now, category.sign_hours)
    urgent = case.urgency == Urgency.URGENT
    contact_hours = category.urgent_first_contact_hours if urgent else category.first_contact_hours
    case.first_contact_deadline = add_working_hours(now, contact_hours)
    case.handle_deadline = add_working_days(now, category.handle_days)
    if case.hotline_due_at is not None and case.hotline_due_at < case.handle_deadline:
        case.handle_deadline = case.hotline_due_at  # the 12345 centre's deadline binds when it is the earlier
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
            handle_deadline=iso_or_none(c.handle_deadline),
            sign_deadline=iso_or_none(c.sign_deadline),
        )

    perform(actor=actor, case=case, action="dispatch", note=note, payload=payload, change=change,
             expected_version=expected_version)
    return case


def case_sign(*, actor: User, case: Case, note: str = "") -> Case:
    """签收: the lead department accepts the case."""

    def change(c: Case) -> None:
        c.signed_at = clock.now()

    perform(actor=actor, case=case, action="sign", note=note, change=change,
             payload={"on_time": _on_time(case.sign_deadline)})
    return case


def _on_time(deadline: datetime | None) -> bool | None:
    return None if deadline is None else clock.now() <= deadline


def case_request_return(*, actor: User, case: Case, reason: str) -> Request:
    """退单申请: a department may not refuse silently; it asks the centre with a reason."""
    reason = require_fields("request_return", reason=reason)["reason"]
    created: list[Request] = []

    def change(c: Case) -> None:
        created.append(
            Request.objects.create(
                case=c, kind=Request.Kind.RETURN, reason=reason, department=actor.department,
                requested_by=actor, requested_at=clock.now(),
            )
        )

    perform(actor=actor, case=case, action="request_return", note=reason, change=change)
    return created[0]


def _decide(
    *, actor: User, case: Case, kind: str, approve: bool, reason: str, action: str,
    extra: Callable[[Case, Request], dict | None] | None = None,
) -> Request:
    decided: list[Request] = []
    payload: dict[str, Any] = {"kind": kind}

    def change(c: Case) -> None:
        # The table's guard saw a pending request under the row lock; this locks that request itself.
        request = Request.objects.select_for_update().get(case=c, kind=kind, status=Request.Status.PENDING)
        request.status = Request.Status.APPROVED if approve else Request.Status.REJECTED
        request.decided_by, request.decided_at, request.decision_reason = actor, clock.now(), reason
        request.save()
        payload["request_reason"] = request.reason
        if extra:
            payload.update(extra(c, request) or {})
        request.deadline_warning = payload.get("deadline_warning", "")  # for the page's message (not stored)
        decided.append(request)

    perform(actor=actor, case=case, action=action, note=reason, change=change, payload=payload)
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
    reason = require_fields("reject_return", reason=reason)["reason"]
    return _decide(actor=actor, case=case, kind=Request.Kind.RETURN, approve=False, reason=reason,
                   action="reject_return")


# --- 先联, 处置, 延期, 办结 -----------------------------------------------------------------------------


CONTACT_METHODS = {"phone": "电话", "visit": "上门", "sms": "短信", "wechat": "微信", "other": "其他"}


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def case_record_first_contact(
    *, actor: User, case: Case, method: str, outcome: str, contacted_at: datetime | None = None
) -> Case:
    """先联: the handler contacted the citizen before acting. A second one (双先联) is recorded too."""
    if method not in CONTACT_METHODS:
        raise ValidationFailed("请选择联系方式", details={"field": "method"})
    outcome = require_fields("record_first_contact", outcome=outcome)["outcome"]
    # A web form's datetime-local has no offset (Shanghai time) and no seconds: "10:03" typed at 10:03:40 is now.
    moment = clock.aware(contacted_at) or clock.now()
    if moment > clock.now():
        raise ValidationFailed("联系时间不能晚于当前时间", details={"field": "contacted_at"})
    payload = {"method": method, "contacted_at": iso_or_none(moment)}

    def change(c: Case) -> None:
        # Any 先联 of this round, 双先联 included: the department cannot have contacted for a case not yet sent.
        nonlocal moment
        if c.dispatched_at and moment < _minute(c.dispatched_at):
            raise ValidationFailed("联系时间不能早于派单时间", details={"field": "contacted_at"})
        if c.first_contact_at is None:
            if c.signed_at and moment < _minute(c.signed_at):
                raise ValidationFailed("联系时间不能早于签收时间", details={"field": "contacted_at"})
            moment = max(moment, c.signed_at or moment)  # within the minute of 签收: not before it
            payload["contacted_at"] = iso_or_none(moment)
            c.first_contact_at = moment
            payload["on_time"] = c.first_contact_deadline is None or moment <= c.first_contact_deadline

    perform(actor=actor, case=case, action="record_first_contact", note=outcome, payload=payload, change=change)
    return case


def case_add_progress(*, actor: User, case: Case, note: str) -> CaseEvent:
    """处置进展: a progress note (photos are attached to the returned event)."""
    return perform(actor=actor, case=case, action="add_progress", note=require_fields("add_progress", note=note)["note"],
                    payload={"department": actor.department.name if actor.department_id else ""})


def case_co_report(*, actor: User, case: Case, report: str) -> CaseEvent:
    """协办反馈: a co-handler reports on its share of a joint case."""
    report = require_fields("co_report", note=report)["note"]

    def change(c: Case) -> None:
        Assignment.objects.filter(case=c, department=actor.department, active=True).update(
            report=report, reported_at=clock.now()
        )

    return perform(actor=actor, case=case, action="co_report", note=report, change=change,
                    payload={"department": actor.department.name if actor.department_id else ""})


def case_request_extension(*, actor: User, case: Case, reason: str, extra_days: int) -> Request:
    """延期申请: more working days, with a reason; the deadline only moves on approval."""
    reason = require_fields("request_extension", reason=reason)["reason"]
    check_bounds("request_extension", extra_days=extra_days)
    created: list[Request] = []

    def change(c: Case) -> None:
        base = c.handle_deadline or clock.now()
        created.append(
            Request.objects.create(
                case=c, kind=Request.Kind.EXTENSION, reason=reason, department=actor.department,
                requested_by=actor, requested_at=clock.now(), requested_deadline=add_working_days(base, extra_days),
                extra_days=extra_days,
            )
        )

    perform(actor=actor, case=case, action="request_extension", note=reason, change=change,
             payload={"extra_days": extra_days})
    return created[0]


def extended_deadline(old: datetime | None, extra_days: int, now: datetime) -> datetime:
    """The working days granted count from the later of the old deadline and the approval: a late approval
    cannot hand back a deadline that has already passed."""
    return add_working_days(max(old, now) if old else now, extra_days)


DEADLINE_WARNING_TEXT = {
    "overdue": "注意:新办结期限已过,工单仍为超时,已提醒处置单位",
    "near": "注意:新办结期限一个工作日内到期,已提醒处置单位",
}


def deadline_warning(deadline: datetime | None, now: datetime) -> str:
    """"overdue" or "near" (within one working day, the 临期 window of the reminders), else ""."""
    if deadline is None:
        return ""
    if deadline <= now:
        return "overdue"
    return "near" if deadline <= add_working_days(now, 1) else ""


def case_approve_extension(*, actor: User, case: Case, reason: str = "") -> Request:
    """同意延期: the handling deadline moves by the working days asked for, from the later of the old deadline and
    now; the event keeps the old and the new one, and warns (临期/已超时) when the new one is close."""

    def extra(c: Case, request: Request) -> dict:
        now = clock.now()
        old = c.handle_deadline
        if request.extra_days:
            c.handle_deadline = extended_deadline(old, request.extra_days, now)
        else:  # asked before the number of days was kept: the date asked for, if it is still ahead
            c.handle_deadline = max(request.requested_deadline, now) if request.requested_deadline else old
        c.extension_count += 1
        c.is_overdue = c.handle_deadline is not None and c.handle_deadline < now
        payload = {"old_deadline": iso_or_none(old), "new_deadline": iso_or_none(c.handle_deadline)}
        if warning := deadline_warning(c.handle_deadline, now):
            payload["deadline_warning"] = warning
        return payload

    return _decide(actor=actor, case=case, kind=Request.Kind.EXTENSION, approve=True, reason=reason,
                   action="approve_extension", extra=extra)


def case_reject_extension(*, actor: User, case: Case, reason: str) -> Request:
    reason = require_fields("reject_extension", reason=reason)["reason"]
    return _decide(actor=actor, case=case, kind=Request.Kind.EXTENSION, approve=False, reason=reason,
                   action="reject_extension")


def case_finish(*, actor: User, case: Case, result: str, demand_met: bool = True, explanation: str = "") -> Case:
    """办结: the handler reports what was done; an unmet demand needs its explanation (非本辖区, 政策不支持…)."""
    texts = require_fields("finish", result=result, demand_met=demand_met, explanation=explanation)
    result, explanation = texts["result"], texts["explanation"]

    def change(c: Case) -> None:
        c.handled_at = clock.now()
        c.handling_result = result
        c.handling_hours = round(working_hours_between(c.dispatched_at, c.handled_at), 2) if c.dispatched_at else None

    perform(actor=actor, case=case, action="finish", note=result, change=change,
             payload={"demand_met": demand_met, "explanation": explanation,
                      "on_time": _on_time(case.handle_deadline)})
    return case


# --- 回访, 重办, 结案 ---------------------------------------------------------------------------------


def case_callback(
    *, actor: User, case: Case, satisfaction: str, solved: bool | None, first_contacted: bool | None,
    remarks: str = "",
) -> Case:
    """回访: satisfaction, whether it was actually solved and whether the handler called first (both required
    是/否 answers: they make the 实际解决率 and the 先联 rate)."""
    if satisfaction not in Satisfaction.values:
        raise ValidationFailed("请选择满意度", details={"field": "satisfaction"})
    remarks = require_fields("callback", satisfaction=satisfaction, solved=solved, first_contacted=first_contacted,
                             remarks=remarks)["remarks"]

    def change(c: Case) -> None:
        c.called_back_at = clock.now()
        c.satisfaction, c.solved, c.first_contact_confirmed = satisfaction, bool(solved), bool(first_contacted)

    perform(actor=actor, case=case, action="callback", note=remarks, change=change,
             payload={"satisfaction": satisfaction, "solved": bool(solved), "first_contacted": bool(first_contacted)})
    return case


def case_handler_callback(
    *, actor: User, case: Case, satisfaction: str, solved: bool | None, remarks: str
) -> CaseEvent:
    """双回访, the department's round: the handler calls the citizen back after 办结. Recorded as its own event; the
    case's satisfaction and every rate stay the centre's (case_callback)."""
    if satisfaction not in Satisfaction.values:
        raise ValidationFailed("请选择满意度", details={"field": "satisfaction"})
    texts = require_fields("handler_callback", solved=solved, remarks=remarks)
    return perform(actor=actor, case=case, action="handler_callback", note=texts["remarks"],
                   payload={"round": "department", "satisfaction": satisfaction, "solved": solved,
                            "department": actor.department.name if actor.department_id else ""})


def case_reopen(
    *, actor: User, case: Case, reason: str, lead_department: Department | None = None,
    co_departments: Iterable[Department] = (),
) -> Case:
    """重办: after 不满意, back to the same or another department with the callback's remarks and fresh deadlines."""
    reason = require_fields("reopen", reason=reason)["reason"]
    now = clock.now()
    payload: dict[str, Any] = {}

    def change(c: Case) -> None:
        lead = lead_department or c.lead_department
        co = _validate_departments(lead, co_departments)
        payload["co_departments"] = _assign(c, lead, co, now)
        payload["lead_department"] = lead.name
        payload["previous_satisfaction"] = c.satisfaction
        _set_deadlines(c, now)
        payload["handle_deadline"] = iso_or_none(c.handle_deadline)
        c.reopen_count += 1
        c.satisfaction, c.solved, c.first_contact_confirmed, c.called_back_at = "", None, None, None

    perform(actor=actor, case=case, action="reopen", note=reason, change=change, payload=payload)
    return case


def case_close(*, actor: User, case: Case, reason: str = "") -> Case:
    """结案. Closing over a 不满意 callback needs the documented reason; merged duplicates are informed."""
    payload: dict[str, Any] = {}

    def change(c: Case) -> None:
        require_fields("close", case=c, reason=reason)
        c.closed_at = clock.now()
        payload["informed_duplicates"] = list(c.duplicates.values_list("number", flat=True))
        payload["satisfaction"] = c.satisfaction

    perform(actor=actor, case=case, action="close", note=reason, change=change, payload=payload)
    return case
