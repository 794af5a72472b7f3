"""Personal data of 诉求人 under PIPL: revealing it on a stated reason, anonymising it when the retention period
has passed, and a citizen's requests to export or erase it.

The personal data lives on the Case row (citizen_name, citizen_phone, the house number in address, and whatever
the citizen said in title/content/handling_result). Anonymising rewrites those fields in place and appends an
"anonymise" CaseEvent; existing events are never touched (they are append-only, and DB triggers refuse updates).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from audit.models import AuditEntry
from audit.services import audit_record
from cases import policy
from cases.models import FINISHED_STATES, Case, CaseEvent
from cases.selectors import PersonalData
from cases.services import case_anonymise, validate_phone
from cases.transitions import ANONYMISE_EVENT
from core import clock
from core.errors import Conflict, PermissionDenied, TransitionNotAllowed, ValidationFailed
from org.models import User
from org.roles import PIPL_ROLES
from org.services import system_user

# Closed for good: a merged duplicate is closed with its master's number on it.
MIN_REASON_LENGTH = 4


def _reason(reason: str, label: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ValidationFailed(f"请填写{label}(至少 {MIN_REASON_LENGTH} 个字)", details={"field": "reason"})
    return reason


# --- revealing one case's personal data ------------------------------------------------------------------------


def case_unmask(*, actor: User, case: Case, reason: str, request: HttpRequest | None = None) -> PersonalData:
    """查看完整信息: a role that sees the case masked reveals its personal data, once, stating why; audited with
    the reason. `case` must come from a selector that applied the actor's scope."""
    if actor.role not in policy.UNMASK_ROLES:
        raise PermissionDenied(f"您的角色({actor.get_role_display()})不能查看诉求人完整信息")
    reason = _reason(reason, "查看理由")
    audit_record(action=AuditEntry.Action.VIEW_PERSONAL_DATA, actor=actor, request=request, object_type="case",
                 object_id=case.number, detail={"unmask": True, "reason": reason})
    return PersonalData(case.citizen_name, case.citizen_phone, case.address, masked=False, title=case.title,
                        content=case.content, handling_result=case.handling_result)


# --- anonymising ---------------------------------------------------------------------------------------------------

_MASKED_PHONE = re.compile(r"\d{3}\*{4}\d{4}")


def anonymise_text(text: str, *, citizen_name: str = "") -> str:
    """Free text with the citizen's name, phones and house numbers gone for good (masking keeps the surname and
    the phone's ends, which is fine for display but not for anonymisation)."""
    if not text:
        return text
    if len(citizen_name) >= 2:
        text = text.replace(citizen_name, "某某")
    return _MASKED_PHONE.sub("****", policy.mask_text(text))


def _not_anonymised(qs: QuerySet[Case]) -> QuerySet[Case]:
    return qs.exclude(Exists(CaseEvent.objects.filter(case=OuterRef("pk"), action=ANONYMISE_EVENT)))


def _scrubbed(case: Case) -> dict[str, str]:
    name = case.citizen_name
    return {"citizen_name": "", "citizen_phone": "", "address": policy.mask_address(case.address),
            "title": anonymise_text(case.title, citizen_name=name)[:120],
            "content": anonymise_text(case.content, citizen_name=name),
            "handling_result": anonymise_text(case.handling_result, citizen_name=name)}


def _anonymise(case_id: int, *, basis: str, note: str) -> bool:
    """Anonymise one finished case in its own transaction; False if it is no longer finished or already done."""
    case = Case.objects.filter(pk=case_id).first()
    if case is None:
        return False
    try:
        case_anonymise(actor=system_user(), case=case, scrub=_scrubbed, note=note, basis=basis)
    except (TransitionNotAllowed, Conflict):
        return False  # closed cases only, once: the table's row refuses anything else (under the row lock)
    return True


def expired_cases(*, now=None, days: int | None = None) -> QuerySet[Case]:
    """Finished cases closed more than the retention period ago whose personal data is still there."""
    days = settings.PERSONAL_DATA_RETENTION_DAYS if days is None else days
    cutoff = (now or clock.now()) - timedelta(days=days)
    return _not_anonymised(Case.objects.filter(state__in=FINISHED_STATES, closed_at__lt=cutoff))


def personal_data_anonymise_expired(*, now=None, days: int | None = None, dry_run: bool = False) -> list[str]:
    """The retention job: anonymise every case past the retention period; one audit entry for the run.
    Returns the case numbers (that would be) anonymised."""
    days = settings.PERSONAL_DATA_RETENTION_DAYS if days is None else days
    candidates = list(expired_cases(now=now, days=days).order_by("closed_at", "pk").values_list("pk", "number"))
    if dry_run:
        return [number for _, number in candidates]
    done = [number for pk, number in candidates
            if _anonymise(pk, basis="retention", note=f"结案超过 {days} 天,诉求人个人信息已按保存期限匿名化")]
    if done:
        audit_record(action=AuditEntry.Action.ANONYMISE, actor=system_user(), object_type="retention",
                     object_id=f"{len(done)} cases", detail={"days": days, "cases": done})
    return done


# --- a citizen's requests (PIPL art. 45, 47) ---------------------------------------------------------------------


def _check_pipl_actor(actor: User) -> None:
    if actor.role not in PIPL_ROLES:
        raise PermissionDenied("只有管理员可以办理个人信息查询、导出和删除申请")


def citizen_cases(*, actor: User, phone: str) -> QuerySet[Case]:
    """Every case whose 诉求人 phone is this one (the phone is how a citizen is identified across cases)."""
    _check_pipl_actor(actor)
    compact = validate_phone(phone)
    if not compact:
        raise ValidationFailed("请填写诉求人手机号或电话", details={"field": "phone"})
    return Case.objects.filter(citizen_phone=compact).select_related("category__parent").order_by("registered_at", "pk")


def citizen_lookup(*, actor: User, phone: str, reason: str, request: HttpRequest | None = None) -> list[Case]:
    """查找: which cases a phone has is itself personal data, so the desk's search states its basis and is audited
    (masked phone, how many cases were found, the basis)."""
    reason = _reason(reason, "查询依据")
    cases = list(citizen_cases(actor=actor, phone=phone))
    audit_record(action=AuditEntry.Action.VIEW_PERSONAL_DATA, actor=actor, request=request, object_type="citizen",
                 object_id=policy.mask_phone(phone), detail={"reason": reason, "found": len(cases), "pipl": "lookup"})
    return cases


@dataclass(frozen=True)
class CitizenExport:
    phone: str
    cases: list[dict[str, Any]]
    # 社区底册: the persons registered with the phone, each with households, capacities, case links, changes.
    persons: list[dict[str, Any]] = field(default_factory=list)


def citizen_data_export(*, actor: User, phone: str, reason: str, request: HttpRequest | None = None) -> CitizenExport:
    """A citizen's copy of their data: every case with what they said and what was done, and what the 社区底册
    holds on the persons registered with the phone; audited."""
    from . import registry_data

    reason = _reason(reason, "申请依据")
    cases = list(citizen_cases(actor=actor, phone=phone).prefetch_related("events"))
    rows = []
    for case in cases:
        rows.append({
            "number": case.number, "registered_at": timezone.localtime(case.registered_at).isoformat(),
            "source": case.get_source_display(), "category": str(case.category or ""), "title": case.title,
            "content": case.content, "address": case.address, "citizen_name": case.citizen_name,
            "citizen_phone": case.citizen_phone, "state": case.get_state_display(),
            "handling_result": case.handling_result,
            "satisfaction": case.get_satisfaction_display() if case.satisfaction else "",
            "closed_at": timezone.localtime(case.closed_at).isoformat() if case.closed_at else None,
            "events": [{"at": timezone.localtime(e.at).isoformat(), "action": e.action, "note": e.note}
                       for e in sorted(case.events.all(), key=lambda e: (e.at, e.pk))],
        })
    persons = [registry_data.person_export(p) for p in registry_data.citizen_persons(validate_phone(phone))]
    audit_record(action=AuditEntry.Action.EXPORT, actor=actor, request=request, object_type="citizen",
                 object_id=policy.mask_phone(phone),
                 detail={"reason": reason, "cases": [r["number"] for r in rows], "pipl": "export",
                         "registry_persons": [p["id"] for p in persons]})
    return CitizenExport(phone=validate_phone(phone), cases=rows, persons=persons)


@dataclass(frozen=True)
class ErasureResult:
    erased: list[str]
    kept_open: list[str]
    persons: list[int] = field(default_factory=list)  # 社区底册 persons anonymised


def citizen_data_erase(*, actor: User, phone: str, reason: str, request: HttpRequest | None = None) -> ErasureResult:
    """删除: anonymise the citizen's finished cases now, whatever their age. Open cases are kept (the centre still
    has to reach the citizen) and listed, so the request can be repeated once they are closed. The persons the
    社区底册 holds with the phone are anonymised (registry.retention.person_anonymise, one ChangeRecord each)."""
    from . import registry_data

    reason = _reason(reason, "删除依据")
    cases = list(citizen_cases(actor=actor, phone=phone).values_list("pk", "number", "state"))
    erased, kept = [], []
    for pk, number, state in cases:
        if state not in FINISHED_STATES:
            kept.append(number)
        elif _anonymise(pk, basis="request", note=f"依诉求人申请删除个人信息:{reason}"):
            erased.append(number)
    persons = registry_data.persons_anonymise(
        actor=actor, persons=registry_data.citizen_persons(validate_phone(phone)), reason=reason)
    audit_record(action=AuditEntry.Action.ANONYMISE, actor=actor, request=request, object_type="citizen",
                 object_id=policy.mask_phone(phone),
                 detail={"reason": reason, "erased": erased, "kept_open": kept, "pipl": "erase",
                         "registry_persons": persons})
    return ErasureResult(erased=erased, kept_open=kept, persons=persons)
