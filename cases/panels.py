"""Panels a higher app adds to the case page, plugged in by name like the advisor (cases/advice.py).

`cases` sits below the apps that know more about a case's people and places (the registry's 诉求人 ↔ 底册人员
link) and never imports them: the composition root lists modules in settings (`CASE_PAGE_PANELS =
["registry.panels"]`), each with `panel(request, case) -> str | None`, the fragment the case page shows beside its
actions (rendered with `render_to_string`, a SafeString; a plain str is escaped), or None when that reader has
nothing to see. With none configured the page has no panels.
"""

from __future__ import annotations

from functools import cache
from types import ModuleType

from django.conf import settings
from django.http import HttpRequest
from django.utils.module_loading import import_module

from .models import Case


@cache
def _modules() -> tuple[ModuleType, ...]:
    return tuple(import_module(name) for name in getattr(settings, "CASE_PAGE_PANELS", ()))


def panels(request: HttpRequest, case: Case) -> list[str]:
    """The configured panels' fragments for this reader, in the setting's order."""
    return [html for module in _modules() if (html := module.panel(request, case))]
