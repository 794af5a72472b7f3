"""Run a Celery task in the background: on the worker in production, in a thread of this process when embedded.

The embedded default has no worker (eager Celery would run the task inside the request), so a daemon thread does
the work and the page polls the job's progress, exactly as it would with a worker."""

from __future__ import annotations

import threading

from django.conf import settings
from django.db import close_old_connections


def run_in_background(task, *args) -> None:
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        task.delay(*args)
        return

    def work():
        close_old_connections()
        try:
            task(*args)
        finally:
            close_old_connections()

    threading.Thread(target=work, name=f"{task.name}-{args}", daemon=True).start()
