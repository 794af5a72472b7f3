"""督办: case_urge and the department's answer, case_respond_urge."""

import pytest

from cases import services
from cases.models import State
from core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed

from .helpers import case_in_state, last_event, refused

pytestmark = pytest.mark.django_db


def test_a_leader_urges_a_case_without_changing_its_state(street):
    case = street.signed_case()
    services.case_urge(actor=street.leader, case=case, note="  该处反映多次,请三日内解决  ")
    case.refresh_from_db()
    assert (case.state, case.urge_count, case.sign_escalated) == (State.SIGNED, 1, False)
    event = last_event(case)
    assert (event.action, event.actor, event.from_state, event.to_state, event.note, event.payload) == (
        "urge", street.leader, State.SIGNED, State.SIGNED, "该处反映多次,请三日内解决", {})


def test_every_urge_is_counted(street):
    case = street.new_case()
    services.case_urge(actor=street.dispatcher, case=case, note="请尽快派单")
    services.case_urge(actor=street.leader, case=case, note="再次督办")
    case.refresh_from_db()
    assert case.urge_count == 2 and case.events.filter(action="urge").count() == 2


def test_an_urge_needs_its_demand(street):
    case = street.signed_case()
    with refused(ValidationFailed, case, message="请填写督办要求"):
        services.case_urge(actor=street.leader, case=case, note="")


def test_handlers_and_callback_operators_cannot_urge(street):
    case = street.signed_case()
    for actor in (street.handler, street.callback, street.intake):
        with refused(PermissionDenied, case):
            services.case_urge(actor=actor, case=case, note="督办")


def test_the_lead_department_responds_to_an_urge(street):
    case = street.signed_case()
    services.case_urge(actor=street.leader, case=case, note="请加快")
    event = services.case_respond_urge(actor=street.handler, case=case, note="已加派两名队员,明日完成")
    assert (event.action, event.actor, event.note, event.to_state) == (
        "respond_urge", street.handler, "已加派两名队员,明日完成", State.SIGNED)
    assert case.urge_count == 1


def test_there_is_nothing_to_respond_to_without_an_urge(street):
    case = street.signed_case()
    with refused(TransitionNotAllowed, case, code="no_urge"):
        services.case_respond_urge(actor=street.handler, case=case, note="已处理")


def test_a_response_needs_text_and_comes_from_the_lead_department(street):
    case = case_in_state(street, State.HANDLING)
    services.case_urge(actor=street.leader, case=case, note="请加快")
    with refused(ValidationFailed, case, message="请填写督办回复"):
        services.case_respond_urge(actor=street.handler, case=case, note=" ")
    for actor in (street.co_handler, street.handler_other):
        with refused(PermissionDenied, case):
            services.case_respond_urge(actor=actor, case=case, note="已处理")
