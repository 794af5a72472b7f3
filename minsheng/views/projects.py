"""十大民生 pages for staff: a year's ten projects, one project (milestones, linked needs and cases, 回音, satisfaction,
history), the create and edit forms (from a theme with ?theme=<id>), the actions on a project, the 回访 queue and the
annual report. Reads through minsheng.selectors, writes through minsheng.services; a failed action shows the page
again with its message and the error's status."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from cases.policy import visible_cases
from core import clock
from core.errors import DomainError, ValidationFailed
from core.pages import domain_error_page, role_required
from minqing import policy
from minqing.models import Need

from .. import forms as f
from ..models import Project, Theme
from ..selectors import projects as selectors
from ..services import echo as echo_services
from ..services import projects as services

READ = policy.READ_ROLES
EDIT = policy.PROJECT_ROLES
CALLBACK = echo_services.CALLBACK_ROLES
REPORT = policy.PROJECT_ROLES


def _year(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("year") or clock.now().year)
    except ValueError:
        return clock.now().year


@role_required(READ, "您的角色不能查看十大民生项目。")
def project_list(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    rows = selectors.year_projects(request.user, year)
    years = sorted(set(selectors.project_years()) | {clock.now().year, clock.now().year + 1}, reverse=True)
    return render(request, "minsheng/projects/list.html", {
        "year": year, "rows": rows, "years": years, "may_edit": selectors.may_edit(request.user),
        "satisfaction": selectors.satisfaction([r.project for r in rows]) if rows else None,
    })


def _detail(request: HttpRequest, pk: int, *, error: str = "", status: int = 200) -> HttpResponse:
    row = selectors.project_get(request.user, pk)
    project = row.project
    context = {
        "row": row, "project": project, "may_edit": selectors.may_edit(request.user),
        "may_callback": request.user.role in CALLBACK, "error": error,
        "needs": selectors.project_needs(request.user, project, request),
        "need_total": selectors.project_need_count(project),
        "cases": selectors.project_cases(request.user, project),
        "history": selectors.project_history(project), "satisfaction": selectors.satisfaction(project),
        "echoes": selectors.echo_counts(project), "status_form": f.StatusForm(initial={
            "status": project.status, "progress": project.progress}),
        "milestone_form": f.MilestoneForm(), "done_form": f.MilestoneDoneForm(),
        "today": clock.today(),
    }
    return render(request, "minsheng/projects/detail.html", context, status=status)


@role_required(READ, "您的角色不能查看十大民生项目。")
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        return _detail(request, pk)
    except DomainError as exc:
        return domain_error_page(request, exc)


def _department_and_theme(request: HttpRequest) -> Theme | None:
    theme_id = request.GET.get("theme") or request.POST.get("theme")
    if not theme_id:
        return None
    try:
        return Theme.objects.filter(pk=int(theme_id), status=Theme.Status.ACTIVE).first()
    except ValueError:
        return None


@role_required(EDIT, "您的角色不能确定十大民生项目。")
@require_http_methods(["GET", "POST"])
def project_new(request: HttpRequest) -> HttpResponse:
    theme = _department_and_theme(request)
    status, error = 200, ""
    if request.method == "POST":
        form = f.ProjectForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                project = services.project_create(
                    actor=request.user, year=data["year"], rank=data["rank"], title=data["title"],
                    owner_department=data["owner_department"], description=data["description"],
                    budget=data["budget"], theme=theme, milestones=data["milestones"], is_public=data["is_public"],
                    public_summary=data["public_summary"])
            except DomainError as exc:
                status, error = exc.status, exc.message
                form.add_error(exc.details.get("field") if exc.details.get("field") in form.fields else None,
                               exc.message)
            else:
                messages.success(request, f"已立项:{project.title}")
                return redirect("minsheng_projects:detail", pk=project.pk)
        else:
            status, error = 422, f.form_message(form)
    else:
        initial = {"year": clock.now().year, "is_public": True}
        if theme is not None:
            initial.update(title=theme.name[:100], description=theme.summary, theme=theme.pk)
        form = f.ProjectForm(initial=initial)
    links = services.theme_links(theme) if theme is not None else ([], [])
    return render(request, "minsheng/projects/form.html", {
        "form": form, "title": "新建十大民生项目", "submit": "立项", "theme": theme, "error": error,
        "theme_needs": len(links[0]), "theme_cases": len(links[1]),
    }, status=status)


@role_required(EDIT, "您的角色不能修改十大民生项目。")
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        project = selectors.project_get(request.user, pk).project
    except DomainError as exc:
        return domain_error_page(request, exc)
    status, error = 200, ""
    if request.method == "POST":
        form = f.ProjectEditForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                services.project_update(actor=request.user, project=project, version=version, **data)
            except DomainError as exc:
                status, error = exc.status, exc.message
                form.add_error(None, exc.message)
            else:
                messages.success(request, "已保存")
                return redirect("minsheng_projects:detail", pk=project.pk)
        else:
            status, error = 422, f.form_message(form)
    else:
        form = f.ProjectEditForm(initial={
            "rank": project.rank, "title": project.title, "owner_department": project.owner_department_id,
            "budget": project.budget, "description": project.description, "public_summary": project.public_summary,
            "is_public": project.is_public, "version": project.version})
    return render(request, "minsheng/projects/form.html", {
        "form": form, "title": f"修改项目:{project.title}", "submit": "保存", "project": project, "error": error,
    }, status=status)


def _action(request: HttpRequest, pk: int, do, success: str) -> HttpResponse:
    """Run one write; on success back to the project with a message, on failure the project page with the error."""
    try:
        row = selectors.project_get(request.user, pk)
    except DomainError as exc:
        return domain_error_page(request, exc)
    try:
        result = do(row.project)
    except DomainError as exc:
        return _detail(request, pk, error=exc.message, status=exc.status)
    messages.success(request, success(result) if callable(success) else success)
    return redirect("minsheng_projects:detail", pk=pk)


def _valid(form) -> dict:
    if not form.is_valid():
        raise ValidationFailed(f.form_message(form))
    return form.cleaned_data


@role_required(EDIT, "您的角色不能更新项目进度。")
@require_POST
def project_status(request: HttpRequest, pk: int) -> HttpResponse:
    def do(project: Project):
        data = _valid(f.StatusForm(request.POST))
        return services.project_set_status(actor=request.user, project=project, status=data["status"],
                                           progress=data["progress"], note=data["note"])
    return _action(request, pk, do, "已更新状态和进度")


@role_required(EDIT, "您的角色不能添加项目节点。")
@require_POST
def milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    def do(project: Project):
        data = _valid(f.MilestoneForm(request.POST))
        return services.milestone_add(actor=request.user, project=project, **data)
    return _action(request, pk, do, "已添加节点")


@role_required(EDIT, "您的角色不能完成项目节点。")
@require_POST
def milestone_complete(request: HttpRequest, pk: int, milestone_pk: int) -> HttpResponse:
    def do(project: Project):
        milestone = selectors.milestone_get(request.user, project, milestone_pk)
        data = _valid(f.MilestoneDoneForm(request.POST))
        return services.milestone_complete(actor=request.user, milestone=milestone, done_on=data["done_on"],
                                           note=data["note"])
    return _action(request, pk, do, lambda m: f"节点“{m.title}”已完成,可向相关居民发送回音")


@role_required(EDIT, "您的角色不能发送民生回音。")
@require_POST
def echo_send(request: HttpRequest, pk: int) -> HttpResponse:
    def do(project: Project):
        milestone_id = request.POST.get("milestone") or ""
        milestone = selectors.milestone_get(request.user, project, int(milestone_id)) if milestone_id.isdigit() \
            else None
        return echo_services.echo_send(actor=request.user, project=project, milestone=milestone)

    def said(result) -> str:
        text = f"回音已发送:告知{result.sent}户"
        if result.already:
            text += f"({result.already}户此前已告知,未重复发送)"
        if result.sampled:
            text += f",抽取{result.sampled}户待回访"
        return text
    return _action(request, pk, do, said)


@role_required(EDIT, "您的角色不能调整项目关联。")
@require_POST
def project_links(request: HttpRequest, pk: int) -> HttpResponse:
    def do(project: Project):
        remove = policy.visible(request.user, Need.objects.filter(pk__in=[
            int(v) for v in request.POST.getlist("remove_need") if v.isdigit()]))
        wanted = [int(v) for v in request.POST.get("add_needs", "").replace(",", ",").replace("、", ",").split(",")
                  if v.strip().isdigit()]
        add = list(policy.visible(request.user, Need.objects.filter(pk__in=wanted)))
        if len(add) != len(set(wanted)):
            raise ValidationFailed("有需求编号不存在或不在您的职责范围内")
        remove_cases = visible_cases(request.user, project.cases.filter(pk__in=[
            int(v) for v in request.POST.getlist("remove_case") if v.isdigit()]))
        return services.project_link(actor=request.user, project=project, add_needs=add, remove_needs=list(remove),
                                     remove_cases=list(remove_cases))
    return _action(request, pk, do, "已更新关联的需求和工单")


# --- 回访 ------------------------------------------------------------------------------------------------------


@role_required(CALLBACK, "您的角色不能进行民生回访。")
def callbacks(request: HttpRequest) -> HttpResponse:
    return _callbacks_page(request)


def _callbacks_page(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    rows = selectors.callback_queue(request.user, request)
    return render(request, "minsheng/projects/callbacks.html", {
        "rows": rows, "form": f.CallbackForm(), "error": error}, status=status)


@role_required(CALLBACK, "您的角色不能进行民生回访。")
@require_POST
def callback_record(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        echo = selectors.echo_get_for_callback(request.user, pk)
    except DomainError as exc:
        return domain_error_page(request, exc)
    try:
        data = _valid(f.CallbackForm(request.POST))
        echo_services.echo_callback_record(actor=request.user, echo=echo, satisfaction=data["satisfaction"],
                                           remarks=data["remarks"])
    except DomainError as exc:
        return _callbacks_page(request, error=exc.message, status=exc.status)
    messages.success(request, "已登记回访结果")
    return redirect("minsheng_projects:callbacks")


# --- the annual report -----------------------------------------------------------------------------------------


@role_required(REPORT, "您的角色不能生成民生年报。")
def report_page(request: HttpRequest) -> HttpResponse:
    return render(request, "minsheng/projects/report.html", {
        "year": _year(request), "years": sorted(set(selectors.project_years()) | {clock.now().year}, reverse=True)})


@role_required(REPORT, "您的角色不能生成民生年报。")
def report_download(request: HttpRequest, kind: str) -> HttpResponse:
    import tempfile
    from pathlib import Path

    from .. import report

    if kind not in ("docx", "pdf"):
        return domain_error_page(request, ValidationFailed("文件类型只能是 docx 或 pdf"))
    year = _year(request)
    out = Path(tempfile.mkdtemp(prefix="minsheng-report-"))
    paths = report.report_write(year=year, out_dir=out, kinds=(kind,))
    path = paths[kind]
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)

