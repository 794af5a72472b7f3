"""Reads of needs (需求/诉求): the list with its filters, one need with its timeline, the rows of an export — scope and
masking applied here, once (minqing/policy.py), so no page or endpoint can forget them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from core.errors import NotFound
from org.models import User
from registry.models import Membership
from registry.policy import RegistryMasker

from .. import policy
from ..models import Need, NeedEvent

NOT_FOUND = "需求不存在或不在您的职责范围内"
EVENT_LABELS = {
    "create": "登记", "open_case": "转工单", "case_handled": "工单办结", "case_callback": "工单回访",
    "case_closed": "工单结案", "case_reopened": "工单重办", "resolve": "已解决", "unresolved": "未能解决",
    "close": "关闭",
}


@dataclass
class NeedFilters:
    category: int | None = None
    status: str = ""
    urgency: str = ""
    neighbourhood: int | None = None
    source: str = ""
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""
    refused: str = ""  # why a part of the filter was not applied (a masked role's text search)


def needs(user: User, filters: NeedFilters | None = None) -> QuerySet[Need]:
    """The needs this user may see, filtered. The text search reads the need's free text, which may hold names and
    phones: only the roles that read needs clear may search it (else a search would reveal what the mask hides)."""
    f = filters or NeedFilters()
    qs = policy.visible(user, Need.objects.select_related(
        "category", "household", "unit", "person", "neighbourhood", "case", "created_by"))
    if f.category:
        qs = qs.filter(category_id=f.category)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.urgency:
        qs = qs.filter(urgency=f.urgency)
    if f.neighbourhood:
        qs = qs.filter(neighbourhood_id=f.neighbourhood)
    if f.source:
        qs = qs.filter(source=f.source)
    if f.date_from:
        qs = qs.filter(raised_on__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(raised_on__lte=f.date_to)
    term = (f.q or "").strip()
    if term:
        if policy.sees_clear(user):
            qs = qs.filter(Q(text__contains=term) | Q(category__name__contains=term))
        else:
            f.refused = "需求内容可能含个人信息,您的角色只能按类别、状态等筛选"
    return qs.order_by("-raised_on", "-id")


def get_need(user: User, pk: int) -> Need:
    found = needs(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(NOT_FOUND)
    return found


def household_secrets(household_ids) -> tuple[dict[int, set[str]], dict[int, set[str]]]:
    """Per household: the names and the phones of everyone who lived there (masked out of free texts), one query."""
    names: dict[int, set[str]] = defaultdict(set)
    phones: dict[int, set[str]] = defaultdict(set)
    for household_id, name, phone, alt in Membership.objects.filter(household_id__in=set(household_ids)).values_list(
            "household_id", "person__name", "person__phone", "person__phone_alt"):
        names[household_id].add(name)
        phones[household_id].update(p for p in (phone, alt) if p)
    return names, phones


def secrets_for(needs_: list[Need]) -> dict[int, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Per household: the names and phones of everyone who lived there and of the person who raised the need."""
    names, phones = household_secrets(n.household_id for n in needs_ if n.household_id)
    for n in needs_:
        if n.person_id:
            names[n.household_id or 0].add(n.person.name)
    return {h: (tuple(names[h]), tuple(phones[h])) for h in set(names) | set(phones)}


def _place(need: Need, masker: RegistryMasker) -> str:
    if need.household_id:
        return masker.address(need.household.address)
    if need.unit_id:
        return need.unit.name + " " + need.unit.address  # a shop front's name and door are public facts
    return ""


def need_row(need: Need, *, masker: RegistryMasker, secrets: dict | None = None) -> dict[str, Any]:
    names, phones = (secrets or {}).get(need.household_id or 0, ((), ()))
    return {
        "id": need.pk, "raised_on": need.raised_on, "category": need.category.name,
        "urgency": need.get_urgency_display(), "urgency_code": need.urgency, "status": need.get_status_display(),
        "status_code": need.status, "source": need.get_source_display(),
        "text": masker.text(need.text, names=names, phones=phones), "place": _place(need, masker),
        "household_id": need.household_id, "unit_id": need.unit_id,
        "person": masker.name(need.person.name) if need.person_id else "",
        "neighbourhood": need.neighbourhood.name if need.neighbourhood_id else "",
        "case_id": need.case_id, "case_number": need.case.number if need.case_id else "",
        "case_state": need.case.get_state_display() if need.case_id else "",
        "outcome": masker.text(need.outcome, names=names, phones=phones),
        "created_by": need.created_by.display_name or need.created_by.username,
    }


def need_rows(user: User, qs, *, masker: RegistryMasker | None = None) -> list[dict[str, Any]]:
    masker = masker or policy.masker_for(user)
    items = list(qs)
    secrets = secrets_for(items) if masker.masked else {}
    return [need_row(n, masker=masker, secrets=secrets) for n in items]


def need_timeline(need: Need, *, masker: RegistryMasker) -> list[dict[str, Any]]:
    names, phones = secrets_for([need]).get(need.household_id or 0, ((), ())) if masker.masked else ((), ())
    return [{"at": e.at, "action": EVENT_LABELS.get(e.action, e.action), "code": e.action,
             "actor": e.actor.display_name or e.actor.username,
             "note": masker.text(e.note, names=names, phones=phones), "payload": e.payload}
            for e in NeedEvent.objects.filter(need=need).select_related("actor")]


def household_needs(user: User, household_id: int) -> QuerySet[Need]:
    return needs(user).filter(household_id=household_id)


def person_needs(user: User, person_id: int) -> QuerySet[Need]:
    return needs(user).filter(person_id=person_id)
