"""/cases/: sortable columns (whitelisted, stable with the id), the countdown column, labelled filters and the
bulk actions of the role (批量签收 for handlers, 批量督办 for the centre and leaders), one service call per case."""

import re
from datetime import timedelta

import pytest

from cases.models import Case, CaseEvent, State
from core import clock

pytestmark = pytest.mark.django_db


def numbers(client, **params) -> list[str]:
    html = client.get("/cases/", params).content.decode()
    return re.findall(r'<tr class="[^"]*" data-case="([^"]+)"', html)


@pytest.fixture
def three(street):
    now = clock.now()
    a, b, c = street.dispatched_case(), street.new_case(), street.handling_case()
    Case.objects.filter(pk=a.pk).update(registered_at=now - timedelta(days=1), handle_deadline=now + timedelta(days=5))
    Case.objects.filter(pk=b.pk).update(registered_at=now - timedelta(days=3))
    Case.objects.filter(pk=c.pk).update(registered_at=now - timedelta(days=2), handle_deadline=now + timedelta(days=1))
    return a, b, c


def test_each_whitelisted_column_sorts_both_ways(client, street, three):
    a, b, c = (x.number for x in three)
    client.force_login(street.dispatcher)
    assert numbers(client) == [a, c, b]  # default: newest registered first
    assert numbers(client, sort="registered") == [b, c, a]
    assert numbers(client, sort="-registered") == [a, c, b]
    assert numbers(client, sort="deadline") == [c, a, b]  # no deadline: last either way
    assert numbers(client, sort="-deadline") == [a, c, b]
    assert numbers(client, sort="number") == sorted([a, b, c])
    assert numbers(client, sort="-number") == sorted([a, b, c], reverse=True)
    # The lifecycle's order, not the codes' alphabet: 已受理, 已派单, 处置中.
    assert numbers(client, sort="state") == [b, a, c]
    assert numbers(client, sort="-state") == [c, a, b]
    assert numbers(client, sort="category") == sorted([a, b, c], key=lambda n: Case.objects.get(number=n).pk)


def test_an_unknown_sort_key_falls_back_to_the_default(client, street, three):
    a, b, c = (x.number for x in three)
    client.force_login(street.dispatcher)
    assert numbers(client, sort="citizen_phone") == [a, c, b]
    assert numbers(client, sort="-id;drop") == [a, c, b]


def test_ties_are_broken_by_the_id(client, street):
    same = clock.now() - timedelta(hours=1)
    cases = [street.new_case() for _ in range(4)]
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(registered_at=same)
    client.force_login(street.dispatcher)
    assert numbers(client, sort="registered") == [c.number for c in cases]
    assert numbers(client, sort="-registered") == [c.number for c in reversed(cases)]


def test_headers_link_the_sort_keeping_the_filters_and_mark_the_current_one(client, street, three):
    client.force_login(street.dispatcher)
    html = client.get("/cases/", {"sort": "deadline", "source": "patrol"}).content.decode()
    assert re.search(r'<th class="sortable" aria-sort="ascending" data-sort="deadline"><a href="\?source=patrol&amp;sort=-deadline"', html)
    assert re.search(r'<th class="sortable" aria-sort="none" data-sort="number"><a href="\?source=patrol&amp;sort=number"', html)
    assert 'name="sort" value="deadline"' in html  # the filter form keeps the sort


def test_countdown_column_carries_the_deadline_for_open_cases(client, street, three):
    client.force_login(street.dispatcher)
    html = client.get("/cases/").content.decode()
    assert html.count("data-deadline=") == 2 and "<th>倒计时</th>" in html  # the registered one has none
    assert re.search(r'<span class="deadline (ok|near)" data-deadline="\d{4}-\d\d-\d\dT[\d:.]+\+08:00"', html)


def test_every_filter_select_is_labelled(client, street):
    client.force_login(street.dispatcher)
    html = client.get("/cases/").content.decode()
    form = html[html.index('id="case-filters"'):html.index("</form>", html.index('id="case-filters"'))]
    selects = re.findall(r"<select[^>]*>", form)
    assert len(selects) == 5
    for name in ("state", "source", "category", "neighbourhood", "department"):
        assert re.search(rf'<label class="lbl">[^<]+ <select name="{name}"', form), name


def test_handler_bulk_sign_reports_successes_and_failures(client, street):
    first, second = street.dispatched_case(), street.dispatched_case()
    signed = street.signed_case()
    client.force_login(street.handler)
    html = client.get("/cases/").content.decode()
    assert '<option value="sign">批量签收</option>' in html and "批量督办" not in html
    assert f'name="case" value="{first.pk}" form="case-bulk"' in html
    response = client.post("/cases/bulk/", {"action": "sign", "case": [first.pk, second.pk, signed.pk],
                                            "query": "sort=deadline"}, follow=True)
    assert response.redirect_chain[0][0] == "/cases/?sort=deadline"
    page = response.content.decode()
    assert f"批量签收成功 2 件:{first.number}、{second.number}" in page
    assert f"批量签收未成功 1 件:{signed.number}:当前状态为「已签收」,不能签收" in page
    assert set(Case.objects.filter(pk__in=[first.pk, second.pk]).values_list("state", flat=True)) == {State.SIGNED}
    assert CaseEvent.objects.filter(action="sign", case__in=[first, second], actor=street.handler).count() == 2


def test_bulk_sign_never_reaches_another_departments_case(client, street):
    theirs = street.new_case()
    from cases import services

    services.case_dispatch(actor=street.dispatcher, case=theirs, lead_department=street.other_department)
    client.force_login(street.handler)
    response = client.post("/cases/bulk/", {"action": "sign", "case": [theirs.pk]}, follow=True)
    assert "批量签收成功" not in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.state == State.DISPATCHED


def test_bulk_urge_needs_its_note_and_is_refused_to_handlers(client, street):
    case = street.dispatched_case()
    client.force_login(street.leader)
    assert "请填写督办要求" in client.post("/cases/bulk/", {"action": "urge", "case": [case.pk]},
                                          follow=True).content.decode()
    ok = client.post("/cases/bulk/", {"action": "urge", "case": [case.pk], "note": "请今日处理"}, follow=True)
    assert f"批量督办成功 1 件:{case.number}" in ok.content.decode()
    case.refresh_from_db()
    assert case.urge_count == 1
    client.force_login(street.handler)
    assert client.post("/cases/bulk/", {"action": "urge", "case": [case.pk], "note": "x"}).status_code == 403
    client.force_login(street.callback)
    html = client.get("/cases/").content.decode()
    assert 'id="case-bulk"' not in html and 'form="case-bulk"' not in html


@pytest.mark.parametrize("sort", ["category", "-state", "deadline"])
def test_sorting_works_with_the_department_filter(client, street, three, sort):
    client.force_login(street.dispatcher)
    shown = numbers(client, sort=sort, department=street.department.pk)
    assert sorted(shown) == sorted([three[0].number, three[2].number])
