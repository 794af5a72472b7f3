"""催单: case_chase — the citizen chased again; counted and linked, the state stays."""

import pytest

from cases import services
from cases.models import State
from core.errors import PermissionDenied, TransitionNotAllowed

from .helpers import case_in_state, last_event, refused

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("state", [State.REGISTERED, State.DISPATCHED, State.HANDLING, State.HANDLED])
def test_a_chase_is_counted_and_linked_in_any_open_state(street, state):
    case = case_in_state(street, state)
    services.case_chase(actor=street.intake, case=case, note="诉求人再次来电催促", hotline_number="2611020042")
    case.refresh_from_db()
    assert (case.state, case.chase_count) == (state, 1)
    event = last_event(case)
    assert (event.action, event.actor, event.from_state, event.to_state, event.note, event.payload) == (
        "chase", street.intake, state, state, "诉求人再次来电催促", {"hotline_number": "2611020042"})


def test_chases_add_up(street):
    case = street.dispatched_case()
    for _ in range(3):
        services.case_chase(actor=street.dispatcher, case=case)
    case.refresh_from_db()
    assert case.chase_count == 3 and case.events.filter(action="chase").count() == 3


def test_a_closed_or_merged_case_is_not_chased(street):
    for state in (State.CLOSED, State.MERGED):
        case = case_in_state(street, state)
        with refused(TransitionNotAllowed, case):
            services.case_chase(actor=street.intake, case=case, note="再次来电")


def test_handlers_and_leaders_do_not_record_chases(street):
    case = street.dispatched_case()
    for actor in (street.handler, street.leader, street.callback):
        with refused(PermissionDenied, case):
            services.case_chase(actor=actor, case=case, note="再次来电")
