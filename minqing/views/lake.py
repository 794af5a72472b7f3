"""数据湖 pages for the centre: upload (runs in the background, progress polled), the uploads with their counts, the
rejected rows' workbook, and the records with filters (masked for the masked roles)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError
from core.excel import xlsx_response
from core.pages import domain_error_page, role_required
from org.models import Neighbourhood

from .. import policy
from ..models import LakeRecord
from ..selectors import lake as selectors
from ..services import lake as services
from .needs import _day, _int

REFUSED = "数据湖只对城运中心开放"


@role_required(policy.LAKE_ROLES, REFUSED)
@require_http_methods(["GET", "POST"])
def lake_home(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            source = services.lake_source_for(name=request.POST.get("source", ""))
            if upload is None:
                from core.errors import ValidationFailed

                raise ValidationFailed("请选择要上传的文件", details={"field": "file"})
            lake_import = services.lake_import_create(actor=request.user, source=source, filename=upload.name,
                                                      content=upload.read())
            services.lake_import_start(lake_import=lake_import)
            messages.success(request, f"已开始导入 {lake_import.filename}(约 {lake_import.total} 行)")
            return redirect("minqing_needs:lake-import", pk=lake_import.pk)
        except DomainError as exc:
            error = exc.message
    context = {"imports": selectors.lake_imports(request.user)[:30], "sources": selectors.lake_sources(request.user),
               "error": error, "columns": services.COLUMNS}
    return render(request, "minqing/needs/lake.html", context, status=422 if error else 200)


@role_required(policy.LAKE_ROLES, REFUSED)
@require_http_methods(["GET"])
def lake_import(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        item = selectors.get_lake_import(request.user, pk)
    except DomainError as exc:
        return domain_error_page(request, exc)
    template = "minqing/needs/_lake_progress.html" if request.htmx else "minqing/needs/lake_import.html"
    percent = round(item.processed * 100 / item.total) if item.total else (100 if item.status == "done" else 0)
    return render(request, template, {"item": item, "percent": min(percent, 100)})


@role_required(policy.LAKE_ROLES, REFUSED)
@require_http_methods(["GET"])
def lake_rejections(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        item = selectors.get_lake_import(request.user, pk)
    except DomainError as exc:
        return domain_error_page(request, exc)
    policy.audit_clear_view(request.user, request, object_type="lake_import", ids=[item.pk], what="数据湖未导入行")
    return xlsx_response(services.rejections_workbook(item, actor=request.user), f"lake-{item.pk}-rejected.xlsx")


@role_required(policy.LAKE_ROLES, REFUSED)
@require_POST
def lake_import_restart(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        item = selectors.get_lake_import(request.user, pk)
    except DomainError as exc:
        return domain_error_page(request, exc)
    if services.lake_import_start(lake_import=item):
        messages.success(request, "已重新开始导入(从中断处继续)")
    else:
        messages.error(request, "该导入正在进行或已完成,不能重新开始")
    return redirect("minqing_needs:lake-import", pk=item.pk)


@role_required(policy.LAKE_ROLES, REFUSED)
@require_http_methods(["GET"])
def lake_records(request: HttpRequest) -> HttpResponse:
    g = request.GET
    f = selectors.LakeFilters(source=_int(g.get("source")), match=g.get("match", "") if g.get("match") in
                              LakeRecord.Match.values else "", neighbourhood=_int(g.get("neighbourhood")),
                              date_from=_day(g.get("from")), date_to=_day(g.get("to")), q=g.get("q", "")[:50])
    page = Paginator(selectors.lake_records(request.user, f), 50).get_page(g.get("page"))
    masker = policy.masker_for(request.user)
    rows = [selectors.lake_row(r, masker=masker) for r in page]
    policy.audit_clear_view(request.user, request, object_type="lake_record", ids=[r["id"] for r in rows],
                            what="数据湖记录")
    query = g.copy()
    query.pop("page", None)
    return render(request, "minqing/needs/lake_records.html", {
        "rows": rows, "page": page, "f": f, "query": query.urlencode(), "sources": selectors.lake_sources(request.user),
        "matches": LakeRecord.Match.choices, "neighbourhoods": Neighbourhood.objects.order_by("name"),
        "masked": masker.masked})
