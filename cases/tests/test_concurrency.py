"""Two people acting on the same case at the same moment, over real concurrent database connections."""

import threading

import pytest
from django.db import connection, connections

from cases import services
from cases.models import Case, CaseEvent, State
from chengyun.errors import Conflict, TransitionNotAllowed

pytestmark = pytest.mark.django_db(transaction=True)


def race(*calls):
    """Run the calls in threads released together; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(5)
            outcomes[index] = call()
        except Exception as exc:  # the loser's exception is the result under test
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("并发测试需要 PostgreSQL 的真实并发连接(SQLite 串行写入,由乐观锁测试覆盖)")


def test_two_dispatchers_dispatching_at_once_only_one_wins(street):
    case = street.new_case()
    outcomes = race(
        lambda: services.case_dispatch(actor=street.dispatcher, case=Case.objects.get(pk=case.pk),
                                       lead_department=street.department),
        lambda: services.case_dispatch(actor=street.dispatcher, case=Case.objects.get(pk=case.pk),
                                       lead_department=street.other_department),
    )
    winners = [o for o in outcomes if isinstance(o, Case)]
    losers = [o for o in outcomes if isinstance(o, (TransitionNotAllowed, Conflict))]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    case.refresh_from_db()
    assert case.state == State.DISPATCHED and case.version == 1
    assert CaseEvent.objects.filter(case=case, action="dispatch").count() == 1
    assert case.assignments.filter(active=True, role="lead").count() == 1


def test_sign_and_return_request_racing_leave_one_consistent_outcome(street):
    case = street.dispatched_case()
    outcomes = race(
        lambda: services.case_sign(actor=street.handler, case=Case.objects.get(pk=case.pk)),
        lambda: services.case_request_return(actor=street.handler, case=Case.objects.get(pk=case.pk),
                                             reason="不属于本单位"),
    )
    assert sum(isinstance(o, Exception) for o in outcomes) == 1, outcomes
    case.refresh_from_db()
    assert case.state in (State.SIGNED, State.RETURN_REQUESTED)
    assert CaseEvent.objects.filter(case=case, action__in=["sign", "request_return"]).count() == 1
    assert case.requests.count() == (1 if case.state == State.RETURN_REQUESTED else 0)


def test_ten_concurrent_registrations_get_ten_distinct_numbers(street):
    outcomes = race(*[lambda i=i: street.new_case(title=f"并发受理{i}") for i in range(10)])
    assert all(isinstance(o, Case) for o in outcomes), outcomes
    assert len({o.number for o in outcomes}) == 10


def test_a_retried_create_with_the_same_idempotency_key_racing_itself_makes_one_case(street):
    outcomes = race(*[lambda: street.new_case(idempotency_key="client-retry-1") for _ in range(4)])
    assert all(isinstance(o, Case) for o in outcomes), outcomes
    assert len({o.pk for o in outcomes}) == 1 and Case.objects.count() == 1
