"""KPI tables for any period and grouping, computed by the database and scoped to the acting user."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import Count
from django.utils import timezone

from cases import policy
from cases.models import Source
from chengyun.errors import ValidationFailed
from org.models import User

from .definitions import KPIS

SOURCE_LABELS = dict(Source.choices)
GROUPS = {
    None: None,
    "department": ("lead_department", "lead_department__name"),
    "neighbourhood": ("neighbourhood", "neighbourhood__name"),
    "grid": ("grid", "grid__name"),
    "category": ("category", "category__name"),
    "category_parent": ("category__parent", "category__parent__name"),
    "source": ("source", "source"),
}


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    if end < start:
        raise ValidationFailed("结束日期不能早于开始日期")
    tz = timezone.get_current_timezone()
    return datetime.combine(start, time.min, tz), datetime.combine(end, time.max, tz)


def kpi_table(user: User, *, start: date, end: date, group_by: str | None = None) -> list[dict]:
    """One row per group (or one row for all) with every KPI: value (rate or count), numerator, denominator."""
    if group_by not in GROUPS:
        raise ValidationFailed(f"不支持的分组方式:{group_by}")
    low, high = _bounds(start, end)
    cases = policy.visible_cases(user).filter(registered_at__gte=low, registered_at__lte=high)
    aggregates = {"cases": Count("id")}
    for kpi in KPIS:
        aggregates.update(kpi.aggregates())
    if group_by is None:
        rows = [{"key": None, "label": "全部", **cases.aggregate(**aggregates)}]
    else:
        key, label = GROUPS[group_by]
        fields = [key] if label == key else [key, label]
        rows = []
        for row in cases.values(*fields).annotate(**aggregates).order_by(key):
            value = row.pop(key)
            text = SOURCE_LABELS.get(value, value) if label == key else row.pop(label)
            rows.append({"key": value, "label": text, **row})
    return [_shape(row) for row in rows]


def _shape(row: dict) -> dict:
    shaped = {"key": row["key"], "label": row["label"] or "未指定", "cases": row["cases"]}
    for kpi in KPIS:
        numerator = row[f"{kpi.code}__n"] or 0
        if kpi.denominator is None:
            shaped[kpi.code] = {"value": numerator}
        else:
            denominator = row[f"{kpi.code}__d"]
            shaped[kpi.code] = {"value": round(numerator / denominator, 4) if denominator else None,
                                "numerator": numerator, "denominator": denominator}
    return shaped
