"""Reads of themes for the acting user: the ranked list with its figures, one theme with masked examples, runs.

Scope: themes are street-wide (a theme gathers records of every 居民区), so they are read by the street-wide
THEME_ROLES only (领导, 管理员, 派单员). A 居委干部 reads no theme: the counts of a theme are the street's, and a
cadre's own 居民区 needs are on its 民情 pages. Example texts go through masker_for(user) (the 领导 and 管理员 read
them masked); the 派单员's clear view of examples is audited by the page (minqing.policy.audit_clear_view).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth

from core.pages import get_in_scope_or_404
from minqing import policy
from minqing.models import LakeRecord, Need
from org.models import Neighbourhood, User

from ..models import MemberKind, Theme, ThemeEvent, ThemeMember, ThemeRun

MONTHS = 12


def can_read(user: User) -> bool:
    return user.is_authenticated and user.role in policy.THEME_ROLES


def themes(user: User, *, q: str = "", category: str = "", neighbourhood_id: int | None = None,
           status: str = Theme.Status.ACTIVE) -> QuerySet[Theme]:
    if not can_read(user):
        return Theme.objects.none()
    qs = Theme.objects.filter(status=status or Theme.Status.ACTIVE)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(keywords__icontains=q))
    if category:
        qs = qs.filter(category_label=category)
    if neighbourhood_id:
        qs = qs.filter(members__neighbourhood_id=neighbourhood_id).distinct()
    return qs.order_by("-is_pinned", "-score", "id")


def theme_get(user: User, pk: int) -> Theme:
    qs = Theme.objects.all() if can_read(user) else Theme.objects.none()
    return get_in_scope_or_404(qs, "主题不存在", pk=pk)


def categories(user: User) -> list[str]:
    return sorted(set(themes(user).exclude(category_label="").values_list("category_label", flat=True)))


def month_keys(end: date, months: int = MONTHS) -> list[str]:
    keys, year, month = [], end.year, end.month
    for _ in range(months):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return keys[::-1]


def monthly(theme_ids: list[int], *, end: date) -> dict[int, list[int]]:
    """Records per month (the last MONTHS months up to `end`) for each theme: the sparkline and trend chart."""
    keys = month_keys(end)
    index = {k: i for i, k in enumerate(keys)}
    out = {t: [0] * len(keys) for t in theme_ids}
    rows = (ThemeMember.objects.filter(theme_id__in=theme_ids, occurred_on__isnull=False)
            .annotate(m=TruncMonth("occurred_on")).values("theme_id", "m").annotate(n=Count("id")))
    for row in rows:
        key = f"{row['m']:%Y-%m}"
        if key in index:
            out[row["theme_id"]][index[key]] = row["n"]
    return out


def by_kind(theme_ids: list[int]) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = defaultdict(lambda: {k: 0 for k in MemberKind.values})
    for row in ThemeMember.objects.filter(theme_id__in=theme_ids).values("theme_id", "kind").annotate(n=Count("id")):
        out[row["theme_id"]][row["kind"]] = row["n"]
    return out


def by_neighbourhood(theme: Theme) -> list[dict[str, Any]]:
    names = dict(Neighbourhood.objects.values_list("pk", "name"))
    rows = (theme.members.values("neighbourhood_id")
            .annotate(n=Count("id"), h=Count("household", distinct=True)).order_by("-n"))
    return [{"name": names.get(r["neighbourhood_id"], "未定位"), "records": r["n"], "households": r["h"]}
            for r in rows]


def members(user: User, theme: Theme, *, limit: int = 100) -> list[dict[str, Any]]:
    """The theme's records nearest its centre first, each text as this reader may read it."""
    masker = policy.masker_for(user)
    rows = list(theme.members.order_by("-placed_by_person", "-similarity", "pk")[:limit])
    need_ids = [m.need_id for m in rows if m.need_id]
    case_ids = [m.case_id for m in rows if m.case_id]
    lake_ids = [m.lake_record_id for m in rows if m.lake_record_id]
    from cases.models import Case

    needs = dict(Need.objects.filter(pk__in=need_ids).values_list("pk", "text"))
    cases = {pk: (number, f"{title}:{content}") for pk, number, title, content in
             Case.objects.filter(pk__in=case_ids).values_list("pk", "number", "title", "content")}
    lakes = {pk: (source, text) for pk, source, text in
             LakeRecord.objects.filter(pk__in=lake_ids).values_list("pk", "source__name", "text")}
    names = dict(Neighbourhood.objects.values_list("pk", "name"))
    out = []
    for m in rows:
        if m.kind == MemberKind.NEED:
            ref, text = f"需求 #{m.need_id}", needs.get(m.need_id, "")
        elif m.kind == MemberKind.CASE:
            number, text = cases.get(m.case_id, ("", ""))
            ref = f"工单 {number}"
        else:
            source, text = lakes.get(m.lake_record_id, ("", ""))
            ref = f"{source} #{m.lake_record_id}"
        out.append({"id": m.pk, "kind": m.get_kind_display(), "ref": ref, "text": masker.text(text)[:300],
                    "neighbourhood": names.get(m.neighbourhood_id, ""), "on": m.occurred_on,
                    "placed_by_person": m.placed_by_person, "similarity": round(m.similarity, 2)})
    return out


EVENT_LABELS = {
    "rename": "改名", "merge": "并入其他主题", "merged_in": "并入", "split": "拆分", "split_from": "拆分自",
    "pin": "置顶", "unpin": "取消置顶", "move_out": "移出记录", "move_in": "移入记录", "hide": "隐藏",
    "regroup": "重新聚类",
}


def _event_detail(event: ThemeEvent) -> str:
    p = event.payload or {}
    members = p.get("members")
    count = members if isinstance(members, int) else len(members) if isinstance(members, list) else None
    if event.action == "rename":
        return f"「{(p.get('before') or {}).get('name', '')}」→「{(p.get('after') or {}).get('name', '')}」"
    if event.action == "merge":
        return f"并入「{p.get('into_name', '')}」" + (f",{count} 条记录" if count is not None else "")
    if event.action in ("merged_in", "split_from"):
        return f"来自「{p.get('source_name', '')}」" + (f",{count} 条记录" if count is not None else "")
    if event.action == "split":
        return f"拆出「{p.get('new_name', '')}」" + (f",{count} 条记录" if count is not None else "")
    if event.action in ("move_out", "move_in") and count is not None:
        return f"{count} 条记录"
    if event.action == "hide":
        return p.get("reason", "")
    if event.action == "regroup":
        return f"第 {p.get('run', '')} 次聚类:新增 {p.get('added', 0)} 条,移出 {p.get('removed', 0)} 条"
    return ""


def events(theme: Theme, *, limit: int = 30) -> list[dict]:
    """The theme's history, newest first, told in Chinese (the stored action codes are for code, not people)."""
    rows = theme.events.select_related("actor").order_by("-at", "-id")[:limit]
    return [{"at": e.at, "actor": e.actor, "action": e.action, "label": EVENT_LABELS.get(e.action, e.action),
             "detail": _event_detail(e)} for e in rows]


def runs(user: User) -> QuerySet[ThemeRun]:
    if not can_read(user):
        return ThemeRun.objects.none()
    return ThemeRun.objects.select_related("started_by").order_by("-started_at")


def run_get(user: User, pk: int) -> ThemeRun:
    return get_in_scope_or_404(runs(user), "聚类批次不存在", pk=pk)


def theme_row(theme: Theme, kinds: dict[str, int], trend: list[int]) -> dict[str, Any]:
    return {"id": theme.pk, "name": theme.name, "keywords": theme.keywords, "category": theme.category_label,
            "status": theme.status, "is_pinned": theme.is_pinned, "named_by_person": theme.named_by_person,
            "member_count": theme.member_count, "household_count": theme.household_count,
            "score": theme.score, "by_kind": kinds, "trend": trend}
