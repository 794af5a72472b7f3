"""/cases/: scoped to the user, filtered by a GET form, paginated, and swapped by htmx without a reload."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from cases import services
from cases.models import Case, Source, State
from org.services import system_user
from org.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def page_for(client, user, **params) -> str:
    client.force_login(user)
    response = client.get("/cases/", params)
    assert response.status_code == 200
    return response.content.decode()


def test_it_lists_cases_with_their_columns(client, street):
    case = street.dispatched_case()
    page = page_for(client, street.dispatcher)
    for text in (case.number, "楼道堆物", "网格巡查", str(street.category), "金坛居民区", "城管中队", "已派单"):
        assert text in page
    for header in ("编号", "标题", "来源", "类别", "居民区", "主办单位", "状态", "受理时间", "办结期限", "倒计时"):
        assert re.search(rf"<th[^>]*>(<a [^>]*>)?{header}(</a>)?</th>", page), header  # sortable ones are links


def test_handler_sees_only_cases_of_own_department(client, street):
    mine = street.dispatched_case()
    street.new_case(title="别人的工单")
    page = page_for(client, street.handler)
    assert mine.number in page and "别人的工单" not in page and "共 1 件" in page


def test_handler_of_another_department_sees_none_of_them(client, street):
    street.dispatched_case()
    page = page_for(client, street.handler_other)
    assert "没有符合条件的工单" in page


def test_grid_patroller_sees_own_grid_only(client, street):
    inside = street.new_case(title="网格内")  # 愚园路128弄 lies in 金坛1网格
    outside = street.new_case(title="网格外", address="不在地名库的路1号")
    page = page_for(client, street.grid_user)
    assert inside.number in page and outside.number not in page
    assert "没有符合条件的工单" in page_for(client, street.other_grid_user)


def test_cadre_sees_own_neighbourhood_and_leader_sees_all(client, street):
    inside = street.new_case(title="居民区内")
    outside = street.new_case(title="居民区外", address="不在地名库的路1号")
    cadre_page = page_for(client, street.cadre)
    assert inside.number in cadre_page and outside.number not in cadre_page
    leader_page = page_for(client, street.leader)
    assert inside.number in leader_page and outside.number in leader_page


@pytest.mark.parametrize("field,value_of,expected", [
    ("q", lambda s, a, b: a.number, "a"),
    ("q", lambda s, a, b: "南京西路", "b"),
    ("q", lambda s, a, b: "13900000000", "b"),
    ("state", lambda s, a, b: State.DISPATCHED, "a"),
    ("source", lambda s, a, b: Source.HOTLINE, "b"),
    ("category", lambda s, a, b: s.category.pk, "a"),
    ("category", lambda s, a, b: s.category.parent_id, "a"),  # a 大类 takes in its 小类
    ("neighbourhood", lambda s, a, b: s.neighbourhood.pk, "a"),
    ("department", lambda s, a, b: s.department.pk, "a"),
])
def test_each_filter_narrows_the_list(client, street, field, value_of, expected):
    a = street.dispatched_case(title="甲工单")
    b = street.new_case(title="乙工单", source=Source.HOTLINE, hotline_number="H2026001", address="南京西路1号",
                        citizen_phone="13900000000", category=CategoryFactory())
    page = page_for(client, street.dispatcher, **{field: value_of(street, a, b)})
    wanted, other = (a, b) if expected == "a" else (b, a)
    assert wanted.number in page and other.number not in page and "共 1 件" in page


def test_phone_search_is_not_offered_to_roles_that_see_it_masked(client, street):
    street.new_case()
    assert "没有符合条件的工单" in page_for(client, street.leader, q="13812341234")


def test_overdue_only_shows_overdue_cases_with_a_red_badge(client, street):
    late = street.dispatched_case(title="超时工单")
    services.case_mark_overdue(actor=system_user(), case=late)
    street.dispatched_case(title="未超时工单")
    page = page_for(client, street.dispatcher, overdue="on")
    assert late.number in page and "未超时工单" not in page
    assert '<span class="badge overdue">超时</span>' in page


def test_date_range_filters_on_registration_day(client, street):
    old = street.new_case(title="旧工单")
    Case.objects.filter(pk=old.pk).update(registered_at=timezone.now() - timedelta(days=10))
    new = street.new_case(title="新工单")
    today = timezone.localdate()
    page = page_for(client, street.dispatcher, registered_from=today - timedelta(days=1), registered_to=today)
    assert new.number in page and old.number not in page


def test_pagination_has_25_rows_a_page_and_links_keep_filters(client, street):
    for _ in range(27):
        street.new_case()
    first = page_for(client, street.dispatcher, state=State.REGISTERED)
    assert first.count('<td data-label="编号">') == 25
    assert "第 1 / 2 页" in first and 'href="?state=registered&amp;page=2"' in first
    second = page_for(client, street.dispatcher, state=State.REGISTERED, page=2)
    assert second.count('<td data-label="编号">') == 2 and "上一页" in second


def test_htmx_request_gets_only_the_table(client, street):
    street.dispatched_case()
    client.force_login(street.dispatcher)
    response = client.get("/cases/", {"state": State.DISPATCHED}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "<header" not in page and "<table" in page and "共 1 件" in page
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(client, street):
    client.force_login(street.dispatcher)
    response = client.get("/cases/", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<header" in response.content.decode()


def test_bad_filter_values_are_named_in_chinese_and_the_rest_still_filters(client, street):
    street.dispatched_case(title="已派单的")
    street.new_case(title="未派单的")
    page = page_for(client, street.dispatcher, registered_from="2026-02-30", state="nonsense", source=Source.PATROL,
                    category="abc", page="x")
    assert "筛选条件有误" in page and "受理起" in page and "状态" in page and "类别" in page
    assert "共 2 件" in page


def test_reversed_date_range_is_explained(client, street):
    page = page_for(client, street.dispatcher, registered_from="2026-03-02", registered_to="2026-03-01")
    assert "受理起始日期不能晚于截止日期" in page


def test_empty_result_says_so(client, street):
    street.new_case()
    assert "没有符合条件的工单" in page_for(client, street.dispatcher, q="不存在的关键词")


def test_category_filter_groups_small_categories_under_their_big_one(client, street):
    page = page_for(client, street.dispatcher)
    assert f'<optgroup label="{street.category.parent.name}">' in page
    assert f"全部{street.category.parent.name}" in page


def test_it_only_allows_get(client, street):
    client.force_login(street.dispatcher)
    assert client.post("/cases/").status_code == 405


def test_titles_in_the_list_are_masked_for_the_leader_only(client, street):
    street.new_case(title="愚园路128弄3号13812341234反映堆物")
    client.force_login(street.leader)
    leader_page = client.get("/cases/").content.decode()
    assert "愚园路xx弄x号138****1234反映堆物" in leader_page and "13812341234" not in leader_page
    client.force_login(street.dispatcher)
    assert "愚园路128弄3号13812341234反映堆物" in client.get("/cases/").content.decode()
