"""The 网格员's short report form (issue 16): photo, location, category, text; 我上报的 on the home page; the
address check places a landmark as the suggestion panel does (broken #9)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Case
from core.testing import tiny_png
from dispatch.models import Landmark
from dispatch.snapshot import reset_caches

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def report(client, **extra):
    data = {"content": "愚园路128弄5号门口共享单车乱停", "address": "愚园路128弄5号", "latitude": "31.224500",
            "longitude": "121.445200", "form_token": "t" * 24}
    data.update(extra)
    return client.post("/work/patrol/report/", data, **HTMX)


def test_the_grid_home_has_the_short_form_photo_first_and_my_reports(client, street):
    client.force_login(street.grid_user)
    html = client.get("/").content.decode()
    form = html[html.index('id="patrol-report"'):html.index("</form>", html.index('id="patrol-report"'))]
    assert form.index('name="photos"') < form.index('id="locate"') < form.index('name="category"') < form.index('name="content"')
    assert 'name="citizen_phone"' not in form and 'name="urgency"' not in form and 'name="title"' not in form
    assert "我上报的" in html and "还没有上报过工单" in html


def test_a_patrol_report_with_every_field_becomes_a_case_with_its_photos(client, street, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(street.grid_user)
    response = report(client, category=street.category.pk, photos=[
        SimpleUploadedFile("现场1.png", tiny_png()), SimpleUploadedFile("现场2.png", tiny_png())])
    assert response.status_code == 200 and response["HX-Redirect"] == "/"
    case = Case.objects.get()
    assert case.source == "patrol" and case.category == street.category and case.grid == street.grid
    assert str(case.latitude) == "31.224500" and case.attachments.count() == 2
    assert report(client).status_code == 200 and Case.objects.count() == 1  # a double tap is one case
    home = client.get("/").content.decode()
    mine = home[home.index('id="my-reports"'):]
    assert case.number in mine and "已受理" in mine and mine.count("<img ") == 2


def test_only_the_text_is_required_and_a_refusal_is_the_form_fragment(client, street):
    client.force_login(street.grid_user)
    assert report(client, address="", latitude="", longitude="").status_code == 200  # text alone is enough
    refused = report(client, content="", form_token="u" * 24)
    html = refused.content.decode()
    assert refused.status_code == 422 and 'role="alert"' in html and "问题描述" in html
    assert not html.lstrip().lower().startswith("<!doctype") and 'hx-preserve="true"' in html
    bad_photo = report(client, form_token="v" * 24, photos=[SimpleUploadedFile("x.png", b"<script>")])
    assert bad_photo.status_code == 422 and "只支持" in bad_photo.content.decode()
    assert Case.objects.count() == 1  # the bad photo rolled its report back


def test_my_reports_are_only_mine_and_paginated(client, street):
    client.force_login(street.grid_user)
    for n in range(21):
        report(client, content=f"第{n}处乱堆物", form_token=f"token{n:02d}" + "x" * 20)
    street.new_case(address="愚园路128弄3号")  # registered by the intake operator: not mine
    first = client.get("/").content.decode()
    assert "共 21 件" in first and "第20处乱堆物" in first and "第0处乱堆物" not in first and 'id="mine-next"' in first
    second = client.get("/?mine=2").content.decode()
    assert "第0处乱堆物" in second and "第 2 / 2 页" in second


def test_the_address_check_places_a_landmark_as_the_suggestion_panel_does(client, street):
    Landmark.objects.create(name="愚园路菜场", aliases="愚园菜场", neighbourhood=street.neighbourhood,
                            estate=street.estate)
    reset_caches(keep_classifier=True)
    client.force_login(street.grid_user)
    html = client.get("/work/address/?address=愚园路菜场门口").content.decode()
    assert "地址未能识别" not in html and "地标「愚园路菜场」" in html and "金坛居民区" in html
    panel = client.get("/dispatch/suggest/?content=垃圾满溢&address=愚园路菜场门口")
    assert "金坛居民区" in panel.content.decode()  # the panel and the form agree


def test_a_landmark_report_is_placed_at_the_landmark(client, street):
    Landmark.objects.create(name="愚园路菜场", neighbourhood=street.other_neighbourhood, grid=street.other_grid)
    reset_caches(keep_classifier=True)
    client.force_login(street.grid_user)
    assert report(client, address="愚园路菜场门口", latitude="", longitude="").status_code == 200
    case = Case.objects.get()
    assert case.neighbourhood == street.other_neighbourhood and case.grid == street.other_grid


def test_a_cadre_reports_as_a_visit_and_without_javascript_the_page_reloads(client, street):
    client.force_login(street.cadre)
    response = client.post("/work/patrol/report/", {"content": "居民反映楼道灯不亮", "address": "愚园路128弄3号",
                                                    "category": street.category.pk, "form_token": "c" * 24})
    assert response.status_code == 302 and Case.objects.get().source == "visit"
    refused = client.post("/work/patrol/report/", {"content": "", "form_token": "d" * 24})
    assert refused.status_code == 422 and "<!doctype html>" in refused.content.decode().lower()
    assert 'id="patrol-error"' in refused.content.decode() and 'id="my-reports"' in refused.content.decode()
