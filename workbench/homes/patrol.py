"""网格员 / 居委干部: the on-site report form and the handled cases to verify."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cases import queues
from cases.forms import CaseRegisterForm
from cases.models import Source
from org.models import Role
from org.selectors import address_options

from ..common import queue_page


def home(request: HttpRequest) -> HttpResponse:
    role = request.user.role
    return render(request, "workbench/grid.html", {
        "form": CaseRegisterForm(initial={"source": Source.PATROL if role == Role.GRID else Source.VISIT}),
        "address_options": address_options(),
        "page": queue_page(request, queues.queue_to_verify(request.user))})
