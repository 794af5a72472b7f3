"""The resident's phone page /me/ at 390×844: a wrong code shows its message in place, the right one signs in,
the page shows the household, capacities and cases without a horizontal scroll, and 退出 signs out."""

import pytest

from registry import services as rs
from selfreport.tests import outbox

from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = "13812341234"


def _valid_id(body17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body17 + "10X98765432"[sum(int(d) * w for d, w in zip(body17, weights, strict=True)) % 11]


def no_horizontal_overflow(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_resident_signs_in_on_a_phone_and_sees_only_their_page(street, browser, live_server, settings):
    settings.SMS_BACKEND = "selfreport.tests.outbox.OutboxSms"
    settings.RATE_LIMIT_ENABLED = False
    outbox.MESSAGES.clear()
    home = rs.household_create(actor=street.dispatcher, address="上海市静安区愚园路128弄3号501室", housing="owner")
    me = rs.person_create(actor=street.dispatcher, name="张建国", id_number=_valid_id("31010619500308123"),
                          phone=PHONE, household=home, relation="head", tags=["独居老人"])
    rs.person_create(actor=street.dispatcher, name="张小明", household=home, relation="child")
    rs.capacity_grant(actor=street.dispatcher, person=me, kind="building_leader", neighbourhood=street.neighbourhood)
    case = street.new_case(content="愚园路128弄3号楼道堆物,堆满了纸箱,请尽快清理" * 3)

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    page.clock.install()
    page.goto(f"{live_server.url}/me/")
    page.wait_for_url(f"{live_server.url}/me/signin/")
    assert no_horizontal_overflow(page)

    # A phone that is not in the registry: the code goes out, the sign-in says to register.
    page.fill("input[name=phone]", "13900009999")
    page.click("#send-code")
    page.locator("#code-status", has_text="验证码已发送").wait_for()
    page.fill("input[name=code]", outbox.last_code("13900009999"))
    page.click("#signin-form button[type=submit]")
    page.locator("#signin-error", has_text="未在社区底册中找到该手机号").wait_for()

    # The resident's phone, a wrong code first: the message shows in place, nothing reloads.
    page.clock.run_for(61_000)  # the code button's countdown
    page.locator("#send-code", has_text="重新获取验证码").wait_for()
    page.fill("input[name=phone]", PHONE)
    sent_before = len(outbox.MESSAGES)
    page.click("#send-code")
    page.locator("#code-status", has_text="验证码已发送").wait_for()
    code = outbox.wait_for_code(PHONE, sent_before=sent_before)
    page.fill("input[name=code]", "000000" if code != "000000" else "111111")
    page.click("#signin-form button[type=submit]")
    page.locator("#signin-error", has_text="验证码不正确").wait_for()
    assert page.url == f"{live_server.url}/me/signin/"

    page.fill("input[name=phone]", PHONE)
    page.fill("input[name=code]", code)
    screenshot(page, "resident-me-signin-phone")
    page.click("#signin-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/me/")
    page.locator("#me-household", has_text="愚园路128弄3号501室").wait_for()
    assert "张**" in page.inner_text("#me-members") and "张小明" not in page.content()
    assert "楼组长" in page.inner_text("#me-capacities")
    assert case.number in page.inner_text("#me-cases")
    assert no_horizontal_overflow(page)
    screenshot(page, "resident-me-phone")

    # No staff page for a resident: the staff login page.
    page.goto(f"{live_server.url}/cases/")
    assert "/login/" in page.url
    page.goto(f"{live_server.url}/me/")
    page.click("#signout")
    page.wait_for_url(f"{live_server.url}/me/signin/")
    page.goto(f"{live_server.url}/me/")
    page.wait_for_url(f"{live_server.url}/me/signin/")
    context.close()
