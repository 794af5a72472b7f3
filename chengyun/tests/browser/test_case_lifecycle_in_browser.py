"""One case from intake to close, each step by the right role in a real browser; refusals and masking too."""

import pytest

from cases.models import Case, State

from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def act(page, action: str, fields: dict[str, str] | None = None, checks: tuple[str, ...] = ()):
    form = page.locator(f"form[data-action={action}]")
    details = form.locator("xpath=..")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    for name, value in (fields or {}).items():
        field = form.locator(f"[name={name}]")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    for name in checks:
        form.locator(f"[name={name}]").check()
    opener = form.locator("[data-confirm-step]")
    if opener.count():  # 办结: a confirmation step before the real submit (static/js/queue.js)
        opener.click()
        form.locator(".confirm-step button[type=submit]").click()
    else:
        form.locator("button[type=submit]").click()


def expect_state(page, label: str) -> None:
    page.locator("h1 .state", has_text=label).wait_for()


def test_case_travels_from_intake_to_close(street, page_as, live_server):
    intake = page_as(street.intake)
    screenshot(intake, "intake-case-list")
    intake.click("text=+ 登记工单")
    screenshot(intake, "intake-new-case")
    intake.select_option("select[name=source]", "walk_in")
    intake.fill("textarea[name=content]", "愚园路128弄3号楼道内堆放大量纸板,堵塞消防通道")
    intake.fill("input[name=address]", "愚园路128弄3号")
    intake.fill("input[name=citizen_name]", "王秀英")
    intake.fill("input[name=citizen_phone]", "13912345678")
    intake.click("button:has-text('受理')")
    expect_state(intake, "已受理")
    case = Case.objects.get()
    url = f"{live_server.url}/cases/{case.pk}/"

    dispatcher = page_as(street.dispatcher)
    dispatcher.goto(url)
    dispatcher.locator("form[data-action=dispatch]").locator("xpath=..").locator("summary").click()
    screenshot(dispatcher, "dispatcher-case-detail")
    act(dispatcher, "dispatch", {"lead_department_id": str(street.department.pk),
                                 "category_id": str(street.category.pk)})
    expect_state(dispatcher, "已派单")

    handler = page_as(street.handler)
    handler.goto(url)
    act(handler, "sign")
    expect_state(handler, "已签收")
    act(handler, "record_first_contact", {"method": "phone", "outcome": "已电话联系,约定明早上门"})
    expect_state(handler, "处置中")
    act(handler, "finish", {"result": "堆物已清理,消防通道恢复畅通"}, checks=("demand_met",))
    expect_state(handler, "已办结")
    screenshot(handler, "handler-case-handled")

    callback = page_as(street.callback)
    callback.goto(url)
    act(callback, "callback", {"satisfaction": "satisfied", "solved": "true", "first_contacted": "true",
                               "remarks": "居民表示满意"})
    expect_state(callback, "已回访")
    act(callback, "close")
    expect_state(callback, "已结案")
    screenshot(callback, "callback-case-closed")

    case.refresh_from_db()
    assert case.state == State.CLOSED
    assert list(case.events.values_list("action", flat=True)) == [
        "register", "dispatch", "sign", "record_first_contact", "finish", "callback", "close"]
    timeline = callback.locator("ol.timeline li")
    assert timeline.count() == 7


def test_leader_sees_masked_phone_and_no_handler_actions(street, page_as, live_server):
    case = street.dispatched_case()
    leader = page_as(street.leader)
    leader.goto(f"{live_server.url}/cases/{case.pk}/")
    assert leader.locator("#citizen-phone").inner_text().startswith("138****1234")
    assert leader.locator("form[data-action=sign]").count() == 0
    assert leader.locator("form[data-action=urge]").count() == 1
    screenshot(leader, "leader-case-detail")


def test_validation_error_appears_without_reload(street, page_as, live_server):
    case = street.dispatched_case()
    handler = page_as(street.handler)
    handler.goto(f"{live_server.url}/cases/{case.pk}/")
    form = handler.locator("form[data-action=request_return]")
    form.locator("xpath=..").locator("summary").click()
    form.locator("textarea[name=reason]").evaluate("e => e.removeAttribute('required')")
    form.locator("button[type=submit]").click()
    handler.locator("#action-error", has_text="请填写退单理由").wait_for()
    case.refresh_from_db()
    assert case.state == State.DISPATCHED


def test_phone_sized_list_for_the_grid_patroller(street, page_as):
    street.new_case(actor=street.grid_user, source="patrol")
    grid = page_as(street.grid_user, width=390, height=844)
    assert grid.locator("table.cases tbody tr").count() == 1
    screenshot(grid, "grid-phone-case-list")


def test_filters_swap_the_table_without_reloading_the_page(street, page_as, live_server):
    street.dispatched_case(title="已派单的工单")
    street.new_case(title="刚受理的工单")
    dispatcher = page_as(street.dispatcher)
    dispatcher.evaluate("window.__stillHere = true")
    assert dispatcher.locator("table.cases tbody tr").count() == 2
    dispatcher.select_option("select[name=state]", "dispatched")
    dispatcher.locator("p.count", has_text="共 1 件").wait_for()
    assert dispatcher.locator("table.cases tbody tr").count() == 1
    assert dispatcher.evaluate("window.__stillHere") is True  # swapped by htmx, not a page load
    assert "state=dispatched" in dispatcher.url  # hx-push-url keeps the filter in the address bar


ROLES = ["intake", "dispatcher", "handler", "callback", "leader", "grid_user", "cadre", "admin"]


@pytest.mark.parametrize("role", ROLES)
def test_each_roles_main_page(street, page_as, role):
    street.dispatched_case()
    street.new_case(title="待派单的工单")
    page = page_as(getattr(street, role))
    assert page.locator("#user-role").inner_text() == getattr(street, role).get_role_display()
    screenshot(page, f"{role}-main")
    phone = page_as(getattr(street, role), width=390, height=844)
    screenshot(phone, f"{role}-main-phone")
