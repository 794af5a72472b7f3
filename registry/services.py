"""Writes to the registry: keyword-only `<entity>_<action>(*, actor, …)`, one transaction, one ChangeRecord each.

Every change is recorded before → after (`ChangeRecord.changes`), so the timeline shows who changed what and when;
nothing is edited without a trace. Scope is checked here (registry.policy.check_write), not only in views.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from cases.models import Case
from cases.services import validate_phone
from core import clock
from core.errors import Conflict, PermissionDenied, ValidationFailed
from org.models import User
from org.selectors import Gazetteer

from . import policy
from .addresses import parse_address
from .capacities import capacity_kinds
from .models import (
    Capacity,
    CaseLink,
    ChangeRecord,
    Entity,
    Gender,
    Household,
    HousingStatus,
    IdType,
    Membership,
    Person,
    PersonStatus,
    Relation,
    Residence,
    Tag,
    Unit,
    UnitContact,
    UnitKind,
    UnitStatus,
)
from .validation import birth_date_from_id, clean_credit_code, clean_id_number, clean_text, gender_from_id

PERSON_FIELDS = ("name", "gender", "birth_date", "id_type", "id_number", "phone", "phone_alt", "residence", "status",
                 "notes")
HOUSEHOLD_FIELDS = ("housing", "tenant_count", "rental_start", "rental_end", "crowded_rental", "notes")
UNIT_FIELDS = ("name", "credit_code", "kind", "address", "phone", "status", "notes", "operator")
# The choices' values, once: `Choices.values` builds a new list at every access (twice a row in an import).
_VALUES = {choices: frozenset(choices.values) for choices in (Gender, IdType, Residence, PersonStatus, Relation,
                                                               HousingStatus, UnitKind, UnitStatus)}


# --- the change record --------------------------------------------------------------------------------------------


def _shown(obj: Any, field: str) -> Any:
    """A field's value as the timeline shows it: choice labels, dates as ISO text, related rows by name."""
    value = getattr(obj, field)
    display = getattr(obj, f"get_{field}_display", None)
    if display is not None:
        return display()
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    return value


def _snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: _shown(obj, f) for f in fields}


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def change_record(*, actor: User, entity: str, object_id: int, action: str, changes: dict | None = None,
                  note: str = "", source: str = "web") -> ChangeRecord:
    return ChangeRecord.objects.create(entity=entity, object_id=object_id, action=action, actor=actor,
                                       at=clock.now(), changes=changes or {}, note=note[:500], source=source)


def _bump(model, obj, version: int | None, values: dict[str, Any]) -> None:
    """Optimistic lock: the UPDATE only lands if nobody changed the row since the form was opened."""
    filters = {"pk": obj.pk}
    if version is not None:
        filters["version"] = version
    values = {**values, "version": obj.version + 1, "updated_at": clock.now()}
    if model.objects.filter(**filters).update(**values) != 1:
        raise Conflict("该记录已被他人修改,请刷新页面后重试")
    for key, value in values.items():
        setattr(obj, key, value)


# --- persons ------------------------------------------------------------------------------------------------------


def _person_values(values: dict[str, Any], *, current: Person | None = None) -> dict[str, Any]:
    """Validated person fields (only those given); Chinese messages name the field."""
    out: dict[str, Any] = {}
    if "name" in values:
        out["name"] = clean_text(values["name"], field="name", label="姓名", max_length=50, required=True)
    if "gender" in values:
        if (values["gender"] or "") not in _VALUES[Gender]:
            raise ValidationFailed("性别不正确", details={"field": "gender"})
        out["gender"] = values["gender"] or ""
    id_type = values.get("id_type", current.id_type if current else IdType.ID_CARD) or IdType.ID_CARD
    if "id_type" in values:
        if id_type not in _VALUES[IdType]:
            raise ValidationFailed("证件类型不正确", details={"field": "id_type"})
        out["id_type"] = id_type
    if "id_number" in values or "id_type" in values:
        raw = values.get("id_number", current.id_number if current else "")
        out["id_number"] = clean_id_number(id_type, raw or "")
    if "birth_date" in values:
        birth = values["birth_date"]
        if birth is not None and not isinstance(birth, date):
            raise ValidationFailed("出生日期格式不正确(如 1950-03-08)", details={"field": "birth_date"})
        if birth and birth > timezone.localdate(clock.now()):
            raise ValidationFailed("出生日期不能晚于今天", details={"field": "birth_date"})
        out["birth_date"] = birth
    number = out.get("id_number")
    if number and id_type == IdType.ID_CARD:
        from_id = birth_date_from_id(number)
        if out.get("birth_date") and from_id and out["birth_date"] != from_id:
            raise ValidationFailed("出生日期与身份证号码不一致", details={"field": "birth_date"})
        if "birth_date" not in values or not out.get("birth_date"):
            out["birth_date"] = from_id
        if not values.get("gender") and not (current and current.gender):
            out["gender"] = gender_from_id(number)
    for field, label in (("phone", "联系电话"), ("phone_alt", "备用电话")):
        if field in values:
            try:
                # Digits only (021-62481234 → 02162481234): one spelling, so a search by phone finds it.
                out[field] = _registry_phone(values[field] or "")
            except ValidationFailed as error:
                raise ValidationFailed(error.message.replace("联系电话", label), details={"field": field}) from None
    if "residence" in values:
        if values["residence"] not in _VALUES[Residence]:
            raise ValidationFailed("人员类型须为 户籍/常住/流动", details={"field": "residence"})
        out["residence"] = values["residence"]
    if "status" in values:
        if values["status"] not in _VALUES[PersonStatus]:
            raise ValidationFailed("人员状态不正确", details={"field": "status"})
        out["status"] = values["status"]
    if "notes" in values:
        out["notes"] = clean_text(values["notes"], field="notes", label="备注", max_length=2000)
    return out


def _registry_phone(raw: str) -> str:
    """Digits only (021-62481234 → 02162481234, 174-7418-4694 → 17474184694): data books spell phones every which way,
    and one spelling lets a search by phone find it. What is left must still be a mobile or a landline."""
    digits = re.sub(r"\D", "", raw)
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return validate_phone(digits if digits else raw).replace("-", "")


def _unique_document(values: dict[str, Any], *, exclude: int | None = None) -> None:
    number = values.get("id_number")
    if not number:
        return
    clash = Person.objects.filter(id_type=values.get("id_type", IdType.ID_CARD), id_number=number)
    if exclude:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise Conflict("该证件号码已登记在底册中,请勿重复登记", details={"field": "id_number"})


def person_create(*, actor: User, name: str, gender: str = "", birth_date: date | None = None,
                  id_type: str = IdType.ID_CARD, id_number: str = "", phone: str = "", phone_alt: str = "",
                  residence: str = Residence.HUKOU, notes: str = "", tags=(), household: Household | None = None,
                  relation: str = Relation.OTHER, neighbourhood=None, grid=None, source: str = "web") -> Person:
    """登记人员, optionally into a household (which gives the person its 居民区/网格)."""
    values = _person_values(dict(name=name, gender=gender, birth_date=birth_date, id_type=id_type,
                                 id_number=id_number, phone=phone, phone_alt=phone_alt, residence=residence,
                                 notes=notes))
    if household is not None:
        neighbourhood, grid = household.neighbourhood, household.grid
    policy.check_write(actor, neighbourhood=neighbourhood, grid=grid, what="人员")
    now = clock.now()
    with transaction.atomic():
        _unique_document(values)
        try:
            with transaction.atomic():
                person = Person.objects.create(**values, neighbourhood=neighbourhood, grid=grid, created_at=now,
                                               updated_at=now)
        except IntegrityError:
            raise Conflict("该证件号码已登记在底册中,请勿重复登记", details={"field": "id_number"}) from None
        tag_names = _set_tags(person, tags)
        changes = {k: [None, v] for k, v in _snapshot(person, PERSON_FIELDS).items() if v not in ("", None)}
        if tag_names:
            changes["tags"] = [[], tag_names]
        change_record(actor=actor, entity=Entity.PERSON, object_id=person.pk, action=ChangeRecord.Action.CREATE,
                      changes=changes, source=source)
        if household is not None:
            _join(actor=actor, person=person, household=household, relation=relation, source=source)
    return person


def person_update(*, actor: User, person: Person, version: int | None = None, note: str = "",
                  source: str = "web", tags=None, **fields) -> Person:
    """修改人员信息: only the given fields (and the tags, when given, in the same change record); refused (409) if
    someone else saved the person meanwhile."""
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationFailed(f"不能修改的字段:{'、'.join(sorted(unknown))}")
    policy.check_write(actor, neighbourhood=person.neighbourhood_id, grid=person.grid_id, what="人员")
    values = _person_values(fields, current=person)
    with transaction.atomic():
        _unique_document({**values, "id_type": values.get("id_type", person.id_type)}, exclude=person.pk)
        before = _snapshot(person, PERSON_FIELDS)
        changed = {k: v for k, v in values.items() if getattr(person, k) != v}
        tag_change = None
        if tags is not None:
            tags_before = sorted(person.tags.values_list("name", flat=True))
            tags_after = _set_tags(person, list(tags))  # rolled back with the rest if the version is stale
            tag_change = [tags_before, tags_after] if tags_before != tags_after else None
        if not changed and not tag_change:
            return person
        _bump(Person, person, version, changed)
        changes = _diff(before, _snapshot(person, PERSON_FIELDS))
        if tag_change:
            changes["tags"] = tag_change
        change_record(actor=actor, entity=Entity.PERSON, object_id=person.pk, action=ChangeRecord.Action.UPDATE,
                      changes=changes, note=note, source=source)
    return person


def _set_tags(person: Person, tags) -> list[str]:
    tags = list(tags)
    objs = [t if isinstance(t, Tag) else Tag.objects.filter(name=t, is_active=True).first() for t in tags]
    missing = [str(t) for t, o in zip(tags, objs, strict=True) if o is None]
    if missing:
        raise ValidationFailed(f"未知的人员标签:{'、'.join(missing)}", details={"field": "tags"})
    person.tags.set(objs)
    return sorted(o.name for o in objs)


def person_tags_set(*, actor: User, person: Person, tags, source: str = "web") -> Person:
    policy.check_write(actor, neighbourhood=person.neighbourhood_id, grid=person.grid_id, what="人员")
    with transaction.atomic():
        before = sorted(person.tags.values_list("name", flat=True))
        after = _set_tags(person, list(tags))
        if before != after:
            _bump(Person, person, None, {})
            change_record(actor=actor, entity=Entity.PERSON, object_id=person.pk, action=ChangeRecord.Action.TAG,
                          changes={"tags": [before, after]}, source=source)
    return person


def _join(*, actor: User, person: Person, household: Household, relation: str, source: str,
          note: str = "") -> Membership:
    if relation not in _VALUES[Relation]:
        raise ValidationFailed("与户主关系不正确", details={"field": "relation"})
    if relation == Relation.HEAD and household.memberships.filter(ended_at__isnull=True, relation=Relation.HEAD).exists():
        raise Conflict("该户已有户主,请先调整原户主的关系", details={"field": "relation"})
    now = clock.now()
    membership = Membership.objects.create(person=person, household=household, relation=relation, started_at=now)
    Person.objects.filter(pk=person.pk).update(neighbourhood=household.neighbourhood, grid=household.grid)
    person.neighbourhood, person.grid = household.neighbourhood, household.grid
    label = Relation(relation).label
    change_record(actor=actor, entity=Entity.PERSON, object_id=person.pk, action=ChangeRecord.Action.MOVE_IN,
                  changes={"household": [None, household.address], "relation": [None, label]}, note=note, source=source)
    change_record(actor=actor, entity=Entity.HOUSEHOLD, object_id=household.pk, action=ChangeRecord.Action.MOVE_IN,
                  changes={"member": [None, person.name], "relation": [None, label]}, note=note, source=source)
    return membership


def person_move(*, actor: User, person: Person, household: Household | None, relation: str = Relation.OTHER,
                note: str = "", source: str = "web") -> Person:
    """入户/迁居/离户: ends the open membership (kept as history) and opens the new one; `household=None` moves out."""
    policy.check_write(actor, neighbourhood=person.neighbourhood_id, grid=person.grid_id, what="人员")
    if household is not None:
        policy.check_write(actor, neighbourhood=household.neighbourhood_id, grid=household.grid_id, what="户")
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        current = Membership.objects.filter(person=locked, ended_at__isnull=True).select_related("household").first()
        if current is not None and household is not None and current.household_id == household.pk:
            if current.relation == relation:
                raise ValidationFailed("该人员已是本户成员", details={"field": "household"})
        if current is not None:
            Membership.objects.filter(pk=current.pk).update(ended_at=clock.now())
            change_record(actor=actor, entity=Entity.PERSON, object_id=person.pk, action=ChangeRecord.Action.MOVE_OUT,
                          changes={"household": [current.household.address, None]}, note=note, source=source)
            change_record(actor=actor, entity=Entity.HOUSEHOLD, object_id=current.household_id,
                          action=ChangeRecord.Action.MOVE_OUT, changes={"member": [person.name, None]}, note=note,
                          source=source)
        if household is not None:
            _join(actor=actor, person=person, household=household, relation=relation, source=source, note=note)
        _bump(Person, person, None, {})
    return person


# --- households ---------------------------------------------------------------------------------------------------


def _housing_values(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "housing" in values:
        if values["housing"] not in _VALUES[HousingStatus]:
            raise ValidationFailed("房屋状态须为 自住/出租/空置/未核实", details={"field": "housing"})
        out["housing"] = values["housing"]
    if "tenant_count" in values:
        count = values["tenant_count"]
        if count is not None and (not isinstance(count, int) or not 0 <= count <= 200):
            raise ValidationFailed("租住人数须为 0–200 的整数", details={"field": "tenant_count"})
        out["tenant_count"] = count
    for field in ("rental_start", "rental_end"):
        if field in values:
            if values[field] is not None and not isinstance(values[field], date):
                raise ValidationFailed("租赁日期格式不正确(如 2026-03-01)", details={"field": field})
            out[field] = values[field]
    if out.get("rental_start") and out.get("rental_end") and out["rental_end"] < out["rental_start"]:
        raise ValidationFailed("租赁截止日期不能早于起始日期", details={"field": "rental_end"})
    if "crowded_rental" in values:
        out["crowded_rental"] = bool(values["crowded_rental"])
    if "notes" in values:
        out["notes"] = clean_text(values["notes"], field="notes", label="备注", max_length=2000)
    return out


def household_place(address: str, *, gazetteer: Gazetteer | None = None) -> dict[str, Any]:
    """The address's parts and its 小区/居民区/网格 from the gazetteer (None where the gazetteer doesn't know it)."""
    parsed = parse_address(clean_text(address, field="address", label="地址", max_length=200, required=True))
    place = (gazetteer or Gazetteer.load()).lookup(parsed.text)
    return dict(address=parsed.display, address_key=parsed.key, road=parsed.road, lane=parsed.lane,
                house=parsed.house, room=parsed.room, estate=place.estate if place else None,
                neighbourhood=place.neighbourhood if place else None, grid=place.grid if place else None)


def household_create(*, actor: User, address: str, housing: str = HousingStatus.UNKNOWN,
                     tenant_count: int | None = None, rental_start: date | None = None, rental_end: date | None = None,
                     crowded_rental: bool = False, notes: str = "", neighbourhood=None, source: str = "web",
                     gazetteer: Gazetteer | None = None) -> Household:
    """登记一户 at an address down to the room; its 居民区/网格 come from the gazetteer (or are given)."""
    place = household_place(address, gazetteer=gazetteer)
    if place["neighbourhood"] is None:
        if neighbourhood is None:
            raise ValidationFailed("地址不在本街道的地址库中,请核对路名和弄号,或指定所属居民区", details={"field": "address"})
        place["neighbourhood"] = neighbourhood
    if not place["room"] and not place["house"]:
        raise ValidationFailed("地址须写到门牌号(路/弄/号,最好到室)", details={"field": "address"})
    values = _housing_values(dict(housing=housing, tenant_count=tenant_count, rental_start=rental_start,
                                  rental_end=rental_end, crowded_rental=crowded_rental, notes=notes))
    policy.check_write(actor, neighbourhood=place["neighbourhood"], grid=place["grid"], what="户")
    now = clock.now()
    with transaction.atomic():
        if Household.objects.filter(address_key=place["address_key"]).exists():
            raise Conflict(f"地址 {place['address']} 已登记为一户", details={"field": "address"})
        try:
            with transaction.atomic():
                household = Household.objects.create(**place, **values, created_at=now, updated_at=now)
        except IntegrityError:
            raise Conflict(f"地址 {place['address']} 已登记为一户", details={"field": "address"}) from None
        changes = {k: [None, v] for k, v in _snapshot(household, ("address", *HOUSEHOLD_FIELDS)).items()
                   if v not in ("", None, False)}
        change_record(actor=actor, entity=Entity.HOUSEHOLD, object_id=household.pk,
                      action=ChangeRecord.Action.CREATE, changes=changes, source=source)
    return household


def household_update(*, actor: User, household: Household, version: int | None = None, note: str = "",
                     source: str = "web", **fields) -> Household:
    unknown = set(fields) - set(HOUSEHOLD_FIELDS)
    if unknown:
        raise ValidationFailed(f"不能修改的字段:{'、'.join(sorted(unknown))}")
    policy.check_write(actor, neighbourhood=household.neighbourhood_id, grid=household.grid_id, what="户")
    merged = {f: getattr(household, f) for f in ("rental_start", "rental_end")}
    values = _housing_values({**merged, **fields})
    with transaction.atomic():
        before = _snapshot(household, HOUSEHOLD_FIELDS)
        changed = {k: v for k, v in values.items() if getattr(household, k) != v}
        if not changed:
            return household
        _bump(Household, household, version, changed)
        change_record(actor=actor, entity=Entity.HOUSEHOLD, object_id=household.pk,
                      action=ChangeRecord.Action.UPDATE, changes=_diff(before, _snapshot(household, HOUSEHOLD_FIELDS)),
                      note=note, source=source)
    return household


# --- units --------------------------------------------------------------------------------------------------------


def _unit_values(values: dict[str, Any], *, gazetteer: Gazetteer | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "name" in values:
        out["name"] = clean_text(values["name"], field="name", label="单位名称", max_length=100, required=True)
    if "credit_code" in values:
        out["credit_code"] = clean_credit_code(values["credit_code"] or "")
    if "kind" in values:
        if values["kind"] not in _VALUES[UnitKind]:
            raise ValidationFailed("单位类型不正确", details={"field": "kind"})
        out["kind"] = values["kind"]
    if "status" in values:
        if values["status"] not in _VALUES[UnitStatus]:
            raise ValidationFailed("经营状态不正确", details={"field": "status"})
        out["status"] = values["status"]
    if "phone" in values:
        try:
            out["phone"] = validate_phone(values["phone"] or "")
        except ValidationFailed as error:
            raise ValidationFailed(error.message.replace("联系电话", "单位电话"), details={"field": "phone"}) from None
    if "notes" in values:
        out["notes"] = clean_text(values["notes"], field="notes", label="备注", max_length=2000)
    if "operator" in values:
        if values["operator"] is not None and not isinstance(values["operator"], Person):
            raise ValidationFailed("经营者须为底册中的人员", details={"field": "operator"})
        out["operator"] = values["operator"]
    if "address" in values:
        place = household_place(values["address"], gazetteer=gazetteer)
        out.update(address=place["address"], address_key=place["address_key"], road=place["road"],
                   estate=place["estate"], neighbourhood=place["neighbourhood"], grid=place["grid"])
    return out


def _unique_credit_code(code: str, *, exclude: int | None = None) -> None:
    if code and Unit.objects.filter(credit_code=code).exclude(pk=exclude).exists():
        raise Conflict("该统一社会信用代码已登记", details={"field": "credit_code"})


def unit_create(*, actor: User, name: str, address: str, kind: str = UnitKind.SHOP, credit_code: str = "",
                phone: str = "", status: str = UnitStatus.OPEN, notes: str = "", operator: Person | None = None,
                neighbourhood=None, source: str = "web", gazetteer: Gazetteer | None = None) -> Unit:
    values = _unit_values(dict(name=name, address=address, kind=kind, credit_code=credit_code, phone=phone,
                               status=status, notes=notes, operator=operator), gazetteer=gazetteer)
    if values["neighbourhood"] is None:
        if neighbourhood is None:
            raise ValidationFailed("地址不在本街道的地址库中,请核对路名和门牌号,或指定所属居民区", details={"field": "address"})
        values["neighbourhood"] = neighbourhood
    policy.check_write(actor, neighbourhood=values["neighbourhood"], grid=values["grid"], what="单位")
    now = clock.now()
    with transaction.atomic():
        _unique_credit_code(values["credit_code"])
        if not values["credit_code"] and Unit.objects.filter(name=values["name"],
                                                             address_key=values["address_key"]).exists():
            raise Conflict("同一地址已登记同名单位", details={"field": "name"})
        try:
            with transaction.atomic():
                unit = Unit.objects.create(**values, created_at=now, updated_at=now)
        except IntegrityError:
            raise Conflict("该统一社会信用代码已登记", details={"field": "credit_code"}) from None
        changes = {k: [None, v] for k, v in _snapshot(unit, UNIT_FIELDS).items() if v not in ("", None)}
        change_record(actor=actor, entity=Entity.UNIT, object_id=unit.pk, action=ChangeRecord.Action.CREATE,
                      changes=changes, source=source)
    return unit


def unit_update(*, actor: User, unit: Unit, version: int | None = None, note: str = "", source: str = "web",
                **fields) -> Unit:
    unknown = set(fields) - set(UNIT_FIELDS)
    if unknown:
        raise ValidationFailed(f"不能修改的字段:{'、'.join(sorted(unknown))}")
    policy.check_write(actor, neighbourhood=unit.neighbourhood_id, grid=unit.grid_id, what="单位")
    values = _unit_values(fields)
    if "address" in values and values["neighbourhood"] is None:
        values["neighbourhood"] = unit.neighbourhood
    if "neighbourhood" in values:
        policy.check_write(actor, neighbourhood=values["neighbourhood"], grid=values["grid"], what="单位")
    with transaction.atomic():
        _unique_credit_code(values.get("credit_code", ""), exclude=unit.pk)
        before = _snapshot(unit, UNIT_FIELDS)
        changed = {k: v for k, v in values.items() if getattr(unit, k) != v}
        if not changed:
            return unit
        _bump(Unit, unit, version, changed)
        change_record(actor=actor, entity=Entity.UNIT, object_id=unit.pk, action=ChangeRecord.Action.UPDATE,
                      changes=_diff(before, _snapshot(unit, UNIT_FIELDS)), note=note, source=source)
    return unit


def unit_contact_set(*, actor: User, unit: Unit, person: Person, role: str = "", remove: bool = False,
                     source: str = "web") -> Unit:
    policy.check_write(actor, neighbourhood=unit.neighbourhood_id, grid=unit.grid_id, what="单位")
    role = clean_text(role, field="role", label="职责", max_length=30)
    with transaction.atomic():
        if remove:
            deleted, _ = UnitContact.objects.filter(unit=unit, person=person).delete()
            if not deleted:
                raise ValidationFailed("该人员不是本单位的联系人")
            changes = {"contact": [person.name, None]}
        else:
            contact, created = UnitContact.objects.update_or_create(unit=unit, person=person, defaults={"role": role})
            changes = {"contact": [None if created else person.name, f"{person.name}({role})" if role else person.name]}
        _bump(Unit, unit, None, {})
        change_record(actor=actor, entity=Entity.UNIT, object_id=unit.pk, action=ChangeRecord.Action.UPDATE,
                      changes=changes, source=source)
    return unit


# --- capacities ---------------------------------------------------------------------------------------------------


def capacity_grant(*, actor: User, person: Person, kind: str, neighbourhood=None, unit: Unit | None = None,
                   note: str = "", source: str = "web") -> Capacity:
    kinds = capacity_kinds()
    if kind not in kinds:
        raise ValidationFailed("未知的身份类型", details={"field": "kind"})
    policy.check_write(actor, neighbourhood=person.neighbourhood_id, grid=person.grid_id, what="人员")
    with transaction.atomic():
        open_ = Capacity.objects.filter(person=person, kind=kind, unit=unit, ended_at__isnull=True)
        if open_.exists():
            raise Conflict(f"该人员已有身份:{kinds[kind]}")
        capacity = Capacity.objects.create(person=person, kind=kind, neighbourhood=neighbourhood, unit=unit,
                                           started_at=clock.now(), note=note[:200])
        change_record(actor=actor, entity=Entity.PERSON, object_id=person.pk, action=ChangeRecord.Action.UPDATE,
                      changes={"capacity": [None, kinds[kind] + (f"({unit.name})" if unit else "")]}, source=source)
    return capacity


def capacity_end(*, actor: User, capacity: Capacity, note: str = "", source: str = "web") -> Capacity:
    person = capacity.person
    policy.check_write(actor, neighbourhood=person.neighbourhood_id, grid=person.grid_id, what="人员")
    with transaction.atomic():
        if Capacity.objects.filter(pk=capacity.pk, ended_at__isnull=True).update(ended_at=clock.now()) != 1:
            raise Conflict("该身份已结束")
        capacity.refresh_from_db()
        change_record(actor=actor, entity=Entity.PERSON, object_id=person.pk, action=ChangeRecord.Action.UPDATE,
                      changes={"capacity": [capacity_kinds().get(capacity.kind, capacity.kind), None]}, note=note,
                      source=source)
    return capacity


# --- a case's 诉求人 ------------------------------------------------------------------------------------------------


def case_link_decide(*, actor: User, case: Case, person: Person, linked: bool, source: str = "web") -> CaseLink:
    """确认 (linked) or 否认 (rejected) that the case's 诉求人 is this person; a rejected pair is not suggested again.

    Linking is for roles that see both the case's and the person's data clear (受理员, 派单员, 回访员)."""
    if actor.role not in policy.CLEAR_ROLES:
        raise PermissionDenied("您的角色不能关联工单诉求人")
    household = person.memberships.filter(ended_at__isnull=True).values_list("household", flat=True).first()
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).first()
        existing = CaseLink.objects.filter(case=case, decision=CaseLink.Decision.LINKED).exclude(person=person).first()
        if linked and existing is not None:
            raise Conflict("该工单的诉求人已关联其他人员,请先取消原关联")
        link, _ = CaseLink.objects.update_or_create(
            case=case, person=person,
            defaults=dict(decision=CaseLink.Decision.LINKED if linked else CaseLink.Decision.REJECTED,
                          household_id=household if linked else None, decided_by=actor, decided_at=clock.now()))
        action = ChangeRecord.Action.LINK_CASE if linked else ChangeRecord.Action.UNLINK_CASE
        change_record(actor=actor, entity=Entity.PERSON, object_id=person.pk, action=action,
                      changes={"case": [None, case.number] if linked else [case.number, None]}, source=source)
    return link
