"""Pages of 民生主题: the ranked list, one theme (examples, trend, 居民区, edits with htmx), clustering runs."""

from __future__ import annotations

from datetime import date

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from core import clock
from core.errors import DomainError, ValidationFailed
from core.pages import domain_error_page, role_required
from minqing import policy
from org.models import Neighbourhood

from ..models import Theme
from ..selectors import themes as selectors
from ..services import theme_runs
from ..services import themes as services

theme_roles = role_required(policy.THEME_ROLES, "只有领导、派单员和管理员可以查看民生主题")


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@theme_roles
def theme_list(request: HttpRequest) -> HttpResponse:
    q, category = request.GET.get("q", "").strip(), request.GET.get("category", "")
    nb = _int(request.GET.get("neighbourhood"))
    qs = selectors.themes(request.user, q=q, category=category, neighbourhood_id=nb)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    ids = [t.pk for t in page]
    today = clock.today()
    trend, kinds = selectors.monthly(ids, end=today), selectors.by_kind(ids)
    rows = [selectors.theme_row(t, kinds[t.pk], trend[t.pk]) for t in page]
    return render(request, "minsheng/themes/list.html", {
        "rows": rows, "page": page, "q": q, "category": category, "neighbourhood": nb,
        "categories": selectors.categories(request.user), "neighbourhoods": Neighbourhood.objects.order_by("name"),
        "months": selectors.month_keys(today), "last_run": selectors.runs(request.user).first(),
        "charts": {str(r["id"]): r["trend"] for r in rows}})


@theme_roles
def theme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    theme = selectors.theme_get(request.user, pk)
    members = selectors.members(request.user, theme)
    policy.audit_clear_view(request.user, request, object_type="minsheng_theme", ids=[m["id"] for m in members],
                            what=f"民生主题「{theme.name}」的记录")
    today = clock.today()
    return render(request, "minsheng/themes/detail.html", {
        "theme": theme, "members": members, "kinds": selectors.by_kind([theme.pk])[theme.pk],
        "neighbourhoods": selectors.by_neighbourhood(theme), "events": selectors.events(theme),
        "others": selectors.themes(request.user).exclude(pk=theme.pk)[:200],
        "chart": {"months": selectors.month_keys(today), "counts": selectors.monthly([theme.pk], end=today)[theme.pk]},
        "masked": policy.masker_for(request.user).masked,
        # 立为民生项目 (minsheng/views/projects.py project_new pre-fills from ?theme=): the roles that may create one.
        "may_create_project": theme.status == Theme.Status.ACTIVE and request.user.role in policy.PROJECT_ROLES,
        "theme_projects": theme.projects.order_by("-year", "rank")})


ACTIONS = ("rename", "merge", "split", "pin", "unpin", "move", "hide")


@theme_roles
@require_POST
def theme_act(request: HttpRequest, pk: int) -> HttpResponse:
    """One edit; on success the page reloads (htmx) or redirects, on failure its message (4xx → #flash)."""
    selectors.theme_get(request.user, pk)
    action, post, actor = request.POST.get("action", ""), request.POST, request.user
    try:
        if action not in ACTIONS:
            raise ValidationFailed("未知的操作")
        if action == "rename":
            result = services.theme_rename(actor=actor, theme_id=pk, name=post.get("name", ""),
                                           summary=post.get("summary"))
        elif action == "merge":
            result = services.theme_merge(actor=actor, theme_id=pk, into_id=_int(post.get("into")) or 0)
        elif action == "split":
            result = services.theme_split(actor=actor, theme_id=pk, member_ids=post.getlist("members"),
                                          name=post.get("name", ""))
        elif action in ("pin", "unpin"):
            result = services.theme_pin(actor=actor, theme_id=pk, pinned=action == "pin")
        elif action == "move":
            services.theme_member_move(actor=actor, theme_id=pk, member_ids=post.getlist("members"),
                                       to_id=_int(post.get("to")) or 0)
            result = Theme.objects.get(pk=pk)
        else:
            result = services.theme_hide(actor=actor, theme_id=pk, reason=post.get("reason", ""))
    except DomainError as exc:
        return domain_error_page(request, exc)
    target = reverse("minsheng_themes:list") if result.status != Theme.Status.ACTIVE else reverse(
        "minsheng_themes:detail", args=[result.pk])
    return HttpResponseClientRedirect(target) if request.htmx else redirect(target)


@theme_roles
def run_home(request: HttpRequest) -> HttpResponse:
    status, error = 200, ""
    if request.method == "POST":
        try:
            start = date.fromisoformat(request.POST.get("period_start", ""))
            end = date.fromisoformat(request.POST.get("period_end", ""))
        except ValueError:
            start = end = None
        try:
            if start is None:
                raise ValidationFailed("请填写正确的起止日期")
            run = theme_runs.theme_run_start(actor=request.user, period_start=start, period_end=end)
        except DomainError as exc:
            if request.htmx:
                return domain_error_page(request, exc)
            status, error = exc.status, exc.message
        else:
            return redirect("minsheng_themes:run", pk=run.pk)
    today = clock.today()
    return render(request, "minsheng/themes/runs.html", {
        "runs": selectors.runs(request.user)[:20], "error": error,
        "default_start": date(today.year - 1, 1, 1), "default_end": today}, status=status)


@theme_roles
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.run_get(request.user, pk)
    template = "minsheng/themes/_run.html" if request.htmx else "minsheng/themes/run.html"
    return render(request, template, {"run": run, "stale": run.status in ("pending", "running")
                                      and theme_runs._stale(run)})
