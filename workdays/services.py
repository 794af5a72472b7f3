"""Writes on the holiday table for many days at once: a range of dates, or a year from chinesecalendar's data.

Each changed day is one Holiday row (post_save drops the cached overrides, workdays/signals.py). Dates in the
past are written only when the caller confirms them (`allow_past`): deadlines already computed with the old
calendar are not recomputed, so entering a past holiday is usually a mistake."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction

from core.errors import ValidationFailed

from .models import Holiday

MAX_RANGE_DAYS = 62
# chinesecalendar names its holidays in English.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节", "National Day": "国庆节", "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


@dataclass
class HolidaysWritten:
    created: list[date] = field(default_factory=list)
    updated: list[date] = field(default_factory=list)
    past: list[date] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.created) + len(self.updated)


class PastDates(ValidationFailed):
    """Some dates are in the past and the caller did not confirm them."""

    def __init__(self, past: list[date]):
        shown = "、".join(d.isoformat() for d in past[:5]) + (f" 等 {len(past)} 天" if len(past) > 5 else "")
        super().__init__(f"包含已过去的日期:{shown}。已计算的办理期限不会重算;确需录入请勾选“确认录入已过去的日期”。")
        self.past = past


def _write(days: dict[date, tuple[str, bool]], *, today: date, allow_past: bool) -> HolidaysWritten:
    past = sorted(d for d in days if d < today)
    if past and not allow_past:
        raise PastDates(past)
    written = HolidaysWritten(past=past)
    with transaction.atomic():
        for day in sorted(days):
            name, is_workday = days[day]
            _, created = Holiday.objects.update_or_create(date=day, defaults={"name": name, "is_workday": is_workday})
            (written.created if created else written.updated).append(day)
    return written


def holidays_set_range(*, start: date, end: date, name: str, is_workday: bool, today: date,
                       allow_past: bool = False) -> HolidaysWritten:
    """Every day of [start, end] a holiday (放假) or a make-up working day (调休上班) named `name`."""
    if end < start:
        raise ValidationFailed("结束日期不能早于开始日期")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise ValidationFailed(f"一次最多录入 {MAX_RANGE_DAYS} 天")
    days = {start + timedelta(days=n): (name.strip(), is_workday) for n in range((end - start).days + 1)}
    return _write(days, today=today, allow_past=allow_past)


def holidays_import_year(*, year: int, today: date, allow_past: bool = False) -> HolidaysWritten:
    """The year's statutory holidays and make-up working days as chinesecalendar knows them."""
    from chinese_calendar import constants

    days = {d: (HOLIDAY_NAMES.get(n, n), False) for d, n in constants.holidays.items() if d.year == year}
    days.update({d: (HOLIDAY_NAMES.get(n, n) + "调休", True) for d, n in constants.workdays.items() if d.year == year})
    if not days:
        raise ValidationFailed(f"日历数据中还没有 {year} 年的节假日安排,请按区间录入")
    return _write(days, today=today, allow_past=allow_past)
