"""A domain error a page view did not catch becomes its page (403/404/409/422), never a 500.

The API has its own handler (chengyun/api.py); this one covers the HTML pages, so a view may simply call
`core.pages.get_in_scope_or_404` or a service and let the error travel.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from core.errors import DomainError
from core.pages import domain_error_page


class DomainErrorPageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DomainError) and not request.path.startswith("/api/"):
            return domain_error_page(request, exception)
        return None
