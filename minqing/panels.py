"""The 民情 panel on the registry's household and person pages (settings.REGISTRY_HOUSEHOLD_PANELS /
REGISTRY_PERSON_PANELS, registry/page_panels.py): the household's visits and its needs with their status and their
cases' outcomes. Scope and masking are minqing/policy.py's (the 居委干部 reads its 居民区 clear, audited; the 领导,
管理员 and 网格员 masked); visits are read from minqing.Visit directly, so the panel needs no other module."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from . import policy
from .models import Visit
from .selectors import needs as selectors

LIMIT = 20


def _visits(request: HttpRequest, *, household=None, person=None, masker, names, phones) -> list[dict]:
    qs = policy.visible(request.user, Visit.objects.all())
    qs = qs.filter(household=household) if household is not None else qs.filter(met_person=person)
    return [{"id": v.pk, "on": v.visited_on, "outcome": v.get_outcome_display(),
             "visitors": "、".join(str(u) for u in v.visitors.all()),
             "notes": masker.text(v.notes, names=names, phones=phones)}
            for v in qs.prefetch_related("visitors").order_by("-visited_on", "-id")[:LIMIT]]


def _render(request: HttpRequest, *, needs_qs, visits, title: str, what: str) -> str | None:
    masker = policy.masker_for(request.user)
    rows = selectors.need_rows(request.user, needs_qs[:LIMIT], masker=masker)
    if not rows and not visits:
        return None
    policy.audit_clear_view(request.user, request, object_type="need", ids=[r["id"] for r in rows], what=what)
    return render_to_string("minqing/needs/_panel.html", {"needs": rows, "visits": visits, "title": title,
                                                          "count": needs_qs.count(), "masked": masker.masked},
                            request=request)


def household_panel(request: HttpRequest, household) -> str | None:
    if request.user.role not in policy.READ_ROLES:
        return None
    from registry.selectors import household_secrets

    masker = policy.masker_for(request.user)
    names, phones = household_secrets(household) if masker.masked else ((), ())
    visits = _visits(request, household=household, masker=masker, names=names, phones=phones)
    return _render(request, needs_qs=selectors.household_needs(request.user, household.pk), visits=visits,
                   title="民情:走访与需求", what=f"household_{household.pk}")


def person_panel(request: HttpRequest, person) -> str | None:
    if request.user.role not in policy.READ_ROLES:
        return None
    masker = policy.masker_for(request.user)
    names = (person.name,)
    phones = tuple(p for p in (person.phone, person.phone_alt) if p)
    visits = _visits(request, person=person, masker=masker, names=names, phones=phones)
    return _render(request, needs_qs=selectors.person_needs(request.user, person.pk), visits=visits,
                   title="民情:本人提出的需求", what=f"person_{person.pk}")
