"""Writes of 走访计划 (visit plans): creating one with its targets generated from a rule (or picked by hand),
cancelling one, and marking one done when its last target is visited. Each write is one transaction and one
VisitEvent (append-only, actor and time)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Exists, OuterRef

from core import clock
from core.errors import Conflict, PermissionDenied, ValidationFailed
from core.text import has_illegal
from org.models import Neighbourhood, Role, User
from registry.models import Household, Membership, PersonStatus, Unit, UnitStatus

from .. import policy
from ..models import PlanRule, VisitEvent, VisitPlan, VisitPlanTarget

ALONE_ELDERLY_TAG = "独居老人"  # the registry's tag (registry migration 0002) that marks a person living alone
TITLE_MAX = 100
NOTE_MAX = 300


def visit_event(*, actor: User, action: str, plan: VisitPlan | None = None, visit=None, note: str = "",
                **payload) -> VisitEvent:
    return VisitEvent.objects.create(plan=plan, visit=visit, action=action, actor=actor, at=clock.now(), note=note,
                                     payload=payload)


def check_plan_area(actor: User, neighbourhood_id: int | None, what: str = "该居民区") -> None:
    """The centre plans street-wide, a 居委干部 only for its own 居民区."""
    policy.check_role(actor, policy.PLAN_ROLES, "制定走访计划")
    if actor.role in policy.STREET_WIDE_ROLES:
        return
    if actor.role != Role.CADRE or not actor.neighbourhood_id or actor.neighbourhood_id != neighbourhood_id:
        raise PermissionDenied(f"{what}不在您负责的区域内")


def assignee_ok(user: User | None, neighbourhood: Neighbourhood) -> bool:
    """An active 居委干部 of the 居民区, or an active 网格员 of one of its 网格."""
    if user is None or not user.is_active:
        return False
    if user.role == Role.CADRE:
        return user.neighbourhood_id == neighbourhood.pk
    if user.role == Role.GRID:
        return bool(user.grid_id) and user.grid.neighbourhood_id == neighbourhood.pk
    return False


def rule_households(rule: str, neighbourhood: Neighbourhood, tag: str = ""):
    """The households a rule picks in a 居民区: a household with a current member carrying the tag (独居老人 for the
    monthly rule), or every household (yearly). One query each, no loop over households."""
    households = Household.objects.filter(neighbourhood=neighbourhood)
    if rule == PlanRule.ALL_HOUSEHOLDS_YEARLY:
        return households
    tag = ALONE_ELDERLY_TAG if rule == PlanRule.ALONE_ELDERLY_MONTHLY else tag
    tagged = Membership.objects.filter(household=OuterRef("pk"), ended_at__isnull=True,
                                       person__status=PersonStatus.ACTIVE, person__tags__name=tag)
    return households.filter(Exists(tagged))


def _text(value: str, *, field: str, label: str, limit: int, required: bool = False) -> str:
    value = (value or "").strip()
    if has_illegal(value):
        raise ValidationFailed(f"{label}含有无法保存的字符", details={"field": field})
    if required and not value:
        raise ValidationFailed(f"请填写{label}", details={"field": field})
    if len(value) > limit:
        raise ValidationFailed(f"{label}不能超过{limit}个字", details={"field": field})
    return value


def visit_plan_create(
    *, actor: User, title: str, neighbourhood: Neighbourhood | None, assignee: User | None, rule: str,
    rule_tag: str = "", starts_on: date | None, due_on: date | None, note: str = "", households=(), units=(),
) -> VisitPlan:
    """制定走访计划: its targets come from the rule (every 独居老人 household, every household, the households with a
    tagged member, every 驻区单位) or are picked by hand (`households`/`units`, each of the plan's 居民区)."""
    title = _text(title, field="title", label="计划名称", limit=TITLE_MAX, required=True)
    note = _text(note, field="note", label="说明", limit=NOTE_MAX)
    if neighbourhood is None:
        raise ValidationFailed("请选择居民区", details={"field": "neighbourhood"})
    check_plan_area(actor, neighbourhood.pk)
    if rule not in PlanRule.values:
        raise ValidationFailed("请选择生成规则", details={"field": "rule"})
    if starts_on is None:
        raise ValidationFailed("请填写开始日期", details={"field": "starts_on"})
    if due_on is None:
        raise ValidationFailed("请填写完成期限", details={"field": "due_on"})
    if due_on < starts_on:
        raise ValidationFailed("完成期限不能早于开始日期", details={"field": "due_on"})
    if not assignee_ok(assignee, neighbourhood):
        raise ValidationFailed(f"走访人须是{neighbourhood.name}在岗的居委干部或网格员", details={"field": "assignee"})
    rule_tag = (rule_tag or "").strip() if rule == PlanRule.TAGGED else ""
    if rule == PlanRule.TAGGED and not rule_tag:
        raise ValidationFailed("按标签生成时请选择标签", details={"field": "rule_tag"})
    if rule == PlanRule.MANUAL:
        household_ids = sorted({h.pk for h in households})
        unit_ids = sorted({u.pk for u in units})
        if not household_ids and not unit_ids:
            raise ValidationFailed("手工选择的计划至少要有一户或一个单位", details={"field": "households"})
        outside = (Household.objects.filter(pk__in=household_ids).exclude(neighbourhood=neighbourhood).exists()
                   or Unit.objects.filter(pk__in=unit_ids).exclude(neighbourhood=neighbourhood).exists())
        if outside:
            raise ValidationFailed(f"所选户或单位不在{neighbourhood.name}", details={"field": "households"})
    elif rule == PlanRule.UNITS_YEARLY:
        household_ids = []
        unit_ids = list(Unit.objects.filter(neighbourhood=neighbourhood).exclude(status=UnitStatus.CLOSED)
                        .order_by("pk").values_list("pk", flat=True))
        if not unit_ids:
            raise ValidationFailed(f"{neighbourhood.name}没有在册的驻区单位,无法生成计划", details={"field": "rule"})
    else:
        household_ids = list(rule_households(rule, neighbourhood, rule_tag).order_by("pk").values_list("pk", flat=True))
        unit_ids = []
        if not household_ids:
            who = {PlanRule.ALONE_ELDERLY_MONTHLY: "独居老人", PlanRule.TAGGED: f"标签为「{rule_tag}」的居民"}.get(
                rule, "户")
            raise ValidationFailed(f"{neighbourhood.name}底册中没有{who}的户,未生成计划", details={"field": "rule"})
    with transaction.atomic():
        plan = VisitPlan.objects.create(
            title=title, neighbourhood=neighbourhood, assignee=assignee, rule=rule, rule_tag=rule_tag,
            starts_on=starts_on, due_on=due_on, note=note, created_at=clock.now(), created_by=actor)
        VisitPlanTarget.objects.bulk_create(
            [VisitPlanTarget(plan=plan, household_id=pk) for pk in household_ids]
            + [VisitPlanTarget(plan=plan, unit_id=pk) for pk in unit_ids], batch_size=1000)
        visit_event(actor=actor, action="plan_create", plan=plan, rule=rule, assignee=assignee.pk,
                    households=len(household_ids), units=len(unit_ids))
    return plan


def visit_plan_cancel(*, actor: User, plan: VisitPlan, reason: str) -> VisitPlan:
    """取消计划: an active plan only; its visited targets stay as they are."""
    reason = _text(reason, field="reason", label="取消原因", limit=NOTE_MAX, required=True)
    check_plan_area(actor, plan.neighbourhood_id, what="该计划")
    with transaction.atomic():
        locked = VisitPlan.objects.select_for_update().get(pk=plan.pk)
        if locked.status != VisitPlan.Status.ACTIVE:
            raise Conflict(f"计划当前状态为「{locked.get_status_display()}」,不能取消")
        locked.status = VisitPlan.Status.CANCELLED
        locked.save(update_fields=["status"])
        visit_event(actor=actor, action="plan_cancel", plan=locked, note=reason)
    plan.status = locked.status
    return plan


def plans_mark_done(*, actor: User, plan_ids) -> list[int]:
    """完成: each active plan of `plan_ids` whose every target has a visit (called inside visit_record's transaction)."""
    done = list(VisitPlan.objects.select_for_update().filter(pk__in=set(plan_ids), status=VisitPlan.Status.ACTIVE)
                .exclude(Exists(VisitPlanTarget.objects.filter(plan=OuterRef("pk"), visit__isnull=True)))
                .values_list("pk", flat=True))
    for plan in VisitPlan.objects.filter(pk__in=done):
        plan.status = VisitPlan.Status.DONE
        plan.save(update_fields=["status"])
        visit_event(actor=actor, action="plan_done", plan=plan)
    return done
