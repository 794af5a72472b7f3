"""Who may see and act on which case (scope), and who sees citizens' personal data unmasked.

Roles are checked against the transition table; this module adds the *where*: a handler acts only for
its own department, a 网格员 sees its own grid, a 居委干部 its own 居民区.
"""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet

from chengyun.errors import PermissionDenied
from org.models import Role, User

from .models import Assignment, Case
from .transitions import Transition

STREET_WIDE_ROLES = frozenset({Role.ADMIN, Role.DISPATCHER, Role.LEADER, Role.INTAKE, Role.CALLBACK, Role.SYSTEM})
# Roles whose work needs the 诉求人's name and phone. Others see them masked.
PERSONAL_DATA_ROLES = frozenset({Role.INTAKE, Role.DISPATCHER, Role.HANDLER, Role.CALLBACK, Role.SYSTEM})
# The event appended when a case's personal data is anonymised (retention job or a citizen's erasure request).
ANONYMISE_EVENT = "anonymise"
# Roles that see cases masked but may reveal one case's personal data with a stated reason (audited each time).
UNMASK_ROLES = frozenset({Role.LEADER, Role.GRID, Role.CADRE, Role.ADMIN})


def visible_cases(user: User, queryset: QuerySet[Case] | None = None) -> QuerySet[Case]:
    qs = queryset if queryset is not None else Case.objects.all()
    if not user.is_authenticated or not user.is_active and user.role != Role.SYSTEM:
        return qs.none()
    if user.role in STREET_WIDE_ROLES:
        return qs
    if user.role == Role.HANDLER:
        if not user.department_id:
            return qs.none()
        return qs.filter(assignments__department_id=user.department_id).distinct()
    if user.role == Role.GRID:
        return qs.filter(Q(grid_id=user.grid_id) | Q(created_by=user)) if user.grid_id else qs.filter(created_by=user)
    if user.role == Role.CADRE:
        scope = Q(created_by=user)
        if user.neighbourhood_id:
            scope |= Q(neighbourhood_id=user.neighbourhood_id)
        return qs.filter(scope)
    return qs.none()


def can_view(user: User, case: Case) -> bool:
    return visible_cases(user, Case.objects.filter(pk=case.pk)).exists()


def _department_share(user: User, case: Case) -> str | None:
    """'lead', 'co' or None: the user's department's active share in the case."""
    roles = set(
        Assignment.objects.filter(case=case, department_id=user.department_id, active=True)
        .values_list("role", flat=True)
    )
    if Assignment.Role.LEAD in roles:
        return Assignment.Role.LEAD
    return Assignment.Role.CO if roles else None


def scope_allows(user: User, case: Case, transition: Transition) -> bool:
    if user.role == Role.HANDLER:
        share = _department_share(user, case) if user.department_id else None
        return share == Assignment.Role.LEAD or (share == Assignment.Role.CO and transition.co_handler_allowed)
    if user.role in STREET_WIDE_ROLES:
        return True
    return can_view(user, case)


def check_scope(user: User, case: Case, transition: Transition) -> None:
    if not scope_allows(user, case, transition):
        raise PermissionDenied(f"工单 {case.number} 不在您的职责范围内,不能{transition.label}")


def sees_personal_data(user: User, case: Case) -> bool:
    return user.role in PERSONAL_DATA_ROLES


def mask_name(name: str) -> str:
    return f"{name[0]}{'*' * max(len(name) - 1, 1)}" if name else ""


def mask_phone(phone: str) -> str:
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) >= 11:  # mobile, or landline with its area code: 138****1234, 021****1234
        return f"{digits[:3]}****{digits[-4:]}"
    # A local landline (7–8 digits) keeps its last four only: first three plus last four would be the whole number.
    if len(digits) >= 7:
        return f"****{digits[-4:]}"
    return "****" if phone else ""


def mask_address(address: str) -> str:
    """愚园路128弄3号 → 愚园路xx弄x号: the road stays for the map, the house number goes."""
    return re.sub(r"\d+", lambda m: "x" * min(len(m.group()), 2), address or "")


_MOBILE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_LANDLINE_IN_TEXT = re.compile(r"(?<!\d)(?:0\d{2,3}-?)?[2-9]\d{6,7}(?!\d)")
_HOUSE_NUMBER_IN_TEXT = re.compile(r"\d+(?=\s*(?:弄|衖|号|室|栋|幢|楼|单元))")


def mask_text(text: str, *, citizen_name: str = "") -> str:
    """Free text (title, content) for roles without need: phones, house numbers and the citizen's name go.

    Hotline texts often repeat the address and sometimes a phone number, so masking the fields alone leaks."""
    if not text:
        return text
    text = _MOBILE_IN_TEXT.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
    text = _LANDLINE_IN_TEXT.sub("****", text)
    text = _HOUSE_NUMBER_IN_TEXT.sub(lambda m: "x" * min(len(m.group()), 2), text)
    if len(citizen_name) >= 2:
        text = text.replace(citizen_name, mask_name(citizen_name))
    return text


# --- Logs (issue 14): what mask_text masks, plus 18-digit ID-card numbers ---------------------------------------------
# Used by chengyun/logfilters.py. When mask_text itself masks ID-card numbers, this becomes mask_text alone.
_ID_NUMBER_IN_LOG_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")


def mask_log_text(text: str) -> str:
    """A log line: ID-card numbers (310101********123X), then mobile and landline numbers and house numbers."""
    if not text:
        return text
    return mask_text(_ID_NUMBER_IN_LOG_TEXT.sub(lambda m: f"{m.group(1)}********{m.group(2)}", text))
