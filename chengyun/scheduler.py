"""In-process periodic SLA sweep for the embedded default, where no Celery beat runs.

Production runs `cases.tasks.sla_sweep` from Celery beat on Redis instead; this thread only starts when
CHENGYUN_INPROCESS_SCHEDULER=1 (set by `make demo`).
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import close_old_connections

from cases.services import sla_sweep
from notifications.services import notification_deadline_sweep

logger = logging.getLogger(__name__)
_started = threading.Event()


def run_forever(stop: threading.Event, interval: float) -> None:
    while not stop.wait(interval):
        close_old_connections()
        try:
            counts = sla_sweep()
            reminders = notification_deadline_sweep()
            logger.info("SLA sweep: %s, deadline reminders: %s", counts, reminders)
        except Exception:  # the next round retries; a failed sweep must never kill the server
            logger.exception("SLA sweep failed")
        finally:
            close_old_connections()


def start_inprocess_scheduler() -> threading.Event | None:
    if _started.is_set():
        return None
    _started.set()
    stop = threading.Event()
    interval = settings.CELERY_BEAT_SCHEDULE["sla-sweep"]["schedule"]
    threading.Thread(target=run_forever, args=(stop, interval), name="sla-sweep", daemon=True).start()
    return stop
