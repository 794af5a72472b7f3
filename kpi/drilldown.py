"""Counts of the 社区大脑 and the leader's page and the cases behind each of them, from one definition.

A tile's figure and its drill-down list are the same filter over the same cases (registered in the period, in
the user's scope), so the list always shows exactly as many cases as the tile counts
(workbench/tests/test_brain_drilldown.py checks each of them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from cases import selectors as case_selectors
from cases.models import OPEN_STATES, Case, CaseEvent, State
from core import clock
from core.errors import ValidationFailed
from org.models import User

from . import selectors
from .definitions import KPI_BY_CODE, KPIS
from .periods import Period


@dataclass(frozen=True)
class Measure:
    label: str
    filter: Q


MEASURES: dict[str, Measure] = {
    "cases": Measure("期间受理", Q()),
    "open": Measure("在办", Q(state__in=OPEN_STATES)),
    "overdue": Measure("超时", KPI_BY_CODE["overdue"].numerator),
    "unsatisfied": Measure("不满意", KPI_BY_CODE["unsatisfied"].numerator),
    "urged": Measure("督办中", Q(state__in=OPEN_STATES, urge_count__gt=0)),
}
# Every rate's numerator ("satisfied.n") and denominator ("satisfied.d"): a rate tile clicks down to both.
for _kpi in KPIS:
    if _kpi.denominator is not None:
        MEASURES[f"{_kpi.code}.n"] = Measure(f"{_kpi.name}(分子)", _kpi.numerator)
        MEASURES[f"{_kpi.code}.d"] = Measure(f"{_kpi.name}(分母)", _kpi.denominator)
TILES = ("cases", "open", "overdue", "unsatisfied", "urged")


def tile_counts(user: User, period: Period) -> dict[str, int]:
    """{measure: how many of the period's cases it counts}, one aggregate query."""
    cases = selectors.cases_in_period(user, start=period.start, end=period.end)
    return cases.aggregate(**{code: Count("id", filter=MEASURES[code].filter) for code in TILES})


def _int(params: Mapping[str, str], name: str) -> int | None:
    value = params.get(name) or ""
    if not value:
        return None
    if not value.isdigit():
        raise ValidationFailed(f"参数 {name} 应为数字")
    return int(value)


def drill_cases(user: User, period: Period, params: Mapping[str, str]) -> tuple[list[str], QuerySet[Case]]:
    """The cases behind one figure: `measure` (MEASURES) and the group the figure is of (department = lead
    department as the ranking groups, estate, category_parent, source, state, address_rank = the n-th repeated
    address of the period's hotspots). Returns what the list is of, in words, and the cases."""
    code = params.get("measure") or "cases"
    if code not in MEASURES:
        raise ValidationFailed(f"不支持的统计口径:{code}")
    cases = selectors.cases_in_period(user, start=period.start, end=period.end).filter(MEASURES[code].filter)
    said = [MEASURES[code].label]
    if (department := _int(params, "department")) is not None:
        cases = cases.filter(lead_department_id=department)
        said.append("主办单位已筛选")
    if (estate := _int(params, "estate")) is not None:
        cases = cases.filter(estate_id=estate)
        said.append("小区已筛选")
    if "category_parent" in params:
        parent = params.get("category_parent")
        cases = cases.filter(category__parent_id=None) if parent in ("", "none") else cases.filter(
            category__parent_id=_int(params, "category_parent"))
        said.append("类别已筛选")
    if params.get("source"):
        cases = cases.filter(source=params["source"])
        said.append("来源已筛选")
    if params.get("state"):
        if params["state"] not in State.values:
            raise ValidationFailed("不支持的工单状态")
        cases = cases.filter(state=params["state"])
        said.append(State(params["state"]).label)
    if (rank := _int(params, "address_rank")) is not None:
        addresses = selectors.hotspots(user, start=period.start, end=period.end)["addresses"]
        if not 1 <= rank <= len(addresses):
            raise ValidationFailed("该重复地址已不在本期热点中")
        cases = cases.filter(address=addresses[rank - 1]["address"])
        said.append(f"重复地址:{addresses[rank - 1]['shown']}")
    return said, cases.select_related("lead_department", "category").order_by("-registered_at", "-id")


def _age(case: Case, now) -> str:
    days = (now - case.registered_at).days
    return "今天受理" if days < 1 else f"受理 {days} 天"


def overview_lists(user: User, period: Period, *, limit: int = 10) -> dict[str, list[dict]]:
    """The 超时, 不满意 and 督办中 cases of the period, each with its title (masked as the role requires), its age
    and why it is listed; the tiles' drill-downs hold all of them."""
    now = clock.now()
    cases = selectors.cases_in_period(user, start=period.start, end=period.end).select_related("lead_department")
    overdue = list(cases.filter(MEASURES["overdue"].filter).order_by("handle_deadline")[:limit])
    unsatisfied = list(cases.filter(MEASURES["unsatisfied"].filter).order_by("-called_back_at", "-id")[:limit])
    urged = list(cases.filter(MEASURES["urged"].filter).order_by("-urge_count", "-id")[:limit])
    remarks: dict[int, str] = {}
    for event in (CaseEvent.objects.filter(case__in=unsatisfied, action="callback").exclude(note="")
                  .order_by("at", "id")):
        remarks[event.case_id] = event.note  # the latest wins

    def row(case: Case, reason: str) -> dict:
        masker = case_selectors.case_masker(user, case)
        return {"case": case, "title": masker(case.title), "age": _age(case, now), "reason": masker(reason)}

    def late(case: Case) -> str:
        if case.handle_deadline is None:
            return "已标记超时"
        end = case.handled_at or now
        days = max((end - case.handle_deadline).days, 0)
        done = "办结晚于期限" if case.handled_at else "超过办结期限"
        return f"{done} {days} 天" if days else done

    return {
        "overdue": [row(c, late(c)) for c in overdue],
        "unsatisfied": [row(c, remarks.get(c.pk) or "回访不满意") for c in unsatisfied],
        "urged": [row(c, f"督办 {c.urge_count} 次 · {c.get_state_display()}") for c in urged],
    }


def open_by_state(user: User, period: Period) -> list[tuple[str, str, int]]:
    """(label, state, n) of the period's cases still open, in lifecycle order."""
    cases = selectors.cases_in_period(user, start=period.start, end=period.end)
    counts = dict(cases.filter(state__in=OPEN_STATES).values_list("state").annotate(n=Count("id")))
    return [(State(s).label, s, counts.get(s, 0)) for s in State.values if s in OPEN_STATES]
