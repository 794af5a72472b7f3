"""The database going away in the middle of a request (connection dropped, server restarting, backend terminated).

The action's transaction is rolled back by the database (nothing half-written: the case row and its event commit
together or not at all); the user gets a clean 503 in Chinese saying nothing was saved, never a traceback; the dead
connection is dropped so the next request opens a new one.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)
DATABASE_ERRORS = (OperationalError, InterfaceError)
DATABASE_UNAVAILABLE = "数据库暂时无法连接,本次操作未保存,请稍后重试"
RETRY_AFTER_SECONDS = "5"


def drop_broken_connections() -> None:
    """Close connections that can no longer be used (outside a transaction), so the next query reconnects."""
    for conn in connections.all(initialized_only=True):
        if conn.connection is not None and not conn.in_atomic_block and not conn.is_usable():
            conn.close()


def database_unavailable(request: HttpRequest, exc: Exception) -> None:
    logger.error("database unavailable during %s %s: %s", request.method, request.path, exc, exc_info=exc)
    drop_broken_connections()


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 in Chinese: JSON in the API's error format under /api/, else the 503 page (rendered without the database:
    no request context, so no context processor queries)."""
    if request.path.startswith("/api/"):
        response = JsonResponse({"code": "database_unavailable", "message": DATABASE_UNAVAILABLE}, status=503,
                                json_dumps_params={"ensure_ascii": False})
    else:
        response = HttpResponse(render_to_string("503.html", {"message": DATABASE_UNAVAILABLE}), status=503)
    response["Retry-After"] = RETRY_AFTER_SECONDS
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database failure outside any view (loading the session, the user, a middleware's query) is
    the same 503 as inside one; anything else is the generic 500 page."""
    exc = sys.exc_info()[1]
    if isinstance(exc, DATABASE_ERRORS):
        drop_broken_connections()
        return unavailable_response(request)
    return HttpResponseServerError(render_to_string("500.html"))


class DatabaseUnavailableMiddleware:
    """Pages: a database failure becomes the 503 page (rendered without the database: no context processors)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not isinstance(exc, DATABASE_ERRORS):
            return None
        database_unavailable(request, exc)
        return unavailable_response(request)
