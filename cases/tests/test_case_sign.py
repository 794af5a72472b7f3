"""签收: case_sign."""

import pytest

from cases import services
from cases.models import State
from core import clock
from core.errors import PermissionDenied, TransitionNotAllowed

from .helpers import at, case_in_state, last_event, refused

pytestmark = pytest.mark.django_db


def dispatched_at_nine(street):
    with clock.frozen_at(at(2026, 11, 2, 9, 0)):  # sign deadline 11:00
        return street.dispatched_case()


def test_the_lead_handler_signs_on_time(street):
    case = dispatched_at_nine(street)
    with clock.frozen_at(at(2026, 11, 2, 10, 59)):
        services.case_sign(actor=street.handler, case=case, note="已安排队员")
    case.refresh_from_db()
    assert (case.state, case.signed_at) == (State.SIGNED, at(2026, 11, 2, 10, 59))
    event = last_event(case)
    assert (event.action, event.actor, event.from_state, event.to_state, event.note) == (
        "sign", street.handler, State.DISPATCHED, State.SIGNED, "已安排队员")
    assert event.payload == {"on_time": True}


def test_a_late_signature_is_recorded_as_late(street):
    case = dispatched_at_nine(street)
    with clock.frozen_at(at(2026, 11, 2, 11, 1)):
        services.case_sign(actor=street.handler, case=case)
    assert case.state == State.SIGNED and last_event(case).payload == {"on_time": False}


def test_handler_of_another_department_cannot_sign(street):
    case = street.dispatched_case()
    with refused(PermissionDenied, case, message="不在您的职责范围内"):
        services.case_sign(actor=street.handler_other, case=case)


def test_a_co_handler_cannot_sign_for_the_lead(street):
    case = case_in_state(street, State.DISPATCHED)
    with refused(PermissionDenied, case):
        services.case_sign(actor=street.co_handler, case=case)


def test_a_dispatcher_cannot_sign(street):
    case = street.dispatched_case()
    with refused(PermissionDenied, case, message="派单员"):
        services.case_sign(actor=street.dispatcher, case=case)


def test_a_signed_case_cannot_be_signed_again(street):
    case = street.signed_case()
    with refused(TransitionNotAllowed, case, message="已签收"):
        services.case_sign(actor=street.handler, case=case)


def test_a_case_not_yet_dispatched_cannot_be_signed(street):
    case = street.new_case()
    with refused(TransitionNotAllowed, case):
        services.case_sign(actor=street.handler, case=case)


def test_a_handler_whose_return_was_approved_can_no_longer_sign_after_redispatch(street):
    case = street.dispatched_case()
    services.case_request_return(actor=street.handler, case=case, reason="非本单位职责")
    services.case_approve_return(actor=street.dispatcher, case=case)
    services.case_dispatch(actor=street.dispatcher, case=case, lead_department=street.other_department)
    with refused(PermissionDenied, case):
        services.case_sign(actor=street.handler, case=case)
    services.case_sign(actor=street.handler_other, case=case)
    assert case.state == State.SIGNED
