"""Issue 14 point 14 (and issue 16): a 先联 cannot be dated before the case was dispatched to the department, nor in
the future; the web form's datetime-local (no offset) is read as Shanghai time instead of answering 500."""

from datetime import datetime

import pytest
from django.test import Client

from cases import services
from cases.models import CaseEvent, State
from core import clock
from core.errors import ValidationFailed
from org.services import api_token_create

from .helpers import at, last_event, refused

pytestmark = pytest.mark.django_db


def test_a_first_contact_before_the_dispatch_is_refused(street, signed):
    with clock.frozen_at(at(2026, 11, 2, 12, 0)), refused(ValidationFailed, signed, message="联系时间不能早于派单时间"):
        services.case_record_first_contact(actor=street.handler, case=signed, method="phone", outcome="已联系",
                                           contacted_at=at(2026, 11, 2, 8, 0))


def test_a_second_contact_back_dated_before_the_dispatch_is_refused(street, signed):
    with clock.frozen_at(at(2026, 11, 2, 10, 0)):
        services.case_record_first_contact(actor=street.handler, case=signed, method="phone", outcome="已联系")
    with clock.frozen_at(at(2026, 11, 3, 10, 0)), refused(ValidationFailed, signed, message="联系时间不能早于派单时间"):
        services.case_record_first_contact(actor=street.handler, case=signed, method="visit", outcome="再次联系",
                                           contacted_at=at(2026, 11, 1, 16, 0))


def test_a_naive_contact_time_is_shanghai_time(street, signed):
    with clock.frozen_at(at(2026, 11, 2, 12, 0)):
        services.case_record_first_contact(actor=street.handler, case=signed, method="phone", outcome="已联系",
                                           contacted_at=datetime(2026, 11, 2, 10, 15))
    signed.refresh_from_db()
    assert signed.first_contact_at == at(2026, 11, 2, 10, 15)
    assert last_event(signed).payload["contacted_at"] == "2026-11-02T10:15:00+08:00"


def api_post(street, case, body):
    _, key = api_token_create(user=street.handler)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}").post(
        f"/api/cases/{case.pk}/first-contact", body, content_type="application/json")


@pytest.mark.parametrize(("contacted_at", "message"), [
    ("2026-11-02T08:59:00+08:00", "联系时间不能早于派单时间"),
    ("2026-11-02T08:59:00", "联系时间不能早于派单时间"),  # no offset: Shanghai time, not a 500
    ("2026-11-02T12:01:00+08:00", "联系时间不能晚于当前时间"),
])
def test_api_refuses_back_dated_and_future_contacts(street, signed, contacted_at, message):
    with clock.frozen_at(at(2026, 11, 2, 12, 0)):
        response = api_post(street, signed, {"method": "phone", "outcome": "已联系", "contacted_at": contacted_at})
    assert response.status_code == 422, response.content
    assert response.json()["message"] == message
    assert not CaseEvent.objects.filter(case=signed, action="record_first_contact").exists()


def test_api_accepts_a_contact_time_without_offset(street, signed):
    with clock.frozen_at(at(2026, 11, 2, 12, 0)):
        response = api_post(street, signed, {"method": "phone", "outcome": "已联系", "contacted_at": "2026-11-02T10:00:00"})
    assert response.status_code == 200, response.content
    signed.refresh_from_db()
    assert signed.first_contact_at == at(2026, 11, 2, 10, 0)


def web_post(street, case, contacted_at):
    client = Client()
    client.force_login(street.handler)
    return client.post(f"/cases/{case.pk}/act/record_first_contact/",
                       {"method": "visit", "outcome": "上门沟通,约定处置时间", "contacted_at": contacted_at})


def test_web_form_datetime_local_is_accepted_as_shanghai_time(street, signed):
    with clock.frozen_at(at(2026, 11, 2, 12, 0)):
        response = web_post(street, signed, "2026-11-02T10:30")
    assert response.status_code == 302
    signed.refresh_from_db()
    assert (signed.state, signed.first_contact_at) == (State.HANDLING, at(2026, 11, 2, 10, 30))


@pytest.mark.parametrize(("contacted_at", "message"), [
    ("2026-11-02T08:30", "联系时间不能早于派单时间"), ("2026-11-02T12:30", "联系时间不能晚于当前时间")])
def test_web_form_refusal_shows_its_message(street, signed, contacted_at, message):
    with clock.frozen_at(at(2026, 11, 2, 12, 0)):
        response = web_post(street, signed, contacted_at)
    assert response.status_code == 422
    assert message in response.content.decode()
    signed.refresh_from_db()
    assert signed.state == State.SIGNED and signed.first_contact_at is None
