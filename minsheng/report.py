"""The annual 民生 report (年度民生报告), Word and PDF from one list of blocks (reports.document does the writing):
the year's visits by 居民区 and outcome, needs by theme, category and 居民区, the ten projects with progress and
milestones, and the 回音 callbacks' satisfaction. Leaders read it: it holds counts and the staff's project texts only,
no person, phone or house number; theme names (machine-made from need texts) go through the forced masker."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from minqing.models import Need, Visit, VisitOutcome
from registry.policy import RegistryMasker
from reports import charts
from reports.document import Block, write_docx, write_pdf

from .models import EchoCallback, MemberKind, Milestone, Project, ThemeMember

NO_PLACE = "未归属居民区"


@dataclass
class ReportFigures:
    year: int
    visits_total: int = 0
    visits_by_neighbourhood: list[tuple[str, int]] = field(default_factory=list)
    visits_by_outcome: list[tuple[str, int]] = field(default_factory=list)
    households_visited: int = 0
    needs_total: int = 0
    needs_by_theme: list[tuple[str, int]] = field(default_factory=list)
    needs_by_category: list[tuple[str, int]] = field(default_factory=list)
    needs_by_neighbourhood: list[tuple[str, int]] = field(default_factory=list)
    needs_to_cases: int = 0
    projects: list[dict] = field(default_factory=list)
    satisfaction: list[tuple[str, int]] = field(default_factory=list)
    callbacks_total: int = 0
    satisfied_rate: float | None = None
    echoes_sent: int = 0


def _pairs(rows, key: str, *, label_none: str = NO_PLACE) -> list[tuple[str, int]]:
    return sorted(((r[key] or label_none, r["n"]) for r in rows), key=lambda x: (-x[1], x[0]))


def report_figures(year: int) -> ReportFigures:
    start, end = date(year, 1, 1), date(year, 12, 31)
    f = ReportFigures(year=year)
    visits = Visit.objects.filter(visited_on__range=(start, end))
    f.visits_total = visits.count()
    f.visits_by_neighbourhood = _pairs(visits.values("neighbourhood__name").annotate(n=Count("pk")),
                                       "neighbourhood__name")
    outcomes = dict(VisitOutcome.choices)
    f.visits_by_outcome = [(outcomes.get(r["outcome"], r["outcome"]), r["n"]) for r in
                           visits.values("outcome").annotate(n=Count("pk")).order_by("-n", "outcome")]
    f.households_visited = visits.filter(household__isnull=False).values("household_id").distinct().count()
    needs = Need.objects.filter(raised_on__range=(start, end))
    f.needs_total = needs.count()
    f.needs_to_cases = needs.filter(case__isnull=False).count()
    f.needs_by_category = _pairs(needs.values("category__name").annotate(n=Count("pk")), "category__name",
                                 label_none="未分类")
    f.needs_by_neighbourhood = _pairs(needs.values("neighbourhood__name").annotate(n=Count("pk")),
                                      "neighbourhood__name")
    masker = RegistryMasker(None, force=True)
    themed = (ThemeMember.objects.filter(kind=MemberKind.NEED, need__raised_on__range=(start, end),
                                         theme__status="active")
              .values("theme__name").annotate(n=Count("pk")).order_by("-n", "theme__name"))
    f.needs_by_theme = [(masker.text(r["theme__name"]), r["n"]) for r in themed[:15]]
    today = timezone.localdate()
    for p in Project.objects.filter(year=year).select_related("owner_department").order_by("rank"):
        milestones = list(Milestone.objects.filter(project=p).order_by("order", "due_on", "pk"))
        f.projects.append({
            "rank": p.rank, "title": p.title, "department": p.owner_department.name, "status": p.get_status_display(),
            "progress": p.progress, "budget": p.budget, "needs": p.needs.count(),
            "milestones": [(m.title, m.due_on, m.done_on, m.done_on is None and m.due_on < today) for m in milestones],
        })
    callbacks = EchoCallback.objects.filter(echo__project__year=year)
    counts = Counter(callbacks.values_list("satisfaction", flat=True))
    f.satisfaction = [(label, counts.get(value, 0)) for value, label in EchoCallback.Satisfaction.choices]
    f.callbacks_total = sum(counts.values())
    reached = f.callbacks_total - counts.get(EchoCallback.Satisfaction.UNREACHED, 0)
    good = counts.get(EchoCallback.Satisfaction.SATISFIED, 0) + counts.get(EchoCallback.Satisfaction.BASICALLY, 0)
    f.satisfied_rate = round(good * 100 / reached, 1) if reached else None
    f.echoes_sent = Project.objects.filter(year=year).aggregate(n=Count("echoes"))["n"] or 0
    return f


def _table(pairs: list[tuple[str, int]], total: int, first: str) -> Block:
    rows = tuple((label, str(n), f"{n * 100 / total:.1f}%" if total else "—") for label, n in pairs)
    return Block("table", headers=(first, "数量", "占比"), rows=rows)


def report_blocks(f: ReportFigures) -> list[Block]:
    street = getattr(settings, "STREET_NAME", "")
    b = [Block("cover", f"{f.year}年度民生报告", lines=(
        f"{street}", f"统计区间:{f.year}年1月1日至{f.year}年12月31日",
        f"生成时间:{timezone.localtime():%Y年%m月%d日 %H:%M}"))]
    b.append(Block("heading", "一、入户走访"))
    met = dict(f.visits_by_outcome).get(VisitOutcome.MET.label, 0)
    b.append(Block("paragraph", f"全年入户走访{f.visits_total}次,覆盖{f.households_visited}户"
                                + (f",其中见面{met}次。" if met else "。")))
    b.append(_table(f.visits_by_neighbourhood, f.visits_total, "居民区"))
    b.append(_table(f.visits_by_outcome, f.visits_total, "走访结果"))
    if f.visits_by_neighbourhood:
        b.append(Block("image", image=charts.bar_chart("各居民区走访次数", [x[0] for x in f.visits_by_neighbourhood],
                                                       [x[1] for x in f.visits_by_neighbourhood], unit="次")))
    b.append(Block("heading", "二、群众需求"))
    b.append(Block("paragraph", f"全年登记群众需求{f.needs_total}条,其中转为工单办理{f.needs_to_cases}条。"))
    b.append(Block("heading", "按主题", level=2))
    b.append(_table(f.needs_by_theme, f.needs_total, "主题"))
    b.append(Block("heading", "按类别", level=2))
    b.append(_table(f.needs_by_category, f.needs_total, "类别"))
    if f.needs_by_category:
        b.append(Block("image", image=charts.bar_chart("需求类别分布", [x[0] for x in f.needs_by_category[:10]],
                                                       [x[1] for x in f.needs_by_category[:10]], unit="条")))
    b.append(Block("heading", "按居民区", level=2))
    b.append(_table(f.needs_by_neighbourhood, f.needs_total, "居民区"))
    b.append(Block("heading", f"三、{f.year}年十大民生项目"))
    done = sum(1 for p in f.projects if p["status"] == "已完成")
    b.append(Block("paragraph", f"{f.year}年确定十大民生项目{len(f.projects)}项,已完成{done}项。"))
    b.append(Block("table", headers=("序号", "项目", "牵头部门", "预算(万元)", "状态", "进度", "关联需求"), rows=tuple(
        (str(p["rank"]), p["title"], p["department"], str(p["budget"]) if p["budget"] is not None else "—",
         p["status"], f"{p['progress']}%", str(p["needs"])) for p in f.projects)))
    for p in f.projects:
        b.append(Block("heading", f"{p['rank']}. {p['title']}", level=2))
        b.append(Block("table", headers=("节点", "计划日期", "完成日期", "情况"), rows=tuple(
            (title, f"{due:%Y-%m-%d}", f"{done_on:%Y-%m-%d}" if done_on else "—",
             "已完成" if done_on else ("逾期" if late else "推进中")) for title, due, done_on, late in p["milestones"])))
    b.append(Block("heading", "四、回音与回访满意度"))
    rate = f"{f.satisfied_rate}%" if f.satisfied_rate is not None else "—"
    b.append(Block("paragraph", f"全年向相关居民发送民生回音{f.echoes_sent}户次,抽样回访{f.callbacks_total}户,"
                                f"满意率(满意与基本满意占接通户数){rate}。"))
    b.append(_table(f.satisfaction, f.callbacks_total, "满意度"))
    return b


def report_write(*, year: int, out_dir: Path, kinds: tuple[str, ...] = ("docx", "pdf")) -> dict[str, Path]:
    """Writes minsheng-<year>.docx / .pdf into out_dir and returns their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    blocks = report_blocks(report_figures(year))
    paths: dict[str, Path] = {}
    if "docx" in kinds:
        paths["docx"] = out_dir / f"minsheng-{year}.docx"
        write_docx(blocks, paths["docx"])
    if "pdf" in kinds:
        paths["pdf"] = out_dir / f"minsheng-{year}.pdf"
        write_pdf(blocks, paths["pdf"])
    return paths
