"""Page helpers every app's views share: the htmx-aware login gate, role gates, and the Chinese 403/404 pages.

One `login_required` for the whole project (Django's would send an htmx request's login page into a panel), one
`role_required` that answers the same 403 page everywhere, and `get_in_scope_or_404` so an object outside the
user's scope is simply "not found", never a hint that it exists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render, resolve_url
from django.utils.html import escape
from django_htmx.http import HttpResponseClientRedirect

from .errors import DomainError, NotFound

FORBIDDEN = "您没有权限访问该页面。"


def login_required(view: Callable) -> Callable:
    """Like Django's, but an htmx request is sent to the login page as a whole page, not swapped into a panel."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if getattr(request, "htmx", False):
            current = request.htmx.current_url_abs_path or resolve_url(settings.LOGIN_REDIRECT_URL)
            return HttpResponseClientRedirect(redirect_to_login(current).url)
        return redirect_to_login(request.get_full_path())

    return wrapper


def forbidden_page(request: HttpRequest, message: str = "", *, needed_roles: str = "",
                   action_label: str = "") -> HttpResponse:
    """The 403 page: what was refused, and (for a case action) which roles could do it."""
    context = {"message": message or FORBIDDEN, "needed_roles": needed_roles, "action_label": action_label}
    return render(request, "403.html", context, status=403)


def not_found_page(request: HttpRequest, message: str = "") -> HttpResponse:
    # Rendered here rather than raising Http404 so the Chinese page shows with DEBUG=True as well.
    return render(request, "404.html", {"message": message or "页面不存在"}, status=404)


def role_required(roles: Iterable[str], message: str = "") -> Callable[[Callable], Callable]:
    """Logged in and one of `roles` (role values), else the 403 page; the role sets live with the app that owns them."""
    allowed = frozenset(roles)

    def decorate(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if request.user.role not in allowed:
                return forbidden_page(request, message)
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = allowed  # type: ignore[attr-defined]
        return wrapper

    return decorate


def get_in_scope_or_404(queryset: QuerySet, message: str = "记录不存在或不在您的职责范围内", **lookup: Any) -> Model:
    """The object if the (already scoped) queryset holds it, else NotFound, which every page and the API show as 404."""
    found = queryset.filter(**lookup).first()
    if found is None:
        raise NotFound(message)
    return found


def domain_error_page(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """A DomainError a view let through, as a page with its status: 403/404 pages, else the message page (409/422).

    For htmx the message comes as a fragment with the status; the base templates show any 4xx/5xx message.
    """
    if exc.status == 403:
        return forbidden_page(request, exc.message)
    if exc.status == 404:
        return not_found_page(request, exc.message)
    if getattr(request, "htmx", False):
        return HttpResponse(f'<p class="error" role="alert">{escape(exc.message)}</p>', status=exc.status)
    return render(request, "error.html", {"message": exc.message}, status=exc.status)


def forbidden(request: HttpRequest, exception=None) -> HttpResponse:
    """handler403."""
    return forbidden_page(request, str(exception or ""))


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    """handler404. Resolver404 carries the tried URL patterns, not a message for people."""
    message = "" if exception is None or "Resolver404" in repr(exception) else str(exception)
    return not_found_page(request, message)
