"""Who may see and act on which case (scope), and who sees citizens' personal data unmasked.

Roles are checked against the transition table; this module adds the *where*: a handler acts only for
its own department, a 网格员 sees its own grid, a 居委干部 its own 居民区.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Q, QuerySet

from core.errors import PermissionDenied
from org.addresses import HOUSE_NUMBER
from org.models import Role, User

from .models import Assignment, Case
from .transitions import Transition

STREET_WIDE_ROLES = frozenset({Role.ADMIN, Role.DISPATCHER, Role.LEADER, Role.INTAKE, Role.CALLBACK, Role.SYSTEM})
# Roles whose work needs the 诉求人's name and phone. Others see them masked.
PERSONAL_DATA_ROLES = frozenset({Role.INTAKE, Role.DISPATCHER, Role.HANDLER, Role.CALLBACK, Role.SYSTEM})
# The event appended when a case's personal data is anonymised (retention job or a citizen's erasure request).
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


def sees_personal_data(user: User, case: Case | None) -> bool:
    """Whether this user's work on this case needs the citizen's personal data unmasked.

    A handler needs it only while its department has an ACTIVE assignment: a department whose share was withdrawn
    (退单 approved, re-dispatched elsewhere) keeps seeing the case as history, masked, and can't act on it.
    `case=None` asks about the role alone (e.g. the Excel export, which then decides per row)."""
    if user.role not in PERSONAL_DATA_ROLES:
        return False
    if user.role == Role.HANDLER and case is not None:
        if not user.department_id:
            return False
        return Assignment.objects.filter(case=case, department_id=user.department_id, active=True).exists()
    return True


def personal_data_cases(user: User) -> Q | None:
    """The cases (as a filter) on which `sees_personal_data` holds for this user: Q() for all of them, None for none."""
    if user.role not in PERSONAL_DATA_ROLES:
        return None
    if user.role == Role.HANDLER:
        if not user.department_id:
            return None
        return Q(pk__in=Assignment.objects.filter(department_id=user.department_id, active=True).values("case_id"))
    return Q()


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
# 18-digit 身份证 (the last character may be X): the region code (6) and the last four stay, the birth date goes.
_ID_CARD_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")


def mask_text(text: str, *, citizen_name: str = "", citizen_phone: str = "") -> str:
    """Free text (title, content) for roles without need: ID-card numbers, phones, house numbers and the citizen's
    name go; so does the citizen's phone exactly as stored (e.g. "021-6248 1234" that the patterns miss).

    Hotline texts often repeat the address and sometimes a phone number, so masking the fields alone leaks."""
    if not text:
        return text
    if citizen_phone and len(re.sub(r"\D", "", citizen_phone)) >= 5:
        text = text.replace(citizen_phone, mask_phone(citizen_phone))
    text = _ID_CARD_IN_TEXT.sub(lambda m: f"{m.group(1)}********{m.group(2)[-4:]}", text)
    text = _MOBILE_IN_TEXT.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
    text = _LANDLINE_IN_TEXT.sub("****", text)
    text = HOUSE_NUMBER.sub(lambda m: "x" * min(len(m.group()), 2), text)
    if len(citizen_name) >= 2:
        text = text.replace(citizen_name, mask_name(citizen_name))
    return text


def mask_value(value: Any, *, citizen_name: str = "", citizen_phone: str = "") -> Any:
    """`mask_text` applied to every string in a value, walking dicts (values), lists and tuples recursively."""
    if isinstance(value, str):
        return mask_text(value, citizen_name=citizen_name, citizen_phone=citizen_phone)
    if isinstance(value, dict):
        return {k: mask_value(v, citizen_name=citizen_name, citizen_phone=citizen_phone) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(mask_value(v, citizen_name=citizen_name, citizen_phone=citizen_phone) for v in value)
    return value


class CaseMasker:
    """THE one way a text about a case reaches a reader: `masker(value)` returns it as this user may read it.

    Title, content, handling result, event notes and payloads, request reasons, 协办 reports, attachment names,
    related cases' titles: every selector passes them through here, so no field can be forgotten one at a time.
    `masked` says whether anything is masked; `force=True` masks for everyone (an anonymised case)."""

    def __init__(self, user: User | None, case: Case, *, force: bool = False):
        self.case = case
        self.masked = force or user is None or not sees_personal_data(user, case)

    def __call__(self, value: Any) -> Any:
        if not self.masked:
            return value
        return mask_value(value, citizen_name=self.case.citizen_name, citizen_phone=self.case.citizen_phone)

    def hides_something(self, value: Any) -> bool:
        """Whether masking would change this value: showing it unmasked shows personal data (worth an audit entry)."""
        return mask_value(value, citizen_name=self.case.citizen_name, citizen_phone=self.case.citizen_phone) != value


def mask_for(user: User | None, case: Case, value: Any) -> Any:
    return CaseMasker(user, case)(value)


# Said of a person in Chinese complaint texts: 居民张三丰 / 市民李某 / 王先生 / 赵阿姨 / 姓名:钱多多.
_NAMED_PERSON = re.compile(
    r"(?:(?<=居民)|(?<=市民)|(?<=业主)|(?<=租户)|(?<=住户)|(?<=来电人)|(?<=诉求人)|(?<=反映人)|(?<=联系人)|(?<=姓名[::])"
    r"|(?<=姓名))[\u4e00-\u9fff]{2,3}"
    r"|[\u4e00-\u9fff](?=(?:先生|女士|小姐|阿姨|师傅|老师|大爷|大妈|阿婆|老伯))"
)
# The old 15-digit 身份证 too (mask_text does the 18-digit one everywhere).
_OLD_ID_CARD_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{15}(?![0-9A-Za-z])")


def mask_public_text(text: str, *, citizen_name: str = "") -> str:
    """A text anyone may read (the public Open311 feed): `mask_text`, plus ID-card numbers and the names that
    Chinese texts announce (居民X, X先生, 姓名:X) even when they are not the case's citizen."""
    if not text:
        return text
    text = _OLD_ID_CARD_IN_TEXT.sub(lambda m: f"{m.group()[:6]}*****{m.group()[-4:]}", text)
    text = mask_text(text, citizen_name=citizen_name)
    return _NAMED_PERSON.sub(lambda m: "*" * len(m.group()), text)
