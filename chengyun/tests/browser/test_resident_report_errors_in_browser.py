"""The public 随手拍 page on a phone (issue 16): every failure shows the server's message — a 422 (bad input), a
429 (the code asked twice), a 500 (the service breaks) —, the code button counts down after a send, the photos
chosen survive a wrong code and end up on the case, and the receipt opens the status page with the number."""

import re

import pytest

from cases.models import Case
from core.testing import tiny_png
from selfreport import services
from selfreport.tests import outbox

from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = "13900001111"
HERE = {"latitude": 31.2245, "longitude": 121.4452}


def photo(name, color):
    return {"name": name, "mimeType": "image/png", "buffer": tiny_png(color)}


def resident_page(browser, *, width=390, height=844):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                  geolocation=HERE, permissions=["geolocation"])
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def fill_report(page, street, code):
    page.fill("textarea[name=content]", "愚园路128弄门口窨井盖缺失,晚上很危险")
    page.fill("input[name=address]", "愚园路128弄3号")
    page.select_option("select[name=category]", str(street.category.pk))
    page.fill("input[name=name]", "李阿姨")
    page.fill("input[name=phone]", PHONE)
    page.fill("input[name=code]", code)


def chosen_photos(page) -> int:
    return page.eval_on_selector("#id_photos", "e => e.files.length")


def test_resident_sees_every_failure_keeps_photos_and_follows_the_case(street, browser, live_server, settings,
                                                                       monkeypatch, tmp_path):
    settings.SMS_BACKEND = "selfreport.tests.outbox.OutboxSms"
    settings.MEDIA_ROOT = tmp_path
    outbox.MESSAGES.clear()
    context, page = resident_page(browser)
    page.clock.install()
    page.goto(f"{live_server.url}/report/")

    # 422 on 获取验证码: a landline gets no code, and the message says why.
    page.fill("input[name=phone]", "021-62481234")
    page.click("#send-code")
    page.locator("#code-status .error", has_text="11位手机号").wait_for()

    # The code goes out; the button counts down and comes back when the minute is over.
    page.fill("input[name=phone]", PHONE)
    page.click("#send-code")
    page.locator("#code-status", has_text="验证码已发送").wait_for()
    button = page.locator("#send-code")
    page.wait_for_function("() => /秒后可重发/.test(document.getElementById('send-code').textContent)")
    assert button.is_disabled() and re.search(r"\d+ 秒后可重发", button.inner_text())
    page.clock.run_for(61_000)
    page.locator("#send-code", has_text="重新获取验证码").wait_for()
    assert button.is_enabled()

    # 429: asked again from a fresh page (no countdown there), the server refuses; its message replaces "已发送".
    page.reload()
    page.fill("input[name=phone]", PHONE)
    page.click("#send-code")
    page.locator("#code-status .error", has_text="60 秒后再试").wait_for()
    assert page.locator("#code-status .ok").count() == 0 and "10 分钟内有效" not in page.inner_text("#code-status")
    page.wait_for_function("() => document.getElementById('send-code').disabled")  # counting down from the wait

    # Photos: three chosen, one removed, thumbnails shown.
    page.set_input_files("#id_photos", [photo("井盖1.png", (200, 40, 40)), photo("井盖2.png", (40, 200, 40)),
                                        photo("多余.png", (40, 40, 200))])
    page.locator("#photo-preview .photo-item").nth(2).wait_for()
    page.locator("#photo-preview button.photo-remove").nth(2).click()
    assert page.locator("#photo-preview .photo-item").count() == 2 and chosen_photos(page) == 2

    # 422 on the form: a wrong code; the message shows and the photos are still there.
    code = outbox.last_code(PHONE)
    fill_report(page, street, "000000")
    page.wait_for_function("() => document.getElementById('id_latitude').value !== ''")
    screenshot(page, "resident-report-phone")
    page.click("#report-form button[type=submit]")
    page.locator("#report-error", has_text="验证码不正确").wait_for()
    assert chosen_photos(page) == 2 and page.locator("#photo-preview img.thumb").count() == 2
    assert page.input_value("textarea[name=content]").startswith("愚园路128弄")

    # 500: the service breaks; the alert bar says nothing was saved and the photos stay.
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "self_report_submit", broken)
    page.fill("input[name=code]", code)
    page.click("#report-form button[type=submit]")
    page.locator("#flash", has_text="系统出错").wait_for()
    assert chosen_photos(page) == 2 and not Case.objects.exists()
    monkeypatch.undo()

    # Accepted: the photos chosen before the wrong code are on the case.
    page.click("#flash-close")
    page.fill("input[name=code]", code)
    page.click("#report-form button[type=submit]")
    number = page.locator("#case-number").inner_text()
    case = Case.objects.get(number=number)
    assert case.attachments.count() == 2 and case.citizen_name == "李阿姨" and case.category == street.category
    assert case.latitude is not None and case.source == "self_report"

    # The receipt opens the status page with the number filled in and no phone in the address.
    page.click("#status-link")
    page.wait_for_url(re.compile(r"/report/status/\?number="))
    assert PHONE not in page.url and page.input_value("input[name=number]") == number
    page.click("#status-form button[type=submit]")  # the phone forgotten
    page.locator("#status-error", has_text="请填写反映问题时留的手机号").wait_for()
    page.fill("input[name=phone]", "13900002222")
    page.click("#status-form button[type=submit]")
    page.locator("#status-error", has_text="没有找到该工单").wait_for()
    page.fill("input[name=phone]", PHONE)
    page.click("#status-form button[type=submit]")
    page.locator("#case-status", has_text="已受理").wait_for()
    screenshot(page, "resident-status-phone")
    status_url = f"{live_server.url}/report/status/?number={number}"
    context.close()

    desk_context, desk = resident_page(browser, width=1440, height=900)
    desk.goto(status_url)
    assert desk.input_value("input[name=number]") == number
    desk.fill("input[name=phone]", PHONE)
    desk.click("#status-form button[type=submit]")
    desk.locator("#case-status", has_text="已受理").wait_for()
    screenshot(desk, "resident-status")
    desk_context.close()
