"""Chinese working-day calendar for case deadlines.

Lookup order for a date: the admin-editable ``Holiday`` table, then ``chinesecalendar``, then Monday–Friday
(with a ``CalendarDataMissing`` warning, once per year per process).

Working time is ``settings.WORKDAY_START``–``settings.WORKDAY_END`` ("HH:MM", no lunch break) on every working
day, in the current timezone. All functions take and return timezone-aware datetimes.

Boundary convention: an amount of working time that ends exactly at closing time ends *at closing time* (17:30),
not at the next working day's opening (08:30); both are the same point in working time, the earlier one is used.
"""

from __future__ import annotations

import functools
import logging
import threading
import time as _time
import warnings
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

logger = logging.getLogger("workdays")

# Upper bound on how many consecutive days are searched for a working day (about ten years).
MAX_DAYS_SEARCHED = 3660
# Overrides loaded by another process (web worker, Celery) are reloaded at least this often; in this process the
# post_save/post_delete signals invalidate them at once.
OVERRIDE_CACHE_SECONDS = 300.0


class CalendarDataMissing(UserWarning):
    """Neither the Holiday table nor chinesecalendar knows a date; Monday–Friday is assumed."""


_lock = threading.Lock()
_warned_years: set[int] = set()
_override_cache: dict[int, tuple[float, dict[date, bool]]] = {}
_override_generation = 0


# --- caches ---------------------------------------------------------------------------------------------------


def invalidate_overrides() -> None:
    """Forget the cached Holiday rows (called by the Holiday signals)."""
    global _override_generation
    with _lock:
        _override_generation += 1
        _override_cache.clear()


def clear_cache() -> None:
    """Reset every in-process cache and the warn-once bookkeeping (for tests)."""
    invalidate_overrides()
    with _lock:
        _warned_years.clear()
    _library_is_workday.cache_clear()


def _overrides(year: int) -> dict[date, bool]:
    """All Holiday rows of ``year`` as {date: is_workday}, one query per year, cached in-process."""
    cached = _override_cache.get(year)
    now = _time.monotonic()
    if cached is not None and now - cached[0] < OVERRIDE_CACHE_SECONDS:
        return cached[1]
    from .models import Holiday

    generation = _override_generation
    rows = dict(Holiday.objects.filter(date__year=year).values_list("date", "is_workday"))
    with _lock:
        # A Holiday saved while we were querying may have made ``rows`` stale: use it, but don't cache it.
        if generation == _override_generation:
            _override_cache[year] = (now, rows)
    return rows


@functools.lru_cache(maxsize=16384)
def _library_is_workday(day: date) -> bool | None:
    """chinesecalendar's answer, or None when it has no data for that year."""
    import chinese_calendar

    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


# --- days -----------------------------------------------------------------------------------------------------


def is_workday(day: date) -> bool:
    """Whether ``day`` is a working day (调休 make-up days included). Never raises for missing calendar data."""
    if isinstance(day, datetime):
        day = (timezone.localtime(day) if timezone.is_aware(day) else day).date()
    override = _overrides(day.year).get(day)
    if override is not None:
        return override
    known = _library_is_workday(day)
    if known is not None:
        return known
    if day.year not in _warned_years:
        with _lock:
            first = day.year not in _warned_years
            _warned_years.add(day.year)
        if first:
            message = f"{day.year} 年的节假日数据缺失,按周一至周五计算工作日,请在管理后台补充节假日表"
            logger.warning(message)
            warnings.warn(message, CalendarDataMissing, stacklevel=2)
    return day.weekday() < 5


def next_working_day(day: date) -> date:
    """The first working day strictly after ``day``."""
    for offset in range(1, MAX_DAYS_SEARCHED + 1):
        candidate = day + timedelta(days=offset)
        if is_workday(candidate):
            return candidate
    raise ValueError(f"{day} 之后连续 {MAX_DAYS_SEARCHED} 天都没有工作日,请检查节假日表配置")


def working_days_in_range(first: date, last: date) -> int:
    """Number of working days from ``first`` to ``last``, both included (0 if ``last`` < ``first``)."""
    count = 0
    day = first
    while day <= last:
        count += is_workday(day)
        day += timedelta(days=1)
    return count


# --- working time ---------------------------------------------------------------------------------------------


def _hours() -> tuple[time, time]:
    """(start, end) of the working day, read from settings on every call so overrides never go stale."""
    start_text = getattr(settings, "WORKDAY_START", "08:30")
    end_text = getattr(settings, "WORKDAY_END", "17:30")
    try:
        start, end = time.fromisoformat(start_text), time.fromisoformat(end_text)
    except (TypeError, ValueError) as exc:
        message = f"WORKDAY_START/WORKDAY_END 格式应为 HH:MM,当前为 {start_text!r}/{end_text!r}"
        raise ImproperlyConfigured(message) from exc
    if end <= start:
        raise ImproperlyConfigured(f"WORKDAY_END({end_text})必须晚于 WORKDAY_START({start_text})")
    return start, end


def _seconds_per_day(start: time, end: time) -> int:
    return (end.hour * 3600 + end.minute * 60 + end.second) - (start.hour * 3600 + start.minute * 60 + start.second)


def hours_per_day() -> float:
    """Working hours in one working day (9.0 for 08:30–17:30)."""
    return _seconds_per_day(*_hours()) / 3600


def _to_seconds(amount: float | Decimal | int, unit_seconds: int) -> int:
    """``amount`` × ``unit_seconds`` rounded to a whole second, computed in Decimal so 1/3 h is exactly 1200 s."""
    try:
        value = Decimal(str(amount)) * unit_seconds
        if not value.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"工作时长无效:{amount!r}") from exc
    if value < 0:
        raise ValueError(f"工作时长不能为负:{amount!r}")
    return int(value.to_integral_value())


def _local(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        raise ValueError("工作日历只接受带时区的时间(timezone-aware datetime)")
    return timezone.localtime(moment, timezone.get_current_timezone())


def _normalise(local: datetime, start: time, end: time) -> datetime:
    """``local`` itself if inside working time, else the start of the next working period."""
    tz = local.tzinfo
    day = local.date()
    if is_workday(day):
        if local.time() < start:
            return datetime.combine(day, start, tz)
        if local.time() < end:
            return local
    return datetime.combine(next_working_day(day), start, tz)


def _add_seconds(start: datetime, seconds: int) -> datetime:
    day_start, day_end = _hours()
    remaining = timedelta(seconds=seconds)
    current = _normalise(_local(start), day_start, day_end)
    while True:
        closing = datetime.combine(current.date(), day_end, current.tzinfo)
        available = closing - current
        if remaining <= available:
            return current + remaining
        remaining -= available
        current = datetime.combine(next_working_day(current.date()), day_start, current.tzinfo)


def add_working_hours(start: datetime, hours: float | Decimal) -> datetime:
    """The moment when ``hours`` working hours have elapsed after ``start`` (rounded to the second).

    A ``start`` outside working time counts from the next working-day start; ``hours=0`` returns ``start``
    moved into working time that way. Raises ValueError for negative hours.
    """
    return _add_seconds(start, _to_seconds(hours, 3600))


def add_working_days(start: datetime, days: int) -> datetime:
    """``add_working_hours(start, days * hours_per_day())``: the same clock time ``days`` working days later."""
    return _add_seconds(start, _to_seconds(days, _seconds_per_day(*_hours())))


def working_hours_between(start: datetime, end: datetime) -> float:
    """Working hours elapsed from ``start`` to ``end``; negative when ``end`` is before ``start``."""
    if end < start:
        return -working_hours_between(end, start)
    day_start, day_end = _hours()
    end_local = _local(end)
    current = _normalise(_local(start), day_start, day_end)
    total = timedelta(0)
    while current < end_local:
        closing = datetime.combine(current.date(), day_end, current.tzinfo)
        total += min(closing, end_local) - current
        current = datetime.combine(next_working_day(current.date()), day_start, current.tzinfo)
    return total.total_seconds() / 3600
