"""Report archive page: request a month's 情况分析, watch its progress, download Word and PDF."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core import clock
from core.background import BROKER_DOWN_MESSAGE, run_in_background
from core.errors import DomainError
from core.pages import login_required
from kpi.selectors import shift_month

from . import services
from .models import Report
from .selectors import parse_month
from .tasks import generate_report

PAGE_SIZE = 20


def _refused(request: HttpRequest) -> HttpResponse | None:
    if request.user.role not in services.REPORT_ROLES:
        return render(request, "403.html", {"message": "只有城运中心派单员、领导和管理员可以查看情况分析报告"}, status=403)
    return None


@login_required
def archive(request: HttpRequest) -> HttpResponse:
    if refusal := _refused(request):
        return refusal
    status = 200
    if request.method == "POST":
        try:
            report = services.report_request(actor=request.user, month=parse_month(request.POST.get("month", "")))
        except DomainError as exc:
            messages.error(request, exc.message)
            status = exc.status
        else:
            transaction.on_commit(lambda: _start(report.pk))
            return redirect("reports:archive")
    # Paginator.get_page: a page that is not a number is page 1, one past the end the last page, so a huge number
    # never reaches the database as an OFFSET (PostgreSQL and SQLite answered 500 for a bigint overflow).
    page = Paginator(Report.objects.select_related("requested_by"), PAGE_SIZE).get_page(request.GET.get("page"))
    last_month = shift_month(timezone.localdate(), -1).strftime("%Y-%m")
    return render(request, "reports/archive.html", {
        "reports": list(page), "page": page.number, "has_next": page.has_next(),
        "default_month": last_month,
    }, status=status)


@login_required
def row(request: HttpRequest, pk: int) -> HttpResponse:
    if refusal := _refused(request):
        return refusal
    return render(request, "reports/_row.html", {"report": get_object_or_404(Report, pk=pk)})


@login_required
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    if refusal := _refused(request):
        return refusal
    report = get_object_or_404(Report, pk=pk)
    # Failed, or queued/generating with no progress for a while (its worker was killed): generate it again.
    if report.can_retry:
        Report.objects.filter(pk=pk).update(status=Report.Status.QUEUED, progress=0, stage="排队中", error="",
                                            heartbeat_at=clock.now())
        transaction.on_commit(lambda: _start(report.pk))
    return redirect("reports:archive")


def _start(report_id: int) -> None:
    if run_in_background(generate_report, report_id) is False:
        # Broker down: the report says so and offers 重新生成, instead of waiting in the queue forever.
        Report.objects.filter(pk=report_id).update(status=Report.Status.FAILED, stage="失败", error=BROKER_DOWN_MESSAGE)


@login_required
def download(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    if refusal := _refused(request):
        return refusal
    report = get_object_or_404(Report, pk=pk)
    try:
        path = services.report_file(actor=request.user, report=report, kind=kind)
    except DomainError as exc:
        return render(request, "404.html", {"message": exc.message}, status=404)
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"{report.title}.{kind}")
