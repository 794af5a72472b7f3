"""Each role's workbench: the right queue, scoped, with its actions."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEntry
from cases import services
from cases.models import Case, State
from core.testing import tiny_png

pytestmark = pytest.mark.django_db
PNG = tiny_png()


def page(client, user, url="/") -> str:
    client.force_login(user)
    return client.get(url).content.decode()


def test_dispatcher_sees_cases_to_dispatch_with_the_matrix_suggestion_and_pending_requests(client, street):
    waiting = street.new_case()
    returned = street.dispatched_case()
    services.case_request_return(actor=street.handler, case=returned, reason="不属于本单位")
    html = page(client, street.dispatcher)
    assert "派单台" in html and waiting.number in html and "城管中队" in html
    assert f'data-request="{returned.requests.get().pk}"' in html and "不属于本单位" in html


def test_bulk_dispatch_by_the_matrix_and_to_a_chosen_department(client, street):
    first, second = street.new_case(), street.new_case()
    client.force_login(street.dispatcher)
    client.post("/work/dispatch/", {"case": [first.pk], "lead_department": "matrix"})
    client.post("/work/dispatch/", {"case": [second.pk], "lead_department": street.other_department.pk})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == State.DISPATCHED and first.lead_department == street.department
    assert second.lead_department == street.other_department


def test_bulk_dispatch_reports_cases_the_matrix_cannot_place(client, street):
    uncategorised = street.new_case(category=None)
    client.force_login(street.dispatcher)
    response = client.post("/work/dispatch/", {"case": [uncategorised.pk], "lead_department": "matrix"}, follow=True)
    assert "请选择主办单位" in response.content.decode()
    uncategorised.refresh_from_db()
    assert uncategorised.state == State.REGISTERED


def test_deciding_requests_from_the_queue(client, street):
    case = street.handling_case()
    services.case_request_extension(actor=street.handler, case=case, reason="需协调", extra_days=3)
    request = case.requests.get()
    client.force_login(street.dispatcher)
    refused = client.post(f"/work/requests/{request.pk}/decide/", {"decision": "reject", "reason": ""}, follow=True)
    assert "请填写驳回理由" in refused.content.decode()
    client.post(f"/work/requests/{request.pk}/decide/", {"decision": "approve", "reason": "同意"})
    case.refresh_from_db()
    assert case.extension_count == 1


def test_handler_sees_own_department_queue_only(client, street):
    mine = street.dispatched_case()
    other = street.new_case()
    services.case_dispatch(actor=street.dispatcher, case=other, lead_department=street.other_department)
    html = page(client, street.handler)
    assert mine.number in html and other.number not in html


def test_callback_queue_shows_phone_and_report_and_audits_the_view(client, street):
    case = street.handled_case()
    html = page(client, street.callback)
    assert case.number in html and "13812341234" in html and "已清理堆物" in html
    assert AuditEntry.objects.filter(action="view_personal_data", object_type="callback_queue",
                                     object_id__contains=case.number).exists()


def test_leader_overview_counts(client, street):
    street.new_case()
    unhappy = street.called_back_case("unsatisfied")
    services.case_urge(actor=street.leader, case=unhappy, note="请重视")
    # The overview follows a period (上月 by default, kpi/periods.py): this month's cases are under 本月.
    html = page(client, street.leader, "/?period=this_month")
    assert "街道概览" in html and "不满意工单" in html and unhappy.number in html


def test_grid_patroller_reports_with_photo_and_location(client, street):
    client.force_login(street.grid_user)
    response = client.post("/work/register/", {
        "source": "patrol", "content": "愚园路128弄5号门口共享单车乱停", "address": "愚园路128弄5号",
        "urgency": "normal", "latitude": "31.224500", "longitude": "121.445200",
        "photos": [SimpleUploadedFile("现场.png", PNG)]})
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.grid == street.grid and str(case.latitude) == "31.224500" and case.attachments.count() == 1


def test_a_bad_photo_rolls_the_whole_report_back(client, street):
    client.force_login(street.grid_user)
    response = client.post("/work/register/", {
        "source": "patrol", "content": "乱停车", "address": "愚园路128弄5号", "urgency": "normal",
        "photos": [SimpleUploadedFile("x.png", b"<script>")]})
    assert response.status_code == 422 and "只支持" in response.content.decode()
    assert not Case.objects.exists()


def test_address_check_places_the_address_and_shows_possible_duplicates(client, street):
    earlier = street.new_case(address="愚园路128弄3号")
    html = page(client, street.intake, "/work/address/?address=愚园路128弄7号")
    assert "金坛居民区" in html and earlier.number in html and "可能是重复件" in html
    unknown = page(client, street.intake, "/work/address/?address=不存在路1号")
    assert "地址未能识别" in unknown


def test_grid_workbench_lists_handled_cases_to_verify(client, street):
    handled = street.handled_case()
    html = page(client, street.grid_user)
    assert "巡查上报" in html and handled.number in html


def test_intake_address_field_offers_the_gazetteer(client, street):
    html = page(client, street.intake)
    assert 'list="address-options"' in html and '<option value="愚园路100弄">愚园小区 · 愚园路100–168弄</option>' in html


def test_dispatcher_queue_filters_by_neighbourhood_and_keeps_only_waiting_cases(client, street):
    here = street.new_case()
    there = street.new_case(address="新闸路900号", neighbourhood=street.other_neighbourhood)
    street.dispatched_case()
    html = page(client, street.dispatcher, f"/?neighbourhood={street.neighbourhood.pk}&state=dispatched")
    queue = html.split('id="bulk-dispatch"')[1]
    assert here.number in queue and there.number not in queue and "共 1 件" in queue
