"""Notifications: who is told about which event, the deadline reminder, the centre, the badge and the API."""

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from cases import services
from core import clock
from notifications.models import Notification
from notifications.services import notification_deadline_sweep
from org.services import api_token_create

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def kinds_for(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("kind", flat=True))


def test_dispatch_tells_lead_and_co_handlers_but_not_others(street):
    case = street.new_case()
    services.case_dispatch(actor=street.dispatcher, case=case, lead_department=street.department,
                           co_departments=[street.co_department])
    assert kinds_for(street.handler) == ["assigned"] and kinds_for(street.co_handler) == ["assigned"]
    assert kinds_for(street.handler_other) == [] and kinds_for(street.dispatcher) == []
    assert case.number in Notification.objects.get(user=street.handler).message


def test_urge_goes_to_the_lead_department(street):
    case = street.signed_case()
    services.case_urge(actor=street.leader, case=case, note="群众反映强烈")
    urged = Notification.objects.get(user=street.handler, kind="urged")
    assert "群众反映强烈" in urged.message


def test_requests_reach_dispatchers_and_decisions_reach_the_requester(street):
    case = street.dispatched_case()
    services.case_request_return(actor=street.handler, case=case, reason="不属于本单位")
    assert "request_pending" in kinds_for(street.dispatcher)
    services.case_reject_return(actor=street.dispatcher, case=case, reason="属地管理")
    decided = Notification.objects.get(user=street.handler, kind="request_decided")
    assert "退单申请已驳回" in decided.message


def test_deadline_reminder_once_within_one_working_day(street):
    with clock.frozen_at(datetime(2026, 11, 2, 9, 0, tzinfo=SH)):  # deadline 11-09 09:00
        street.dispatched_case()
    assert notification_deadline_sweep(now=datetime(2026, 11, 5, 9, 0, tzinfo=SH)) == 0
    assert notification_deadline_sweep(now=datetime(2026, 11, 6, 10, 0, tzinfo=SH)) == 1
    assert notification_deadline_sweep(now=datetime(2026, 11, 6, 11, 0, tzinfo=SH)) == 0
    assert kinds_for(street.handler).count("deadline") == 1


def test_outbound_channel_logs_with_the_phone_masked(street, caplog):
    street.handler.phone = "13900001234"
    street.handler.save()
    with caplog.at_level(logging.INFO, logger="chengyun.outbound"), pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.db.transaction.on_commit", lambda fn, *a, **k: fn())
        street.dispatched_case()
    assert "139****1234" in caplog.text and "13900001234" not in caplog.text


def test_badge_and_centre_show_unread_and_mark_read(street):
    street.dispatched_case()
    client = Client()
    client.force_login(street.handler)
    assert '<span class="badge">1</span>' in client.get("/notifications/badge/").content.decode()
    page = client.get("/notifications/").content.decode()
    assert "新派单" in page
    client.post("/notifications/read/", {})
    assert 'class="badge"' not in client.get("/notifications/badge/").content.decode()
    assert "没有未读消息" in client.get("/notifications/?unread=1").content.decode()


def test_api_lists_only_own_notifications_and_marks_them_read(street):
    street.dispatched_case()
    _, key = api_token_create(user=street.handler)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    body = client.get("/api/notifications").json()
    assert body["count"] == 1 and body["unread"] == 1 and body["results"][0]["kind"] == "assigned"
    notification_id = body["results"][0]["id"]
    _, other_key = api_token_create(user=street.handler_other)
    other = Client(HTTP_AUTHORIZATION=f"Bearer {other_key}")
    assert other.post("/api/notifications/read", {"ids": [notification_id]}, content_type="application/json").json() == {"marked": 0}
    assert client.post("/api/notifications/read", {"ids": [notification_id]}, content_type="application/json").json() == {"marked": 1}
    assert client.get("/api/notifications").json()["unread"] == 0
