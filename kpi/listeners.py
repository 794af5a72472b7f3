"""KPI's part of the case event contract: a month's kept aggregates are dropped when one of its cases changes."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from cases.models import Case, CaseEvent

from .models import MonthlySummary

_CHUNK = 500  # case ids per query: well under every database's parameter limit


def on_case_events(sender, *, events: list[CaseEvent], case_ids: list[int], **kwargs) -> None:
    """Drop the MonthlySummary of every month (by registration) the events' cases belong to: one DELETE."""
    tz = timezone.get_current_timezone()  # once, not per event: an import batch sends thousands
    registered_at, unknown = [], []
    for event in events:
        if CaseEvent.case.is_cached(event):
            registered_at.append(event.case.registered_at)
        elif event.action == "register":
            registered_at.append(event.at)  # a register event happens at its case's registration
        else:
            unknown.append(event.case_id)
    for start in range(0, len(unknown), _CHUNK):
        registered_at += Case.objects.filter(pk__in=unknown[start:start + _CHUNK]).values_list("registered_at", flat=True)
    months: set[date] = {moment.astimezone(tz).date().replace(day=1) for moment in registered_at}
    if months:
        MonthlySummary.objects.filter(month__in=months).delete()
