"""Reads of visits and plans: the visit list with its filters, one visit with its history, the plans, the signed-in
visitor's open targets (今日走访), the questionnaires a visit may attach — scope and masking applied here, once
(minqing/policy.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from core import clock
from core.errors import NotFound
from org.models import Role, User
from questionnaires.models import Submission
from registry.policy import RegistryMasker

from .. import policy
from ..models import Visit, VisitEvent, VisitOutcome, VisitPlan, VisitPlanTarget
from .needs import household_secrets

VISIT_NOT_FOUND = "走访记录不存在或不在您的职责范围内"
PLAN_NOT_FOUND = "走访计划不存在或不在您的职责范围内"
EVENT_LABELS = {"plan_create": "制定计划", "plan_cancel": "取消计划", "plan_done": "计划完成",
                "visit_record": "登记走访", "visit_correct": "更正走访"}


@dataclass
class VisitFilters:
    outcome: str = ""
    neighbourhood: int | None = None
    visitor: int | None = None
    date_from: date | None = None
    date_to: date | None = None


def visits(user: User, filters: VisitFilters | None = None) -> QuerySet[Visit]:
    f = filters or VisitFilters()
    qs = policy.visible(user, Visit.objects.select_related("household", "unit", "neighbourhood", "met_person",
                                                           "created_by"))
    if f.outcome:
        qs = qs.filter(outcome=f.outcome)
    if f.neighbourhood:
        qs = qs.filter(neighbourhood_id=f.neighbourhood)
    if f.visitor:
        qs = qs.filter(visitors__id=f.visitor)
    if f.date_from:
        qs = qs.filter(visited_on__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(visited_on__lte=f.date_to)
    return qs.order_by("-visited_on", "-id")


def get_visit(user: User, pk: int) -> Visit:
    found = visits(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(VISIT_NOT_FOUND)
    return found


def plan_scope_q(user: User) -> Q | None:
    """Plans belong to a 居民区: the street-wide roles see all, a 居委干部 its own, a 网格员 its 网格's 居民区."""
    scope = policy.scope_q(user)
    if scope is None:
        return None
    if user.role == Role.GRID:
        return Q(neighbourhood_id=user.grid.neighbourhood_id) | Q(assignee=user)
    return scope


def plans(user: User, *, status: str = "", neighbourhood: int | None = None) -> QuerySet[VisitPlan]:
    scope = plan_scope_q(user)
    if scope is None:
        return VisitPlan.objects.none()
    qs = VisitPlan.objects.filter(scope).select_related("neighbourhood", "assignee").annotate(
        target_count=Count("targets"), done_count=Count("targets", filter=Q(targets__visit__isnull=False)))
    if status:
        qs = qs.filter(status=status)
    if neighbourhood:
        qs = qs.filter(neighbourhood_id=neighbourhood)
    return qs.order_by("status", "due_on", "id")


def get_plan(user: User, pk: int) -> VisitPlan:
    found = plans(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(PLAN_NOT_FOUND)
    return found


def _place(visit_or_target, masker: RegistryMasker) -> str:
    if visit_or_target.household_id:
        return masker.address(visit_or_target.household.address)
    if visit_or_target.unit_id:
        return visit_or_target.unit.name + " " + visit_or_target.unit.address
    return ""


def secrets_for(visits_: list[Visit]) -> dict[int, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Per household: the names and phones of everyone who lived there (masked out of the free texts), one query."""
    names, phones = household_secrets(v.household_id for v in visits_ if v.household_id)
    return {h: (tuple(names[h]), tuple(phones[h])) for h in set(names) | set(phones)}


def visit_rows(user: User, qs, *, masker: RegistryMasker | None = None) -> list[dict[str, Any]]:
    masker = masker or policy.masker_for(user)
    items = list(qs.prefetch_related("visitors") if isinstance(qs, QuerySet) else qs)
    secrets = secrets_for(items) if masker.masked else {}
    rows = []
    for v in items:
        names, phones = secrets.get(v.household_id or 0, ((), ()))
        rows.append({
            "id": v.pk, "visited_on": v.visited_on, "outcome": v.get_outcome_display(), "outcome_code": v.outcome,
            "place": _place(v, masker), "household_id": v.household_id, "unit_id": v.unit_id,
            "neighbourhood": v.neighbourhood.name if v.neighbourhood_id else "",
            "visitors": "、".join(u.display_name or u.username for u in v.visitors.all()),
            "companions": masker.text(v.companions, names=names, phones=phones),
            "met_person": masker.name(v.met_person.name) if v.met_person_id else "",
            "notes": masker.text(v.notes, names=names, phones=phones),
        })
    return rows


def timeline(*, plan: VisitPlan | None = None, visit: Visit | None = None, masker: RegistryMasker,
             names=(), phones=()) -> list[dict[str, Any]]:
    qs = VisitEvent.objects.select_related("actor").filter(plan=plan) if plan else VisitEvent.objects.select_related(
        "actor").filter(visit=visit)
    rows = []
    for e in qs.order_by("at", "id"):
        old = e.payload.get("old") or {}
        if "notes" in old:
            old = {**old, "notes": masker.text(old["notes"], names=names, phones=phones)}
        if "outcome" in old:
            old = {**old, "outcome": VisitOutcome(old["outcome"]).label}
        rows.append({"at": e.at, "action": EVENT_LABELS.get(e.action, e.action),
                     "actor": e.actor.display_name or e.actor.username,
                     "note": masker.text(e.note, names=names, phones=phones), "old": old})
    return rows


def plan_targets(plan: VisitPlan, *, masker: RegistryMasker) -> QuerySet[VisitPlanTarget]:
    return plan.targets.select_related("household", "unit", "visit").order_by("visit_id", "id")


def target_rows(targets, *, masker: RegistryMasker, today: date | None = None) -> list[dict[str, Any]]:
    today = today or clock.today()
    return [{"id": t.pk, "place": _place(t, masker), "household_id": t.household_id, "unit_id": t.unit_id,
             "plan_id": t.plan_id, "plan": t.plan.title, "due_on": t.plan.due_on,
             "overdue": t.plan.due_on < today and t.visit_id is None, "visit_id": t.visit_id,
             "visited_on": t.visit.visited_on if t.visit_id else None} for t in targets]


def my_open_targets(user: User) -> QuerySet[VisitPlanTarget]:
    """今日走访: the open targets of the active plans this user is assigned, the earliest due first."""
    scope = plan_scope_q(user)
    if scope is None:
        return VisitPlanTarget.objects.none()
    return (VisitPlanTarget.objects.filter(plan__assignee=user, plan__status=VisitPlan.Status.ACTIVE,
                                           visit__isnull=True, plan__starts_on__lte=clock.today())
            .select_related("plan", "household", "unit").order_by("plan__due_on", "plan_id", "id"))


def my_open_places(user: User) -> QuerySet:
    """今日走访 by door: one row per household or unit with open targets of this user's running plans (one visit fills
    them all), the earliest due first — {household_id, unit_id, due_on, plans}."""
    return (my_open_targets(user).order_by().values("household_id", "unit_id")
            .annotate(due_on=Min("plan__due_on"), plans=Count("plan_id", distinct=True))
            .order_by("due_on", "household_id", "unit_id"))


def place_rows(places, user: User, *, masker: RegistryMasker, today: date | None = None) -> list[dict[str, Any]]:
    """The rows of a page of my_open_places: the place (masked per the reader) and the plans that wait for it."""
    today = today or clock.today()
    places = list(places)
    households = {p["household_id"] for p in places if p["household_id"]}
    units = {p["unit_id"] for p in places if p["unit_id"]}
    targets = (my_open_targets(user).filter(Q(household_id__in=households) | Q(unit_id__in=units))
               .order_by("plan__due_on", "plan_id"))
    by_place: dict[tuple, list[VisitPlanTarget]] = {}
    for t in targets:
        by_place.setdefault((t.household_id, t.unit_id), []).append(t)
    rows = []
    for p in places:
        waiting = by_place.get((p["household_id"], p["unit_id"]), [])
        if not waiting:
            continue
        rows.append({"id": waiting[0].pk, "ids": [t.pk for t in waiting], "place": _place(waiting[0], masker),
                     "household_id": p["household_id"], "unit_id": p["unit_id"], "due_on": p["due_on"],
                     "overdue": p["due_on"] < today,
                     "plans": [{"title": t.plan.title, "due_on": t.plan.due_on, "overdue": t.plan.due_on < today}
                               for t in waiting]})
    return rows


def offered_submissions(user: User, *, household=None, unit=None, on: date | None = None) -> QuerySet[Submission]:
    """The questionnaires of this household (or unit) that `user` filled on the visit's day (or the day before, for a
    visit recorded the next morning), not yet attached to a visit: the form offers them, ticked."""
    if household is None and unit is None:
        return Submission.objects.none()
    on = on or clock.today()
    start = timezone.make_aware(timezone.datetime.combine(on - timedelta(days=1), timezone.datetime.min.time()))
    end = timezone.make_aware(timezone.datetime.combine(on + timedelta(days=1), timezone.datetime.min.time()))
    qs = Submission.objects.filter(submitted_by=user, received_at__gte=start, received_at__lt=end,
                                   visits__isnull=True, superseded_by__isnull=True)
    qs = qs.filter(household=household) if household is not None else qs.filter(unit=unit)
    return qs.select_related("form_version__questionnaire").order_by("-received_at")
