"""GeoReport v2 endpoints against the spec's shapes, in JSON and XML."""

from xml.etree import ElementTree as ET

import pytest
from django.test import Client

from cases import services as case_services
from cases.models import Case
from open311.models import Submission

pytestmark = pytest.mark.django_db

POST = {
    "service_code": "LDDW", "lat": "31.2245", "long": "121.4452", "address_string": "愚园路128弄3号",
    "description": "楼道里堆满了纸板和旧家具,晚上很危险", "first_name": "小明", "last_name": "李",
    "phone": "13900001111", "email": "li@example.com", "attribute[floor]": "2",
}


def test_discovery_lists_the_endpoint_in_both_formats(open311_key):
    data = Client().get("/open311/v2/discovery.json").json()
    assert data["endpoints"][0]["url"].endswith("/open311/v2/")
    root = ET.fromstring(Client().get("/open311/v2/discovery.xml").content)
    assert root.tag == "discovery" and root.find("endpoints/endpoint/specification") is not None


def test_services_and_definition(open311_key, street):
    services = Client().get("/open311/v2/services.json").json()
    entry = next(s for s in services if s["service_code"] == "LDDW")
    assert entry["metadata"] is True and entry["type"] == "realtime" and entry["service_name"] == "楼道堆物"
    definition = Client().get("/open311/v2/services/LDDW.json").json()
    assert definition["attributes"][0]["code"] == "floor"
    assert definition["attributes"][0]["values"][1] == {"key": "2", "name": "二楼"}
    xml = ET.fromstring(Client().get("/open311/v2/services.xml").content)
    assert xml.tag == "services" and xml.find("service/service_code").text == "LDDW"
    missing = Client().get("/open311/v2/services/NOPE.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404


def test_post_creates_a_self_reported_case_and_keeps_contact_private(open311_key, street):
    response = Client().post("/open311/v2/requests.json", {**POST, "api_key": open311_key})
    assert response.status_code == 201
    body = response.json()[0]
    case = Case.objects.get(number=body["service_request_id"])
    assert case.source == "self_report" and case.citizen_name == "李小明" and case.citizen_phone == "13900001111"
    assert case.neighbourhood == street.neighbourhood
    submission = Submission.objects.get(case=case)
    assert submission.attributes == {"floor": "2"} and submission.email == "li@example.com"
    public = Client().get(f"/open311/v2/requests/{case.number}.json").json()[0]
    assert public["status"] == "open" and public["address"] == "愚园路(愚园小区)"
    assert "13900001111" not in str(public) and "李小明" not in str(public)
    token = Client().get(f"/open311/v2/tokens/{body['token']}.json").json()[0]
    assert token["service_request_id"] == case.number


def test_post_errors_use_the_standard_format_and_create_nothing(open311_key):
    client = Client()
    no_key = client.post("/open311/v2/requests.json", POST)
    assert no_key.status_code == 403 and no_key.json()[0]["code"] == 403
    no_location = {k: v for k, v in POST.items() if k not in ("lat", "long", "address_string")}
    response = client.post("/open311/v2/requests.json", {**no_location, "api_key": open311_key})
    assert response.status_code == 400 and "location" in response.json()[0]["description"]
    bad_attribute = client.post("/open311/v2/requests.xml", {**POST, "attribute[floor]": "9", "api_key": open311_key})
    root = ET.fromstring(bad_attribute.content)
    assert bad_attribute.status_code == 400 and root.tag == "errors" and root.find("error/code").text == "400"
    wrong_jurisdiction = client.get("/open311/v2/services.json", {"jurisdiction_id": "elsewhere"})
    assert wrong_jurisdiction.status_code == 404
    assert Case.objects.count() == 0


def test_requests_filters_status_and_ids(open311_key, street):
    open_case = street.new_case()
    closed_case = street.called_back_case()
    case_services.case_close(actor=street.callback, case=closed_case)
    client = Client()
    closed = client.get("/open311/v2/requests.json", {"status": "closed"}).json()
    assert [r["service_request_id"] for r in closed] == [closed_case.number]
    assert closed[0]["status_notes"].startswith("已结案")
    both = client.get("/open311/v2/requests.json", {"service_request_id": f"{open_case.number},{closed_case.number}",
                                                     "status": "closed"}).json()
    assert len(both) == 2  # ids override other filters, as the spec says
    assert client.get("/open311/v2/requests.json", {"status": "pending"}).status_code == 400
    assert client.get("/open311/v2/requests.json", {"start_date": "yesterday"}).status_code == 400
