"""Issue 16 in Chromium, the callback operator's and the dispatcher's desks: every field of the callback, the
department's own callback (双回访), the extension decision and the re-dispatch forms filled, each refused action's
message visible; screenshots of both desks (callback on a phone too)."""

import pytest
from django.utils import timezone

from cases import services
from cases.models import Case, Request, State, Urgency
from core import clock

from .conftest import screenshot
from .test_case_lifecycle_in_browser import act, expect_state

pytestmark = pytest.mark.django_db(transaction=True)


def test_callback_desk_and_form_on_desktop_and_phone(street, page_as, live_server):
    street.called_back_case()  # 待结案, listed after the call to make
    case = street.handled_case(title="楼道堆物待回访")

    # 双回访, the department's round: every field; without 回访情况 the server's message is shown.
    handler = page_as(street.handler)
    handler.goto(f"{live_server.url}/cases/{case.pk}/")
    act(handler, "handler_callback", {"satisfaction": "basically", "solved": "true", "remarks": " "})
    handler.locator("#action-error", has_text="请填写回访情况").wait_for()
    act(handler, "handler_callback", {"satisfaction": "basically", "solved": "true", "remarks": "居民称基本满意"})
    handler.locator("#action-notice", has_text="已处置单位回访").wait_for()

    phone = page_as(street.callback, width=390, height=844)
    phone.goto(f"{live_server.url}/")
    rows = phone.locator("table.callback-queue tbody tr")
    assert rows.nth(0).get_attribute("data-state") == "handled" and rows.nth(1).get_attribute("data-state") == "called_back"
    assert phone.locator(f'a[href="tel:{case.citizen_phone}"]').count() == 2
    screenshot(phone, "callback-main-phone")

    desk = page_as(street.callback, width=1440, height=900)
    desk.goto(f"{live_server.url}/")
    desk.locator("#callback-counts", has_text="待回访 1").wait_for()
    screenshot(desk, "callback-main")
    desk.click(f"text={case.number}")
    details = desk.locator("form[data-action=callback]").locator("xpath=..")
    details.locator("summary").click()
    hint = desk.locator("#first-contacts-hint")
    assert "电话" in hint.inner_text() and "已电话联系诉求人,约定上门时间" in hint.inner_text()
    assert "处置单位自行回访" in hint.inner_text()
    # The 是/否 answers are required choices: an unanswered form does not go out (the browser says so).
    form = desk.locator("form[data-action=callback]")
    assert form.locator("select[name=solved]").get_attribute("required") is not None
    assert form.locator("select[name=first_contacted]").get_attribute("required") is not None
    # 不满意 without the citizen's reason: the server's message next to the form, nothing recorded.
    act(desk, "callback", {"satisfaction": "unsatisfied", "solved": "false", "first_contacted": "false", "remarks": ""})
    desk.locator("#action-error", has_text="请填写不满意原因").wait_for()
    assert Case.objects.get(pk=case.pk).state == State.HANDLED
    act(desk, "callback", {"satisfaction": "unsatisfied", "solved": "false", "first_contacted": "true",
                           "remarks": "堆物只清理了一半"})
    expect_state(desk, "已回访")
    case.refresh_from_db()
    assert (case.satisfaction, case.solved, case.first_contact_confirmed) == ("unsatisfied", False, True)
    timeline = desk.locator("ol.timeline").inner_text()
    assert "处置单位回访" in timeline and "处置单位自行回访(不计入满意率)" in timeline


def test_dispatcher_desk_decides_and_redispatches_inline(street, page_as, live_server):
    urgent = street.new_case(title="紧急:电梯困人后续", urgency=Urgency.URGENT)
    returned = street.dispatched_case(title="退回的群租件")
    services.case_request_return(actor=street.handler, case=returned, reason="不属于本单位职责")
    services.case_approve_return(actor=street.dispatcher, case=returned, reason="同意退单")
    late = street.handling_case(title="延期件")
    extension = services.case_request_extension(actor=street.handler, case=late, reason="需协调施工", extra_days=1)
    # The old deadline has passed when the centre decides: the 1 day counts from now and the page warns.
    Case.objects.filter(pk=late.pk).update(handle_deadline=clock.now() - timezone.timedelta(hours=1))
    refuse = street.handling_case(title="驳回件")
    to_reject = services.case_request_extension(actor=street.handler, case=refuse, reason="人手不足", extra_days=3)

    page = page_as(street.dispatcher, width=1440, height=900)
    page.goto(f"{live_server.url}/")
    queue_at = page.locator("#dispatch-queue").bounding_box()["y"]
    assert queue_at < page.locator("#pending-requests").bounding_box()["y"]
    first_row = page.locator("table.dispatch-queue tbody tr").first
    assert first_row.get_attribute("data-case") == str(urgent.pk) and "紧急" in first_row.inner_text()
    row = page.locator(f'tr[data-case="{returned.pk}"]')
    assert f"已退单 1 次:{street.department.name}" in row.inner_text()
    assert row.locator(f'select[name=lead_{returned.pk}] option[value="{street.department.pk}"]').count() == 0
    screenshot(page, "dispatcher-main")

    # The filter form, every field, then back to the whole queue.
    page.fill("#queue-filters input[name=q]", returned.number)
    page.select_option("#queue-filters select[name=source]", returned.source)
    page.select_option("#queue-filters select[name=category]", str(street.category.pk))
    page.select_option("#queue-filters select[name=neighbourhood]", str(street.neighbourhood.pk))
    today = timezone.localdate(clock.now()).isoformat()
    page.fill("#queue-filters input[name=registered_from]", today)
    page.fill("#queue-filters input[name=registered_to]", today)
    page.select_option("#queue-filters select[name=sort]", "returned")
    page.click("#queue-filters button[type=submit]")
    page.wait_for_url("**sort=returned**")
    assert page.locator("table.dispatch-queue tbody tr").count() == 1

    # Re-dispatch inline: without a department the refusal is shown; then to the other department.
    row = page.locator(f'tr[data-case="{returned.pk}"]')
    row.locator(f"select[name=lead_{returned.pk}]").select_option("")
    row.locator("button", has_text="再派").click()
    page.locator(".messages .msg.error", has_text="请选择主办单位").wait_for()
    page.goto(f"{live_server.url}/")
    row = page.locator(f'tr[data-case="{returned.pk}"]')
    row.locator("input[name=case]").check()
    row.locator(f"select[name=lead_{returned.pk}]").select_option(str(street.other_department.pk))
    page.select_option("select[name=lead_department]", str(street.other_department.pk))
    row.locator("button", has_text="再派").click()
    page.locator(".messages .msg.success", has_text=f"已派至{street.other_department.name}").wait_for()
    returned.refresh_from_db()
    assert (returned.state, returned.lead_department) == (State.DISPATCHED, street.other_department)

    # The extension decisions: a rejection without a reason is refused with its message; a late approval warns.
    item = page.locator(f'li[data-request="{to_reject.pk}"]')
    item.locator("input[name=reason]").fill("")
    item.locator("button[value=reject]").click()
    page.locator(".messages .msg.error", has_text="请填写驳回理由").wait_for()
    item = page.locator(f'li[data-request="{to_reject.pk}"]')
    item.locator("input[name=reason]").fill("时限内可以完成")
    item.locator("button[value=reject]").click()
    page.locator(".messages .msg.success", has_text="延期申请已驳回").wait_for()
    item = page.locator(f'li[data-request="{extension.pk}"]')
    item.locator("input[name=reason]").fill("同意,请抓紧")
    item.locator("button[value=approve]").click()
    page.locator(".messages .msg", has_text="新办结期限一个工作日内到期,已提醒处置单位").wait_for()
    assert Request.objects.get(pk=extension.pk).status == Request.Status.APPROVED

    # 下一件 walks the queue from a case page.
    page.goto(f"{live_server.url}/cases/{urgent.pk}/")
    page.click("#next-case")
    page.wait_for_url("**/")
    page.locator(".messages .msg", has_text="待派单队列已清空").wait_for()
