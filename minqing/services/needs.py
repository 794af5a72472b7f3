"""Writes of needs (需求/诉求): registering one, from a visit, a questionnaire answer, a council, an import or by hand.
Each write is one transaction and one NeedEvent (append-only, actor and time)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from core import clock
from core.errors import ValidationFailed
from core.text import has_illegal
from org.models import User
from questionnaires.models import Submission
from registry.models import Household, Person, Unit

from .. import policy
from ..models import LakeRecord, Need, NeedCategory, NeedEvent, NeedSource, NeedUrgency, Visit

NEED_TEXT_MAX = 2000


def need_event(*, need: Need, action: str, actor: User, note: str = "", **payload) -> NeedEvent:
    return NeedEvent.objects.create(need=need, action=action, actor=actor, at=clock.now(), note=note, payload=payload)


def need_create(
    *, actor: User, category: NeedCategory, text: str, source: str, urgency: str = NeedUrgency.LOW,
    household: Household | None = None, unit: Unit | None = None, person: Person | None = None,
    visit: Visit | None = None, submission: Submission | None = None, lake_record: LakeRecord | None = None,
    raised_on: date | None = None,
) -> Need:
    """登记需求: a need of a household or unit in the actor's area (or of the street when neither, e.g. a council's)."""
    policy.check_role(actor, policy.NEED_ROLES, "登记需求")
    text = (text or "").strip()
    if has_illegal(text):
        raise ValidationFailed("需求内容含有无法保存的字符", details={"field": "text"})
    if not text:
        raise ValidationFailed("请填写需求内容", details={"field": "text"})
    if len(text) > NEED_TEXT_MAX:
        raise ValidationFailed(f"需求内容不能超过{NEED_TEXT_MAX}个字", details={"field": "text"})
    if category is None or not category.is_active:
        raise ValidationFailed("请选择有效的需求类别", details={"field": "category"})
    if source not in NeedSource.values:
        raise ValidationFailed("需求来源不正确", details={"field": "source"})
    if urgency not in NeedUrgency.values:
        raise ValidationFailed("紧急程度不正确", details={"field": "urgency"})
    if household is not None and unit is not None:
        raise ValidationFailed("需求只能属于一户或一个单位", details={"field": "unit"})
    if visit is not None:
        household, unit = household or visit.household, unit or visit.unit
    place = household or unit
    neighbourhood_id = place.neighbourhood_id if place else getattr(actor, "neighbourhood_id", None)
    grid_id = place.grid_id if place else None
    policy.check_area(actor, neighbourhood_id=neighbourhood_id, grid_id=grid_id, what="该户/单位")
    today = clock.now().date()
    raised_on = raised_on or (visit.visited_on if visit else today)
    if raised_on > today:
        raise ValidationFailed("提出日期不能晚于今天", details={"field": "raised_on"})
    with transaction.atomic():
        need = Need.objects.create(
            category=category, urgency=urgency, text=text, household=household, unit=unit, person=person,
            neighbourhood_id=neighbourhood_id, source=source, visit=visit, submission=submission,
            lake_record=lake_record, raised_on=raised_on, created_at=clock.now(), created_by=actor,
        )
        need_event(need=need, action="create", actor=actor, category=category.name, source=source)
    return need
