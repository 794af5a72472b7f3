"""The one write path every case change goes through: role and state checked against the transition table,
the row locked, the version checked, the case changed and its append-only CaseEvent written in one transaction."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core import clock
from core.errors import Conflict, PermissionDenied, TransitionNotAllowed
from org.models import User

from .. import policy
from ..models import (
    Case,
    CaseEvent,
    Request,
    State,
)
from ..signals import case_events_send_on_commit
from ..transitions import REQUEST_EXPIRED_EVENT, TRANSITIONS, CaseFacts, Transition, requests_ending_in

logger = logging.getLogger(__name__)


# --- the one path every change goes through ---------------------------------------------------------


def check_actor(actor: User, transition: Transition, state: str) -> None:
    if actor.role not in transition.roles:
        raise PermissionDenied(f"您的角色({actor.get_role_display()})不能{transition.label}")
    if state not in transition.sources:
        label = State(state).label if state else "新建"
        raise TransitionNotAllowed(
            f"工单当前状态为「{label}」,不能{transition.label}", details={"state": state, "action": transition.action}
        )


def perform(
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
        check_actor(actor, transition, locked.state)
        policy.check_scope(actor, locked, transition)
        transition.check_guards(CaseFacts(locked))
        from_state = locked.state
        before = {f.attname: getattr(locked, f.attname) for f in Case._meta.concrete_fields}
        if change is not None:
            change(locked)
        locked.state = transition.target(from_state)
        # Optimistic check on top of the row lock: SQLite ignores SELECT … FOR UPDATE.
        fields = changed_fields(case_before=before, case_after=locked)
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
        events = [event, *_expire_requests(actor=actor, case=locked, cause=event)]
        case_events_send_on_commit(events)  # heard by the CASE_EVENT_LISTENERS once this transaction commits
    refresh_from(case, locked)
    return event


def _expire_requests(*, actor: User, case: Case, cause: CaseEvent) -> list[CaseEvent]:
    """Pending requests no row can decide in the case's new state end here, visibly: 已失效 with the reason, and one
    event each on the timeline (the actor is the one whose action ended them)."""
    if cause.from_state == cause.to_state:
        return []
    kinds = requests_ending_in(case.state)
    if not kinds:
        return []
    now = clock.now()
    reason = f"工单已转为「{State(case.state).label}」,申请随之失效"
    ended = []
    for request in Request.objects.select_for_update().filter(case=case, status=Request.Status.PENDING,
                                                              kind__in=kinds):
        request.status, request.decided_at, request.decision_reason = Request.Status.EXPIRED, now, reason
        request.save(update_fields=["status", "decided_at", "decision_reason"])
        ended.append(CaseEvent.objects.create(
            case=case, action=REQUEST_EXPIRED_EVENT, actor=actor, at=now, from_state=case.state,
            to_state=case.state, note=reason,
            payload={"kind": request.kind, "request_reason": request.reason, "ended_by": cause.action}))
    return ended


def changed_fields(*, case_before: dict, case_after: Case) -> dict[str, Any]:
    changed = {}
    for field in Case._meta.concrete_fields:
        if field.primary_key or field.attname == "version":
            continue
        value = getattr(case_after, field.attname)
        if case_before[field.attname] != value:
            changed[field.attname] = value
    return changed


def refresh_from(target: Case, source: Case) -> None:
    for field in Case._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    # Cached relations may be stale after the change.
    target._state.fields_cache.clear()


def iso_or_none(moment: datetime | None) -> str | None:
    # Local (Asia/Shanghai) time with its offset: events are read by people, and the offset keeps it exact.
    return timezone.localtime(moment).isoformat() if moment else None
