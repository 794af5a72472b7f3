"""Issue 16: pending requests end with the case (已失效, visibly); an approved 延期 counts from the later of the old
deadline and the approval and warns when the new deadline is still close; the callback's 是/否 answers are
required; the callback desk's order."""

import pytest

from cases import queues, services
from cases.models import CaseEvent, Request, State
from cases.templatetags.case_tags import action_label, payload_summary
from core import clock
from core.errors import ValidationFailed
from notifications.models import Notification

from .helpers import at, case_in_state, last_event, refused

pytestmark = pytest.mark.django_db


def ask_extension(street, case, days=3):
    return services.case_request_extension(actor=street.handler, case=case, reason="需协调物业", extra_days=days)


def test_a_pending_extension_ends_when_the_case_is_finished(street):
    case = street.handling_case()
    request = ask_extension(street, case)
    services.case_finish(actor=street.handler, case=case, result="已清理")
    request.refresh_from_db()
    assert request.status == Request.Status.EXPIRED and "「已办结」" in request.decision_reason
    event = last_event(case)
    assert (event.action, event.actor, event.payload["kind"], event.payload["ended_by"]) == (
        "request_expired", street.handler, "extension", "finish")
    assert action_label(event.action) == "申请失效"
    assert "因:办结" in payload_summary(event.payload)
    # Off the dispatcher's desk, and a new request could be made on a reopened round.
    assert not queues.queue_requests(street.dispatcher).filter(case=case).exists()


def test_a_pending_extension_ends_when_the_case_is_suspended(street):
    case = street.handling_case()
    request = ask_extension(street, case)
    services.case_suspend(actor=street.dispatcher, case=case, plan="挂账推进",
                          review_date=clock.now().date().replace(year=clock.now().year + 1))
    request.refresh_from_db()
    assert request.status == Request.Status.EXPIRED


def test_a_pending_extension_survives_changes_that_keep_it_decidable(street):
    case = street.signed_case()
    request = ask_extension(street, case)
    services.case_record_first_contact(actor=street.handler, case=case, method="phone", outcome="已联系")  # → 处置中
    request.refresh_from_db()
    assert request.status == Request.Status.PENDING
    assert not CaseEvent.objects.filter(case=case, action="request_expired").exists()


def test_a_pending_return_ends_when_the_case_is_merged(street):
    master, case = street.new_case(), case_in_state(street, State.RETURN_REQUESTED)
    services.case_merge(actor=street.dispatcher, case=case, master=master)
    request = Request.objects.get(case=case)
    assert (request.status, request.decided_by) == (Request.Status.EXPIRED, None)
    assert last_event(case).action == "request_expired"


def handling_due_nov_9(street):
    """Dispatched Mon 2 Nov 2026 09:00: due Mon 9 Nov 09:00."""
    with clock.frozen_at(at(2026, 11, 2, 9, 0)):
        return case_in_state(street, State.HANDLING)


def test_a_late_approval_counts_from_the_approval_and_warns(street):
    case = handling_due_nov_9(street)
    with clock.frozen_at(at(2026, 11, 5, 10, 0)):
        ask_extension(street, case, days=1)  # asked: to Tue 10 Nov 09:00
    with clock.frozen_at(at(2026, 11, 10, 15, 0)):  # approved after that date had passed
        services.case_approve_extension(actor=street.dispatcher, case=case)
    case.refresh_from_db()
    assert case.handle_deadline == at(2026, 11, 11, 15, 0) and not case.is_overdue
    event = last_event(case)
    assert event.payload["deadline_warning"] == "near"
    assert "新期限一个工作日内到期,已提醒处置单位" in payload_summary(event.payload)
    notices = Notification.objects.filter(event=event)
    assert set(notices.values_list("user", flat=True)) >= {street.handler.pk}
    assert "新期限一个工作日内到期" in notices.first().message


def test_an_early_approval_counts_from_the_old_deadline_without_warning(street):
    case = handling_due_nov_9(street)
    with clock.frozen_at(at(2026, 11, 5, 10, 0)):
        ask_extension(street, case, days=3)
    with clock.frozen_at(at(2026, 11, 6, 9, 0)):
        services.case_approve_extension(actor=street.dispatcher, case=case)
    case.refresh_from_db()
    assert case.handle_deadline == at(2026, 11, 12, 9, 0)
    assert "deadline_warning" not in last_event(case).payload
    assert "新期限" not in Notification.objects.get(event=last_event(case)).message


@pytest.mark.parametrize("missing", ["solved", "first_contacted"])
def test_the_callback_answers_are_required(street, missing):
    case = street.handled_case()
    answers = {"solved": True, "first_contacted": False, missing: None}
    with refused(ValidationFailed, case, message="请选择"):
        services.case_callback(actor=street.callback, case=case, satisfaction="satisfied", **answers)
    services.case_callback(actor=street.callback, case=case, satisfaction="satisfied", solved=False,
                           first_contacted=False)
    case.refresh_from_db()
    assert (case.solved, case.first_contact_confirmed) == (False, False)


def test_the_callback_queue_puts_waiting_calls_first_oldest_first(street):
    with clock.frozen_at(at(2026, 11, 2, 9, 0)):
        called = street.called_back_case()  # 待结案, the oldest of all
    with clock.frozen_at(at(2026, 11, 3, 9, 0)):
        older = street.handled_case()
    with clock.frozen_at(at(2026, 11, 4, 9, 0)):
        newer = street.handled_case()
    with clock.frozen_at(at(2026, 11, 4, 10, 0)):
        later_called = street.called_back_case()
    order = list(queues.queue_callback(street.callback).values_list("pk", flat=True))
    assert order == [older.pk, newer.pk, called.pk, later_called.pk]
