"""结案: case_close."""

import pytest

from cases import services
from cases.models import State
from core import clock
from core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed

from .helpers import at, case_in_state, last_event, refused

pytestmark = pytest.mark.django_db


def test_a_satisfied_case_is_closed(street):
    case = street.called_back_case("satisfied")
    with clock.frozen_at(at(2026, 11, 11, 9, 0)):
        services.case_close(actor=street.callback, case=case)
    case.refresh_from_db()
    assert (case.state, case.closed_at, case.is_open) == (State.CLOSED, at(2026, 11, 11, 9, 0), False)
    event = last_event(case)
    assert (event.action, event.actor, event.from_state, event.to_state) == (
        "close", street.callback, State.CALLED_BACK, State.CLOSED)
    assert event.payload == {"informed_duplicates": [], "satisfaction": "satisfied"}


def test_closing_an_unsatisfied_case_needs_the_documented_reason(street):
    case = street.called_back_case("unsatisfied")
    with refused(ValidationFailed, case, message="请填写不满意件结案说明"):
        services.case_close(actor=street.dispatcher, case=case, reason="  ")
    services.case_close(actor=street.dispatcher, case=case, reason="诉求超出政策范围,已解释")
    assert case.state == State.CLOSED
    event = last_event(case)
    assert event.note == "诉求超出政策范围,已解释" and event.payload["satisfaction"] == "unsatisfied"


def test_closing_the_master_lists_the_duplicates_to_inform(street):
    master = street.new_case()
    duplicates = [street.new_case(citizen_name=name) for name in ("李四", "王五")]
    for duplicate in duplicates:
        services.case_merge(actor=street.dispatcher, case=duplicate, master=master)
    services.case_dispatch(actor=street.dispatcher, case=master, lead_department=street.department)
    services.case_sign(actor=street.handler, case=master)
    services.case_record_first_contact(actor=street.handler, case=master, method="phone", outcome="已联系")
    services.case_finish(actor=street.handler, case=master, result="已清理")
    services.case_callback(actor=street.callback, case=master, satisfaction="satisfied", solved=True,
                           first_contacted=True)
    services.case_close(actor=street.callback, case=master)
    assert sorted(last_event(master).payload["informed_duplicates"]) == sorted(d.number for d in duplicates)


def test_a_case_not_yet_called_back_cannot_be_closed(street):
    case = street.handled_case()
    with refused(TransitionNotAllowed, case):
        services.case_close(actor=street.dispatcher, case=case, reason="直接结案")


def test_the_handler_and_the_leader_cannot_close(street):
    case = street.called_back_case()
    for actor in (street.handler, street.leader):
        with refused(PermissionDenied, case):
            services.case_close(actor=actor, case=case)


def test_a_closed_case_takes_no_further_action(street):
    case = case_in_state(street, State.CLOSED)
    with refused(TransitionNotAllowed, case):
        services.case_close(actor=street.dispatcher, case=case)
    with refused(TransitionNotAllowed, case):
        services.case_urge(actor=street.leader, case=case, note="再督办")
    with refused(TransitionNotAllowed, case):
        services.case_chase(actor=street.intake, case=case, note="再次来电")
