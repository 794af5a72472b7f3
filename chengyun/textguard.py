"""The entry-point guard: refuses characters XML 1.0 and Excel cannot hold (the class lives in core/text.py)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.html import escape

from core.text import INVALID_CHARACTERS, has_illegal, strip_illegal


def _json_strings(value, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield path or str(key), str(key)
            yield from _json_strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_strings(item, f"{path}[{index}]" if path else f"[{index}]")


def illegal_field(request: HttpRequest) -> str | None:
    """The name of the first query-string value, form field or JSON string holding an illegal character."""
    for key, values in request.GET.lists():
        for text in (key, *values):
            if has_illegal(text):
                return strip_illegal(key)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    content_type = request.content_type or ""
    if content_type == "application/json" or content_type.endswith("+json"):
        try:
            body = json.loads(request.body or b"null")
        except ValueError:
            return None  # the view answers a malformed body
        for field, text in _json_strings(body, ""):
            if has_illegal(text):
                return strip_illegal(field)
        return None
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for key, values in request.POST.lists():  # files are in request.FILES, not checked here
            for text in (key, *values):
                if has_illegal(text):
                    return strip_illegal(key)
    return None


def refused_response(request: HttpRequest, field: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "invalid_characters", "message": INVALID_CHARACTERS, "details": {"field": field}},
                            status=422, json_dumps_params={"ensure_ascii": False})
    if request.path.startswith("/open311/"):
        if request.path.endswith(".xml"):
            return HttpResponse(f"<?xml version=\"1.0\" encoding=\"utf-8\"?><errors><error><code>400</code>"
                                f"<description>{escape(INVALID_CHARACTERS)}</description></error></errors>",
                                status=400, content_type="text/xml; charset=utf-8")
        return JsonResponse([{"code": 400, "description": INVALID_CHARACTERS}], status=400, safe=False,
                            json_dumps_params={"ensure_ascii": False})
    if request.headers.get("HX-Request") == "true":
        # base.html lets htmx swap 4xx answers in: the message shows where the form's answer would have gone.
        return HttpResponse(f'<p class="error" role="alert">{escape(INVALID_CHARACTERS)}</p>', status=422)
    return HttpResponse(render_to_string("422.html", {"message": INVALID_CHARACTERS}), status=422)


class InvalidCharactersMiddleware:
    """Refuses a request carrying characters that cannot be stored or exported, before any view (so before a login
    is attempted or audited): 422, nothing stored."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = illegal_field(request)
        if field is not None:
            return refused_response(request, field)
        return self.get_response(request)
