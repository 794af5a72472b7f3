"""走访计划: targets generated from the rules, validation, cancel, done when all targets are visited, history."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.errors import Conflict, PermissionDenied, ValidationFailed
from minqing.models import PlanRule, VisitEvent, VisitPlan
from minqing.services.plans import visit_plan_cancel, visit_plan_create
from org.models import Role
from org.tests.factories import UserFactory
from registry import services as registry_services

from . import visit_factories as f

pytestmark = pytest.mark.django_db


def create(street, **kwargs):
    fields = dict(actor=street.cadre, title="走访计划", neighbourhood=street.neighbourhood, assignee=street.cadre,
                  rule=PlanRule.ALONE_ELDERLY_MONTHLY, starts_on=f.today(), due_on=f.today() + timedelta(days=30))
    fields.update(kwargs)
    return visit_plan_create(**fields)


def test_alone_elderly_rule_picks_the_households_with_a_current_alone_elderly_member(street):
    alone = f.alone_elderly(street)
    f.household(street, "愚园路120弄3号202室", head="李建华")
    f.household(street, "康定路5号101室", tags=["独居老人"], nb=street.other_neighbourhood)  # another 居民区
    plan = create(street)
    assert [t.household_id for t in plan.targets.all()] == [alone.pk]
    event = VisitEvent.objects.get(plan=plan)
    assert (event.action, event.actor_id, event.payload["households"]) == ("plan_create", street.cadre.pk, 1)


def test_all_households_tagged_and_units_rules(street):
    a = f.household(street)
    b = f.household(street, "愚园路120弄3号202室", head="李建华", tags=["残疾"])
    assert {t.household_id for t in create(street, rule=PlanRule.ALL_HOUSEHOLDS_YEARLY).targets.all()} == {a.pk, b.pk}
    assert [t.household_id for t in create(street, rule=PlanRule.TAGGED, rule_tag="残疾").targets.all()] == [b.pk]
    unit = registry_services.unit_create(actor=street.dispatcher, name="便利店", address="愚园路130号",
                                         neighbourhood=street.neighbourhood)
    assert [t.unit_id for t in create(street, rule=PlanRule.UNITS_YEARLY).targets.all()] == [unit.pk]


def test_a_rule_that_finds_nobody_is_a_clear_error(street):
    f.household(street)
    with pytest.raises(ValidationFailed, match="没有独居老人"):
        create(street)
    with pytest.raises(ValidationFailed, match="没有标签为「低保/困难家庭」的居民"):
        create(street, rule=PlanRule.TAGGED, rule_tag="低保/困难家庭")
    with pytest.raises(ValidationFailed, match="没有在册的驻区单位"):
        create(street, rule=PlanRule.UNITS_YEARLY)
    assert not VisitPlan.objects.exists()


def test_validation_changes_nothing(street):
    h = f.alone_elderly(street)
    outsider = f.household(street, "康定路5号101室", nb=street.other_neighbourhood)
    cases = [
        (dict(due_on=f.today() - timedelta(days=1)), "完成期限不能早于开始日期"),
        (dict(assignee=street.handler), "在岗的居委干部或网格员"),
        (dict(assignee=f.other_cadre(street)), "在岗的居委干部或网格员"),
        (dict(assignee=UserFactory(username="gone", role=Role.CADRE, neighbourhood=street.neighbourhood,
                                   is_active=False)), "在岗"),
        (dict(rule=PlanRule.MANUAL), "至少要有一户"),
        (dict(rule=PlanRule.MANUAL, households=[outsider]), "不在金坛居民区"),
        (dict(rule=PlanRule.TAGGED), "请选择标签"),
        (dict(title=" "), "请填写计划名称"),
        (dict(starts_on=None), "请填写开始日期"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ValidationFailed, match=message):
            create(street, **kwargs)
    assert not VisitPlan.objects.exists() and not VisitEvent.objects.exists()
    # a 网格员 of the 居民区 may be the assignee; manual picks keep exactly the chosen households
    plan = create(street, assignee=street.grid_user, rule=PlanRule.MANUAL, households=[h])
    assert plan.targets.count() == 1


def test_permissions_plan_roles_and_a_cadre_only_its_neighbourhood(street):
    f.alone_elderly(street)
    with pytest.raises(PermissionDenied):
        create(street, actor=street.grid_user)
    with pytest.raises(PermissionDenied):
        create(street, actor=street.leader)
    other = f.other_cadre(street)
    with pytest.raises(PermissionDenied, match="不在您负责的区域内"):
        create(street, actor=other)
    assert create(street, actor=street.dispatcher).created_by == street.dispatcher


def test_cancel_writes_an_event_and_only_once(street):
    plan = create(street, rule=PlanRule.MANUAL, households=[f.household(street)])
    with pytest.raises(ValidationFailed, match="取消原因"):
        visit_plan_cancel(actor=street.cadre, plan=plan, reason="")
    with pytest.raises(PermissionDenied):
        visit_plan_cancel(actor=f.other_cadre(street), plan=plan, reason="重复")
    visit_plan_cancel(actor=street.cadre, plan=plan, reason="与上月计划重复")
    plan.refresh_from_db()
    assert plan.status == VisitPlan.Status.CANCELLED
    assert VisitEvent.objects.filter(plan=plan, action="plan_cancel", note="与上月计划重复").count() == 1
    with pytest.raises(Conflict):
        visit_plan_cancel(actor=street.cadre, plan=plan, reason="再取消")


def test_a_plan_is_done_when_all_its_targets_are_visited(street):
    a, b = f.household(street), f.household(street, "愚园路120弄3号202室", head="李建华")
    plan = f.plan(street, households=[a, b])
    f.visit(street, a)
    plan.refresh_from_db()
    assert plan.status == VisitPlan.Status.ACTIVE
    f.visit(street, b, outcome="absent")
    plan.refresh_from_db()
    assert plan.status == VisitPlan.Status.DONE
    assert VisitEvent.objects.filter(plan=plan, action="plan_done").count() == 1
    # a cancelled plan's targets are not filled by later visits
    cancelled = f.plan(street, households=[a], title="取消的计划")
    visit_plan_cancel(actor=street.cadre, plan=cancelled, reason="不需要")
    f.visit(street, a)
    assert cancelled.targets.get().visit_id is None
