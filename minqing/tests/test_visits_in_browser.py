"""民情走访 in Chromium at 390×844 (a cadre's phone): a plan made by hand with the household picker, 今日走访, a visit
recorded with every field (two visitors, companions, the person met, notes, a need row added with htmx), and a failed
save (a future date) showing its message in the page."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chengyun.tests.browser.conftest import browser, page_as, screenshot  # noqa: F401 — the shared Chromium fixtures
from minqing.models import Need, Visit, VisitPlan

from . import factories as need_factories
from . import visit_factories as f

pytestmark = pytest.mark.django_db(transaction=True)


def test_plan_then_visit_on_a_phone(street, page_as, live_server):  # noqa: F811
    home = f.alone_elderly(street)
    category = need_factories.category()
    need_factories.category("养老服务")
    page = page_as(street.cadre, width=390, height=844)
    base = live_server.url

    # 制定计划: every field, the household found with the picker
    page.goto(f"{base}/minqing/visits/plans/new/")
    page.fill("#plan-title", "十二月独居老人走访")
    page.select_option("#plan-neighbourhood", str(street.neighbourhood.pk))
    page.select_option("#plan-assignee", str(street.cadre.pk))
    page.select_option("#plan-rule", "manual")
    page.select_option("#plan-tag", "独居老人")
    page.fill("#pick-plan-pick", "愚园路")
    page.click(f"#pick-results-plan-pick [data-pick='H{home.pk}']")
    assert page.input_value("#plan-pick") == f"H{home.pk}"
    page.fill("#plan-households", page.input_value("#plan-pick"))
    page.fill("#plan-starts", f.today().isoformat())
    page.fill("#plan-due", (f.today() + timedelta(days=20)).isoformat())
    page.fill("#plan-note", "重点关注冬季取暖")
    page.click("#plan-submit")
    page.wait_for_selector("#plan-card")
    assert "共 1 个走访对象" in page.content()
    plan = VisitPlan.objects.get()

    # 今日走访 → 登记走访
    page.goto(f"{base}/minqing/visits/")
    assert page.locator("#target-list li").count() == 1
    screenshot(page, "minqing-visits-today-390")
    page.click("#target-list a.button")
    page.wait_for_selector("#visit-form")

    # a failed save: a future date, its message in the page, nothing saved
    page.fill("#visit-date", (f.today() + timedelta(days=2)).isoformat())
    page.select_option("#visit-outcome", "met")
    page.click("#visit-submit")
    page.wait_for_selector("#visit-form-error")
    assert "走访日期不能晚于今天" in page.inner_text("#visit-form-error")
    screenshot(page, "minqing-visit-form-error-390")
    assert not Visit.objects.exists()

    # every field
    page.fill("#visit-date", f.today().isoformat())
    page.check(f"#visit-visitors input[value='{street.grid_user.pk}']")
    assert page.is_checked(f"#visit-visitors input[value='{street.cadre.pk}']")
    page.fill("#visit-companions", "楼组长张阿姨")
    page.select_option("#visit-outcome", "met")
    page.select_option("#visit-met-person", label="王秀英")
    page.fill("#visit-notes", "老人身体尚可,家中取暖器老化")
    page.click("#add-need")
    rows = page.locator("#need-rows .need-row")
    rows.nth(1).wait_for()
    assert rows.count() == 2
    rows.nth(0).locator("select[name=need_category]").select_option(str(category.pk))
    rows.nth(0).locator("select[name=need_urgency]").select_option("high")
    rows.nth(0).locator("textarea[name=need_text]").fill("希望加装电梯")
    rows.nth(1).locator("select[name=need_category]").select_option(label="养老服务")
    rows.nth(1).locator("select[name=need_urgency]").select_option("medium")
    rows.nth(1).locator("textarea[name=need_text]").fill("更换取暖器")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "minqing-visit-form-390")
    page.click("#visit-submit")
    page.wait_for_selector("#visit-card")
    assert "楼组长张阿姨" in page.inner_text("#visit-companions")
    assert "希望加装电梯" in page.inner_text("#visit-needs") and "更换取暖器" in page.inner_text("#visit-needs")
    visit = Visit.objects.get()
    assert set(visit.visitors.all()) == {street.cadre, street.grid_user} and visit.met_person.name == "王秀英"
    assert Need.objects.filter(visit=visit).count() == 2
    plan.refresh_from_db()
    assert plan.status == VisitPlan.Status.DONE
    page.goto(f"{base}/minqing/visits/plans/{plan.pk}/")
    assert "已完成" in page.inner_text("#plan-status") and "计划完成" in page.inner_text("#plan-history")
