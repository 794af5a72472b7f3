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


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    form = ReportForm(request.POST or None)
    status = 200
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
                return render(request, "selfreport/done.html", {"case": case})
    return render(request, "selfreport/report.html", {"form": form}, status=status)


@require_POST
def send_code(request: HttpRequest) -> HttpResponse:
    try:
        services.phone_code_send(phone=request.POST.get("phone", ""), ip=client_ip(request))
    except DomainError as exc:
        return render(request, "selfreport/_code.html", {"error": exc.message}, status=exc.status)
    return render(request, "selfreport/_code.html", {"sent": True})


@require_http_methods(["GET", "POST"])
def status(request: HttpRequest) -> HttpResponse:
    case: Case | None = None
    searched = request.method == "POST"
    if searched:
        case = services.self_report_status(number=request.POST.get("number", ""), phone=request.POST.get("phone", ""))
    events = []
    if case is not None:
        events = [(e.at, TRANSITIONS[e.action].label) for e in case.events.filter(action__in=PUBLIC_EVENTS)]
    # The handler's words may name neighbours, flats and phones: the public page shows them as a public text.
    result = mask_public_text(case.handling_result, citizen_name=case.citizen_name) if case is not None else ""
    return render(request, "selfreport/status.html", {"case": case, "searched": searched, "events": events,
                                                      "result": result},
                  status=404 if searched and case is None else 200)
