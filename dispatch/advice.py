"""Smart dispatch's advice on the case page, plugged into `cases.advice` by the setting CASE_PAGE_ADVISOR."""

from __future__ import annotations

from typing import Any

from cases.models import Case
from org.models import User

from .selectors import department_for, returned_departments, suggestion_for_case


def form_defaults(case: Case, action: str) -> dict[str, Any]:
    if action == "dispatch":
        # The suggested category when none is set, the 小区's 物业, history.
        suggestion = suggestion_for_case(None, case, with_duplicates=False)
        category = case.category or (suggestion.category.category if suggestion.category else None)
        guess = (department_for(category, suggestion.place, suggestion.version, exclude=returned_departments(case))
                 if category else None)
        if guess:
            return {"category_id": category.pk, "lead_department_id": guess.lead.pk,
                    "co_department_ids": [d.pk for d in guess.co]}
        return {}
    if action == "merge":
        # The most similar open case at the same or a neighbouring address, if smart dispatch found one.
        duplicates = suggestion_for_case(None, case).duplicates
        return {"master": duplicates[0].case.number} if duplicates else {}
    return {}


def panel(user: User, case: Case) -> Any:
    return suggestion_for_case(user, case)
