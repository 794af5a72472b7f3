"""Who sees and writes 民情日志 (visits, plans, needs, the data lake) and 十大民生 rows, and how their personal data reads.

Scope is the registry's: the street-wide roles see the whole street, a 居委干部 its 居民区, a 网格员 its 网格 (by the
household's or unit's grid); 处置人 and 审计员 see none. Personal data (names, phones, house numbers, free texts that
may hold them) is clear for the roles whose work on cases needs it (the registry's CLEAR_ROLES) and for the 居委干部
inside its own 居民区 — visiting households is the cadre's job (issue 18: "a cadre sees their 居民区") — and each such
page view is audited with the purpose 入户走访; the 领导, 管理员 and 网格员 read it masked through `masker_for`, which is
the registry's RegistryMasker and so the cases' masking functions.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from audit.models import AuditEntry
from audit.services import audit_record
from core.errors import PermissionDenied
from org.models import Role, User
from registry import policy as registry_policy
from registry.policy import RegistryMasker

STREET_WIDE_ROLES = registry_policy.STREET_WIDE_ROLES
READ_ROLES = registry_policy.READ_ROLES
# Plans: the centre street-wide, a 居委干部 for its own 居民区.
PLAN_ROLES = frozenset({Role.ADMIN, Role.DISPATCHER, Role.CADRE, Role.SYSTEM})
# Visits are made by 居委干部 and 网格员 (in their area), recorded by the centre for paper logs.
VISIT_ROLES = frozenset({Role.ADMIN, Role.DISPATCHER, Role.CADRE, Role.GRID, Role.SYSTEM})
# Needs: whoever visits, and the centre.
NEED_ROLES = frozenset({Role.ADMIN, Role.DISPATCHER, Role.INTAKE, Role.CADRE, Role.GRID, Role.SYSTEM})
# The data lake is the centre's: other systems' exports of the whole street.
LAKE_ROLES = frozenset({Role.ADMIN, Role.DISPATCHER, Role.SYSTEM})
# 十大民生: the leaders pick and steer; the centre keeps the projects; everyone who reads the street may read them.
PROJECT_ROLES = frozenset({Role.LEADER, Role.ADMIN, Role.DISPATCHER, Role.SYSTEM})
THEME_ROLES = frozenset({Role.LEADER, Role.ADMIN, Role.DISPATCHER, Role.SYSTEM})
VISIT_PURPOSE = "入户走访"


def scope_q(user: User, *, neighbourhood_field: str = "neighbourhood", grid_field: str = "household__grid") -> Q | None:
    """The rows this user may see, as a filter (Q() for all, None for none). Rows carry their 居民区; a 网格员's rows are
    those of households (or units) in its grid."""
    if not user.is_authenticated or (not user.is_active and user.role != Role.SYSTEM):
        return None
    if user.role in STREET_WIDE_ROLES:
        return Q()
    if user.role == Role.CADRE and user.neighbourhood_id:
        return Q(**{f"{neighbourhood_field}_id": user.neighbourhood_id})
    if user.role == Role.GRID and user.grid_id:
        unit_field = grid_field.replace("household__", "unit__")
        return Q(**{f"{grid_field}_id": user.grid_id}) | Q(**{f"{unit_field}_id": user.grid_id})
    return None


def visible(user: User, queryset: QuerySet, **fields: str) -> QuerySet:
    scope = scope_q(user, **fields)
    return queryset.none() if scope is None else queryset.filter(scope)


def can_read(user: User) -> bool:
    return user.role in READ_ROLES and scope_q(user) is not None


def in_scope(user: User, *, neighbourhood_id: int | None, grid_id: int | None = None) -> bool:
    return registry_policy.in_scope(user, neighbourhood_id=neighbourhood_id, grid_id=grid_id)


def check_role(user: User, roles: frozenset[str], what: str) -> None:
    if user.role not in roles:
        raise PermissionDenied(f"您的角色不能{what}")


def check_area(user: User, *, neighbourhood_id: int | None, grid_id: int | None = None, what: str = "该户") -> None:
    """A scoped role acts only inside its area (the street-wide roles anywhere)."""
    if user.role in STREET_WIDE_ROLES:
        return
    if not in_scope(user, neighbourhood_id=neighbourhood_id, grid_id=grid_id):
        raise PermissionDenied(f"{what}不在您负责的区域内")


def sees_clear(user: User | None) -> bool:
    """Clear for the registry's clear roles and for the 居委干部 (its scope is its own 居民区); audit each view."""
    return user is not None and (registry_policy.sees_clear(user) or user.role == Role.CADRE)


def masker_for(user: User | None) -> RegistryMasker:
    """THE masker of every 民情 and 民生 text a reader sees (pages, API, exports, reports)."""
    return RegistryMasker(user, revealed=sees_clear(user))


def audit_clear_view(user: User, request, *, object_type: str, ids: list[int], what: str) -> None:
    """Every page, export or API answer that shows 民情 personal data clear is audited: who, which rows, why."""
    if not ids or not sees_clear(user):
        return
    purpose = VISIT_PURPOSE if user.role == Role.CADRE else "岗位职责"
    audit_record(action=AuditEntry.Action.VIEW_PERSONAL_DATA, actor=user, request=request, object_type=object_type,
                 object_id=ids[0] if len(ids) == 1 else "", detail={"what": what, "purpose": purpose,
                                                                    "ids": ids[:200], "count": len(ids)})
