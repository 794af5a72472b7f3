"""合并重复件: case_merge — a duplicate ends as 已合并, pointing at its open master."""

import pytest

from cases import services
from cases.models import Request, State
from core import clock
from core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed

from .helpers import at, case_in_state, last_event, refused

pytestmark = pytest.mark.django_db


def test_a_duplicate_is_merged_into_its_master(street):
    master, duplicate = street.new_case(), street.new_case(citizen_name="李四")
    with clock.frozen_at(at(2026, 11, 2, 9, 0)):
        services.case_merge(actor=street.dispatcher, case=duplicate, master=master, note="同一地址同一问题")
    duplicate.refresh_from_db()
    assert (duplicate.state, duplicate.master, duplicate.closed_at) == (State.MERGED, master,
                                                                        at(2026, 11, 2, 9, 0))
    assert not duplicate.is_open and list(master.duplicates.all()) == [duplicate]
    event = last_event(duplicate)
    assert (event.action, event.actor, event.from_state, event.to_state, event.note, event.payload) == (
        "merge", street.dispatcher, State.REGISTERED, State.MERGED, "同一地址同一问题", {"master": master.number})
    assert master.events.count() == 1  # the master's history is untouched


def test_merging_a_dispatched_duplicate_ends_its_assignments(street):
    master, duplicate = street.new_case(), case_in_state(street, State.DISPATCHED)
    services.case_merge(actor=street.dispatcher, case=duplicate, master=master)
    assert not duplicate.assignments.filter(active=True).exists()
    with refused(TransitionNotAllowed, duplicate):
        services.case_sign(actor=street.handler, case=duplicate)


def test_merging_a_case_awaiting_a_return_decision_ends_the_request(street):
    # Issue 16: a request nobody decided ends as 已失效 (was 已驳回 by the dispatcher), with its own event.
    master, duplicate = street.new_case(), case_in_state(street, State.RETURN_REQUESTED)
    services.case_merge(actor=street.dispatcher, case=duplicate, master=master)
    request = Request.objects.get(case=duplicate)
    assert (request.status, request.decided_by, request.decision_reason) == (
        Request.Status.EXPIRED, None, "工单已转为「已合并」,申请随之失效")


def test_a_case_cannot_be_merged_into_itself(street):
    case = street.new_case()
    with refused(ValidationFailed, case, message="不能把工单合并到自身"):
        services.case_merge(actor=street.dispatcher, case=case, master=case)


@pytest.mark.parametrize("state", [State.CLOSED, State.MERGED])
def test_the_master_must_be_open_and_not_itself_merged(street, state):
    case, master = street.new_case(), case_in_state(street, state)
    with refused(ValidationFailed, case, message="主工单须为未结案且未被合并的工单"):
        services.case_merge(actor=street.dispatcher, case=case, master=master)


def test_a_master_with_duplicates_is_not_merged_into_another(street):
    master, duplicate, other = street.new_case(), street.new_case(), street.new_case()
    services.case_merge(actor=street.dispatcher, case=duplicate, master=master)
    with refused(ValidationFailed, master, message="已有重复件并入"):
        services.case_merge(actor=street.dispatcher, case=master, master=other)


def test_a_signed_case_is_no_longer_merged(street):
    case, master = street.signed_case(), street.new_case()
    with refused(TransitionNotAllowed, case):
        services.case_merge(actor=street.dispatcher, case=case, master=master)


def test_only_the_centre_merges(street):
    case, master = street.new_case(), street.new_case()
    for actor in (street.intake, street.leader, street.handler):
        with refused(PermissionDenied, case):
            services.case_merge(actor=actor, case=case, master=master)


def test_the_duplicates_citizens_are_listed_when_the_master_closes(street):
    master = street.new_case()
    duplicate = street.new_case(citizen_name="李四")
    services.case_merge(actor=street.dispatcher, case=duplicate, master=master)
    services.case_dispatch(actor=street.dispatcher, case=master, lead_department=street.department)
    services.case_sign(actor=street.handler, case=master)
    services.case_record_first_contact(actor=street.handler, case=master, method="phone", outcome="已联系")
    services.case_finish(actor=street.handler, case=master, result="已清理")
    services.case_callback(actor=street.callback, case=master, satisfaction="satisfied", solved=True,
                           first_contacted=True)
    services.case_close(actor=street.dispatcher, case=master)
    assert last_event(master).payload["informed_duplicates"] == [duplicate.number]
