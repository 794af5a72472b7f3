"""The registry's Excel exports (any filtered list, audited) and the case ↔ person link page (诉求人是谁).

The case page shows the same link panel through the setting CASE_PAGE_PANELS (registry/panels.py), so `cases`
never imports the registry; /registry/cases/<pk>/link/ is the panel as its own page and the target of its forms.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from audit.models import AuditEntry
from audit.services import audit_record
from cases.selectors import case_get
from core.errors import DomainError, ValidationFailed
from core.excel import xlsx_response
from core.pages import forbidden_page, login_required, role_required

from . import exports, panels, policy, selectors, services
from .models import Person
from .views import READ, READ_REFUSED, person_queryset
from .views_places import household_filters, unit_filters


def _export(request: HttpRequest, qs, *, entity: str, build, filename: str, search=None) -> HttpResponse:
    total = qs.count()
    if total > exports.EXPORT_LIMIT:
        return HttpResponse(f"筛选结果共 {total} 条,超过单次导出上限 {exports.EXPORT_LIMIT} 条,请缩小筛选范围",
                            status=422, content_type="text/plain; charset=utf-8")
    workbook, clear = build(request.user, qs)
    filters = {k: v for k, v in request.GET.items() if k != "page"}
    if search is not None and search.identifiers:
        filters["q"] = "(按电话/证件号,已另行审计)"
    audit_record(action=AuditEntry.Action.EXPORT, actor=request.user, request=request,
                 object_type=f"registry.{entity}_list",
                 detail={"filters": filters, "rows": total, "personal_data": clear,
                         **({"purpose": f"岗位职责({request.user.get_role_display()})"} if clear else {})})
    return xlsx_response(workbook, filename)


@role_required(READ, READ_REFUSED)
@require_http_methods(["GET"])
def person_export(request: HttpRequest) -> HttpResponse:
    search = selectors.Search()
    qs = person_queryset(request, search)
    if search.refused:
        return HttpResponse(search.refused, status=422, content_type="text/plain; charset=utf-8")
    return _export(request, qs, entity="person", build=exports.persons_workbook, filename="persons.xlsx",
                   search=search)


@role_required(READ, READ_REFUSED)
@require_http_methods(["GET"])
def household_export(request: HttpRequest) -> HttpResponse:
    _, filters = household_filters(request)
    qs = selectors.households(request.user, **filters)
    return _export(request, qs, entity="household", build=exports.households_workbook, filename="households.xlsx")


@role_required(READ, READ_REFUSED)
@require_http_methods(["GET"])
def unit_export(request: HttpRequest) -> HttpResponse:
    _, filters = unit_filters(request)
    return _export(request, selectors.units(request.user, **filters), entity="unit", build=exports.units_workbook,
                   filename="units.xlsx")


# --- case ↔ person -------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def case_link(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = case_get(request.user, case_pk)  # NotFound (404) outside the user's case scope
    if request.user.role not in policy.CLEAR_ROLES:
        return forbidden_page(request, "您的角色不能关联工单诉求人。")
    return render(request, "registry/case_link.html", {"case": case, **panels.panel_context(request, case)})


@login_required
@require_POST
def case_link_decide(request: HttpRequest, case_pk: int) -> HttpResponse:
    """确认 (`decision=linked`) or 非本人 (`decision=rejected`) for one suggested person; htmx swaps the panel."""
    case = case_get(request.user, case_pk)
    if request.user.role not in policy.CLEAR_ROLES:
        return forbidden_page(request, "您的角色不能关联工单诉求人。")
    status, error, notice = 200, "", ""
    try:
        decision = request.POST.get("decision", "")
        raw = request.POST.get("person", "")
        if decision not in ("linked", "rejected"):
            raise ValidationFailed("请选择“是本人”或“非本人”")
        if not raw.isdigit():
            raise ValidationFailed("请选择底册中的人员")
        person = policy.visible(request.user, Person.objects.filter(pk=int(raw))).first()
        if person is None:
            raise ValidationFailed("底册中没有该人员(或不在您的职责范围内)")
        services.case_link_decide(actor=request.user, case=case, person=person, linked=decision == "linked")
        notice = "已关联该人员" if decision == "linked" else "已标记为非本人,不再推荐"
    except DomainError as exc:
        status, error = exc.status, exc.message
    context = {"case": case, **panels.panel_context(request, case, error=error, notice=notice)}
    if request.htmx:
        return render(request, "registry/_case_panel.html", context, status=status)
    return render(request, "registry/case_link.html", context, status=status)
