"""Writes of 十大民生 projects and their milestones: create (from a theme or by hand), edit under an optimistic lock,
link needs and cases, add/edit/complete milestones, set status and progress. Every write is one transaction and one
ProjectEvent (append-only, actor, time, before → after)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction

from cases.models import Case
from core import clock
from core.errors import Conflict, ValidationFailed
from core.text import has_illegal
from minqing import policy
from minqing.models import Need
from org.models import Department, User

from ..models import MemberKind, Milestone, Project, ProjectEvent, ProjectStatus, Theme, ThemeMember

RANKS = range(1, 11)
YEARS = range(2000, 2101)
EDITABLE = ("title", "description", "owner_department", "budget", "rank", "is_public", "public_summary")
STALE = "该项目已被他人修改,请刷新后重试"


def project_event(*, project: Project, action: str, actor: User, changes: dict | None = None,
                  note: str = "") -> ProjectEvent:
    return ProjectEvent.objects.create(project=project, action=action, actor=actor, at=clock.now(),
                                       changes=changes or {}, note=note)


# --- validation ----------------------------------------------------------------------------------------------------


def _text(value: Any, *, field: str, label: str, max_length: int, required: bool = False) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if has_illegal(text):
        raise ValidationFailed(f"{label}含有无法保存的字符", details={"field": field})
    if required and not text:
        raise ValidationFailed(f"请填写{label}", details={"field": field})
    if len(text) > max_length:
        raise ValidationFailed(f"{label}不能超过{max_length}个字", details={"field": field})
    return text


def _budget(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        budget = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed("预算须为数字(万元)", details={"field": "budget"}) from None
    if budget < 0 or budget >= Decimal("10000000000"):
        raise ValidationFailed("预算须为不小于0的金额(万元)", details={"field": "budget"})
    return budget


def _rank(value: Any) -> int:
    try:
        rank = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed("序号须为1到10的整数", details={"field": "rank"}) from None
    if rank not in RANKS:
        raise ValidationFailed("序号须为1到10的整数", details={"field": "rank"})
    return rank


def _year(value: Any) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed("年度不正确", details={"field": "year"}) from None
    if year not in YEARS:
        raise ValidationFailed("年度不正确", details={"field": "year"})
    return year


def _check_rank_free(year: int, rank: int, *, exclude: int | None = None) -> None:
    taken = Project.objects.filter(year=year, rank=rank).exclude(pk=exclude).first()
    if taken is not None:
        raise Conflict(f"{year}年第{rank}号项目已存在(“{taken.title}”),请换一个序号",
                       code="rank_taken", details={"field": "rank"})


def _milestone_fields(item: dict, *, index: int | None = None) -> dict:
    where = f"第{index}个节点:" if index is not None else ""
    title = _text(item.get("title"), field="milestones", label=f"{where}节点名称", max_length=100, required=True)
    due_on = item.get("due_on")
    if isinstance(due_on, str):
        try:
            due_on = date.fromisoformat(due_on)
        except ValueError:
            due_on = None
    if not isinstance(due_on, date):
        raise ValidationFailed(f"{where}请填写正确的计划日期", details={"field": "milestones"})
    note = _text(item.get("note"), field="milestones", label=f"{where}说明", max_length=300)
    return {"title": title, "due_on": due_on, "note": note}


def _department(value: Any) -> Department:
    if not isinstance(value, Department):
        raise ValidationFailed("请选择牵头部门", details={"field": "owner_department"})
    return value


def theme_links(theme: Theme) -> tuple[list[int], list[int]]:
    """The need and case ids a theme holds (its ThemeMember rows)."""
    members = ThemeMember.objects.filter(theme=theme)
    needs = list(members.filter(kind=MemberKind.NEED, need__isnull=False).values_list("need_id", flat=True))
    cases = list(members.filter(kind=MemberKind.CASE, case__isnull=False).values_list("case_id", flat=True))
    return needs, cases


# --- projects ------------------------------------------------------------------------------------------------------


def project_create(
    *, actor: User, year: int, rank: int, title: str, owner_department: Department, description: str = "",
    budget: Any = None, theme: Theme | None = None, milestones: list[dict] | None = None, is_public: bool = True,
    public_summary: str = "",
) -> Project:
    """立项: one of the year's ten projects; from a theme its needs and cases are linked at once."""
    policy.check_role(actor, policy.PROJECT_ROLES, "确定十大民生项目")
    year, rank = _year(year), _rank(rank)
    title = _text(title, field="title", label="项目名称", max_length=100, required=True)
    description = _text(description, field="description", label="项目内容", max_length=5000)
    public_summary = _text(public_summary, field="public_summary", label="公开说明", max_length=300)
    owner_department = _department(owner_department)
    budget = _budget(budget)
    planned = [_milestone_fields(item, index=i) for i, item in enumerate(milestones or [], start=1)]
    with transaction.atomic():
        _check_rank_free(year, rank)
        now = clock.now()
        try:
            with transaction.atomic():
                project = Project.objects.create(
                    year=year, rank=rank, title=title, description=description, theme=theme,
                    owner_department=owner_department, budget=budget, is_public=bool(is_public),
                    public_summary=public_summary, created_at=now, created_by=actor, updated_at=now)
        except IntegrityError:  # a concurrent create took the rank between the check and the insert
            raise Conflict(f"{year}年第{rank}号项目已存在,请换一个序号", code="rank_taken",
                           details={"field": "rank"}) from None
        for order, item in enumerate(planned):
            Milestone.objects.create(project=project, order=order, **item)
        need_ids, case_ids = theme_links(theme) if theme is not None else ([], [])
        project.needs.set(need_ids)
        project.cases.set(case_ids)
        project_event(project=project, action="create", actor=actor, changes={
            "year": year, "rank": rank, "title": title, "owner_department": owner_department.name,
            "budget": str(budget) if budget is not None else None, "theme": theme.name if theme else None,
            "milestones": len(planned), "needs": len(need_ids), "cases": len(case_ids)})
    return project


def _shown(field: str, value: Any) -> Any:
    if field == "owner_department":
        return value.name if value is not None else None
    if isinstance(value, Decimal):
        return str(value)
    return value


def project_update(*, actor: User, project: Project, version: int, **fields: Any) -> Project:
    """修改项目: the fields given, if the project is still at `version` (else 409); ProjectEvent with before → after."""
    policy.check_role(actor, policy.PROJECT_ROLES, "修改十大民生项目")
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValidationFailed(f"不能修改的字段:{'、'.join(sorted(unknown))}")
    clean: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "title":
            clean[name] = _text(value, field=name, label="项目名称", max_length=100, required=True)
        elif name == "description":
            clean[name] = _text(value, field=name, label="项目内容", max_length=5000)
        elif name == "public_summary":
            clean[name] = _text(value, field=name, label="公开说明", max_length=300)
        elif name == "owner_department":
            clean[name] = _department(value)
        elif name == "budget":
            clean[name] = _budget(value)
        elif name == "rank":
            clean[name] = _rank(value)
        elif name == "is_public":
            clean[name] = bool(value)
    with transaction.atomic():
        current = Project.objects.select_for_update().get(pk=project.pk)
        if current.version != int(version):
            raise Conflict(STALE, code="stale")
        changes = {}
        for name, value in clean.items():
            before = getattr(current, name)
            if before != value:
                changes[name] = [_shown(name, before), _shown(name, value)]
                setattr(current, name, value)
        if not changes:
            return current
        if "rank" in changes:
            _check_rank_free(current.year, current.rank, exclude=current.pk)
        current.version += 1
        current.updated_at = clock.now()
        current.save()
        project_event(project=current, action="update", actor=actor, changes=changes)
    return current


def project_set_status(*, actor: User, project: Project, status: str | None = None, progress: Any = None,
                       note: str = "") -> Project:
    """状态与进度: status from ProjectStatus, progress 0–100 (done means 100)."""
    policy.check_role(actor, policy.PROJECT_ROLES, "更新项目进度")
    if status is not None and status not in ProjectStatus.values:
        raise ValidationFailed("项目状态不正确", details={"field": "status"})
    if progress not in (None, ""):
        try:
            progress = int(progress)
        except (TypeError, ValueError):
            raise ValidationFailed("进度须为0到100的整数", details={"field": "progress"}) from None
        if not 0 <= progress <= 100:
            raise ValidationFailed("进度须为0到100的整数", details={"field": "progress"})
    else:
        progress = None
    note = _text(note, field="note", label="说明", max_length=500)
    with transaction.atomic():
        current = Project.objects.select_for_update().get(pk=project.pk)
        new_status = status or current.status
        new_progress = progress if progress is not None else current.progress
        if new_status == ProjectStatus.DONE and progress is None:
            new_progress = 100
        if new_status == ProjectStatus.DONE and new_progress != 100:
            raise ValidationFailed("项目完成时进度须为100%", details={"field": "progress"})
        changes = {}
        if new_status != current.status:
            changes["status"] = [current.get_status_display(), ProjectStatus(new_status).label]
        if new_progress != current.progress:
            changes["progress"] = [current.progress, new_progress]
        if not changes and not note:
            return current
        current.status, current.progress = new_status, new_progress
        current.version += 1
        current.updated_at = clock.now()
        current.save()
        project_event(project=current, action="status", actor=actor, changes=changes, note=note)
    return current


def project_link(*, actor: User, project: Project, add_needs: list[Need] = (), remove_needs: list[Need] = (),
                 add_cases: list[Case] = (), remove_cases: list[Case] = ()) -> Project:
    """A person adds or removes the needs and cases a project answers (the theme's are only the start)."""
    policy.check_role(actor, policy.PROJECT_ROLES, "调整项目关联的需求和工单")
    with transaction.atomic():
        current = Project.objects.select_for_update().get(pk=project.pk)
        have_needs = set(current.needs.values_list("pk", flat=True))
        have_cases = set(current.cases.values_list("pk", flat=True))
        needs_in = [n.pk for n in add_needs if n.pk not in have_needs]
        needs_out = [n.pk for n in remove_needs if n.pk in have_needs]
        cases_in = [c.pk for c in add_cases if c.pk not in have_cases]
        cases_out = [c.pk for c in remove_cases if c.pk in have_cases]
        if not (needs_in or needs_out or cases_in or cases_out):
            return current
        current.needs.add(*needs_in)
        current.needs.remove(*needs_out)
        current.cases.add(*cases_in)
        current.cases.remove(*cases_out)
        current.updated_at = clock.now()
        current.save(update_fields=["updated_at"])
        project_event(project=current, action="link", actor=actor, changes={
            "needs_added": needs_in, "needs_removed": needs_out, "cases_added": cases_in, "cases_removed": cases_out})
    return current


# --- milestones ----------------------------------------------------------------------------------------------------


def milestone_add(*, actor: User, project: Project, title: str, due_on: date, note: str = "") -> Milestone:
    policy.check_role(actor, policy.PROJECT_ROLES, "添加项目节点")
    item = _milestone_fields({"title": title, "due_on": due_on, "note": note})
    with transaction.atomic():
        Project.objects.select_for_update().get(pk=project.pk)
        order = project.milestones.count()
        milestone = Milestone.objects.create(project=project, order=order, **item)
        project_event(project=project, action="milestone_add", actor=actor,
                      changes={"milestone": milestone.pk, "title": item["title"], "due_on": item["due_on"].isoformat()})
    return milestone


def milestone_update(*, actor: User, milestone: Milestone, title: str, due_on: date, note: str = "") -> Milestone:
    policy.check_role(actor, policy.PROJECT_ROLES, "修改项目节点")
    item = _milestone_fields({"title": title, "due_on": due_on, "note": note})
    with transaction.atomic():
        current = Milestone.objects.select_for_update().get(pk=milestone.pk)
        changes = {}
        for name, value in item.items():
            before = getattr(current, name)
            if before != value:
                changes[name] = [str(before), str(value)]
                setattr(current, name, value)
        if not changes:
            return current
        current.save()
        project_event(project=current.project, action="milestone_update", actor=actor,
                      changes={"milestone": current.pk, **changes})
    return current


def milestone_complete(*, actor: User, milestone: Milestone, done_on: date | None = None, note: str = "") -> Milestone:
    """节点完成: done on a day not after today, with an optional note."""
    policy.check_role(actor, policy.PROJECT_ROLES, "完成项目节点")
    if isinstance(done_on, str):
        try:
            done_on = date.fromisoformat(done_on) if done_on else None
        except ValueError:
            raise ValidationFailed("完成日期不正确", details={"field": "done_on"}) from None
    today = clock.today()
    done_on = done_on or today
    if done_on > today:
        raise ValidationFailed("完成日期不能晚于今天", details={"field": "done_on"})
    note = _text(note, field="note", label="说明", max_length=300)
    with transaction.atomic():
        current = Milestone.objects.select_for_update().get(pk=milestone.pk)
        if current.done_on is not None:
            raise Conflict(f"节点“{current.title}”已于{current.done_on:%Y-%m-%d}完成", code="already_done")
        current.done_on = done_on
        if note:
            current.note = note
        current.save()
        project_event(project=current.project, action="milestone_done", actor=actor,
                      changes={"milestone": current.pk, "title": current.title, "done_on": done_on.isoformat()},
                      note=note)
    return current
