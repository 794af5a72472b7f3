"""Who sees which registry rows (scope) and who sees their personal data unmasked — the same rule as cases' 诉求人.

Scope: the street-wide roles see the whole registry; a 网格员 its 网格, a 居委干部 its 居民区; 处置人 and 审计员 none.
Personal data (every field of a person, a household's house number and room, a unit's operator and contacts):
clear, and audited per view, for the roles whose work on cases needs it (cases.policy.PERSONAL_DATA_ROLES); masked
for the others (领导, 网格员, 居委干部, 管理员), who may reveal one record with a stated purpose (audited).
`RegistryMasker` is the one way a registry text reaches a reader; it masks with `cases.policy.mask_value`, the same
function that masks cases.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Q, QuerySet

from cases.policy import PERSONAL_DATA_ROLES, UNMASK_ROLES, mask_address, mask_name, mask_phone, mask_value
from core.errors import PermissionDenied
from org.models import Neighbourhood, Role, User

STREET_WIDE_ROLES = frozenset({Role.ADMIN, Role.DISPATCHER, Role.LEADER, Role.INTAKE, Role.CALLBACK, Role.SYSTEM})
SCOPED_ROLES = frozenset({Role.GRID, Role.CADRE})
READ_ROLES = STREET_WIDE_ROLES | SCOPED_ROLES
# Clear by role (each view audited): the roles whose case work needs the citizen's data; handlers have no registry.
CLEAR_ROLES = frozenset(PERSONAL_DATA_ROLES & READ_ROLES)
# Masked, but may reveal one record with a stated purpose (audited each time).
REVEAL_ROLES = frozenset(UNMASK_ROLES & READ_ROLES)
# Who keeps the data book: the centre street-wide, the 居委会 and the 网格员 in their own area.
WRITE_ROLES = frozenset({Role.ADMIN, Role.DISPATCHER, Role.CADRE, Role.GRID, Role.SYSTEM})
IMPORT_ROLES = frozenset({Role.ADMIN, Role.DISPATCHER, Role.CADRE, Role.SYSTEM})
# Finding a person by phone or ID number: roles that must find who called or whom to visit; each search audited.
IDENTIFIER_SEARCH_ROLES = frozenset({Role.INTAKE, Role.DISPATCHER, Role.CALLBACK, Role.CADRE, Role.GRID})
# The purposes a reveal may state (PIPL: purpose stated on every unmasked view).
REVEAL_PURPOSES = {
    "visit": "入户走访/联系居民",
    "case": "工单处置/回访",
    "verify": "核实底册信息",
    "service": "为老/助困服务",
    "safety": "安全/应急处置",
    "other": "其他(请在说明中写明)",
}


def _scope_q(user: User, *, grid_field: str = "grid", neighbourhood_field: str = "neighbourhood") -> Q | None:
    """The rows this user may see, as a filter: Q() for all, None for none."""
    if not user.is_authenticated or (not user.is_active and user.role != Role.SYSTEM):
        return None
    if user.role in STREET_WIDE_ROLES:
        return Q()
    if user.role == Role.GRID and user.grid_id:
        return Q(**{f"{grid_field}_id": user.grid_id})
    if user.role == Role.CADRE and user.neighbourhood_id:
        return Q(**{f"{neighbourhood_field}_id": user.neighbourhood_id})
    return None


def visible(user: User, queryset: QuerySet) -> QuerySet:
    """Persons, households and units all carry `neighbourhood` and `grid`: one filter for the three."""
    scope = _scope_q(user)
    return queryset.none() if scope is None else queryset.filter(scope)


def can_read(user: User) -> bool:
    return _scope_q(user) is not None


def in_scope(user: User, *, neighbourhood_id: int | None, grid_id: int | None) -> bool:
    if user.role in STREET_WIDE_ROLES:
        return True
    if user.role == Role.GRID:
        return bool(user.grid_id) and grid_id == user.grid_id
    if user.role == Role.CADRE:
        return bool(user.neighbourhood_id) and neighbourhood_id == user.neighbourhood_id
    return False


def check_write(user: User, *, neighbourhood: Neighbourhood | int | None = None, grid=None, what: str = "底册") -> None:
    """A write is allowed for WRITE_ROLES inside their area; a scoped role can't write a row without an area."""
    if user.role not in WRITE_ROLES:
        raise PermissionDenied(f"您的角色不能修改{what}")
    nb_id = neighbourhood.pk if isinstance(neighbourhood, Neighbourhood) else neighbourhood
    grid_id = getattr(grid, "pk", grid)
    if user.role in STREET_WIDE_ROLES:
        return
    if not in_scope(user, neighbourhood_id=nb_id, grid_id=grid_id):
        raise PermissionDenied(f"该{what}不在您负责的区域内")


def sees_clear(user: User | None) -> bool:
    return user is not None and user.role in CLEAR_ROLES


def may_search_identifiers(user: User) -> bool:
    return user.role in IDENTIFIER_SEARCH_ROLES


_ID_NUMBER = re.compile(r"^([0-9A-Z]{2})[0-9A-Z]*([0-9A-Z]{2})$")


def mask_id_number(number: str) -> str:
    """310106********7777 for an 18-digit 身份证 (as cases mask them); other documents keep two and two."""
    if not number:
        return ""
    if len(number) == 18:
        return f"{number[:6]}********{number[-4:]}"
    match = _ID_NUMBER.match(number)
    return f"{match[1]}{'*' * (len(number) - 4)}{match[2]}" if match and len(number) > 4 else "****"


def mask_birth_date(value) -> str:
    """Only the year stays (an age band is what a masked reader's work needs)."""
    return f"{value.year}年" if value else ""


NOTES_HIDDEN = "(有备注,查看完整信息后可见)"


class RegistryMasker:
    """THE one way a registry text reaches a reader: `masker.person(p)` / `masker.text(value, person=…)`.

    For a masked reader every field of a person goes through the case masking functions (mask_name, mask_phone,
    mask_id_number, mask_address) and free text through `cases.policy.mask_value` with the person's name and phones,
    so a name typed into a note or a change record is masked too. `revealed=True` after a stated purpose."""

    def __init__(self, user: User | None, *, revealed: bool = False, force: bool = False):
        self.masked = force or not (revealed or sees_clear(user))

    def text(self, value: Any, *, names: tuple[str, ...] = (), phones: tuple[str, ...] = ()) -> Any:
        if not self.masked:
            return value
        for name in names:
            value = mask_value(value, citizen_name=name)
        for phone in phones:
            value = mask_value(value, citizen_phone=phone)
        return mask_value(value)

    def notes(self, value: str) -> str:
        """备注 is free text staff wrote about a person or a home (health, family, disputes …): pattern masking can't
        find what matters in it, so a masked reader sees that a note exists, not what it says."""
        if not self.masked:
            return value
        return NOTES_HIDDEN if value else ""

    def name(self, value: str) -> str:
        return mask_name(value) if self.masked else value

    def phone(self, value: str) -> str:
        return mask_phone(value) if self.masked else value

    def id_number(self, value: str) -> str:
        return mask_id_number(value) if self.masked else value

    def birth_date(self, value) -> str:
        if not value:
            return ""
        return mask_birth_date(value) if self.masked else value.isoformat()

    def address(self, value: str) -> str:
        return mask_address(value) if self.masked else value
