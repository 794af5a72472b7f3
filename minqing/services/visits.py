"""Writes of 走访记录 (visits): recording one — with the needs raised in it (through need_create, source 走访), the
questionnaires filled during it, and the plan targets it fulfils — and correcting its outcome or notes. Each write
is one transaction and one VisitEvent (append-only); a correction keeps the old values in the event's payload."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from core import clock
from core.errors import ValidationFailed
from core.text import has_illegal
from org.models import User
from registry.models import Household, Person, Unit

from .. import policy
from ..models import NeedCategory, NeedSource, NeedUrgency, Visit, VisitOutcome, VisitPlan, VisitPlanTarget
from .needs import need_create
from .plans import plans_mark_done, visit_event

NOTES_MAX = 4000
COMPANIONS_MAX = 200
NEEDS_MAX = 20


def _text(value: str, *, field: str, label: str, limit: int) -> str:
    value = (value or "").strip()
    if has_illegal(value):
        raise ValidationFailed(f"{label}含有无法保存的字符", details={"field": field})
    if len(value) > limit:
        raise ValidationFailed(f"{label}不能超过{limit}个字", details={"field": field})
    return value


def _check_visitors(visitors: list[User], place) -> None:
    if not visitors:
        raise ValidationFailed("请至少选择一名走访人", details={"field": "visitors"})
    for user in visitors:
        name = user.display_name or user.username
        if not user.is_active or user.role not in policy.VISIT_ROLES:
            raise ValidationFailed(f"{name}不是可以走访的在岗人员", details={"field": "visitors"})
        if not policy.in_scope(user, neighbourhood_id=place.neighbourhood_id, grid_id=place.grid_id):
            raise ValidationFailed(f"{name}不负责该户/单位所在区域,不能作为走访人", details={"field": "visitors"})


def _check_needs(needs: list[dict], outcome: str) -> list[dict]:
    rows = [n for n in needs if (n.get("text") or "").strip() or n.get("category")]
    if rows and outcome != VisitOutcome.MET:
        raise ValidationFailed("只有见面的走访才能登记需求", details={"field": "needs"})
    if len(rows) > NEEDS_MAX:
        raise ValidationFailed(f"一次走访最多登记{NEEDS_MAX}条需求", details={"field": "needs"})
    checked = []
    for i, row in enumerate(rows, start=1):
        category = row.get("category")
        if not isinstance(category, NeedCategory):
            category = NeedCategory.objects.filter(pk=category, is_active=True).first() if category else None
        if category is None or not category.is_active:
            raise ValidationFailed(f"第{i}条需求:请选择有效的需求类别", details={"field": "needs"})
        urgency = row.get("urgency") or NeedUrgency.LOW
        if urgency not in NeedUrgency.values:
            raise ValidationFailed(f"第{i}条需求:紧急程度不正确", details={"field": "needs"})
        if not (row.get("text") or "").strip():
            raise ValidationFailed(f"第{i}条需求:请填写需求内容", details={"field": "needs"})
        checked.append({"category": category, "urgency": urgency, "text": row["text"]})
    return checked


def visit_record(
    *, actor: User, household: Household | None = None, unit: Unit | None = None, visited_on: date | None,
    visitors=(), companions: str = "", met_person: Person | None = None, outcome: str, notes: str = "",
    submissions=(), needs=(),
) -> Visit:
    """登记走访: the visit, its needs and its questionnaires in one transaction; the open plan targets of that
    household or unit (in active plans that have started by the visit's date) are fulfilled by it, and a plan whose
    last target this was is marked done."""
    policy.check_role(actor, policy.VISIT_ROLES, "登记走访")
    if (household is None) == (unit is None):
        raise ValidationFailed("请选择走访的一户或一个单位", details={"field": "household"})
    place = household or unit
    policy.check_area(actor, neighbourhood_id=place.neighbourhood_id, grid_id=place.grid_id, what="该户/单位")
    today = clock.today()
    if visited_on is None:
        raise ValidationFailed("请填写走访日期", details={"field": "visited_on"})
    if visited_on > today:
        raise ValidationFailed("走访日期不能晚于今天", details={"field": "visited_on"})
    existed = timezone.localtime(place.created_at).date() if place.created_at else None
    if existed and visited_on < existed:
        raise ValidationFailed(f"走访日期不能早于该{'户' if household else '单位'}登记入底册的日期({existed})",
                               details={"field": "visited_on"})
    if outcome not in VisitOutcome.values:
        raise ValidationFailed("请选择走访结果(见面/未遇/拒访)", details={"field": "outcome"})
    visitors = list(dict.fromkeys(visitors))
    _check_visitors(visitors, place)
    companions = _text(companions, field="companions", label="同行人员", limit=COMPANIONS_MAX)
    notes = _text(notes, field="notes", label="走访情况", limit=NOTES_MAX)
    if met_person is not None:
        if outcome != VisitOutcome.MET:
            raise ValidationFailed("未见面的走访不能填写接待人", details={"field": "met_person"})
        if household is None or not met_person.memberships.filter(household=household,
                                                                  ended_at__isnull=True).exists():
            raise ValidationFailed("接待人不是该户的现有成员", details={"field": "met_person"})
    submissions = list(dict.fromkeys(submissions))
    for s in submissions:
        if (household is not None and s.household_id != household.pk) or (unit is not None and s.unit_id != unit.pk):
            raise ValidationFailed(f"问卷 #{s.pk} 不是该{'户' if household else '单位'}的答卷",
                                   details={"field": "submissions"})
    need_rows = _check_needs(list(needs), outcome)
    with transaction.atomic():
        visit = Visit.objects.create(
            visited_on=visited_on, household=household, unit=unit, neighbourhood_id=place.neighbourhood_id,
            companions=companions, met_person=met_person, outcome=outcome, notes=notes, created_at=clock.now(),
            created_by=actor)
        visit.visitors.set(visitors)
        if submissions:
            visit.submissions.set(submissions)
        created = [need_create(actor=actor, category=n["category"], urgency=n["urgency"], text=n["text"],
                               source=NeedSource.VISIT, visit=visit, person=met_person, raised_on=visited_on)
                   for n in need_rows]
        targets = VisitPlanTarget.objects.select_for_update().filter(
            visit__isnull=True, plan__status=VisitPlan.Status.ACTIVE, plan__starts_on__lte=visited_on,
            **({"household": household} if household else {"unit": unit}))
        plan_ids = list(targets.values_list("plan_id", flat=True))
        targets.update(visit=visit)
        visit_event(actor=actor, action="visit_record", visit=visit, outcome=outcome,
                    visitors=[u.pk for u in visitors], needs=[n.pk for n in created],
                    submissions=[s.pk for s in submissions], plans=plan_ids)
        plans_mark_done(actor=actor, plan_ids=plan_ids)
    return visit


def visit_correct(*, actor: User, visit: Visit, reason: str, outcome: str | None = None,
                  notes: str | None = None) -> Visit:
    """更正走访: the outcome or the notes, by whoever may visit in the visit's area; the old values stay in the
    event's payload, the reason in its note."""
    policy.check_role(actor, policy.VISIT_ROLES, "更正走访记录")
    place = visit.household or visit.unit
    policy.check_area(actor, neighbourhood_id=visit.neighbourhood_id, grid_id=place.grid_id, what="该走访")
    reason = _text(reason, field="reason", label="更正原因", limit=300)
    if not reason:
        raise ValidationFailed("请填写更正原因", details={"field": "reason"})
    changes: dict = {}
    if outcome is not None and outcome != visit.outcome:
        if outcome not in VisitOutcome.values:
            raise ValidationFailed("走访结果不正确", details={"field": "outcome"})
        if outcome != VisitOutcome.MET and visit.needs.exists():
            raise ValidationFailed("该走访已登记需求,结果只能是见面", details={"field": "outcome"})
        changes["outcome"] = outcome
    if notes is not None:
        notes = _text(notes, field="notes", label="走访情况", limit=NOTES_MAX)
        if notes != visit.notes:
            changes["notes"] = notes
    if not changes:
        raise ValidationFailed("没有需要更正的内容", details={"field": "notes"})
    with transaction.atomic():
        locked = Visit.objects.select_for_update().get(pk=visit.pk)
        old = {field: getattr(locked, field) for field in changes}
        if "outcome" in changes and changes["outcome"] != VisitOutcome.MET and locked.met_person_id:
            old["met_person"] = locked.met_person_id
            locked.met_person = None
            changes["met_person"] = None
        for field, value in changes.items():
            setattr(locked, field, value)
        locked.save(update_fields=list(changes))
        visit_event(actor=actor, action="visit_correct", visit=locked, note=reason, old=old,
                    new=changes)
    for field in changes:
        setattr(visit, field, getattr(locked, field))
    return visit
