from datetime import date

import pytest

from core.errors import Conflict, PermissionDenied, ValidationFailed
from minsheng.models import Milestone, Project, ProjectEvent, Theme, ThemeMember
from minsheng.services import projects as services

from .factories import household_with_head, need_of, project


def test_project_create_writes_project_milestones_and_one_event(street):
    p = project(street)
    assert (p.year, p.rank, str(p.budget)) == (2026, 1, "120.50")
    assert list(p.milestones.values_list("title", flat=True)) == ["完成方案设计", "完成施工"]
    event = ProjectEvent.objects.get(project=p)
    assert (event.action, event.actor_id, event.changes["milestones"]) == ("create", street.leader.pk, 2)


def test_bad_input_changes_nothing(street):
    for kwargs, message in [
        ({"rank": 11}, "序号"), ({"rank": 0}, "序号"), ({"title": " "}, "项目名称"), ({"budget": "-1"}, "预算"),
        ({"budget": "abc"}, "预算"), ({"year": 1800}, "年度"),
        ({"milestones": [{"title": "", "due_on": date(2026, 1, 1)}]}, "节点名称"),
        ({"milestones": [{"title": "x", "due_on": "bad"}]}, "计划日期"),
        ({"public_summary": "x" * 301}, "公开说明"),
    ]:
        with pytest.raises(ValidationFailed, match=message):
            project(street, **kwargs)
    assert not Project.objects.exists() and not ProjectEvent.objects.exists() and not Milestone.objects.exists()


def test_a_taken_rank_is_refused_in_chinese(street):
    project(street)
    with pytest.raises(Conflict, match="2026年第1号项目已存在"):
        project(street, title="另一项目")
    assert Project.objects.count() == 1
    project(street, year=2025)  # the same rank in another year is fine


def test_only_project_roles_create(street):
    with pytest.raises(PermissionDenied):
        project(street, actor=street.cadre)


def test_from_a_theme_its_needs_and_cases_are_linked(street):
    household, person = household_with_head(street)
    need = need_of(street, household)
    case = street.new_case()
    theme = Theme.objects.create(name="加装电梯", created_at=street.leader.date_joined,
                                 updated_at=street.leader.date_joined)
    ThemeMember.objects.create(theme=theme, kind="need", need=need, household=household)
    ThemeMember.objects.create(theme=theme, kind="case", case=case)
    p = project(street, theme=theme)
    assert list(p.needs.all()) == [need] and list(p.cases.all()) == [case]
    services.project_link(actor=street.leader, project=p, remove_needs=[need])
    assert not p.needs.exists()
    assert ProjectEvent.objects.filter(project=p, action="link").count() == 1


def test_update_records_before_and_after_and_checks_the_version(street):
    p = project(street)
    updated = services.project_update(actor=street.dispatcher, project=p, version=p.version, title="加装电梯二期",
                                      budget="200")
    assert updated.version == p.version + 1
    event = ProjectEvent.objects.filter(project=p, action="update").get()
    assert event.changes["title"] == ["老旧小区加装电梯", "加装电梯二期"]
    assert event.changes["budget"] == ["120.50", "200.00"]
    with pytest.raises(Conflict, match="已被他人修改"):
        services.project_update(actor=street.dispatcher, project=p, version=p.version, title="旧版本的修改")
    assert Project.objects.get(pk=p.pk).title == "加装电梯二期"


def test_update_to_a_taken_rank_changes_nothing(street):
    project(street)
    second = project(street, rank=2, title="菜场改造")
    with pytest.raises(Conflict, match="第1号项目已存在"):
        services.project_update(actor=street.leader, project=second, version=second.version, rank=1)
    assert Project.objects.get(pk=second.pk).rank == 2
    assert not ProjectEvent.objects.filter(project=second, action="update").exists()


def test_status_and_progress_are_validated(street):
    p = project(street)
    for kwargs, message in [({"progress": 101}, "进度"), ({"progress": -1}, "进度"), ({"status": "bad"}, "状态"),
                            ({"status": "done", "progress": 50}, "100")]:
        with pytest.raises(ValidationFailed, match=message):
            services.project_set_status(actor=street.leader, project=p, **kwargs)
    assert not ProjectEvent.objects.filter(project=p, action="status").exists()
    p = services.project_set_status(actor=street.leader, project=p, status="in_progress", progress=40)
    assert (p.status, p.progress) == ("in_progress", 40)
    assert ProjectEvent.objects.get(project=p, action="status").changes["progress"] == [0, 40]
    p = services.project_set_status(actor=street.leader, project=p, status="done")
    assert p.progress == 100


def test_milestones_add_update_complete(street):
    p = project(street)
    m = services.milestone_add(actor=street.leader, project=p, title="竣工验收", due_on=date(2026, 11, 30))
    assert m.order == 2
    services.milestone_update(actor=street.leader, milestone=m, title="竣工验收", due_on=date(2026, 12, 15))
    with pytest.raises(ValidationFailed, match="不能晚于今天"):
        services.milestone_complete(actor=street.leader, milestone=m, done_on=date(2999, 1, 1))
    done = services.milestone_complete(actor=street.leader, milestone=m, done_on=date(2026, 1, 2), note="已验收")
    assert (done.done_on, done.note) == (date(2026, 1, 2), "已验收")
    with pytest.raises(Conflict, match="已于"):
        services.milestone_complete(actor=street.leader, milestone=m)
    actions = list(ProjectEvent.objects.filter(project=p).values_list("action", flat=True))
    assert actions == ["create", "milestone_add", "milestone_update", "milestone_done"]
