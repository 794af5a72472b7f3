"""十大民生 in the browser: the leader creates a project filling every field, a taken rank shows its message, a
milestone is completed and 回音 sent; a questionnaire results page draws its chart."""

import pytest

from minsheng.models import Echo, Project
from minsheng.tests.factories import household_with_head, need_of
from questionnaires.tests.test_exports import submit, version

from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def _fill(page, street, *, rank: str, title: str):
    page.fill("#id_year", "2026")
    page.fill("#id_rank", rank)
    page.fill("#id_title", title)
    page.select_option("#id_owner_department", str(street.department.pk))
    page.fill("#id_budget", "120.5")
    page.fill("#id_description", "为老旧多层住宅加装电梯")
    page.fill("#id_public_summary", "为12个门栋加装电梯")
    page.check("#id_is_public")
    page.fill("#id_milestones", "2026-03-31 完成方案设计\n2026-11-30 完成施工")


def test_create_complete_a_milestone_and_send_echo(street, page_as, live_server):
    household, _ = household_with_head(street)
    need = need_of(street, household)
    leader = page_as(street.leader)
    leader.goto(f"{live_server.url}/minsheng/projects/new/")
    _fill(leader, street, rank="1", title="老旧小区加装电梯")
    leader.click("#form-submit")
    leader.wait_for_selector("#project-facts")
    project = Project.objects.get(title="老旧小区加装电梯")
    assert (project.rank, str(project.budget), project.milestones.count()) == (1, "120.50", 2)
    assert "为12个门栋加装电梯" in leader.inner_text("#fact-summary")
    project.needs.add(need)
    # a taken rank: the form comes back with its message
    leader.goto(f"{live_server.url}/minsheng/projects/new/")
    _fill(leader, street, rank="1", title="另一个项目")
    leader.click("#form-submit")
    assert "2026年第1号项目已存在" in leader.inner_text("#form-error")
    # complete the first milestone (both fields) and send 回音
    leader.goto(f"{live_server.url}/minsheng/projects/{project.pk}/")
    form = leader.locator("form.ms-done-form").first
    form.locator("input[name=done_on]").fill("2026-03-30")
    form.locator("input[name=note]").fill("方案已通过居民征询")
    form.locator("button").click()
    leader.wait_for_selector("button.ms-echo")
    leader.click("button.ms-echo")
    leader.wait_for_selector(".messages")
    assert "告知1户" in leader.inner_text(".messages")
    assert Echo.objects.filter(project=project).count() == 1
    # sending again tells nobody twice; an open project cannot be echoed as done
    leader.click("button.ms-echo")
    leader.wait_for_selector(".messages")
    assert "未重复发送" in leader.inner_text(".messages")
    screenshot(leader, "minsheng-project")


def test_a_failed_action_shows_its_message(street, page_as, live_server):
    from minsheng.tests.factories import project as make_project

    project = make_project(street)
    leader = page_as(street.leader)
    leader.goto(f"{live_server.url}/minsheng/projects/{project.pk}/")
    leader.select_option("#id_status", "done")
    leader.fill("#id_progress", "50")
    leader.fill("#id_note", "试图以50%完成")
    leader.click("#status-submit")
    assert "项目完成时进度须为100%" in leader.inner_text("#action-error")


def test_results_page_draws_its_chart(street, page_as, live_server):
    v = version(street)
    submit(street, v, {"elderly": "yes", "needs": ["care"]}, 1)
    submit(street, v, {"elderly": "no"}, 2)
    leader = page_as(street.leader)
    leader.goto(f"{live_server.url}/questionnaires/results/{v.pk}/")
    leader.wait_for_selector(".result-chart[data-rendered='1'] canvas")
    screenshot(leader, "questionnaire-results")
