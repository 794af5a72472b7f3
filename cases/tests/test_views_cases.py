"""Web pages: list scoping and filters, registration, detail masking and audit, actions and refusals."""

import pytest
from django.test import Client

from audit.models import AuditEntry
from cases.models import Case, State
from org.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_anonymous_users_are_sent_to_login(street):
    response = Client().get("/cases/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_wrong_password_is_explained_in_chinese(street):
    response = Client().post("/login/", {"username": street.intake.username, "password": "wrong"})
    assert "用户名或密码不正确" in response.content.decode()
    assert AuditEntry.objects.filter(action="login_failed", username=street.intake.username).exists()


def test_header_shows_name_role_and_logout(street):
    page = login(street.dispatcher).get("/cases/").content.decode()
    assert street.dispatcher.display_name in page and "派单员" in page and "退出" in page


def test_list_is_scoped_to_the_handlers_department(street):
    mine = street.dispatched_case()
    street.new_case(title="别人的工单")
    page = login(street.handler).get("/cases/").content.decode()
    assert mine.number in page and "别人的工单" not in page and "共 1 件" in page


def test_filters_pagination_and_htmx_partial(street):
    for _ in range(27):
        street.new_case()
    street.dispatched_case()
    client = login(street.dispatcher)
    first = client.get("/cases/").content.decode()
    assert "第 1 / 2 页" in first and "下一页" in first
    filtered = client.get("/cases/", {"state": State.DISPATCHED}).content.decode()
    assert "共 1 件" in filtered
    partial = client.get("/cases/", {"state": State.DISPATCHED}, HTTP_HX_REQUEST="true").content.decode()
    assert "<header" not in partial and "共 1 件" in partial


def test_bad_filters_and_empty_results_are_explained(street):
    client = login(street.dispatcher)
    bad = client.get("/cases/", {"registered_from": "2026-02-30", "state": "nonsense"}).content.decode()
    assert "筛选条件有误" in bad
    empty = client.get("/cases/", {"q": "不存在的关键词"}).content.decode()
    assert "没有符合条件的工单" in empty


def test_intake_registers_a_case_through_the_form(street):
    response = login(street.intake).post("/cases/new/", {
        "source": "walk_in", "content": "愚园路128弄5号门口窨井盖缺失", "address": "愚园路128弄5号",
        "citizen_name": "赵敏", "citizen_phone": "13700001111", "urgency": "normal",
    })
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert case.neighbourhood == street.neighbourhood and case.created_by == street.intake


def test_registration_errors_are_shown_in_chinese_and_nothing_is_saved(street):
    response = login(street.intake).post("/cases/new/", {
        "source": "hotline", "content": "噪音扰民", "citizen_phone": "12345", "urgency": "normal"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "热线工单号" in page or "联系电话" in page
    assert Case.objects.count() == 0


def test_handlers_cannot_open_the_registration_form(street):
    response = login(street.handler).get("/cases/new/")
    assert response.status_code == 403 and "无权操作" in response.content.decode()


def test_leader_sees_masked_personal_data_without_an_audit_entry(street):
    case = street.new_case()
    page = login(street.leader).get(f"/cases/{case.pk}/").content.decode()
    assert "138****1234" in page and "13812341234" not in page and "张**" in page
    assert not AuditEntry.objects.filter(action="view_personal_data").exists()


def test_handler_sees_personal_data_and_the_view_is_audited(street):
    case = street.dispatched_case()
    page = login(street.handler).get(f"/cases/{case.pk}/").content.decode()
    assert "13812341234" in page
    assert AuditEntry.objects.filter(action="view_personal_data", actor=street.handler, object_id=case.number).exists()


def test_out_of_scope_case_is_a_404_page(street):
    case = street.dispatched_case()
    response = login(street.handler_other).get(f"/cases/{case.pk}/")
    assert response.status_code == 404 and "不在您的职责范围内" in response.content.decode()


def test_actions_offered_follow_role_and_state(street):
    case = street.dispatched_case()
    handler_page = login(street.handler).get(f"/cases/{case.pk}/").content.decode()
    assert 'data-action="sign"' in handler_page and 'data-action="request_return"' in handler_page
    assert 'data-action="dispatch"' not in handler_page
    leader_page = login(street.leader).get(f"/cases/{case.pk}/").content.decode()
    assert 'data-action="urge"' in leader_page and 'data-action="sign"' not in leader_page


def test_an_action_posted_by_the_page_changes_the_state(street):
    case = street.dispatched_case()
    response = login(street.handler).post(f"/cases/{case.pk}/act/sign/", {"note": "已签收"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == State.SIGNED


def test_dispatch_from_the_page_uses_the_version_and_departments(street):
    case = street.new_case()
    response = login(street.dispatcher).post(f"/cases/{case.pk}/act/dispatch/", {
        "lead_department_id": street.department.pk, "co_department_ids": [street.co_department.pk],
        "version": case.version}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "已派单" in response.content.decode()
    case.refresh_from_db()
    assert case.state == State.DISPATCHED and case.assignments.filter(role="co", active=True).count() == 1


def test_a_forbidden_action_forced_by_post_is_refused_and_changes_nothing(street):
    case = street.dispatched_case()
    response = login(street.leader).post(f"/cases/{case.pk}/act/sign/", {})
    assert response.status_code == 403 and "签收" in response.content.decode()
    case.refresh_from_db()
    assert case.state == State.DISPATCHED and case.events.count() == 2


def test_validation_error_is_shown_with_status_422(street):
    case = street.dispatched_case()
    response = login(street.handler).post(f"/cases/{case.pk}/act/request_return/", {"reason": "  "},
                                          HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and "请填写退单理由" in response.content.decode()
    case.refresh_from_db()
    assert case.state == State.DISPATCHED


def test_stale_dispatch_form_answers_409(street):
    case = street.new_case()
    client = login(street.dispatcher)
    response = client.post(f"/cases/{case.pk}/act/dispatch/", {
        "lead_department_id": street.department.pk, "version": case.version + 1}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409 and "已被他人更新" in response.content.decode()
