"""Public pages (no login): report a problem with a verified phone, and follow it by case number and phone."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from cases.forms import CaseRegisterForm, posted_coordinates
from cases.models import Case
from cases.policy import mask_public_text
from cases.transitions import TRANSITIONS
from core.errors import DomainError
from core.http import client_ip

from . import services

PUBLIC_EVENTS = {"register", "dispatch", "sign", "record_first_contact", "finish", "callback", "reopen", "close", "merge"}


class ReportForm(forms.Form):
    category = CaseRegisterForm.base_fields["category"]
    content = forms.CharField(label="问题描述", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
    address = forms.CharField(label="地址或位置", max_length=200)
    name = forms.CharField(label="称呼(可不填)", required=False, max_length=50)
    phone = forms.CharField(label="手机号", max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"}))
    code = forms.CharField(label="短信验证码", max_length=6, widget=forms.TextInput(attrs={"inputmode": "numeric"}))


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """The report form. Sent by htmx (static/js: the whole form, photos included, as multipart), a refused report
    answers with the form fragment only: the page is not reloaded, so the photos chosen stay in their input
    (hx-preserve) and the code button keeps its countdown. Without JavaScript the page posts and re-renders."""
    form = ReportForm(request.POST or None)
    status = 200
    partial = _is_htmx(request)
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                latitude, longitude = posted_coordinates(request.POST)
                case = services.self_report_submit(
                    phone=data["phone"], code=data["code"], content=data["content"], address=data["address"],
                    name=data["name"], category=data["category"], latitude=latitude, longitude=longitude,
                    photos=request.FILES.getlist("photos"))
            except DomainError as exc:
                field = exc.details.get("field")
                form.add_error(field if field in form.fields else None, exc.message)
                status = exc.status
            else:
                return render(request, "selfreport/_done.html" if partial else "selfreport/done.html", {"case": case})
    template = "selfreport/_report_form.html" if partial else "selfreport/report.html"
    return render(request, template, {"form": form, "max_photos": services.MAX_PHOTOS,
                                      "resend_after": int(services.RESEND_AFTER.total_seconds())}, status=status)


@require_POST
def send_code(request: HttpRequest) -> HttpResponse:
    """获取验证码: the answer says when the next code may be asked (the page counts down; the limit is ours)."""
    try:
        services.phone_code_send(phone=request.POST.get("phone", ""), ip=client_ip(request))
    except DomainError as exc:
        return render(request, "selfreport/_code.html",
                      {"error": exc.message, "retry_after": exc.details.get("retry_after")}, status=exc.status)
    return render(request, "selfreport/_code.html",
                  {"sent": True, "retry_after": int(services.RESEND_AFTER.total_seconds())})


def _status_errors(number: str, phone: str) -> dict[str, str]:
    errors = {}
    if not number:
        errors["number"] = "请填写工单号(在提交成功的页面上,如 JAS-2026-000123)"
    if len("".join(ch for ch in phone if ch.isdigit())) < 7:
        errors["phone"] = "请填写反映问题时留的手机号"
    return errors


@require_http_methods(["GET", "POST"])
def status(request: HttpRequest) -> HttpResponse:
    """查询进度 by case number and phone. The receipt links here with the number only (?number=…): the phone is
    never in a URL, the resident types it."""
    case: Case | None = None
    searched = request.method == "POST"
    source = request.POST if searched else request.GET
    number = source.get("number", "").strip()[:40]
    phone = request.POST.get("phone", "").strip()
    errors = _status_errors(number, phone) if searched else {}
    if searched and not errors:
        case = services.self_report_status(number=number, phone=phone)
    events = []
    if case is not None:
        events = [(e.at, TRANSITIONS[e.action].label) for e in case.events.filter(action__in=PUBLIC_EVENTS)]
    # The handler's words may name neighbours, flats and phones: the public page shows them as a public text.
    result = mask_public_text(case.handling_result, citizen_name=case.citizen_name) if case is not None else ""
    code = 200
    if errors:
        code = 422
    elif searched and case is None:
        code = 404
    return render(request, "selfreport/status.html", {
        "case": case, "searched": searched, "events": events, "result": result, "errors": errors,
        "number": number, "not_found": searched and not errors and case is None}, status=code)
