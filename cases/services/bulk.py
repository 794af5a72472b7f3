"""Writing many new cases and their register events at once (hotline imports).

On PostgreSQL the rows go in with COPY, ids reserved from the table's sequence first so the events can point at
their cases; elsewhere with bulk_create. Django's per-object work in bulk_create (model instances, per-field
get_db_prep_save, one huge parameter list) cost more than everything else in an import; COPY of plain tuples does
not. The values were validated by cases.services.registration._case_values, the same checks as a single 受理.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from operator import attrgetter
from typing import Any

from django.db import connection
from django.db.models import Model

from org.models import User

from ..models import Case, CaseEvent, State
from ..signals import case_events_send_on_commit


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


_NUMBER_SEPARATOR = "\x1f"  # ASCII unit separator: not in a hotline number (if it is, the list goes as an array)


def existing_hotline_numbers(numbers: list[str]) -> set[str]:
    """Which of these hotline numbers already have a case (one array parameter on PostgreSQL, not thousands)."""
    if not numbers:
        return set()
    if connection.vendor == "postgresql":
        # One index probe per number, whatever the statistics say: with `= ANY(array)` the planner costs 2,000
        # probes above a scan of the table and, while an import grows the table faster than autovacuum analyses
        # it, scans every case once per batch. LIMIT 1 keeps the lateral subquery a per-number index lookup.
        # One text parameter split by the server: psycopg adapts a list element by element in Python.
        joined = _NUMBER_SEPARATOR.join(numbers)
        if joined.count(_NUMBER_SEPARATOR) == len(numbers) - 1:
            array, parameter = "string_to_array(%s, E'\\x1f')", joined
        else:
            array, parameter = "%s::varchar[]", numbers
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT found.hotline_number FROM unnest({array}) AS wanted(number) CROSS JOIN LATERAL '
                           f'(SELECT hotline_number FROM "{Case._meta.db_table}" WHERE hotline_number = wanted.number '
                           f'LIMIT 1) AS found', [parameter])
            return {row[0] for row in cursor.fetchall()}
    return set(Case.objects.filter(hotline_number__in=numbers).values_list("hotline_number", flat=True))


def relax_commit_durability() -> None:
    """For the current import transaction only: don't wait for the WAL flush at commit (PostgreSQL).

    A database crash right after may lose the last batches, but each batch's rows and its ImportBatch row commit
    together, so a resumed import re-imports exactly those: never a half row, never a duplicate."""
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _register_payload(values: dict[str, Any]) -> dict[str, Any]:
    return {"source": values["source"], "place_found": values["neighbourhood"] is not None}


def cases_insert(accepted: list[dict[str, Any]], *, actor: User,
                 copy_texts: list[tuple[str, str]] | None = None) -> list[Registered]:
    """Inserts validated new cases (each with its "number") and their register events, and has the events sent to
    the case event listeners after commit. On PostgreSQL `copy_texts` may carry each row's `copy_text` built
    beforehand (an import builds them in its reading thread)."""
    if connection.vendor == "postgresql":
        texts = copy_texts if copy_texts is not None else [copy_text(values, actor) for values in accepted]
        events = _copy(accepted, texts, actor)
    else:
        cases = Case.objects.bulk_create([Case(**values) for values in accepted])
        ids = [case.pk for case in cases]
        events = CaseEvent.objects.bulk_create([
            CaseEvent(case_id=pk, action="register", actor=actor, at=values["registered_at"], from_state="",
                      to_state=State.REGISTERED, payload=_register_payload(values))
            for pk, values in zip(ids, accepted, strict=True)])
        for pk, values in zip(ids, accepted, strict=True):
            values["id"] = pk
    case_events_send_on_commit(events)
    return [Registered(values["id"], values["number"], values["hotline_number"], _pk(values["neighbourhood"]))
            for values in accepted]


def _pk(value: Model | None) -> int | None:
    return None if value is None else value.pk


# --- COPY text: PostgreSQL's text format, built per row without a database ------------------------------------

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return _escaped(value)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(f"no COPY text for {type(value).__name__}")


@cache
def _tail_columns() -> tuple[tuple[str, Any, Any], ...]:
    """(field name, default, related-id getter or None) for the case columns after id and number."""
    return tuple((name, default, related) for name, _, default, related in _case_columns() if name != "number")


_WRITER_FIELDS = frozenset({"number", "id"})  # filled in by the writer


def _escaped(value: str) -> str:
    # Most texts need no escape: four substring tests cost less than a translate() of every character.
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_ESCAPES)
    return value


@cache
def _case_text_plan(given: frozenset[str]) -> tuple[list[str], tuple[tuple[int, str, Any], ...]]:
    """For rows giving these fields: the columns' texts with the defaults filled in, and (position, field name,
    formatter) for the columns each row fills: every row of an import gives the same fields."""
    texts, variable = [], []
    for position, (name, default, related) in enumerate(_tail_columns()):
        texts.append(_text(default))
        if name not in given:
            continue
        field = Case._meta.get_field(name)
        if related is not None:
            def formatter(value, related=related):
                return "\\N" if value is None else str(related(value))
        elif field.get_internal_type() in ("CharField", "TextField") and not field.null:
            formatter = _escaped
        elif field.get_internal_type() == "DateTimeField" and not field.null:
            formatter = datetime.isoformat
        else:
            formatter = _text
        variable.append((position, name, formatter))
    return texts, tuple(variable)


def copy_text(values: dict[str, Any], actor: User) -> tuple[str, str]:
    """A new case's COPY text after its id and number, and its register event's after case_id (both with the
    line end): everything the writer cannot know yet is left out, so this runs before numbering."""
    keys = values.keys()
    template, variable = _case_text_plan(frozenset(keys - _WRITER_FIELDS) if _WRITER_FIELDS & keys else frozenset(keys))
    fields = template.copy()
    for position, name, formatter in variable:
        fields[position] = formatter(values[name])
    case = "\t".join(fields) + "\n"
    payload = _payload_text(values["source"], values["neighbourhood"] is not None)
    event = f"register\t{actor.pk}\t{values['registered_at'].isoformat()}\t\t{State.REGISTERED}\t\t{payload}\n"
    return case, event


@cache
def _payload_text(source: str, place_found: bool) -> str:
    return _text(json.dumps(_register_payload({"source": source, "neighbourhood": place_found or None}),
                            ensure_ascii=False))


def _copy(accepted: list[dict[str, Any]], texts: list[tuple[str, str]], actor: User) -> list[CaseEvent]:
    """Ids of the cases and of their events reserved from the sequences, then one COPY of the cases and one of their
    events; returns the events as rows read back would be (without a query: everything is known here)."""
    table, events_table = Case._meta.db_table, CaseEvent._meta.db_table
    names = ", ".join(["id", "number", *(f'"{Case._meta.get_field(name).column}"' for name, _, _ in _tail_columns())])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')), "
                       f"nextval(pg_get_serial_sequence('{events_table}', 'id')) FROM generate_series(1, %s)",
                       [len(accepted)])
        ids = cursor.fetchall()
        for (pk, _), values in zip(ids, accepted, strict=True):
            values["id"] = pk
        with cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
            copy.write("".join([f"{pk}\t{_text(values['number'])}\t{case}"
                                for (pk, _), values, (case, _) in zip(ids, accepted, texts, strict=True)]))
        with cursor.cursor.copy(f'COPY "{events_table}" '
                                '(id, case_id, action, actor_id, "at", from_state, to_state, note, payload) FROM STDIN') as copy:
            copy.write("".join([f"{event_pk}\t{pk}\t{event}" for (pk, event_pk), (_, event) in zip(ids, texts, strict=True)]))
    # Positional, in the model's field order (the COPY's), as from_db builds fetched rows: a fraction of keyword
    # __init__'s cost. cases/tests/test_case_events_signal.py compares them with the rows read back.
    return [CaseEvent.from_db(connection.alias, None, (event_pk, pk, "register", actor.pk, values["registered_at"],
                                                       "", State.REGISTERED, "", _register_payload(values)))
            for (pk, event_pk), values in zip(ids, accepted, strict=True)]
