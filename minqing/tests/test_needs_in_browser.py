"""民情需求 in chromium: a 居委干部 on a phone (390×844) reaches the needs through the 民情 menu, registers a need with
every field filled (the household and the person picked from the registry), finds it in the list, opens it and
turns it into a case (the case number and smart dispatch's suggestion shown); failed actions — a need without text,
a second 转工单 from a page opened before the first — show their Chinese message in the page. The dispatcher on a
desktop (1440×900) filters the list with every filter and exports what it shows."""

import pytest

from cases.models import Case, Source
from chengyun.tests.browser.conftest import screenshot
from dispatch import selectors as dispatch_selectors
from dispatch.tests.conftest import build_trained
from minqing.models import Need, NeedStatus

from . import factories

pytestmark = pytest.mark.django_db(transaction=True)

TEXT = "楼上有人群租,二房东隔断成好几间,住了十几个人,楼道里堆满杂物"


@pytest.fixture
def trained(street):
    dispatch_selectors.reset_caches()
    yield build_trained(street)
    dispatch_selectors.reset_caches()


def _fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"


def test_a_cadre_registers_a_need_on_the_phone_and_turns_it_into_a_case(trained, page_as, live_server):
    street = trained.street
    home = factories.household(street, "愚园路128弄3号201室", neighbourhood=street.neighbourhood, head="王秀英")
    head = home.memberships.get().person
    category = factories.category("群租整治")
    page = page_as(street.cadre, width=390, height=844)

    # The 民情 menu of the bar opens in the bar's flow on a phone and leads to the needs.
    _fits(page, 390)
    page.locator(".mainnav details.navgroup summary", has_text="民情").click()
    page.locator(".mainnav .navgroup-links a", has_text="民情需求").click()
    page.wait_for_url(f"{live_server.url}/minqing/needs/")
    _fits(page, 390)
    page.click("#new-need")

    # Every field, the household and the person through their pickers; the text left empty first.
    page.fill("#pick-need-household", "愚园路128弄")
    page.locator("#pick-results-need-household button", has_text="愚园路128弄3号201室").click()
    assert page.input_value("#need-household") == f"H{home.pk}"
    page.fill("#pick-need-person", "王秀英")
    page.locator("#pick-results-need-person button", has_text="王").first.click()
    assert page.input_value("#need-person") == f"P{head.pk}"
    page.select_option("#need-category", str(category.pk))
    page.select_option("#need-urgency", "high")
    page.select_option("#need-source", "visit")
    page.fill("#need-raised-on", "2026-01-05")
    _fits(page, 390)
    page.click("#need-submit")
    assert "请填写需求内容" in page.inner_text("#need-form-error")
    assert not Need.objects.exists()
    # The form comes back as it was filled: only the text is missing.
    assert (page.input_value("#need-household"), page.input_value("#need-person")) == (f"H{home.pk}", f"P{head.pk}")
    assert page.input_value("#need-urgency") == "high" and page.input_value("#need-raised-on") == "2026-01-05"
    page.fill("#need-text", TEXT)
    page.click("#need-submit")
    page.wait_for_selector("#need-card")
    need = Need.objects.get()
    assert "已登记需求" in page.inner_text(".messages")
    assert (need.household_id, need.person_id, need.category_id, need.urgency, need.source, str(need.raised_on)) == (
        home.pk, head.pk, category.pk, "high", "visit", "2026-01-05")

    # In the list, then opened from it.
    page.click("text=返回需求列表")
    row = page.locator(f"#need-list tr[data-need='{need.pk}']")
    assert "群租整治" in row.inner_text() and "待处理" in row.inner_text()
    _fits(page, 390)
    row.locator("a", has_text=f"#{need.pk}").click()
    page.wait_for_selector("#open-case")
    suggestion = page.inner_text("#dispatch-suggestion")
    assert "房管办" in suggestion and "群租" in suggestion
    # A second tab on the same need, opened before the case exists.
    stale = page.context.new_page()
    stale.goto(page.url)

    page.fill("#open-case-form input[name=title]", "愚园路128弄3号群租")
    page.select_option("#open-case-form select[name=category]", str(trained.categories["群租"].pk))
    assert page.is_checked("#open-case-form input[name=urgent]")  # 紧急 need → urgent case, as filled
    page.uncheck("#open-case-form input[name=urgent]")
    page.check("#open-case-form input[name=urgent]")
    page.click("#open-case-button")
    page.wait_for_selector("#need-case a")
    case = Need.objects.get().case
    assert (case.source, case.title, case.category_id, case.citizen_name) == (
        Source.VISIT, "愚园路128弄3号群租", trained.categories["群租"].pk, "王秀英")
    assert f"已转为工单 {case.number}" in page.inner_text(".messages")
    assert page.inner_text("#need-case a") == case.number and "已转工单" in page.inner_text("#need-status")
    assert page.locator("#open-case").count() == 0
    screenshot(page, "minqing-need-case-phone")

    # The stale tab's 转工单 is refused with its message; nothing more is opened.
    stale.click("#open-case-button")
    assert f"该需求已转为工单 {case.number}" in stale.inner_text("#need-error")
    assert Case.objects.filter(source=Source.VISIT).count() == 1 and Need.objects.get().status == NeedStatus.CASE
    _fits(stale, 390)


def test_the_dispatcher_filters_the_list_and_exports_it_on_a_desktop(trained, page_as, live_server):
    street = trained.street
    home = factories.household(street, "愚园路120弄5号302室", neighbourhood=street.neighbourhood)
    wanted = factories.need(street, place=home, text="楼道灯坏了很久没人修", category=factories.category("公共设施"),
                            urgency="medium")
    factories.need(street, text="希望加装电梯")  # another category: filtered out
    page = page_as(street.dispatcher, width=1440, height=900)
    # On a desktop the bar is one row and its 民情 menu drops down.
    assert page.locator(".mainnav").bounding_box()["height"] < 40
    page.locator(".mainnav details.navgroup summary", has_text="民情").click()
    assert page.locator(".mainnav .navgroup-links a").all_inner_texts() == [
        "民情走访", "走访覆盖", "民情需求", "问卷", "民生主题", "十大民生", "数据湖"]
    page.locator(".mainnav .navgroup-links a", has_text="民情需求").click()
    page.wait_for_url(f"{live_server.url}/minqing/needs/")

    filters = page.locator("#need-filters")
    filters.locator("select[name=category]").select_option(str(wanted.category_id))
    filters.locator("select[name=status]").select_option("open")
    filters.locator("select[name=urgency]").select_option("medium")
    filters.locator("select[name=neighbourhood]").select_option(str(street.neighbourhood.pk))
    filters.locator("select[name=source]").select_option("visit")
    filters.locator("input[name=from]").fill("2020-01-01")
    filters.locator("input[name=to]").fill("2030-12-31")
    filters.locator("input[name=q]").fill("楼道灯")
    filters.locator("button[type=submit]").click()
    page.wait_for_url("**/minqing/needs/?*q=*")
    assert page.locator("#need-list tbody tr").count() == 1
    assert "楼道灯坏了很久没人修" in page.inner_text("#need-list")
    href = page.get_attribute("#export-needs", "href")
    assert "category=" in href and "q=" in href and "urgency=medium" in href
    export = page.request.get(f"{live_server.url}{href}")
    assert export.status == 200 and "spreadsheet" in export.headers["content-type"]
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(export.body())).active
    assert [row[7] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["楼道灯坏了很久没人修"]
    _fits(page, 1440)
    screenshot(page, "minqing-needs-desktop")
