"""The periodic SLA job: 超时 past the handling deadline, one automatic 督办 for cases left unsigned.

Run three ways: services.sla_sweep (the plain function), the `sla_sweep` management command and the Celery task
`cases.tasks.sla_sweep`, executed eagerly here (tests/test_sla_task_on_redis.py runs it on a real worker)."""

from io import StringIO

import pytest
from django.core.management import call_command

from cases import services
from cases.models import Case, CaseEvent, State
from cases.tasks import sla_sweep as sla_sweep_task
from chengyun.celery import app
from core import clock

from .helpers import at, case_in_state

pytestmark = pytest.mark.django_db


def dispatched_at(street, moment, state=State.DISPATCHED) -> Case:
    with clock.frozen_at(moment):
        return case_in_state(street, state)


def test_a_case_past_its_handling_deadline_is_marked_overdue_by_the_system_once(street):
    case = dispatched_at(street, at(2026, 11, 2, 9, 0), State.SIGNED)  # 5 working days → Mon 9 Nov 09:00
    assert case.handle_deadline == at(2026, 11, 9, 9, 0)
    assert services.sla_sweep(now=at(2026, 11, 9, 9, 0))["overdue"] == 0  # due, not yet past
    assert services.sla_sweep(now=at(2026, 11, 9, 9, 1))["overdue"] == 1
    case.refresh_from_db()
    assert case.is_overdue and case.state == State.SIGNED
    event = CaseEvent.objects.get(case=case, action="mark_overdue")
    assert (event.actor.username, event.actor.role, event.at) == ("system", "system", at(2026, 11, 9, 9, 1))
    assert (event.from_state, event.to_state) == (State.SIGNED, State.SIGNED)
    assert event.payload == {"handle_deadline": "2026-11-09T09:00:00+08:00"}
    assert services.sla_sweep(now=at(2026, 11, 10, 9, 0))["overdue"] == 0
    assert CaseEvent.objects.filter(case=case, action="mark_overdue").count() == 1


def test_overdue_counts_in_working_time_across_the_national_day_holiday(street):
    case = dispatched_at(street, at(2026, 9, 30, 16, 0), State.HANDLING)  # due Tue 13 Oct 16:00
    assert services.sla_sweep(now=at(2026, 10, 13, 15, 59))["overdue"] == 0
    assert services.sla_sweep(now=at(2026, 10, 13, 16, 1))["overdue"] == 1
    case.refresh_from_db()
    assert case.is_overdue


@pytest.mark.parametrize("state", [State.DISPATCHED, State.RETURN_REQUESTED, State.SIGNED, State.HANDLING])
def test_every_case_still_in_hand_can_become_overdue(street, state):
    case = dispatched_at(street, at(2026, 11, 2, 9, 0), state)
    assert services.sla_sweep(now=at(2026, 11, 20, 9, 0))["overdue"] == 1
    case.refresh_from_db()
    assert case.is_overdue and case.state == state


def test_an_unsigned_case_past_its_sign_deadline_gets_one_automatic_urge(street):
    case = dispatched_at(street, at(2026, 11, 2, 16, 30))  # 2 working hours → Tue 3 Nov 09:30
    assert case.sign_deadline == at(2026, 11, 3, 9, 30)
    assert services.sla_sweep(now=at(2026, 11, 3, 9, 30))["escalated"] == 0
    assert services.sla_sweep(now=at(2026, 11, 3, 10, 0))["escalated"] == 1
    case.refresh_from_db()
    assert (case.sign_escalated, case.urge_count, case.state) == (True, 1, State.DISPATCHED)
    urge = CaseEvent.objects.get(case=case, action="urge")
    assert urge.actor.username == "system" and "未签收" in urge.note and "城管中队" in urge.note
    assert urge.payload == {"automatic": True, "reason": "unsigned", "sign_deadline": "2026-11-03T09:30:00+08:00"}
    assert services.sla_sweep(now=at(2026, 11, 4, 10, 0))["escalated"] == 0
    assert CaseEvent.objects.filter(case=case, action="urge").count() == 1
    # The department answers the automatic 督办 like any other.
    services.case_respond_urge(actor=street.handler, case=case, note="已签收处理")


def test_an_unsigned_case_over_the_holiday_is_escalated_only_after_it(street):
    dispatched_at(street, at(2026, 9, 30, 16, 0))  # sign deadline Thu 8 Oct 09:00
    assert services.sla_sweep(now=at(2026, 10, 5, 12, 0))["escalated"] == 0
    assert services.sla_sweep(now=at(2026, 10, 8, 9, 1))["escalated"] == 1


def test_a_signed_case_is_not_escalated(street):
    dispatched_at(street, at(2026, 11, 2, 9, 0), State.SIGNED)
    assert services.sla_sweep(now=at(2026, 11, 3, 9, 0))["escalated"] == 0


def test_grace_hours_delay_the_escalation(street, settings):
    settings.UNSIGNED_ESCALATION_GRACE_HOURS = 2
    dispatched_at(street, at(2026, 11, 2, 16, 30))
    assert services.sla_sweep(now=at(2026, 11, 3, 11, 0))["escalated"] == 0
    assert services.sla_sweep(now=at(2026, 11, 3, 11, 31))["escalated"] == 1


def test_a_redispatch_gives_a_fresh_deadline_and_a_fresh_escalation(street):
    case = dispatched_at(street, at(2026, 11, 2, 9, 0))
    assert services.sla_sweep(now=at(2026, 11, 2, 12, 0))["escalated"] == 1
    services.case_request_return(actor=street.handler, case=case, reason="非本单位")
    services.case_approve_return(actor=street.dispatcher, case=case)
    with clock.frozen_at(at(2026, 11, 3, 9, 0)):
        services.case_dispatch(actor=street.dispatcher, case=case, lead_department=street.other_department)
    assert (case.sign_escalated, case.is_overdue) == (False, False)
    assert services.sla_sweep(now=at(2026, 11, 3, 12, 0))["escalated"] == 1


def test_registered_handled_and_closed_cases_are_left_alone(street):
    street.new_case()
    dispatched_at(street, at(2026, 11, 2, 9, 0), State.HANDLED)
    dispatched_at(street, at(2026, 11, 2, 9, 0), State.CLOSED)
    assert services.sla_sweep(now=at(2027, 3, 1, 9, 0)) == {"overdue": 0, "escalated": 0, "failed": 0}


def test_the_management_command_sweeps_and_reports_in_chinese(street):
    overdue = dispatched_at(street, at(2026, 11, 2, 9, 0))
    out = StringIO()
    with clock.frozen_at(at(2026, 11, 20, 9, 0)):
        call_command("sla_sweep", stdout=out)
    assert out.getvalue().strip() == "超时标记 1 件,未签收自动督办 1 件"
    overdue.refresh_from_db()
    assert overdue.is_overdue and overdue.sign_escalated
    out = StringIO()
    with clock.frozen_at(at(2026, 11, 21, 9, 0)):
        call_command("sla_sweep", stdout=out)
    assert out.getvalue().strip() == "超时标记 0 件,未签收自动督办 0 件"


def test_the_celery_task_runs_the_sweep(street):
    assert app.conf.task_always_eager  # the memory broker of the test settings runs tasks in-process
    case = dispatched_at(street, at(2026, 11, 2, 9, 0), State.SIGNED)
    with clock.frozen_at(at(2026, 11, 20, 9, 0)):
        result = sla_sweep_task.delay()
    assert result.get() == {"overdue": 1, "escalated": 0, "failed": 0}
    case.refresh_from_db()
    assert case.is_overdue
    assert case.events.filter(action="mark_overdue", actor__username="system").count() == 1


@pytest.fixture
def between_query_and_lock(settings, monkeypatch):
    """Run a callable at the moment the sweep has read an unsigned case but not yet locked it (the grace-hours
    check sits exactly there), as a handler or a second sweep on another connection could."""
    settings.UNSIGNED_ESCALATION_GRACE_HOURS = 0.5
    real = services.sweep.add_working_hours
    pending: list = []

    def hook(start, hours):
        while pending:
            pending.pop()()
        return real(start, hours)

    monkeypatch.setattr(services.sweep, "add_working_hours", hook)
    return pending.append


def test_a_case_signed_while_the_sweep_runs_is_not_urged_as_unsigned(street, between_query_and_lock):
    case = dispatched_at(street, at(2026, 11, 2, 9, 0))
    between_query_and_lock(lambda: services.case_sign(actor=street.handler, case=Case.objects.get(pk=case.pk)))
    assert services.sla_sweep(now=at(2026, 11, 2, 15, 0))["escalated"] == 0
    case.refresh_from_db()
    assert (case.state, case.sign_escalated, case.urge_count) == (State.SIGNED, False, 0)
    assert not case.events.filter(action="urge").exists()


def test_a_case_escalated_by_a_concurrent_sweep_is_not_urged_twice(street, between_query_and_lock):
    case = dispatched_at(street, at(2026, 11, 2, 9, 0))
    between_query_and_lock(lambda: services.sla_sweep(now=at(2026, 11, 2, 15, 0)))
    assert services.sla_sweep(now=at(2026, 11, 2, 15, 0))["escalated"] == 0
    case.refresh_from_db()
    assert (case.sign_escalated, case.urge_count) == (True, 1)
    assert case.events.filter(action="urge").count() == 1


def test_one_case_failing_does_not_stop_the_sweep_of_the_others(street, monkeypatch, caplog):
    broken = dispatched_at(street, at(2026, 11, 2, 9, 0), State.SIGNED)
    healthy = dispatched_at(street, at(2026, 11, 2, 9, 0), State.SIGNED)
    real = services.case_mark_overdue

    def fails_for_the_broken_one(*, actor, case):
        if case.pk == broken.pk:
            raise RuntimeError("corrupt row")
        return real(actor=actor, case=case)

    monkeypatch.setattr(services.sweep, "case_mark_overdue", fails_for_the_broken_one)
    counts = services.sla_sweep(now=at(2026, 11, 20, 9, 0))
    assert counts["overdue"] == 1 and counts["failed"] == 1
    healthy.refresh_from_db()
    broken.refresh_from_db()
    assert healthy.is_overdue and not broken.is_overdue
    assert "corrupt row" in caplog.text
    monkeypatch.setattr(services.sweep, "case_mark_overdue", real)
    assert services.sla_sweep(now=at(2026, 11, 20, 9, 5))["overdue"] == 1   # retried on the next run
