import io

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from cases.models import Case
from minqing.models import LakeImport, Need, NeedStatus
from minqing.services.lake import lake_import_run

from .factories import category, household, need


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def needs(street):
    inside = need(street)
    other = household(street, "康定路900弄2号101室", neighbourhood=street.other_neighbourhood, head="李强",
                      phone="13700001111")
    outside = need(street, place=other, actor=street.dispatcher, text="李强家楼道灯坏了")
    return inside, outside


def test_a_cadre_lists_its_own_needs_clear_and_it_is_audited(street, needs):
    inside, outside = needs
    response = _client(street.cadre).get(reverse("minqing_needs:list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert f'data-need="{inside.pk}"' in body and f'data-need="{outside.pk}"' not in body
    assert "王秀英老人" in body
    assert AuditEntry.objects.filter(action=AuditEntry.Action.VIEW_PERSONAL_DATA, object_type="need").exists()


def test_the_leader_sees_the_street_masked_and_cannot_search_texts(street, needs):
    response = _client(street.leader).get(reverse("minqing_needs:list"), {"q": "老人"})
    body = response.content.decode()
    assert response.status_code == 200 and "王秀英" not in body and "只能按类别" in body
    assert body.count("data-need=") == 2


def test_filters_narrow_the_list(street, needs):
    inside, _ = needs
    client = _client(street.dispatcher)
    body = client.get(reverse("minqing_needs:list"), {"neighbourhood": street.neighbourhood.pk,
                                                      "status": "open", "q": "电梯"}).content.decode()
    assert body.count("data-need=") == 1 and f'data-need="{inside.pk}"' in body


def test_a_need_outside_the_area_is_not_found_and_a_handler_sees_none(street, needs):
    inside, outside = needs
    assert _client(street.cadre).get(reverse("minqing_needs:detail", args=[outside.pk])).status_code == 404
    assert _client(street.handler).get(reverse("minqing_needs:detail", args=[inside.pk])).status_code == 404
    assert _client(street.handler).get(reverse("minqing_needs:list")).status_code == 403


def test_the_detail_shows_the_timeline_and_the_dispatch_suggestion(street, needs):
    inside, _ = needs
    body = _client(street.cadre).get(reverse("minqing_needs:detail", args=[inside.pk])).content.decode()
    assert "登记" in body and "一键转工单" in body and 'id="dispatch-suggestion"' in body


def test_a_cadre_creates_a_need_and_opens_its_case_from_the_pages(street):
    home = household(street)
    client = _client(street.cadre)
    person = home.memberships.first().person
    response = client.post(reverse("minqing_needs:new"), {
        "household": f"H{home.pk}", "person": f"P{person.pk}", "category": category("停车难").pk, "urgency": "high",
        "source": "visit", "raised_on": "", "text": "小区停车位不足,晚上车辆乱停堵住消防通道"})
    assert response.status_code == 302
    created = Need.objects.get()
    assert (created.household, created.person, created.urgency) == (home, person, "high")
    response = client.post(reverse("minqing_needs:open-case", args=[created.pk]), {"title": "停车难", "category": ""})
    assert response.status_code == 302
    created.refresh_from_db()
    assert created.status == NeedStatus.CASE and Case.objects.get().citizen_name == "王秀英"
    again = client.post(reverse("minqing_needs:open-case", args=[created.pk]), {})
    assert again.status_code == 409 and "已转为工单" in again.content.decode()


def test_a_bad_form_shows_its_message_and_creates_nothing(street):
    response = _client(street.cadre).post(reverse("minqing_needs:new"), {"text": "", "category": category().pk})
    assert response.status_code == 422 and "请填写需求内容" in response.content.decode()
    assert not Need.objects.exists()


def test_the_export_is_masked_for_the_leader(street, needs):
    from openpyxl import load_workbook

    response = _client(street.leader).get(reverse("minqing_needs:export"))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    texts = " ".join(str(c.value) for row in sheet.iter_rows() for c in row)
    assert "加装电梯" in texts and "王秀英" not in texts


def test_the_household_page_shows_the_minqing_panel(street, needs):
    inside, _ = needs
    body = _client(street.cadre).get(reverse("registry:household", args=[inside.household_id])).content.decode()
    assert 'id="minqing-panel"' in body and f'data-need="{inside.pk}"' in body


def test_the_centre_uploads_to_the_lake_and_others_cannot(street):
    content = "编号,日期,地址,内容\nL-1,2026-03-01,愚园路120弄3号201室,漏水\n".encode()
    upload = io.BytesIO(content)
    upload.name = "repair.csv"
    assert _client(street.cadre).get(reverse("minqing_needs:lake")).status_code == 403
    response = _client(street.dispatcher).post(reverse("minqing_needs:lake"), {"source": "房管报修", "file": upload})
    assert response.status_code == 302
    item = LakeImport.objects.get()
    lake_import_run(item.pk)  # the thread the page started may not have run in the test's transaction
    page = _client(street.dispatcher).get(reverse("minqing_needs:lake-import", args=[item.pk]))
    assert page.status_code == 200
    records = _client(street.dispatcher).get(reverse("minqing_needs:lake-records")).content.decode()
    assert "漏水" in records
