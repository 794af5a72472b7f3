"""The case list in Chromium (issue 16): sortable columns that keep the filters, the countdown column, labelled
filters, and 批量签收 for a handler with its successes and failures told."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Case, State
from core import clock

from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def shown(page) -> list[str]:
    return page.locator("#case-list tbody tr").evaluate_all("rows => rows.map(r => r.dataset.case)")


@pytest.mark.parametrize("width,height", [(1440, 900), (390, 844)])
def test_sorting_by_column_keeps_the_filters(street, page_as, live_server, width, height):
    now = clock.now()
    a, b, c = street.dispatched_case(), street.dispatched_case(), street.handling_case()
    street.new_case()  # 已受理: filtered out below
    for case, hours, deadline in ((a, 1, 9), (b, 3, 2), (c, 2, -1)):
        Case.objects.filter(pk=case.pk).update(registered_at=now - timedelta(hours=hours),
                                               handle_deadline=now + timedelta(days=deadline))
    page = page_as(street.dispatcher, width=width, height=height)
    page.goto(f"{live_server.url}/cases/")
    # Every filter filled once (keyword, each labelled select, 仅超时, the dates), then loosened again.
    page.get_by_label("状态").select_option(State.DISPATCHED)
    page.locator("#case-list[data-query*='state=dispatched']").wait_for()
    page.get_by_label("来源").select_option("patrol")
    page.get_by_label("类别").select_option(str(street.category.pk))
    page.get_by_label("居民区").select_option(str(street.neighbourhood.pk))
    page.get_by_label("处置单位").select_option(str(street.department.pk))
    # The street's dates are Shanghai dates: at 03:00 there, UTC is still on the day before.
    today = timezone.localdate(now)
    page.locator("input[name=registered_from]").fill((today - timedelta(days=1)).isoformat())
    page.locator("input[name=registered_to]").fill(today.isoformat())
    page.get_by_label("关键词").fill("楼道")
    page.click("#case-filters button[type=submit]")
    page.wait_for_url("**department=*")
    assert shown(page) == [a.number, b.number]
    page.get_by_label("状态").select_option("")
    page.locator("#case-list[data-query*='state=&']").wait_for()
    page.get_by_label("仅超时").check()
    page.wait_for_url("**overdue=on*")
    page.get_by_label("仅超时").uncheck()
    page.wait_for_url(lambda url: "overdue" not in url)
    page.get_by_label("状态").select_option(State.DISPATCHED)
    page.locator("#case-list[data-query*='state=dispatched']").wait_for()
    assert shown(page) == [a.number, b.number]
    # 办结期限 ascending, then descending; the other filters stay.
    page.click("th[data-sort=deadline] a")
    page.locator("th[data-sort=deadline][aria-sort=ascending]").wait_for()
    assert shown(page) == [b.number, a.number] and "sort=deadline" in page.url and "state=dispatched" in page.url
    page.click("th[data-sort=deadline] a")
    page.locator("th[data-sort=deadline][aria-sort=descending]").wait_for()
    assert shown(page) == [a.number, b.number]
    # Changing a filter after sorting keeps the sort.
    page.get_by_label("状态").select_option("")
    page.locator("#case-list[data-query*='state=&'][data-sort='-deadline']").wait_for()
    assert shown(page) == [a.number, b.number, c.number]  # 已受理 has no deadline: last
    # The countdown column: the overdue case says 超时, in red.
    overdue = page.locator(f'tr[data-case="{c.number}"] td[data-label=倒计时] .deadline')
    assert overdue.inner_text().startswith("超时")
    assert overdue.evaluate("e => getComputedStyle(e).color") == "rgb(198, 40, 40)"
    page.click("th[data-sort=state] a")
    page.locator("th[data-sort=state][aria-sort=ascending]").wait_for()
    assert shown(page)[-1] == c.number  # 处置中 after 已派单 and 已受理
    if width == 1440:
        screenshot(page, "case-list")
    else:
        screenshot(page, "case-list-phone")


def test_handler_bulk_sign_from_the_list(street, page_as, live_server):
    first, second = street.dispatched_case(), street.dispatched_case()
    signed = street.signed_case()
    page = page_as(street.handler, width=1440, height=900)
    page.goto(f"{live_server.url}/cases/")
    page.wait_for_load_state("networkidle")
    page.evaluate("document.querySelector('#case-table table').dataset.probe = 'kept'")
    page.get_by_label("批量操作").select_option("sign")
    for case in (first, second, signed):
        page.get_by_label(f"勾选 {case.number}").check()
    # Ticking a case or choosing the bulk action is not a filter: the list is not reloaded and the ticks stay.
    page.wait_for_load_state("networkidle")
    assert page.locator("#case-table table[data-probe=kept]").count() == 1
    assert all(page.get_by_label(f"勾选 {case.number}").is_checked() for case in (first, second, signed))
    page.click("#case-bulk button[type=submit]")
    page.locator(".msg.success", has_text=f"批量签收成功 2 件:{first.number}、{second.number}").wait_for()
    page.locator(".msg.error", has_text=f"{signed.number}:当前状态为「已签收」,不能签收").wait_for()
    assert set(Case.objects.filter(pk__in=[first.pk, second.pk]).values_list("state", flat=True)) == {State.SIGNED}
    screenshot(page, "handler-case-list")
    # Nothing ticked: the failure is said, not swallowed.
    page.click("#case-bulk button[type=submit]")
    page.locator(".msg.error", has_text="请先勾选要批量签收的工单").wait_for()
