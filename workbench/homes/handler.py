"""处置人: the department's cases."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cases import queues

from ..common import queue_page


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "workbench/handler.html", {"page": queue_page(request, queues.queue_department(request.user))})
