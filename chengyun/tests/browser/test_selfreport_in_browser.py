"""A resident reports from a phone without logging in, then follows the case by number and phone."""

import pytest

from cases.models import Case
from selfreport.tests import outbox

from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_resident_reports_and_follows_a_case_from_a_phone(street, browser, live_server, settings):
    settings.SMS_BACKEND = "selfreport.tests.outbox.OutboxSms"
    outbox.MESSAGES.clear()
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/report/")
    page.fill("textarea[name=content]", "愚园路128弄门口窨井盖缺失,晚上很危险")
    page.fill("input[name=address]", "愚园路128弄3号")
    page.fill("input[name=phone]", "13900001111")
    page.click("#send-code")
    page.locator("#code-status", has_text="验证码已发送").wait_for()
    page.fill("input[name=code]", outbox.last_code("13900001111"))
    screenshot(page, "resident-self-report-phone")
    page.click("#report-form button[type=submit]")
    number = page.locator("#case-number").inner_text()
    case = Case.objects.get(number=number)
    assert case.source == "self_report"

    page.goto(f"{live_server.url}/report/status/")
    page.fill("input[name=number]", number)
    page.fill("input[name=phone]", "13900001111")
    page.click("button[type=submit]")
    page.locator("#case-status", has_text="已受理").wait_for()
    context.close()
