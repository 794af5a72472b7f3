"""The one event contract: what other apps hear of case progress.

Every writer of CaseEvent rows (the single write path `engine.perform`, 受理 in `registration.case_register`, the bulk
insert of 12345 imports in `bulk.cases_insert`) calls `case_events_send_on_commit` with the events it recorded.
After the transaction commits, `case_events_recorded` is sent once with

- `events`: the CaseEvent rows, saved (with their id), in the order they were written. Events of the single path
  carry their case and actor loaded; bulk-inserted ones carry only `case_id` and `actor_id`;
- `case_ids`: the distinct case ids of those events, in the same order.

A rolled-back transaction sends nothing. The listeners are declared in one place, the setting
`CASE_EVENT_LISTENERS` (dotted paths), and connected by CasesConfig.ready; each runs in autocommit after the commit,
so whatever it writes is its own transaction, and a failing listener is logged without stopping the others or
undoing the case change. A listener handed thousands of events (an import batch) must stay cheap: filter by
action first and query in bulk, or hand the work to a background job.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING

from django.db import transaction
from django.dispatch import Signal

if TYPE_CHECKING:
    from .models import CaseEvent

logger = logging.getLogger(__name__)

case_events_recorded = Signal()


def case_events_send_on_commit(events: Sequence[CaseEvent], *, using: str | None = None) -> None:
    """Send `case_events_recorded` with these events once the current transaction commits (at once outside one)."""
    if events:
        transaction.on_commit(partial(_send, list(events)), using=using)


def _send(events: list[CaseEvent]) -> None:
    from .models import CaseEvent

    case_ids = list(dict.fromkeys(event.case_id for event in events))
    for receiver, result in case_events_recorded.send_robust(sender=CaseEvent, events=events, case_ids=case_ids):
        if isinstance(result, Exception):
            # The case change is committed: a listener's failure must neither undo it nor starve the others.
            logger.error("case event listener %s failed on %d events", getattr(receiver, "__qualname__", receiver),
                         len(events), exc_info=result)


def connect_listeners() -> None:
    """Connect every listener named in settings.CASE_EVENT_LISTENERS (called once, by CasesConfig.ready)."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    for path in settings.CASE_EVENT_LISTENERS:
        case_events_recorded.connect(import_string(path), dispatch_uid=path, weak=False)
