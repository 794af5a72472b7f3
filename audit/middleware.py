"""Every refused request (HTTP 403) is written to the audit log, whichever view or API operation refused it."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .models import AuditEntry
from .services import audit_record


class PermissionDenialAuditMiddleware:
    """One place for denials: pages (403.html), the API's 403s and CSRF failures all pass through here."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 403:
            match = getattr(request, "resolver_match", None)
            user = getattr(request, "user", None)
            audit_record(
                action=AuditEntry.Action.DENIED, actor=user, request=request, object_type="url",
                object_id=(match.view_name if match else "")[:64],
                detail={"method": request.method, "path": request.path[:300]},
            )
        return response
