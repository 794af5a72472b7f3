"""走访覆盖 (visit coverage): per 居民区 and per visitor (a plan's assignee) — planned targets against those visited,
overdue plans (past their due date with targets still open), visits of a period by outcome — and the households not
visited in N months (never visited included). Aggregate queries only: no loop over the street's households."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet

from core import clock
from org.models import Neighbourhood, User
from registry.models import Household

from .. import policy
from ..models import Visit, VisitOutcome, VisitPlan, VisitPlanTarget
from .visits import plan_scope_q

DEFAULT_MONTHS = 12
MAX_MONTHS = 60


@dataclass
class Period:
    start: date
    end: date
    months: int = DEFAULT_MONTHS  # "not visited in N months"

    @property
    def cutoff(self) -> date:
        return self.end - timedelta(days=round(self.months * 30.44))


def default_period(today: date | None = None, months: int = DEFAULT_MONTHS) -> Period:
    today = today or clock.today()
    return Period(start=today.replace(day=1) if today.day > 1 else (today - timedelta(days=1)).replace(day=1),
                  end=today, months=months)


def _outcome_counts(prefix: str = "") -> dict[str, Count]:
    field = f"{prefix}id" if prefix else "id"
    return {f"visits_{code}": Count(field, filter=Q(**{f"{prefix}outcome": code}), distinct=True)
            for code in VisitOutcome.values}


def _targets(user: User) -> QuerySet[VisitPlanTarget]:
    scope = plan_scope_q(user)
    if scope is None:
        return VisitPlanTarget.objects.none()
    plan_scope = VisitPlan.objects.filter(scope).exclude(status=VisitPlan.Status.CANCELLED)
    return VisitPlanTarget.objects.filter(plan__in=plan_scope)


def _overdue_plans(user: User, today: date) -> QuerySet[VisitPlan]:
    scope = plan_scope_q(user)
    if scope is None:
        return VisitPlan.objects.none()
    open_target = VisitPlanTarget.objects.filter(plan=OuterRef("pk"), visit__isnull=True)
    return VisitPlan.objects.filter(scope, status=VisitPlan.Status.ACTIVE, due_on__lt=today).filter(Exists(open_target))


def _households(user: User) -> QuerySet[Household]:
    return policy.visible(user, Household.objects.all(), grid_field="grid")


def by_neighbourhood(user: User, period: Period) -> list[dict[str, Any]]:
    """One row per 居民区 the user sees: households, visited in N months, targets planned/done, overdue plans,
    visits in the period by outcome. Four grouped queries."""
    today = clock.today()
    rows: dict[int, dict[str, Any]] = {}
    names = dict(Neighbourhood.objects.values_list("pk", "name"))

    def row(nb_id):
        return rows.setdefault(nb_id, {"neighbourhood_id": nb_id, "neighbourhood": names.get(nb_id, "未分配"),
                                       "households": 0, "visited_recently": 0, "planned": 0, "done": 0,
                                       "overdue_plans": 0, "visits": 0,
                                       **{f"visits_{c}": 0 for c in VisitOutcome.values}})

    recent = Visit.objects.filter(household=OuterRef("pk"), visited_on__gt=period.cutoff)
    for r in (_households(user).values("neighbourhood_id").annotate(
            n=Count("id"), recent=Count("id", filter=Q(Exists(recent))))):
        row(r["neighbourhood_id"]).update(households=r["n"], visited_recently=r["recent"])
    for r in _targets(user).values("plan__neighbourhood_id").annotate(
            n=Count("id"), done=Count("id", filter=Q(visit__isnull=False))):
        row(r["plan__neighbourhood_id"]).update(planned=r["n"], done=r["done"])
    for r in _overdue_plans(user, today).values("neighbourhood_id").annotate(n=Count("id")):
        row(r["neighbourhood_id"])["overdue_plans"] = r["n"]
    period_visits = policy.visible(user, Visit.objects.filter(visited_on__gte=period.start,
                                                              visited_on__lte=period.end))
    for r in period_visits.values("neighbourhood_id").annotate(n=Count("id"), **_outcome_counts()):
        row(r["neighbourhood_id"]).update(visits=r["n"], **{k: v for k, v in r.items() if k.startswith("visits_")})
    for r in rows.values():
        r["rate"] = round(100 * r["done"] / r["planned"]) if r["planned"] else None
        r["not_visited"] = r["households"] - r["visited_recently"]
    return sorted(rows.values(), key=lambda r: r["neighbourhood"])


def by_visitor(user: User, period: Period, *, only: User | None = None) -> list[dict[str, Any]]:
    """One row per visitor: the targets of the plans assigned to them (planned/done), their overdue plans, and the
    visits of the period they made, by outcome."""
    today = clock.today()
    rows: dict[int, dict[str, Any]] = {}
    targets = _targets(user)
    overdue = _overdue_plans(user, today)
    period_visits = policy.visible(user, Visit.objects.filter(visited_on__gte=period.start,
                                                              visited_on__lte=period.end))
    if only is not None:
        targets, overdue = targets.filter(plan__assignee=only), overdue.filter(assignee=only)
        period_visits = period_visits.filter(visitors=only)

    def row(user_id):
        return rows.setdefault(user_id, {"user_id": user_id, "planned": 0, "done": 0, "overdue_plans": 0,
                                         "visits": 0, **{f"visits_{c}": 0 for c in VisitOutcome.values}})

    for r in targets.values("plan__assignee_id").annotate(n=Count("id"), done=Count("id", filter=Q(
            visit__isnull=False))):
        row(r["plan__assignee_id"]).update(planned=r["n"], done=r["done"])
    for r in overdue.values("assignee_id").annotate(n=Count("id")):
        row(r["assignee_id"])["overdue_plans"] = r["n"]
    through = Visit.visitors.through.objects.filter(visit__in=period_visits)
    if only is not None:
        through = through.filter(user=only)
    for r in through.values("user_id").annotate(n=Count("visit_id"), **_outcome_counts("visit__")):
        row(r["user_id"]).update(visits=r["n"], **{k: v for k, v in r.items() if k.startswith("visits_")})
    people = {u.pk: u for u in User.objects.filter(pk__in=rows).select_related("neighbourhood", "grid")}
    for r in rows.values():
        person = people.get(r["user_id"])
        r["name"] = (person.display_name or person.username) if person else ""
        r["role"] = person.get_role_display() if person else ""
        r["area"] = (person.neighbourhood.name if person and person.neighbourhood_id else
                     person.grid.name if person and person.grid_id else "")
        r["rate"] = round(100 * r["done"] / r["planned"]) if r["planned"] else None
    return sorted(rows.values(), key=lambda r: (-r["planned"], r["name"]))


def not_visited(user: User, period: Period, *, neighbourhood: int | None = None) -> QuerySet[Household]:
    """The households the user sees with no visit since the cutoff (N months before the period's end), never
    visited first; each carries its last visit's date (`last_visit`, None if never)."""
    recent = Visit.objects.filter(household=OuterRef("pk"), visited_on__gt=period.cutoff)
    qs = _households(user).filter(~Exists(recent))
    if neighbourhood:
        qs = qs.filter(neighbourhood_id=neighbourhood)
    return (qs.select_related("neighbourhood").annotate(last_visit=Max("visits__visited_on"))
            .order_by(F("last_visit").asc(nulls_first=True), "address_key"))


def overdue_plans(user: User) -> QuerySet[VisitPlan]:
    today = clock.today()
    return (_overdue_plans(user, today).select_related("neighbourhood", "assignee")
            .annotate(open_count=Count("targets", filter=Q(targets__visit__isnull=True))).order_by("due_on", "id"))


def summary(user: User, period: Period | None = None) -> dict[str, Any]:
    """The tiles of a home page: planned/done/overdue and visits of the period, over the user's whole scope."""
    period = period or default_period()
    rows = by_neighbourhood(user, period)
    total = {k: sum(r[k] for r in rows) for k in ("households", "not_visited", "planned", "done", "overdue_plans",
                                                  "visits", *[f"visits_{c}" for c in VisitOutcome.values])}
    total["rate"] = round(100 * total["done"] / total["planned"]) if total["planned"] else None
    return {"period": period, "total": total, "rows": rows}
