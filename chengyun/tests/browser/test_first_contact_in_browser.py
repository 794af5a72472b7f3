"""先联 in the browser with every field filled, a contact time from the datetime-local input (issue 16: it answered
500) and a back-dated time refused with its message on the page (issue 14)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Case, State
from core import clock

from .test_case_lifecycle_in_browser import act, expect_state

pytestmark = pytest.mark.django_db(transaction=True)


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_first_contact_form_refuses_a_back_dated_time_then_records(street, page_as, live_server):
    case = street.signed_case()
    now = clock.now()
    Case.objects.filter(pk=case.pk).update(dispatched_at=now - timedelta(hours=3), signed_at=now - timedelta(hours=2))
    handler = page_as(street.handler)
    handler.goto(f"{live_server.url}/cases/{case.pk}/")
    act(handler, "record_first_contact", {"method": "visit", "outcome": "上门沟通,约定明早处置",
                                          "contacted_at": local(now - timedelta(hours=5))})
    handler.locator("#action-error", has_text="联系时间不能早于派单时间").wait_for()
    case.refresh_from_db()
    assert case.state == State.SIGNED
    act(handler, "record_first_contact", {"method": "phone", "outcome": "已电话联系诉求人,约定明早上门",
                                          "contacted_at": local(now - timedelta(hours=1))})
    expect_state(handler, "处置中")
    case.refresh_from_db()
    assert case.state == State.HANDLING
    assert local(case.first_contact_at) == local(now - timedelta(hours=1))
