"""A clustering run (ThemeRun) over the needs, cases and lake records of a period, in the background with progress,
and how its clusters are mapped onto the themes people already shaped.

What a re-run keeps: members `placed_by_person`, every member of a pinned theme and of a hidden theme stay where they
are; only machine members are regrouped. Each new cluster is matched to the existing active theme holding most of its
records (at least MIN_OVERLAP of the cluster), one cluster per theme, so a theme a person renamed keeps its name and
its id (a 十大民生 project may point at it); clusters without such a theme become new themes; an unpinned machine theme
that no cluster maps onto and that is left without members is hidden. One ThemeEvent ("regroup") per theme touched.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from core import clock
from core.background import BROKER_DOWN_MESSAGE, run_in_background
from core.errors import Conflict, DomainError, ValidationFailed
from minqing import policy
from minqing.models import LakeRecord, Need
from org.models import User

from .. import clustering
from ..models import MemberKind, Theme, ThemeMember, ThemeRun
from .themes import theme_counts_refresh, theme_event

logger = logging.getLogger(__name__)
MIN_OVERLAP = 0.3
MAX_PERIOD_DAYS = 3 * 366
KEY = {MemberKind.NEED: "need_id", MemberKind.CASE: "case_id", MemberKind.LAKE: "lake_record_id"}


def period_records(start: date, end: date) -> list[clustering.Record]:
    """Needs (raised_on), cases (registered day) and lake records (occurred_on) of the period, in a stable order."""
    from cases.models import Case

    records: list[clustering.Record] = []
    for pk, text, category, nb, household, day in (
            Need.objects.filter(raised_on__range=(start, end)).order_by("pk")
            .values_list("pk", "text", "category__name", "neighbourhood_id", "household_id", "raised_on")):
        records.append(clustering.Record(MemberKind.NEED, pk, text, category or "", nb, household, day))
    tz = timezone.get_current_timezone()
    since = timezone.make_aware(datetime.combine(start, time.min), tz)
    until = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz)
    need_households = dict(Need.objects.filter(case__isnull=False).values_list("case_id", "household_id"))
    for pk, title, content, category, nb, at in (
            Case.objects.filter(registered_at__gte=since, registered_at__lt=until).order_by("pk")
            .values_list("pk", "title", "content", "category__name", "neighbourhood_id", "registered_at")):
        records.append(clustering.Record(MemberKind.CASE, pk, f"{title},{content}", category or "", nb,
                                         need_households.get(pk), timezone.localtime(at, tz).date()))
    for pk, text, category, nb, household, day in (
            LakeRecord.objects.filter(occurred_on__range=(start, end)).order_by("pk")
            .values_list("pk", "text", "category_text", "neighbourhood_id", "household_id", "occurred_on")):
        records.append(clustering.Record(MemberKind.LAKE, pk, text, category or "", nb, household, day))
    return records


# --- starting and running -------------------------------------------------------------------------------------


def theme_run_start(*, actor: User, period_start: date, period_end: date, launch: bool = True) -> ThemeRun:
    """开始聚类: refused while another run is going (two runs would regroup the same members at once)."""
    policy.check_role(actor, policy.THEME_ROLES, "发起主题聚类")
    if period_start is None or period_end is None:
        raise ValidationFailed("请填写起止日期", details={"field": "period_start"})
    if period_end < period_start:
        raise ValidationFailed("截止日期不能早于起始日期", details={"field": "period_end"})
    if (period_end - period_start).days > MAX_PERIOD_DAYS:
        raise ValidationFailed("聚类期间不能超过三年", details={"field": "period_end"})
    with transaction.atomic():
        busy = ThemeRun.objects.select_for_update().filter(
            status__in=[ThemeRun.Status.PENDING, ThemeRun.Status.RUNNING]).first()
        if busy is not None and not _stale(busy):
            raise Conflict(f"已有一次聚类正在进行(发起于 {timezone.localtime(busy.started_at):%m-%d %H:%M}),请等待完成")
        if busy is not None:
            ThemeRun.objects.filter(pk=busy.pk).update(status=ThemeRun.Status.FAILED, error="后台进程中断")
        run = ThemeRun.objects.create(period_start=period_start, period_end=period_end, started_at=clock.now(),
                                      started_by=actor, params={"progress": 0, "step": "排队中",
                                                                "heartbeat": clock.now().isoformat()})
        if launch:
            run_id = run.pk
            transaction.on_commit(lambda: theme_run_launch(run_id=run_id))
    return run


def _stale(run: ThemeRun) -> bool:
    from core.background import is_stale

    beat = (run.params or {}).get("heartbeat")
    return is_stale(datetime.fromisoformat(beat) if beat else run.started_at)


def theme_run_launch(*, run_id: int) -> None:
    from .. import tasks

    if run_in_background(tasks.run_themes, run_id) is False:
        ThemeRun.objects.filter(pk=run_id).update(status=ThemeRun.Status.FAILED, error=BROKER_DOWN_MESSAGE,
                                                  finished_at=clock.now())


def _progress(run: ThemeRun, percent: int, step: str) -> None:
    run.params = {**(run.params or {}), "progress": percent, "step": step, "heartbeat": clock.now().isoformat()}
    ThemeRun.objects.filter(pk=run.pk).update(params=run.params, status=ThemeRun.Status.RUNNING)


def theme_run_execute(run_id: int, *, params: clustering.Params | None = None) -> ThemeRun:
    """The job: read the period, cluster, map onto the themes and write members; FAILED with the message if not."""
    run = ThemeRun.objects.select_related("started_by").get(pk=run_id)
    if run.status == ThemeRun.Status.DONE:
        return run
    try:
        _progress(run, 5, "读取记录")
        records = period_records(run.period_start, run.period_end)
        _progress(run, 20, f"分词与聚类({len(records)} 条)")
        params = params or clustering.Params(workers=1 if len(records) < 50_000 else 2)
        result = clustering.cluster(records, params)
        _progress(run, 80, "写入主题")
        themes = theme_run_apply(run=run, records=records, result=result)
        run.params = {**run.params, "progress": 100, "step": "已完成", "timings": result.timings,
                      "clustering": params.as_dict()}
        ThemeRun.objects.filter(pk=run.pk).update(status=ThemeRun.Status.DONE, records=len(records), themes=themes,
                                                  finished_at=clock.now(), params=run.params)
    except Exception as exc:
        logger.exception("theme run %s failed", run_id)
        message = exc.message if isinstance(exc, DomainError) else f"聚类中断:{exc}"
        ThemeRun.objects.filter(pk=run.pk).update(status=ThemeRun.Status.FAILED, error=message[:500],
                                                  finished_at=clock.now())
    run.refresh_from_db()
    return run


def theme_run_apply(*, run: ThemeRun, records: list[clustering.Record], result: clustering.Clustering) -> int:
    """Regroup the machine members of the period by `result` (see the module's docstring). Returns themes touched."""
    actor = run.started_by
    now = clock.now()
    with transaction.atomic():
        existing: dict[tuple[str, int], ThemeMember] = {}
        keys = {kind: [r.id for r in records if r.kind == kind] for kind in KEY}
        for kind, field in KEY.items():
            for start in range(0, len(keys[kind]), 5000):
                chunk = keys[kind][start:start + 5000]
                for m in ThemeMember.objects.filter(**{f"{field}__in": chunk}).select_related("theme"):
                    existing[kind, getattr(m, field)] = m
        fixed = {k for k, m in existing.items()
                 if m.placed_by_person or m.theme.is_pinned or m.theme.status != Theme.Status.ACTIVE}
        # Overlap of each new cluster with the themes its records are in now.
        overlap: dict[int, Counter] = defaultdict(Counter)
        for position, record in enumerate(records):
            member = existing.get((record.kind, record.id))
            if member is not None and member.theme.status == Theme.Status.ACTIVE:
                overlap[int(result.labels[position])][member.theme_id] += 1
        pairs = sorted(((n, label, theme_id) for label, c in overlap.items() for theme_id, n in c.items()),
                       reverse=True)
        target: dict[int, Theme] = {}
        taken: set[int] = set()
        themes_by_id = {m.theme_id: m.theme for m in existing.values()}
        for n, label, theme_id in pairs:
            if label in target or theme_id in taken or n < MIN_OVERLAP * result.themes[label].size:
                continue
            target[label], _ = themes_by_id[theme_id], taken.add(theme_id)
        for described in result.themes:
            keywords = "、".join(described.keywords)[:200]
            theme = target.get(described.label)
            if theme is None:
                theme = Theme.objects.create(name=clustering.theme_name(described.keywords, described.category),
                                             keywords=keywords, category_label=described.category[:60], run=run,
                                             created_at=now, updated_at=now)
                target[described.label] = theme
            else:
                theme.keywords, theme.category_label, theme.run = keywords, described.category[:60], run
                if not theme.named_by_person:
                    theme.name = clustering.theme_name(described.keywords, described.category)
                theme.updated_at = now
                theme.save(update_fields=["keywords", "category_label", "run", "name", "updated_at"])
        # Machine members out, then every record not fixed into its cluster's theme.
        before = Counter(m.theme_id for k, m in existing.items() if k not in fixed)
        ThemeMember.objects.filter(pk__in=[m.pk for k, m in existing.items() if k not in fixed]).delete()
        new_members = []
        for position, record in enumerate(records):
            if (record.kind, record.id) in fixed:
                continue
            theme = target[int(result.labels[position])]
            new_members.append(ThemeMember(theme=theme, kind=record.kind, **{KEY[record.kind]: record.id},
                                           household_id=record.household_id, neighbourhood_id=record.neighbourhood_id,
                                           occurred_on=record.occurred_on,
                                           similarity=float(result.similarity[position])))
        ThemeMember.objects.bulk_create(new_members, batch_size=2000)
        after = Counter(m.theme_id for m in new_members)
        touched = set(before) | set(after)
        theme_counts_refresh(touched)
        for theme in Theme.objects.filter(pk__in=touched):
            if theme.member_count == 0 and not theme.is_pinned and not theme.named_by_person \
                    and theme.status == Theme.Status.ACTIVE:
                Theme.objects.filter(pk=theme.pk).update(status=Theme.Status.HIDDEN, updated_at=now)
            theme_event(theme=theme, action="regroup", actor=actor, run=run.pk, removed=before.get(theme.pk, 0),
                        added=after.get(theme.pk, 0))
    return len(touched)
