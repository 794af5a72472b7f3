"""The 社区大脑's figures for a period: KPI rates and counts, the department ranking, trend, sources and hotspots.

Read-only, scoped to the acting user like the selectors it calls; the composition layer (workbench/) renders them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.utils import timezone

from cases import policy
from core.errors import ValidationFailed
from org.models import User

from . import selectors
from .definitions import KPIS

RATE_CODES = ("sign_on_time", "first_contact", "handled_on_time", "solved", "satisfied")


def reporting_period(params: Mapping[str, str]) -> tuple[date, date]:
    """The period asked for (`start`/`end`, ISO dates): this month to date by default; ValidationFailed if bad."""
    today = timezone.localdate()
    try:
        start = date.fromisoformat(params["start"]) if params.get("start") else today.replace(day=1)
        end = date.fromisoformat(params["end"]) if params.get("end") else today
    except ValueError:
        raise ValidationFailed("日期格式不正确,应为 YYYY-MM-DD") from None
    selectors.check_period(start, end)
    return start, end


def brain_figures(user: User, *, start: date, end: date) -> dict[str, Any]:
    """Everything the 社区大脑 shows from the KPI tables for the period (the live case counts come from cases)."""
    street = selectors.kpi_table(user, start=start, end=end)[0]
    # The department ranking is street-wide for everyone (figures only); its rows link to cases only where the
    # user may see them, so a department head sees where it stands but not other departments' cases.
    ranking = selectors.kpi_ranking(user, start=start, end=end, kpi="satisfied", street_wide=True)
    for row in ranking:
        row["linkable"] = user.role in policy.STREET_WIDE_ROLES or row["key"] == user.department_id
    trend = selectors.monthly_trend(user)
    by_category = selectors.kpi_table(user, start=start, end=end, group_by="category_parent")
    by_source = selectors.kpi_table(user, start=start, end=end, group_by="source")
    charts = {
        "trend": {"months": [r["month"] for r in trend],
                  "series": [{"name": k.name, "data": [_pct(r[k.code]["value"]) for r in trend]}
                             for k in KPIS if k.code in selectors.TREND_CODES]},
        "category": [{"name": r["label"], "value": r["cases"], "filter": f"category={r['key'] or ''}"} for r in by_category],
        "source": [{"name": r["label"], "value": r["cases"], "filter": f"source={r['key']}"} for r in by_source],
        "period": f"registered_from={start.isoformat()}&registered_to={end.isoformat()}",
    }
    return {
        "street": street, "ranking": ranking,
        "rates": [(k, street[k.code]) for k in KPIS if k.code in RATE_CODES],
        "counts": [(k, street[k.code]) for k in KPIS if k.code not in RATE_CODES],
        "hotspots": selectors.hotspots(user, start=start, end=end), "charts": charts,
        "by_category": by_category, "by_source": by_source, "kpis": KPIS,
    }


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)
