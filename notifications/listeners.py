"""Notifications' part of the case event contract: the events that tell someone become notices."""

from __future__ import annotations

from cases.models import CaseEvent

from .services import KIND_OF_ACTION, notification_create_for_events


def on_case_events(sender, *, events: list[CaseEvent], **kwargs) -> None:
    # Filtered by action first: an import batch sends thousands of 受理 events, none of which tells anyone.
    telling = [event for event in events if event.action in KIND_OF_ACTION]
    if telling:
        notification_create_for_events(events=telling)
