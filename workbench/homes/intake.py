"""受理员: the registration form and the operator's last ten cases."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cases.forms import CaseRegisterForm
from cases.models import Source
from org.selectors import address_options

from ..common import recent_cases


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "workbench/intake.html", {
        "form": CaseRegisterForm(initial={"source": Source.HOTLINE}), "address_options": address_options(),
        "recent": recent_cases(request)})
