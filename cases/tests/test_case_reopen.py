"""重办: case_reopen, only after a 不满意 callback."""

import pytest

from cases import services
from cases.models import State
from core import clock
from core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed

from .helpers import at, case_in_state, last_event, refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def unsatisfied(street):
    with clock.frozen_at(at(2026, 11, 2, 9, 0)):
        return case_in_state(street, State.CALLED_BACK, satisfaction="unsatisfied")


def test_reopening_sends_the_case_back_to_its_department_with_fresh_deadlines(street, unsatisfied):
    with clock.frozen_at(at(2026, 11, 10, 10, 0)):
        services.case_reopen(actor=street.callback, case=unsatisfied, reason="诉求人反映堆物仍未清理")
    case = unsatisfied
    case.refresh_from_db()
    assert (case.state, case.lead_department, case.reopen_count) == (State.DISPATCHED, street.department, 1)
    assert (case.dispatched_at, case.sign_deadline, case.handle_deadline) == (
        at(2026, 11, 10, 10, 0), at(2026, 11, 10, 12, 0), at(2026, 11, 17, 10, 0))
    assert (case.signed_at, case.first_contact_at, case.handled_at) == (None, None, None)
    assert (case.satisfaction, case.solved, case.first_contact_confirmed, case.called_back_at) == ("", None, None,
                                                                                                    None)
    event = last_event(case)
    assert (event.action, event.actor, event.from_state, event.to_state, event.note) == (
        "reopen", street.callback, State.CALLED_BACK, State.DISPATCHED, "诉求人反映堆物仍未清理")
    assert event.payload == {"lead_department": "城管中队", "co_departments": [],
                             "previous_satisfaction": "unsatisfied", "handle_deadline": "2026-11-17T10:00:00+08:00"}
    services.case_sign(actor=street.handler, case=case)
    assert case.state == State.SIGNED


def test_reopening_to_another_department_moves_the_case(street, unsatisfied):
    services.case_reopen(actor=street.dispatcher, case=unsatisfied, reason="改由物业处置",
                         lead_department=street.other_department, co_departments=[street.co_department])
    active = set(unsatisfied.assignments.filter(active=True).values_list("department__name", "role"))
    assert active == {("静安物业", "lead"), ("金坛居委会", "co")}
    with refused(PermissionDenied, unsatisfied):
        services.case_sign(actor=street.handler, case=unsatisfied)
    services.case_sign(actor=street.handler_other, case=unsatisfied)
    assert unsatisfied.state == State.SIGNED


def test_a_satisfied_case_cannot_be_reopened(street):
    case = case_in_state(street, State.CALLED_BACK, satisfaction="basically")
    with refused(TransitionNotAllowed, case, code="reopen_needs_unsatisfied", message="不满意"):
        services.case_reopen(actor=street.dispatcher, case=case, reason="再办一次")


def test_reopening_needs_a_reason(street, unsatisfied):
    with refused(ValidationFailed, unsatisfied, message="请填写重办理由"):
        services.case_reopen(actor=street.callback, case=unsatisfied, reason="")


def test_reopening_refuses_the_lead_as_a_co_handler(street, unsatisfied):
    with refused(ValidationFailed, unsatisfied, message="主办单位不能同时作为协办单位"):
        services.case_reopen(actor=street.callback, case=unsatisfied, reason="重办",
                             co_departments=[street.department])


def test_the_handler_cannot_reopen_and_a_handled_case_is_not_reopened(street, unsatisfied):
    with refused(PermissionDenied, unsatisfied):
        services.case_reopen(actor=street.handler, case=unsatisfied, reason="重办")
    handled = street.handled_case()
    with refused(TransitionNotAllowed, handled):
        services.case_reopen(actor=street.dispatcher, case=handled, reason="重办")


def test_a_reopened_case_runs_the_whole_cycle_again_and_counts_both_callbacks(street, unsatisfied):
    services.case_reopen(actor=street.callback, case=unsatisfied, reason="未解决")
    services.case_sign(actor=street.handler, case=unsatisfied)
    services.case_record_first_contact(actor=street.handler, case=unsatisfied, method="visit", outcome="上门")
    services.case_finish(actor=street.handler, case=unsatisfied, result="已彻底清理")
    services.case_callback(actor=street.callback, case=unsatisfied, satisfaction="satisfied", solved=True,
                           first_contacted=True)
    services.case_close(actor=street.callback, case=unsatisfied)
    assert unsatisfied.state == State.CLOSED and unsatisfied.reopen_count == 1
    assert unsatisfied.events.filter(action="callback").count() == 2
