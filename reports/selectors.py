"""The archive of monthly 情况分析 reports (who may see them) and the figures of a report: every number in it comes
from here (database aggregates via kpi)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date

from django.db.models import F, Q, QuerySet

from cases import policy
from cases.models import Case, CaseEvent, Satisfaction
from core.errors import ValidationFailed
from core.pages import get_in_scope_or_404
from kpi import selectors as kpi
from org.models import User
from org.roles import REPORT_ROLES
from org.services import system_user

from .models import Report

APPENDIX_LIMIT = 5000
# The centre and the leaders: the report is street-wide, so only street-wide roles may generate and download it.


def report_list(user: User) -> QuerySet[Report]:
    """The archive: every report for the report roles, none for anyone else."""
    if user.role not in REPORT_ROLES:
        return Report.objects.none()
    return Report.objects.select_related("requested_by")


def report_get(user: User, pk: int) -> Report:
    """The report, or NotFound (a 404 page) when it does not exist or the user may not see it."""
    return get_in_scope_or_404(report_list(user), "报告不存在", pk=pk)


def parse_month(text: str) -> date:
    """'2026-10' → 2026-10-01, with a Chinese error for anything else."""
    try:
        year, month = (int(part) for part in text.strip().split("-"))
        return date(year, month, 1)
    except (ValueError, AttributeError):
        raise ValidationFailed(f"月份格式不正确:{text!r},应为 YYYY-MM,例如 2026-10") from None


def month_bounds(month: date) -> tuple[date, date]:
    return month.replace(day=1), month.replace(day=calendar.monthrange(month.year, month.month)[1])


@dataclass
class ReportFigures:
    month: date
    start: date
    end: date
    street: dict
    previous: dict
    last_year: dict
    by_source: list[dict]
    by_category: list[dict]
    by_neighbourhood: list[dict]
    departments: list[dict]
    trend: list[dict]
    hotspots: dict
    overdue: list[dict]
    unsatisfied: list[dict]
    typical: list[dict]
    appendix: list[dict]
    appendix_truncated: bool = False
    summary: list[str] = field(default_factory=list)


def _masked(case: Case, text: str) -> str:
    return policy.mask_text(text or "", citizen_name=case.citizen_name)


def _case_row(case: Case) -> dict:
    return {
        "number": case.number, "registered_at": case.registered_at, "source": case.get_source_display(),
        "category": case.category.name if case.category else "未分类",
        "neighbourhood": case.neighbourhood.name if case.neighbourhood else "",
        "department": case.lead_department.name if case.lead_department else "未派单",
        "state": case.get_state_display(), "satisfaction": case.get_satisfaction_display() or "",
        "title": _masked(case, case.title), "content": _masked(case, case.content),
        "address": policy.mask_address(case.address), "result": _masked(case, case.handling_result),
        "handle_deadline": case.handle_deadline, "handled_at": case.handled_at,
    }


def report_figures(month: date) -> ReportFigures:
    """Everything the report says about `month`, street-wide; personal data is always masked in the report."""
    start, end = month_bounds(month)
    user = system_user()
    in_month = (kpi.cases_in_period(user, start=start, end=end, street_wide=True)
                .select_related("category", "neighbourhood", "lead_department"))
    low, high = kpi._bounds(start, end)
    previous_start, previous_end = month_bounds(kpi.shift_month(month, -1))
    last_year_start, last_year_end = month_bounds(kpi.shift_month(month, -12))

    overdue = in_month.filter(Q(is_overdue=True) | Q(handled_at__gt=F("handle_deadline"))).order_by("registered_at")
    unsatisfied_events = (CaseEvent.objects.filter(action="callback", at__gte=low, at__lte=high,
                                                   payload__satisfaction=Satisfaction.UNSATISFIED)
                          .select_related("case__category", "case__neighbourhood", "case__lead_department")
                          .order_by("at"))
    unsatisfied = [{**_case_row(e.case), "remarks": _masked(e.case, e.note), "called_back_at": e.at}
                   for e in unsatisfied_events]
    typical = (in_month.filter(Q(urge_count__gt=0) | Q(reopen_count__gt=0) | Q(chase_count__gt=0))
               .annotate(weight=F("urge_count") + F("reopen_count") + F("chase_count"))
               .order_by("-weight", "registered_at")[:3])
    appendix = list(in_month.order_by("registered_at", "id")[: APPENDIX_LIMIT + 1])

    figures = ReportFigures(
        month=start, start=start, end=end,
        street=kpi.kpi_table(user, start=start, end=end)[0],
        previous=kpi.kpi_table(user, start=previous_start, end=previous_end)[0],
        last_year=kpi.kpi_table(user, start=last_year_start, end=last_year_end)[0],
        by_source=sorted(kpi.kpi_table(user, start=start, end=end, group_by="source"), key=lambda r: -r["cases"]),
        by_category=sorted(kpi.kpi_table(user, start=start, end=end, group_by="category_parent"),
                           key=lambda r: -r["cases"]),
        by_neighbourhood=sorted(kpi.kpi_table(user, start=start, end=end, group_by="neighbourhood"),
                                key=lambda r: -r["cases"]),
        departments=kpi.kpi_ranking(user, start=start, end=end, kpi="satisfied", street_wide=True),
        trend=kpi.monthly_trend(user, months=12, today=end),
        hotspots=kpi.hotspots(user, start=start, end=end, street_wide=True),
        overdue=[_case_row(c) for c in overdue[:200]],
        unsatisfied=unsatisfied,
        typical=[_case_row(c) for c in typical],
        appendix=[_case_row(c) for c in appendix[:APPENDIX_LIMIT]],
        appendix_truncated=len(appendix) > APPENDIX_LIMIT,
    )
    figures.summary = summary_paragraphs(figures)
    return figures


def percent_text(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _change(now: int, before: int, word: str) -> str:
    if not before:
        return f"{word}无可比数据"
    delta = (now - before) / before
    if delta == 0:
        return f"{word}持平"
    return f"{word}{'上升' if delta > 0 else '下降'}{abs(delta) * 100:.1f}%"


def summary_paragraphs(f: ReportFigures) -> list[str]:
    """The prose of 一、总体情况, generated from the figures (so it can never disagree with the tables)."""
    s = f.street
    total = s["cases"]
    label = f"{f.month.month}月"
    if not total:
        return [f"{label}({f.start:%Y年%m月%d日}至{f.end:%m月%d日})未受理工单。"]
    sources = "、".join(f"{r['label']}{r['cases']}件(占{r['cases'] / total * 100:.1f}%)" for r in f.by_source)
    categories = "、".join(f"{r['label']}{r['cases']}件" for r in f.by_category[:3])
    called = s["satisfied"]["denominator"]
    unsatisfied = len(f.unsatisfied)
    paragraphs = [
        f"{label}({f.start:%Y年%m月%d日}至{f.end:%m月%d日}),街道共受理各类诉求{total}件,"
        f"{_change(total, f.previous['cases'], '环比')}(上月{f.previous['cases']}件),"
        f"{_change(total, f.last_year['cases'], '同比')}(去年同期{f.last_year['cases']}件)。"
        f"按来源分:{sources}。反映较多的问题为{categories}。",
        f"已派单{s['sign_on_time']['denominator']}件,按时签收率{percent_text(s['sign_on_time']['value'])},"
        f"先行联系率{percent_text(s['first_contact']['value'])};已办结{s['handled_on_time']['denominator']}件,"
        f"按时办结率{percent_text(s['handled_on_time']['value'])},平均办理时长"
        f"{'—' if s['handling_hours']['value'] is None else s['handling_hours']['value']}个工作小时;"
        f"超时{s['overdue']['value']}件,退单率{percent_text(s['returned']['value'])},延期率{percent_text(s['extended']['value'])}。",
        f"已回访{called}件,满意率{percent_text(s['satisfied']['value'])}(上月{percent_text(f.previous['satisfied']['value'])}),"
        f"实际解决率{percent_text(s['solved']['value'])};本月回访不满意{unsatisfied}件,重办率{percent_text(s['reopened']['value'])},"
        f"诉求人催单{s['chases']['value']}次。",
    ]
    if f.departments and f.departments[0].get("rank"):
        best = [r["label"] for r in f.departments if r.get("rank")][:3]
        paragraphs.append(f"按满意率排名,{'、'.join(best)}位列前茅;" + (
            f"{f.hotspots['estates'][0]['estate__name']}为本月诉求最集中的小区({f.hotspots['estates'][0]['n']}件)。"
            if f.hotspots["estates"] else "本月无明显热点小区。"))
    return paragraphs
