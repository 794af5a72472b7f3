"""The demo street's 社区底册: ~8,000 households in the lanes of the gazetteer, ~20,000 persons in families, rentals
(some 群租), vacancies, elderly living alone, ~300 street-front units with valid credit codes, capacities, and the
demo cases' 诉求人 linked to the persons with their phone.

Fast on purpose (load_demo already replays two years of cases): rows are made with bulk_create, not the services,
and their change records are written in bulk too (one 导入 record per person and household, source "demo").
Deterministic for a seed; it never runs twice (demo_registry_load returns early when persons exist).
"""

from __future__ import annotations

import functools
import random
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TextIO

from django.db import transaction
from django.utils import timezone
from stdnum.cn import ric, uscc

from cases.models import Case
from org.models import AddressRange
from org.services import system_user
from registry.models import (
    Capacity,
    CaseLink,
    ChangeRecord,
    Entity,
    Gender,
    Household,
    HousingStatus,
    Membership,
    Person,
    PersonStatus,
    Relation,
    Residence,
    Tag,
    Unit,
    UnitKind,
    UnitStatus,
)

from . import registry_data as rd

BATCH = 2000
# The resident who signs in on /me/ in the demo (printed by load_demo): a 楼组长 and volunteer with a family.
DEMO_RESIDENT_PHONE = "13916880001"


# --- identifiers ------------------------------------------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(region: str, birth: date, sequence: int, male: bool) -> str:
    """A GB 11643 身份证 number: region, birth date, a sequence whose last digit is odd for men, check digit."""
    seq = sequence % 500 * 2 + (1 if male else 0)
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]


_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def organisation_code(serial: int) -> str:
    """A GB 11714 组织机构代码 (8 digits and a check character), as embedded in positions 9–17 of a credit code."""
    body = f"{serial:08d}"
    check = 11 - sum(int(d) * w for d, w in zip(body, _ORG_WEIGHTS, strict=True)) % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def credit_code(serial: int, *, individual: bool = False) -> str:
    """A GB 32100 统一社会信用代码 for a 静安 registration: 9 (市场监管) + 1 企业 / 2 个体工商户, 310106, the
    organisation code, and the check character (stdnum.cn.uscc.calc_check_digit)."""
    body = f"9{'2' if individual else '1'}310106{organisation_code(serial)}"
    return body + uscc.calc_check_digit(body)


# --- people -------------------------------------------------------------------------------------------------------


class Names:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.surnames, weights = zip(*rd.SURNAME_WEIGHTS, strict=True)
        self.weights = list(weights)

    def surname(self) -> str:
        return self.rng.choices(self.surnames, self.weights)[0]

    def given(self, male: bool, born: int) -> str:
        pool = (rd.GIVEN_OLD_MALE if male else rd.GIVEN_OLD_FEMALE) if born < 1970 else (
            rd.GIVEN_MALE if male else rd.GIVEN_FEMALE)
        if self.rng.random() < 0.25:  # one-character given names are common
            return self.rng.choice(pool)[0]
        return self.rng.choice(pool)

    def full(self, male: bool, born: int, surname: str | None = None) -> str:
        return (surname or self.surname()) + self.given(male, born)


@functools.cache
def _region_valid(region: str, year: int) -> bool:
    """Was this 行政区划 code assigned in that year (python-stdnum's table)? Numbers are checked against it."""
    return ric.is_valid(id_number(region, date(year, 6, 1), 1, True))


class Builder:
    def __init__(self, rng: random.Random, now: datetime):
        self.rng = rng
        self.now = now
        self.today = timezone.localdate(now)
        self.names = Names(rng)
        self.sequence = 0
        self.phones: set[str] = {DEMO_RESIDENT_PHONE}
        self.numbers: set[str] = set()
        self.persons: list[Person] = []
        self.memberships: list[tuple[int, int, str, datetime]] = []  # (person index, household index, relation, start)
        self.tags: list[tuple[int, str]] = []
        self.households: list[Household] = []

    def phone(self) -> str:
        while True:
            phone = f"1{self.rng.choice('35789')}{self.rng.randint(0, 9)}{self.rng.randint(10000000, 99999999)}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def person(self, household: int, relation: str, *, age: int, male: bool, surname: str | None = None,
               residence: str = Residence.HUKOU, region: str | None = None, phone: bool = True) -> int:
        born = self.today.year - age
        birth = date(born, self.rng.randint(1, 12), self.rng.randint(1, 28))
        if birth > self.today:
            birth = birth.replace(year=born - 1)
        region = region or ("310106" if self.rng.random() < 0.7 else "310108")
        if not _region_valid(region, birth.year):  # e.g. 310108 闸北 was merged into 静安 in 2015
            region = "310106"
        while True:  # the number is unique in the registry
            self.sequence += 1
            number = id_number(region, birth, self.sequence, male)
            if number not in self.numbers:
                self.numbers.add(number)
                break
        mobile = self.phone() if phone and age >= 14 and not (age >= 85 and self.rng.random() < 0.5) else ""
        landline = f"021{self.rng.randint(52000000, 62999999)}" if age >= 65 and self.rng.random() < 0.4 else ""
        person = Person(name=self.names.full(male, born, surname), gender=Gender.MALE if male else Gender.FEMALE,
                        birth_date=birth, id_number=number, phone=mobile or landline,
                        phone_alt=landline if mobile else "", residence=residence, created_at=self.now,
                        updated_at=self.now)
        self.persons.append(person)
        index = len(self.persons) - 1
        start = self.now - timedelta(days=self.rng.randint(30, 30 * 365) if relation != Relation.TENANT
                                     else self.rng.randint(20, 900))
        self.memberships.append((index, household, relation, start))
        if age >= 80:
            self.tags.append((index, "高龄"))
        return index

    def family(self, household: int) -> None:
        rng = self.rng
        roll = rng.random()
        if roll < 0.09:  # 独居老人
            index = self.person(household, Relation.HEAD, age=rng.randint(70, 96), male=rng.random() < 0.35)
            self.tags.append((index, "独居老人"))
            return
        if roll < 0.20:  # 纯老家庭
            surname = self.names.surname()
            age = rng.randint(65, 90)
            a = self.person(household, Relation.HEAD, age=age, male=True, surname=surname)
            b = self.person(household, Relation.SPOUSE, age=age - rng.randint(0, 5), male=False)
            self.tags += [(a, "纯老家庭"), (b, "纯老家庭")]
            return
        surname = self.names.surname()
        head_age = rng.randint(30, 62)
        self.person(household, Relation.HEAD, age=head_age, male=rng.random() < 0.7, surname=surname)
        if rng.random() < 0.85:
            self.person(household, Relation.SPOUSE, age=head_age + rng.randint(-4, 3), male=rng.random() < 0.3)
        for _ in range(rng.choice([0, 1, 1, 1, 2])):
            self.person(household, Relation.CHILD, age=max(0, head_age - rng.randint(24, 34)), male=rng.random() < 0.5,
                        surname=surname)
        if rng.random() < 0.22:
            self.person(household, Relation.PARENT, age=head_age + rng.randint(24, 32), male=rng.random() < 0.4,
                        surname=surname)

    def tenants(self, household: int, count: int) -> None:
        for index in range(count):
            floating = self.rng.random() < 0.6
            self.person(household, Relation.HEAD if index == 0 and count <= 3 else Relation.TENANT,
                        age=self.rng.randint(20, 50), male=self.rng.random() < 0.55,
                        residence=Residence.FLOATING if floating else Residence.RESIDENT,
                        region=self.rng.choice(rd.OTHER_REGIONS) if floating else None)


def _rooms(rng: random.Random, ranges: list[AddressRange], count: int) -> list[tuple[AddressRange, str, str, str]]:
    """`count` distinct rooms (range, lane, house, room) in the estate's address ranges."""
    seen, rooms = set(), []
    for _attempt in range(count * 20):
        if len(rooms) >= count:
            break
        row = rng.choice(ranges)
        number = rng.randint(row.first, row.last)
        # 弄: 新村 houses of up to six floors; 号: an apartment block (高层), up to 30 floors of 8 flats.
        floor, flat = (rng.randint(1, 6), rng.randint(1, 4)) if row.kind == "弄" else (rng.randint(1, 30),
                                                                                          rng.randint(1, 8))
        room = f"{floor}{flat:02d}"
        lane, house = (str(number), str(rng.randint(1, 40))) if row.kind == "弄" else ("", str(number))
        key = (row.road, lane, house, room)
        if key not in seen:
            seen.add(key)
            rooms.append((row, lane, house, room))
    return rooms


def _address(road: str, lane: str, house: str, room: str) -> str:
    return f"{road}{lane + '弄' if lane else ''}{house}号{room}室"


def _bulk(model, rows: list) -> list:
    created = []
    for start in range(0, len(rows), BATCH):
        created += model.objects.bulk_create(rows[start:start + BATCH])
    return created


def demo_registry_load(*, seed: int = 2026, households: int = 8000, units: int = 300, now: datetime | None = None,
                       stdout: TextIO | None = None) -> dict[str, int]:
    if Person.objects.exists():
        return {"skipped": 1, "persons": Person.objects.count()}
    rng = random.Random(seed * 7919 + 17)
    now = now or timezone.now()
    ranges = list(AddressRange.objects.select_related("estate").order_by("pk"))
    by_estate: dict[int, list[AddressRange]] = {}
    for row in ranges:
        by_estate.setdefault(row.estate_id, []).append(row)
    builder = Builder(rng, now)
    per_estate = max(1, households // max(1, len(by_estate)))
    with transaction.atomic():
        for estate_ranges in by_estate.values():
            estate = estate_ranges[0].estate
            for row, lane, house, room in _rooms(rng, estate_ranges, per_estate):
                address = _address(row.road, lane, house, room)
                roll = rng.random()
                household = Household(address=address, address_key=address, road=row.road, lane=lane, house=house,
                                      room=room, estate=estate, neighbourhood_id=estate.neighbourhood_id,
                                      grid_id=estate.grid_id, created_at=now, updated_at=now)
                builder.households.append(household)
                index = len(builder.households) - 1
                if roll < 0.64:
                    household.housing = HousingStatus.OWNER
                    builder.family(index)
                elif roll < 0.88:
                    household.housing = HousingStatus.RENTED
                    crowded = rng.random() < 0.05
                    count = rng.randint(6, 12) if crowded else rng.choice([1, 1, 2, 2, 3, 4])
                    start = timezone.localdate(now) - timedelta(days=rng.randint(20, 700))
                    household.tenant_count, household.crowded_rental = count, crowded
                    household.rental_start, household.rental_end = start, start + timedelta(days=365 * rng.choice([1, 2, 3]))
                    builder.tenants(index, count)
                elif roll < 0.96:
                    household.housing = HousingStatus.VACANT
                else:
                    household.housing = HousingStatus.UNKNOWN
                    builder.family(index)
        _bulk(Household, builder.households)
        _demo_resident(builder)
        for person_index, household_index, _relation, _start in builder.memberships:
            household = builder.households[household_index]
            person = builder.persons[person_index]
            person.neighbourhood_id, person.grid_id = household.neighbourhood_id, household.grid_id
        # A few moved out (their membership ended), so history and the retention rule have something to show.
        moved = set(rng.sample(range(len(builder.persons)), k=len(builder.persons) // 100))
        for index in moved:
            builder.persons[index].status = PersonStatus.MOVED_OUT
        _bulk(Person, builder.persons)
        memberships = [Membership(person=builder.persons[p], household=builder.households[h], relation=rel,
                                  started_at=start, ended_at=now - timedelta(days=rng.randint(10, 400))
                                  if p in moved else None)
                       for p, h, rel, start in builder.memberships]
        _bulk(Membership, memberships)
        # The tags the programmes use come with the registry's migration; a flushed database (or an administrator
        # who removed one) gets them back, so the demo's people are tagged either way.
        tags = {t.name: t for t in Tag.objects.all()}
        for name in sorted({name for _, name in builder.tags} - set(tags)):
            tags[name] = Tag.objects.create(name=name)
        through = Person.tags.through
        _bulk(through, [through(person_id=builder.persons[p].pk, tag_id=tags[name].pk)
                        for p, name in set(builder.tags) if name in tags])
        unit_rows = _units(rng, builder, ranges, units, now)
        capacities = _capacities(rng, builder, unit_rows, now)
        actor = system_user()
        _bulk(ChangeRecord, [ChangeRecord(entity=Entity.HOUSEHOLD, object_id=h.pk, action=ChangeRecord.Action.IMPORT,
                                          actor=actor, at=now, changes={"address": [None, h.address]},
                                          note="演示数据:社区底册", source="demo") for h in builder.households]
              + [ChangeRecord(entity=Entity.PERSON, object_id=p.pk, action=ChangeRecord.Action.IMPORT, actor=actor,
                              at=now, changes={"name": [None, p.name]}, note="演示数据:社区底册", source="demo")
                 for p in builder.persons]
              + [ChangeRecord(entity=Entity.UNIT, object_id=u.pk, action=ChangeRecord.Action.IMPORT, actor=actor,
                              at=now, changes={"name": [None, u.name]}, note="演示数据:社区底册", source="demo")
                 for u in unit_rows])
        links = _link_cases(rng, builder, actor, now)
    result = {"households": len(builder.households), "persons": len(builder.persons), "units": len(unit_rows),
              "capacities": capacities, "case_links": links}
    if stdout is not None:
        stdout.write(f"社区底册已创建:{result['households']} 户,{result['persons']} 人,{result['units']} 个沿街单位,"
                     f"{capacities} 个人员身份,{links} 件工单关联诉求人\n")
    return result


def _demo_resident(builder: Builder) -> None:
    """The demo's resident login: the head of the first owner-occupied family household gets a known phone."""
    heads = [p for p, h, rel, _ in builder.memberships if rel == Relation.HEAD
             and builder.households[h].housing == HousingStatus.OWNER
             and sum(1 for _, hh, _, _ in builder.memberships[p:p + 4] if hh == h) >= 3]
    person = builder.persons[heads[0]]
    person.phone = DEMO_RESIDENT_PHONE
    builder.demo_resident = heads[0]


def _units(rng: random.Random, builder: Builder, ranges: list[AddressRange], count: int, now: datetime) -> list[Unit]:
    """Street-front units at 号 numbers on the estates' roads; most with an operator from the registry."""
    adults = [i for i, p in enumerate(builder.persons) if p.birth_date and p.birth_date.year <= builder.today.year - 25
              and p.birth_date.year >= builder.today.year - 65 and p.phone.startswith("1")]
    used, rows = set(), []
    for serial in range(count):
        row = rng.choice(ranges)
        kind, label, words = rng.choice(rd.UNIT_KINDS)
        while True:
            number = rng.randint(1, 1800)
            if (row.road, number) not in used:
                used.add((row.road, number))
                break
        address = f"{row.road}{number}号"
        individual = kind in (UnitKind.SHOP, UnitKind.RESTAURANT) and rng.random() < 0.5
        operator = builder.persons[rng.choice(adults)] if rng.random() < 0.9 else None
        rows.append(Unit(
            name=f"{rng.choice(rd.SHOP_PREFIXES)}{rng.choice(words)}{label if rng.random() < 0.3 else ''}",
            credit_code=credit_code(rng.randint(10_000_000, 99_999_999) // 10 * 10 + serial % 10, individual=individual)
            if rng.random() < 0.95 else "",
            kind=kind, address=address, address_key=address, road=row.road, estate=row.estate,
            neighbourhood_id=row.estate.neighbourhood_id, grid_id=row.estate.grid_id, operator=operator,
            phone=f"021{rng.randint(52000000, 62999999)}",
            status=rng.choices([UnitStatus.OPEN, UnitStatus.SUSPENDED, UnitStatus.CLOSED], [90, 6, 4])[0],
            created_at=now, updated_at=now))
    codes: set[str] = set()
    for unit in rows:  # the credit code is unique: a (rare) repeat is left empty
        if unit.credit_code in codes:
            unit.credit_code = ""
        codes.add(unit.credit_code)
    return _bulk(Unit, rows)


def _capacities(rng: random.Random, builder: Builder, units: list[Unit], now: datetime) -> int:
    active = [i for i, p in enumerate(builder.persons) if p.status == PersonStatus.ACTIVE and p.birth_date
              and 25 <= builder.today.year - p.birth_date.year <= 75]
    rows = [Capacity(person=u.operator, kind="unit_operator", unit=u, neighbourhood_id=u.neighbourhood_id,
                     started_at=now - timedelta(days=rng.randint(30, 2000))) for u in units if u.operator_id]
    for index in rng.sample(active, k=min(len(active), 420)):
        person = builder.persons[index]
        rows.append(Capacity(person=person, kind="volunteer", neighbourhood_id=person.neighbourhood_id,
                             started_at=now - timedelta(days=rng.randint(30, 1500))))
    for index in rng.sample(active, k=min(len(active), 160)):
        person = builder.persons[index]
        rows.append(Capacity(person=person, kind="building_leader", neighbourhood_id=person.neighbourhood_id,
                             started_at=now - timedelta(days=rng.randint(30, 3000))))
    for index in rng.sample(active, k=min(len(active), 40)):
        person = builder.persons[index]
        rows.append(Capacity(person=person, kind="council_member", neighbourhood_id=person.neighbourhood_id,
                             started_at=now - timedelta(days=rng.randint(30, 700))))
    demo = builder.persons[builder.demo_resident]
    have = {(c.person_id, c.kind) for c in rows if c.person_id == demo.pk}
    for kind in ("volunteer", "building_leader"):
        if (demo.pk, kind) not in have:
            rows.append(Capacity(person=demo, kind=kind, neighbourhood_id=demo.neighbourhood_id,
                                 started_at=now - timedelta(days=400)))
    return len(_bulk(Capacity, rows))


def _link_cases(rng: random.Random, builder: Builder, actor, now: datetime) -> int:
    """The demo cases' 诉求人: about half of the distinct mobile phones on cases become a registry person's phone
    in the case's 居民区 (named as on the case), then every case with a person's phone is linked (exact match)."""
    cases = list(Case.objects.exclude(citizen_phone="").filter(citizen_phone__startswith="1")
                 .values_list("pk", "citizen_phone", "citizen_name", "neighbourhood_id").order_by("pk"))
    if not cases:
        return 0
    first_by_phone: dict[str, tuple[str, int | None]] = {}
    for _, phone, name, nb in cases:
        first_by_phone.setdefault(phone, (name, nb))
    by_nb: dict[int | None, list[int]] = {}
    for index, person in enumerate(builder.persons):
        if person.status == PersonStatus.ACTIVE and person.phone.startswith("1") and index != builder.demo_resident:
            by_nb.setdefault(person.neighbourhood_id, []).append(index)
    taken: set[int] = set()
    owner: dict[str, Person] = {}
    changed = []
    for phone, (name, nb) in sorted(first_by_phone.items()):
        pool = by_nb.get(nb) or []
        if not pool or rng.random() < 0.5:
            continue
        index = rng.choice(pool)
        if index in taken:
            continue
        taken.add(index)
        person = builder.persons[index]
        person.phone = phone
        if len(name) >= 2 and "先生" not in name and "女士" not in name:
            person.name = name
        owner[phone] = person
        changed.append(person)
    Person.objects.bulk_update(changed, ["phone", "name"], batch_size=BATCH)
    # The demo resident's own cases: a few self-reports linked by phone.
    demo = builder.persons[builder.demo_resident]
    mine = [pk for pk, *_ in cases[: 3]]
    Case.objects.filter(pk__in=mine).update(citizen_phone=DEMO_RESIDENT_PHONE, citizen_name=demo.name)
    owner[DEMO_RESIDENT_PHONE] = demo
    household_of = {builder.persons[p].pk: builder.households[h].pk for p, h, _, _ in builder.memberships}
    links = []
    for pk, phone, _name, _nb in cases:
        phone = DEMO_RESIDENT_PHONE if pk in mine else phone
        person = owner.get(phone)
        if person is None:
            continue
        links.append(CaseLink(case_id=pk, person=person, household_id=household_of.get(person.pk),
                              decision=CaseLink.Decision.LINKED, decided_by=actor, decided_at=now))
    _bulk(CaseLink, links)
    return len(links)


def registry_source_files() -> list[Path]:
    """The two source spreadsheets with planted near-duplicates (demo/data/registry_police.csv and
    registry_committee.xlsx), written on first call from the loaded registry (see demo/registry_sources.py)."""
    from .registry_sources import registry_source_files as files

    return files()
