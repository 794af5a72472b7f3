"""The suggestion panel while the intake operator types, and the dispatcher desk's 智能建议 column, in chromium."""

import pytest

from dispatch import selectors
from dispatch.tests.conftest import build_trained

from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def trained(street):
    selectors.reset_caches()
    yield build_trained(street)
    selectors.reset_caches()


def test_intake_sees_the_suggestion_while_typing_and_adopts_the_category(trained, page_as, live_server):
    page = page_as(trained.street.intake)
    page.goto(f"{live_server.url}/")
    page.fill("#quick-register textarea[name=content]", "楼上有人群租,二房东隔断成好几间,住了十几个人")
    page.fill("#quick-register input[name=address]", "愚园路１２８衖3号")
    panel = page.locator("#dispatch-suggestion")
    panel.locator("text=建议主办:房管办").wait_for()
    assert "金坛居民区" in panel.inner_text() and "群租" in panel.inner_text()
    panel.locator("button", has_text="采用").first.click()
    assert page.locator("#id_category").input_value() == str(trained.categories["群租"].pk)
    screenshot(page, "dispatch-intake-suggestion")


def test_the_dispatcher_desk_shows_the_suggestion_column(trained, page_as, live_server):
    case = trained.street.new_case(content="楼上群租,隔断成很多小间,住了十几个人", category=None)
    page = page_as(trained.street.dispatcher)
    page.goto(f"{live_server.url}/")
    cell = page.locator("td[data-label=智能建议]").first
    assert "群租" in cell.inner_text() and "房管办" in cell.inner_text()
    assert case.number in page.content()
    screenshot(page, "dispatch-desk-suggestion")
