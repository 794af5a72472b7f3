"""Issue-4 flow on the demo street with the demo accounts, through each role's workbench in Debian chromium:
intake → dispatch → sign → first contact → handle → callback 不满意 → 重办 → handle → callback 满意 → close,
plus a 退单 and a 延期 decided at the dispatcher's desk, and a forbidden action neither offered nor accepted."""

import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from cases import services
from cases.models import Case, Request, State
from demo.services import DEMO_PASSWORD, demo_load
from org.models import Department, User

from .conftest import screenshot
from .test_case_lifecycle_in_browser import act, expect_state

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(db):
    # A fixed demo day: the replayed backlog (which states hold cases) depends on the calendar around "now".
    demo_load(seed=11, cases=25, now=datetime(2026, 11, 24, 16, 0, tzinfo=ZoneInfo("Asia/Shanghai")))


@pytest.fixture
def login(browser, live_server):
    contexts = []

    def as_user(username: str, *, width: int = 1280, height: int = 900):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto(f"{live_server.url}/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield as_user
    for context in contexts:
        context.close()


def test_a_complaint_travels_through_every_desk_and_comes_back_satisfied(demo, login, live_server):
    intake = login("intake")
    intake.select_option("#quick-register select[name=source]", "walk_in")
    intake.fill("#quick-register textarea[name=content]", "愚园路128弄3号底楼楼道堆满纸板旧家具,堵住消防通道,多次劝说无果")
    intake.fill("#quick-register input[name=address]", "愚园路128弄3号")
    intake.locator("#address-check", has_text="金坛居民区").wait_for()  # placed while typing
    intake.fill("#category-search", "楼道堆物")
    intake.fill("#quick-register input[name=citizen_name]", "王秀英")
    intake.fill("#quick-register input[name=citizen_phone]", "13912345678")
    screenshot(intake, "demo-intake-workbench")
    intake.click("#quick-register button[type=submit]")
    intake.locator(".msg", has_text="已受理").wait_for()
    case = Case.objects.filter(created_by__username="intake").latest("id")
    assert case.category.name == "楼道堆物" and case.neighbourhood.name == "金坛居民区"
    url = f"{live_server.url}/cases/{case.pk}/"

    dispatcher = login("dispatcher")
    screenshot(dispatcher, "demo-dispatcher-workbench")
    # The demo's queue also holds the needs demo's waiting cases: find this one as a dispatcher would.
    dispatcher.goto(f"{live_server.url}/?q={case.number}")
    dispatcher.check(f"#bulk-dispatch input[name=case][value='{case.pk}']")
    dispatcher.select_option("#bulk-dispatch select[name=lead_department]", "matrix")
    dispatcher.click("#bulk-dispatch button:has-text('批量派单')")  # each row has its own 派单 button too
    dispatcher.locator(".msg", has_text=case.number).wait_for()
    case.refresh_from_db()
    lead = case.lead_department
    assert case.state == State.DISPATCHED and lead.name == "静安物业公司"

    handler = login("handler_wy")
    screenshot(handler, "demo-handler-workbench")
    handler.click(f"text={case.number}")
    act(handler, "sign")
    expect_state(handler, "已签收")
    act(handler, "record_first_contact", {"method": "phone", "outcome": "已电话联系王阿姨,约定下午上门"})
    expect_state(handler, "处置中")
    act(handler, "finish", {"result": "已上门劝导,堆物部分清理"}, checks=("demand_met",))
    expect_state(handler, "已办结")

    callback = login("callback")
    screenshot(callback, "demo-callback-workbench")
    # Its queue also holds the needs demo's finished cases, oldest first: the case is on one of its pages.
    on_a_page = False
    for number in range(1, 20):
        callback.goto(f"{live_server.url}/?page={number}")
        if callback.locator(f"text={case.number}").count() == 1:
            on_a_page = True
            break
    assert on_a_page
    callback.goto(url)
    act(callback, "callback", {"satisfaction": "unsatisfied", "solved": "false", "first_contacted": "true",
                               "remarks": "只清理了一半,通道还是堵的"})
    expect_state(callback, "已回访")
    act(callback, "reopen", {"reason": "回访不满意:通道仍堵塞,请彻底清理"})
    expect_state(callback, "已派单")

    handler.goto(url)
    act(handler, "sign")
    expect_state(handler, "已签收")
    act(handler, "record_first_contact", {"method": "visit", "outcome": "上门核实,联系居委共同做工作"})
    act(handler, "finish", {"result": "堆物已全部清运,消防通道畅通"}, checks=("demand_met",))
    expect_state(handler, "已办结")

    callback.goto(url)
    act(callback, "callback", {"satisfaction": "satisfied", "solved": "true", "first_contacted": "true",
                               "remarks": "这次彻底清理了"})
    expect_state(callback, "已回访")
    act(callback, "close")
    expect_state(callback, "已结案")

    case.refresh_from_db()
    actions = list(case.events.values_list("action", flat=True))
    assert actions == ["register", "dispatch", "sign", "record_first_contact", "finish", "callback", "reopen",
                       "sign", "record_first_contact", "finish", "callback", "close"]
    assert case.reopen_count == 1 and case.satisfaction == "satisfied"


def test_return_and_extension_are_decided_at_the_dispatchers_desk(demo, login, live_server):
    wrong = Case.objects.filter(state=State.REGISTERED, need__isnull=True).first()  # a street case, not a 民情 one
    dispatcher = login("dispatcher")
    dispatcher.goto(f"{live_server.url}/?q={wrong.number}")
    dispatcher.check(f"#bulk-dispatch input[name=case][value='{wrong.pk}']")
    dispatcher.select_option("#bulk-dispatch select[name=lead_department]", label="静安寺城管中队")
    dispatcher.click("#bulk-dispatch button:has-text('批量派单')")  # each row has its own 派单 button too
    dispatcher.locator(".msg", has_text=wrong.number).wait_for()

    chengguan = login("handler_cg")
    chengguan.goto(f"{live_server.url}/cases/{wrong.pk}/")
    act(chengguan, "request_return", {"reason": "属物业管理范围,请改派物业公司"})
    expect_state(chengguan, "退单待审")

    dispatcher.goto(f"{live_server.url}/")
    row = dispatcher.locator(f"[data-request='{wrong.requests.get().pk}']")
    row.locator("input[name=reason]").fill("同意,改派物业")
    row.locator("button[value=approve]").click()
    dispatcher.locator(".msg", has_text="退单申请已同意").wait_for()
    wrong.refresh_from_db()
    assert wrong.state == State.REGISTERED and wrong.return_count == 1

    # Set up a case the 城管中队 is handling (through the services), then ask for an extension in the browser.
    handling = Case.objects.get(pk=wrong.pk)
    cg_user = User.objects.get(username="handler_cg")
    services.case_dispatch(actor=User.objects.get(username="dispatcher"), case=handling,
                           lead_department=cg_user.department)
    services.case_sign(actor=cg_user, case=handling)
    services.case_record_first_contact(actor=cg_user, case=handling, method="phone", outcome="已联系")
    chengguan.goto(f"{live_server.url}/cases/{handling.pk}/")
    act(chengguan, "request_extension", {"reason": "需等待业委会表决后施工", "extra_days": "5"})
    pending = handling.requests.filter(kind=Request.Kind.EXTENSION, status=Request.Status.PENDING)
    for _ in range(100):  # the htmx post may still be in flight
        if pending.exists():
            break
        time.sleep(0.1)
    request = pending.get()
    dispatcher.goto(f"{live_server.url}/")
    row = dispatcher.locator(f"[data-request='{request.pk}']")
    row.locator("input[name=reason]").fill("可先行处置,不予延期")
    row.locator("button[value=reject]").click()
    dispatcher.locator(".msg", has_text="延期申请已驳回").wait_for()
    request.refresh_from_db()
    assert request.status == Request.Status.REJECTED


def test_leader_is_not_offered_handler_actions_and_a_forced_one_is_refused(demo, login, live_server):
    case = Case.objects.filter(state=State.REGISTERED).exclude(category=None).first()
    services.case_dispatch(actor=User.objects.get(username="dispatcher"), case=case,
                           lead_department=Department.objects.get(kind=Department.Kind.CHENGGUAN))
    leader = login("leader")
    screenshot(leader, "demo-leader-workbench")
    assert leader.locator(".tile").count() == 5
    leader.goto(f"{live_server.url}/cases/{case.pk}/")
    assert leader.locator("form[data-action=sign]").count() == 0
    token = leader.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    forced = leader.request.post(f"{live_server.url}/cases/{case.pk}/act/sign/",
                                 form={"csrfmiddlewaretoken": token}, headers={"Referer": leader.url})
    assert forced.status == 403
    case.refresh_from_db()
    assert case.state == State.DISPATCHED


def test_grid_patroller_workbench_fits_a_phone(demo, login):
    grid = login("grid", width=390, height=844)
    screenshot(grid, "demo-grid-workbench-phone")
    assert grid.locator("#patrol-report").is_visible()  # the short report form (issue 16)
    assert grid.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
