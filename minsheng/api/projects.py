"""十大民生 API at /api/minsheng/: projects (list by year, detail, create, update, status/progress), milestones (add,
complete), 回音 (send) and the 回访 queue and its records. The same selectors and services as the pages, so a role
reads and may do exactly what its pages show; errors are core.errors in the project's one format."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from core import clock
from core.errors import PermissionDenied, ValidationFailed
from minqing import policy
from org.models import Department

from ..models import Project, Theme
from ..selectors import projects as selectors
from ..services import echo as echo_services
from ..services import projects as services

router = Router(tags=["十大民生"])


class MilestoneIn(Schema):
    title: str
    due_on: date
    note: str = ""


class ProjectIn(Schema):
    year: int
    rank: int
    title: str
    owner_department_id: int
    description: str = ""
    budget: Decimal | None = None
    theme_id: int | None = None
    milestones: list[MilestoneIn] = []
    is_public: bool = True
    public_summary: str = ""


class ProjectPatch(Schema):
    version: int
    title: str | None = None
    description: str | None = None
    owner_department_id: int | None = None
    budget: Decimal | None = None
    rank: int | None = None
    is_public: bool | None = None
    public_summary: str | None = None


class StatusIn(Schema):
    status: str | None = None
    progress: int | None = None
    note: str = ""


class DoneIn(Schema):
    done_on: date | None = None
    note: str = ""


class EchoIn(Schema):
    milestone_id: int | None = None


class CallbackIn(Schema):
    satisfaction: str
    remarks: str = ""


class MilestoneOut(Schema):
    id: int
    title: str
    due_on: date
    done_on: date | None
    note: str
    overdue: bool


class ProjectOut(Schema):
    id: int
    year: int
    rank: int
    title: str
    owner_department: str
    budget: Decimal | None
    status: str
    status_label: str
    progress: int
    is_public: bool
    public_summary: str
    version: int
    milestones: list[MilestoneOut]
    need_count: int


class ProjectDetailOut(ProjectOut):
    description: str
    needs: list[dict[str, Any]]
    satisfaction: dict[str, Any]
    echoes: dict[str, int]


class EchoOut(Schema):
    sent: int
    already: int
    sampled: int
    without_phone: int


class CallbackRow(Schema):
    id: int
    project_id: int
    project: str
    milestone: str
    address: str
    person: str
    phone: str
    sent_at: datetime


def _out(row: selectors.ProjectRow) -> dict[str, Any]:
    p = row.project
    overdue = {m.pk for m in row.overdue}
    return {
        "id": p.pk, "year": p.year, "rank": p.rank, "title": p.title, "owner_department": p.owner_department.name,
        "budget": p.budget, "status": p.status, "status_label": p.get_status_display(), "progress": p.progress,
        "is_public": p.is_public, "public_summary": p.public_summary, "version": p.version,
        "milestones": [{"id": m.pk, "title": m.title, "due_on": m.due_on, "done_on": m.done_on, "note": m.note,
                        "overdue": m.pk in overdue} for m in row.milestones],
        "need_count": p.needs.count(),
    }


def _editor(request: HttpRequest) -> None:
    if request.user.role not in policy.PROJECT_ROLES:
        raise PermissionDenied("您的角色不能修改十大民生项目")


def _department(pk: int | None) -> Department | None:
    if pk is None:
        return None
    department = Department.objects.filter(pk=pk).first()
    if department is None:
        raise ValidationFailed("牵头部门不存在", details={"field": "owner_department_id"})
    return department


@router.get("/projects", response=list[ProjectOut], summary="某年度的十大民生项目")
def minsheng_project_list(request: HttpRequest, year: int | None = None):
    return [_out(row) for row in selectors.year_projects(request.user, year or clock.now().year)]


@router.get("/projects/{project_id}", response=ProjectDetailOut, summary="项目详情(关联需求按职责范围脱敏)")
def minsheng_project_detail(request: HttpRequest, project_id: int):
    row = selectors.project_get(request.user, project_id)
    needs = selectors.project_needs(request.user, row.project, request)
    for n in needs:
        n["raised_on"] = n["raised_on"].isoformat()
    return {**_out(row), "description": row.project.description, "needs": needs,
            "satisfaction": selectors.satisfaction(row.project), "echoes": selectors.echo_counts(row.project)}


@router.post("/projects", response={201: ProjectOut}, summary="立项")
def minsheng_project_create(request: HttpRequest, payload: ProjectIn):
    _editor(request)
    theme = None
    if payload.theme_id is not None:
        theme = Theme.objects.filter(pk=payload.theme_id).first()
        if theme is None:
            raise ValidationFailed("来源主题不存在", details={"field": "theme_id"})
    project = services.project_create(
        actor=request.user, year=payload.year, rank=payload.rank, title=payload.title,
        owner_department=_department(payload.owner_department_id), description=payload.description,
        budget=payload.budget, theme=theme, milestones=[m.dict() for m in payload.milestones],
        is_public=payload.is_public, public_summary=payload.public_summary)
    return Status(201, _out(selectors.project_get(request.user, project.pk)))


def _project(request: HttpRequest, project_id: int) -> Project:
    return selectors.project_get(request.user, project_id).project


@router.patch("/projects/{project_id}", response=ProjectOut, summary="修改项目(带 version 乐观锁,冲突返回409)")
def minsheng_project_update(request: HttpRequest, project_id: int, payload: ProjectPatch):
    project = _project(request, project_id)
    _editor(request)
    fields = payload.dict(exclude_unset=True)
    version = fields.pop("version")
    if "owner_department_id" in fields:
        fields["owner_department"] = _department(fields.pop("owner_department_id"))
    services.project_update(actor=request.user, project=project, version=version, **fields)
    return _out(selectors.project_get(request.user, project_id))


@router.post("/projects/{project_id}/status", response=ProjectOut, summary="更新状态与进度")
def minsheng_project_status(request: HttpRequest, project_id: int, payload: StatusIn):
    project = _project(request, project_id)
    _editor(request)
    services.project_set_status(actor=request.user, project=project, status=payload.status,
                                progress=payload.progress, note=payload.note)
    return _out(selectors.project_get(request.user, project_id))


@router.post("/projects/{project_id}/milestones", response={201: MilestoneOut}, summary="添加节点")
def minsheng_milestone_add(request: HttpRequest, project_id: int, payload: MilestoneIn):
    project = _project(request, project_id)
    _editor(request)
    m = services.milestone_add(actor=request.user, project=project, title=payload.title, due_on=payload.due_on,
                               note=payload.note)
    return Status(201, {"id": m.pk, "title": m.title, "due_on": m.due_on, "done_on": m.done_on, "note": m.note,
                        "overdue": False})


@router.post("/projects/{project_id}/milestones/{milestone_id}/done", response=MilestoneOut, summary="节点完成")
def minsheng_milestone_complete(request: HttpRequest, project_id: int, milestone_id: int, payload: DoneIn):
    project = _project(request, project_id)
    milestone = selectors.milestone_get(request.user, project, milestone_id)
    _editor(request)
    m = services.milestone_complete(actor=request.user, milestone=milestone, done_on=payload.done_on,
                                    note=payload.note)
    return {"id": m.pk, "title": m.title, "due_on": m.due_on, "done_on": m.done_on, "note": m.note, "overdue": False}


@router.post("/projects/{project_id}/echo", response=EchoOut, summary="发送回音(同一节点不会重复告知同一户)")
def minsheng_echo_send(request: HttpRequest, project_id: int, payload: EchoIn):
    project = _project(request, project_id)
    milestone = selectors.milestone_get(request.user, project, payload.milestone_id) \
        if payload.milestone_id is not None else None
    _editor(request)
    result = echo_services.echo_send(actor=request.user, project=project, milestone=milestone)
    return result.__dict__


@router.get("/callbacks", response=list[CallbackRow], summary="抽样待回访的回音(电话按底册规则显示并审计)")
def minsheng_callback_list(request: HttpRequest):
    rows = selectors.callback_queue(request.user, request)
    return [{"id": r["pk"], "project_id": r["project"].pk, "project": r["project"].title, "milestone": r["milestone"],
             "address": r["address"], "person": r["person"], "phone": r["phone"], "sent_at": r["sent_at"]}
            for r in rows]


@router.post("/callbacks/{echo_id}", response={201: dict}, summary="登记回访结果")
def minsheng_callback_record(request: HttpRequest, echo_id: int, payload: CallbackIn):
    echo = selectors.echo_get_for_callback(request.user, echo_id)
    callback = echo_services.echo_callback_record(actor=request.user, echo=echo, satisfaction=payload.satisfaction,
                                                  remarks=payload.remarks)
    return Status(201, {"id": callback.pk, "satisfaction": callback.satisfaction})

