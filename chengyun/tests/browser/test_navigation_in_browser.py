"""The bar with the most links (the 管理员's) on a phone and a desktop: nothing scrolls sideways, the 民情 menu opens
(in the bar's flow on a phone, as a drop-down on a desktop), leads to its pages and closes on a click elsewhere."""

import pytest

from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)

MINQING = ["民情走访", "走访覆盖", "民情需求", "问卷", "民生主题", "十大民生", "数据湖"]


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1440, 900)])
def test_the_admins_bar_fits_and_its_minqing_menu_works(street, page_as, live_server, width, height):
    street.admin.is_staff = True
    street.admin.save(update_fields=["is_staff"])
    page = page_as(street.admin, width=width, height=height)
    bar = page.locator(".topbar")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    closed = bar.bounding_box()["height"]
    assert closed < (200 if width < 640 else 60)
    menu = page.locator(".mainnav details.navgroup")
    menu.locator("summary").click()
    links = menu.locator(".navgroup-links a")
    assert links.all_inner_texts() == MINQING and all(link.is_visible() for link in links.all())
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"nav-admin-{width}")
    page.locator("main").click(position={"x": 5, "y": 5})
    assert not links.first.is_visible()
    menu.locator("summary").click()
    links.filter(has_text="十大民生").click()
    page.wait_for_url(f"{live_server.url}/minsheng/projects/")
