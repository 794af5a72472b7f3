"""The periodic SLA job: 超时 past the handling deadline, automatic 督办 for cases left unsigned."""

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from cases import services
from cases.models import Case, CaseEvent, State
from chengyun import clock

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def dispatched_at(street, moment: datetime) -> Case:
    with clock.frozen_at(moment):
        return street.dispatched_case()


def test_a_case_past_its_handling_deadline_is_marked_overdue_once(street):
    case = dispatched_at(street, datetime(2026, 11, 2, 9, 0, tzinfo=SH))  # Monday; 5 working days → 11-09 09:00
    assert case.handle_deadline == datetime(2026, 11, 9, 9, 0, tzinfo=SH)
    services.case_sign(actor=street.handler, case=case)
    assert services.sla_sweep(now=datetime(2026, 11, 9, 8, 59, tzinfo=SH))["overdue"] == 0
    counts = services.sla_sweep(now=datetime(2026, 11, 9, 9, 1, tzinfo=SH))
    assert counts["overdue"] == 1
    case.refresh_from_db()
    assert case.is_overdue and case.state == State.SIGNED
    event = CaseEvent.objects.get(case=case, action="mark_overdue")
    assert event.actor.username == "system" and event.payload["handle_deadline"].startswith("2026-11-09T09:00")
    assert services.sla_sweep(now=datetime(2026, 11, 10, 9, 0, tzinfo=SH))["overdue"] == 0


def test_an_unsigned_case_past_its_sign_deadline_gets_one_automatic_urge(street):
    case = dispatched_at(street, datetime(2026, 11, 2, 16, 30, tzinfo=SH))  # 2 working hours → 11-03 09:30
    assert case.sign_deadline == datetime(2026, 11, 3, 9, 30, tzinfo=SH)
    assert services.sla_sweep(now=datetime(2026, 11, 3, 9, 0, tzinfo=SH))["escalated"] == 0
    assert services.sla_sweep(now=datetime(2026, 11, 3, 10, 0, tzinfo=SH))["escalated"] == 1
    case.refresh_from_db()
    assert case.sign_escalated and case.urge_count == 1 and case.state == State.DISPATCHED
    urge = CaseEvent.objects.get(case=case, action="urge")
    assert urge.payload["automatic"] is True and "未签收" in urge.note
    assert services.sla_sweep(now=datetime(2026, 11, 4, 10, 0, tzinfo=SH))["escalated"] == 0


def test_grace_hours_delay_the_escalation(street, settings):
    settings.UNSIGNED_ESCALATION_GRACE_HOURS = 2
    dispatched_at(street, datetime(2026, 11, 2, 16, 30, tzinfo=SH))
    assert services.sla_sweep(now=datetime(2026, 11, 3, 11, 0, tzinfo=SH))["escalated"] == 0
    assert services.sla_sweep(now=datetime(2026, 11, 3, 11, 31, tzinfo=SH))["escalated"] == 1


def test_closed_and_registered_cases_are_left_alone(street):
    street.new_case()
    with clock.frozen_at(datetime(2026, 11, 2, 9, 0, tzinfo=SH)):
        done = street.called_back_case()
        services.case_close(actor=street.callback, case=done)
    assert services.sla_sweep(now=datetime(2027, 3, 1, 9, 0, tzinfo=SH)) == {"overdue": 0, "escalated": 0}


def test_the_management_command_reports_in_chinese(street):
    case = dispatched_at(street, datetime(2026, 11, 2, 9, 0, tzinfo=SH))
    Case.objects.filter(pk=case.pk).update(handle_deadline=clock.now() - timedelta(hours=1),
                                           sign_deadline=clock.now() - timedelta(hours=1))
    out = StringIO()
    call_command("sla_sweep", stdout=out)
    assert "超时标记 1 件" in out.getvalue() and "自动督办 1 件" in out.getvalue()
