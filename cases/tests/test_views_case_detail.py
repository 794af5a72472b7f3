"""/cases/<pk>/: every field the role may see, personal data masked or audited, timeline, and the role's actions."""

import re

import pytest

from audit.models import AuditEntry
from cases import services

pytestmark = pytest.mark.django_db


def detail(client, user, case, status: int = 200) -> str:
    client.force_login(user)
    response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == status
    return response.content.decode()


def offered(page: str) -> set[str]:
    return set(re.findall(r'data-action="([a-z_]+)"', page))


def test_it_shows_the_case_fields(client, street):
    case = street.dispatched_case(urgency="urgent", hotline_number="", source="patrol")
    page = detail(client, street.dispatcher, case)
    for text in (case.number, case.title, "愚园路128弄3号楼道内堆放大量纸板杂物", "网格巡查", str(street.category),
                 "金坛居民区", "金坛1网格", "愚园小区", "城管中队", "紧急", "已派单", street.intake.display_name):
        assert text in page


@pytest.mark.parametrize("role", ["leader", "grid_user", "cadre"])
def test_roles_without_need_see_personal_data_masked_and_nothing_is_audited(client, street, role):
    case = street.new_case()
    page = detail(client, getattr(street, role), case)
    assert "138****1234" in page and "13812341234" not in page
    assert "张**" in page and "张建国" not in page
    assert "愚园路xx弄x号" in page and "已脱敏" in page
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.VIEW_PERSONAL_DATA).exists()


def test_handler_sees_personal_data_and_the_view_is_audited(client, street):
    case = street.dispatched_case()
    page = detail(client, street.handler, case)
    assert "13812341234" in page and "张建国" in page and "已脱敏" not in page
    entry = AuditEntry.objects.get(action=AuditEntry.Action.VIEW_PERSONAL_DATA)
    assert entry.actor == street.handler and entry.object_id == case.number and entry.ip == "127.0.0.1"


def test_out_of_scope_case_is_a_chinese_404_page(client, street):
    case = street.dispatched_case()
    page = detail(client, street.handler_other, case, status=404)
    assert "不在您的权限范围内" in page and "未找到" in page and case.citizen_phone not in page


def test_grid_patroller_of_another_grid_gets_404(client, street):
    case = street.new_case()
    detail(client, street.other_grid_user, case, status=404)


def test_unknown_case_is_404(client, street):
    client.force_login(street.dispatcher)
    assert client.get("/cases/999999/").status_code == 404


@pytest.mark.parametrize("make,role,expected", [
    ("new_case", "dispatcher", {"dispatch", "urge", "chase", "merge"}),
    ("new_case", "intake", {"chase"}),
    ("new_case", "leader", {"urge"}),
    ("new_case", "grid_user", set()),
    ("dispatched_case", "handler", {"sign", "request_return"}),
    ("dispatched_case", "dispatcher", {"urge", "chase", "merge"}),
    ("dispatched_case", "callback", set()),
    ("handling_case", "handler", {"record_first_contact", "add_progress", "co_report", "request_extension", "finish"}),
    ("handling_case", "dispatcher", {"urge", "chase", "suspend"}),
    ("handled_case", "callback", {"callback"}),
    ("handled_case", "handler", {"handler_callback"}),  # 双回访: the department's own round (issue 16)
    ("called_back_case", "callback", {"close"}),
    ("called_back_case", "dispatcher", {"close", "urge", "chase"}),
])
def test_actions_offered_follow_role_state_and_scope(client, street, make, role, expected):
    case = getattr(street, make)()
    assert offered(detail(client, getattr(street, role), case)) == expected


def test_decisions_and_replies_are_offered_only_when_something_waits_for_them(client, street):
    case = street.handling_case()
    services.case_request_extension(actor=street.handler, case=case, reason="需协调物业", extra_days=3)
    services.case_urge(actor=street.leader, case=case, note="请加快")
    assert {"approve_extension", "reject_extension"} <= offered(detail(client, street.dispatcher, case))
    handler_actions = offered(detail(client, street.handler, case))
    assert "respond_urge" in handler_actions and "request_extension" not in handler_actions
    unsatisfied = street.called_back_case(satisfaction="unsatisfied")
    assert "reopen" in offered(detail(client, street.callback, unsatisfied))


def test_dispatch_form_is_preselected_from_the_responsibility_matrix(client, street):
    case = street.new_case()
    page = detail(client, street.dispatcher, case)
    form = page[page.index('data-action="dispatch"'):]
    form = form[:form.index("</form>")]
    assert f'<option value="{street.department.pk}" selected>城管中队</option>' in form
    assert f'name="version" value="{case.version}"' in form
    assert f'<optgroup label="{street.category.parent.name}">' in form


def test_timeline_shows_every_event_with_labels_actor_states_note_and_payload(client, street):
    case = street.handling_case()
    page = detail(client, street.dispatcher, case)
    assert page.count('<li data-event="') == 4
    for text in ("受理", "派单", "签收", "先联", street.dispatcher.display_name, street.handler.display_name,
                 "已受理 → 已派单", "已签收 → 处置中", "已电话联系诉求人,约定上门时间",
                 "主办单位:城管中队", "联系方式:电话", "新建 → 已受理"):
        assert text in page, text


def test_assignments_pending_requests_and_deadlines_are_shown(client, street):
    case = street.new_case()
    services.case_dispatch(actor=street.dispatcher, case=case, lead_department=street.department,
                           co_departments=[street.co_department])
    services.case_request_return(actor=street.handler, case=case, reason="非本单位职责")
    page = detail(client, street.dispatcher, case)
    assert "主办</span> 城管中队" in page and "协办</span> 金坛居委会" in page
    assert "待审核申请" in page and "非本单位职责" in page and "退单" in page
    assert "签收期限" in page and "先联期限" in page and "办结期限" in page and "未到期" in page


def test_anonymous_user_is_sent_to_login(client, street):
    case = street.new_case()
    response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/login/?next=/cases/{case.pk}/"
