"""走访记录: one transaction with its needs (source 走访, linked), its questionnaires and the plan targets it fills;
validation changes nothing; the correction keeps the old values."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import PermissionDenied, ValidationFailed
from minqing.models import Need, NeedSource, Visit, VisitEvent
from minqing.services.visits import visit_correct, visit_record
from questionnaires.models import Submission
from questionnaires.services import questionnaire_load
from questionnaires.tests.xlsforms import xlsform_bytes
from registry import services as registry_services
from registry.models import Person

from . import factories as need_factories
from . import visit_factories as f

pytestmark = pytest.mark.django_db


def submission(street, household, *, by=None):
    version = questionnaire_load(actor=street.admin, filename="basics.xlsx", content=xlsform_bytes(
        [["integer", "size", "家庭人口"]], form_id="basics"))[0]
    return Submission.objects.create(form_version=version, instance_id=f"uuid:{household.pk}-{Submission.objects.count()}",
                                     digest="x", data={"size": 2}, household=household,
                                     neighbourhood=household.neighbourhood, received_at=timezone.now(),
                                     submitted_by=by or street.cadre)


def test_a_visit_with_needs_questionnaire_and_plan_target_in_one_go(street):
    home = f.household(street)
    head = Person.objects.get(name="王秀英")
    plan = f.plan(street, households=[home])
    sub = submission(street, home)
    category = need_factories.category()
    visit = visit_record(
        actor=street.cadre, household=home, visited_on=f.today(), visitors=[street.cadre, street.grid_user],
        companions="楼组长 张阿姨", met_person=head, outcome="met", notes="老人身体尚可,反映上下楼困难",
        submissions=[sub], needs=[{"category": category, "urgency": "high", "text": "希望加装电梯"}])
    assert set(visit.visitors.all()) == {street.cadre, street.grid_user}
    assert visit.neighbourhood_id == street.neighbourhood.pk and list(visit.submissions.all()) == [sub]
    need = Need.objects.get()
    assert (need.visit_id, need.source, need.household_id, need.person_id, need.urgency) == (
        visit.pk, NeedSource.VISIT, home.pk, head.pk, "high")
    assert plan.targets.get().visit_id == visit.pk
    event = VisitEvent.objects.get(visit=visit)
    assert event.action == "visit_record" and event.payload["needs"] == [need.pk] and event.payload["plans"] == [plan.pk]


def test_validation_changes_nothing(street):
    home = f.household(street)
    other_home = f.household(street, "愚园路120弄3号202室", head="李建华")
    stranger = Person.objects.get(name="李建华")
    category = need_factories.category()
    f.plan(street, households=[home])
    cases = [
        (dict(visited_on=f.today() + timedelta(days=1)), "走访日期不能晚于今天"),
        (dict(visited_on=f.today() - timedelta(days=400)), "不能早于该户登记入底册的日期"),
        (dict(visited_on=None), "请填写走访日期"),
        (dict(visitors=[]), "至少选择一名走访人"),
        (dict(visitors=[street.handler]), "不是可以走访的在岗人员"),
        (dict(visitors=[street.other_grid_user]), "不负责该户"),
        (dict(met_person=stranger), "接待人不是该户的现有成员"),
        (dict(outcome="absent", needs=[{"category": category, "text": "加装电梯"}]), "只有见面的走访才能登记需求"),
        (dict(needs=[{"category": None, "text": "加装电梯"}]), "第1条需求:请选择有效的需求类别"),
        (dict(needs=[{"category": category, "text": "  "}, {"category": category, "text": ""}]), "请填写需求内容"),
        (dict(submissions=[submission(street, other_home)]), "不是该户的答卷"),
        (dict(outcome="maybe"), "请选择走访结果"),
        (dict(household=None), "请选择走访的一户或一个单位"),
    ]
    for kwargs, message in cases:
        fields = dict(actor=street.cadre, household=home, visited_on=f.today(), visitors=[street.cadre],
                      outcome="met")
        fields.update(kwargs)
        with pytest.raises(ValidationFailed, match=message):
            visit_record(**fields)
    assert not Visit.objects.exists() and not Need.objects.exists() and not VisitEvent.objects.filter(
        visit__isnull=False).exists()


def test_outside_the_area_or_role_is_refused(street):
    outsider = f.household(street, "康定路5号101室", nb=street.other_neighbourhood)
    with pytest.raises(PermissionDenied):
        f.visit(street, outsider)
    with pytest.raises(PermissionDenied):
        f.visit(street, f.household(street), actor=street.leader)


def test_a_visit_before_the_plan_starts_does_not_fill_it(street):
    home = f.household(street)
    later = f.plan(street, households=[home], starts_on=f.today() + timedelta(days=3))
    f.visit(street, home)
    assert later.targets.get().visit_id is None


def test_a_unit_visit(street):
    unit = registry_services.unit_create(actor=street.dispatcher, name="愚园便利店", address="愚园路130号",
                                         neighbourhood=street.neighbourhood)
    visit = visit_record(actor=street.cadre, unit=unit, visited_on=f.today(), visitors=[street.cadre], outcome="met")
    assert visit.unit_id == unit.pk and visit.neighbourhood_id == street.neighbourhood.pk


def test_correct_keeps_old_values_in_a_new_event(street):
    home = f.household(street)
    visit = f.visit(street, home, notes="初记", outcome="absent")
    with pytest.raises(ValidationFailed, match="更正原因"):
        visit_correct(actor=street.cadre, visit=visit, reason="", notes="补记")
    with pytest.raises(ValidationFailed, match="没有需要更正"):
        visit_correct(actor=street.cadre, visit=visit, reason="核对", notes="初记")
    visit_correct(actor=street.cadre, visit=visit, reason="当时见到了老人", outcome="met", notes="见到王阿姨,身体好")
    visit.refresh_from_db()
    assert (visit.outcome, visit.notes) == ("met", "见到王阿姨,身体好")
    event = VisitEvent.objects.get(visit=visit, action="visit_correct")
    assert event.payload["old"] == {"outcome": "absent", "notes": "初记"} and event.note == "当时见到了老人"
    with pytest.raises(PermissionDenied):
        visit_correct(actor=f.other_cadre(street), visit=visit, reason="x", notes="y")


def test_a_visit_made_this_morning_in_shanghai_is_not_in_the_future(street):
    """At 01:30 in Shanghai UTC is still on the day before: the visit's day is the street's."""
    from datetime import UTC, datetime, time

    from core import clock

    home = f.household(street)
    utc_now = timezone.now()
    evening = datetime.combine(utc_now.date(), time(17, 30), tzinfo=UTC)
    if evening < utc_now:
        evening += timedelta(days=1)
    with clock.frozen_at(evening):
        shanghai_day = timezone.localdate(evening)
        assert shanghai_day == evening.date() + timedelta(days=1)
        visit = visit_record(actor=street.cadre, household=home, visited_on=shanghai_day, visitors=[street.cadre],
                             outcome="absent", notes="敲门无人应答")
    assert visit.visited_on == shanghai_day
