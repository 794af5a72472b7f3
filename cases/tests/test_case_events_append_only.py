"""The append-only event log: no event is changed or removed, and every operation writes exactly one."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import services
from cases.models import AppendOnlyError, CaseEvent, State
from core import clock
from core.errors import DomainError
from core.testing import tiny_png
from org.services import system_user

from .helpers import at, event_count, in_days, last_event

pytestmark = pytest.mark.django_db

PNG = tiny_png()


def test_saving_an_existing_event_again_is_refused(street):
    event = street.new_case().events.get()
    event.note = "事后改写"
    with pytest.raises(AppendOnlyError, match="只能追加"):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.save(update_fields=["note"])
    assert CaseEvent.objects.get(pk=event.pk).note == ""


def test_deleting_an_event_is_refused(street):
    event = street.new_case().events.get()
    with pytest.raises(AppendOnlyError, match="不能删除"):
        event.delete()
    assert CaseEvent.objects.filter(pk=event.pk).exists()


def test_a_new_event_can_still_be_appended_by_hand(street):
    case = street.new_case()
    CaseEvent(case=case, action="note", actor=street.dispatcher, at=clock.now(), to_state=case.state).save()
    assert event_count(case) == 2


def test_every_operation_along_a_whole_life_writes_exactly_one_event(street, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    s = street
    start = at(2026, 11, 2, 9, 0)
    steps = [
        ("chase", lambda c: services.case_chase(actor=s.intake, case=c, note="再次来电")),
        ("urge", lambda c: services.case_urge(actor=s.leader, case=c, note="请尽快派单")),
        ("attach", lambda c: services.case_attach(actor=s.intake, case=c, upload=SimpleUploadedFile("a.png", PNG))),
        ("dispatch", lambda c: services.case_dispatch(actor=s.dispatcher, case=c, lead_department=s.department,
                                                      co_departments=[s.co_department])),
        ("request_return", lambda c: services.case_request_return(actor=s.handler, case=c, reason="非本单位")),
        ("reject_return", lambda c: services.case_reject_return(actor=s.dispatcher, case=c, reason="属地管理")),
        ("sign", lambda c: services.case_sign(actor=s.handler, case=c)),
        ("respond_urge", lambda c: services.case_respond_urge(actor=s.handler, case=c, note="已安排")),
        ("record_first_contact", lambda c: services.case_record_first_contact(actor=s.handler, case=c,
                                                                              method="phone", outcome="已联系")),
        ("add_progress", lambda c: services.case_add_progress(actor=s.handler, case=c, note="清理中")),
        ("co_report", lambda c: services.case_co_report(actor=s.co_handler, case=c, report="已配合")),
        ("request_extension", lambda c: services.case_request_extension(actor=s.handler, case=c, reason="需协调",
                                                                        extra_days=2)),
        ("approve_extension", lambda c: services.case_approve_extension(actor=s.dispatcher, case=c)),
        ("suspend", lambda c: services.case_suspend(actor=s.dispatcher, case=c, plan="挂账推进",
                                                    review_date=in_days(30))),
        ("resume", lambda c: services.case_resume(actor=s.dispatcher, case=c)),
        ("finish", lambda c: services.case_finish(actor=s.handler, case=c, result="已清理")),
        ("verify", lambda c: services.case_verify(actor=s.grid_user, case=c, fixed=True, note="现场已清理")),
        ("callback", lambda c: services.case_callback(actor=s.callback, case=c, satisfaction="unsatisfied",
                                                      solved=False, first_contacted=True, remarks="又堆上了")),
        ("reopen", lambda c: services.case_reopen(actor=s.callback, case=c, reason="回访不满意")),
        ("mark_overdue", lambda c: services.case_mark_overdue(actor=system_user(), case=c)),
        ("sign", lambda c: services.case_sign(actor=s.handler, case=c)),
        ("record_first_contact", lambda c: services.case_record_first_contact(actor=s.handler, case=c,
                                                                              method="visit", outcome="上门")),
        ("finish", lambda c: services.case_finish(actor=s.handler, case=c, result="彻底清理")),
        ("callback", lambda c: services.case_callback(actor=s.callback, case=c, satisfaction="satisfied",
                                                      solved=True, first_contacted=True)),
        ("close", lambda c: services.case_close(actor=s.callback, case=c)),
    ]
    with clock.frozen_at(start):
        case = s.new_case()
    assert event_count(case) == 1
    for minutes, (action, step) in enumerate(steps, start=1):
        before = event_count(case)
        with clock.frozen_at(start + timedelta(minutes=minutes)):
            step(case)
        assert event_count(case) == before + 1, action
        assert last_event(case).action == action
    # The log is a chain: every event starts where the one before it ended, in time order.
    events = list(case.events.order_by("at", "id"))
    assert case.state == State.CLOSED and events[-1].to_state == State.CLOSED
    assert all(later.from_state == earlier.to_state for earlier, later in zip(events, events[1:], strict=False))
    assert [e.at for e in events] == sorted(e.at for e in events)
    case.refresh_from_db()
    assert case.version == len(steps)


def test_merging_writes_one_event_on_the_duplicate_and_none_on_the_master(street):
    master, duplicate = street.new_case(), street.new_case()
    services.case_merge(actor=street.dispatcher, case=duplicate, master=master)
    assert (event_count(master), event_count(duplicate)) == (1, 2)


def test_a_refused_operation_writes_no_event(street):
    case = street.dispatched_case()
    before = event_count(case)
    for attempt in (
        lambda: services.case_sign(actor=street.handler_other, case=case),
        lambda: services.case_finish(actor=street.handler, case=case, result="已处理"),
        lambda: services.case_request_return(actor=street.handler, case=case, reason=""),
    ):
        with pytest.raises(DomainError):
            attempt()
    assert event_count(case) == before
