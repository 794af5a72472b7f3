"""延期: case_request_extension, case_approve_extension, case_reject_extension."""

import pytest

from cases import services
from cases.models import Request, State
from core import clock
from core.errors import Conflict, PermissionDenied, TransitionNotAllowed, ValidationFailed

from .helpers import at, case_in_state, last_event, refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def handling(street):
    """Dispatched Mon 2 Nov 2026 09:00, so due Mon 9 Nov 09:00; signed and first contact done."""
    with clock.frozen_at(at(2026, 11, 2, 9, 0)):
        return case_in_state(street, State.HANDLING)


def ask(street, case, days=3, reason="需协调物业和业委会,施工排期较长"):
    with clock.frozen_at(at(2026, 11, 5, 10, 0)):
        return services.case_request_extension(actor=street.handler, case=case, reason=reason, extra_days=days)


def test_the_handler_asks_for_working_days_and_the_deadline_waits_for_approval(street, handling):
    request = ask(street, handling, days=3)
    handling.refresh_from_db()
    assert handling.handle_deadline == at(2026, 11, 9, 9, 0) and handling.extension_count == 0
    assert (request.kind, request.status, request.department, request.requested_by) == (
        Request.Kind.EXTENSION, Request.Status.PENDING, street.department, street.handler)
    assert request.requested_deadline == at(2026, 11, 12, 9, 0)
    event = last_event(handling)
    assert (event.action, event.from_state, event.to_state, event.note, event.payload) == (
        "request_extension", State.HANDLING, State.HANDLING, "需协调物业和业委会,施工排期较长", {"extra_days": 3})


@pytest.mark.parametrize("days", [0, -1, 61, "3", 2.5])
def test_the_number_of_days_must_be_between_1_and_60(street, handling, days):
    with refused(ValidationFailed, handling, message="1 到 60 个工作日"):
        ask(street, handling, days=days)


def test_an_extension_needs_a_reason(street, handling):
    with refused(ValidationFailed, handling, message="请填写延期理由"):
        ask(street, handling, reason=" ")


def test_a_second_pending_extension_is_refused(street, handling):
    ask(street, handling)
    with refused(Conflict, handling, code="request_pending", message="已有待审核的延期申请"):
        ask(street, handling, days=5)


def test_approval_moves_the_deadline_and_keeps_the_old_and_new_in_the_event(street, handling):
    ask(street, handling, days=3)
    with clock.frozen_at(at(2026, 11, 6, 9, 0)):
        request = services.case_approve_extension(actor=street.dispatcher, case=handling, reason="同意")
    handling.refresh_from_db()
    assert (handling.handle_deadline, handling.extension_count, handling.state) == (
        at(2026, 11, 12, 9, 0), 1, State.HANDLING)
    request.refresh_from_db()
    assert (request.status, request.decided_by, request.decided_at) == (
        Request.Status.APPROVED, street.dispatcher, at(2026, 11, 6, 9, 0))
    event = last_event(handling)
    assert (event.action, event.actor, event.note) == ("approve_extension", street.dispatcher, "同意")
    assert event.payload == {
        "kind": "extension", "request_reason": "需协调物业和业委会,施工排期较长",
        "old_deadline": "2026-11-09T09:00:00+08:00", "new_deadline": "2026-11-12T09:00:00+08:00",
    }


def test_approval_after_the_old_deadline_lifts_the_overdue_mark(street, handling):
    ask(street, handling, days=3)
    services.sla_sweep(now=at(2026, 11, 9, 10, 0))
    handling.refresh_from_db()
    assert handling.is_overdue
    with clock.frozen_at(at(2026, 11, 10, 9, 0)):
        services.case_approve_extension(actor=street.dispatcher, case=handling)
    handling.refresh_from_db()
    # Issue 16: the 3 days count from the approval (Tue 10 Nov 09:00), not from the passed deadline (was 12 Nov).
    assert not handling.is_overdue and handling.handle_deadline == at(2026, 11, 13, 9, 0)


def test_rejection_keeps_the_deadline_and_needs_a_reason(street, handling):
    request = ask(street, handling)
    with refused(ValidationFailed, handling, message="请填写驳回理由"):
        services.case_reject_extension(actor=street.dispatcher, case=handling, reason="")
    services.case_reject_extension(actor=street.dispatcher, case=handling, reason="时限内可以完成")
    handling.refresh_from_db()
    request.refresh_from_db()
    assert handling.handle_deadline == at(2026, 11, 9, 9, 0) and handling.extension_count == 0
    assert (request.status, request.decision_reason) == (Request.Status.REJECTED, "时限内可以完成")
    assert last_event(handling).action == "reject_extension"


def test_after_a_decision_a_new_extension_can_be_asked_for(street, handling):
    ask(street, handling)
    services.case_reject_extension(actor=street.dispatcher, case=handling, reason="理由不充分")
    assert ask(street, handling, days=1).status == Request.Status.PENDING


def test_deciding_without_a_pending_request_is_refused(street, handling):
    with refused(TransitionNotAllowed, handling, code="no_pending_request"):
        services.case_approve_extension(actor=street.dispatcher, case=handling)
    with refused(TransitionNotAllowed, handling, code="no_pending_request"):
        services.case_reject_extension(actor=street.dispatcher, case=handling, reason="无")


def test_a_co_handler_cannot_ask_and_a_handler_cannot_approve(street, handling):
    with refused(PermissionDenied, handling):
        services.case_request_extension(actor=street.co_handler, case=handling, reason="需要时间", extra_days=2)
    ask(street, handling)
    with refused(PermissionDenied, handling):
        services.case_approve_extension(actor=street.handler, case=handling)
