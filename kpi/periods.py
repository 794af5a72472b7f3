"""The reporting periods the 社区大脑 and the leader's page offer: presets (上月 by default) and a custom range."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from core import clock
from core.errors import ValidationFailed

from . import selectors

# (code, label) in the order the page shows them; "custom" takes `start` and `end`.
PRESETS: tuple[tuple[str, str], ...] = (
    ("this_month", "本月"), ("last_month", "上月"), ("last_3_months", "近三月"), ("this_year", "本年"),
    ("custom", "自定义"),
)
PRESET_LABELS = dict(PRESETS)
DEFAULT_PRESET = "last_month"


@dataclass(frozen=True)
class Period:
    preset: str
    start: date
    end: date

    @property
    def label(self) -> str:
        return PRESET_LABELS[self.preset]

    @property
    def query(self) -> str:
        """The period as a query string every drill-down link carries (the dates: links stay right at midnight)."""
        return f"period=custom&start={self.start.isoformat()}&end={self.end.isoformat()}"


def preset_bounds(preset: str, today: date) -> tuple[date, date]:
    first = today.replace(day=1)
    if preset == "this_month":
        return first, today
    if preset == "last_month":
        end = first - timedelta(days=1)
        return end.replace(day=1), end
    if preset == "last_3_months":  # this month and the two before it
        return selectors.shift_month(first, -2), today
    if preset == "this_year":
        return today.replace(month=1, day=1), today
    raise ValidationFailed(f"不支持的统计区间:{preset}")


def period_from(params: Mapping[str, str], *, today: date | None = None) -> Period:
    """The period asked for: `period` (a preset code), or `start`/`end` (ISO dates, a custom range); 上月 when
    nothing is asked. ValidationFailed for an unknown preset, a bad or missing date, or a disordered range."""
    today = today or timezone.localtime(clock.now()).date()
    preset = params.get("period") or ("custom" if params.get("start") or params.get("end") else DEFAULT_PRESET)
    if preset not in PRESET_LABELS:
        raise ValidationFailed(f"不支持的统计区间:{preset}")
    if preset != "custom":
        return Period(preset, *preset_bounds(preset, today))
    if not params.get("start") or not params.get("end"):
        raise ValidationFailed("自定义区间请填写开始日期和结束日期")
    try:
        start, end = date.fromisoformat(params["start"]), date.fromisoformat(params["end"])
    except ValueError:
        raise ValidationFailed("日期格式不正确,应为 YYYY-MM-DD") from None
    selectors.check_period(start, end)
    return Period("custom", start, end)
