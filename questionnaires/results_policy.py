"""Who reads questionnaire results and how their answers read: the rule of the app that collects them.

Answers are gathered on 入户走访, so their scope and masking are 民情日志's (minqing/policy.py: a 居委干部 sees its
居民区's submissions clear and audited, the 领导 masked). minqing sits above questionnaires, so the rule is looked up
by name (settings.QUESTIONNAIRE_READER_POLICY, the same plug-in shape as CASE_EVENT_LISTENERS); without it the
registry's rule applies (scope by 居民区/网格, clear for the registry's clear roles).
"""

from __future__ import annotations

from types import SimpleNamespace

from django.conf import settings
from django.db.models import QuerySet
from django.utils.module_loading import import_string

from audit.models import AuditEntry
from audit.services import audit_record
from org.models import User
from registry import policy as registry_policy


def _fallback() -> SimpleNamespace:
    def visible(user: User, queryset: QuerySet, **fields) -> QuerySet:
        scope = registry_policy._scope_q(user)
        return queryset.none() if scope is None else queryset.filter(scope)

    def audit_clear_view(user: User, request, *, object_type: str, ids: list[int], what: str) -> None:
        if ids and registry_policy.sees_clear(user):
            audit_record(action=AuditEntry.Action.VIEW_PERSONAL_DATA, actor=user, request=request,
                         object_type=object_type, detail={"what": what, "ids": ids[:200], "count": len(ids)})

    return SimpleNamespace(READ_ROLES=registry_policy.READ_ROLES, visible=visible,
                           masker_for=lambda user: registry_policy.RegistryMasker(user),
                           audit_clear_view=audit_clear_view)


def reader_policy():
    """The module (or namespace) with READ_ROLES, visible(user, qs, neighbourhood_field=, grid_field=),
    masker_for(user) and audit_clear_view(user, request, object_type=, ids=, what=)."""
    path = getattr(settings, "QUESTIONNAIRE_READER_POLICY", "")
    return import_string(path) if path else _fallback()


def visible_submissions(user: User, queryset: QuerySet) -> QuerySet:
    return reader_policy().visible(user, queryset, neighbourhood_field="neighbourhood",
                                   grid_field="household__grid")
