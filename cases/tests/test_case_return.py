"""退单: case_request_return, case_approve_return, case_reject_return."""

import pytest

from cases import services
from cases.models import Request, State
from core import clock
from core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed

from .helpers import at, case_in_state, last_event, refused

pytestmark = pytest.mark.django_db


def requested(street):
    case = case_in_state(street, State.DISPATCHED)
    services.case_request_return(actor=street.handler, case=case, reason="该路段不属于本中队管辖")
    return case


def test_the_lead_handler_requests_a_return_with_a_reason(street):
    case = street.dispatched_case()
    with clock.frozen_at(at(2026, 11, 2, 10, 0)):
        request = services.case_request_return(actor=street.handler, case=case, reason="  非本单位职责  ")
    case.refresh_from_db()
    assert case.state == State.RETURN_REQUESTED and case.lead_department == street.department
    assert (request.kind, request.status, request.reason, request.department, request.requested_by) == (
        Request.Kind.RETURN, Request.Status.PENDING, "非本单位职责", street.department, street.handler)
    assert request.requested_at == at(2026, 11, 2, 10, 0)
    event = last_event(case)
    assert (event.action, event.actor, event.from_state, event.to_state, event.note) == (
        "request_return", street.handler, State.DISPATCHED, State.RETURN_REQUESTED, "非本单位职责")


def test_a_return_needs_a_reason(street):
    case = street.dispatched_case()
    with refused(ValidationFailed, case, message="请填写退单理由"):
        services.case_request_return(actor=street.handler, case=case, reason=" ")


def test_another_department_cannot_request_the_return(street):
    case = street.dispatched_case()
    with refused(PermissionDenied, case):
        services.case_request_return(actor=street.handler_other, case=case, reason="不是我们的")


def test_a_co_handler_cannot_request_the_return(street):
    case = case_in_state(street, State.DISPATCHED)
    with refused(PermissionDenied, case):
        services.case_request_return(actor=street.co_handler, case=case, reason="不是我们的")


def test_a_signed_case_can_no_longer_be_returned(street):
    case = street.signed_case()
    with refused(TransitionNotAllowed, case):
        services.case_request_return(actor=street.handler, case=case, reason="签收后才发现不是我们的")


def test_approving_the_return_clears_the_lead_department_and_requeues_the_case_as_registered(street):
    case = requested(street)
    request = services.case_approve_return(actor=street.dispatcher, case=case, reason="改派物业")
    case.refresh_from_db()
    assert (case.state, case.lead_department, case.return_count) == (State.REGISTERED, None, 1)
    assert (case.sign_deadline, case.first_contact_deadline, case.handle_deadline) == (None, None, None)
    assert not case.assignments.filter(active=True).exists() and case.assignments.count() == 2
    request.refresh_from_db()
    assert (request.status, request.decided_by, request.decision_reason) == (
        Request.Status.APPROVED, street.dispatcher, "改派物业")
    event = last_event(case)
    assert (event.action, event.from_state, event.to_state, event.note) == (
        "approve_return", State.RETURN_REQUESTED, State.REGISTERED, "改派物业")
    assert event.payload == {"kind": "return", "request_reason": "该路段不属于本中队管辖",
                             "returned_by": "城管中队"}


def test_after_an_approved_return_the_case_is_dispatched_afresh(street):
    case = requested(street)
    services.case_approve_return(actor=street.dispatcher, case=case)
    services.case_dispatch(actor=street.dispatcher, case=case, lead_department=street.other_department)
    case.refresh_from_db()
    assert case.state == State.DISPATCHED and case.lead_department == street.other_department
    assert list(case.assignments.filter(active=True).values_list("department", flat=True)) == [
        street.other_department.pk]


def test_rejecting_the_return_keeps_the_case_with_the_department(street):
    case = requested(street)
    request = services.case_reject_return(actor=street.dispatcher, case=case, reason="属地管理,请你单位处置")
    case.refresh_from_db()
    assert (case.state, case.lead_department, case.return_count) == (State.DISPATCHED, street.department, 0)
    request.refresh_from_db()
    assert request.status == Request.Status.REJECTED and request.decision_reason == "属地管理,请你单位处置"
    event = last_event(case)
    assert (event.action, event.from_state, event.to_state) == ("reject_return", State.RETURN_REQUESTED,
                                                                State.DISPATCHED)
    services.case_sign(actor=street.handler, case=case)
    assert case.state == State.SIGNED


def test_a_rejection_needs_a_reason(street):
    case = requested(street)
    with refused(ValidationFailed, case, message="请填写驳回理由"):
        services.case_reject_return(actor=street.dispatcher, case=case, reason="")


def test_the_handler_cannot_decide_its_own_return(street):
    case = requested(street)
    with refused(PermissionDenied, case):
        services.case_approve_return(actor=street.handler, case=case)


def test_a_return_cannot_be_decided_twice(street):
    case = requested(street)
    services.case_reject_return(actor=street.dispatcher, case=case, reason="请处置")
    with refused(TransitionNotAllowed, case):
        services.case_approve_return(actor=street.dispatcher, case=case)
