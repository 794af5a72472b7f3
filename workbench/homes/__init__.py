"""Each role's home page, one module per desk: dispatcher (派单员, 管理员), handler (处置人), callback (回访员),
leader (领导), patrol (网格员, 居委干部) and intake (受理员 and anyone else who may register)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from org.models import Role

from ..common import DISPATCH_DESK_ROLES, PATROL_ROLES
from . import callback, dispatcher, handler, intake, leader, patrol


def home_for(request: HttpRequest) -> HttpResponse:
    role = request.user.role
    if role in DISPATCH_DESK_ROLES:
        return dispatcher.home(request)
    if role == Role.HANDLER:
        return handler.home(request)
    if role == Role.CALLBACK:
        return callback.home(request)
    if role == Role.AUDITOR:
        return redirect("audit:log")
    if role == Role.LEADER:
        return leader.home(request)
    if role in PATROL_ROLES:
        return patrol.home(request)
    return intake.home(request)
