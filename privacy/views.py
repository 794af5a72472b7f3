"""Pages for personal data: reveal one case on a stated reason, and the administrator's PIPL desk (查询、导出、删除)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from cases import selectors
from cases.views import case_detail_context
from core.errors import DomainError, PermissionDenied
from core.excel import xlsx_response
from core.pages import forbidden_page, login_required

from . import services
from .exports import citizen_data_workbook


@login_required
@require_POST
def case_unmask_page(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(request.user, pk)  # NotFound: the 404 page (chengyun/middleware.py)
    try:
        person = services.case_unmask(actor=request.user, case=case, reason=request.POST.get("reason", ""),
                                      request=request)
    except PermissionDenied as exc:
        return forbidden_page(request, exc.message)
    except DomainError as exc:
        context = case_detail_context(request, case, error=exc.message, failed_action="unmask")
        return render(request, "cases/detail.html", context, status=exc.status)
    context = case_detail_context(request, case, notice="已显示诉求人完整信息,本次查看及理由已记入审计日志")
    context["person"] = person
    return render(request, "cases/detail.html", context)


def _pipl_refusal(request: HttpRequest) -> HttpResponse | None:
    if request.user.role not in services.PIPL_ROLES:
        return forbidden_page(request, "只有管理员可以办理个人信息查询、导出和删除申请。")
    return None


def _desk(request: HttpRequest, *, phone: str = "", cases=(), error: str = "", status: int = 200) -> HttpResponse:
    # The phone travels only in POST bodies: never in a URL, a link or a redirect (they end up in logs and history).
    from cases.services import validate_phone

    from .registry_data import citizen_persons, persons_masked

    try:
        persons = persons_masked(request.user, citizen_persons(validate_phone(phone))) if phone else []
    except DomainError:
        persons = []
    return render(request, "privacy/citizen.html", {"phone": phone, "cases": list(cases), "error": error,
                                                    "persons": persons, "searched": bool(phone)}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def citizen(request: HttpRequest) -> HttpResponse:
    """The PIPL desk: find a citizen's cases by phone (POST, with a basis, audited), then export or erase.
    A GET shows the empty form; a `?phone=` in the URL is ignored."""
    if refusal := _pipl_refusal(request):
        return refusal
    if request.method == "GET":
        return _desk(request)
    phone = request.POST.get("phone", "").strip()
    try:
        cases = services.citizen_lookup(actor=request.user, phone=phone, reason=request.POST.get("reason", ""),
                                        request=request)
    except DomainError as exc:
        return _desk(request, error=exc.message, status=exc.status)
    return _desk(request, phone=phone, cases=cases)


def _desk_again(request: HttpRequest, phone: str, *, error: str = "", status: int = 200) -> HttpResponse:
    """After an export refusal or an erasure: the desk for the same phone, rendered (not redirected to a URL)."""
    try:
        cases = services.citizen_cases(actor=request.user, phone=phone)
    except DomainError as exc:
        return _desk(request, error=error or exc.message, status=exc.status)
    return _desk(request, phone=phone, cases=cases, error=error, status=status)


@login_required
@require_POST
def citizen_export(request: HttpRequest) -> HttpResponse:
    if refusal := _pipl_refusal(request):
        return refusal
    phone = request.POST.get("phone", "")
    try:
        export = services.citizen_data_export(actor=request.user, phone=phone, reason=request.POST.get("reason", ""),
                                              request=request)
    except DomainError as exc:
        return _desk_again(request, phone, error=exc.message, status=exc.status)
    if request.POST.get("format") == "json":
        body = json.dumps({"phone": export.phone, "cases": export.cases, "registry_persons": export.persons},
                          ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = "attachment; filename=personal-data.json"
        return response
    return xlsx_response(citizen_data_workbook(export), "personal-data.xlsx")


@login_required
@require_POST
def citizen_erase(request: HttpRequest) -> HttpResponse:
    if refusal := _pipl_refusal(request):
        return refusal
    phone = request.POST.get("phone", "")
    try:
        result = services.citizen_data_erase(actor=request.user, phone=phone, reason=request.POST.get("reason", ""),
                                             request=request)
    except DomainError as exc:
        return _desk_again(request, phone, error=exc.message, status=exc.status)
    messages.success(request, f"已删除(匿名化){len(result.erased)} 件已结案工单中的个人信息")
    if result.persons:
        messages.success(request, f"已匿名化社区底册中的 {len(result.persons)} 位人员")
    if result.kept_open:
        messages.warning(request, f"{len(result.kept_open)} 件工单尚未结案,未删除:{'、'.join(result.kept_open)}")
    return _desk_again(request, phone)
