"""Writes of needs (需求/诉求): registering one, from a visit, a questionnaire answer, a council, an import or by hand.
Each write is one transaction and one NeedEvent (append-only, actor and time)."""

from __future__ import annotations

import logging
from datetime import date

from django.db import transaction
from django.utils import timezone

from cases.models import Case
from core import clock
from core.errors import Conflict, PermissionDenied, ValidationFailed
from core.text import has_illegal
from org.models import Category, User
from org.selectors import Gazetteer
from questionnaires.models import Submission
from registry.models import Household, Membership, Person, Relation, Unit

from .. import policy
from ..models import LakeRecord, Need, NeedCategory, NeedEvent, NeedSource, NeedStatus, NeedUrgency, Visit

logger = logging.getLogger(__name__)

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
    today = timezone.localdate(clock.now())  # the street's day (Asia/Shanghai), not UTC's: 16:00 UTC is tomorrow
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


# --- 解决, 关闭 -----------------------------------------------------------------------------------------------------

CLOSED_STATUSES = frozenset({NeedStatus.RESOLVED, NeedStatus.UNRESOLVED, NeedStatus.CLOSED})
OUTCOME_MAX = 2000


def _locked(need: Need, actor: User) -> Need:
    """The need's row, locked, after the actor's role and area are checked."""
    policy.check_role(actor, policy.NEED_ROLES, "处理需求")
    locked = Need.objects.select_for_update().get(pk=need.pk)
    place = locked.household or locked.unit
    policy.check_area(actor, neighbourhood_id=locked.neighbourhood_id, grid_id=place.grid_id if place else None,
                      what="该需求")
    return locked


def _outcome_text(outcome: str, *, required: bool) -> str:
    outcome = (outcome or "").strip()
    if has_illegal(outcome):
        raise ValidationFailed("办理结果含有无法保存的字符", details={"field": "outcome"})
    if required and not outcome:
        raise ValidationFailed("请填写办理结果或关闭原因", details={"field": "outcome"})
    if len(outcome) > OUTCOME_MAX:
        raise ValidationFailed(f"办理结果不能超过{OUTCOME_MAX}个字", details={"field": "outcome"})
    return outcome


def _refresh(target: Need, source: Need) -> None:
    for f in Need._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))


def need_resolve(*, actor: User, need: Need, outcome: str, solved: bool = True) -> Need:
    """解决 (or 未能解决) a need handled without a case: what was done is kept as its outcome."""
    outcome = _outcome_text(outcome, required=True)
    with transaction.atomic():
        locked = _locked(need, actor)
        if locked.status not in (NeedStatus.OPEN,):
            raise Conflict(f"需求当前状态为「{locked.get_status_display()}」,不能直接办结"
                           + (",请在工单中办理" if locked.case_id else ""))
        locked.status = NeedStatus.RESOLVED if solved else NeedStatus.UNRESOLVED
        locked.outcome, locked.resolved_at, locked.version = outcome, clock.now(), locked.version + 1
        locked.save(update_fields=["status", "outcome", "resolved_at", "version"])
        need_event(need=locked, action="resolve" if solved else "unresolved", actor=actor, note=outcome)
    _refresh(need, locked)
    return need


def need_close(*, actor: User, need: Need, reason: str) -> Need:
    """关闭 a need that needs nothing more (重复, 居民撤回, 已自行解决 …); a need with an open case closes with it."""
    reason = _outcome_text(reason, required=True)
    with transaction.atomic():
        locked = _locked(need, actor)
        if locked.status == NeedStatus.CLOSED:
            raise Conflict("需求已关闭")
        if locked.status == NeedStatus.CASE:
            raise Conflict("需求已转工单,将随工单结案而关闭")
        locked.status, locked.version = NeedStatus.CLOSED, locked.version + 1
        if not locked.outcome:
            locked.outcome = reason
        locked.resolved_at = locked.resolved_at or clock.now()
        locked.save(update_fields=["status", "outcome", "resolved_at", "version"])
        need_event(need=locked, action="close", actor=actor, note=reason)
    _refresh(need, locked)
    return need


# --- 转工单 ---------------------------------------------------------------------------------------------------------

def case_roles() -> frozenset[str]:
    """Who may open a case from a need: the need's writers who may also 受理 (the case table decides)."""
    from cases.transitions import TRANSITIONS

    return frozenset(policy.NEED_ROLES & TRANSITIONS["register"].roles)


def need_citizen(need: Need) -> Person | None:
    """The case's 诉求人: the person who raised the need, else the household's 户主, else any current member."""
    if need.person_id:
        return need.person
    if not need.household_id:
        return None
    members = (Membership.objects.filter(household_id=need.household_id, ended_at__isnull=True)
               .select_related("person").order_by("started_at", "id"))
    heads = [m for m in members if m.relation == Relation.HEAD]
    chosen = heads[0] if heads else next(iter(members), None)
    return chosen.person if chosen else None


def _case_phone(phone: str) -> str:
    from cases.services import validate_phone

    try:
        return validate_phone(phone or "")
    except ValidationFailed:
        return ""  # a registry phone the case form would refuse: the case goes without it, the person keeps it


def need_case_category(need: Need, category: Category | None = None) -> Category | None:
    """The case's 小类: the one chosen, else the need category's mapping, else smart dispatch's first guess."""
    if category is not None:
        if not category.is_leaf:
            raise ValidationFailed("请选择小类,不能只选大类", details={"field": "category"})
        return category
    if need.category.case_category_id:
        return need.category.case_category
    suggestion = need_dispatch_suggestion(need)
    return suggestion.category.category if suggestion and suggestion.category else None


def need_dispatch_suggestion(need: Need):
    """Smart dispatch's proposal (category, place → department) for the need's text at the household's address; None
    when dispatch cannot say (no model yet, or it failed — the page still works)."""
    from dispatch.selectors import suggestion_for_text

    place = need.household or need.unit
    try:
        return suggestion_for_text(content=need.text, address=place.address if place else "", with_duplicates=False)
    except Exception:  # noqa: BLE001 - a suggestion is advice; its failure must not stop the need page
        logger.exception("dispatch suggestion failed for need %s", need.pk)
        return None


def need_open_case(
    *, actor: User, need: Need, category: Category | None = None, title: str = "", urgent: bool | None = None,
) -> Case:
    """转工单: one case through `cases.services.case_register` (source 民情走访, the need's text, the household's
    address and its person), linked to the need (status 已转工单, NeedEvent) and to the registry person (CaseLink),
    so the household's and the person's timelines show it."""
    from cases import services as case_services
    from cases.models import Source, Urgency
    from org.services import system_user
    from registry.services import case_link_decide

    roles = case_roles()
    if actor.role not in roles:
        raise PermissionDenied("您的角色不能受理工单,不能将需求转为工单;请联系受理员或派单员")
    with transaction.atomic():
        locked = _locked(need, actor)
        if locked.case_id:
            raise Conflict(f"该需求已转为工单 {locked.case.number}")
        if locked.status != NeedStatus.OPEN:
            raise Conflict(f"需求当前状态为「{locked.get_status_display()}」,不能转工单")
        case_category = need_case_category(locked, category)
        person = need_citizen(locked)
        place = locked.household or locked.unit
        urgent = locked.urgency == NeedUrgency.HIGH if urgent is None else urgent
        address = place.address if place else ""
        # The gazetteer places a known address (小区, 网格); else the household's own 居民区 and 网格 go with it.
        placed = bool(address) and Gazetteer.load().lookup(address) is not None
        case = case_services.case_register(
            actor=actor, source=Source.VISIT, title=(title or "").strip() or f"{locked.category.name}:{locked.text[:24]}",
            content=locked.text, category=case_category, address=address,
            neighbourhood=None if placed else locked.neighbourhood,
            grid=place.grid if place and place.grid_id and not placed else None,
            citizen_name=person.name if person else "", citizen_phone=_case_phone(person.phone if person else ""),
            urgency=Urgency.URGENT if urgent else Urgency.NORMAL,
        )
        locked.case, locked.status, locked.version = case, NeedStatus.CASE, locked.version + 1
        locked.save(update_fields=["case", "status", "version"])
        need_event(need=locked, action="open_case", actor=actor, note=f"转为工单 {case.number}", case=case.number,
                   case_id=case.pk, category=case_category.name if case_category else "",
                   person_id=person.pk if person else None)
        if person is not None:
            # The person is known, not guessed (picked from the registry on the need), so the link is made at once;
            # linking is a clear-data role's act, so the system account makes it on the actor's behalf.
            case_link_decide(actor=system_user(), case=case, person=person, linked=True, source="minqing")
    _refresh(need, locked)
    need.case = case
    return case


# --- what comes back from the case (minqing/listeners.py) -----------------------------------------------------------

def need_case_progress(*, need: Need, action: str, actor: User, note: str, payload: dict, case: Case) -> bool:
    """One case event on its need: 办结 → the outcome; 回访 → satisfaction and 已解决/未能解决; 结案 → 已关闭;
    重办 → back to 已转工单. False when the event means nothing to the need."""
    from cases.models import Satisfaction

    with transaction.atomic():
        locked = Need.objects.select_for_update().get(pk=need.pk)
        fields = ["version"]
        if action == "finish":
            locked.outcome = case.handling_result or note
            fields.append("outcome")
            event = ("case_handled", note, {"demand_met": payload.get("demand_met"),
                                            "explanation": payload.get("explanation", "")})
        elif action == "callback":
            solved = bool(payload.get("solved"))
            locked.status = NeedStatus.RESOLVED if solved else NeedStatus.UNRESOLVED
            locked.resolved_at = clock.now()
            fields += ["status", "resolved_at"]
            satisfaction = payload.get("satisfaction", "")
            label = Satisfaction(satisfaction).label if satisfaction in Satisfaction.values else satisfaction
            event = ("case_callback", f"回访:{label},{'已解决' if solved else '未解决'}" + (f";{note}" if note else ""),
                     {"satisfaction": satisfaction, "solved": solved})
        elif action == "close":
            locked.status = NeedStatus.CLOSED
            locked.resolved_at = locked.resolved_at or clock.now()
            fields += ["status", "resolved_at"]
            event = ("case_closed", note or "工单已结案", {})
        elif action == "reopen":
            locked.status, locked.resolved_at = NeedStatus.CASE, None
            fields += ["status", "resolved_at"]
            event = ("case_reopened", note, {})
        else:
            return False
        locked.version += 1
        locked.save(update_fields=fields)
        action_name, text, extra = event
        need_event(need=locked, action=action_name, actor=actor, note=text, case=case.number, **extra)
    return True
