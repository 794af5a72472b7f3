"""Reads of 十大民生 projects for the acting user: a year's ten, one project with its milestones, the needs and cases it
answers (scoped by minqing.policy and masked through masker_for, clear views audited), its history and satisfaction;
the 回访 queue; and the public page's rows, which carry no personal data at all."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch, QuerySet

from cases.policy import visible_cases
from core import clock
from core.errors import NotFound, PermissionDenied
from minqing import policy
from minqing.models import Need
from org.models import User
from registry.models import Person

from ..models import Echo, EchoCallback, Milestone, Project, ProjectEvent
from ..services.echo import CALLBACK_ROLES

READ_ROLES = policy.READ_ROLES
ACTION_LABELS = {
    "create": "立项", "update": "修改", "status": "更新状态/进度", "link": "调整关联", "milestone_add": "添加节点",
    "milestone_update": "修改节点", "milestone_done": "节点完成", "echo": "发送回音", "callback": "回访",
}
FIELD_LABELS = {
    "title": "项目名称", "description": "项目内容", "owner_department": "牵头部门", "budget": "预算(万元)",
    "rank": "序号", "is_public": "对外公开", "public_summary": "公开说明", "status": "状态", "progress": "进度",
    "due_on": "计划日期", "note": "说明",
}


def check_read(user: User) -> None:
    if user.role not in READ_ROLES or policy.scope_q(user) is None:
        raise PermissionDenied("您的角色不能查看十大民生项目")


def may_edit(user: User) -> bool:
    return user.role in policy.PROJECT_ROLES


@dataclass
class ProjectRow:
    project: Project
    milestones: list[Milestone]
    next_milestone: Milestone | None
    overdue: list[Milestone] = field(default_factory=list)


def _row(project: Project, today: date) -> ProjectRow:
    milestones = list(project.milestones.all())
    open_ones = [m for m in milestones if m.done_on is None]
    overdue = [m for m in open_ones if m.due_on < today]
    upcoming = sorted(open_ones, key=lambda m: (m.due_on, m.order))
    return ProjectRow(project, milestones, upcoming[0] if upcoming else None, overdue)


def year_projects(user: User, year: int) -> list[ProjectRow]:
    check_read(user)
    today = clock.today()
    rows = (Project.objects.filter(year=year).select_related("owner_department", "theme")
            .prefetch_related(Prefetch("milestones", queryset=Milestone.objects.order_by("order", "due_on", "pk"))))
    return [_row(p, today) for p in rows]


def project_years() -> list[int]:
    return sorted(set(Project.objects.values_list("year", flat=True)), reverse=True)


def project_get(user: User, pk: int) -> ProjectRow:
    check_read(user)
    project = (Project.objects.select_related("owner_department", "theme", "created_by")
               .prefetch_related(Prefetch("milestones", queryset=Milestone.objects.order_by("order", "due_on", "pk")))
               .filter(pk=pk).first())
    if project is None:
        raise NotFound("项目不存在")
    return _row(project, clock.today())


def milestone_get(user: User, project: Project, pk: int) -> Milestone:
    check_read(user)
    milestone = Milestone.objects.filter(project=project, pk=pk).first()
    if milestone is None:
        raise NotFound("节点不存在")
    return milestone


def _address(need: Need) -> str:
    place = need.household or need.unit
    return place.address if place else ""


def project_needs(user: User, project: Project, request=None) -> list[dict]:
    """The linked needs the user's scope holds, masked for the masked roles; the rest only counted."""
    masker = policy.masker_for(user)
    needs = (policy.visible(user, project.needs.all())
             .select_related("category", "household", "unit", "person", "neighbourhood").order_by("-raised_on", "pk"))
    rows = []
    for need in needs:
        names = (need.person.name,) if need.person_id else ()
        phones = (need.person.phone,) if need.person_id and need.person.phone else ()
        rows.append({
            "pk": need.pk, "category": need.category.name, "raised_on": need.raised_on,
            "neighbourhood": need.neighbourhood.name if need.neighbourhood_id else "",
            "status": need.get_status_display(), "address": masker.address(_address(need)),
            "person": masker.name(need.person.name) if need.person_id else "",
            "text": masker.text(need.text, names=names, phones=phones),
        })
    if request is not None:
        policy.audit_clear_view(user, request, object_type="minqing.Need", ids=[r["pk"] for r in rows],
                                what=f"十大民生项目“{project.title}”关联需求")
    return rows


def project_need_count(project: Project) -> int:
    return project.needs.count()


def project_cases(user: User, project: Project) -> list[dict]:
    masker = policy.masker_for(user)
    cases = visible_cases(user, project.cases.all()).order_by("-pk")
    return [{"pk": c.pk, "number": c.number, "title": masker.text(c.title), "status": c.get_status_display()}
            for c in cases]


def project_history(project: Project) -> list[dict]:
    rows = []
    for event in ProjectEvent.objects.filter(project=project).select_related("actor").order_by("-at", "-pk"):
        changes = []
        for name, value in (event.changes or {}).items():
            if isinstance(value, list) and len(value) == 2 and name in FIELD_LABELS:
                changes.append(f"{FIELD_LABELS[name]}:{value[0]} → {value[1]}")
        if event.action == "echo":
            changes.append(f"告知{event.changes.get('sent', 0)}户,抽样回访{event.changes.get('sampled', 0)}户")
        if event.action == "milestone_done":
            changes.append(f"“{event.changes.get('title', '')}”于{event.changes.get('done_on', '')}完成")
        if event.action == "callback":
            changes.append(f"满意度:{event.changes.get('satisfaction', '')}")
        rows.append({"at": event.at, "action": ACTION_LABELS.get(event.action, event.action),
                     "actor": event.actor.display_name or event.actor.username, "changes": changes,
                     "note": event.note})
    return rows


def satisfaction(projects: QuerySet | list[Project] | Project) -> dict:
    """Callback outcomes of one project or many: counts per satisfaction, and the satisfied share of those reached."""
    qs = EchoCallback.objects.all()
    if isinstance(projects, Project):
        qs = qs.filter(echo__project=projects)
    else:
        qs = qs.filter(echo__project__in=projects)
    counts = Counter(qs.values_list("satisfaction", flat=True))
    labels = dict(EchoCallback.Satisfaction.choices)
    reached = sum(n for k, n in counts.items() if k != EchoCallback.Satisfaction.UNREACHED)
    good = counts.get("satisfied", 0) + counts.get("basically", 0)
    return {"counts": [(labels[k], counts.get(k, 0)) for k in EchoCallback.Satisfaction.values],
            "total": sum(counts.values()), "reached": reached,
            "rate": round(good * 100 / reached, 1) if reached else None}


def echo_counts(project: Project) -> dict:
    echoes = Echo.objects.filter(project=project)
    return {"sent": echoes.count(), "sampled": echoes.filter(in_callback_sample=True).count(),
            "called": EchoCallback.objects.filter(echo__project=project).count()}


# --- 回访 queue ----------------------------------------------------------------------------------------------------


def check_callback(user: User) -> None:
    if user.role not in CALLBACK_ROLES:
        raise PermissionDenied("您的角色不能进行民生回访")


def callback_queue(user: User, request=None, *, project: Project | None = None) -> list[dict]:
    """Sampled echoes waiting for a call: the phone clear for the clear roles (audited), masked for the others."""
    check_callback(user)
    masker = policy.masker_for(user)
    echoes = (Echo.objects.filter(in_callback_sample=True, callback__isnull=True)
              .select_related("project", "milestone", "household", "person").order_by("sent_at", "pk"))
    if project is not None:
        echoes = echoes.filter(project=project)
    rows = []
    for echo in echoes[:200]:
        person: Person | None = echo.person
        rows.append({
            "pk": echo.pk, "project": echo.project, "milestone": echo.milestone.title if echo.milestone_id else "项目完成",
            "sent_at": echo.sent_at, "address": masker.address(echo.household.address),
            "person": masker.name(person.name) if person else "",
            "phone": masker.phone(person.phone) if person and person.phone else "",
            "text": masker.text(echo.text, names=(person.name,) if person else ()),
        })
    if request is not None:
        policy.audit_clear_view(user, request, object_type="minsheng.Echo", ids=[r["pk"] for r in rows],
                                what="民生回音回访名单(联系电话)")
    return rows


def echo_get_for_callback(user: User, pk: int) -> Echo:
    check_callback(user)
    echo = Echo.objects.filter(pk=pk).select_related("project").first()
    if echo is None:
        raise NotFound("回音记录不存在")
    return echo


# --- the public page -----------------------------------------------------------------------------------------------


def public_projects(year: int) -> list[dict]:
    """Only is_public projects and only what the public may read: no need, case, household or person."""
    today = clock.today()
    rows = []
    projects = (Project.objects.filter(year=year, is_public=True).select_related("owner_department")
                .prefetch_related(Prefetch("milestones", queryset=Milestone.objects.order_by("order", "due_on", "pk"))))
    for p in projects:
        rows.append({
            "rank": p.rank, "title": p.title, "department": p.owner_department.name, "status": p.get_status_display(),
            "status_code": p.status, "progress": p.progress, "summary": p.public_summary,
            "milestones": [{"title": m.title, "due_on": m.due_on, "done_on": m.done_on,
                            "overdue": m.done_on is None and m.due_on < today} for m in p.milestones.all()],
        })
    return rows


def public_years() -> list[int]:
    return sorted(set(Project.objects.filter(is_public=True).values_list("year", flat=True)), reverse=True)
