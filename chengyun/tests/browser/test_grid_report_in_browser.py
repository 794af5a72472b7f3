"""The 网格员 on foot (issue 16): the short report form at phone size — photo first, 获取当前位置, a landmark the
address check places like the suggestion panel (愚园路菜场), category, text —, its failures shown (422, 500) with
the photos kept, and 我上报的 listing the case with its thumbnails."""

import pytest

from cases import services as case_services
from cases.models import Case
from core.testing import tiny_png
from dispatch.models import Landmark
from dispatch.snapshot import reset_caches

from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)
HERE = {"latitude": 31.2245, "longitude": 121.4452}


def photo(name, color):
    return {"name": name, "mimeType": "image/png", "buffer": tiny_png(color)}


def chosen_photos(page) -> int:
    return page.eval_on_selector("#id_photos", "e => e.files.length")


def test_grid_patroller_reports_from_a_phone_and_sees_it_in_my_reports(street, page_as, live_server, monkeypatch,
                                                                       settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    Landmark.objects.create(name="愚园路菜场", aliases="愚园菜场", neighbourhood=street.neighbourhood,
                            estate=street.estate)
    reset_caches(keep_classifier=True)
    page = page_as(street.grid_user, width=390, height=844)
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation(HERE)
    page.goto(f"{live_server.url}/")
    page.locator("#my-reports", has_text="还没有上报过工单").wait_for()

    page.set_input_files("#id_photos", [photo("现场1.png", (200, 40, 40)), photo("现场2.png", (40, 200, 40))])
    page.locator("#patrol-photos .photo-item").nth(1).wait_for()
    page.click("#locate")
    page.locator("#locate-status", has_text="已定位").wait_for()
    page.fill("#patrol-report input[name=address]", "愚园路菜场门口")
    page.locator("#address-check", has_text="地标「愚园路菜场」").wait_for()
    assert "地址未能识别" not in page.inner_text("#address-check")
    page.fill("#category-search", street.category.name)
    page.select_option("#patrol-report select[name=category]", str(street.category.pk))

    # 422: the text forgotten; the message is shown and the photos, pin and address stay.
    page.click("#patrol-report button[type=submit]")
    page.locator("#patrol-error", has_text="问题描述").wait_for()
    assert chosen_photos(page) == 2 and page.locator("#patrol-photos img.thumb").count() == 2
    assert page.input_value("#id_latitude") and page.input_value("#id_address") == "愚园路菜场门口"

    # 500: the service breaks; the alert bar says so, nothing is saved, the photos stay.
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(case_services, "case_register", broken)
    page.fill("#patrol-report textarea[name=content]", "愚园路菜场门口垃圾满溢,有异味")
    screenshot(page, "grid-report-phone")
    page.click("#patrol-report button[type=submit]")
    page.locator("#flash", has_text="系统出错").wait_for()
    assert chosen_photos(page) == 2 and not Case.objects.exists()
    monkeypatch.undo()

    page.click("#flash-close")
    page.click("#patrol-report button[type=submit]")
    page.locator(".messages", has_text="已受理").wait_for()
    case = Case.objects.get()
    assert case.source == "patrol" and case.category == street.category and case.latitude is not None
    assert case.address == "愚园路菜场门口" and case.neighbourhood == street.neighbourhood
    assert case.attachments.count() == 2
    mine = page.locator("#my-reports li", has_text=case.number)
    mine.locator(".state", has_text="已受理").wait_for()
    assert mine.locator(".mine-thumbs img").count() == 2
    page.wait_for_function("() => [...document.querySelectorAll('#my-reports img')].every(i => i.naturalWidth > 0)")
    screenshot(page, "grid-main-phone")

    desk = page_as(street.grid_user, width=1440, height=900)
    desk.goto(f"{live_server.url}/")
    desk.locator("#my-reports", has_text=case.number).wait_for()
    screenshot(desk, "grid-main")
