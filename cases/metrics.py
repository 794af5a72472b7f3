"""Figures the home pages and the 社区大脑 show about cases: read-only counts, scoped like every selector.

The composition layer (workbench/) reads cases through these functions and cases' selectors and queues; nothing
here writes.
"""

from __future__ import annotations

from datetime import datetime, time

from django.db.models import Count
from django.utils import timezone

from core import clock
from org.models import User

from . import policy
from .models import OPEN_STATES, CaseEvent, Satisfaction, State


def month_start(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return datetime.combine(local.date().replace(day=1), time.min, local.tzinfo)


def street_overview(user: User) -> dict:
    """领导 overview: today's intake, open cases by state, overdue, 不满意 this month, 督办 in progress."""
    now = clock.now()
    cases = policy.visible_cases(user)
    today = datetime.combine(timezone.localtime(now).date(), time.min, timezone.get_current_timezone())
    by_state = dict(cases.filter(state__in=OPEN_STATES).values_list("state").annotate(n=Count("id")))
    since = month_start(now)
    # A semi-join on this month's callbacks, not a join + DISTINCT over every column of the case.
    unsatisfied = cases.filter(pk__in=CaseEvent.objects.filter(
        action="callback", at__gte=since, payload__satisfaction=Satisfaction.UNSATISFIED).values("case_id"))
    return {
        "today": cases.filter(registered_at__gte=today).count(),
        "by_state": [(State(s).label, s, by_state.get(s, 0)) for s in State.values if s in OPEN_STATES],
        "open_total": sum(by_state.values()),
        "overdue": cases.filter(state__in=OPEN_STATES, is_overdue=True).order_by("handle_deadline")[:20],
        "overdue_count": cases.filter(state__in=OPEN_STATES, is_overdue=True).count(),
        "unsatisfied": unsatisfied.select_related("lead_department").order_by("-called_back_at")[:20],
        "unsatisfied_count": unsatisfied.count(),
        "urged": cases.filter(state__in=OPEN_STATES, urge_count__gt=0).select_related("lead_department")
        .order_by("-urge_count")[:20],
        "urged_count": cases.filter(state__in=OPEN_STATES, urge_count__gt=0).count(),
    }
