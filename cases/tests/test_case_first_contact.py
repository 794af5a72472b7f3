"""先联: case_record_first_contact (and 双先联, a second contact)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases import services
from cases.models import State
from core import clock
from core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed

from .helpers import at, case_in_state, last_event, refused

pytestmark = pytest.mark.django_db


def contact(street, case, when, **kwargs):
    fields = {"method": "phone", "outcome": "已电话联系诉求人,约定明天上门"} | kwargs
    with clock.frozen_at(when):
        return services.case_record_first_contact(actor=street.handler, case=case, **fields)


def test_first_contact_starts_the_handling_and_is_recorded_on_time(street, signed):
    contact(street, signed, at(2026, 11, 2, 10, 0))
    signed.refresh_from_db()
    assert (signed.state, signed.first_contact_at) == (State.HANDLING, at(2026, 11, 2, 10, 0))
    event = last_event(signed)
    assert (event.action, event.actor, event.from_state, event.to_state, event.note) == (
        "record_first_contact", street.handler, State.SIGNED, State.HANDLING, "已电话联系诉求人,约定明天上门")
    assert event.payload == {"method": "phone", "contacted_at": "2026-11-02T10:00:00+08:00", "on_time": True}


def test_a_contact_after_the_limit_is_recorded_as_late(street, signed):
    contact(street, signed, at(2026, 11, 3, 9, 1))
    assert last_event(signed).payload["on_time"] is False


def test_an_earlier_contact_time_can_be_given(street, signed):
    with clock.frozen_at(at(2026, 11, 3, 15, 0)):
        services.case_record_first_contact(actor=street.handler, case=signed, method="visit", outcome="上门沟通",
                                           contacted_at=at(2026, 11, 2, 11, 0))
    assert signed.first_contact_at == at(2026, 11, 2, 11, 0)
    assert last_event(signed).payload["on_time"] is True


def test_a_contact_before_the_signature_is_refused(street, signed):
    with clock.frozen_at(at(2026, 11, 2, 12, 0)), refused(ValidationFailed, signed, message="联系时间不能早于签收时间"):
        services.case_record_first_contact(actor=street.handler, case=signed, method="phone", outcome="已联系",
                                           contacted_at=at(2026, 11, 2, 9, 15))


def test_a_contact_in_the_future_is_refused(street, signed):
    with clock.frozen_at(at(2026, 11, 2, 12, 0)), refused(ValidationFailed, signed, message="不能晚于当前时间"):
        services.case_record_first_contact(actor=street.handler, case=signed, method="phone", outcome="已联系",
                                           contacted_at=at(2026, 11, 2, 13, 0))


def test_the_method_must_be_known_and_the_outcome_given(street, signed):
    with refused(ValidationFailed, signed, message="请选择联系方式"):
        contact(street, signed, at(2026, 11, 2, 10, 0), method="pigeon")
    with refused(ValidationFailed, signed, message="请填写联系情况"):
        contact(street, signed, at(2026, 11, 2, 10, 0), outcome="  ")


def test_a_second_contact_is_recorded_and_keeps_the_first_time(street, signed):
    contact(street, signed, at(2026, 11, 2, 10, 0))
    contact(street, signed, at(2026, 11, 4, 10, 0), method="visit", outcome="城运中心再次联系")
    signed.refresh_from_db()
    assert (signed.state, signed.first_contact_at) == (State.HANDLING, at(2026, 11, 2, 10, 0))
    event = last_event(signed)
    assert (event.from_state, event.to_state) == (State.HANDLING, State.HANDLING)
    assert event.payload == {"method": "visit", "contacted_at": "2026-11-04T10:00:00+08:00"}
    assert signed.events.filter(action="record_first_contact").count() == 2


def test_there_is_no_first_contact_before_the_case_is_signed(street):
    case = street.dispatched_case()
    with refused(TransitionNotAllowed, case):
        services.case_record_first_contact(actor=street.handler, case=case, method="phone", outcome="已联系")


def test_a_co_handler_or_another_department_cannot_record_the_first_contact(street):
    case = case_in_state(street, State.SIGNED)
    for outsider in (street.co_handler, street.handler_other):
        with refused(PermissionDenied, case):
            services.case_record_first_contact(actor=outsider, case=case, method="phone", outcome="已联系")


def test_a_contact_time_without_a_zone_is_the_streets_local_time(street, signed):
    """A datetime-local field or an API body gives "2026-11-02T11:00" with no zone: it answered 500 (issue 16)."""
    from datetime import datetime

    with clock.frozen_at(at(2026, 11, 3, 15, 0)):
        services.case_record_first_contact(actor=street.handler, case=signed, method="visit", outcome="上门沟通",
                                           contacted_at=datetime(2026, 11, 2, 11, 0))
    signed.refresh_from_db()
    assert signed.first_contact_at == at(2026, 11, 2, 11, 0)
    assert last_event(signed).payload["contacted_at"] == "2026-11-02T11:00:00+08:00"


def test_a_time_typed_to_the_minute_of_signing_is_accepted_and_not_before_it(street, signed):
    """datetime-local has no seconds: "15:00" typed by a handler who signed at 15:00:40 is not "before 签收"."""
    from datetime import datetime

    signed_at = at(2026, 11, 2, 9, 30) + timedelta(seconds=40)
    type(signed).objects.filter(pk=signed.pk).update(signed_at=signed_at)
    signed.refresh_from_db()
    typed = timezone.localtime(signed_at).replace(second=0, microsecond=0, tzinfo=None)
    with clock.frozen_at(signed_at + timedelta(seconds=20)):
        services.case_record_first_contact(actor=street.handler, case=signed, method="phone", outcome="电话联系",
                                           contacted_at=datetime.combine(typed.date(), typed.time()))
    signed.refresh_from_db()
    assert signed.first_contact_at == signed_at
