"""Report archive page: request a month's 情况分析, watch its progress, download Word and PDF."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.pages import role_required
from kpi.selectors import shift_month

from . import selectors, services
from .selectors import parse_month

PAGE_SIZE = 20

report_roles = role_required(selectors.REPORT_ROLES, "只有城运中心派单员、领导和管理员可以查看情况分析报告")


@report_roles
def archive(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        try:
            report = services.report_request(actor=request.user, month=parse_month(request.POST.get("month", "")))
        except DomainError as exc:
            messages.error(request, exc.message)
            status = exc.status
        else:
            transaction.on_commit(lambda: services.report_launch(report_id=report.pk))
            return redirect("reports:archive")
    # Paginator.get_page: a page that is not a number is page 1, one past the end the last page, so a huge number
    # never reaches the database as an OFFSET (PostgreSQL and SQLite answered 500 for a bigint overflow).
    page = Paginator(selectors.report_list(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    last_month = shift_month(timezone.localdate(), -1).strftime("%Y-%m")
    return render(request, "reports/archive.html", {
        "reports": list(page), "page": page.number, "has_next": page.has_next(),
        "default_month": last_month,
    }, status=status)


@report_roles
def row(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "reports/_row.html", {"report": selectors.report_get(request.user, pk)})


@report_roles
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    services.report_retry(actor=request.user, report=selectors.report_get(request.user, pk))
    return redirect("reports:archive")


@report_roles
def download(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    report = selectors.report_get(request.user, pk)
    try:
        path = services.report_file(actor=request.user, report=report, kind=kind)
    except DomainError as exc:
        return render(request, "404.html", {"message": exc.message}, status=404)
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"{report.title}.{kind}")
