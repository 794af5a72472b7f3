"""The current time for services. Demo-data loading and tests replay history by freezing it."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from datetime import datetime

from django.utils import timezone

_frozen: contextvars.ContextVar[datetime | None] = contextvars.ContextVar("chengyun_frozen_now", default=None)


def now() -> datetime:
    return _frozen.get() or timezone.now()


@contextlib.contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    token = _frozen.set(moment)
    try:
        yield
    finally:
        _frozen.reset(token)


def aware(moment: datetime | None) -> datetime | None:
    """A time typed without a zone (a datetime-local field, an API body) is the street's local time."""
    if moment is not None and timezone.is_naive(moment):
        return timezone.make_aware(moment, timezone.get_current_timezone())
    return moment


def today():
    """The street's date now (Asia/Shanghai): after 16:00 UTC it is already tomorrow there."""
    return timezone.localdate(now())
