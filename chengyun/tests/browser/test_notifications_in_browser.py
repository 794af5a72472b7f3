"""Opening a notification in the browser marks it read: the header badge counts one less (issue 16, broken #9);
a second 督办 on the same unread case is one notice, not two."""

import pytest

from cases import services

from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width,height,name", [(1440, 900, "notifications"), (390, 844, "notifications-phone")])
def test_opening_a_notice_lands_on_the_case_and_the_badge_counts_down(street, page_as, live_server, width, height,
                                                                     name):
    urged = street.signed_case()
    services.case_urge(actor=street.leader, case=urged, note="群众反映强烈,请今天处置")
    urged.refresh_from_db()
    services.case_urge(actor=street.leader, case=urged, note="再次督办:明早前反馈")  # bumps the unread notice
    street.dispatched_case()
    page = page_as(street.handler, width=width, height=height)
    page.goto(f"{live_server.url}/notifications/")
    badge = page.locator("#notification-badge .badge")
    assert badge.inner_text() == "3"  # two 新派单 and one 督办 (not two)
    notices = page.locator("ul.notifications li.unread")
    assert notices.count() == 3
    assert "再次督办:明早前反馈" in page.locator("ul.notifications li", has_text="督办:").first.inner_text()
    screenshot(page, name)
    page.locator("ul.notifications li", has_text="督办:").first.locator("a.notice-open").click()
    page.wait_for_url(f"{live_server.url}/cases/{urged.pk}/")
    assert page.locator("#notification-badge .badge").inner_text() == "2"
    page.goto(f"{live_server.url}/notifications/?unread=1")
    assert page.locator("ul.notifications li").count() == 2
    assert page.locator("ul.notifications li", has_text="督办:").count() == 0
    # An unknown notice is refused with a message, not a silent redirect.
    response = page.goto(f"{live_server.url}/notifications/999999/open/")
    assert response.status == 404 and "消息不存在" in page.content()
