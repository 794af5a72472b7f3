"""Issue 16 in chromium for the 领导, the 大屏, the 审计员 and the 管理员: the period bar (presets and a custom
range, a bad range said), tiles that drill down to as many cases, the sortable ranking, wall mode's colours read
from the page, the collapsed audit log, the Chinese admin and its holiday range form."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from unittest.mock import patch

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from audit.services import audit_record
from cases import services
from core import clock
from workdays.models import Holiday

from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)

# WCAG relative luminance and contrast of two computed colours ("rgb(r, g, b)" or "#rrggbb").
CONTRAST_JS = """([fg, bg]) => {
  const rgb = c => c.startsWith('#') ? [1, 3, 5].map(i => parseInt(c.slice(i, i + 2), 16)) : c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = c => { const [r, g, b] = rgb(c).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
                     return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""
# The colour an element's text sits on: its own background or the first non-transparent one above it.
BACKGROUND_JS = """el => { while (el) { const c = getComputedStyle(el).backgroundColor;
  if (c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') return c; el = el.parentElement; } return 'rgb(255, 255, 255)'; }"""


def contrast(page, fg: str, bg: str) -> float:
    return page.evaluate(CONTRAST_JS, [fg, bg])


@pytest.fixture
def busy_street(street, settings):
    settings.KPI_RANKING_MIN_CASES = 2
    for _ in range(2):
        street.called_back_case("satisfied")
    street.called_back_case("unsatisfied")
    urged = street.signed_case()
    services.case_urge(actor=street.leader, case=urged, note="请尽快处理")
    case = street.new_case(address="愚园路140号")
    services.case_dispatch(actor=street.dispatcher, case=case, lead_department=street.other_department)
    return street


def tile(page, measure: str) -> int:
    return int(page.locator(f"#tiles [data-measure={measure}] b").inner_text())


def test_the_leader_picks_a_period_and_drills_down(busy_street, page_as, live_server):
    street = busy_street
    leader = page_as(street.leader, width=1440, height=900)
    leader.goto(f"{live_server.url}/")
    leader.locator("#period-now", has_text="上月").wait_for()  # the default period
    leader.click("[data-preset=this_month]")
    leader.locator("#period-now", has_text="本月").wait_for()
    assert tile(leader, "cases") == 5 and tile(leader, "urged") == 1
    screenshot(leader, "leader-main")

    # the account menu holds 修改密码 and 两步验证; 接口文档 is nowhere for the leader
    leader.click("#account-menu summary")
    assert leader.locator("#account-menu a", has_text="两步验证").is_visible()
    assert leader.locator("text=接口文档").count() == 0
    leader.click("h1")  # a click elsewhere closes it (static/js/brain.js)
    assert not leader.locator("#account-menu a", has_text="两步验证").is_visible()

    # a custom range: both dates filled; a range ending before it starts is refused with its message
    today = timezone.localtime(clock.now()).date()
    leader.fill("#period-start", (today + timedelta(days=1)).isoformat())
    leader.fill("#period-end", (today - timedelta(days=1)).isoformat())
    leader.click("#period-form button[type=submit]")
    leader.locator("#period-error", has_text="结束日期不能早于开始日期").wait_for()
    assert leader.locator("#period-error").is_visible()
    leader.fill("#period-start", (today - timedelta(days=2)).isoformat())
    leader.fill("#period-end", today.isoformat())
    leader.click("#period-form button[type=submit]")
    leader.locator("#period-now", has_text="自定义").wait_for()
    overdue_list = leader.locator("#list-urged tbody tr").first
    assert "受理" in overdue_list.inner_text() and "督办 1 次" in overdue_list.inner_text()

    # a tile opens a list of exactly as many cases
    shown = tile(leader, "cases")
    leader.click("#tiles [data-measure=cases]")
    leader.locator("#drill-count").wait_for()
    assert int(leader.locator("#drill-count b").inner_text()) == shown == leader.locator("#drill-cases tbody tr").count()


def test_the_ranking_sorts_and_rates_click_through(busy_street, page_as, live_server):
    leader = page_as(busy_street.leader, width=1440, height=900)
    leader.goto(f"{live_server.url}/dashboard/?period=this_month")
    leader.locator("#trend-chart canvas").wait_for()
    units = lambda: leader.locator("#ranking tbody tr td[data-label=单位]").all_inner_texts()  # noqa: E731
    assert units() == ["城管中队"]  # 静安物业 has 1 case: 样本不足 (fewer than 2)
    assert "静安物业" in leader.locator("#small-sample").inner_text()
    leader.click("#ranking th:has-text('工单')")
    assert leader.locator("#ranking th[aria-sort=ascending]").count() == 1
    leader.click("#ranking th:has-text('工单')")
    assert leader.locator("#ranking th[aria-sort=descending]").count() == 1
    numerator = int(leader.locator("[data-kpi=satisfied] .rate-n").inner_text())
    leader.click("[data-kpi=satisfied] .rate-n")
    leader.locator("#drill-count").wait_for()
    assert int(leader.locator("#drill-count b").inner_text()) == numerator == 2


def test_the_leader_on_a_phone(busy_street, page_as, live_server):
    leader = page_as(busy_street.leader, width=390, height=844)
    leader.goto(f"{live_server.url}/?period=this_month")
    leader.locator("#tiles").wait_for()
    assert leader.evaluate("document.scrollingElement.scrollWidth") <= 390
    box = leader.locator("#period-form button[type=submit]").bounding_box()
    assert box["width"] > 300  # the custom range's button spans the phone
    screenshot(leader, "leader-main-phone")
    # the custom range on the phone: a wrong one is said, a right one counts
    today = timezone.localtime(clock.now()).date()
    leader.fill("#period-start", today.isoformat())
    leader.fill("#period-end", (today - timedelta(days=400)).isoformat())
    leader.click("#period-form button[type=submit]")
    leader.locator("#period-error", has_text="结束日期不能早于开始日期").wait_for()
    leader.fill("#period-start", (today - timedelta(days=1)).isoformat())
    leader.fill("#period-end", today.isoformat())
    leader.click("#period-form button[type=submit]")
    leader.locator("#period-now", has_text="自定义").wait_for()
    assert tile(leader, "cases") == 5 and leader.evaluate("document.scrollingElement.scrollWidth") <= 390


def test_wall_mode_is_light_on_navy(busy_street, page_as, live_server):
    leader = page_as(busy_street.leader, width=1440, height=900)
    leader.goto(f"{live_server.url}/dashboard/?period=this_month&wall=1")
    leader.locator("#trend-chart canvas").wait_for()
    body_bg = leader.evaluate("getComputedStyle(document.body).backgroundColor")
    assert body_bg == "rgb(13, 27, 42)"
    legend = leader.evaluate("chengyunCharts.trend.getOption().legend[0].textStyle.color")
    assert contrast(leader, legend, body_bg) >= 7
    axis = leader.evaluate("chengyunCharts.trend.getOption().xAxis[0].axisLabel.color")
    assert contrast(leader, axis, body_bg) >= 7
    for selector in ["#ranking tbody td", "#ranking thead th", "#small-sample li", "#tiles .tile", "#rates .rate-n",
                     "#rates .rate-value", "#ranking tbody a", ".brain-rows td"]:
        cell = leader.locator(selector).first
        color = cell.evaluate("el => getComputedStyle(el).color")
        background = cell.evaluate(BACKGROUND_JS)
        assert contrast(leader, color, background) >= 4.5, (selector, color, background)
        assert background != "rgb(255, 255, 255)", selector
    assert leader.locator(".topbar").is_hidden()
    screenshot(leader, "brain-wall")


def test_the_auditor_reads_one_row_for_repeated_views(street, browser, live_server):
    at = datetime(2026, 11, 5, 10, 0, 5, tzinfo=timezone.get_current_timezone())
    for n in range(13):
        with patch("django.utils.timezone.now", return_value=at + timedelta(seconds=30 * n)):
            audit_record(action=AuditEntry.Action.VIEW_PERSONAL_DATA, actor=street.leader, object_type="case",
                         object_id="JAS-2026-000001")
    # page_as waits for the workbench at "/": the auditor's is the audit log, so he logs in here
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    auditor = context.new_page()
    auditor.goto(f"{live_server.url}/login/")
    auditor.fill("input[name=username]", street.auditor.username)
    auditor.fill("input[name=password]", "chengyun-test-pw")
    auditor.click("button[type=submit]")
    auditor.wait_for_url(f"{live_server.url}/audit/")
    assert auditor.locator(".mainnav a").all_inner_texts() == ["审计日志"]
    auditor.fill("input[name=q]", "JAS-2026-000001")
    auditor.select_option("select[name=action]", "view_personal_data")
    auditor.fill("input[name=username]", street.leader.username)
    auditor.fill("input[name=date_from]", "2026-11-05")
    auditor.fill("input[name=date_to]", "2026-11-05")
    auditor.click("#audit-filters button[type=submit]")
    rows = auditor.locator("#audit-table tbody tr")
    rows.first.wait_for()
    assert rows.count() == 1
    text = rows.first.inner_text()
    assert "13 次" in text and "工单" in text and "查看个人信息" in text
    auditor.goto(f"{live_server.url}/audit/")
    screenshot(auditor, "auditor-main")
    context.close()


def test_the_admin_in_chinese_enters_a_holiday_range(street, page_as, live_server):
    admin = page_as(street.admin, width=1440, height=900)
    admin.goto(f"{live_server.url}/admin/")
    assert admin.locator("caption", has_text="登录防护").count() == 1
    assert admin.locator("caption", has_text="两步验证(TOTP)").count() == 1
    screenshot(admin, "admin-main")
    admin.goto(f"{live_server.url}/")
    assert admin.locator(".mainnav a", has_text="接口文档").count() == 0
    admin.click("#account-menu summary")
    assert admin.locator("#account-menu a", has_text="接口文档").is_visible()

    admin.goto(f"{live_server.url}/admin/workdays/holiday/")
    admin.click("#holiday-range-link")
    today = timezone.localtime(clock.now()).date()
    admin.fill("#id_start", (today - timedelta(days=2)).isoformat())
    admin.fill("#id_end", (today + timedelta(days=1)).isoformat())
    admin.fill("#id_name", "防汛停工")
    admin.check("#id_is_workday")
    admin.click("#holiday-bulk-form input[type=submit]")
    admin.locator("#holiday-error", has_text="包含已过去的日期").wait_for()
    assert not Holiday.objects.exists()
    admin.uncheck("#id_is_workday")
    admin.check("#id_allow_past")
    admin.click("#holiday-bulk-form input[type=submit]")
    admin.locator(".messagelist", has_text="已录入 4 天").wait_for()
    assert re.search(r"其中 2 天已过去", admin.locator(".messagelist").inner_text())
    assert Holiday.objects.filter(name="防汛停工", is_workday=False).count() == 4
