"""Importing units (一店一档, 市场监管's lists): row by row through the services — a street has hundreds of units, not
hundreds of thousands — matched by credit code, else name + address; a unit at the same door whose name is only alike
("老王面馆" / "王记面馆(愚园路店)") waits as a LinkCandidate for a person's decision, like a person."""

from __future__ import annotations

import re
import unicodedata

from django.db import transaction
from rapidfuzz import fuzz

from core import clock
from core.errors import DomainError

from . import services
from .import_engine import CANDIDATE, DUPLICATE, NEW, REJECT, UNCHANGED, UPDATE, Importer, Plan, Tally
from .importing import as_json
from .models import Entity, ImportKind, LinkCandidate, Person, Residence, Unit

UNIT_NAME_FLOOR = 80
_BRANCH = re.compile(r"[((][^))]*[))]|\s+")


def unit_name_similarity(a: str, b: str) -> float:
    """rapidfuzz's ratio of the names without a bracketed branch ("(愚园路店)"), or its partial ratio (one name inside
    the other: 老王面馆 / 静安老王面馆) when the shorter still has three characters."""
    a, b = (_BRANCH.sub("", unicodedata.normalize("NFKC", n)) for n in (a, b))
    score = fuzz.ratio(a, b)
    if min(len(a), len(b)) >= 3:
        score = max(score, fuzz.partial_ratio(a, b) - 5)
    return score


def door_of(address_key: str) -> str:
    """The door a unit is at: the address key without a room (愚园路130号101室 → 愚园路130号)."""
    head, sep, _ = address_key.partition("号")
    return head + sep if sep else address_key


class UnitImporter(Importer):
    kind = ImportKind.UNITS

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.by_code: dict[str, int] = {}
        self.by_name: dict[tuple[str, str], int] = {}
        self.by_door: dict[str, list[tuple[int, str, str, str]]] = {}
        self.decisions = {}
        for pk, name, key, code, phone in Unit.objects.values_list("id", "name", "address_key", "credit_code", "phone"):
            self.remember(pk, name, key, code, phone)

    def remember(self, pk: int, name: str, key: str, code: str, phone: str) -> None:
        if code:
            self.by_code[code] = pk
        self.by_name[(name, key)] = pk
        self.by_door.setdefault(door_of(key), []).append((pk, name, code, phone))

    def run_batch(self, rows, parsed=None):
        parsed = [self.parse(number, raw) for number, raw in rows]
        self.load_decisions(Entity.UNIT, parsed)
        return super().run_batch(rows, parsed)

    def decide(self, plan: Plan) -> None:
        v, key = plan.row.values, plan.row.address.key
        keys = [(("n", v["name"], key), "单位名称和地址相同")]
        if v.get("credit_code"):
            keys.insert(0, (("c", v["credit_code"]), "统一社会信用代码相同"))
        if self.duplicate(plan, keys):
            return
        target = self.by_code.get(v.get("credit_code")) or self.by_name.get((v["name"], key))
        if target:
            plan.outcome, plan.target = UPDATE, target
            return
        rejected: set[int] = set()
        for decided in self.decisions.get(plan.row.fingerprint(), ()):
            if decided.decision == LinkCandidate.Decision.SAME and decided.result_id:
                plan.outcome, plan.target, plan.note = UPDATE, decided.result_id, "按已确认的“同一单位”更新"
                plan.extra["keep_name"] = True
                return
            if decided.decision == LinkCandidate.Decision.PENDING:
                plan.outcome, plan.note, plan.extra["pending"] = CANDIDATE, "疑似重复,已在待确认列表中", decided
                return
            rejected.add(decided.object_id)
        best = None
        for pk, name, code, phone in self.by_door.get(door_of(key), ()):
            if pk in rejected or (code and v.get("credit_code") and code != v["credit_code"]):
                continue
            similarity = unit_name_similarity(v["name"], name)
            if similarity >= UNIT_NAME_FLOOR and (best is None or similarity > best[0]):
                reasons = ["同一门牌", f"名称相似({v['name']}/{name},{similarity:.0f}%)"]
                if phone and phone == v.get("phone"):
                    reasons.append("单位电话相同")
                best = (similarity, pk, reasons)
        if best is not None:
            plan.outcome, plan.note = CANDIDATE, f"与底册中的单位疑似重复:{'、'.join(best[2])}"
            plan.extra["match"] = best

    def prepare(self, plans: list[Plan]) -> None:
        found = Unit.objects.select_related("operator").in_bulk([p.target for p in plans if p.outcome == UPDATE])
        for plan in plans:
            if plan.outcome == UPDATE:
                unit = found.get(plan.target)
                if unit is None:
                    plan.outcome, plan.note = REJECT, "匹配到的单位已不存在"
                    continue
                plan.extra["obj"] = unit
                changed = {k: v for k, v in plan.row.values.items() if getattr(unit, k) != v}
                if plan.extra.get("keep_name"):
                    changed.pop("name", None)
                if unit.address_key != plan.row.address.key:
                    changed["address"] = plan.row.address.key
                operator = plan.row.operator
                if operator and not (unit.operator and (unit.operator.name, unit.operator.phone) == operator):
                    changed["operator"] = operator
                plan.extra["changed"] = changed
                if not changed:
                    plan.outcome = UNCHANGED

    def operator(self, name: str, phone: str, place) -> Person:
        found = Person.objects.filter(name=name, phone=phone).first() if phone else None
        if found is None:
            found = services.person_create(actor=self.actor, name=name, phone=phone, residence=Residence.RESIDENT,
                                           source="import", neighbourhood=place.neighbourhood if place else None,
                                           grid=place.grid if place else None)
        return found

    def write(self, plans: list[Plan], tally: Tally) -> None:
        for plan in plans:
            if plan.outcome in (REJECT, DUPLICATE):
                tally.duplicates += plan.outcome == DUPLICATE
                tally.reject(plan, plan.note)
            elif plan.outcome == CANDIDATE:
                tally.candidates += 1
                self.candidate(plan)
            elif plan.outcome == NEW:
                try:
                    with transaction.atomic():
                        operator = self.operator(*plan.row.operator, plan.place) if plan.row.operator else None
                        unit = services.unit_create(actor=self.actor, address=plan.row.address.key, source="import",
                                                    operator=operator, gazetteer=self.gazetteer, **plan.row.values)
                except DomainError as exc:
                    tally.reject(plan, exc.message)
                    continue
                self.remember(unit.pk, unit.name, unit.address_key, unit.credit_code, unit.phone)
                tally.created += 1
            else:
                def change(plan=plan):
                    changed = dict(plan.extra.get("changed") or {})
                    if not changed:
                        return False
                    if "operator" in changed:
                        changed["operator"] = self.operator(*changed["operator"], plan.place)
                    services.unit_update(actor=self.actor, unit=plan.extra["obj"], source="import", note=self.note,
                                         **changed)
                    return True

                self.apply(plan, tally, change)

    def candidate(self, plan: Plan) -> None:
        existing = plan.extra.get("pending")
        values = {**as_json(plan.row.values), "address": plan.row.address.key, "operator": plan.row.operator}
        fields = dict(job_id=getattr(self, "job_id", None), row_number=plan.number, values=values,
                      neighbourhood=plan.place.neighbourhood if plan.place else None,
                      grid=plan.place.grid if plan.place else None)
        if existing is not None:
            LinkCandidate.objects.filter(pk=existing.pk).update(**fields)
            return
        similarity, pk, reasons = plan.extra["match"]
        LinkCandidate.objects.get_or_create(entity=Entity.UNIT, object_id=pk, fingerprint=plan.row.fingerprint(),
                                            defaults={**fields, "score": similarity / 100, "reasons": reasons,
                                                      "created_at": clock.now()})


def unit_candidate_apply(*, actor, candidate: LinkCandidate, same: bool) -> int:
    """同一单位 → the row updates that unit (its name stays); 不是同一单位 → a new unit at that address."""
    from .importing import from_json

    values = from_json(candidate.values)
    address, operator = values.pop("address"), values.pop("operator", None)
    operator_person = None
    if operator:
        name, phone = operator
        operator_person = Person.objects.filter(name=name, phone=phone).first() if phone else None
        if operator_person is None:
            operator_person = services.person_create(actor=actor, name=name, phone=phone, source="import",
                                                     residence=Residence.RESIDENT,
                                                     neighbourhood=candidate.neighbourhood, grid=candidate.grid)
    if not same:
        return services.unit_create(actor=actor, address=address, source="import", operator=operator_person,
                                    neighbourhood=candidate.neighbourhood, **values).pk
    unit = Unit.objects.filter(pk=candidate.object_id).first()
    if unit is None:
        from core.errors import Conflict

        raise Conflict("底册中的该单位已不存在,请选择“不是同一单位”新建")
    values.pop("name", None)
    changed = {k: v for k, v in values.items() if getattr(unit, k) != v}
    if operator_person is not None and unit.operator_id != operator_person.pk:
        changed["operator"] = operator_person
    if changed:
        services.unit_update(actor=actor, unit=unit, source="import", note="疑似重复确认", **changed)
    return unit.pk
