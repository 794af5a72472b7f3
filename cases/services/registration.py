"""受理: registering one case (form, API, public report, sensor) or many (12345 import), with the same checks."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from core import clock
from core.errors import ValidationFailed
from org.models import Category, Grid, Neighbourhood, Role, User
from org.selectors import Gazetteer

from ..models import (
    Case,
    CaseCounter,
    CaseEvent,
    IdempotencyKey,
    Source,
    State,
    Urgency,
)
from ..signals import case_events_send_on_commit
from ..transitions import TRANSITIONS, require_fields
from . import bulk
from .engine import check_actor

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# Enum .values rebuilds its list on every call; a bulk import checks these once per row.
SOURCE_VALUES, URGENCY_VALUES = frozenset(Source.values), frozenset(Urgency.values)
LANDLINE_RE = re.compile(r"^(0\d{2,3}-?)?[2-9]\d{6,7}(-\d{1,6})?$")


# --- 受理 ---------------------------------------------------------------------------------------------


PHONE_NOISE_RE = re.compile(r"[\s()()]")


def validate_phone(phone: str) -> str:
    compact = PHONE_NOISE_RE.sub("", phone or "")
    if compact.startswith("+86"):
        compact = compact[3:]
    if compact and not (MOBILE_RE.match(compact) or LANDLINE_RE.match(compact)):
        raise ValidationFailed("联系电话格式不正确:请填写11位手机号或固定电话(如 021-62481234)",
                               details={"field": "citizen_phone"})
    return compact


def _next_case_numbers(moment: datetime, count: int) -> list[str]:
    """`count` consecutive numbers of the moment's year, reserved under the counter's row lock."""
    from django.conf import settings

    year = timezone.localtime(moment).year
    CaseCounter.objects.get_or_create(year=year)
    counter = CaseCounter.objects.select_for_update().get(year=year)
    first = counter.last + 1
    counter.last += count
    counter.save(update_fields=["last"])
    return [f"{settings.CASE_NUMBER_PREFIX}-{year}-{n:06d}" for n in range(first, first + count)]


def _case_values(
    *, actor: User, source: str, title: str, content: str, category: Category | None = None, address: str = "",
    latitude: Decimal | None = None, longitude: Decimal | None = None, neighbourhood: Neighbourhood | None = None,
    grid: Grid | None = None, citizen_name: str = "", citizen_phone: str = "", urgency: str = Urgency.NORMAL,
    hotline_number: str = "", registered_at: datetime, gazetteer: Gazetteer | None = None,
    citizen_phone_unverified: bool = False, hotline_due_at: datetime | None = None,
) -> dict[str, Any]:
    """The validated, placed fields of a new case: what 受理 checks, shared by single and bulk registration."""
    if source not in SOURCE_VALUES:
        raise ValidationFailed("来源不正确", details={"field": "source"})
    if urgency not in URGENCY_VALUES:
        raise ValidationFailed("紧急程度不正确", details={"field": "urgency"})
    content = require_fields("register", content=content)["content"]
    title = (title or "").strip() or content[:30]
    if len(title) > 120:
        raise ValidationFailed("标题不能超过120个字", details={"field": "title"})
    if source == Source.HOTLINE and not (hotline_number or "").strip():
        raise ValidationFailed("12345热线工单须填写热线工单号", details={"field": "hotline_number"})
    if category is not None and not category.is_leaf:
        raise ValidationFailed("请选择小类,不能只选大类", details={"field": "category"})
    if (latitude is None) != (longitude is None):
        raise ValidationFailed("经纬度须同时填写", details={"field": "latitude"})
    if citizen_phone_unverified:  # a 12345 row's invalid phone, kept as given and flagged (hotline import)
        phone = (citizen_phone or "").strip()[:30]
    else:
        phone = validate_phone(citizen_phone)
    estate = None
    if address and neighbourhood is None:
        place = (gazetteer or Gazetteer.load()).lookup(address)
        if place:
            estate, neighbourhood, grid = place.estate, place.neighbourhood, grid or place.grid
    if actor.role == Role.GRID and grid is None:
        grid = actor.grid
    # After the 网格员's default grid, so a patrol report at an unknown address still gets its 居民区.
    if grid is not None and neighbourhood is None:
        neighbourhood = grid.neighbourhood
    return dict(
        source=source, hotline_number=(hotline_number or "").strip(), title=title, content=content,
        category=category, address=(address or "").strip(), latitude=latitude, longitude=longitude,
        neighbourhood=neighbourhood, estate=estate, grid=grid, citizen_name=(citizen_name or "").strip(),
        citizen_phone=phone, urgency=urgency, state=State.REGISTERED, registered_at=registered_at, created_by=actor,
        **({"citizen_phone_unverified": True} if citizen_phone_unverified else {}),
        **({"hotline_due_at": hotline_due_at} if hotline_due_at is not None else {}),
    )


def _new_case(**fields: Any) -> Case:
    """A validated, placed, unsaved case."""
    return Case(**_case_values(**fields))


def _register_event(case: Case, actor: User) -> CaseEvent:
    return CaseEvent(case=case, action="register", actor=actor, at=case.registered_at, from_state="",
                     to_state=State.REGISTERED,
                     payload={"source": case.source, "place_found": case.neighbourhood_id is not None})


def case_register(*, actor: User, idempotency_key: str | None = None, **fields: Any) -> Case:
    """受理: a new case from any source (fields as in `_new_case`). With an idempotency key a retry returns the
    first case."""
    check_actor(actor, TRANSITIONS["register"], "")
    if idempotency_key:
        existing = IdempotencyKey.objects.filter(user=actor, key=idempotency_key).select_related("case").first()
        if existing:
            existing.case.idempotent_replay = True  # the caller must not repeat what followed the first time
            return existing.case
    now = clock.now()
    case = _new_case(actor=actor, registered_at=now, **fields)
    try:
        with transaction.atomic():
            case.number = _next_case_numbers(now, 1)[0]
            case.save(force_insert=True)
            if idempotency_key:
                IdempotencyKey.objects.create(user=actor, key=idempotency_key, case=case)
            event = _register_event(case, actor)
            event.save(force_insert=True)
            case_events_send_on_commit([event])
    except IntegrityError:
        # A concurrent retry with the same key won the race: answer with its case.
        existing = IdempotencyKey.objects.filter(user=actor, key=idempotency_key).select_related("case").first()
        if idempotency_key and existing:
            existing.case.idempotent_replay = True
            return existing.case
        raise
    return case


def case_register_bulk(*, actor: User, rows: list[dict[str, Any]], gazetteer: Gazetteer | None = None,
                       ) -> tuple[list[bulk.Registered], list[tuple[int, str]]]:
    """受理 many cases at once (hotline imports): the same checks and the same register event per case, written
    in bulk (COPY on PostgreSQL). Returns what was registered and (row index, reason) for each row refused; refused
    rows write nothing. Runs inside the caller's transaction."""
    accepted, refused = case_values_bulk(actor=actor, rows=rows, gazetteer=gazetteer or Gazetteer.load())
    return case_register_validated(actor=actor, accepted=[values for _, values in accepted]), refused


def case_values_bulk(*, actor: User, rows: list[dict[str, Any]], gazetteer: Gazetteer, now: datetime | None = None,
                     ) -> tuple[list[tuple[int, dict[str, Any]]], list[tuple[int, str]]]:
    """The checking half of bulk 受理: (row index, validated values) per accepted row and (row index, reason) per
    refused one, through `_case_values` like a single 受理. No database access (the gazetteer is loaded and the
    actor's grid fetched beforehand), so an import can run it in a thread beside the writes of the previous batch."""
    check_actor(actor, TRANSITIONS["register"], "")
    now = now or clock.now()
    accepted: list[tuple[int, dict[str, Any]]] = []
    refused: list[tuple[int, str]] = []
    for index, fields in enumerate(rows):
        try:
            accepted.append((index, _case_values(actor=actor, gazetteer=gazetteer, **{"registered_at": now, **fields})))
        except ValidationFailed as exc:
            refused.append((index, exc.message))
    return accepted, refused


def case_register_validated(*, actor: User, accepted: list[dict[str, Any]],
                            copy_texts: list[tuple[str, str]] | None = None) -> list[bulk.Registered]:
    """The writing half of bulk 受理: numbers (per registration year, under the counter's row lock) for the values
    not numbered yet (see case_numbers_reserve), and one bulk insert of the cases and their register events, for
    values from `case_values_bulk` (and, on PostgreSQL, optionally their `bulk.copy_text`, built ahead). Inside
    the caller's transaction."""
    check_actor(actor, TRANSITIONS["register"], "")
    if not accepted:
        return []
    _assign_case_numbers([values for values in accepted if "number" not in values])
    return bulk.cases_insert(accepted, actor=actor, copy_texts=copy_texts)


def case_numbers_reserve(*, actor: User, accepted: list[dict[str, Any]]) -> None:
    """Numbers for these validated values, taken now in a transaction of their own (called outside any), so a bulk
    write that follows in another transaction does not hold the counter's lock until it commits: imports write
    batches side by side on several connections. The price: if that write fails, its numbers stay unused."""
    check_actor(actor, TRANSITIONS["register"], "")
    with transaction.atomic():
        # Not waiting for the WAL flush is safe here: the log is one sequence, so a crash that loses this commit
        # loses every later one too, the bulk write of these numbers included; numbers are never given twice.
        bulk.relax_commit_durability()
        _assign_case_numbers(accepted)


def _assign_case_numbers(accepted: list[dict[str, Any]]) -> None:
    # Numbers follow the registration year of each case, taken in blocks per year.
    tz = timezone.get_current_timezone()
    by_year: dict[int, list[dict[str, Any]]] = {}
    for values in accepted:
        by_year.setdefault(values["registered_at"].astimezone(tz).year, []).append(values)
    for group in by_year.values():
        for values, number in zip(group, _next_case_numbers(group[0]["registered_at"], len(group)), strict=True):
            values["number"] = number
