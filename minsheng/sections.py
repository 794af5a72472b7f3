"""民生回音 on the resident's phone page (settings.RESIDENT_PAGE_SECTIONS): what the 十大民生 projects that answer the
resident's household's needs have told it. The section has the shape of residents.sections.Section (key, title,
template, context) — residents sits above minsheng, so the shape is repeated here rather than imported."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.http import HttpRequest

from registry.models import Membership, Person

from .models import Echo

LIMIT = 20


@dataclass
class Section:
    key: str
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)


def my_echoes(person: Person):
    households = Membership.objects.filter(person=person, ended_at__isnull=True).values("household_id")
    return (Echo.objects.filter(Q(person=person) | Q(household_id__in=households))
            .select_related("project", "milestone").order_by("-sent_at", "-pk"))


def echoes(request: HttpRequest, person: Person) -> Section | None:
    """民生回音: one line per echo (the text the household was sent, its project and date); none, no section."""
    rows = [{"text": e.text, "sent_at": e.sent_at, "project": e.project.title, "year": e.project.year,
             "progress": e.project.progress, "status": e.project.get_status_display()}
            for e in my_echoes(person)[:LIMIT]]
    if not rows:
        return None
    return Section("echoes", "民生回音", "minsheng/_echoes.html", {"echoes": rows})
