"""/api/minsheng/themes: the ranked themes, one theme with masked examples, edits, and clustering runs."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Router, Schema

from core import clock
from core.errors import PermissionDenied, ValidationFailed
from minqing import policy

from ..selectors import themes as selectors
from ..services import theme_runs
from ..services import themes as services

router = Router(tags=["民生主题"])


def _allowed(request: HttpRequest) -> None:
    if request.user.role not in policy.THEME_ROLES:
        raise PermissionDenied("只有领导、派单员和管理员可以查看民生主题")


class EditIn(Schema):
    action: str  # rename / merge / split / pin / unpin / move / hide
    name: str = ""
    summary: str | None = None
    into_id: int | None = None
    to_id: int | None = None
    member_ids: list[int] = []
    reason: str = ""


class RunIn(Schema):
    period_start: date
    period_end: date


def _run_out(run) -> dict:
    return {"id": run.pk, "status": run.status, "period_start": run.period_start, "period_end": run.period_end,
            "records": run.records, "themes": run.themes, "progress": (run.params or {}).get("progress", 0),
            "step": (run.params or {}).get("step", ""), "error": run.error}


@router.get("/themes", summary="排序后的民生主题(涉及户数、各来源记录数、近12个月趋势)")
def themes_list(request: HttpRequest, q: str = "", category: str = "", neighbourhood_id: int | None = None,
                limit: int = 50):
    _allowed(request)
    qs = list(selectors.themes(request.user, q=q, category=category, neighbourhood_id=neighbourhood_id)
              [:max(1, min(limit, 200))])
    ids = [t.pk for t in qs]
    trend, kinds = selectors.monthly(ids, end=clock.today()), selectors.by_kind(ids)
    return {"months": selectors.month_keys(clock.today()),
            "themes": [selectors.theme_row(t, kinds[t.pk], trend[t.pk]) for t in qs]}


@router.get("/themes/{theme_id}", summary="一个主题:记录(按角色打码)、各居民区、每月趋势")
def theme_detail(request: HttpRequest, theme_id: int):
    _allowed(request)
    theme = selectors.theme_get(request.user, theme_id)
    members = selectors.members(request.user, theme)
    policy.audit_clear_view(request.user, request, object_type="minsheng_theme", ids=[m["id"] for m in members],
                            what="api")
    today = clock.today()
    row = selectors.theme_row(theme, selectors.by_kind([theme.pk])[theme.pk],
                              selectors.monthly([theme.pk], end=today)[theme.pk])
    return {**row, "summary": theme.summary, "merged_into": theme.merged_into_id,
            "months": selectors.month_keys(today), "neighbourhoods": selectors.by_neighbourhood(theme),
            "members": [{**m, "on": m["on"].isoformat() if m["on"] else None} for m in members]}


@router.post("/themes/{theme_id}/edit", summary="调整主题:改名、合并、拆分、置顶、移动记录、隐藏")
def theme_edit(request: HttpRequest, theme_id: int, payload: EditIn):
    _allowed(request)
    selectors.theme_get(request.user, theme_id)
    actor, p = request.user, payload
    if p.action == "rename":
        theme = services.theme_rename(actor=actor, theme_id=theme_id, name=p.name, summary=p.summary)
    elif p.action == "merge":
        theme = services.theme_merge(actor=actor, theme_id=theme_id, into_id=p.into_id or 0)
    elif p.action == "split":
        theme = services.theme_split(actor=actor, theme_id=theme_id, member_ids=p.member_ids, name=p.name)
    elif p.action in ("pin", "unpin"):
        theme = services.theme_pin(actor=actor, theme_id=theme_id, pinned=p.action == "pin")
    elif p.action == "move":
        theme = services.theme_member_move(actor=actor, theme_id=theme_id, member_ids=p.member_ids,
                                           to_id=p.to_id or 0)
    elif p.action == "hide":
        theme = services.theme_hide(actor=actor, theme_id=theme_id, reason=p.reason)
    else:
        raise ValidationFailed("未知的操作", details={"field": "action"})
    return {"id": theme.pk, "name": theme.name, "status": theme.status, "is_pinned": theme.is_pinned,
            "member_count": theme.member_count, "household_count": theme.household_count}


@router.post("/runs", summary="发起主题聚类(后台运行)")
def theme_run_create(request: HttpRequest, payload: RunIn):
    _allowed(request)
    run = theme_runs.theme_run_start(actor=request.user, period_start=payload.period_start,
                                     period_end=payload.period_end)
    return _run_out(run)


@router.get("/runs/{run_id}", summary="聚类进度与结果")
def theme_run_status(request: HttpRequest, run_id: int):
    _allowed(request)
    return _run_out(selectors.run_get(request.user, run_id))
