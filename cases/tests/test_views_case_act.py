"""POST /cases/<pk>/act/<action>/: each action through the page, refusals with 403/404, errors with 409/422."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from cases import services
from cases.actions import ACTIONS
from cases.models import Case, Request, State

pytestmark = pytest.mark.django_db


def in_days(days: int):
    return timezone.localdate() + timedelta(days=days)


def return_requested(s):
    case = s.dispatched_case()
    services.case_request_return(actor=s.handler, case=case, reason="非本单位职责")
    return case


def extension_requested(s):
    case = s.handling_case()
    services.case_request_extension(actor=s.handler, case=case, reason="需协调物业", extra_days=3)
    return case


def joint_case(s):
    case = s.new_case()
    services.case_dispatch(actor=s.dispatcher, case=case, lead_department=s.department,
                           co_departments=[s.co_department])
    services.case_sign(actor=s.handler, case=case)
    return case


def urged(s):
    case = s.dispatched_case()
    services.case_urge(actor=s.leader, case=case, note="请尽快签收")
    return case


def suspended(s):
    case = s.handling_case()
    services.case_suspend(actor=s.dispatcher, case=case, plan="协调业委会", review_date=in_days(30))
    return case


def two_registered(s):
    s.master_case = s.new_case(title="主工单")
    return s.new_case(title="重复件")


@dataclass
class Step:
    action: str
    make: Any  # street → case in the state the action starts from
    actor: str
    data: Any  # street, case → POST data
    check: Any  # street, case (refreshed) → bool


STEPS = [
    Step("dispatch", lambda s: s.new_case(), "dispatcher",
         lambda s, c: {"lead_department_id": s.department.pk, "co_department_ids": [s.co_department.pk],
                       "version": c.version},
         lambda s, c: c.state == State.DISPATCHED and c.assignments.filter(active=True).count() == 2),
    Step("sign", lambda s: s.dispatched_case(), "handler", lambda s, c: {"note": "收到"},
         lambda s, c: c.state == State.SIGNED and c.signed_at is not None),
    Step("request_return", lambda s: s.dispatched_case(), "handler", lambda s, c: {"reason": "非本单位职责"},
         lambda s, c: c.state == State.RETURN_REQUESTED and c.requests.filter(status="pending").exists()),
    Step("approve_return", return_requested, "dispatcher", lambda s, c: {"reason": "改派物业"},
         lambda s, c: c.state == State.REGISTERED and c.lead_department is None and c.return_count == 1),
    Step("reject_return", return_requested, "dispatcher", lambda s, c: {"reason": "属于城管职责"},
         lambda s, c: c.state == State.DISPATCHED and c.requests.get().status == Request.Status.REJECTED),
    Step("record_first_contact", lambda s: s.signed_case(), "handler",
         lambda s, c: {"method": "visit", "outcome": "已上门见到诉求人"},
         lambda s, c: c.state == State.HANDLING and c.first_contact_at is not None),
    Step("add_progress", lambda s: s.handling_case(), "handler", lambda s, c: {"note": "已通知物业清运"},
         lambda s, c: c.events.filter(action="add_progress", note="已通知物业清运").exists()),
    Step("co_report", joint_case, "co_handler", lambda s, c: {"note": "居委已入户劝导"},
         lambda s, c: c.assignments.get(department=s.co_department, active=True).report == "居委已入户劝导"),
    Step("request_extension", lambda s: s.handling_case(), "handler",
         lambda s, c: {"reason": "需等待业委会表决", "extra_days": "5"},
         lambda s, c: c.requests.get(kind="extension").status == Request.Status.PENDING),
    Step("approve_extension", extension_requested, "dispatcher", lambda s, c: {"reason": "同意"},
         lambda s, c: c.extension_count == 1
         and c.handle_deadline == c.requests.get(kind="extension").requested_deadline),
    Step("reject_extension", extension_requested, "dispatcher", lambda s, c: {"reason": "理由不充分"},
         lambda s, c: c.extension_count == 0 and c.requests.get(kind="extension").status == Request.Status.REJECTED),
    Step("finish", lambda s: s.handling_case(), "handler",
         lambda s, c: {"result": "堆物已清理", "explanation": "政策不支持"},  # demand_met unchecked
         lambda s, c: c.state == State.HANDLED and c.events.get(action="finish").payload["demand_met"] is False),
    Step("callback", lambda s: s.handled_case(), "callback",
         lambda s, c: {"satisfaction": "satisfied", "solved": "on", "first_contacted": "on"},
         lambda s, c: c.state == State.CALLED_BACK and c.satisfaction == "satisfied" and c.solved is True),
    Step("handler_callback", lambda s: s.handled_case(), "handler",
         lambda s, c: {"satisfaction": "basically", "solved": "false", "remarks": "居民称基本满意"},
         lambda s, c: c.state == State.HANDLED and c.satisfaction == ""
         and c.events.get(action="handler_callback").payload["solved"] is False),
    Step("reopen", lambda s: s.called_back_case(satisfaction="unsatisfied"), "dispatcher",
         lambda s, c: {"reason": "诉求人不满意,改由物业处置", "lead_department_id": s.other_department.pk},
         lambda s, c: c.state == State.DISPATCHED and c.lead_department == s.other_department and c.reopen_count == 1),
    Step("close", lambda s: s.called_back_case(), "callback", lambda s, c: {},
         lambda s, c: c.state == State.CLOSED and c.closed_at is not None),
    Step("urge", lambda s: s.dispatched_case(), "leader", lambda s, c: {"note": "请今日内签收"},
         lambda s, c: c.urge_count == 1),
    Step("respond_urge", urged, "handler", lambda s, c: {"note": "已安排人员"},
         lambda s, c: c.events.filter(action="respond_urge").exists()),
    Step("chase", lambda s: s.dispatched_case(), "intake",
         lambda s, c: {"note": "市民再次来电", "hotline_number": "H1"},
         lambda s, c: c.chase_count == 1),
    Step("merge", two_registered, "dispatcher", lambda s, c: {"master": s.master_case.number},
         lambda s, c: c.state == State.MERGED and c.master == s.master_case),
    Step("suspend", lambda s: s.handling_case(), "dispatcher",
         lambda s, c: {"plan": "纳入十大民生项目", "review_date": in_days(60).isoformat()},
         lambda s, c: c.state == State.SUSPENDED and c.suspended_review_date is not None),
    Step("resume", suspended, "dispatcher", lambda s, c: {"note": "业委会已表决"},
         lambda s, c: c.state == State.HANDLING and c.suspended_review_date is None),
    Step("verify", lambda s: s.handled_case(), "grid_user", lambda s, c: {"note": "现场堆物已清理", "fixed": "on"},
         lambda s, c: c.events.get(action="verify").payload["fixed"] is True and c.state == State.HANDLED),
]


def test_every_web_action_has_a_step_here():
    assert {step.action for step in STEPS} == set(ACTIONS)


@pytest.mark.parametrize("step", STEPS, ids=[s.action for s in STEPS])
def test_each_action_posts_and_changes_the_case(client, street, step):
    case = step.make(street)
    events_before = case.events.count()
    client.force_login(getattr(street, step.actor))
    response = client.post(f"/cases/{case.pk}/act/{step.action}/", step.data(street, case))
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    case.refresh_from_db()
    assert step.check(street, case)
    assert case.events.count() == events_before + 1
    assert case.events.last().actor == getattr(street, step.actor)


def test_htmx_action_answers_the_detail_panel_with_a_notice(client, street):
    case = street.dispatched_case()
    client.force_login(street.handler)
    response = client.post(f"/cases/{case.pk}/act/sign/", {}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200 and "<header" not in page
    assert '<div id="case-detail">' in page and 'id="case-state">已签收<' in page
    assert 'id="action-notice">已签收<' in page


@pytest.mark.parametrize("make,actor,action,needed", [
    ("dispatched_case", "leader", "sign", "处置人"),  # wrong role
    ("dispatched_case", "dispatcher", "sign", "处置人"),
    ("new_case", "intake", "dispatch", "派单员"),
    ("handled_case", "leader", "close", "回访员"),
])
def test_an_action_not_offered_is_refused_with_403_and_changes_nothing(client, street, make, actor, action, needed):
    case = getattr(street, make)()
    before = (case.state, case.version, case.events.count())
    client.force_login(getattr(street, actor))
    response = client.post(f"/cases/{case.pk}/act/{action}/", {"version": case.version, "reason": "x", "note": "x"})
    page = response.content.decode()
    assert response.status_code == 403 and "无权操作" in page and needed in page
    case.refresh_from_db()
    assert (case.state, case.version, case.events.count()) == before


def test_the_right_role_on_a_case_that_moved_on_gets_a_409_with_the_state(client, street):
    """签收 from a page opened before a colleague signed: a conflict to refresh, not a refusal of the role."""
    case = street.signed_case()
    before = (case.state, case.version, case.events.count())
    client.force_login(street.handler)
    response = client.post(f"/cases/{case.pk}/act/sign/", {"version": case.version, "note": "x"})
    page = response.content.decode()
    assert response.status_code == 409 and "当前状态为「已签收」" in page and "请刷新页面" in page
    case.refresh_from_db()
    assert (case.state, case.version, case.events.count()) == before


def test_co_handler_cannot_finish_the_lead_departments_case(client, street):
    case = joint_case(street)
    services.case_record_first_contact(actor=street.handler, case=case, method="phone", outcome="已联系")
    client.force_login(street.co_handler)
    response = client.post(f"/cases/{case.pk}/act/finish/", {"result": "已处理", "demand_met": "on"})
    assert response.status_code == 403 and "不在您的职责范围内" in response.content.decode()
    case.refresh_from_db()
    assert case.state == State.HANDLING


def test_out_of_scope_case_is_404_and_unchanged(client, street):
    case = street.dispatched_case()
    client.force_login(street.handler_other)
    assert client.post(f"/cases/{case.pk}/act/sign/", {}).status_code == 404
    case.refresh_from_db()
    assert case.state == State.DISPATCHED


def test_unknown_action_is_404_and_get_is_405(client, street):
    case = street.dispatched_case()
    client.force_login(street.dispatcher)
    assert client.post(f"/cases/{case.pk}/act/register/", {}).status_code == 404
    assert client.post(f"/cases/{case.pk}/act/delete_everything/", {}).status_code == 404
    assert client.get(f"/cases/{case.pk}/act/urge/").status_code == 405


def test_validation_error_is_shown_in_chinese_with_422_and_nothing_changes(client, street):
    case = street.dispatched_case()
    client.force_login(street.handler)
    response = client.post(f"/cases/{case.pk}/act/request_return/", {"reason": "  "}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 422 and 'id="action-error">请填写退单理由<' in page
    case.refresh_from_db()
    assert case.state == State.DISPATCHED and case.events.count() == 2


def test_a_refused_form_keeps_what_was_typed_and_stays_open(client, street):
    case = street.handling_case()
    client.force_login(street.handler)
    response = client.post(f"/cases/{case.pk}/act/request_extension/",
                           {"reason": "需要等待业委会表决", "extra_days": "很多"})
    page = response.content.decode()
    assert response.status_code == 422 and "延期工作日数格式不正确" in page and "<header" in page
    assert "需要等待业委会表决</textarea>" in page
    assert '<details class="action" open>' in page


@pytest.mark.parametrize("action,data,message", [
    ("finish", {"result": "已清理"}, "请填写诉求未能满足的原因"),  # demand_met unchecked, no explanation
    ("request_extension", {"reason": "需协调", "extra_days": "61"}, "延期工作日数格式不正确"),
    ("record_first_contact", {"method": "pigeon", "outcome": "已联系"}, "联系方式格式不正确"),
    ("add_progress", {"note": ""}, "请填写进展情况"),
])
def test_handler_form_errors_are_422_in_chinese(client, street, action, data, message):
    case = street.handling_case()
    client.force_login(street.handler)
    response = client.post(f"/cases/{case.pk}/act/{action}/", data, HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and message in response.content.decode()


def test_unsatisfied_callback_needs_remarks(client, street):
    case = street.handled_case()
    client.force_login(street.callback)
    response = client.post(f"/cases/{case.pk}/act/callback/", {"satisfaction": "unsatisfied", "solved": "false",
                                                                "first_contacted": "true"})
    assert response.status_code == 422 and "请填写不满意原因" in response.content.decode()


@pytest.mark.parametrize("missing", ["solved", "first_contacted"])
def test_the_callback_answers_are_required_yes_no_choices(client, street, missing):
    # Issue 16: an unticked box silently recorded 未解决 · 未先联; now each is a required 是/否 choice.
    case = street.handled_case()
    client.force_login(street.callback)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert '<select name="solved" required>' in page and '<select name="first_contacted" required>' in page
    data = {"satisfaction": "satisfied", "solved": "true", "first_contacted": "false"}
    del data[missing]
    response = client.post(f"/cases/{case.pk}/act/callback/", data, HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and "请选择" in response.content.decode()
    case.refresh_from_db()
    assert case.state == "handled"
    data[missing] = "false"
    client.post(f"/cases/{case.pk}/act/callback/", data)
    case.refresh_from_db()
    assert case.state == "called_back" and case.solved is (data["solved"] == "true")
    assert case.first_contact_confirmed is (data["first_contacted"] == "true")


def test_the_api_refuses_a_callback_without_answers(client, street):
    case = street.handled_case()
    client.force_login(street.callback)
    response = client.post(f"/api/cases/{case.pk}/callback", {"satisfaction": "satisfied", "solved": True},
                           content_type="application/json")
    assert response.status_code == 422 and response.json()["message"] == "请选择处置人是否曾先行联系"


def test_stale_dispatch_form_answers_409(client, street):
    case = street.new_case()
    client.force_login(street.dispatcher)
    response = client.post(f"/cases/{case.pk}/act/dispatch/", {
        "lead_department_id": street.department.pk, "version": case.version + 1}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409 and "已被他人更新" in response.content.decode()
    case.refresh_from_db()
    assert case.state == State.REGISTERED


def test_a_guard_the_table_cannot_see_answers_409(client, street):
    case = street.handling_case()  # no extension requested
    client.force_login(street.dispatcher)
    response = client.post(f"/cases/{case.pk}/act/approve_extension/", {})
    assert response.status_code == 409 and "没有待审核的申请" in response.content.decode()


def test_merge_into_an_unknown_case_is_explained(client, street):
    case = street.new_case()
    client.force_login(street.dispatcher)
    response = client.post(f"/cases/{case.pk}/act/merge/", {"master": "JAS-2099-999999"})
    assert response.status_code == 422 and "主工单不存在" in response.content.decode()


def test_anonymous_htmx_post_is_redirected_to_login_as_a_whole_page(client, street):
    case = street.dispatched_case()
    response = client.post(f"/cases/{case.pk}/act/sign/", {}, HTTP_HX_REQUEST="true",
                           HTTP_HX_CURRENT_URL=f"http://testserver/cases/{case.pk}/")
    assert response["HX-Redirect"] == f"/login/?next=/cases/{case.pk}/"
    assert Case.objects.get(pk=case.pk).state == State.DISPATCHED
