"""处置人's desk: what is due now first (签收 → 先联 → 办结 deadline), tabs with counts, search and filters."""

import re
from datetime import timedelta

import pytest

from cases import services
from cases.models import Case
from core import clock

pytestmark = pytest.mark.django_db


def rows(html: str) -> list[str]:
    return re.findall(r'<tr class="[^"]*" data-case="([^"]+)"', html)


def test_a_case_due_for_signing_in_two_hours_is_first_among_more_than_a_page(client, street):
    now = clock.now()
    working = [street.handling_case() for _ in range(22)]
    for days, case in enumerate(working, start=1):
        Case.objects.filter(pk=case.pk).update(handle_deadline=now + timedelta(days=days))
    fresh = street.dispatched_case()
    Case.objects.filter(pk=fresh.pk).update(sign_deadline=now + timedelta(hours=2),
                                            handle_deadline=now + timedelta(days=40))
    client.force_login(street.handler)
    html = client.get("/").content.decode()
    shown = rows(html)
    assert len(shown) == 20 and shown[0] == fresh.number
    assert shown[1:4] == [c.number for c in working[:3]]
    assert "共 23 件" in html


def test_a_signed_case_is_ordered_by_its_first_contact_deadline(client, street):
    now = clock.now()
    handling = street.handling_case()
    signed = street.signed_case()
    Case.objects.filter(pk=handling.pk).update(handle_deadline=now + timedelta(days=2))
    Case.objects.filter(pk=signed.pk).update(first_contact_deadline=now + timedelta(hours=3),
                                             handle_deadline=now + timedelta(days=9))
    client.force_login(street.handler)
    assert rows(client.get("/").content.decode()) == [signed.number, handling.number]


def test_tabs_count_and_filter_the_states(client, street):
    dispatched = street.dispatched_case()
    handling = street.handling_case()
    suspended = services.case_suspend(actor=street.dispatcher, case=street.handling_case(), plan="待资金到位后整改",
                                      review_date=(clock.now() + timedelta(days=30)).date())
    client.force_login(street.handler)
    html = client.get("/").content.decode()
    for tab, label, count in (("all", "全部", 3), ("sign", "待签收", 1), ("working", "处置中", 1),
                              ("suspended", "挂账", 1)):
        assert re.search(rf'data-tab="{tab}"[^>]*>{label} <span class="count">{count}</span>', html), tab
    assert rows(client.get("/?tab=sign").content.decode()) == [dispatched.number]
    assert rows(client.get("/?tab=working").content.decode()) == [handling.number]
    suspended_html = client.get("/?tab=suspended").content.decode()
    assert rows(suspended_html) == [suspended.number] and "复查" in suspended_html


def test_overdue_and_near_rows_carry_the_red_and_amber_classes(client, street):
    now = clock.now()
    late, soon, later = street.handling_case(), street.handling_case(), street.handling_case()
    Case.objects.filter(pk=late.pk).update(handle_deadline=now - timedelta(hours=1))
    Case.objects.filter(pk=soon.pk).update(handle_deadline=now + timedelta(minutes=30))
    Case.objects.filter(pk=later.pk).update(handle_deadline=now + timedelta(days=20))
    client.force_login(street.handler)
    html = client.get("/").content.decode()
    assert f'<tr class="due-overdue" data-case="{late.number}"' in html
    assert f'<tr class="due-near" data-case="{soon.number}"' in html
    assert f'<tr class="due-ok" data-case="{later.number}"' in html
    assert 'data-deadline="' in html


def test_search_and_filters_are_labelled_and_narrow_the_queue(client, street):
    plain = street.dispatched_case(content="人行道上有共享单车乱停放,影响通行。")
    urgent = street.dispatched_case(urgency="urgent")
    other_place = street.dispatched_case(address="新闸路1号", content="新码居民区路灯不亮")
    Case.objects.filter(pk=other_place.pk).update(neighbourhood=street.other_neighbourhood)
    client.force_login(street.handler)
    html = client.get("/").content.decode()
    for name in ("q", "neighbourhood", "category", "urgent", "overdue"):
        assert re.search(rf'<label for="id_{name}">|<label class="check"><input[^>]*name="{name}"', html), name
    assert rows(client.get("/?q=共享单车").content.decode()) == [plain.number]
    assert rows(client.get("/?urgent=on").content.decode()) == [urgent.number]
    assert rows(client.get(f"/?neighbourhood={street.other_neighbourhood.pk}").content.decode()) == [
        other_place.number]
    # The tab links keep the filters, the pager keeps tab and filters.
    filtered = client.get("/?q=共享单车&tab=sign").content.decode()
    assert 'href="?tab=working&amp;q=' in filtered


def test_queues_of_handled_cases_carry_no_live_countdown(client, street):
    """The callback desk shares the queue table: a handled case past its deadline is not painted 超时 by the
    countdown (only open deadlines tick)."""
    case = street.handled_case()
    Case.objects.filter(pk=case.pk).update(handle_deadline=clock.now() - timedelta(days=2))
    client.force_login(street.callback)
    html = client.get("/").content.decode()
    assert case.number in html and "data-deadline" not in html
