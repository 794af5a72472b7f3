"""Test support for the case event contract: the commit a test's transaction hides, emulated for event sends.

pytest-django runs a test inside a transaction that is rolled back at its end, so nothing commits and
`transaction.on_commit` callbacks never run. `case_events_at_commit` makes the sends of `case_events_recorded`
(cases/signals.py) behave as in production: they run when the outermost atomic block opened by the code under test
exits without error (where production commits), are dropped when it rolls back, and run at once when scheduled
outside any such block (autocommit). Other on_commit callbacks are left as they are (tests that want them use
pytest-django's django_capture_on_commit_callbacks)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from functools import partial

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from . import signals


def _is_event_send(func) -> bool:
    return isinstance(func, partial) and func.func is signals._send


def _test_blocks(blocks) -> bool:
    return all(getattr(block, "_from_testcase", False) for block in blocks)


def _is_the_codes_outermost(connection: BaseDatabaseWrapper, block: transaction.Atomic) -> bool:
    """Is `block` the outermost atomic block inside the test's own (where production would commit)?"""
    blocks = connection.atomic_blocks
    return bool(blocks) and blocks[-1] is block and not _test_blocks([block]) and _test_blocks(blocks[:-1])


@contextlib.contextmanager
def case_events_at_commit() -> Iterator[None]:
    original_exit, original_on_commit = transaction.Atomic.__exit__, BaseDatabaseWrapper.on_commit

    def on_commit(connection, func, robust=False):
        if _is_event_send(func) and connection.in_atomic_block and _test_blocks(connection.atomic_blocks):
            func()  # outside the code's own transactions: autocommit in production, so at once
            return
        original_on_commit(connection, func, robust)

    def exit_(block, exc_type, exc_value, traceback):
        connection = transaction.get_connection(block.using)
        committing = (_is_the_codes_outermost(connection, block) and exc_type is None
                      and not connection.needs_rollback)
        result = original_exit(block, exc_type, exc_value, traceback)
        if committing and connection.in_atomic_block:  # still inside the test's transaction: this was the commit
            pending = [func for _, func, _ in connection.run_on_commit if _is_event_send(func)]
            connection.run_on_commit = [entry for entry in connection.run_on_commit if not _is_event_send(entry[1])]
            for func in pending:
                func()
        return result

    transaction.Atomic.__exit__, BaseDatabaseWrapper.on_commit = exit_, on_commit
    try:
        yield
    finally:
        transaction.Atomic.__exit__, BaseDatabaseWrapper.on_commit = original_exit, original_on_commit
