"""Work queues of each role's workbench. Like every selector, each takes the acting user and applies scope."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Case as Choose
from django.db.models import F, IntegerField, Q, QuerySet, Value, When

from core import clock
from org.addresses import normalise_address, up_to_lane
from org.models import User

from . import policy
from .models import ASSIGNED_STATES, HANDLED_STATES, Case, Request, State


def _cases(user: User) -> QuerySet[Case]:
    return policy.visible_cases(user).select_related("category__parent", "neighbourhood", "lead_department", "grid")


def queue_to_dispatch(user: User) -> QuerySet[Case]:
    """待派单: registered cases, oldest first (returned cases come back here too)."""
    return _cases(user).filter(state=State.REGISTERED).order_by("registered_at", "id")


def queue_requests(user: User) -> QuerySet[Request]:
    """待审核: pending 退单 and 延期 requests on cases the user may see."""
    return (Request.objects.filter(status=Request.Status.PENDING, case__in=policy.visible_cases(user))
            .select_related("case", "department", "requested_by").order_by("requested_at"))


def queue_department(user: User) -> QuerySet[Case]:
    """我单位的工单: open cases where the user's department has an active share, nearest deadline first."""
    if not user.department_id:
        return Case.objects.none()
    return (_cases(user).filter(state__in=ASSIGNED_STATES, assignments__department_id=user.department_id,
                                assignments__active=True).distinct().order_by("handle_deadline", "id"))


def queue_callback(user: User) -> QuerySet[Case]:
    """待回访 then 待结案: handled cases awaiting the call (oldest 办结 first), then called-back ones awaiting close
    (oldest 回访 first). Ranked explicitly: the state codes' alphabet put 已回访 before 已办结."""
    rank = Choose(When(state=State.HANDLED, then=Value(0)), default=Value(1), output_field=IntegerField())
    waiting_since = Choose(When(state=State.HANDLED, then=F("handled_at")), default=F("called_back_at"))
    return (_cases(user).filter(state__in=HANDLED_STATES)
            .annotate(callback_rank=rank, waiting_since=waiting_since)
            .order_by("callback_rank", F("waiting_since").asc(nulls_first=True), "id"))


def queue_to_verify(user: User) -> QuerySet[Case]:
    """待核查: handled cases in the patroller's grid (or the cadre's 居民区) to check on site."""
    return _cases(user).filter(state__in=HANDLED_STATES).order_by("-handled_at")


def possible_duplicates(user: User, address: str, *, days: int = 30) -> QuerySet[Case]:
    """Cases at the same address (same 弄/号, ignoring the room) in the last `days` days, for the intake form."""
    text = normalise_address(address)
    key = up_to_lane(text) or text
    if len(key) < 4:
        return Case.objects.none()
    since = clock.now() - timedelta(days=days)
    return _cases(user).filter(Q(address__startswith=key) | Q(address=key), registered_at__gte=since).order_by(
        "-registered_at")[:10]
