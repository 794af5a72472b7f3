"""The import's engine: each batch of rows is planned (what becomes of every row) and then written.

New rows are written in bulk (households, persons, memberships, tags and their change records, source "import");
rows that match a record by natural key go through the services one by one (person_update, household_update,
person_move, unit_update), so every changed field is a ChangeRecord like any edit. Rows that only look like a
record wait as a LinkCandidate for a person's decision. `dry=True` plans without writing (the preview).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import FilteredRelation, Q

from core import clock
from core.errors import DomainError, ValidationFailed
from org.models import Role, User
from org.selectors import Gazetteer

from . import bulk, linkage, services
from .importing import Row, RowParser, as_json
from .linkage import Record, normal_name
from .models import (
    ChangeRecord,
    Entity,
    Gender,
    Household,
    HousingStatus,
    IdType,
    ImportKind,
    LinkCandidate,
    Membership,
    Person,
    PersonStatus,
    Relation,
    Residence,
    Tag,
)

NEW, UPDATE, UNCHANGED, REJECT, DUPLICATE, CANDIDATE = "new", "update", "unchanged", "reject", "duplicate", "candidate"
LABELS = {NEW: "新增", UPDATE: "更新", UNCHANGED: "无变化", REJECT: "拒绝", DUPLICATE: "文件内重复(拒绝)",
          CANDIDATE: "疑似重复,待确认"}


@dataclass
class Plan:
    row: Row | None
    number: int
    raw: dict[str, str]
    outcome: str = NEW
    note: str = ""
    target: int | None = None  # the record a matched row updates
    place: Any = None
    record: Record | None = None
    match: linkage.Match | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    duplicates: int = 0
    candidates: int = 0
    rejections: list[tuple[int, str, dict]] = field(default_factory=list)

    def reject(self, plan: Plan, reason: str) -> None:
        self.rejected += 1
        self.rejections.append((plan.number, reason[:300], plan.raw))


class Importer:
    kind = ""

    def __init__(self, *, actor: User, parser: RowParser, source_note: str = "", dry: bool = False):
        self.actor, self.parser, self.dry, self.note = actor, parser, dry, source_note
        self.gazetteer = Gazetteer.load()
        self._places: dict[tuple[str, str, str], Any] = {}
        self.seen: dict[tuple, int] = {}

    # --- shared steps -------------------------------------------------------------------------------------------

    def place(self, row: Row):
        a = row.address
        key = (a.road, a.lane, a.house)
        if key not in self._places:
            self._places[key] = self.gazetteer.lookup(a.text)
        return self._places[key]

    def scope_reason(self, place) -> str:
        """Why this actor may not import a row at this place ('' if it may)."""
        if self.actor.role != Role.CADRE:
            return ""
        if place is None:
            return "居委干部只能导入本居民区的记录:请填写本居民区的地址"
        if place.neighbourhood.pk != self.actor.neighbourhood_id:
            return f"该地址属于{place.neighbourhood},不在您负责的居民区,未导入"
        return ""

    def parse(self, number: int, raw: dict[str, str]) -> Row | str:
        try:
            return self.parser.parse(number, raw)
        except ValidationFailed as exc:
            return exc.message

    def plan(self, number: int, raw: dict[str, str], row: Row | str | None = None) -> Plan:
        row = self.parse(number, raw) if row is None else row
        if isinstance(row, str):
            return Plan(None, number, raw, REJECT, row)
        plan = Plan(row, number, raw)
        if row.address is not None:
            plan.place = self.place(row)
            if plan.place is None:
                plan.outcome, plan.note = REJECT, f"地址不在本街道的地址库中,请核对路名和弄号:{row.address.key}"
                return plan
        reason = self.scope_reason(plan.place)
        if reason:
            plan.outcome, plan.note = REJECT, reason
            return plan
        self.decide(plan)
        return plan

    def duplicate(self, plan: Plan, keys: list[tuple[tuple, str]]) -> bool:
        for key, what in keys:
            if key in self.seen:
                plan.outcome, plan.note = DUPLICATE, f"文件内重复:与第 {self.seen[key]} 行{what}"
                return True
        for key, _ in keys:
            self.seen[key] = plan.number
        return False

    def run_batch(self, rows: list[tuple[int, dict[str, str]]], parsed: list | None = None
                  ) -> tuple[list[Plan], Tally]:
        parsed = parsed or [None] * len(rows)
        plans = [self.plan(number, raw, row) for (number, raw), row in zip(rows, parsed, strict=True)]
        self.prepare(plans)
        tally = Tally()
        if self.dry:
            return plans, tally
        with transaction.atomic():
            self.write(plans, tally)
        return plans, tally

    def prepare(self, plans: list[Plan]) -> None:
        """After planning a batch: the lookups that need every row of it (matched rows' records)."""

    def load_decisions(self, entity: str, parsed: list) -> None:
        """The stored pairs of this batch's rows (by fingerprint): decided ones are reused, pending ones not re-asked."""
        fingerprints = [row.fingerprint() for row in parsed if not isinstance(row, str)]
        self.decisions: dict[str, list[LinkCandidate]] = {}
        for candidate in LinkCandidate.objects.filter(entity=entity, fingerprint__in=fingerprints):
            self.decisions.setdefault(candidate.fingerprint, []).append(candidate)

    def apply(self, plan: Plan, tally: Tally, change) -> None:
        """One matched row through the services in its own savepoint: updated, unchanged, or rejected with why."""
        try:
            with transaction.atomic():
                changed = change()
        except DomainError as exc:
            tally.reject(plan, exc.message)
            return
        if changed:
            tally.updated += 1
        else:
            tally.unchanged += 1

    def records(self, entity: str, ids: list[int], action: str, changes: list[dict], notes: str = "") -> list:
        now = clock.now()
        return [ChangeRecord(entity=entity, object_id=i, action=action, actor=self.actor, at=now, changes=c,
                             note=notes[:500], source="import") for i, c in zip(ids, changes, strict=True)]

    def decide(self, plan: Plan) -> None:
        raise NotImplementedError

    def write(self, plans: list[Plan], tally: Tally) -> None:
        raise NotImplementedError


# --- households -----------------------------------------------------------------------------------------------


class HouseholdImporter(Importer):
    kind = ImportKind.HOUSEHOLDS

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.households = dict(Household.objects.order_by().values_list("address_key", "id"))

    def decide(self, plan: Plan) -> None:
        key = plan.row.address.key
        if self.duplicate(plan, [(("a", key), "地址相同")]):
            return
        if key in self.households:
            plan.outcome, plan.target = UPDATE, self.households[key]
        else:
            self.households[key] = 0  # a later row at this address is a duplicate, not a new household

    def prepare(self, plans: list[Plan]) -> None:
        ids = [p.target for p in plans if p.outcome == UPDATE]
        found = Household.objects.in_bulk(ids)
        for plan in plans:
            if plan.outcome == UPDATE:
                household = found.get(plan.target)
                plan.extra["obj"] = household
                if household and not {k: v for k, v in plan.row.values.items() if getattr(household, k) != v}:
                    plan.outcome = UNCHANGED

    def write(self, plans: list[Plan], tally: Tally) -> None:
        new = [p for p in plans if p.outcome == NEW]
        created = new_households(self, [(p.row.address, p.place, p.row.values) for p in new])
        for plan, household in zip(new, created, strict=True):
            self.households[plan.row.address.key] = household.pk
        tally.created += len(created)
        for plan in plans:
            if plan.outcome in (REJECT, DUPLICATE):
                tally.duplicates += plan.outcome == DUPLICATE
                tally.reject(plan, plan.note)
            elif plan.outcome in (UPDATE, UNCHANGED):
                household = plan.extra["obj"]

                def change(household=household, plan=plan):
                    before = household.version
                    services.household_update(actor=self.actor, household=household, source="import",
                                              note=self.note, **plan.row.values)
                    return household.version != before

                self.apply(plan, tally, change)


def new_households(importer: Importer, items: list[tuple]) -> list[Household]:
    """Households in bulk (address, place, housing values) with their 登记 change records."""
    if not items:
        return []
    now = clock.now()
    objs = [Household(address=a.key, address_key=a.key, road=a.road, lane=a.lane, house=a.house, room=a.room,
                      estate=place.estate if place else None, neighbourhood=place.neighbourhood if place else None,
                      grid=place.grid if place else None, created_at=now, updated_at=now, **values)
            for a, place, values in items]
    bulk.insert(Household, objs, ids=True)
    changes = []
    for obj in objs:
        change = {"address": [None, obj.address]}
        if obj.housing != HousingStatus.UNKNOWN:
            change["housing"] = [None, obj.get_housing_display()]
        for name in ("tenant_count", "rental_start", "rental_end", "notes"):
            value = getattr(obj, name)
            if value not in (None, ""):
                change[name] = [None, value.isoformat() if hasattr(value, "isoformat") else value]
        if obj.crowded_rental:
            change["crowded_rental"] = [None, True]
        changes.append(change)
    bulk.insert_values(ChangeRecord, RECORD_FIELDS, [
        (Entity.HOUSEHOLD, o.pk, ChangeRecord.Action.CREATE, importer.actor.pk, now, c, importer.note[:500], "import")
        for o, c in zip(objs, changes, strict=True)])
    return objs


# --- persons --------------------------------------------------------------------------------------------------


class PersonImporter(Importer):
    kind = ImportKind.PERSONS

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.index = linkage.Index()
        # Each person with the household it lives in now, in one query (a LEFT JOIN on the open membership).
        home = FilteredRelation("memberships", condition=Q(memberships__ended_at__isnull=True))
        people = Person.objects.annotate(home=home).order_by().values_list(
            "id", "name", "phone", "phone_alt", "birth_date", "id_number", "home__household__address_key",
            "home__household__road", "home__household__lane", "home__household__house", "home__household__room")
        add, building_of = self.index.add, linkage.building_of
        for pid, name, phone, alt, birth, number, key, road, lane, house, room in people.iterator(chunk_size=10000):
            add(Record(pid, normal_name(name), phone, alt, birth, number, key or "",
                       building_of(road, lane, house) if key else "", room or ""))
        self.households = dict(Household.objects.order_by().values_list("address_key", "id"))
        self.heads = set(Membership.objects.filter(ended_at__isnull=True, relation=Relation.HEAD).order_by()
                         .values_list("household__address_key", flat=True))
        self.tags = dict(Tag.objects.filter(is_active=True).values_list("name", "id"))
        self.parser.tag_names = set(self.tags)
        self.decisions = {}

    def record_of(self, row: Row, number: int = 0) -> Record:
        v, a = row.values, row.address
        return Record(0, normal_name(v["name"]), v.get("phone", ""), "", v.get("birth_date"), v.get("id_number", ""),
                      a.key if a else "", linkage.building_of(a.road, a.lane, a.house) if a else "",
                      a.room if a else "", row=number)

    def run_batch(self, rows, parsed=None):
        parsed = [self.parse(number, raw) for number, raw in rows]
        self.load_decisions(Entity.PERSON, parsed)
        return super().run_batch(rows, parsed)

    def decide(self, plan: Plan) -> None:
        row = plan.row
        record = plan.record = self.record_of(row, plan.number)
        keys = [(("n", record.name, record.address_key), "姓名和地址相同")] if record.address_key else []
        if record.id_number:
            keys.insert(0, (("d", record.id_number), "身份证号相同"))
        if self.duplicate(plan, keys):
            return
        if row.relation == Relation.HEAD and record.address_key:
            if record.address_key in self.heads:
                exact = self.index.exact(record)
                if not (exact and exact[0].address_key == record.address_key):
                    plan.outcome, plan.note = REJECT, "该户已有户主(底册中或本文件前面的行),请核对与户主关系"
                    return
        exact = self.index.exact(record)
        if exact is not None:
            found, why = exact
            if found.row:
                plan.outcome, plan.note = DUPLICATE, f"文件内重复:与第 {found.row} 行{why}"
            elif why == "身份证号相同" and not _same_name(found.name, record.name):
                # One ID number, two unrelated names: a typo in one of the two lists. Overwriting the registry's
                # person with somebody else's name and phone would be worse than asking a person to check.
                plan.outcome = REJECT
                plan.note = "身份证号与底册中已登记的人员相同,但姓名不同,请核对身份证号或姓名"
            else:
                plan.outcome, plan.target, plan.note = UPDATE, found.id, f"按{why}匹配到底册中的人员"
            return
        fingerprint = row.fingerprint()
        rejected: set[int] = set()
        for decided in self.decisions.get(fingerprint, ()):
            if decided.decision == LinkCandidate.Decision.SAME and decided.result_id:
                plan.outcome, plan.target, plan.note = UPDATE, decided.result_id, "按已确认的“同一人”更新"
                plan.extra["keep_name"] = True
                return
            if decided.decision == LinkCandidate.Decision.DIFFERENT:
                rejected.add(decided.object_id)
            if decided.decision == LinkCandidate.Decision.PENDING:
                plan.outcome, plan.note = CANDIDATE, "疑似重复,已在待确认列表中"
                plan.extra["pending"] = decided
                return
        matches = [m for m in self.index.candidates(record) if m.record.id not in rejected or m.record.row]
        if matches:
            best = matches[0]
            plan.outcome, plan.match = CANDIDATE, best
            where = f"本文件第 {best.record.row} 行" if best.record.row else "底册中的人员"
            plan.note = f"与{where}疑似重复({best.score:.0%}):{'、'.join(best.reasons)}"
            return
        if rejected:
            plan.note = "已确认不是同一人,新建"
        if row.relation == Relation.HEAD and record.address_key:
            self.heads.add(record.address_key)
        self.index.add(record)  # later rows of the file are compared with this one

    def prepare(self, plans: list[Plan]) -> None:
        ids = [p.target for p in plans if p.outcome == UPDATE]
        found = {p.pk: p for p in Person.objects.filter(pk__in=ids).prefetch_related("tags")}
        homes = dict(Membership.objects.filter(person_id__in=ids, ended_at__isnull=True)
                     .values_list("person_id", "household__address_key"))
        for plan in plans:
            if plan.outcome != UPDATE:
                continue
            person = found.get(plan.target)
            if person is None:
                plan.outcome, plan.note = REJECT, "匹配到的人员已不存在"
                continue
            plan.extra["obj"] = person
            changed = self.person_changes(person, plan.row)
            if plan.extra.get("keep_name"):
                changed.pop("name", None)  # a pair decided 同一人 keeps the registry's spelling of the name
            moves = plan.row.address is not None and moves_to(homes.get(person.pk), plan.row.address)
            tags = plan.row.tags is not None and not set(plan.row.tags) <= {t.name for t in person.tags.all()}
            plan.extra.update(changed=changed, moves=moves, tags=tags)
            if not (changed or moves or tags):
                plan.outcome = UNCHANGED

    @staticmethod
    def person_changes(person: Person, row: Row) -> dict[str, Any]:
        values = dict(row.values)
        if person.id_number and not values.get("id_number"):
            values.pop("id_type", None)
        return {k: v for k, v in values.items() if getattr(person, k) != v}

    def write(self, plans: list[Plan], tally: Tally) -> None:
        new = [p for p in plans if p.outcome == NEW]
        self.write_new(new)
        tally.created += len(new)
        pending: list[LinkCandidate] = []
        for plan in plans:
            if plan.outcome in (REJECT, DUPLICATE):
                tally.duplicates += plan.outcome == DUPLICATE
                tally.reject(plan, plan.note)
            elif plan.outcome in (UPDATE, UNCHANGED):
                self.apply(plan, tally, lambda plan=plan: self.update_one(plan))
            elif plan.outcome == CANDIDATE:
                tally.candidates += 1
                pending.append(self.candidate(plan))
        if pending:
            LinkCandidate.objects.bulk_create(
                pending, update_conflicts=True, unique_fields=["entity", "object_id", "fingerprint"],
                update_fields=["job", "row_number", "values", "score", "reasons", "neighbourhood", "grid"])

    def candidate(self, plan: Plan) -> LinkCandidate:
        existing: LinkCandidate | None = plan.extra.get("pending")
        match = plan.match
        values = {**as_json(plan.row.values), "address": plan.row.address.key if plan.row.address else "",
                  "relation": plan.row.relation, "tags": plan.row.tags}
        return LinkCandidate(
            entity=Entity.PERSON, object_id=existing.object_id if existing else match.record.id,
            fingerprint=plan.row.fingerprint(), job_id=getattr(self, "job_id", None), row_number=plan.number,
            values=values, score=existing.score if existing else match.score,
            reasons=existing.reasons if existing else match.reasons,
            neighbourhood=plan.place.neighbourhood if plan.place else None,
            grid=plan.place.grid if plan.place else None, created_at=clock.now())

    def update_one(self, plan: Plan) -> bool:
        person: Person = plan.extra["obj"]
        if plan.outcome == UNCHANGED:
            return False
        note = f"{self.note} 第 {plan.number} 行"
        if plan.extra.get("changed"):
            services.person_update(actor=self.actor, person=person, source="import", note=note,
                                   **plan.extra["changed"])
        if plan.extra.get("tags"):
            names = {t.name for t in person.tags.all()} | set(plan.row.tags)
            services.person_tags_set(actor=self.actor, person=person, tags=sorted(names), source="import")
        if plan.extra.get("moves"):
            self.move(person, plan.row, plan.place, note)
        return True

    def move(self, person: Person, row: Row, place, note: str) -> None:
        household_id = self.households.get(row.address.key)
        if household_id:
            household = Household.objects.get(pk=household_id)
        else:
            household = new_households(self, [(row.address, place, {})])[0]
            self.households[row.address.key] = household.pk
        services.person_move(actor=self.actor, person=person, household=household,
                             relation=row.relation or Relation.OTHER, note=note, source="import")

    def write_new(self, plans: list[Plan]) -> None:
        """New persons in bulk: their households (if new), the persons, memberships, tags and change records."""
        if not plans:
            return
        missing: dict[str, Plan] = {}
        for plan in plans:
            if plan.row.address and plan.row.address.key not in self.households:
                missing.setdefault(plan.row.address.key, plan)
        for household in new_households(self, [(p.row.address, p.place, {}) for p in missing.values()]):
            self.households[household.address_key] = household.pk
        now = clock.now()
        persons = []
        for plan in plans:
            place = plan.place
            neighbourhood, grid = (place.neighbourhood, place.grid) if place else (None, None)
            persons.append({**NEW_PERSON, **plan.row.values, "neighbourhood_id": neighbourhood and neighbourhood.pk,
                            "grid_id": grid and grid.pk, "created_at": now, "updated_at": now})
        ids = bulk.insert_dicts(Person, persons)  # no Person instance per row: nobody reads them back
        memberships, creates, moves, tag_links = [], [], [], []
        actor, note = self.actor.pk, self.note[:500]
        for plan, person, pk in zip(plans, persons, ids, strict=True):
            plan.record.id, plan.record.row = pk, 0
            change = created_changes(person)
            if plan.row.tags:
                change["tags"] = [[], plan.row.tags]
                tag_links += [(pk, self.tags[t]) for t in plan.row.tags]
            creates.append((Entity.PERSON, pk, ChangeRecord.Action.CREATE, actor, now, change, note, "import"))
            if plan.row.address:
                household_id = self.households[plan.row.address.key]
                relation = plan.row.relation or Relation.OTHER
                memberships.append((pk, household_id, relation, now, None))
                label = RELATION_LABELS[relation]
                moves.append((Entity.PERSON, pk, ChangeRecord.Action.MOVE_IN, actor, now,
                              {"household": [None, plan.row.address.key], "relation": [None, label]}, note, "import"))
                moves.append((Entity.HOUSEHOLD, household_id, ChangeRecord.Action.MOVE_IN, actor, now,
                              {"member": [None, person["name"]], "relation": [None, label]}, note, "import"))
        bulk.insert_values(Membership, ("person_id", "household_id", "relation", "started_at", "ended_at"), memberships)
        bulk.insert_values(Person.tags.through, ("person_id", "tag_id"), tag_links)
        bulk.insert_values(ChangeRecord, RECORD_FIELDS, creates + moves)


def moves_to(current: str | None, address) -> bool:
    """Whether a row's address moves the person: not when it is the same home, nor when it only leaves out the
    room of the home the person lives in (the police's lists often stop at the house number)."""
    if current is None:
        return True
    if current == address.key:
        return False
    return not (not address.room and current.startswith(address.key))


RELATION_LABELS = {r.value: r.label for r in Relation}
_LABELS = {name: {c.value: c.label for c in choices} for name, choices in (
    ("gender", Gender), ("id_type", IdType), ("residence", Residence), ("status", PersonStatus))}


# A new person's fields before the row's values: the model's defaults.
NEW_PERSON = {"gender": "", "birth_date": None, "id_type": IdType.ID_CARD, "id_number": "", "phone": "",
              "phone_alt": "", "residence": Residence.HUKOU, "status": PersonStatus.ACTIVE, "notes": ""}


def created_changes(person: dict[str, Any]) -> dict[str, list]:
    """What services.person_create records (_snapshot of PERSON_FIELDS, the empty ones left out) for a new person's
    values (NEW_PERSON and the row's), without its per-field display lookups (they cost more than the rest of a row)."""
    out = {}
    for name in services.PERSON_FIELDS:
        value = person[name]
        if name in _LABELS:
            # As a plain str: a TextChoices member hashes in Python (Enum.__hash__), a third of this function's time.
            value = _LABELS[name].get(str.__str__(value) if isinstance(value, str) else value, value)
        elif name == "birth_date" and value is not None:
            value = value.isoformat()
        if value not in ("", None):
            out[name] = [None, value]
    return out
RECORD_FIELDS = ("entity", "object_id", "action", "actor_id", "at", "changes", "note", "source")


def _same_name(registered: str, imported: str) -> bool:
    """Names one person may be written with in two lists (variant characters, a typo, 阿/小 forms): alike by at
    least half, or one holding the other."""
    from rapidfuzz import fuzz

    if not registered or not imported:
        return True
    return registered in imported or imported in registered or fuzz.ratio(registered, imported) >= 50

