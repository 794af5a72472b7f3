"""Demo themes: the clustering over whatever needs, cases and lake records the earlier demo modules made (the last
year up to today), then a few themes shaped as a person would (renamed, one pinned). Call after the visits/needs,
cases and data-lake demo modules; with none of them it makes no theme and says so."""

from __future__ import annotations

from datetime import date, timedelta

from core import clock
from minsheng.models import Theme
from minsheng.services import theme_runs, themes
from org.models import Role, User

RENAMES = ["老旧小区加装电梯", "停车难与车位分配", "楼道堆物与飞线充电"]


def load_themes(*, actor: User | None = None, start: date | None = None, end: date | None = None,
                shaped: int = 3) -> dict:
    actor = actor or User.objects.filter(role=Role.LEADER, is_active=True).order_by("pk").first() or \
        User.objects.filter(role=Role.DISPATCHER).order_by("pk").first()
    end = end or clock.today()
    start = start or end - timedelta(days=730)
    run = theme_runs.theme_run_start(actor=actor, period_start=start, period_end=end, launch=False)
    run = theme_runs.theme_run_execute(run.pk)
    top = list(Theme.objects.filter(status=Theme.Status.ACTIVE).order_by("-score", "id")[:shaped])
    for theme, name in zip(top, RENAMES, strict=False):
        if not theme.named_by_person:
            themes.theme_rename(actor=actor, theme_id=theme.pk, name=f"{name}({theme.category_label or '综合'})"[:60])
    if top:
        themes.theme_pin(actor=actor, theme_id=top[0].pk)
    return {"run": run.pk, "status": run.status, "records": run.records, "themes": run.themes}
