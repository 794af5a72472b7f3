"""Notifications hear case progress only through the event contract, for actions the lifecycle table knows."""

import pytest

from cases import signals
from cases.transitions import TRANSITIONS
from notifications.models import Notification
from notifications.services import KIND_OF_ACTION


def test_every_notified_action_is_a_transition_of_the_table():
    assert set(KIND_OF_ACTION) - set(TRANSITIONS) == set()
    assert set(KIND_OF_ACTION.values()) <= set(Notification.Kind.values)


@pytest.mark.django_db
def test_a_batch_of_events_that_tell_nobody_costs_no_query(street, django_assert_num_queries):
    heard = []
    signals.case_events_recorded.connect(lambda sender, events, **kw: heard.extend(events), dispatch_uid="test-nq")
    try:
        for _ in range(3):
            street.new_case()
    finally:
        signals.case_events_recorded.disconnect(dispatch_uid="test-nq")
    from notifications.listeners import on_case_events

    with django_assert_num_queries(0):
        on_case_events(None, events=heard, case_ids=[event.case_id for event in heard])
