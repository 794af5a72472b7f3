"""Smart dispatch's part of the case event contract: each 派单 records its outcome against the suggestion, and each
受理 may be auto-dispatched (when DISPATCH_AUTO_CONFIDENCE is set), whether registered alone or by a 12345 import."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction

from cases.models import CaseEvent
from core.background import run_in_background
from org.models import Role

logger = logging.getLogger(__name__)


def on_case_events(sender, *, events: list[CaseEvent], **kwargs) -> None:
    # services and tasks load scikit-learn (seconds): imported only when there is work, so an import run from the
    # shell with auto-dispatch off never pays for them.
    for event in events:
        if event.action == "dispatch":
            from . import services

            try:
                with transaction.atomic():
                    services.dispatch_outcome_record(event=event, automatic=event.actor.role == Role.SYSTEM)
            except Exception:  # a statistic: never worth failing the listeners after it
                logger.exception("recording the dispatch outcome of case %s failed", event.case_id)
    if settings.DISPATCH_AUTO_CONFIDENCE is None:
        return
    registered = [event for event in events if event.action == "register"]
    if not registered:
        return
    from . import services, tasks

    if len(registered) == 1:
        # One 受理 (a form, the API, a sensor, a public report): at once, as the person who registered it waits.
        services.case_auto_dispatch(case=registered[0].case)
    else:
        # An import batch: thousands of suggestions and 派单 would hold up the import, so a background job does them.
        case_ids = [event.case_id for event in registered]
        if not run_in_background(tasks.auto_dispatch_cases, case_ids):
            logger.warning("auto-dispatch of %d imported cases (%s … %s) not started: they wait for a dispatcher",
                           len(case_ids), case_ids[0], case_ids[-1])
