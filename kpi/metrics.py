"""The 社区大脑's figures for a period: KPI rates and counts, the department ranking, trend, sources and hotspots.

Read-only, scoped to the acting user like the selectors it calls; the composition layer (workbench/) renders them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.conf import settings

from cases import policy
from org.models import User

from . import drilldown, selectors
from .definitions import KPIS
from .periods import Period, period_from

RATE_CODES = ("sign_on_time", "first_contact", "handled_on_time", "solved", "satisfied")
# A unit with fewer cases than this in the period is listed apart (样本不足), not ranked.
RANKING_MIN_CASES_DEFAULT = 5


def ranking_min_cases() -> int:
    return int(getattr(settings, "KPI_RANKING_MIN_CASES", RANKING_MIN_CASES_DEFAULT))


def reporting_period(params: Mapping[str, str]) -> tuple[date, date]:
    """The period asked for as (start, end): a preset (`period`) or `start`/`end`; 上月 by default."""
    period = period_from(params)
    return period.start, period.end


def brain_figures(user: User, period: Period) -> dict[str, Any]:
    """Everything the 社区大脑 shows for the period; every figure counts the cases registered in it."""
    start, end = period.start, period.end
    street = selectors.kpi_table(user, start=start, end=end)[0]
    # The department ranking is street-wide for everyone (figures only); its rows link to cases only where the
    # user may see them, so a department head sees where it stands but not other departments' cases.
    min_cases = ranking_min_cases()
    ranking = selectors.kpi_ranking(user, start=start, end=end, kpi="satisfied", street_wide=True,
                                    min_cases=min_cases)
    for row in ranking:
        row["linkable"] = row["key"] is not None and (
            user.role in policy.STREET_WIDE_ROLES or row["key"] == user.department_id)
    trend = selectors.monthly_trend(user)
    by_category = selectors.kpi_table(user, start=start, end=end, group_by="category_parent")
    by_source = selectors.kpi_table(user, start=start, end=end, group_by="source")
    charts = {
        "trend": {"months": [r["month"] for r in trend],
                  "series": [{"name": k.name, "data": [_pct(r[k.code]["value"]) for r in trend]}
                             for k in KPIS if k.code in selectors.TREND_CODES]},
        "category": [{"name": r["label"], "value": r["cases"], "filter": f"category_parent={r['key'] or 'none'}"}
                     for r in by_category],
        "source": [{"name": r["label"], "value": r["cases"], "filter": f"source={r['key']}"} for r in by_source],
        "period": period.query,
    }
    return {
        "street": street, "ranked": [r for r in ranking if not r["small_sample"]],
        "small_sample": [r for r in ranking if r["small_sample"]], "min_cases": min_cases,
        "rates": [(k, street[k.code]) for k in KPIS if k.code in RATE_CODES],
        "counts": [(k, street[k.code]) for k in KPIS if k.code not in RATE_CODES],
        "hotspots": selectors.hotspots(user, start=start, end=end), "charts": charts,
        "by_category": by_category, "by_source": by_source, "kpis": KPIS,
        "tiles": drilldown.tile_counts(user, period), "lists": drilldown.overview_lists(user, period),
    }


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)
