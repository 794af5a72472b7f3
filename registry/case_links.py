"""Which registry person a case's 诉求人 may be: ranked suggestions by phone, name + address and name alone.

A person (受理员/派单员/回访员, policy.CLEAR_ROLES) confirms or rejects a suggestion with
`services.case_link_decide`; a rejected pair (CaseLink decision=rejected) is never suggested again.

- phone: the case's phone equals a person's phone or 备用电话 (digits only) — strong (0.9, 1.0 with the same name);
- name + address: the same name and the person's current household at the case's address down to the room
  (address_key, 0.85), or on the same road and lane (0.7);
- name alone: the same name in the case's 居民区 (or anywhere when the case has none) — weak (0.3).

`case_link_suggestions(case)` reads one case with a few queries (the case page); `case_link_suggestions_all(cases)`
indexes the registry once in memory and walks many cases (the demo loader, a nightly job).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import Q

from cases.models import Case

from .addresses import parse_address
from .models import CaseLink, Membership, Person

STRONG = 0.8  # a suggestion at or above this is worth a person's decision on sight
WEAK_NAME_LIMIT = 5  # more persons than this of one name: the name alone says nothing


@dataclass
class Suggestion:
    person: Person
    score: float
    reasons: list[str] = field(default_factory=list)
    household_key: str = ""

    @property
    def strong(self) -> bool:
        return self.score >= STRONG


def _digits(phone: str) -> str:
    return re.sub(r"\D", "", phone or "")


def _lane_key(parsed) -> str:
    return f"{parsed.road}{parsed.lane}弄" if parsed.road and parsed.lane else ""


@dataclass
class _Candidate:
    person: Person
    household_key: str
    road_lane: str


def _score(case: Case, candidate: _Candidate, *, phone: str, address_key: str, road_lane: str,
           name_count: int) -> Suggestion | None:
    person = candidate.person
    same_name = bool(case.citizen_name) and person.name == case.citizen_name
    phones = {_digits(person.phone), _digits(person.phone_alt)} - {""}
    score, reasons = 0.0, []
    if phone and phone in phones:
        score, reasons = (1.0 if same_name else 0.9), ["电话一致"] + (["姓名一致"] if same_name else [])
    elif same_name and address_key and candidate.household_key == address_key:
        score, reasons = 0.85, ["姓名一致", "住址一致(到室)"]
    elif same_name and road_lane and candidate.road_lane == road_lane:
        score, reasons = 0.7, ["姓名一致", "同路同弄"]
    elif same_name and name_count <= WEAK_NAME_LIMIT:
        score, reasons = 0.3, ["仅姓名一致"]
    if not score:
        return None
    return Suggestion(person=person, score=score, reasons=reasons, household_key=candidate.household_key)


def _case_keys(case: Case) -> tuple[str, str, str]:
    parsed = parse_address(case.address or "")
    return _digits(case.citizen_phone), parsed.key if parsed.road else "", _lane_key(parsed)


def _rank(suggestions: Iterable[Suggestion | None], limit: int) -> list[Suggestion]:
    found = [s for s in suggestions if s is not None]
    found.sort(key=lambda s: (-s.score, s.person.name, s.person.pk))
    return found[:limit]


def case_link_suggestions(case: Case, *, limit: int = 5) -> list[Suggestion]:
    """Ranked persons the case's 诉求人 may be (best first), without the pairs already rejected or linked.

    Scope is not applied here: callers show the result only to roles that see the registry street-wide
    (policy.CLEAR_ROLES), or mask it (registry/panels.py)."""
    phone, address_key, road_lane = _case_keys(case)
    if not (phone or case.citizen_name):
        return []
    match = Q(pk__in=[])
    if len(phone) >= 7:
        match |= Q(phone=phone) | Q(phone_alt=phone)
    if case.citizen_name:
        match |= Q(name=case.citizen_name)
    decided = CaseLink.objects.filter(case=case).values("person_id")
    persons = list(Person.objects.filter(match).exclude(pk__in=decided).exclude(anonymised_at__isnull=False)[:200])
    homes = {m.person_id: m.household for m in Membership.objects.filter(
        person__in=persons, ended_at__isnull=True).select_related("household")}
    name_count = sum(1 for p in persons if p.name == case.citizen_name)
    if case.neighbourhood_id and name_count > WEAK_NAME_LIMIT:
        name_count = sum(1 for p in persons if p.name == case.citizen_name
                         and p.neighbourhood_id == case.neighbourhood_id)
    candidates = []
    for person in persons:
        home = homes.get(person.pk)
        if (case.neighbourhood_id and home is None and person.neighbourhood_id != case.neighbourhood_id
                and _digits(case.citizen_phone) not in {_digits(person.phone), _digits(person.phone_alt)}):
            continue  # a name alone in another 居民区 is nobody's lead
        key = home.address_key if home else ""
        candidates.append(_Candidate(person, key, f"{home.road}{home.lane}弄" if home and home.lane else ""))
    return _rank((_score(case, c, phone=phone, address_key=address_key, road_lane=road_lane, name_count=name_count)
                  for c in candidates), limit)


def case_link_suggestions_all(cases: Iterable[Case] | None = None, *, min_score: float = STRONG,
                              limit: int = 3) -> Iterator[tuple[Case, list[Suggestion]]]:
    """Suggestions for many cases at once (default: every case with a 诉求人 and no confirmed link), indexing the
    registry once: (case, ranked suggestions at or above `min_score`) for each case that has one.

    The demo loader links the best strong one per case with `services.case_link_decide`."""
    if cases is None:
        linked = CaseLink.objects.filter(decision=CaseLink.Decision.LINKED).values("case_id")
        cases = (Case.objects.exclude(citizen_name="", citizen_phone="").exclude(pk__in=linked)
                 .only("pk", "number", "citizen_name", "citizen_phone", "address", "neighbourhood_id").iterator())
    by_phone: dict[str, list[_Candidate]] = defaultdict(list)
    by_name: dict[str, list[_Candidate]] = defaultdict(list)
    homes = {m["person_id"]: (m["household__address_key"], m["household__road"], m["household__lane"])
             for m in Membership.objects.filter(ended_at__isnull=True).values(
                 "person_id", "household__address_key", "household__road", "household__lane")}
    for person in Person.objects.filter(anonymised_at__isnull=True).only(
            "pk", "name", "phone", "phone_alt", "neighbourhood_id").iterator(chunk_size=5000):
        key, road, lane = homes.get(person.pk, ("", "", ""))
        candidate = _Candidate(person, key, f"{road}{lane}弄" if lane else "")
        for phone in {_digits(person.phone), _digits(person.phone_alt)} - {""}:
            by_phone[phone].append(candidate)
        by_name[person.name].append(candidate)
    rejected: dict[int, set[int]] = defaultdict(set)
    for case_id, person_id in CaseLink.objects.values_list("case_id", "person_id"):
        rejected[case_id].add(person_id)
    for case in cases:
        phone, address_key, road_lane = _case_keys(case)
        named = by_name.get(case.citizen_name, []) if case.citizen_name else []
        pool = {c.person.pk: c for c in [*(by_phone.get(phone, []) if len(phone) >= 7 else []), *named]}
        scored = (_score(case, c, phone=phone, address_key=address_key, road_lane=road_lane, name_count=len(named))
                  for pk, c in pool.items() if pk not in rejected[case.pk])
        ranked = [s for s in _rank(scored, limit) if s.score >= min_score]
        if ranked:
            yield case, ranked
