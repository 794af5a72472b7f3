"""Writing many new cases and their register events at once (hotline imports).

On PostgreSQL the rows go in with COPY, ids reserved from the table's sequence first so the events can point at
their cases; elsewhere with bulk_create. Django's per-object work in bulk_create (model instances, per-field
get_db_prep_save, one huge parameter list) cost more than everything else in an import; COPY of plain tuples does
not. The values were validated by cases.services._case_values, the same checks as a single 受理.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from operator import attrgetter
from typing import Any

from django.db import connection
from django.db.models import Model

from org.models import User

from .models import Case, CaseEvent, State
from .signals import cases_registered_in_bulk


@dataclass(frozen=True, slots=True)
class Registered:
    pk: int
    number: str
    hotline_number: str
    neighbourhood_id: int | None


@cache
def _case_columns() -> tuple[tuple[str, str, Any, Any], ...]:
    """(field name, column, default, how to get the column's value from the related object or None) for every
    column of a case except its id."""
    return tuple((f.name, f.column, f.get_default(), attrgetter(f.target_field.attname) if f.is_relation else None)
                 for f in Case._meta.concrete_fields if not f.primary_key)


def existing_hotline_numbers(numbers: list[str]) -> set[str]:
    """Which of these hotline numbers already have a case (one array parameter on PostgreSQL, not thousands)."""
    if not numbers:
        return set()
    if connection.vendor == "postgresql":
        # One index probe per number, whatever the statistics say: with `= ANY(array)` the planner costs 2,000
        # probes above a scan of the table and, while an import grows the table faster than autovacuum analyses
        # it, scans every case once per batch. LIMIT 1 keeps the lateral subquery a per-number index lookup.
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT found.hotline_number FROM unnest(%s::varchar[]) AS wanted(number) CROSS JOIN LATERAL '
                           f'(SELECT hotline_number FROM "{Case._meta.db_table}" WHERE hotline_number = wanted.number '
                           f'LIMIT 1) AS found', [numbers])
            return {row[0] for row in cursor.fetchall()}
    return set(Case.objects.filter(hotline_number__in=numbers).values_list("hotline_number", flat=True))


def relax_commit_durability() -> None:
    """For the current import batch only: don't wait for the WAL flush at commit (PostgreSQL).

    A database crash right after may lose the last batches, but each batch's rows and the job's position commit
    together, so a resumed import re-imports exactly those: never a half row, never a duplicate."""
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _register_payload(values: dict[str, Any]) -> dict[str, Any]:
    return {"source": values["source"], "place_found": values["neighbourhood"] is not None}


def cases_insert(accepted: list[dict[str, Any]], *, actor: User) -> list[Registered]:
    if connection.vendor == "postgresql":
        ids = _copy_cases(accepted)
        _copy_register_events(accepted, ids, actor)
    else:
        cases = Case.objects.bulk_create([Case(**values) for values in accepted])
        ids = [case.pk for case in cases]
        CaseEvent.objects.bulk_create([
            CaseEvent(case_id=pk, action="register", actor=actor, at=values["registered_at"], from_state="",
                      to_state=State.REGISTERED, payload=_register_payload(values))
            for pk, values in zip(ids, accepted, strict=True)])
    cases_registered_in_bulk.send(sender=Case, registered_at=[values["registered_at"] for values in accepted])
    return [Registered(pk, values["number"], values["hotline_number"], _pk(values["neighbourhood"]))
            for pk, values in zip(ids, accepted, strict=True)]


def _pk(value: Model | None) -> int | None:
    return None if value is None else value.pk


def _copy_cases(accepted: list[dict[str, Any]]) -> list[int]:
    table = Case._meta.db_table
    columns = _case_columns()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)",
                       [len(accepted)])
        ids = [row[0] for row in cursor.fetchall()]
        names = ", ".join(["id", *(f'"{column}"' for _, column, _, _ in columns)])
        # Most columns of a new case hold their defaults: start from those and fill in what the row gives.
        template = [None, *(default for _, _, default, _ in columns)]
        given = [(index, name) for index, (name, _, _, related) in enumerate(columns, start=1)
                 if name in accepted[0] and related is None]
        relations = [(index, name, related) for index, (name, _, _, related) in enumerate(columns, start=1)
                     if name in accepted[0] and related is not None]
        with cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
            write_row = copy.write_row
            for pk, values in zip(ids, accepted, strict=True):
                row = template.copy()
                row[0] = pk
                for index, name in given:
                    row[index] = values[name]
                for index, name, related in relations:
                    value = values[name]
                    if value is not None:
                        row[index] = related(value)
                write_row(row)
    return ids


def _copy_register_events(accepted: list[dict[str, Any]], ids: list[int], actor: User) -> None:
    table = CaseEvent._meta.db_table
    payloads: dict[tuple[str, bool], str] = {}  # a handful of distinct payloads: each serialised once
    with connection.cursor() as cursor, cursor.cursor.copy(
            f'COPY "{table}" (case_id, action, actor_id, "at", from_state, to_state, note, payload) FROM STDIN') as copy:
        for pk, values in zip(ids, accepted, strict=True):
            key = (values["source"], values["neighbourhood"] is not None)
            payload = payloads.get(key)
            if payload is None:
                payload = payloads[key] = json.dumps(_register_payload(values), ensure_ascii=False)
            copy.write_row([pk, "register", actor.pk, values["registered_at"], "", State.REGISTERED, "", payload])
