"""The one event contract (cases/signals.py): who sends case_events_recorded, with what, when, and to whom."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from cases import services, signals
from cases.models import CaseEvent

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def heard():
    """Every send of case_events_recorded, as (actions, case ids) and the events themselves."""
    sends: list[dict] = []

    def listener(sender, *, events, case_ids, **kwargs):
        sends.append({"actions": [event.action for event in events], "case_ids": case_ids, "events": events})

    signals.case_events_recorded.connect(listener, dispatch_uid="test-heard")
    yield sends
    signals.case_events_recorded.disconnect(dispatch_uid="test-heard")


def _hotline_rows(*numbers: str) -> list[dict]:
    return [{"source": "hotline", "hotline_number": number, "title": "噪音", "content": f"夜间噪音扰民({number})",
             "address": "愚园路128弄3号", "registered_at": datetime(2026, 11, 3, 10, 0, tzinfo=SH)} for number in numbers]


@pytest.mark.django_db(transaction=True)
def test_sent_after_the_commit_and_never_for_a_rollback(street, heard):
    with transaction.atomic():
        case = street.new_case()
        services.case_dispatch(actor=street.dispatcher, case=case, lead_department=street.department)
        assert heard == []  # not while the transaction may still roll back
    assert [send["actions"] for send in heard] == [["register"], ["dispatch"]]
    assert heard[1]["case_ids"] == [case.pk] and heard[1]["events"][0] == CaseEvent.objects.get(action="dispatch")

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        services.case_urge(actor=street.leader, case=case, note="请尽快处理")
        services.case_register_bulk(actor=street.intake, rows=_hotline_rows("H-1", "H-2"))
        raise Undo
    assert len(heard) == 2  # the urge and the import were rolled back: nothing was heard of them


@pytest.mark.django_db(transaction=True)
def test_a_single_change_outside_a_transaction_is_sent_when_its_own_commits(street, heard):
    case = street.new_case()
    assert [send["actions"] for send in heard] == [["register"]] and heard[0]["case_ids"] == [case.pk]
    assert heard[0]["events"][0].case is not None and heard[0]["events"][0].pk is not None


def test_a_bulk_insert_sends_once_with_every_event_as_stored(street, heard):
    registered, refused = services.case_register_bulk(actor=street.intake, rows=_hotline_rows("H-1", "H-2", "H-3"))
    assert refused == [] and len(heard) == 1
    send = heard[0]
    assert send["actions"] == ["register"] * 3 and send["case_ids"] == [r.pk for r in registered]
    stored = {event.pk: event for event in CaseEvent.objects.filter(action="register")}
    fields = [field.attname for field in CaseEvent._meta.concrete_fields]
    # Built without reading them back (COPY on PostgreSQL): the same ids and values as the rows in the table.
    assert [[getattr(event, f) for f in fields] for event in send["events"]] == [
        [getattr(stored[event.pk], f) for f in fields] for event in send["events"]]


def test_the_listeners_are_the_ones_the_setting_names(db):
    connected = set(signals.case_events_recorded._live_receivers(CaseEvent)[0])
    declared = {import_string(path) for path in settings.CASE_EVENT_LISTENERS}
    assert connected >= declared and len(declared) == len(settings.CASE_EVENT_LISTENERS) == 4


def test_a_failing_listener_neither_undoes_the_change_nor_silences_the_others(street, heard, caplog):
    def broken(sender, **kwargs):
        raise RuntimeError("listener down")

    signals.case_events_recorded.connect(broken, dispatch_uid="test-broken")
    try:
        case = street.new_case()
    finally:
        signals.case_events_recorded.disconnect(dispatch_uid="test-broken")
    assert CaseEvent.objects.filter(case=case, action="register").exists() and len(heard) == 1
    assert "listener down" in caplog.text
