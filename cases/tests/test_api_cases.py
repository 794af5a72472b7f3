"""The cases API: auth, create with idempotency, list scoping, detail masking, and the error format."""

import pytest
from django.test import Client

from audit.models import AuditEntry
from cases import services
from cases.models import Case, CaseEvent
from org.services import api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db


def api(user) -> Client:
    _, key = api_token_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


NEW_CASE = {
    "source": "patrol", "title": "楼道堆物", "content": "愚园路128弄3号楼道堆放纸板,堵塞消防通道。",
    "address": "愚园路128弄3号", "citizen_name": "王秀英", "citizen_phone": "13912345678",
}


def test_it_requires_a_token(street):
    response = Client().get("/api/cases")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_a_revoked_token_is_refused(street):
    token, key = api_token_create(user=street.intake)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/cases").status_code == 200
    api_token_revoke(user=street.intake, token=token)
    assert client.get("/api/cases").status_code == 401


def test_intake_creates_a_case_placed_by_the_gazetteer(street):
    response = api(street.intake).post("/api/cases", NEW_CASE, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"].startswith("JAS-")
    assert body["state"] == "registered" and body["state_label"] == "已受理"
    assert body["neighbourhood"] == "金坛居民区"
    assert body["citizen_phone"] == "13912345678"
    assert "dispatch" not in body["available_actions"]


def test_idempotency_key_returns_the_first_case_and_writes_one_event(street):
    client = api(street.intake)
    headers = {"HTTP_IDEMPOTENCY_KEY": "retry-42"}
    first = client.post("/api/cases", NEW_CASE, content_type="application/json", **headers)
    second = client.post("/api/cases", NEW_CASE, content_type="application/json", **headers)
    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert Case.objects.count() == 1
    assert CaseEvent.objects.filter(action="register").count() == 1


def test_invalid_input_answers_422_in_chinese_and_changes_nothing(street):
    client = api(street.intake)
    bad_phone = client.post("/api/cases", {**NEW_CASE, "citizen_phone": "12345"}, content_type="application/json")
    assert bad_phone.status_code == 422
    assert "联系电话" in bad_phone.json()["message"]
    missing = client.post("/api/cases", {"source": "patrol"}, content_type="application/json")
    assert missing.status_code == 422
    assert missing.json()["code"] == "validation_failed"
    assert Case.objects.count() == 0


def test_forbidden_transition_answers_409(street):
    case = street.new_case()
    response = api(street.dispatcher).post(f"/api/cases/{case.pk}/finish", {"result": "已处理"},
                                           content_type="application/json")
    # The dispatcher may not finish at all: role check first.
    assert response.status_code == 403
    response = api(street.handler).post(f"/api/cases/{case.pk}/sign", {}, content_type="application/json")
    # The handler can't see an undispatched case of its department yet.
    assert response.status_code == 404
    dispatched = street.dispatched_case()
    response = api(street.handler).post(f"/api/cases/{dispatched.pk}/finish", {"result": "已处理"},
                                        content_type="application/json")
    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"
    assert "已派单" in response.json()["message"]


def test_handler_of_another_department_gets_404_for_the_case(street):
    case = street.dispatched_case()
    assert api(street.handler_other).get(f"/api/cases/{case.pk}").status_code == 404
    response = api(street.handler_other).post(f"/api/cases/{case.pk}/sign", {}, content_type="application/json")
    assert response.status_code == 404


def test_stale_version_on_dispatch_answers_409(street):
    case = street.new_case()
    response = api(street.dispatcher).post(
        f"/api/cases/{case.pk}/dispatch",
        {"lead_department_id": street.department.pk, "version": case.version + 5},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


def test_whole_lifecycle_through_the_api(street):
    created = api(street.intake).post("/api/cases", NEW_CASE, content_type="application/json").json()
    case_id = created["id"]

    def act(user, path, body=None, status=200):
        response = api(user).post(f"/api/cases/{case_id}/{path}", body or {}, content_type="application/json")
        assert response.status_code == status, response.content
        return response.json()

    dispatched = act(street.dispatcher, "dispatch", {"lead_department_id": street.department.pk,
                                                     "co_department_ids": [street.co_department.pk],
                                                     "category_id": street.category.pk})
    assert dispatched["state"] == "dispatched" and dispatched["co_departments"] == ["金坛居委会"]
    assert dispatched["handle_deadline"] is not None
    act(street.handler, "sign")
    act(street.handler, "first-contact", {"method": "phone", "outcome": "已联系,约定明早上门"})
    act(street.co_handler, "co-report", {"note": "居委会已上门劝导"})
    act(street.handler, "finish", {"result": "堆物已清理"})
    act(street.callback, "callback", {"satisfaction": "unsatisfied", "solved": False, "first_contacted": True,
                                      "remarks": "纸板又堆回来了"})
    act(street.callback, "reopen", {"reason": "回访不满意,重新处置"})
    act(street.handler, "sign")
    act(street.handler, "first-contact", {"method": "visit", "outcome": "上门核实"})
    act(street.handler, "finish", {"result": "已彻底清理并张贴告知书"})
    act(street.callback, "callback", {"satisfaction": "satisfied", "solved": True, "first_contacted": True})
    closed = act(street.callback, "close")
    assert closed["state"] == "closed" and closed["reopen_count"] == 1
    events = api(street.dispatcher).get(f"/api/cases/{case_id}/events").json()
    assert [e["action"] for e in events][:3] == ["register", "dispatch", "sign"]
    assert events[-1]["action"] == "close" and events[-1]["to_state"] == "closed"


def test_leader_sees_personal_data_masked_and_no_audit_entry(street):
    case = street.new_case()
    body = api(street.leader).get(f"/api/cases/{case.pk}").json()
    assert body["citizen_name"] == "张**" and body["citizen_phone"] == "138****1234"
    assert body["address"] == "愚园路xx弄x号" and body["personal_data_masked"] is True
    assert not AuditEntry.objects.filter(action="view_personal_data").exists()


def test_dispatcher_sees_personal_data_and_the_view_is_audited(street):
    case = street.new_case()
    body = api(street.dispatcher).get(f"/api/cases/{case.number}").json()
    assert body["citizen_phone"] == "13812341234"
    entry = AuditEntry.objects.get(action="view_personal_data")
    assert entry.actor == street.dispatcher and entry.object_id == case.number


def test_list_is_scoped_filtered_paginated_and_masked(street):
    for _ in range(3):
        street.dispatched_case()
    street.new_case(address="新闸路1号", content="新闸路噪音扰民")
    handler_list = api(street.handler).get("/api/cases").json()
    assert handler_list["count"] == 3
    everyone = api(street.dispatcher).get("/api/cases", {"limit": 2}).json()
    assert everyone["count"] == 4 and len(everyone["results"]) == 2
    assert everyone["results"][0]["citizen_phone"] == "138****1234"
    searched = api(street.dispatcher).get("/api/cases", {"q": "新闸路"}).json()
    assert searched["count"] == 1
    by_state = api(street.dispatcher).get("/api/cases", {"state": "registered"}).json()
    assert by_state["count"] == 1
    assert api(street.dispatcher).get("/api/cases", {"state": "nonsense"}).status_code == 422


def test_openapi_schema_lists_every_action(street):
    schema = Client().get("/api/openapi.json").json()
    operation_ids = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    from cases.actions import ACTIONS

    assert {f"case_{a}" for a in ACTIONS} <= operation_ids


def test_available_actions_leave_out_what_a_guard_would_refuse(street):
    case = street.handling_case()
    client = api(street.dispatcher)
    before = client.get(f"/api/cases/{case.pk}").json()["available_actions"]
    assert "approve_extension" not in before and "urge" in before
    services.case_request_extension(actor=street.handler, case=case, reason="需协调施工队", extra_days=3)
    after = client.get(f"/api/cases/{case.pk}").json()["available_actions"]
    assert {"approve_extension", "reject_extension"} <= set(after)
    handler_actions = api(street.handler).get(f"/api/cases/{case.pk}").json()["available_actions"]
    assert "request_extension" not in handler_actions and "respond_urge" not in handler_actions


def test_free_text_is_masked_for_roles_without_need(street):
    case = street.new_case(title="愚园路128弄3号张建国反映堆物",
                           content="张建国(13812341234,家里电话62481234)反映愚园路128弄3号302室楼道堆物。")
    leader = api(street.leader).get(f"/api/cases/{case.pk}").json()
    assert leader["title"] == "愚园路xx弄x号张**反映堆物"
    assert leader["content"] == "张**(138****1234,家里电话****)反映愚园路xx弄x号xx室楼道堆物。"
    listed = api(street.leader).get("/api/cases").json()["results"][0]
    assert "13812341234" not in str(listed) and "128弄" not in str(listed)
    dispatcher = api(street.dispatcher).get(f"/api/cases/{case.pk}").json()
    assert dispatcher["content"] == case.content
