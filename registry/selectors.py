"""Reads of the registry: every function takes the acting user first, applies scope (registry.policy.visible) and
masking (RegistryMasker), and writes the audit entry of an unmasked view or an identifier search.

Views, the API and exports read through here, so the same person looks the same everywhere a role reads it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest

from audit.models import AuditEntry
from audit.services import audit_record
from cases.policy import mask_phone, visible_cases
from core.errors import NotFound
from org.models import User

from . import policy
from .addresses import parse_address
from .models import CaseLink, ChangeRecord, Entity, Household, Membership, Person, Unit
from .policy import RegistryMasker

_DIGIT = re.compile(r"\d")
_ADDRESSY = re.compile(r"[路街道弄衖巷村苑坊里园庭寓厦号室]")


@dataclass
class Search:
    """What a list search matched on, so the page can say it (and the audit entry can name it)."""

    term: str = ""
    identifiers: bool = False  # the term was looked up in phones / ID numbers (audited)
    refused: str = ""  # why a digit search found nothing for this role
    extra: dict[str, Any] = field(default_factory=dict)


def _audit_search(user: User, request: HttpRequest | None, *, what: str, term: str, found: int) -> None:
    digits = re.sub(r"\D", "", term)
    shown = mask_phone(digits) if len(digits) <= 11 else policy.mask_id_number(term.upper())
    audit_record(action=AuditEntry.Action.VIEW_PERSONAL_DATA, actor=user, request=request,
                 object_type=f"registry.{what}", object_id="search",
                 detail={"search": shown, "found": found, "purpose": "按电话/证件号查找"})


def persons(user: User, *, q: str = "", neighbourhood: int | None = None, tag: str = "", residence: str = "",
            status: str = "", request: HttpRequest | None = None, search: Search | None = None) -> QuerySet[Person]:
    """The persons this user may see, filtered. A term with digits is a phone or ID number: looked up only for
    roles that need it (audited, one entry per search); for the others it finds nothing, since those digits are what
    masking hides. A term without digits matches names (masked roles see them masked but may search them: a name
    alone does not identify) and household addresses."""
    qs = policy.visible(user, Person.objects.all())
    if neighbourhood:
        qs = qs.filter(neighbourhood_id=neighbourhood)
    if tag:
        qs = qs.filter(tags__name=tag)
    if residence:
        qs = qs.filter(residence=residence)
    if status:
        qs = qs.filter(status=status)
    term = (q or "").strip()
    search = search if search is not None else Search()
    search.term = term
    if term:
        if _DIGIT.search(term):
            compact = re.sub(r"[\s\-]", "", term).upper()
            if policy.may_search_identifiers(user) and len(compact) >= 7 and compact.isalnum():
                search.identifiers = True
                qs = qs.filter(Q(phone=compact) | Q(phone_alt=compact) | Q(id_number=compact)
                               | Q(phone__endswith=compact) if len(compact) >= 8 else
                               Q(phone=compact) | Q(phone_alt=compact) | Q(id_number=compact))
                _audit_search(user, request, what="person", term=compact, found=qs.count())
            else:
                search.refused = ("按电话或证件号查找须输入完整号码" if policy.may_search_identifiers(user)
                                  else "您的角色不能按电话、证件号或门牌号查找人员")
                return qs.none()
        else:
            # A name, or a road/小区 (their households' members): the address as a subquery, not a join, so
            # no DISTINCT and the name alone when the term has nothing of an address (bench/registry.py).
            if _ADDRESSY.search(term):
                key = parse_address(term).key
                homes = Membership.objects.filter(ended_at__isnull=True, household__address_key__contains=key)
                qs = qs.filter(Q(name__contains=term) | Q(pk__in=homes.values("person_id")))
            else:
                qs = qs.filter(name__contains=term)
    return qs.order_by("name", "id")


def households(user: User, *, q: str = "", neighbourhood: int | None = None, housing: str = "",
               crowded: bool = False, search: Search | None = None) -> QuerySet[Household]:
    qs = policy.visible(user, Household.objects.select_related("estate", "neighbourhood", "grid"))
    if neighbourhood:
        qs = qs.filter(neighbourhood_id=neighbourhood)
    if housing:
        qs = qs.filter(housing=housing)
    if crowded:
        qs = qs.filter(crowded_rental=True)
    term = (q or "").strip()
    if term:
        if _DIGIT.search(term) and not policy.sees_clear(user):
            # House numbers and rooms are masked for this role: searching them would reveal them.
            road = parse_address(term).road or _DIGIT.split(term, maxsplit=1)[0]
            if search is not None:
                search.refused = "门牌号对您的角色不可见,已只按路名/小区查找"
            term = road
        if term:
            key = parse_address(term).key
            qs = qs.filter(Q(address_key__contains=key) | Q(estate__name__contains=term))
    return qs.order_by("address_key")


def units(user: User, *, q: str = "", neighbourhood: int | None = None, kind: str = "", status: str = "") -> QuerySet[Unit]:
    qs = policy.visible(user, Unit.objects.select_related("neighbourhood", "operator"))
    if neighbourhood:
        qs = qs.filter(neighbourhood_id=neighbourhood)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    term = (q or "").strip()
    if term:
        # Names, credit codes and a unit's road are public facts of a shop front; the operator's data is not searched.
        qs = qs.filter(Q(name__contains=term) | Q(credit_code=term.upper()) | Q(address__contains=term))
    return qs.order_by("name", "id")


def get_person(user: User, pk: int) -> Person:
    """The person, or 404 if unknown or outside the user's area (existence is not revealed)."""
    person = policy.visible(user, Person.objects.filter(pk=pk)).prefetch_related("tags").first()
    if person is None:
        raise NotFound("人员不存在或不在您的职责范围内")
    return person


def get_household(user: User, pk: int) -> Household:
    household = policy.visible(user, Household.objects.filter(pk=pk)).select_related(
        "estate", "neighbourhood", "grid").first()
    if household is None:
        raise NotFound("该户不存在或不在您的职责范围内")
    return household


def get_unit(user: User, pk: int) -> Unit:
    unit = policy.visible(user, Unit.objects.filter(pk=pk)).select_related("neighbourhood", "grid", "operator").first()
    if unit is None:
        raise NotFound("单位不存在或不在您的职责范围内")
    return unit


def audit_unmasked(user: User, request: HttpRequest | None, *, entity: str, object_id: int, purpose: str,
                   detail: dict | None = None) -> None:
    """One 查看个人信息 entry per unmasked view of one registry record, with its purpose."""
    audit_record(action=AuditEntry.Action.VIEW_PERSONAL_DATA, actor=user, request=request,
                 object_type=f"registry.{entity}", object_id=object_id,
                 detail={"purpose": purpose, **(detail or {})})


def person_card(user: User, person: Person, *, masker: RegistryMasker) -> dict[str, Any]:
    """A person as this reader may read it."""
    names, phones = (person.name,), tuple(p for p in (person.phone, person.phone_alt) if p)
    return {
        "id": person.pk,
        "name": masker.name(person.name),
        "gender": person.get_gender_display() if person.gender else "",
        "birth_date": masker.birth_date(person.birth_date),
        "id_type": person.get_id_type_display(),
        "id_number": masker.id_number(person.id_number),
        "phone": masker.phone(person.phone),
        "phone_alt": masker.phone(person.phone_alt),
        "residence": person.get_residence_display(),
        "status": person.get_status_display(),
        "tags": [t.name for t in person.tags.all()],
        "notes": masker.text(person.notes, names=names, phones=phones),
        "neighbourhood": str(person.neighbourhood) if person.neighbourhood_id else "",
        "version": person.version,
        "masked": masker.masked,
    }


def household_members(user: User, household: Household, *, masker: RegistryMasker,
                      include_past: bool = False) -> list[dict[str, Any]]:
    qs = Membership.objects.filter(household=household).select_related("person").order_by("ended_at", "started_at")
    if not include_past:
        qs = qs.filter(ended_at__isnull=True)
    return [{"person_id": m.person_id, "name": masker.name(m.person.name), "relation": m.get_relation_display(),
             "started_at": m.started_at, "ended_at": m.ended_at} for m in qs]


def current_household(person: Person) -> Household | None:
    membership = (Membership.objects.filter(person=person, ended_at__isnull=True).select_related("household").first())
    return membership.household if membership else None


def timeline(user: User, *, entity: str, object_id: int, masker: RegistryMasker,
             names: tuple[str, ...] = (), phones: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """The record's change history, oldest first, its values masked like the record."""
    rows = ChangeRecord.objects.filter(entity=entity, object_id=object_id).select_related("actor").order_by("at", "id")
    return [{"at": r.at, "action": r.get_action_display(), "actor": str(r.actor), "source": r.source,
             "changes": masker.text(r.changes, names=names, phones=phones),
             "note": masker.text(r.note, names=names, phones=phones)} for r in rows]


def person_cases(user: User, person: Person) -> QuerySet:
    """Cases linked to this person that the user may see (cases' own scope), newest first."""
    linked = CaseLink.objects.filter(person=person, decision=CaseLink.Decision.LINKED).values("case_id")
    return visible_cases(user).filter(pk__in=linked).order_by("-registered_at")


def household_cases(user: User, household: Household) -> QuerySet:
    linked = CaseLink.objects.filter(household=household, decision=CaseLink.Decision.LINKED).values("case_id")
    return visible_cases(user).filter(pk__in=linked).order_by("-registered_at")


def persons_prefetched(qs: QuerySet[Person]) -> QuerySet[Person]:
    open_memberships = Membership.objects.filter(ended_at__isnull=True).select_related("household")
    return qs.select_related("neighbourhood").prefetch_related(
        "tags", Prefetch("memberships", queryset=open_memberships, to_attr="open_memberships"))


ENTITY_OF = {Person: Entity.PERSON, Household: Entity.HOUSEHOLD, Unit: Entity.UNIT}
