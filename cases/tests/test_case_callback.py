"""回访: case_callback."""

import pytest

from cases import services
from cases.models import State
from core import clock
from core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed

from .helpers import at, case_in_state, last_event, refused

pytestmark = pytest.mark.django_db


def call_back(actor, case, **kwargs):
    fields = {"satisfaction": "satisfied", "solved": True, "first_contacted": True} | kwargs
    return services.case_callback(actor=actor, case=case, **fields)


def test_the_callback_operator_records_satisfaction_solved_and_first_contact(street):
    case = street.handled_case()
    with clock.frozen_at(at(2026, 11, 10, 14, 0)):
        call_back(street.callback, case, satisfaction="basically", solved=False, first_contacted=True,
                  remarks="基本满意,但希望加强巡查")
    case.refresh_from_db()
    assert (case.state, case.called_back_at) == (State.CALLED_BACK, at(2026, 11, 10, 14, 0))
    assert (case.satisfaction, case.solved, case.first_contact_confirmed) == ("basically", False, True)
    event = last_event(case)
    assert (event.action, event.actor, event.from_state, event.to_state, event.note) == (
        "callback", street.callback, State.HANDLED, State.CALLED_BACK, "基本满意,但希望加强巡查")
    assert event.payload == {"satisfaction": "basically", "solved": False, "first_contacted": True}


def test_the_dispatcher_may_call_back_too(street):
    case = street.handled_case()
    call_back(street.dispatcher, case)
    assert case.state == State.CALLED_BACK and last_event(case).actor == street.dispatcher


@pytest.mark.parametrize("satisfaction", ["", "very", None])
def test_the_satisfaction_must_be_one_of_the_three(street, satisfaction):
    case = street.handled_case()
    with refused(ValidationFailed, case, message="请选择满意度"):
        call_back(street.callback, case, satisfaction=satisfaction)


def test_an_unsatisfied_callback_needs_the_citizens_remarks(street):
    case = street.handled_case()
    with refused(ValidationFailed, case, message="请填写不满意原因"):
        call_back(street.callback, case, satisfaction="unsatisfied", remarks=" ")
    call_back(street.callback, case, satisfaction="unsatisfied", solved=False, remarks="堆物又回来了")
    assert case.satisfaction == "unsatisfied" and last_event(case).note == "堆物又回来了"


def test_the_handler_cannot_record_the_callback(street):
    case = street.handled_case()
    with refused(PermissionDenied, case):
        call_back(street.handler, case)


def test_a_case_still_being_handled_cannot_be_called_back(street):
    case = case_in_state(street, State.HANDLING)
    with refused(TransitionNotAllowed, case):
        call_back(street.callback, case)


def test_a_called_back_case_cannot_be_called_back_again(street):
    case = street.called_back_case()
    with refused(TransitionNotAllowed, case):
        call_back(street.callback, case, satisfaction="unsatisfied", remarks="改口")
