"""The registry's panel on the case page (诉求人 ↔ 底册人员), plugged into cases by name: settings.CASE_PAGE_PANELS
lists "registry.panels", and cases/panels.py calls `panel(request, case)` for the rendered fragment (or None).

Who sees what: the roles that decide links (policy.CLEAR_ROLES) see the linked person and the ranked suggestions
(registry/case_links.py) clear, with 是本人 / 非本人 buttons, one audit entry per view that shows any; the other
readers of the registry see the linked person as the registry shows them (masked), and nothing else.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from cases.models import Case

from . import policy, selectors
from .case_links import case_link_suggestions
from .models import CaseLink, Person
from .policy import RegistryMasker


def panel_context(request: HttpRequest, case: Case, *, error: str = "", notice: str = "") -> dict[str, Any]:
    user = request.user
    masker = RegistryMasker(user)
    deciding = user.role in policy.CLEAR_ROLES
    link = CaseLink.objects.filter(case=case, decision=CaseLink.Decision.LINKED).select_related("person").first()
    linked = None
    if link is not None and policy.visible(user, Person.objects.filter(pk=link.person_id)).exists():
        linked = {"id": link.person_id, "name": masker.name(link.person.name),
                  "phone": masker.phone(link.person.phone), "decided_at": link.decided_at}
    suggestions = []
    if deciding and link is None:
        for s in case_link_suggestions(case):
            home = selectors.current_household(s.person)
            suggestions.append({"id": s.person.pk, "name": masker.name(s.person.name),
                                "phone": masker.phone(s.person.phone), "birth": masker.birth_date(s.person.birth_date),
                                "address": masker.address(home.address) if home else "", "score": s.score,
                                "strong": s.strong, "reasons": s.reasons})
    shown = [r["id"] for r in suggestions] + ([linked["id"]] if linked else [])
    if not masker.masked and shown:
        selectors.audit_list_unmasked(user, request, entity="person", ids=shown, what=f"case_{case.pk}")
    rejected = CaseLink.objects.filter(case=case, decision=CaseLink.Decision.REJECTED).count() if deciding else 0
    return {"case": case, "linked": linked, "suggestions": suggestions, "deciding": deciding, "rejected": rejected,
            "has_citizen": bool(case.citizen_name or case.citizen_phone), "link_error": error, "link_notice": notice}


def panel(request: HttpRequest, case: Case) -> str | None:
    """The rendered panel for the case page, or None when this reader has nothing to see in it."""
    user = request.user
    if user.role not in policy.READ_ROLES:
        return None
    context = panel_context(request, case)
    if not context["deciding"] and context["linked"] is None:
        return None
    return render_to_string("registry/_case_panel.html", context, request=request)
