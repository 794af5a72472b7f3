"""The 社区底册's part of a citizen's PIPL request: the persons registered with the phone, their household
memberships, capacities, linked cases and change records (export), and their anonymisation (erase, through
registry.retention.person_anonymise)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from org.models import User
from registry.capacities import capacity_label
from registry.models import Capacity, CaseLink, ChangeRecord, Entity, Membership, Person
from registry.policy import RegistryMasker
from registry.retention import person_anonymise


def _iso(value) -> str | None:
    if value is None:
        return None
    return timezone.localtime(value).isoformat() if hasattr(value, "tzinfo") else value.isoformat()


def citizen_persons(phone: str) -> list[Person]:
    """Persons (not yet anonymised) whose phone or 备用电话 is this one; `phone` is already validated."""
    if not phone:
        return []
    return list(Person.objects.filter(Q(phone=phone) | Q(phone_alt=phone), anonymised_at__isnull=True)
                .select_related("neighbourhood").prefetch_related("tags").order_by("pk"))


def persons_masked(actor: User, persons: list[Person]) -> list[dict[str, Any]]:
    """How the desk lists them: masked as the registry masks for the administrator."""
    masker = RegistryMasker(actor)
    return [{"id": p.pk, "name": masker.name(p.name), "status": p.get_status_display(),
             "neighbourhood": str(p.neighbourhood or "")} for p in persons]


def person_export(person: Person) -> dict[str, Any]:
    """Everything the registry holds on one person, clear (it is the citizen's own copy)."""
    memberships = Membership.objects.filter(person=person).select_related("household").order_by("started_at")
    capacities = Capacity.objects.filter(person=person).select_related("neighbourhood", "unit").order_by("started_at")
    links = CaseLink.objects.filter(person=person).select_related("case").order_by("decided_at")
    changes = ChangeRecord.objects.filter(entity=Entity.PERSON, object_id=person.pk).order_by("at", "id")
    return {
        "id": person.pk, "name": person.name, "gender": person.get_gender_display() if person.gender else "",
        "birth_date": _iso(person.birth_date), "id_type": person.get_id_type_display(), "id_number": person.id_number,
        "phone": person.phone, "phone_alt": person.phone_alt, "residence": person.get_residence_display(),
        "status": person.get_status_display(), "tags": [t.name for t in person.tags.all()], "notes": person.notes,
        "neighbourhood": str(person.neighbourhood or ""), "created_at": _iso(person.created_at),
        "households": [{"address": m.household.address, "relation": m.get_relation_display(),
                        "started_at": _iso(m.started_at), "ended_at": _iso(m.ended_at),
                        "housing": m.household.get_housing_display()} for m in memberships],
        "capacities": [{"kind": capacity_label(c.kind), "neighbourhood": str(c.neighbourhood or ""),
                        "unit": c.unit.name if c.unit else "", "started_at": _iso(c.started_at),
                        "ended_at": _iso(c.ended_at)} for c in capacities],
        "cases": [{"number": link.case.number, "decision": link.get_decision_display(),
                   "decided_at": _iso(link.decided_at)} for link in links],
        "changes": [{"at": _iso(r.at), "action": r.get_action_display(), "changes": r.changes, "note": r.note,
                     "source": r.source} for r in changes],
    }


def persons_anonymise(*, actor: User, persons: list[Person], reason: str) -> list[int]:
    return [person_anonymise(actor=actor, person=p, basis="request", note=f"依本人申请删除个人信息:{reason}").pk
            for p in persons]
