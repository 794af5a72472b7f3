"""办结: case_finish."""

import pytest

from cases import services
from cases.models import State
from core import clock
from core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed

from .helpers import at, case_in_state, last_event, refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def handling(street):
    """Due Mon 9 Nov 2026 09:00."""
    with clock.frozen_at(at(2026, 11, 2, 9, 0)):
        return case_in_state(street, State.HANDLING)


def test_the_lead_handler_reports_the_result_on_time(street, handling):
    with clock.frozen_at(at(2026, 11, 6, 15, 0)):
        services.case_finish(actor=street.handler, case=handling, result="  已清理堆物并张贴告示  ")
    handling.refresh_from_db()
    assert (handling.state, handling.handled_at, handling.handling_result) == (
        State.HANDLED, at(2026, 11, 6, 15, 0), "已清理堆物并张贴告示")
    event = last_event(handling)
    assert (event.action, event.actor, event.from_state, event.to_state, event.note) == (
        "finish", street.handler, State.HANDLING, State.HANDLED, "已清理堆物并张贴告示")
    assert event.payload == {"demand_met": True, "explanation": "", "on_time": True}


def test_a_finish_after_the_deadline_is_recorded_as_late(street, handling):
    with clock.frozen_at(at(2026, 11, 9, 9, 1)):
        services.case_finish(actor=street.handler, case=handling, result="已处理")
    assert last_event(handling).payload["on_time"] is False


def test_an_unmet_demand_needs_its_explanation(street, handling):
    with refused(ValidationFailed, handling, message="请填写诉求未能满足的原因"):
        services.case_finish(actor=street.handler, case=handling, result="已答复", demand_met=False)
    services.case_finish(actor=street.handler, case=handling, result="已答复", demand_met=False,
                         explanation="非本辖区,已告知诉求人向长宁区反映")
    assert handling.state == State.HANDLED
    assert last_event(handling).payload["demand_met"] is False
    assert last_event(handling).payload["explanation"] == "非本辖区,已告知诉求人向长宁区反映"


def test_the_result_is_required(street, handling):
    with refused(ValidationFailed, handling, message="请填写办结情况"):
        services.case_finish(actor=street.handler, case=handling, result="")


def test_a_case_cannot_be_finished_before_the_first_contact(street):
    case = case_in_state(street, State.SIGNED)
    with refused(TransitionNotAllowed, case, message="已签收"):
        services.case_finish(actor=street.handler, case=case, result="已处理")


def test_only_the_lead_department_finishes(street, handling):
    for other in (street.co_handler, street.handler_other):
        with refused(PermissionDenied, handling):
            services.case_finish(actor=other, case=handling, result="已处理")
    with refused(PermissionDenied, handling):
        services.case_finish(actor=street.dispatcher, case=handling, result="已处理")


def test_a_suspended_case_cannot_be_finished_until_resumed(street):
    case = case_in_state(street, State.SUSPENDED)
    with refused(TransitionNotAllowed, case, message="挂账"):
        services.case_finish(actor=street.handler, case=case, result="已处理")
    services.case_resume(actor=street.dispatcher, case=case)
    services.case_finish(actor=street.handler, case=case, result="已处理")
    assert case.state == State.HANDLED
