"""Run a Celery task in the background: on the worker in production, in a thread of this process when embedded.

The embedded default has no worker (eager Celery would run the task inside the request), so a daemon thread does
the work and the page polls the job's progress, exactly as it would with a worker.

With the broker (Redis) unreachable the task cannot be queued: run_in_background says so (False, and a warning in
the log) instead of raising, so the user's action, already committed, never turns into a server error; the caller
marks its job failed with a message saying it can be started again.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.db import close_old_connections

logger = logging.getLogger(__name__)
BROKER_DOWN_MESSAGE = "后台任务队列(Redis)暂时无法连接,任务未能开始;已保存的内容不受影响,请稍后重试"


def broker_errors() -> tuple[type[BaseException], ...]:
    """What publishing raises when the broker cannot be reached (kombu wraps redis-py's errors, mostly)."""
    from kombu.exceptions import OperationalError

    errors: list[type[BaseException]] = [OperationalError, ConnectionError, TimeoutError]
    try:
        import redis.exceptions

        errors.append(redis.exceptions.RedisError)
    except ImportError:  # pragma: no cover - redis is installed with celery[redis]
        pass
    return tuple(errors)


def run_in_background(task, *args) -> bool:
    """Start `task(*args)`; False if it could not be queued (broker down), logged as a warning."""
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        try:
            task.delay(*args)
        except broker_errors() as exc:
            logger.warning("could not queue %s%s, broker unavailable: %s", task.name, args, exc)
            return False
        return True

    def work():
        close_old_connections()
        try:
            task(*args)
        finally:
            close_old_connections()

    threading.Thread(target=work, name=f"{task.name}-{args}", daemon=True).start()
    return True


def is_stale(last_sign_of_life: datetime | None) -> bool:
    """A job RUNNING (or queued) with no progress for BACKGROUND_STALE_SECONDS has lost its worker."""
    from core import clock

    if last_sign_of_life is None:
        return True
    return clock.now() - last_sign_of_life > timedelta(seconds=settings.BACKGROUND_STALE_SECONDS)
