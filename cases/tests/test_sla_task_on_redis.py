"""The SLA sweep as production runs it: a Celery worker consuming from the real Redis on 127.0.0.1:6379."""

from datetime import timedelta

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker

from cases.models import Case
from cases.tasks import sla_sweep
from chengyun.celery import app
from core import clock
from core.testing import service_listening

REDIS_URL = "redis://127.0.0.1:6379/14"




@pytest.fixture
def redis_celery():
    if not service_listening(6379):
        pytest.skip("Redis 未在 127.0.0.1:6379 运行:跳过真实 Celery worker 测试")
    # A separate app on the real broker, made current so the shared task resolves to it.
    redis_app = Celery("chengyun-redis-test", broker=REDIS_URL, backend=REDIS_URL, set_as_current=True)
    redis_app.conf.task_always_eager = False
    try:
        with start_worker(redis_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield redis_app
    finally:
        app.set_current()
        redis_app.close()


@pytest.mark.django_db(transaction=True)
def test_worker_on_redis_marks_overdue_cases(street, redis_celery):
    case = street.dispatched_case()
    Case.objects.filter(pk=case.pk).update(handle_deadline=clock.now() - timedelta(hours=1))
    result = sla_sweep.delay()
    assert result.backend.__class__.__name__ == "RedisBackend"
    counts = result.get(timeout=30)
    assert counts["overdue"] == 1
    case.refresh_from_db()
    assert case.is_overdue
    assert case.events.filter(action="mark_overdue", actor__username="system").count() == 1
