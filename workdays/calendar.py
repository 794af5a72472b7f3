"""Chinese working-day calendar for deadlines: Holiday table → chinesecalendar → Mon–Fri with a warning."""

from __future__ import annotations

import functools
import logging
import warnings
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger("workdays")
MAX_DAYS_SEARCHED = 3660


class CalendarDataMissing(UserWarning):
    pass


_warned_years: set[int] = set()
_override_cache: dict[int, dict[date, bool]] = {}


def clear_cache() -> None:
    _override_cache.clear()
    _warned_years.clear()
    _library_is_workday.cache_clear()


def _overrides(year: int) -> dict[date, bool]:
    if year not in _override_cache:
        from .models import Holiday

        _override_cache[year] = dict(Holiday.objects.filter(date__year=year).values_list("date", "is_workday"))
    return _override_cache[year]


@functools.lru_cache(maxsize=8192)
def _library_is_workday(day: date) -> bool | None:
    import chinese_calendar

    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


def is_workday(day: date) -> bool:
    override = _overrides(day.year).get(day)
    if override is not None:
        return override
    known = _library_is_workday(day)
    if known is not None:
        return known
    if day.year not in _warned_years:
        _warned_years.add(day.year)
        message = f"{day.year} 年的节假日数据缺失,按周一至周五计算工作日,请在管理后台补充节假日表"
        logger.warning(message)
        warnings.warn(message, CalendarDataMissing, stacklevel=2)
    return day.weekday() < 5


def _hours() -> tuple[time, time]:
    start = time.fromisoformat(settings.WORKDAY_START)
    end = time.fromisoformat(settings.WORKDAY_END)
    return start, end


def hours_per_day() -> float:
    start, end = _hours()
    return (datetime.combine(date.min, end) - datetime.combine(date.min, start)).total_seconds() / 3600


def next_working_day(day: date) -> date:
    for offset in range(1, MAX_DAYS_SEARCHED):
        candidate = day + timedelta(days=offset)
        if is_workday(candidate):
            return candidate
    raise ValueError("连续十年没有工作日,请检查节假日表配置")


def _normalise(moment: datetime) -> datetime:
    """The moment itself if inside working time, else the start of the next working period."""
    tz = timezone.get_current_timezone()
    local = timezone.localtime(moment, tz)
    start, end = _hours()
    day = local.date()
    if is_workday(day):
        if local.time() < start:
            return datetime.combine(day, start, tz)
        if local.time() < end:
            return local
    return datetime.combine(next_working_day(day), start, tz)


def add_working_hours(start: datetime, hours: float | Decimal) -> datetime:
    remaining = timedelta(hours=float(hours))
    if remaining < timedelta(0):
        raise ValueError("工作小时数不能为负")
    tz = timezone.get_current_timezone()
    current = _normalise(start)
    _, end = _hours()
    while True:
        day_end = datetime.combine(current.date(), end, tz)
        available = day_end - current
        if remaining <= available:
            return current + remaining
        remaining -= available
        current = _normalise(day_end)


def add_working_days(start: datetime, days: int) -> datetime:
    return add_working_hours(start, days * hours_per_day())


def working_hours_between(start: datetime, end: datetime) -> float:
    if end < start:
        return -working_hours_between(end, start)
    tz = timezone.get_current_timezone()
    day_start_t, day_end_t = _hours()
    current = _normalise(start)
    total = timedelta(0)
    end_local = timezone.localtime(end, tz)
    while current < end_local:
        day_end = datetime.combine(current.date(), day_end_t, tz)
        total += min(day_end, end_local) - current
        current = _normalise(day_end)
    return total.total_seconds() / 3600
