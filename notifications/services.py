"""Who is told what: case events become notifications, and each notification goes out on the outbound channels."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from cases.models import Case, CaseEvent, Request, State
from core import clock
from core.errors import NotFound
from org.models import Role, User
from workdays.calendar import add_working_days

from .channels import outbound_channels
from .models import Notification

logger = logging.getLogger(__name__)
K = Notification.Kind


def _department_handlers(case: Case, *, lead_only: bool) -> QuerySet[User]:
    assignments = case.assignments.filter(active=True)
    if lead_only:
        assignments = assignments.filter(role="lead")
    return User.objects.filter(role=Role.HANDLER, is_active=True,
                               department_id__in=assignments.values("department_id"))


def _deadline_text(case: Case) -> str:
    return f",办结期限 {timezone.localtime(case.handle_deadline):%m-%d %H:%M}" if case.handle_deadline else ""


# The case actions that tell someone, and what kind of notice each is: the only list of action names here, checked
# against the lifecycle table (cases.transitions.TRANSITIONS) by notifications/tests/test_event_contract.py.
KIND_OF_ACTION: dict[str, str] = {
    "dispatch": K.ASSIGNED,
    "reopen": K.REOPENED,
    "urge": K.URGED,
    "mark_overdue": K.OVERDUE,
    "request_return": K.REQUEST_PENDING,
    "request_extension": K.REQUEST_PENDING,
    "approve_return": K.REQUEST_DECIDED,
    "reject_return": K.REQUEST_DECIDED,
    "approve_extension": K.REQUEST_DECIDED,
    "reject_extension": K.REQUEST_DECIDED,
}


def _recipients(event: CaseEvent) -> tuple[str, QuerySet[User] | list[User], str]:
    kind = KIND_OF_ACTION.get(event.action, "")
    if not kind:
        return "", [], ""
    case = event.case
    subject = f"{case.number} {case.title}"
    action = event.action
    if kind == K.ASSIGNED:
        return kind, _department_handlers(case, lead_only=False), f"新派单:{subject}{_deadline_text(case)}"
    if kind == K.REOPENED:
        return kind, _department_handlers(case, lead_only=False), f"回访不满意重办:{subject}{_deadline_text(case)}"
    if kind == K.URGED:
        return kind, _department_handlers(case, lead_only=True), f"督办:{subject}——{event.note}"
    if kind == K.OVERDUE:
        return kind, _department_handlers(case, lead_only=True), f"已超时:{subject}"
    if kind == K.REQUEST_PENDING:
        label = "退单" if "return" in action else "延期"
        dispatchers = User.objects.filter(role=Role.DISPATCHER, is_active=True)
        return kind, dispatchers, f"待审核{label}申请:{subject}——{event.note}"
    request_kind = Request.Kind.RETURN if "return" in action else Request.Kind.EXTENSION
    request = case.requests.filter(kind=request_kind).exclude(status=Request.Status.PENDING).order_by("-decided_at").first()
    verdict = "已同意" if action.startswith("approve") else "已驳回"
    users = [request.requested_by] if request else []
    message = f"您的{request.get_kind_display() if request else ''}申请{verdict}:{subject}"
    if warning := event.payload.get("deadline_warning"):  # an extension that still leaves the case due now
        users = list(dict.fromkeys([*users, *_department_handlers(case, lead_only=True)]))
        state = "已超时" if warning == "overdue" else "一个工作日内到期"
        message = f"延期已同意但新期限{state},请尽快办结:{subject}{_deadline_text(case)}"
    return kind, users, message


def notification_create_for_events(*, events: list[CaseEvent]) -> list[Notification]:
    """The notices these case events call for (see KIND_OF_ACTION), sent out after commit. The actor of an event is
    never told of it.

    One notice per recipient, case and kind until it is read: a second event of the same kind on the same case while
    the first notice is unread bumps that notice (newest message, event and time, unread at the top again) instead
    of adding another. Once read, the next event makes a new notice."""
    wanted: dict[tuple[int, int, str], Notification] = {}
    for event in events:
        kind, users, message = _recipients(event)
        for user in users:
            if user.pk == event.actor_id:
                continue
            # Later events of one batch replace earlier ones: the newest message wins.
            wanted[(user.pk, event.case_id, kind)] = Notification(
                user=user, kind=kind, case=event.case, event=event, message=message[:300], created_at=event.at)
    if not wanted:
        return []
    with transaction.atomic():
        unread = {(n.user_id, n.case_id, n.kind): n for n in Notification.objects.select_for_update().filter(
            read_at__isnull=True, case_id__in={key[1] for key in wanted}, user_id__in={key[0] for key in wanted},
            kind__in={key[2] for key in wanted})}
        new, bumped = [], []
        for key, notice in wanted.items():
            existing = unread.get(key)
            if existing is None:
                new.append(notice)
            else:
                existing.message, existing.event, existing.created_at = notice.message, notice.event, notice.created_at
                bumped.append(existing)
        created = Notification.objects.bulk_create(new) if new else []
        if bumped:
            Notification.objects.bulk_update(bumped, ["message", "event", "created_at"])
        sent = created + bumped
        transaction.on_commit(lambda: _send(sent))
    return sent


def _send(notifications: list[Notification]) -> None:
    for channel in outbound_channels():
        for notification in notifications:
            try:
                channel.send(notification)
            except Exception:  # an SMS gateway outage must never undo or block the case change
                logger.exception("outbound channel %s failed", type(channel).__name__)


def notification_deadline_sweep(*, now: datetime | None = None) -> int:
    """临近期限: one reminder per case to the lead department when the handling deadline is within one working day."""
    now = now or clock.now()
    horizon = add_working_days(now, 1)
    open_states = [State.DISPATCHED, State.SIGNED, State.HANDLING]
    cases = Case.objects.filter(state__in=open_states, is_overdue=False, handle_deadline__gt=now,
                                handle_deadline__lte=horizon)
    made = []
    for case in cases.iterator():
        for user in _department_handlers(case, lead_only=True):
            try:
                with transaction.atomic():
                    made.append(Notification.objects.create(
                        user=user, kind=K.DEADLINE, case=case, created_at=now,
                        message=f"临近办结期限:{case.number} {case.title}{_deadline_text(case)}"))
            except IntegrityError:
                continue  # already reminded
    _send(made)
    return len(made)


def notification_open(*, user: User, pk: int) -> Notification:
    """The user opens one of their own notices (clicks through to its case): it is read from now on."""
    notice = Notification.objects.filter(user=user, pk=pk).first()
    if notice is None:
        raise NotFound("消息不存在")
    if notice.read_at is None:
        notice.read_at = timezone.now()
        Notification.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=notice.read_at)
    return notice


def notification_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    """Marks the user's own notifications read (all unread ones when ids is None); returns how many changed."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
