"""处置进展 and 协办反馈: case_add_progress, case_co_report."""

import pytest

from cases import services
from cases.models import Assignment, State
from core import clock
from core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed

from .helpers import at, case_in_state, last_event, refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def joint(street):
    """A case in 处置中 with street.department as lead and street.co_department as co-handler."""
    return case_in_state(street, State.HANDLING)


def test_the_lead_handler_adds_a_progress_note_without_changing_the_state(street, joint):
    version = joint.version
    event = services.case_add_progress(actor=street.handler, case=joint, note="已到现场,清理一半")
    joint.refresh_from_db()
    assert (joint.state, joint.version) == (State.HANDLING, version + 1)
    assert event == last_event(joint)
    assert (event.action, event.actor, event.from_state, event.to_state, event.note) == (
        "add_progress", street.handler, State.HANDLING, State.HANDLING, "已到现场,清理一半")
    assert event.payload == {"department": "城管中队"}


def test_progress_can_be_noted_right_after_signing(street):
    case = case_in_state(street, State.SIGNED)
    services.case_add_progress(actor=street.handler, case=case, note="已安排人员")
    assert case.state == State.SIGNED and last_event(case).action == "add_progress"


def test_a_co_handler_adds_progress_in_its_own_name(street, joint):
    event = services.case_add_progress(actor=street.co_handler, case=joint, note="居委会已上门劝导")
    assert event.actor == street.co_handler and event.payload == {"department": "金坛居委会"}


def test_a_co_handler_reports_on_its_share(street, joint):
    with clock.frozen_at(at(2026, 11, 3, 14, 0)):
        event = services.case_co_report(actor=street.co_handler, case=joint, report=" 已配合清运,居民同意 ")
    share = Assignment.objects.get(case=joint, department=street.co_department, active=True)
    assert (share.report, share.reported_at) == ("已配合清运,居民同意", at(2026, 11, 3, 14, 0))
    lead = Assignment.objects.get(case=joint, department=street.department, active=True)
    assert (lead.report, lead.reported_at) == ("", None)
    assert (event.action, event.note) == ("co_report", "已配合清运,居民同意")
    assert event.payload == {"department": "金坛居委会"}
    assert joint.state == State.HANDLING


def test_a_co_handler_cannot_sign_or_finish(street):
    case = case_in_state(street, State.DISPATCHED)
    with refused(PermissionDenied, case):
        services.case_sign(actor=street.co_handler, case=case)
    services.case_sign(actor=street.handler, case=case)
    services.case_record_first_contact(actor=street.handler, case=case, method="phone", outcome="已联系")
    with refused(PermissionDenied, case):
        services.case_finish(actor=street.co_handler, case=case, result="协办单位不能办结")


def test_progress_and_reports_need_text(street, joint):
    with refused(ValidationFailed, joint, message="请填写进展情况"):
        services.case_add_progress(actor=street.handler, case=joint, note="")
    with refused(ValidationFailed, joint, message="请填写协办反馈内容"):
        services.case_co_report(actor=street.co_handler, case=joint, report=" ")


def test_a_department_without_a_share_cannot_add_progress_or_report(street, joint):
    with refused(PermissionDenied, joint):
        services.case_add_progress(actor=street.handler_other, case=joint, note="不是我们的")
    with refused(PermissionDenied, joint):
        services.case_co_report(actor=street.handler_other, case=joint, report="不是我们的")


def test_no_progress_once_the_case_is_handled(street):
    case = case_in_state(street, State.HANDLED)
    with refused(TransitionNotAllowed, case):
        services.case_add_progress(actor=street.handler, case=case, note="补充进展")
