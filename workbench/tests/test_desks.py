"""Issue 16, the dispatcher's and the callback operator's desks: the queue first, urgent first and sortable, the
age, inline (re-)dispatch, 下一件; 待回访 before 待结案 with the 先联 record beside the callback's answers."""

import re

import pytest

from cases import services
from cases.models import State, Urgency
from cases.tests.helpers import at
from core import clock

pytestmark = pytest.mark.django_db


def html_of(client, user, url="/") -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def row_order(html: str, cases) -> list[str]:
    found = [(html.index(f'data-case="{c.pk}"'), c.number) for c in cases]
    return [number for _, number in sorted(found)]


def test_the_dispatch_queue_comes_first_urgent_first_with_the_age(client, street):
    with clock.frozen_at(at(2026, 11, 2, 9, 0)):
        old = street.new_case(title="老件")
    with clock.frozen_at(at(2026, 11, 2, 10, 0)):
        urgent = street.new_case(title="急件", urgency=Urgency.URGENT)
        handling = street.handling_case()
        services.case_request_extension(actor=street.handler, case=handling, reason="需协调", extra_days=2)
    with clock.frozen_at(at(2026, 11, 3, 10, 30)):
        html = html_of(client, street.dispatcher)
    assert html.index('id="dispatch-queue"') < html.index('id="pending-requests"')
    assert row_order(html, [old, urgent]) == [urgent.number, old.number]
    assert "已等 1 天" in html and '<span class="badge urgent">紧急</span>' in html
    with clock.frozen_at(at(2026, 11, 3, 10, 30)):
        oldest = html_of(client, street.dispatcher, "/?sort=oldest")
        unknown = html_of(client, street.dispatcher, "/?sort=citizen_phone")  # not whitelisted: the default
    assert row_order(oldest, [old, urgent]) == [old.number, urgent.number]
    assert row_order(unknown, [old, urgent]) == [urgent.number, old.number]


def test_a_row_is_dispatched_inline_and_a_failure_is_said(client, street):
    case = street.new_case()
    client.force_login(street.dispatcher)
    refused = client.post(f"/work/dispatch/{case.pk}/", {f"lead_{case.pk}": "", "back": "sort=oldest"}, follow=True)
    assert "请选择主办单位" in refused.content.decode() and refused.redirect_chain[-1][0] == "/?sort=oldest"
    client.post(f"/work/dispatch/{case.pk}/", {f"lead_{case.pk}": street.other_department.pk})
    case.refresh_from_db()
    assert (case.state, case.lead_department) == (State.DISPATCHED, street.other_department)


def returned_case(street):
    case = street.dispatched_case()
    services.case_request_return(actor=street.handler, case=case, reason="不属于本单位")
    services.case_approve_return(actor=street.dispatcher, case=case, reason="同意")
    return case


def test_after_an_approved_return_the_desk_never_offers_that_department(client, street):
    case = returned_case(street)
    html = html_of(client, street.dispatcher)
    row = html[html.index(f'data-case="{case.pk}"'):]
    row = row[:row.index("</tr>")]
    assert f"已退单 1 次:{street.department.name}" in row and "再派" in row
    options = re.findall(r'<option value="(\d+)"', row[row.index(f'name="lead_{case.pk}"'):])
    assert str(street.department.pk) not in options and str(street.other_department.pk) in options
    # The matrix names the returning department: the bulk dispatch says so instead of sending it back.
    client.force_login(street.dispatcher)
    response = client.post("/work/dispatch/", {"case": [case.pk], "lead_department": "matrix"}, follow=True)
    assert f"{street.department.name}已退单,请另选主办单位" in response.content.decode()
    case.refresh_from_db()
    assert case.state == State.REGISTERED


def test_next_walks_the_queue_from_a_case_page(client, street):
    with clock.frozen_at(at(2026, 11, 2, 9, 0)):
        first = street.new_case(urgency=Urgency.URGENT)
    with clock.frozen_at(at(2026, 11, 2, 10, 0)):
        second = street.new_case()
    detail = html_of(client, street.dispatcher, f"/cases/{first.pk}/")
    assert f'href="/work/next/?after={first.pk}"' in detail and "下一件" in detail
    assert client.get(f"/work/next/?after={first.pk}").url == f"/cases/{second.pk}/"
    assert client.get(f"/work/next/?after={second.pk}").url == f"/cases/{first.pk}/"  # round the queue
    services.case_dispatch(actor=street.dispatcher, case=first, lead_department=street.department)
    assert client.get(f"/work/next/?after={first.pk}").url == f"/cases/{second.pk}/"  # left the queue: the first
    services.case_dispatch(actor=street.dispatcher, case=second, lead_department=street.department)
    emptied = client.get(f"/work/next/?after={second.pk}", follow=True).content.decode()
    assert "待派单队列已清空" in emptied
    client.force_login(street.handler)
    assert client.get("/work/next/").status_code == 403


def test_approving_a_late_extension_warns_on_the_desk(client, street):
    with clock.frozen_at(at(2026, 11, 2, 9, 0)):
        case = street.handling_case()
    with clock.frozen_at(at(2026, 11, 5, 9, 0)):
        request = services.case_request_extension(actor=street.handler, case=case, reason="需协调", extra_days=1)
    client.force_login(street.dispatcher)
    with clock.frozen_at(at(2026, 11, 11, 9, 0)):
        response = client.post(f"/work/requests/{request.pk}/decide/", {"decision": "approve", "reason": "同意"},
                               follow=True)
    assert "新办结期限一个工作日内到期,已提醒处置单位" in response.content.decode()


def test_a_request_that_ended_with_the_case_leaves_the_desk_and_shows_on_the_timeline(client, street):
    case = street.handling_case()
    request = services.case_request_extension(actor=street.handler, case=case, reason="需协调施工", extra_days=2)
    assert f'data-request="{request.pk}"' in html_of(client, street.dispatcher)
    services.case_finish(actor=street.handler, case=case, result="已清理")
    assert f'data-request="{request.pk}"' not in html_of(client, street.dispatcher)
    detail = html_of(client, street.dispatcher, f"/cases/{case.pk}/")
    assert "申请失效" in detail and "工单已转为「已办结」,申请随之失效" in detail


def test_the_callback_desk_lists_calls_to_make_first_with_the_contact_record(client, street):
    with clock.frozen_at(at(2026, 11, 2, 9, 0)):
        to_close = street.called_back_case()
    with clock.frozen_at(at(2026, 11, 3, 9, 0)):
        to_call = street.handled_case()
    html = html_of(client, street.callback)
    assert html.index(to_call.number) < html.index(to_close.number)
    assert "待回访 1" in html and "待结案 1" in html and 'href="tel:13812341234"' in html
    detail = html_of(client, street.callback, f"/cases/{to_call.pk}/")
    hint = detail[detail.index('id="first-contacts-hint"'):]
    assert "处置人先联记录" in hint and "电话 · 2026-11-03 09:00" in hint and "已电话联系诉求人,约定上门时间" in hint


def test_double_callback_the_department_round_shows_beside_the_centre_form(client, street):
    case = street.handled_case()
    client.force_login(street.handler)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "处置单位回访" in page and '<select name="solved" required>' in page
    refused = client.post(f"/cases/{case.pk}/act/handler_callback/", {"satisfaction": "satisfied", "solved": "true"},
                          HTTP_HX_REQUEST="true")
    assert refused.status_code == 422 and "请填写回访情况" in refused.content.decode()
    client.post(f"/cases/{case.pk}/act/handler_callback/",
                {"satisfaction": "basically", "solved": "true", "remarks": "居民说基本满意"})
    detail = html_of(client, street.callback, f"/cases/{case.pk}/")
    hint = detail[detail.index('id="first-contacts-hint"'):]
    assert "处置单位自行回访" in hint and "基本满意 · 称已解决:居民说基本满意" in hint
    assert "处置单位自行回访(不计入满意率)" in detail  # the timeline's round


def test_approving_a_late_extension_on_the_case_page_warns_in_its_notice(client, street):
    with clock.frozen_at(at(2026, 11, 2, 9, 0)):
        case = street.handling_case()
    with clock.frozen_at(at(2026, 11, 5, 9, 0)):
        services.case_request_extension(actor=street.handler, case=case, reason="需协调", extra_days=1)
    client.force_login(street.dispatcher)
    with clock.frozen_at(at(2026, 11, 11, 9, 0)):
        response = client.post(f"/cases/{case.pk}/act/approve_extension/", {"reason": "同意"}, HTTP_HX_REQUEST="true")
    notice = response.content.decode()
    notice = notice[notice.index('id="action-notice"'):]
    assert "已同意延期。注意:新办结期限一个工作日内到期,已提醒处置单位" in notice[:200]
