"""What 民情 hears of case progress: a need's case 办结, 回访, 结案 and 重办 flow back to the need (and so onto the
household's timeline). Registered in settings.CASE_EVENT_LISTENERS; runs after the case's transaction commits."""

from __future__ import annotations

import logging

from cases.models import Case
from org.models import User

from .models import Need
from .services.needs import need_case_progress

logger = logging.getLogger(__name__)
FLOW_BACK = frozenset({"finish", "callback", "close", "reopen"})


def on_case_events(sender, *, events, case_ids, **kwargs) -> None:
    """Cheap on a 12345 import's thousands of events: filtered by action first, needs and cases read in bulk."""
    relevant = [e for e in events if e.action in FLOW_BACK]
    if not relevant:
        return
    needs = {n.case_id: n for n in Need.objects.filter(case_id__in={e.case_id for e in relevant})}
    if not needs:
        return
    cases = Case.objects.in_bulk(list(needs))
    actors = User.objects.in_bulk({e.actor_id for e in relevant if e.case_id in needs})
    for event in relevant:
        need = needs.get(event.case_id)
        if need is None:
            continue
        try:
            need_case_progress(need=need, action=event.action, actor=actors[event.actor_id], note=event.note or "",
                               payload=event.payload or {}, case=cases[event.case_id])
        except Exception:  # one need's failure must not starve the others (the case change is committed)
            logger.exception("need %s: case event %s not applied", need.pk, event.pk)
