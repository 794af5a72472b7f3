"""KPI tables for any period and grouping, computed by the database and scoped to the acting user."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cases import policy
from cases.models import Case, Source
from core.errors import PermissionDenied, ValidationFailed
from org.models import Estate, User
from org.roles import KPI_ROLES

from .definitions import KPI_BY_CODE, KPIS, LOWER_IS_BETTER
from .services import monthly_summaries_keep

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


MAX_PERIOD_DAYS = 366 * 3



def check_kpi_reader(user: User) -> None:
    if user.role not in KPI_ROLES:
        raise PermissionDenied("审计员不能查看考核指标和工单统计")


def check_period(start: date, end: date) -> None:
    """What a person may ask for on the page and in the API: an ordered period of at most three years."""
    if end < start:
        raise ValidationFailed("结束日期不能早于开始日期")
    if (end - start).days > MAX_PERIOD_DAYS:
        raise ValidationFailed("统计区间不能超过三年")


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    if end < start:
        raise ValidationFailed("结束日期不能早于开始日期")
    tz = timezone.get_current_timezone()
    return datetime.combine(start, time.min, tz), datetime.combine(end, time.max, tz)


def cases_in_period(user: User, *, start: date, end: date, street_wide: bool = False):
    """The cases registered (受理) in [start, end]: the user's scope, or the whole street for aggregates only."""
    low, high = _bounds(start, end)
    scope = Case.objects.all() if street_wide else policy.visible_cases(user)
    return scope.filter(registered_at__gte=low, registered_at__lte=high)


def kpi_table(user: User, *, start: date, end: date, group_by: str | None = None, street_wide: bool = False) -> list[dict]:
    """One row per group (or one row for all) with every KPI: value (rate or count), numerator, denominator.

    street_wide: figures over the whole street whatever the user's scope. Only aggregates leave this function, so a
    department head may see where its department stands in the street ranking without seeing others' cases.
    """
    if group_by not in GROUPS:
        raise ValidationFailed(f"不支持的分组方式:{group_by}")
    cases = cases_in_period(user, start=start, end=end, street_wide=street_wide)
    aggregates = _all_aggregates()
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


def _shape(row: dict, kpis=KPIS) -> dict:
    shaped = {"key": row["key"], "label": row["label"] or "未指定", "cases": row["cases"]}
    for kpi in kpis:
        numerator = row[f"{kpi.code}__n"] or 0
        if kpi.avg_field:
            average = row[f"{kpi.code}__n"]
            shaped[kpi.code] = {"value": None if average is None else round(average, 1),
                                "denominator": row[f"{kpi.code}__d"]}
        elif kpi.denominator is None:
            shaped[kpi.code] = {"value": numerator}
        else:
            denominator = row[f"{kpi.code}__d"]
            shaped[kpi.code] = {"value": round(numerator / denominator, 4) if denominator else None,
                                "numerator": numerator, "denominator": denominator}
    return shaped


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The period of equal length just before [start, end] (环比)."""
    length = (end - start).days + 1
    return start - timedelta(days=length), start - timedelta(days=1)


def kpi_compare(user: User, *, start: date, end: date, group_by: str | None = None) -> list[dict]:
    """Each group's KPIs with the previous period's values and the change (环比); new groups have no previous."""
    current = kpi_table(user, start=start, end=end, group_by=group_by)
    previous_start, previous_end = previous_period(start, end)
    before = {row["key"]: row for row in kpi_table(user, start=previous_start, end=previous_end, group_by=group_by)}
    for row in current:
        old = before.get(row["key"])
        for kpi in KPIS:
            previous = old[kpi.code]["value"] if old else None
            value = row[kpi.code]["value"]
            row[kpi.code]["previous"] = previous
            row[kpi.code]["change"] = None if value is None or previous is None else round(value - previous, 4)
    return current


def kpi_ranking(user: User, *, start: date, end: date, kpi: str, group_by: str = "department",
                street_wide: bool = False, min_cases: int = 0) -> list[dict]:
    """Groups ranked by one KPI (best first; counts like 超时数 rank fewest first); groups without data last.

    min_cases: a group with fewer cases in the period is not ranked (rank None, "small_sample" True) and comes
    after the ranked ones: two cases both satisfied are no reason to rank a unit above one with fifty."""
    if kpi not in KPI_BY_CODE:
        raise ValidationFailed(f"不支持的指标:{kpi}")
    lower_is_better = kpi in LOWER_IS_BETTER
    rows = [r for r in kpi_table(user, start=start, end=end, group_by=group_by, street_wide=street_wide)
            if r["key"] is not None]
    for row in rows:
        row["small_sample"] = row["cases"] < min_cases
    rankable = [r for r in rows if r[kpi]["value"] is not None and not r["small_sample"]]
    with_value = sorted(rankable, key=lambda r: (r[kpi]["value"] if lower_is_better else -r[kpi]["value"], r["label"]))
    ranked = with_value + [r for r in rows if r[kpi]["value"] is None and not r["small_sample"]]
    for position, row in enumerate(ranked, start=1):
        row["rank"] = position if row[kpi]["value"] is not None else None
    small = sorted((r for r in rows if r["small_sample"]), key=lambda r: (-r["cases"], r["label"]))
    for row in small:
        row["rank"] = None
    return ranked + small


TREND_CODES = ("first_contact", "handled_on_time", "satisfied")
# The current and previous months change all the time (callbacks, closing): always computed live, never kept.
LIVE_MONTHS = 2


def _all_aggregates(kpis=KPIS) -> dict:
    aggregates = {"cases": Count("id")}
    for kpi in kpis:
        aggregates.update(kpi.aggregates())
    return aggregates


def _per_month(cases, since: datetime, kpis=KPIS) -> dict[date, dict]:
    """{first day of the 受理 month: raw aggregates} for the cases registered since `since`, one grouped query."""
    rows = (cases.filter(registered_at__gte=since)
            .annotate(month=TruncMonth("registered_at", tzinfo=timezone.get_current_timezone()))
            .values("month").annotate(**_all_aggregates(kpis)).order_by("month"))
    return {row.pop("month").date(): row for row in rows}


def shift_month(month: date, months: int) -> date:
    """The first day of the month `months` after (or, negative, before) `month`'s."""
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _month_starts(today: date, months: int) -> list[date]:
    return [shift_month(today, offset) for offset in range(1 - months, 1)]


def _street_months(month_starts: list[date]) -> dict[date, dict]:
    """Street-wide aggregates per month: kept months from MonthlySummary, the rest computed (and kept)."""
    from .models import MonthlySummary

    live_from = month_starts[-min(LIVE_MONTHS, len(month_starts))]
    past = [m for m in month_starts if m < live_from]
    kept = {s.month: s.figures for s in MonthlySummary.objects.filter(month__in=past)}
    missing = [m for m in past if m not in kept]
    start = missing[0] if missing else live_from
    computed = _per_month(Case.objects.all(), datetime.combine(start, time.min, timezone.get_current_timezone()))
    fresh = {month: computed.get(month, {"cases": 0}) for month in missing}
    if fresh:
        # Keeping them is a write: it goes through the kpi service, the selector itself writes nothing.
        monthly_summaries_keep(figures_by_month=fresh)
    kept.update(fresh)
    return {**kept, **{m: figures for m, figures in computed.items() if m >= live_from}}


def monthly_trend(user: User, *, months: int = 12, today: date | None = None,
                  codes: tuple[str, ...] = TREND_CODES) -> list[dict]:
    """The chosen KPIs (三率 by default) per 受理 month for the last `months` months, months without cases left out.

    Street-wide users read past months from the kept MonthlySummary (a year of cases is the largest scan on the
    dashboard); scoped users' few cases are aggregated live, only the asked-for KPIs."""
    unknown = set(codes) - set(KPI_BY_CODE)
    if unknown:
        raise ValidationFailed(f"不支持的指标:{', '.join(sorted(unknown))}")
    kpis = [KPI_BY_CODE[code] for code in codes]
    month_starts = _month_starts(today or timezone.localdate(), months)
    if user.is_authenticated and user.role in policy.STREET_WIDE_ROLES:
        figures = _street_months(month_starts)
    else:
        since = datetime.combine(month_starts[0], time.min, timezone.get_current_timezone())
        figures = _per_month(policy.visible_cases(user), since, kpis)
    trend = []
    for month in month_starts:
        row = figures.get(month)
        if row and row["cases"]:
            label = month.strftime("%Y-%m")
            trend.append({**_shape({**row, "key": label, "label": label}, kpis), "month": label})
    return trend


def hotspots(user: User, *, start: date, end: date, limit: int = 10, street_wide: bool = False) -> dict:
    """小区 with the most cases and addresses reported more than once in the period."""
    cases = cases_in_period(user, start=start, end=end, street_wide=street_wide)
    # Count per estate id first and name only the top ones: grouping a month of cases by joined names costs more.
    top = list(cases.exclude(estate=None).values("estate_id").annotate(n=Count("id")).order_by("-n", "estate_id")[:limit])
    names = {e.pk: e for e in Estate.objects.filter(pk__in=[t["estate_id"] for t in top]).select_related("neighbourhood")}
    return {
        "estates": [{"estate_id": t["estate_id"], "estate__name": names[t["estate_id"]].name,
                     "neighbourhood__name": names[t["estate_id"]].neighbourhood.name,
                     "n": t["n"]} for t in top],
        "addresses": _shown_addresses(user, list(cases.exclude(address="").values("address").annotate(n=Count("id"))
                                                 .filter(n__gte=2).order_by("-n", "address")[:limit])),
    }


def _shown_addresses(user: User, rows: list[dict]) -> list[dict]:
    """同一地址重复反映: roles that see cases masked get the address without its house number (policy.mask_address),
    and the row's link searches the road only (for them a search with digits matches only case numbers)."""
    masked = policy.personal_data_cases(user) is None
    for row in rows:
        row["shown"] = policy.mask_address(row["address"]) if masked else row["address"]
        row["search"] = re.split(r"\d", row["address"], maxsplit=1)[0] if masked else row["address"]
    return rows
