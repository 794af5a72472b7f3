"""Work queues of each role's workbench. Like every selector, each takes the acting user and applies scope."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Case as Switch
from django.db.models import Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from core import clock
from org.addresses import normalise_address, up_to_lane
from org.models import User

from . import policy, selectors
from .models import ASSIGNED_STATES, HANDLED_STATES, Case, Request, State

# The handler desk's tabs: which states each shows (待签收 includes a pending 退单, not yet signed either).
DEPARTMENT_TABS = {
    "sign": ("待签收", (State.DISPATCHED, State.RETURN_REQUESTED)),
    "working": ("处置中", (State.SIGNED, State.HANDLING)),
    "suspended": ("挂账", (State.SUSPENDED,)),
}


def current_deadline():
    """The deadline of the step the case waits for now: 签收 while 已派单, 先联 while 已签收, 办结 otherwise
    (挂账 has none: it sorts last)."""
    return Switch(
        When(state=State.DISPATCHED, then=Coalesce(F("sign_deadline"), F("handle_deadline"))),
        When(state=State.SIGNED, then=Coalesce(F("first_contact_deadline"), F("handle_deadline"))),
        When(state=State.SUSPENDED, then=None),
        default=F("handle_deadline"),
    )


def _cases(user: User) -> QuerySet[Case]:
    return policy.visible_cases(user).select_related("category__parent", "neighbourhood", "lead_department", "grid")


def queue_to_dispatch(user: User) -> QuerySet[Case]:
    """待派单: registered cases, oldest first (returned cases come back here too)."""
    return _cases(user).filter(state=State.REGISTERED).order_by("registered_at", "id")


def queue_requests(user: User) -> QuerySet[Request]:
    """待审核: pending 退单 and 延期 requests on cases the user may see."""
    return (Request.objects.filter(status=Request.Status.PENDING, case__in=policy.visible_cases(user))
            .select_related("case", "department", "requested_by").order_by("requested_at"))


def queue_department(user: User, *, tab: str = "", q: str = "", neighbourhood: int | None = None,
                     category: int | None = None, urgent: bool = False, overdue: bool = False) -> QuerySet[Case]:
    """我单位的工单: open cases where the user's department has an active share, what is due now first (the
    current step's deadline, `due_at`: 签收 → 先联 → 办结), then 挂账; a tab of DEPARTMENT_TABS narrows the states."""
    if not user.department_id:
        return Case.objects.none()
    qs = department_cases(user)
    if tab in DEPARTMENT_TABS:
        qs = qs.filter(state__in=DEPARTMENT_TABS[tab][1])
    if q.strip():
        qs = selectors.search_cases(user, qs, q.strip())
    if neighbourhood:
        qs = qs.filter(neighbourhood_id=neighbourhood)
    if category:
        qs = qs.filter(Q(category_id=category) | Q(category__parent_id=category))
    if urgent:
        qs = qs.filter(urgency="urgent")
    if overdue:
        qs = qs.filter(due_at__lt=clock.now())
    return qs.order_by(F("due_at").asc(nulls_last=True), "id")


def department_cases(user: User) -> QuerySet[Case]:
    """The department's open cases (every tab), each with `due_at`, its current deadline."""
    if not user.department_id:
        return Case.objects.none()
    ids = Case.objects.filter(state__in=ASSIGNED_STATES, assignments__department_id=user.department_id,
                              assignments__active=True).values("pk")
    return _cases(user).filter(pk__in=ids).annotate(due_at=current_deadline())


def department_tab_counts(user: User) -> dict[str, int]:
    """How many cases each tab of the handler desk holds, and "all"."""
    counts = dict.fromkeys(DEPARTMENT_TABS, 0)
    by_state = {state: tab for tab, (_label, states) in DEPARTMENT_TABS.items() for state in states}
    for row in department_cases(user).order_by().values("state").annotate(n=Count("pk")):
        if row["state"] in by_state:
            counts[by_state[row["state"]]] += row["n"]
    counts["all"] = sum(counts.values())
    return counts


def queue_callback(user: User) -> QuerySet[Case]:
    """待回访 then 待结案: handled cases awaiting the call (oldest 办结 first), then called-back ones awaiting close
    (oldest 回访 first). Ranked explicitly: the state codes' alphabet put 已回访 before 已办结."""
    rank = Switch(When(state=State.HANDLED, then=Value(0)), default=Value(1), output_field=IntegerField())
    waiting_since = Switch(When(state=State.HANDLED, then=F("handled_at")), default=F("called_back_at"))
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
