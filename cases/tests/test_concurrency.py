"""Two people acting on the same case at the same moment, over real concurrent database connections.

Each call runs in its own thread with its own connection, released together by a barrier. On PostgreSQL the row
lock in `_perform` serialises them: the second sees the first's result and is refused. SQLite's shared in-memory
test database answers concurrent writers with 'database table is locked', so these tests need PostgreSQL
(test_optimistic_version.py covers the version check that protects SQLite).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from cases import services
from cases.models import Case, CaseEvent, Request, State
from core import clock
from core.errors import Conflict, TransitionNotAllowed

from .helpers import at, case_in_state

pytestmark = pytest.mark.django_db(transaction=True)

LOSING = (TransitionNotAllowed, Conflict)


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("并发测试需要 PostgreSQL:SQLite 共享内存测试库对并发写入报 'database table is locked'")


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released together; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(10)
            outcomes[index] = call()
        except Exception as exc:  # the loser's exception is the result under test
            outcomes[index] = exc
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads), "a racing call hung"
    return outcomes


def one_wins(outcomes: list[Any]) -> None:
    losers = [o for o in outcomes if isinstance(o, Exception)]
    assert len(losers) == len(outcomes) - 1 and all(isinstance(o, LOSING) for o in losers), outcomes


def fresh(case: Case) -> Callable[[], Case]:
    # Every thread loads its own copy, as two browser sessions would.
    return lambda: Case.objects.get(pk=case.pk)


def test_two_handlers_signing_at_once_sign_once(street):
    case = street.dispatched_case()
    outcomes = race(
        lambda: services.case_sign(actor=street.handler, case=fresh(case)()),
        lambda: services.case_sign(actor=street.handler, case=fresh(case)()),
    )
    one_wins(outcomes)
    assert isinstance(next(o for o in outcomes if isinstance(o, Exception)), TransitionNotAllowed)
    case.refresh_from_db()
    assert case.state == State.SIGNED and case.version == 2
    assert CaseEvent.objects.filter(case=case, action="sign").count() == 1


def test_two_dispatchers_dispatching_at_once_only_one_wins(street):
    case = street.new_case()
    outcomes = race(
        lambda: services.case_dispatch(actor=street.dispatcher, case=fresh(case)(), lead_department=street.department),
        lambda: services.case_dispatch(actor=street.admin, case=fresh(case)(), lead_department=street.other_department),
    )
    one_wins(outcomes)
    winner = next(o for o in outcomes if isinstance(o, Case))
    case.refresh_from_db()
    assert case.state == State.DISPATCHED and case.version == 1
    assert case.lead_department == winner.lead_department
    assert CaseEvent.objects.filter(case=case, action="dispatch").count() == 1
    assert list(case.assignments.filter(active=True).values_list("department", flat=True)) == [
        winner.lead_department_id]


def test_sign_and_return_request_racing_leave_one_consistent_outcome(street):
    case = street.dispatched_case()
    outcomes = race(
        lambda: services.case_sign(actor=street.handler, case=fresh(case)()),
        lambda: services.case_request_return(actor=street.handler, case=fresh(case)(), reason="不属于本单位"),
    )
    one_wins(outcomes)
    case.refresh_from_db()
    assert case.state in (State.SIGNED, State.RETURN_REQUESTED)
    assert CaseEvent.objects.filter(case=case, action__in=["sign", "request_return"]).count() == 1
    assert case.requests.count() == (1 if case.state == State.RETURN_REQUESTED else 0)


def test_approve_and_reject_of_the_same_return_decide_it_once(street):
    case = case_in_state(street, State.RETURN_REQUESTED)
    outcomes = race(
        lambda: services.case_approve_return(actor=street.dispatcher, case=fresh(case)(), reason="同意"),
        lambda: services.case_reject_return(actor=street.admin, case=fresh(case)(), reason="驳回"),
    )
    one_wins(outcomes)
    case.refresh_from_db()
    request = Request.objects.get(case=case)
    assert (case.state, request.status) in {(State.REGISTERED, "approved"), (State.DISPATCHED, "rejected")}
    assert CaseEvent.objects.filter(case=case, action__in=["approve_return", "reject_return"]).count() == 1


def test_two_extension_requests_at_once_leave_one_pending(street):
    case = case_in_state(street, State.HANDLING)
    outcomes = race(*[
        lambda d=d: services.case_request_extension(actor=street.handler, case=fresh(case)(), reason="需协调",
                                                    extra_days=d)
        for d in (2, 5)
    ])
    one_wins(outcomes)
    assert Request.objects.filter(case=case, kind="extension", status="pending").count() == 1
    assert CaseEvent.objects.filter(case=case, action="request_extension").count() == 1


def test_two_sla_sweeps_at_once_urge_an_unsigned_case_once(street):
    with clock.frozen_at(at(2026, 11, 2, 9, 0)):
        case = street.dispatched_case()
    outcomes = race(*[lambda: services.sla_sweep(now=at(2026, 11, 20, 9, 0)) for _ in range(3)])
    assert all(isinstance(o, dict) for o in outcomes), outcomes
    assert sum(o["escalated"] for o in outcomes) == 1 and sum(o["overdue"] for o in outcomes) == 1
    case.refresh_from_db()
    assert (case.urge_count, case.is_overdue) == (1, True)
    assert CaseEvent.objects.filter(case=case, action="urge").count() == 1
    assert CaseEvent.objects.filter(case=case, action="mark_overdue").count() == 1


def test_ten_concurrent_registrations_get_ten_distinct_numbers(street):
    outcomes = race(*[lambda i=i: street.new_case(title=f"并发受理{i}") for i in range(10)])
    assert all(isinstance(o, Case) for o in outcomes), outcomes
    assert len({o.number for o in outcomes}) == 10
    assert CaseEvent.objects.filter(action="register").count() == 10


def test_a_retried_create_with_the_same_idempotency_key_racing_itself_makes_one_case(street):
    outcomes = race(*[lambda: street.new_case(idempotency_key="client-retry-1") for _ in range(4)])
    assert all(isinstance(o, Case) for o in outcomes), outcomes
    assert len({o.pk for o in outcomes}) == 1 and Case.objects.count() == 1
    assert CaseEvent.objects.filter(action="register").count() == 1
