"""No action fails silently (issue 16): htmx drops 5xx answers and would nest a whole error page in a panel, so
static/js/app.js puts every failed answer's message in the page's alert bar. Forced here: a 409 (the case moved on
in another tab), a 422 (a contact time in the future) and a 500 (the service breaks), each message visible."""

from dataclasses import replace
from datetime import timedelta

import pytest
from django.utils import timezone

from cases import actions
from cases.models import Case, State
from cases.services import case_sign
from core import clock

from .test_case_lifecycle_in_browser import act

pytestmark = pytest.mark.django_db(transaction=True)


def test_conflict_validation_and_server_error_each_show_their_message(street, page_as, live_server, monkeypatch):
    case = street.dispatched_case()
    handler = page_as(street.handler)
    handler.goto(f"{live_server.url}/cases/{case.pk}/")

    # 409: a colleague signs the case while this page is open; this tab's 签收 is a conflict, shown in the bar.
    case_sign(actor=street.handler, case=Case.objects.get(pk=case.pk))
    act(handler, "sign", {"note": "收到,马上安排"})
    handler.locator("#flash", has_text="当前状态为「已签收」").wait_for()
    assert handler.locator("#case-detail").count() == 1  # the error page was not nested into the panel
    handler.click("#flash-close")
    assert handler.locator("#flash").is_hidden()

    # 422: a contact time in the future is refused next to the form, and nothing is recorded.
    handler.goto(f"{live_server.url}/cases/{case.pk}/")
    future = timezone.localtime(clock.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    act(handler, "record_first_contact", {"method": "phone", "outcome": "电话联系", "contacted_at": future})
    handler.locator("#action-error", has_text="联系时间不能晚于当前时间").wait_for()
    assert Case.objects.get(pk=case.pk).state == State.SIGNED

    # 500: the service breaks; the answer is not swapped, the bar says nothing was saved, the form stays usable.
    def broken(request, case, body):
        raise RuntimeError("boom")

    monkeypatch.setitem(actions.ACTIONS, "record_first_contact",
                        replace(actions.ACTIONS["record_first_contact"], run=broken))
    act(handler, "record_first_contact", {"method": "visit", "outcome": "上门沟通",
                                          "contacted_at": timezone.localtime(clock.now()).strftime("%Y-%m-%dT%H:%M")})
    handler.locator("#flash", has_text="系统出错").wait_for()
    assert handler.locator("form[data-action=record_first_contact] button[type=submit]").is_enabled()
    assert Case.objects.get(pk=case.pk).state == State.SIGNED


def test_a_lost_connection_is_said_too(street, page_as, live_server):
    case = street.signed_case()
    handler = page_as(street.handler)
    handler.goto(f"{live_server.url}/cases/{case.pk}/")
    handler.context.set_offline(True)
    act(handler, "record_first_contact", {"method": "phone", "outcome": "电话联系",
                                          "contacted_at": timezone.localtime(clock.now()).strftime("%Y-%m-%dT%H:%M")})
    handler.locator("#flash", has_text="网络连接失败").wait_for()
    handler.context.set_offline(False)
