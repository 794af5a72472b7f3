"""Schemathesis against the Open311 GeoReport v2 endpoints: no generated request gets a server error.

GeoReport v2 publishes no OpenAPI document, so the contract the fuzzer works from is written here from the spec
(every parameter as a string, as the spec sends them). Bounded like test_fuzz_api.py.
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error

from chengyun.wsgi import application
from open311.models import ServiceAttribute
from open311.services import open311_key_create

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
TEXT = {"type": "string"}


def query(*names: str, required: tuple[str, ...] = ()) -> list[dict]:
    return [{"name": n, "in": "query", "required": n in required, "schema": TEXT} for n in names]


def path(name: str) -> list[dict]:
    return [{"name": name, "in": "path", "required": True, "schema": {"type": "string", "pattern": r"^[\w-]{1,40}$"}}]


ANY = {"default": {"description": "GeoReport v2 answer (JSON or XML)"}}
REQUEST_FIELDS = ["service_code", "lat", "long", "address_string", "address_id", "description", "first_name",
                  "last_name", "phone", "email", "device_id", "account_id", "media_url", "attribute[floor]"]
GEOREPORT = {
    "openapi": "3.0.3",
    "info": {"title": "GeoReport v2 (chengyun)", "version": "2"},
    "paths": {
        "/open311/v2/discovery.json": {"get": {"responses": ANY}},
        "/open311/v2/services.json": {"get": {"parameters": query("jurisdiction_id"), "responses": ANY}},
        "/open311/v2/services.xml": {"get": {"parameters": query("jurisdiction_id"), "responses": ANY}},
        "/open311/v2/services/{service_code}.json": {"get": {"parameters": path("service_code"), "responses": ANY}},
        "/open311/v2/requests.json": {
            "get": {"parameters": query("service_request_id", "service_code", "start_date", "end_date", "status",
                                        "jurisdiction_id"), "responses": ANY},
            "post": {
                "parameters": query("jurisdiction_id"),
                "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {
                    "type": "object", "properties": {name: {
                        **TEXT, **({"enum": ["LDDW", "NOPE", ""]} if name == "service_code" else {})}
                        for name in REQUEST_FIELDS},
                }, "example": {"service_code": "LDDW", "lat": "31.2235", "long": "121.4452", "description": "楼道堆物",
                               "attribute[floor]": "1"}}}},
                "responses": ANY,
            },
        },
        "/open311/v2/requests.xml": {"get": {"parameters": query("service_request_id", "status"), "responses": ANY}},
        "/open311/v2/requests/{service_request_id}.json": {"get": {"parameters": path("service_request_id"), "responses": ANY}},
        "/open311/v2/tokens/{token}.json": {"get": {"parameters": path("token"), "responses": ANY}},
    },
}

schema = schemathesis.openapi.from_dict(GEOREPORT)
schema.app = application


@pytest.fixture
def open311_api_key(street, settings):
    settings.RATE_LIMIT_ENABLED = False
    street.category.code = "LDDW"
    street.category.save()
    ServiceAttribute.objects.create(
        category=street.category, code="floor", datatype=ServiceAttribute.Datatype.SINGLE, required=True,
        description="堆物所在楼层", order=1, values=[{"key": "1", "name": "一楼"}, {"key": "2", "name": "二楼"}],
    )
    _, key = open311_key_create(name="fuzz")
    return key


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_no_open311_request_answers_with_a_server_error(case, open311_api_key):
    if case.method == "POST":  # a valid key, so submissions get past the key check into validation and creation
        case.query = {**(case.query or {}), "api_key": open311_api_key}
    case.call_and_validate(checks=[not_a_server_error])
