"""/api/registry/: masked exactly as the pages, scope (404 outside), audited clear views, writes with their history
and the optimistic lock, the project's error format."""

import json

import pytest
from django.test import Client

from audit.models import AuditEntry
from org.services import api_token_create
from registry.models import ChangeRecord, Entity, Person

pytestmark = pytest.mark.django_db


def api(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=user)[1]}")


def send(client, method, path, body):
    return client.generic(method, path, data=json.dumps(body), content_type="application/json")


def test_lists_are_masked_for_masked_roles_and_clear_and_audited_for_the_centre(street, resident):
    body = api(street.cadre).get("/api/registry/persons").json()
    assert body["count"] == 1 and body["masked"] is True
    row = body["results"][0]
    assert row["name"] == "张**" and row["phone"] == "138****1234" and row["birth_date"] == "1950年"
    assert "128弄3号" not in json.dumps(body, ensure_ascii=False)
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.VIEW_PERSONAL_DATA).exists()
    body = api(street.intake).get("/api/registry/persons").json()
    assert body["results"][0]["name"] == "张建国" and body["masked"] is False
    assert AuditEntry.objects.get(object_type="registry.person_api").detail["ids"] == [resident.pk]


def test_detail_masks_every_field_and_an_outsider_gets_404(street, resident):
    body = api(street.grid_user).get(f"/api/registry/persons/{resident.pk}").json()
    text = json.dumps(body, ensure_ascii=False)
    for secret in ("张建国", resident.phone, resident.id_number, "1950-03-08", "13987654321", "128弄3号"):
        assert secret not in text
    response = api(street.other_grid_user).get(f"/api/registry/persons/{resident.pk}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert api(street.handler).get(f"/api/registry/persons/{resident.pk}").status_code == 404
    assert api(street.handler).get("/api/registry/persons").status_code == 403


def test_identifier_search_refused_says_why(street, resident):
    body = api(street.leader).get(f"/api/registry/persons?q={resident.phone}").json()
    assert body["count"] == 0 and "不能按电话" in body["search_refused"]


def test_reveal_needs_a_purpose_and_is_audited(street, resident):
    client = api(street.leader)
    response = send(client, "POST", f"/api/registry/persons/{resident.pk}/reveal", {})
    assert response.status_code == 422
    response = send(client, "POST", f"/api/registry/persons/{resident.pk}/reveal", {"purpose": "other"})
    assert response.status_code == 422 and "请写明查看目的" in response.json()["message"]
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.VIEW_PERSONAL_DATA).exists()
    body = send(client, "POST", f"/api/registry/persons/{resident.pk}/reveal", {"purpose": "service"}).json()
    assert body["name"] == "张建国" and body["masked"] is False
    entry = AuditEntry.objects.get(action=AuditEntry.Action.VIEW_PERSONAL_DATA)
    assert entry.detail["purpose"] == "为老/助困服务"
    assert send(api(street.dispatcher), "POST", f"/api/registry/persons/{resident.pk}/reveal",
                {"purpose": "visit"}).status_code == 403


def test_create_and_update_with_history_and_a_stale_version_is_409(street, household):
    client = api(street.cadre)
    response = send(client, "POST", "/api/registry/persons", {
        "name": "孙八", "phone": "13600001111", "household_id": household.pk, "relation": "child",
        "tags": []})
    assert response.status_code == 201, response.content
    person = Person.objects.get(name="孙八")
    assert response.json()["name"] == "孙*"
    response = send(client, "PATCH", f"/api/registry/persons/{person.pk}", {"version": 1, "residence": "floating"})
    assert response.status_code == 200
    record = ChangeRecord.objects.filter(entity=Entity.PERSON, object_id=person.pk, action="update").get()
    assert record.source == "api" and record.changes["residence"] == ["户籍", "流动"]
    response = send(client, "PATCH", f"/api/registry/persons/{person.pk}", {"version": 1, "notes": "改"})
    assert response.status_code == 409 and "已被他人修改" in response.json()["message"]
    response = send(client, "PATCH", f"/api/registry/persons/{person.pk}", {"id_number": "310106195003081230"})
    assert response.status_code == 422 and response.json()["details"]["field"] == "id_number"
    response = send(client, "POST", "/api/registry/persons", {"name": "无户之人"})
    assert response.status_code == 403  # a 居委干部 registers people into households of its 居民区
    assert send(api(street.leader), "PATCH", f"/api/registry/persons/{person.pk}", {"notes": "x"}).status_code == 403


def test_households_and_units(street, resident, household, other_household):
    body = api(street.cadre).get("/api/registry/households?q=愚园路128弄").json()
    assert body["count"] == 1 and "门牌号" in body["search_refused"]
    assert body["results"][0]["address"] == "愚园路xx弄x号xx室" and body["results"][0]["members"] == 1
    detail = api(street.cadre).get(f"/api/registry/households/{household.pk}").json()
    assert detail["members"][0]["name"] == "张**"
    assert api(street.cadre).get(f"/api/registry/households/{other_household.pk}").status_code == 404
    from registry import services

    unit = services.unit_create(actor=street.dispatcher, name="金坛便利店", address="愚园路128弄1号", operator=resident)
    body = api(street.cadre).get("/api/registry/units").json()
    assert body["results"][0]["operator"] == "张**"
    detail = api(street.dispatcher).get(f"/api/registry/units/{unit.pk}").json()
    assert detail["operator"]["name"] == "张建国"
    assert AuditEntry.objects.filter(object_type="registry.unit", object_id=str(unit.pk)).exists()
