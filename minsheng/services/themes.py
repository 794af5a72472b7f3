"""A person's edits of themes (民生主题): rename, merge, split, pin/unpin, move members, hide; and the kept counts.

Each edit is one transaction and one ThemeEvent (append-only, actor and time) on the theme it changes; bad input
raises a DomainError before anything is written. Who: minqing.policy.THEME_ROLES (the leaders pick 十大民生 from
these themes; the centre keeps them). Members a person moves are `placed_by_person` and a re-run leaves them where
they are; a renamed theme is `named_by_person` and keeps its name across re-runs (minsheng/services/theme_runs.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Q

from core import clock
from core.errors import Conflict, NotFound, ValidationFailed
from core.text import has_illegal
from minqing import policy
from org.models import User

from ..models import Theme, ThemeEvent, ThemeMember
from ..scoring import theme_score

NAME_MAX = 60


def theme_event(*, theme: Theme, action: str, actor: User, **payload) -> ThemeEvent:
    return ThemeEvent.objects.create(theme=theme, action=action, actor=actor, at=clock.now(), payload=payload)


def theme_counts_refresh(theme_ids: Iterable[int]) -> None:
    """member_count, household_count (distinct households affected) and score, from the members as they are now."""
    ids = sorted({i for i in theme_ids if i})
    if not ids:
        return
    today = clock.today()
    counts = dict(ThemeMember.objects.filter(theme_id__in=ids).values("theme_id")
                  .annotate(n=Count("id"), h=Count("household", distinct=True))
                  .values_list("theme_id", "n"))
    households = dict(ThemeMember.objects.filter(theme_id__in=ids).values("theme_id")
                      .annotate(h=Count("household", distinct=True)).values_list("theme_id", "h"))
    dates: dict[int, list] = {i: [] for i in ids}
    for theme_id, day in ThemeMember.objects.filter(theme_id__in=ids).values_list("theme_id", "occurred_on"):
        dates[theme_id].append(day)
    now = clock.now()
    for theme_id in ids:
        h = households.get(theme_id, 0)
        Theme.objects.filter(pk=theme_id).update(
            member_count=counts.get(theme_id, 0), household_count=h,
            score=theme_score(households=h, dates=dates[theme_id], today=today), updated_at=now)


def _lock(actor: User, theme_id: int, *, what: str) -> Theme:
    policy.check_role(actor, policy.THEME_ROLES, what)
    theme = Theme.objects.select_for_update().filter(pk=theme_id).first()
    if theme is None:
        raise NotFound("主题不存在")
    if theme.status != Theme.Status.ACTIVE:
        raise Conflict(f"主题「{theme.name}」{theme.get_status_display()},不能{what}")
    return theme


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("请填写主题名称", details={"field": "name"})
    if has_illegal(name):
        raise ValidationFailed("主题名称含有无法保存的字符", details={"field": "name"})
    if len(name) > NAME_MAX:
        raise ValidationFailed(f"主题名称不能超过{NAME_MAX}个字", details={"field": "name"})
    return name


def _bump(theme: Theme, *fields: str) -> None:
    theme.version += 1
    theme.updated_at = clock.now()
    theme.save(update_fields=[*fields, "version", "updated_at"])


def theme_rename(*, actor: User, theme_id: int, name: str, summary: str | None = None) -> Theme:
    """改名: the name (and the note) a person gives; kept across re-runs."""
    name = _clean_name(name)
    if summary is not None and has_illegal(summary):
        raise ValidationFailed("说明含有无法保存的字符", details={"field": "summary"})
    with transaction.atomic():
        theme = _lock(actor, theme_id, what="改名")
        before = {"name": theme.name, "summary": theme.summary}
        theme.name, theme.named_by_person = name, True
        fields = ["name", "named_by_person"]
        if summary is not None:
            theme.summary = summary.strip()[:2000]
            fields.append("summary")
        _bump(theme, *fields)
        theme_event(theme=theme, action="rename", actor=actor, before=before,
                    after={"name": theme.name, "summary": theme.summary})
    return theme


def theme_merge(*, actor: User, theme_id: int, into_id: int) -> Theme:
    """合并: every member of `theme_id` moves into `into_id` (placed by a person); the merged one is 已合并."""
    if not into_id or int(into_id) == int(theme_id):
        raise ValidationFailed("请选择要并入的另一个主题", details={"field": "into"})
    with transaction.atomic():
        first, second = sorted([int(theme_id), int(into_id)])  # lock in id order: two merges never deadlock
        locked = {first: _lock(actor, first, what="合并"), second: _lock(actor, second, what="合并")}
        theme, into = locked[int(theme_id)], locked[int(into_id)]
        moved = ThemeMember.objects.filter(theme=theme).update(theme=into, placed_by_person=True)
        theme.status, theme.merged_into = Theme.Status.MERGED, into
        _bump(theme, "status", "merged_into")
        if theme.is_pinned and not into.is_pinned:
            into.is_pinned = True
        _bump(into, "is_pinned")
        theme_event(theme=theme, action="merge", actor=actor, into=into.pk, into_name=into.name, members=moved)
        theme_event(theme=into, action="merged_in", actor=actor, source=theme.pk, source_name=theme.name,
                    members=moved)
        theme_counts_refresh([theme.pk, into.pk])
    into.refresh_from_db()
    return into


def _members_of(theme: Theme, member_ids: Iterable) -> list[ThemeMember]:
    try:
        ids = sorted({int(i) for i in member_ids})
    except (TypeError, ValueError):
        raise ValidationFailed("所选记录不正确", details={"field": "members"}) from None
    if not ids:
        raise ValidationFailed("请勾选至少一条记录", details={"field": "members"})
    members = list(ThemeMember.objects.filter(theme=theme, pk__in=ids))
    if len(members) != len(ids):
        raise ValidationFailed("所选记录不属于该主题(可能已被移走),请刷新后重试", details={"field": "members"})
    return members


def theme_split(*, actor: User, theme_id: int, member_ids: Iterable, name: str) -> Theme:
    """拆分: the ticked members become a new theme of the given name (placed and named by a person)."""
    name = _clean_name(name)
    with transaction.atomic():
        theme = _lock(actor, theme_id, what="拆分")
        members = _members_of(theme, member_ids)
        if len(members) >= theme.members.count():
            raise ValidationFailed("拆分须留下至少一条记录;要整体改名请用“改名”", details={"field": "members"})
        now = clock.now()
        new = Theme.objects.create(name=name, keywords=theme.keywords, category_label=theme.category_label,
                                   run=theme.run, named_by_person=True, created_at=now, updated_at=now)
        ThemeMember.objects.filter(pk__in=[m.pk for m in members]).update(theme=new, placed_by_person=True)
        _bump(theme)
        theme_event(theme=theme, action="split", actor=actor, new=new.pk, new_name=name, members=len(members))
        theme_event(theme=new, action="split_from", actor=actor, source=theme.pk, source_name=theme.name,
                    members=[m.pk for m in members][:500])
        theme_counts_refresh([theme.pk, new.pk])
    new.refresh_from_db()
    return new


def theme_pin(*, actor: User, theme_id: int, pinned: bool = True) -> Theme:
    """置顶/锁定 (or release): a pinned theme and all its members are kept as they are by later runs."""
    with transaction.atomic():
        theme = _lock(actor, theme_id, what="置顶" if pinned else "取消置顶")
        if theme.is_pinned == pinned:
            raise Conflict("该主题已置顶" if pinned else "该主题未置顶")
        theme.is_pinned = pinned
        _bump(theme, "is_pinned")
        theme_event(theme=theme, action="pin" if pinned else "unpin", actor=actor)
    return theme


def theme_unpin(*, actor: User, theme_id: int) -> Theme:
    return theme_pin(actor=actor, theme_id=theme_id, pinned=False)


def theme_member_move(*, actor: User, theme_id: int, member_ids: Iterable, to_id: int) -> Theme:
    """移动记录: ticked members into another theme, placed by a person (a re-run leaves them there)."""
    if not to_id or int(to_id) == int(theme_id):
        raise ValidationFailed("请选择目标主题", details={"field": "to"})
    with transaction.atomic():
        first, second = sorted([int(theme_id), int(to_id)])
        locked = {first: _lock(actor, first, what="移动记录"), second: _lock(actor, second, what="移动记录")}
        theme, target = locked[int(theme_id)], locked[int(to_id)]
        members = _members_of(theme, member_ids)
        ThemeMember.objects.filter(pk__in=[m.pk for m in members]).update(theme=target, placed_by_person=True)
        _bump(theme)
        _bump(target)
        theme_event(theme=theme, action="move_out", actor=actor, to=target.pk, members=[m.pk for m in members][:500])
        theme_event(theme=target, action="move_in", actor=actor, source=theme.pk,
                    members=[m.pk for m in members][:500])
        theme_counts_refresh([theme.pk, target.pk])
    target.refresh_from_db()
    return target


def theme_hide(*, actor: User, theme_id: int, reason: str = "") -> Theme:
    """隐藏: a theme that is no pain point (noise, a test); its members stay with it and out of later runs."""
    reason = (reason or "").strip()
    if has_illegal(reason):
        raise ValidationFailed("原因含有无法保存的字符", details={"field": "reason"})
    with transaction.atomic():
        theme = _lock(actor, theme_id, what="隐藏")
        theme.status = Theme.Status.HIDDEN
        _bump(theme, "status")
        ThemeMember.objects.filter(theme=theme).update(placed_by_person=True)
        theme_event(theme=theme, action="hide", actor=actor, reason=reason[:300])
    return theme


def active_themes_q() -> Q:
    return Q(status=Theme.Status.ACTIVE)
