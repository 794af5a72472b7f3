"""Panels a higher app adds to the registry's household and person pages (e.g. 民情: visits and needs), plugged in by
name like the case page's (cases/panels.py): settings.REGISTRY_HOUSEHOLD_PANELS / REGISTRY_PERSON_PANELS list
modules with `household_panel(request, household)` / `person_panel(request, person)` returning the rendered fragment
(render_to_string, a SafeString) or None when the reader has nothing to see. The registry never imports them."""

from __future__ import annotations

from functools import cache
from types import ModuleType

from django.conf import settings
from django.http import HttpRequest
from django.utils.module_loading import import_module


@cache
def _modules(setting: str) -> tuple[ModuleType, ...]:
    return tuple(import_module(name) for name in getattr(settings, setting, ()))


def household_panels(request: HttpRequest, household) -> list[str]:
    return [html for m in _modules("REGISTRY_HOUSEHOLD_PANELS") if (html := m.household_panel(request, household))]


def person_panels(request: HttpRequest, person) -> list[str]:
    return [html for m in _modules("REGISTRY_PERSON_PANELS") if (html := m.person_panel(request, person))]
