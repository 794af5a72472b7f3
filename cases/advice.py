"""Advice a higher app gives on the case page (smart dispatch's proposal), plugged in by name.

`cases` sits below `dispatch` and never imports it; the composition root names the advisor in settings
(`CASE_PAGE_ADVISOR = "dispatch.advice"`), a module with two functions:

- `form_defaults(case, action) -> dict`: refined initial values for an action's form (派单: category and
  departments; 合并: the most similar open case as master), applied over the table-driven defaults;
- `panel(user, case)`: the object the case page's suggestion panel renders, or None.

With no advisor configured the page works without suggestions.
"""

from __future__ import annotations

from functools import cache
from types import ModuleType
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_module

from org.models import User

from .models import Case


@cache
def _advisor() -> ModuleType | None:
    name = getattr(settings, "CASE_PAGE_ADVISOR", "")
    return import_module(name) if name else None


def form_defaults(case: Case, action: str) -> dict[str, Any]:
    advisor = _advisor()
    return advisor.form_defaults(case, action) if advisor else {}


def panel(user: User, case: Case) -> Any:
    advisor = _advisor()
    return advisor.panel(user, case) if advisor else None
