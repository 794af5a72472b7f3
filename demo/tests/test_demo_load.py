"""The demo street: accounts, every state present, consistent histories, idempotent and deterministic."""

import hashlib
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from cases.models import Case, CaseEvent, State
from demo.services import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_load
from org.models import Grid, Neighbourhood, Role

pytestmark = pytest.mark.django_db


NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        result = demo_load(seed=7, cases=400, now=NOW)
        digest = _digest()
    yield result, digest
    with django_db_blocker.unblock():
        call_command("flush", "--noinput")


def _digest() -> str:
    rows = Case.objects.order_by("number").values_list("number", "title", "state", "registered_at")
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()


def test_every_demo_account_logs_in_with_its_role_and_scope(loaded):
    for username, _, role, _scope in DEMO_ACCOUNTS:
        user = authenticate(RequestFactory().post("/login/"), username=username, password=DEMO_PASSWORD)
        assert user is not None and user.role == role, username
        if role == Role.HANDLER:
            assert user.department is not None
    assert authenticate(RequestFactory().post("/login/"), username="handler_cg", password=DEMO_PASSWORD).department.name == "静安寺城管中队"
    assert authenticate(RequestFactory().post("/login/"), username="grid", password=DEMO_PASSWORD).grid is not None


def test_the_street_is_realistic(loaded):
    assert Neighbourhood.objects.count() == 16 and Grid.objects.count() == 30


def test_every_state_has_cases_today(loaded):
    present = set(Case.objects.values_list("state", flat=True))
    assert present == set(State.values)


def test_every_history_is_a_consistent_chain(loaded):
    events = CaseEvent.objects.order_by("case_id", "at", "id").values_list("case_id", "action", "from_state", "to_state")
    by_case: dict[int, list] = {}
    for case_id, action, from_state, to_state in events:
        by_case.setdefault(case_id, []).append((action, from_state, to_state))
    states = dict(Case.objects.values_list("id", "state"))
    for case_id, chain in by_case.items():
        assert chain[0][0] == "register", case_id
        for previous, current in zip(chain, chain[1:], strict=False):
            assert current[1] == previous[2], (case_id, previous, current)
        assert chain[-1][2] == states[case_id]


def test_the_three_unsatisfied_cases_of_seed_000_are_there(loaded):
    for phrase in ["落水管", "合用的厨房", "窗户被改成了门"]:
        case = Case.objects.get(content__contains=phrase)
        callbacks = case.events.filter(action="callback")
        assert callbacks.first().payload["satisfaction"] == "unsatisfied"
        assert case.events.filter(action="reopen").exists()


def test_loading_again_changes_nothing(loaded):
    before = (Case.objects.count(), CaseEvent.objects.count())
    assert demo_load(seed=7, cases=400, now=NOW)["skipped"] is True
    assert (Case.objects.count(), CaseEvent.objects.count()) == before


def test_the_same_seed_gives_the_same_street(loaded):
    _, digest = loaded
    call_command("flush", "--noinput")
    demo_load(seed=7, cases=400, now=NOW)
    assert _digest() == digest
