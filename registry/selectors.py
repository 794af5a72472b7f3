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
from cases.policy import mask_name, mask_phone, visible_cases
from core.errors import NotFound
from org.models import User

from . import policy
from .addresses import parse_address
from .models import Capacity, CaseLink, ChangeRecord, Entity, Household, Membership, Person, Unit
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


def _audit_search(user: User, request: HttpRequest | None, *, what: str, term: str, found: int,
                  by_name: bool = False) -> None:
    if by_name:
        shown, purpose = mask_name(term), "按姓名查找"
    else:
        digits = re.sub(r"\D", "", term)
        shown = mask_phone(digits) if len(digits) <= 11 else policy.mask_id_number(term.upper())
        purpose = "按电话/证件号查找"
    audit_record(action=AuditEntry.Action.VIEW_PERSONAL_DATA, actor=user, request=request,
                 object_type=f"registry.{what}", object_id="search",
                 detail={"search": shown, "found": found, "purpose": purpose})


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
            # Names are personal data as on cases: a masked role finds a person by name only if its work needs
            # lookups (policy.IDENTIFIER_SEARCH_ROLES: 居委干部, 网格员), and that search is audited; 领导 and 管理员
            # search addresses only, so a name can't be confirmed by what the search finds.
            by_name = policy.sees_clear(user) or policy.may_search_identifiers(user)
            name_q = Q(name__contains=term) if by_name else Q(pk__in=[])
            if _ADDRESSY.search(term):
                key = parse_address(term).key
                homes = Membership.objects.filter(ended_at__isnull=True, household__address_key__contains=key)
                qs = qs.filter(name_q | Q(pk__in=homes.values("person_id")))
            elif by_name:
                qs = qs.filter(name_q)
            else:
                search.refused = "姓名对您的角色不可见,不能按姓名查找;可按路名、小区或标签查找"
                return qs.none()
            if by_name and not policy.sees_clear(user):
                _audit_search(user, request, what="person", term=term, found=qs.count(), by_name=True)
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
        "notes": masker.notes(person.notes),
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


def _hide_notes(changes: dict[str, Any], masker: RegistryMasker) -> dict[str, Any]:
    """A 备注 changed in the history is hidden from a masked reader like the 备注 itself."""
    if not masker.masked or "notes" not in changes:
        return changes
    before, after = (changes["notes"] + [None, None])[:2] if isinstance(changes["notes"], list) else (None, None)
    return {**changes, "notes": [masker.notes(before or ""), masker.notes(after or "")]}


def timeline(user: User, *, entity: str, object_id: int, masker: RegistryMasker,
             names: tuple[str, ...] = (), phones: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """The record's change history, oldest first, its values masked like the record. An anonymised person's
    earlier records (append-only, so their values stay in the table) show which fields changed, never the values."""
    rows = ChangeRecord.objects.filter(entity=entity, object_id=object_id).select_related("actor").order_by("at", "id")
    gone = entity == Entity.PERSON and Person.objects.filter(pk=object_id, anonymised_at__isnull=False).exists()
    if gone:
        return [{"at": r.at, "action": r.get_action_display(), "actor": str(r.actor), "source": r.source,
                 "changes": r.changes if r.action == ChangeRecord.Action.ANONYMISE else {k: ["***", "***"]
                                                                                        for k in r.changes},
                 "note": r.note if r.action == ChangeRecord.Action.ANONYMISE else ("***" if r.note else "")}
                for r in rows]
    return [{"at": r.at, "action": r.get_action_display(), "actor": str(r.actor), "source": r.source,
             "changes": masker.text(_hide_notes(_mask_dates(r.changes, masker), masker), names=names, phones=phones),
             "note": masker.text(r.note, names=names, phones=phones)} for r in rows]


def _mask_dates(changes: dict, masker: RegistryMasker) -> dict:
    """A birth date in a change record keeps only its year for a masked reader, as on the card (text masking does
    not know a date is personal)."""
    if not masker.masked or "birth_date" not in changes:
        return changes
    def year(value):
        return f"{str(value)[:4]}年" if value else value
    return {**changes, "birth_date": [year(v) for v in changes["birth_date"]]}


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


# --- rpages: what the registry pages, the API and the exports read --------------------------------------------------


def reader_masker(user: User, request: HttpRequest | None, *, entity: str, object_id: int, purpose: str = "",
                  force: bool = False) -> RegistryMasker:
    """The masker of one record's page (or API detail), with its audit entry (PIPL: purpose stated on every
    unmasked view): a stated `purpose` reveals it once (policy.REVEAL_ROLES); the roles that see it clear
    (policy.CLEAR_ROLES) are audited with the purpose 岗位职责 and their role; a masked view writes nothing."""
    masker = RegistryMasker(user, revealed=bool(purpose), force=force)
    if not masker.masked:
        audit_unmasked(user, request, entity=entity, object_id=object_id,
                       purpose=purpose or f"岗位职责({user.get_role_display()})",
                       detail={"revealed": True} if purpose else None)
    return masker


def audit_list_unmasked(user: User, request: HttpRequest | None, *, entity: str, ids: list[int],
                        what: str = "list") -> None:
    """A list page (or API list, or export) shown clear: one entry for the page, naming the rows."""
    if ids and policy.sees_clear(user):
        audit_record(action=AuditEntry.Action.VIEW_PERSONAL_DATA, actor=user, request=request,
                     object_type=f"registry.{entity}_{what}", object_id=f"{ids[0]}+{len(ids) - 1}",
                     detail={"purpose": f"岗位职责({user.get_role_display()})", "ids": ids[:500], "rows": len(ids)})


def person_row(person: Person, *, masker: RegistryMasker) -> dict[str, Any]:
    """A person as a list row (persons_prefetched gives the current household without a query per row)."""
    memberships = getattr(person, "open_memberships", None)
    home = memberships[0].household if memberships else None
    return {"id": person.pk, "name": masker.name(person.name),
            "gender": person.get_gender_display() if person.gender else "",
            "birth_date": masker.birth_date(person.birth_date), "phone": masker.phone(person.phone),
            "id_number": masker.id_number(person.id_number), "residence": person.get_residence_display(),
            "status": person.get_status_display(), "tags": [t.name for t in person.tags.all()],
            "neighbourhood": person.neighbourhood.name if person.neighbourhood_id else "",
            "address": masker.address(home.address) if home else "", "household_id": home.pk if home else None}


def person_households(user: User, person: Person, *, masker: RegistryMasker) -> list[dict[str, Any]]:
    """The person's households, the current one first, then the past ones newest first; linked if visible."""
    rows = Membership.objects.filter(person=person).select_related("household").order_by("-started_at")
    visible_ids = set(policy.visible(user, Household.objects.filter(
        pk__in=[m.household_id for m in rows])).values_list("pk", flat=True))
    out = [{"household_id": m.household_id if m.household_id in visible_ids else None,
            "address": masker.address(m.household.address), "relation": m.get_relation_display(),
            "started_at": m.started_at, "ended_at": m.ended_at, "current": m.ended_at is None} for m in rows]
    return sorted(out, key=lambda r: not r["current"])


def person_capacity_rows(person: Person) -> list[dict[str, Any]]:
    """The person's capacities as the person page lists them: the open ones first, newest first, then the ended ones
    in the order they ended (kept as history) — `person_capacities` with the ended ones, as rows."""
    rows = sorted(person_capacities(person, include_ended=True),
                  key=lambda c: (c.ended_at is not None, c.ended_at.timestamp() if c.ended_at else 0,
                                 -c.started_at.timestamp()))
    return [{"id": c.pk, "kind": c.label, "unit": c.unit.name if c.unit_id else "",
             "neighbourhood": str(c.neighbourhood) if c.neighbourhood_id else "", "started_at": c.started_at,
             "ended_at": c.ended_at, "note": c.note} for c in rows]


def person_units(user: User, person: Person) -> list[dict[str, Any]]:
    """The units this person runs or is a contact of (unit names are public), those in the user's scope."""
    units_ = policy.visible(user, Unit.objects.filter(Q(operator=person) | Q(contacts__person=person))).distinct()
    roles = {c.unit_id: c.role for c in person.unit_contacts.all()}
    return [{"id": u.pk, "name": u.name, "role": "经营者/负责人" if u.operator_id == person.pk else (roles.get(u.pk) or "联系人")}
            for u in units_]


def household_secrets(household: Household) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The names and phones of everyone who lived here: masked out of the household's notes and timeline."""
    people = Person.objects.filter(memberships__household=household).distinct()
    names = tuple(p.name for p in people)
    phones = tuple(x for p in people for x in (p.phone, p.phone_alt) if x)
    return names, phones


def household_card(user: User, household: Household, *, masker: RegistryMasker) -> dict[str, Any]:
    names, phones = household_secrets(household)
    return {
        "id": household.pk, "address": masker.address(household.address), "road": household.road,
        "estate": household.estate.name if household.estate_id else "",
        "neighbourhood": household.neighbourhood.name if household.neighbourhood_id else "",
        "grid": household.grid.name if household.grid_id else "",
        "housing": household.get_housing_display(), "housing_code": household.housing,
        "tenant_count": household.tenant_count, "rental_start": household.rental_start,
        "rental_end": household.rental_end, "crowded_rental": household.crowded_rental,
        "notes": masker.notes(household.notes), "version": household.version,
        "masked": masker.masked,
    }


def household_row(household: Household, *, masker: RegistryMasker, members: int | None = None) -> dict[str, Any]:
    return {"id": household.pk, "address": masker.address(household.address),
            "estate": household.estate.name if household.estate_id else "",
            "neighbourhood": household.neighbourhood.name if household.neighbourhood_id else "",
            "housing": household.get_housing_display(), "tenant_count": household.tenant_count,
            "crowded_rental": household.crowded_rental, "members": members}


def unit_card(user: User, unit: Unit, *, masker: RegistryMasker) -> dict[str, Any]:
    """A unit: its name, code, address and phone are a shop front's public facts; its operator and contacts are
    persons (masked like persons)."""
    operator = unit.operator
    secrets = [p for p in [operator, *[c.person for c in unit.contacts.all()]] if p is not None]
    names = tuple(p.name for p in secrets)
    phones = tuple(x for p in secrets for x in (p.phone, p.phone_alt) if x)
    return {
        "id": unit.pk, "name": unit.name, "credit_code": unit.credit_code, "kind": unit.get_kind_display(),
        "address": unit.address, "estate": unit.estate.name if unit.estate_id else "",
        "neighbourhood": unit.neighbourhood.name if unit.neighbourhood_id else "",
        "grid": unit.grid.name if unit.grid_id else "", "phone": unit.phone, "status": unit.get_status_display(),
        "operator": ({"id": operator.pk, "name": masker.name(operator.name), "phone": masker.phone(operator.phone)}
                     if operator else None),
        "contacts": [{"id": c.person_id, "name": masker.name(c.person.name), "phone": masker.phone(c.person.phone),
                      "role": c.role} for c in unit.contacts.all()],
        "notes": masker.notes(unit.notes), "version": unit.version,
        "masked": masker.masked, "secrets": (names, phones),
    }


def unit_row(unit: Unit, *, masker: RegistryMasker) -> dict[str, Any]:
    return {"id": unit.pk, "name": unit.name, "credit_code": unit.credit_code, "kind": unit.get_kind_display(),
            "address": unit.address, "neighbourhood": unit.neighbourhood.name if unit.neighbourhood_id else "",
            "operator": masker.name(unit.operator.name) if unit.operator_id else "", "phone": unit.phone,
            "status": unit.get_status_display()}


CHANGE_LABELS = {
    "name": "姓名", "gender": "性别", "birth_date": "出生日期", "id_type": "证件类型", "id_number": "证件号码",
    "phone": "电话", "phone_alt": "备用电话", "residence": "人员类型", "status": "状态", "notes": "备注",
    "tags": "标签", "household": "户", "relation": "与户主关系", "member": "成员", "address": "地址",
    "housing": "房屋状态", "tenant_count": "租住人数", "rental_start": "租赁起始", "rental_end": "租赁截止",
    "crowded_rental": "群租", "credit_code": "统一社会信用代码", "kind": "类型", "operator": "经营者/负责人",
    "contact": "联系人", "capacity": "身份", "case": "工单",
}


# A unit's own fields where the person's labels would mislead (a shop has a 名称, not a 姓名).
UNIT_CHANGE_LABELS = {**CHANGE_LABELS, "name": "名称", "phone": "单位电话", "status": "经营状态"}


def timeline_for_page(rows: list[dict[str, Any]], *, entity: str = "") -> list[dict[str, Any]]:
    """The timeline with its field names in Chinese and lists joined, as the pages show it."""
    labels = UNIT_CHANGE_LABELS if entity == Entity.UNIT else CHANGE_LABELS
    def shown(value: Any) -> Any:
        if isinstance(value, list):
            return "、".join(str(v) for v in value) or "(无)"
        if value is True:
            return "是"
        if value is False:
            return "否"
        return value

    return [{**r, "changes": {labels.get(k, k): [shown(v[0]), shown(v[1])] if isinstance(v, list) and len(v) == 2
                              else [None, shown(v)] for k, v in (r["changes"] or {}).items()}} for r in rows]

# --- capacities (rpeople) ------------------------------------------------------------------------------------------


def person_capacities(person: Person, *, at=None, include_ended: bool = False) -> list[Capacity]:
    """The capacities a person holds (open ones, or all with `include_ended`), each with its kind's label
    (`capacity.label`), its 居民区 and unit: what the resident's page and a programme's checks read."""
    from django.utils import timezone

    from .capacities import capacity_label

    qs = Capacity.objects.filter(person=person).select_related("neighbourhood", "unit").order_by("kind", "started_at")
    if not include_ended:
        moment = at or timezone.now()
        qs = qs.filter(started_at__lte=moment).filter(Q(ended_at__isnull=True) | Q(ended_at__gt=moment))
    rows = list(qs)
    for capacity in rows:
        capacity.label = capacity_label(capacity.kind)
    return rows


def has_capacity(person: Person | None, kind: str, neighbourhood=None, *, unit=None, at=None) -> bool:
    """Does the person hold `kind` now (in this 居民区 / for this unit when given)? A capacity without a 居民区 is
    street-wide and counts for every 居民区. How a programme checks, e.g. 时间银行: has_capacity(p, "volunteer")."""
    if person is None or person.pk is None:
        return False
    from django.utils import timezone

    moment = at or timezone.now()
    qs = Capacity.objects.filter(person=person, kind=kind, started_at__lte=moment).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=moment))
    if neighbourhood is not None:
        nb_id = getattr(neighbourhood, "pk", neighbourhood)
        qs = qs.filter(Q(neighbourhood_id=nb_id) | Q(neighbourhood__isnull=True))
    if unit is not None:
        qs = qs.filter(unit_id=getattr(unit, "pk", unit))
    return qs.exists()
