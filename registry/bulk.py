"""Bulk inserts for the import: COPY on PostgreSQL (ids taken from the table's sequence first, so the rows that
point at them can follow), bulk_create elsewhere. `insert` takes model instances, `insert_values` plain tuples
(no instance built for a row nobody reads back: memberships, change records)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.db import connections
from django.db.models import JSONField


def _converters(fields) -> list:
    # JSON as text: COPY's text format hands it to jsonb's input as it is (no psycopg adapter per value).
    return [(lambda v: None if v is None else json.dumps(v)) if isinstance(f, JSONField) else None for f in fields]


def _copy(table: str, fields, rows) -> None:
    connection = connections["default"]
    converters = _converters(fields)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {connection.ops.quote_name(table)} ({columns}) FROM STDIN") as copy:
        if any(converters):
            for row in rows:
                copy.write_row([c(v) if c else v for c, v in zip(converters, row, strict=True)])
        else:
            for row in rows:
                copy.write_row(row)


def _allocate(model, count: int) -> list[int]:
    connection = connections["default"]
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT nextval(pg_get_serial_sequence('{meta.db_table}', '{meta.pk.column}')) "
                       "FROM generate_series(1, %s)", [count])
        return [pk for (pk,) in cursor.fetchall()]


def insert(model, objs: list, *, ids: bool = False) -> None:
    """Insert model instances; with `ids`, each gets its primary key (needed when other rows point at it)."""
    if not objs:
        return
    if connections["default"].vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=1000)
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields if ids or not f.primary_key]
    if ids:
        for obj, pk in zip(objs, _allocate(model, len(objs)), strict=True):
            obj.pk = pk
    for obj in objs:
        for f in fields:
            if getattr(f, "auto_now_add", False) and getattr(obj, f.attname) is None:
                setattr(obj, f.attname, f.pre_save(obj, True))
    names = [f.attname for f in fields]
    _copy(meta.db_table, fields, ([getattr(obj, n) for n in names] for obj in objs))
    for obj in objs:
        obj._state.adding = False
        obj._state.db = "default"


def insert_dicts(model, rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows given as {attname: value} (the fields left out take their defaults) without building a model
    instance per row on PostgreSQL; returns their primary keys, in order."""
    if not rows:
        return []
    meta = model._meta
    if connections["default"].vendor != "postgresql":
        objs = [model(**row) for row in rows]
        model.objects.bulk_create(objs, batch_size=1000)
        return [obj.pk for obj in objs]
    fields = list(meta.concrete_fields)
    defaults = {f.attname: f.get_default() for f in fields if not f.primary_key and not callable(f.default)}
    callables = [f for f in fields if not f.primary_key and callable(f.default)]
    names = [f.attname for f in fields]
    ids = _allocate(model, len(rows))
    full = []
    for pk, row in zip(ids, rows, strict=True):
        values = {**defaults, **{f.attname: f.get_default() for f in callables if f.attname not in row}, **row,
                  meta.pk.attname: pk}
        full.append([values[n] for n in names])
    _copy(meta.db_table, fields, full)
    return ids


def insert_values(model, names: Sequence[str], rows: list[tuple]) -> None:
    """Insert rows given as tuples of the named fields (attnames: `person_id`, not `person`)."""
    if not rows:
        return
    if connections["default"].vendor != "postgresql":
        model.objects.bulk_create([model(**dict(zip(names, row, strict=True))) for row in rows], batch_size=1000)
        return
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    _copy(model._meta.db_table, [by_attname[n] for n in names], rows)


def analyze(models) -> None:
    """Refresh PostgreSQL's statistics of tables an import just filled by COPY: until autovacuum gets to them the
    planner believes they hold the few rows they had before, and plans the next import's join of persons and homes
    as a nested loop over every pair of rows (minutes instead of a second)."""
    connection = connections["default"]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
