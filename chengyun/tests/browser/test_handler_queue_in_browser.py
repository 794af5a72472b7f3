"""The handler's desk and case in Chromium (issue 16): what is due now on top, real red/amber with a live countdown,
tabs and filters; 办结 with photos (thumbnails before sending) and a confirmation; actions first and tap-to-call on a
phone; length counters that refuse an over-long paste. Desktop 1440×900 and phone 390×844."""

from datetime import timedelta

import pytest

from audit.models import AuditEntry
from cases.models import Attachment, Case, State
from core import clock
from core.testing import tiny_png

from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)
RED, AMBER = "rgb(198, 40, 40)", "rgb(178, 106, 0)"


def colour(page, selector: str) -> str:
    return page.locator(selector).first.evaluate("e => getComputedStyle(e).color")


def background(page, selector: str) -> str:
    return page.locator(selector).first.evaluate("e => getComputedStyle(e).backgroundColor")


@pytest.fixture
def desk(street):
    """22 cases in 处置中 due over the coming weeks, one overdue, one due in ten minutes, one just dispatched due for
    签收 in two hours (its 办结 deadline far away), one urgent in another 居民区."""
    now = clock.now()
    working = [street.handling_case() for _ in range(22)]
    for days, case in enumerate(working, start=3):
        Case.objects.filter(pk=case.pk).update(handle_deadline=now + timedelta(days=days))
    late, soon = street.handling_case(), street.handling_case()
    Case.objects.filter(pk=late.pk).update(handle_deadline=now - timedelta(hours=5))
    Case.objects.filter(pk=soon.pk).update(handle_deadline=now + timedelta(minutes=10))
    fresh = street.dispatched_case()
    Case.objects.filter(pk=fresh.pk).update(sign_deadline=now + timedelta(hours=2),
                                            handle_deadline=now + timedelta(days=60))
    urgent = street.dispatched_case(urgency="urgent", content="新码居民区路口井盖缺失,夜间危险")
    Case.objects.filter(pk=urgent.pk).update(neighbourhood=street.other_neighbourhood,
                                             sign_deadline=now + timedelta(days=1))
    return {"late": late, "soon": soon, "fresh": fresh, "urgent": urgent}


@pytest.mark.parametrize("width,height,name", [(1440, 900, "handler-main"), (390, 844, "handler-main-phone")])
def test_handler_queue_due_now_first_in_real_red_and_amber(street, desk, page_as, live_server, width, height, name):
    page = page_as(street.handler, width=width, height=height)
    page.clock.install()
    page.goto(f"{live_server.url}/")
    rows = page.locator("table.cases tbody tr")
    assert rows.count() == 20
    assert rows.nth(0).get_attribute("data-case") == desk["late"].number  # overdue first
    assert rows.nth(1).get_attribute("data-case") == desk["soon"].number
    assert rows.nth(2).get_attribute("data-case") == desk["fresh"].number  # 签收 due in 2 h: page 1, not page 8
    late, soon = f'tr[data-case="{desk["late"].number}"]', f'tr[data-case="{desk["soon"].number}"]'
    assert colour(page, f"{late} .deadline") == RED and colour(page, f"{soon} .deadline") == AMBER
    assert background(page, late) == "rgb(253, 236, 234)" and background(page, soon) == "rgb(255, 243, 224)"
    assert colour(page, ".legend .deadline.overdue") == RED and colour(page, ".legend .deadline.near") == AMBER
    assert page.locator(f"{late} .countdown").inner_text().startswith("超时 5 小时")
    assert page.locator(f"{soon} .countdown").inner_text().startswith("剩 ")
    screenshot(page, name)
    # The countdown lives: eleven minutes on, the case due in ten is overdue and red, without a reload.
    page.clock.fast_forward("11:00")
    page.wait_for_function(
        f"document.querySelector('{soon} .countdown').textContent.indexOf('超时') === 0")
    assert colour(page, f"{soon} .deadline") == RED
    assert "due-overdue" in page.locator(soon).get_attribute("class")


def test_tabs_and_every_filter(street, desk, page_as, live_server):
    page = page_as(street.handler, width=1440, height=900)
    page.goto(f"{live_server.url}/")
    assert page.locator('[data-tab=sign] .count').inner_text() == "2"
    assert page.locator('[data-tab=working] .count').inner_text() == "24"
    assert page.locator('[data-tab=suspended] .count').inner_text() == "0"
    page.click("[data-tab=sign]")
    page.wait_for_url("**/?tab=sign")
    shown = page.locator("table.cases tbody tr").evaluate_all("rows => rows.map(r => r.dataset.case)")
    assert shown == [desk["fresh"].number, desk["urgent"].number]
    assert page.locator("[data-tab=sign]").get_attribute("aria-current") == "page"
    # Every filter filled: keyword, 居民区, 类别, 仅紧急, 仅超时 (nothing urgent in 新码 is overdue).
    page.get_by_label("关键词").fill("井盖")
    page.get_by_label("居民区").select_option(str(street.other_neighbourhood.pk))
    page.get_by_label("类别").select_option(str(street.category.pk))
    page.get_by_label("仅紧急").check()
    page.get_by_label("仅超时").check()
    page.click("#handler-filters button[type=submit]")
    page.locator(".empty", has_text="本单位暂无待处置的工单").wait_for()
    page.get_by_label("仅超时").uncheck()
    page.click("#handler-filters button[type=submit]")
    page.locator(f'tr[data-case="{desk["urgent"].number}"]').wait_for()
    assert page.locator("table.cases tbody tr").count() == 1
    assert "tab=sign" in page.url  # the tab is kept with the filters


def test_finish_with_photos_previewed_and_confirmed(street, page_as, live_server):
    case = street.handling_case()
    page = page_as(street.handler, width=1440, height=900)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    form = page.locator("form[data-action=finish]")
    form.locator("xpath=..").locator("summary").click()
    result = form.locator("[name=result]")
    result.fill("堆物已全部清运,消防通道恢复畅通")
    assert form.locator(".char-count").first.inner_text() == "16 / 5000 字"
    form.locator("[name=demand_met]").uncheck()
    form.locator("[name=explanation]").fill("部分杂物属于业主自用,已约定周末自行搬离")
    form.locator("[name=photos]").set_input_files([
        {"name": "清理前.png", "mimeType": "image/png", "buffer": tiny_png((200, 40, 40), (40, 30))},
        {"name": "清理后.png", "mimeType": "image/png", "buffer": tiny_png((30, 160, 60), (40, 30))},
    ])
    thumbs = page.locator("#finish-thumbs img")
    assert thumbs.count() == 2
    page.wait_for_function("[...document.querySelectorAll('#finish-thumbs img')].every(i => i.naturalWidth === 40)")
    # The confirmation step: nothing is sent until 确认办结; 返回修改 goes back.
    form.locator("[data-confirm-step]").click()
    step = form.locator(".confirm-step")
    assert step.is_visible() and "照片 2 张" in step.inner_text() and "诉求未满足" in step.inner_text()
    form.locator("[data-confirm-cancel]").click()
    assert step.is_hidden() and Case.objects.get(pk=case.pk).state == State.HANDLING
    form.locator("[data-confirm-step]").click()
    form.locator(".confirm-step button[type=submit]").click()
    page.locator("h1 .state", has_text="已办结").wait_for()
    finish = Case.objects.get(pk=case.pk).events.get(action="finish")
    assert sorted(Attachment.objects.filter(case=case, event=finish).values_list("original_name", flat=True)) == [
        "清理前.png", "清理后.png"]
    assert page.locator('#timeline li[data-event=finish]', has_text="清理后.png").count() == 1


def test_a_refused_photo_shows_its_message_and_finishes_nothing(street, page_as, live_server):
    case = street.handling_case()
    page = page_as(street.handler, width=390, height=844)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    form = page.locator("form[data-action=finish]")
    form.locator("xpath=..").locator("summary").click()
    form.locator("[name=result]").fill("已清理")
    form.locator("[name=explanation]").fill("无")
    form.locator("[name=photos]").set_input_files([
        {"name": "假图.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\nnot really"}])
    form.locator("[data-confirm-step]").click()
    form.locator(".confirm-step button[type=submit]").click()
    page.locator("#action-error", has_text="假图.png").wait_for()
    assert Case.objects.get(pk=case.pk).state == State.HANDLING


def test_on_a_phone_actions_come_first_and_the_phone_is_tap_to_call(street, page_as, live_server):
    case = street.dispatched_case()
    page = page_as(street.handler, width=390, height=844)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    actions_top = page.locator("#actions").bounding_box()["y"]
    facts_top = page.locator("dl.facts").bounding_box()["y"]
    assert actions_top < facts_top
    link = page.locator("#call-citizen")
    assert link.is_visible() and link.get_attribute("href") == f"/cases/{case.pk}/call/"
    screenshot(page, "handler-case-phone")
    # What the tap does: the audited redirect to the dialler (a headless browser has no dialler to follow to).
    answer = page.request.get(f"{live_server.url}{link.get_attribute('href')}", max_redirects=0)
    assert answer.status == 302 and answer.headers["location"] == "tel:13812341234"
    assert AuditEntry.objects.filter(object_type="case_call", object_id=case.number, actor=street.handler).count() == 1


def test_an_over_long_paste_at_intake_is_refused_with_a_message_not_cut(street, page_as, live_server):
    page = page_as(street.intake, width=1440, height=900)
    page.goto(f"{live_server.url}/cases/new/")
    content = page.locator("textarea[name=content]")
    content.fill("小区门口路灯不亮")
    counter = page.locator("textarea[name=content] + .char-count")
    assert counter.inner_text() == "8 / 5000 字"
    content.evaluate("""area => { const data = new DataTransfer(); data.setData('text/plain', '长'.repeat(6000));
        area.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true})); }""")
    assert "超过上限 5000 字,未粘贴" in counter.inner_text() and counter.get_attribute("role") == "alert"
    assert content.input_value() == "小区门口路灯不亮"
    assert colour(page, "textarea[name=content] + .char-count") == RED
