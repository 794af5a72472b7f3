"""The public feed (no login) carries no personal data: no citizen text, no house number, coordinates to a block,
only published sources and categories; and it stays valid XML whatever a stored text holds (issue 14)."""

from xml.etree import ElementTree as ET

import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from cases import services as case_services
from cases.models import Case, Source
from cases.policy import mask_public_text
from open311.models import UnpublishedCategory
from open311.tests.test_georeport_endpoints import POST

pytestmark = pytest.mark.django_db

SECRET_TEXT = "居民张三丰反映愚园路128弄3号楼道堆物,联系电话13812345678,座机021-62481357,身份证310106199003077777"
SECRETS = ["张三丰", "13812345678", "62481357", "310106199003077777", "128弄", "3号"]
FEEDS = ["/open311/v2/requests.json", "/open311/v2/requests.xml"]


def _case(street, **kwargs) -> Case:
    fields = dict(source=Source.PATROL, title=SECRET_TEXT, content=SECRET_TEXT, citizen_name="张三丰",
                  citizen_phone="13812345678", address="愚园路128弄3号")
    fields.update(kwargs)
    return street.new_case(**fields)


def _all_responses(case: Case) -> list[bytes]:
    client = Client()
    paths = [*FEEDS, f"/open311/v2/requests/{case.number}.json", f"/open311/v2/requests/{case.number}.xml",
             f"/open311/v2/requests.json?service_request_id={case.number}"]
    return [client.get(path).content for path in paths]


def test_the_feed_publishes_no_personal_data_of_a_handled_case(street):
    case = _case(street, latitude="31.2245123", longitude="121.4452987")
    case = case_services.case_dispatch(actor=street.dispatcher, case=case, lead_department=street.department)
    case = case_services.case_sign(actor=street.handler, case=case)
    case = case_services.case_record_first_contact(actor=street.handler, case=case, method="phone", outcome=SECRET_TEXT)
    case_services.case_finish(actor=street.handler, case=case, result=f"已清理。{SECRET_TEXT}")
    for body in _all_responses(case):
        text = body.decode()
        assert case.number in text
        assert not [secret for secret in SECRETS if secret in text], text
    published = Client().get(f"/open311/v2/requests/{case.number}.json").json()[0]
    assert published["description"] == f"{street.category.parent.name}/楼道堆物问题,位于愚园路(愚园小区)附近(网格巡查)"
    assert published["status_notes"] == f"已办结:已由{street.department.name}处置完毕"
    assert published["address"] == "愚园路(愚园小区)"
    assert published["lat"] == 31.225 and published["long"] == 121.445  # a block, not the doorstep


def test_only_published_sources_are_listed(street, settings):
    hotline = _case(street, source=Source.HOTLINE, hotline_number="2026120200001")
    patrol = _case(street)
    listed = [r["service_request_id"] for r in Client().get(FEEDS[0]).json()]
    assert patrol.number in listed and hotline.number not in listed
    assert Client().get(f"/open311/v2/requests/{hotline.number}.json").status_code == 404
    settings.OPEN311_PUBLIC_SOURCES = ["hotline"]
    listed = [r["service_request_id"] for r in Client().get(FEEDS[0]).json()]
    assert listed == [hotline.number]


def test_an_unpublished_category_is_unknown_to_the_public(street):
    case = _case(street)
    UnpublishedCategory.objects.create(category=street.category, reason="邻里矛盾")
    assert case.number not in Client().get(FEEDS[0]).content.decode()
    assert Client().get(f"/open311/v2/requests/{case.number}.xml").status_code == 404
    ids = Client().get("/open311/v2/requests.json", {"service_request_id": case.number}).json()
    assert ids == []


def test_the_xml_feed_stays_valid_with_control_characters_stored(street):
    case = _case(street)
    Case.objects.filter(pk=case.pk).update(address="愚园路\x0b\x01128弄3号")
    street.department.name = "城管\x0c中队"
    street.department.save()
    case_services.case_dispatch(actor=street.dispatcher, case=case, lead_department=street.department)
    for path in ("/open311/v2/requests.xml", f"/open311/v2/requests/{case.number}.xml"):
        response = Client().get(path)
        assert response.status_code == 200
        root = ET.fromstring(response.content)  # raises on a character XML 1.0 cannot hold
        assert root.find("request/service_request_id").text == case.number
        assert "城管中队" in root.find("request/agency_responsible").text


@pytest.mark.parametrize("field", ["description", "address_string", "first_name", "attribute[floor]"])
def test_a_post_with_a_control_character_is_refused_and_stores_nothing(open311_key, field):
    data = {**POST, "api_key": open311_key, field: POST[field] + "\x0b"}
    response = Client().post("/open311/v2/requests.json", data)
    assert response.status_code == 400
    assert "控制字符" in response.json()[0]["description"]
    assert Case.objects.count() == 0


def test_the_api_key_is_taken_from_a_header(open311_key, street):
    response = Client().post("/open311/v2/requests.json", POST, headers={"X-Api-Key": open311_key})
    assert response.status_code == 201
    assert Client().post("/open311/v2/requests.json", POST, headers={"X-Api-Key": "wrong"}).status_code == 403


@pytest.mark.parametrize(("text", "hidden", "kept"), [
    ("居民张三丰反映", "张三丰", "居民"),
    ("王先生来电", "王", "先生来电"),
    ("姓名:钱多多,住愚园路128弄3号", "钱多多", "愚园路"),
    ("身份证310106199003077777号", "199003077777", "310106"),
    ("老身份证310106900307777", "900307", "310106"),
    ("电话021-62481357", "62481357", "电话"),
])
def test_public_text_hides_what_announces_a_person(text, hidden, kept):
    masked = mask_public_text(text)
    assert hidden not in masked and kept in masked


@settings(max_examples=60, deadline=None)
@given(name=st.text(alphabet="张王李赵钱孙周吴郑冯陈褚卫蒋沈韩杨朱秦尤许何吕施", min_size=2, max_size=3),
       mobile=st.from_regex(r"1[3-9]\d{9}", fullmatch=True), lane=st.integers(1, 999), house=st.integers(1, 99))
def test_public_text_never_keeps_a_phone_a_house_number_or_the_citizen(name, mobile, lane, house):
    text = f"居民{name}反映愚园路{lane}弄{house}号漏水,电话{mobile}"
    masked = mask_public_text(text, citizen_name=name)
    assert mobile not in masked and f"{lane}弄" not in masked and f"{house}号" not in masked and name not in masked
