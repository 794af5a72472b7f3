"""Smart dispatch on screen: the suggestion panel of the intake form (htmx, while the operator types)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.errors import PermissionDenied
from core.pages import FORBIDDEN, login_required

from .api import SUGGESTION_ROLES
from .selectors import suggestion_for_text


@login_required
@require_GET
def suggest_panel(request: HttpRequest) -> HttpResponse:
    if request.user.role not in SUGGESTION_ROLES:
        raise PermissionDenied(FORBIDDEN)  # the words the 403 page showed for Django's bare one
    content = request.GET.get("content", "")[:5000]
    address = request.GET.get("address", "")[:200]
    suggestion = None
    if len(content.strip()) >= 4:
        suggestion = suggestion_for_text(content=content, address=address, user=request.user)
    return render(request, "dispatch/_suggestion.html", {"suggestion": suggestion})
