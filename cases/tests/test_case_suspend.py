"""挂账: case_suspend and case_resume."""

from datetime import UTC, date, datetime

import pytest

from cases import services
from cases.models import State
from core import clock
from core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed

from .helpers import at, case_in_state, in_days, last_event, refused

pytestmark = pytest.mark.django_db


def suspend(actor, case, *, plan="协调业委会筹集维修资金,分期实施", review_date):
    return services.case_suspend(actor=actor, case=case, plan=plan, review_date=review_date)


def test_a_hard_case_is_suspended_with_a_plan_and_a_review_date(street):
    case = case_in_state(street, State.HANDLING)
    with clock.frozen_at(at(2026, 11, 2, 9, 0)):
        suspend(street.dispatcher, case, review_date=date(2026, 12, 1))
    case.refresh_from_db()
    assert (case.state, case.suspended_review_date) == (State.SUSPENDED, date(2026, 12, 1))
    event = last_event(case)
    assert (event.action, event.actor, event.from_state, event.to_state, event.note, event.payload) == (
        "suspend", street.dispatcher, State.HANDLING, State.SUSPENDED, "协调业委会筹集维修资金,分期实施",
        {"review_date": "2026-12-01"})


def test_a_signed_case_can_be_suspended_too(street):
    case = case_in_state(street, State.SIGNED)
    suspend(street.admin, case, review_date=in_days(10))
    assert case.state == State.SUSPENDED


@pytest.mark.parametrize("review_date", [date(2026, 11, 2), date(2026, 10, 30), None])
def test_the_review_date_must_lie_in_the_future(street, review_date):
    case = case_in_state(street, State.HANDLING)
    with clock.frozen_at(at(2026, 11, 2, 9, 0)), refused(ValidationFailed, case, message="复查日期须晚于今天"):
        suspend(street.dispatcher, case, review_date=review_date)


def test_today_means_today_in_shanghai_even_before_eight_in_the_morning(street):
    case = case_in_state(street, State.HANDLING)
    # 23:00 UTC on 1 Nov is 07:00 on 2 Nov in Shanghai: 2 Nov is today, not tomorrow.
    with clock.frozen_at(datetime(2026, 11, 1, 23, 0, tzinfo=UTC)), refused(ValidationFailed, case):
        suspend(street.dispatcher, case, review_date=date(2026, 11, 2))


def test_a_plan_is_required(street):
    case = case_in_state(street, State.HANDLING)
    with refused(ValidationFailed, case, message="请填写挂账处置计划"):
        suspend(street.dispatcher, case, plan=" ", review_date=in_days(10))


def test_only_the_centre_suspends_and_only_cases_in_hand(street):
    case = case_in_state(street, State.HANDLING)
    for actor in (street.handler, street.leader):
        with refused(PermissionDenied, case):
            suspend(actor, case, review_date=in_days(10))
    dispatched = street.dispatched_case()
    with refused(TransitionNotAllowed, dispatched):
        suspend(street.dispatcher, dispatched, review_date=in_days(10))


def test_resuming_returns_the_case_to_handling_and_clears_the_review_date(street):
    case = case_in_state(street, State.SUSPENDED)
    services.case_resume(actor=street.dispatcher, case=case, note="维修资金已到位")
    case.refresh_from_db()
    assert (case.state, case.suspended_review_date) == (State.HANDLING, None)
    event = last_event(case)
    assert (event.action, event.from_state, event.to_state, event.note) == (
        "resume", State.SUSPENDED, State.HANDLING, "维修资金已到位")


def test_a_suspended_case_takes_no_handling_actions(street):
    case = case_in_state(street, State.SUSPENDED)
    with refused(TransitionNotAllowed, case):
        services.case_add_progress(actor=street.handler, case=case, note="进展")
    with refused(TransitionNotAllowed, case):
        suspend(street.dispatcher, case, review_date=in_days(40))
