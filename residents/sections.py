"""The resident's page is a list of sections, each from a callable named in settings.RESIDENT_PAGE_SECTIONS —
the same plug-in shape as CASE_EVENT_LISTENERS. A later programme (时间银行: 我的时长和积分; 十户联防: 我的小组)
adds its section by appending its dotted path there, without editing `residents`.

A section callable takes (request, person) and returns a `Section` (its title, template and context) or None to
show nothing (e.g. a volunteer section for a person who is no volunteer). `person` is the signed-in resident's
own Person: a section shows only what belongs to that person.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.module_loading import import_string

from cases.models import Case
from cases.policy import mask_name, mask_public_text
from registry.models import CaseLink, Membership, Person
from registry.policy import mask_id_number
from registry.selectors import person_capacities

logger = logging.getLogger("chengyun.residents")


@dataclass
class Section:
    key: str  # the section's id on the page (id="me-<key>")
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)


def page_sections(request: HttpRequest, person: Person) -> list[Section]:
    """The configured sections in order. A section that fails is left out and logged, so one programme's bug
    does not take the resident's whole page down."""
    sections = []
    for path in getattr(settings, "RESIDENT_PAGE_SECTIONS", []):
        try:
            section = import_string(path)(request, person)
        except Exception:  # noqa: BLE001 - a plug-in's failure must not break the page
            logger.exception("resident page section %s failed", path)
            continue
        if section is not None:
            sections.append(section)
    return sections


# --- the sections `residents` itself provides ------------------------------------------------------------------


def household(request: HttpRequest, person: Person) -> Section:
    """我的家庭: the resident's own record clear (it is theirs; the ID number keeps its ends, against a look over
    the shoulder), their current household and its members — other members by masked name and relation only,
    since a household may be a rented flat shared with strangers."""
    membership = (Membership.objects.filter(person=person, ended_at__isnull=True)
                  .select_related("household__estate", "household__neighbourhood").first())
    members = []
    if membership is not None:
        rows = (Membership.objects.filter(household=membership.household, ended_at__isnull=True)
                .select_related("person").order_by("started_at", "pk"))
        members = [{"name": m.person.name if m.person_id == person.pk else mask_name(m.person.name),
                    "relation": m.get_relation_display(), "me": m.person_id == person.pk} for m in rows]
    me = {
        "name": person.name, "gender": person.get_gender_display() if person.gender else "",
        "birth_date": person.birth_date, "id_type": person.get_id_type_display(),
        "id_number": mask_id_number(person.id_number), "phone": person.phone, "phone_alt": person.phone_alt,
        "residence": person.get_residence_display(),
    }  # no tags: 独居老人, 低保, 重点关注 are the staff's working labels about a person, not shown to that person
    return Section("household", "我的家庭", "residents/_household.html",
                   {"me": me, "membership": membership, "household": membership.household if membership else None,
                    "members": members})


def capacities(request: HttpRequest, person: Person) -> Section | None:
    """我的身份: the capacities the person holds (志愿者, 楼组长, 商户负责人 …)."""
    rows = person_capacities(person)
    if not rows:
        return None
    return Section("capacities", "我的身份", "residents/_capacities.html", {"capacities": rows})


PUBLIC_LIMIT = 30


def my_cases(person: Person):
    """Cases linked to the person (registry CaseLink, decision linked) and cases reported with one of the person's
    phones that are not linked to somebody else. Newest first."""
    linked = CaseLink.objects.filter(person=person, decision=CaseLink.Decision.LINKED).values("case_id")
    others = CaseLink.objects.filter(decision=CaseLink.Decision.LINKED).exclude(person=person).values("case_id")
    phones = [p for p in (person.phone, person.phone_alt) if p]
    by_phone = Case.objects.filter(citizen_phone__in=phones).exclude(pk__in=others) if phones else Case.objects.none()
    return (Case.objects.filter(pk__in=linked) | by_phone).distinct().select_related("category", "lead_department")\
        .order_by("-registered_at")


def cases(request: HttpRequest, person: Person) -> Section:
    """我的工单: state, handling unit and the handling result as the public status page shows them (masked as a
    public text: the handler's words may name neighbours)."""
    rows = [{"number": c.number, "state": c.state, "state_label": c.get_state_display(),
             "category": str(c.category or ""), "registered_at": c.registered_at,
             "department": str(c.lead_department or ""),
             "result": mask_public_text(c.handling_result, citizen_name=c.citizen_name)}
            for c in my_cases(person)[:PUBLIC_LIMIT]]
    return Section("cases", "我的工单", "residents/_cases.html", {"cases": rows, "limit": PUBLIC_LIMIT})
