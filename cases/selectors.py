"""Reads on cases. Every selector takes the acting user first and applies scope and masking here, once."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db.models import CharField, F, Q, QuerySet, Value
from django.utils import timezone

from core import clock
from core.errors import NotFound
from org.models import User

from . import policy
from .models import DEADLINE_STATES, Attachment, Case, CaseEvent, Request
from .transitions import ANONYMISE_EVENT, CaseFacts, Transition, actions_from


@dataclass
class CaseFilters:
    q: str = ""
    state: str = ""
    source: str = ""
    category: int | None = None
    neighbourhood: int | None = None
    department: int | None = None
    overdue: bool = False
    registered_from: date | None = None
    registered_to: date | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def case_list(user: User, filters: CaseFilters | None = None) -> QuerySet[Case]:
    filters = filters or CaseFilters()
    qs = policy.visible_cases(user).select_related("category__parent", "neighbourhood", "lead_department", "grid")
    if filters.q:
        qs = _search(user, qs, filters.q.strip())
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.category:
        qs = qs.filter(Q(category_id=filters.category) | Q(category__parent_id=filters.category))
    if filters.neighbourhood:
        qs = qs.filter(neighbourhood_id=filters.neighbourhood)
    if filters.department:
        qs = qs.filter(assignments__department_id=filters.department, assignments__active=True).distinct()
    if filters.overdue:
        qs = qs.filter(is_overdue=True)
    tz = timezone.get_current_timezone()
    if filters.registered_from:
        qs = qs.filter(registered_at__gte=datetime.combine(filters.registered_from, time.min, tz))
    if filters.registered_to:
        qs = qs.filter(registered_at__lt=datetime.combine(filters.registered_to, time.max, tz))
    return qs.order_by("-registered_at", "-id")


def search_cases(user: User, qs: QuerySet[Case], q: str) -> QuerySet[Case]:
    """The case list's search on another queryset of cases (a work queue), as safe against de-masking."""
    return _search(user, qs, q)


def _search(user: User, qs: QuerySet[Case], q: str) -> QuerySet[Case]:
    """Search that can't be used to de-anonymise: on cases whose personal data the user sees masked, a term never
    matches what masking hides.

    - Roles (and handlers on cases of their active assignments) that see the data unmasked: number, 热线工单号,
      address, title, content and the citizen's phone.
    - Masked: a term containing any digit matches only the case number and the 热线工单号 (the digits of phones,
      ID numbers and house numbers in the address and texts are what mask_text hides); a term without digits also
      matches address, title and content, but never a case whose citizen's name contains the term or is contained
      in it (mask_text hides the name in the texts, so 张建国 must not find the case whose title names 张建国).
    """
    numbers = Q(number__icontains=q) | Q(hotline_number__icontains=q)
    full = numbers | Q(address__icontains=q) | Q(title__icontains=q) | Q(content__icontains=q) | Q(
        citizen_phone__contains=q)
    masked = numbers
    if not re.search(r"\d", q):
        qs = qs.annotate(_search_term=Value(q, output_field=CharField()))
        text = Q(address__icontains=q) | Q(title__icontains=q) | Q(content__icontains=q)
        name_hidden = Q(citizen_name__contains=q) | (~Q(citizen_name="") & Q(_search_term__contains=F("citizen_name")))
        masked = numbers | (text & ~name_hidden)
    unmasked_cases = policy.personal_data_cases(user)
    if unmasked_cases is None:
        return qs.filter(masked)
    if not unmasked_cases:  # Q(): every case unmasked
        return qs.filter(full)
    return qs.filter((unmasked_cases & full) | (~unmasked_cases & masked))


def case_get(user: User, pk: int | str) -> Case:
    """The case if the user may see it; 404 otherwise, so out-of-scope cases don't reveal they exist."""
    lookup = Q(number=pk) if isinstance(pk, str) and not pk.isdigit() else Q(pk=int(pk))
    case = (
        policy.visible_cases(user)
        .select_related("category__parent", "neighbourhood", "grid", "estate", "lead_department", "created_by",
                        "master")
        .filter(lookup)
        .first()
    )
    if case is None:
        raise NotFound("工单不存在或不在您的权限范围内")
    return case


def case_attachment(user: User, case_ref: int | str, attachment_id: int) -> Attachment:
    case = case_get(user, case_ref)
    attachment = case.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound("附件不存在")
    attachment.original_name = case_masker(user, case)(attachment.original_name)  # the download's file name
    return attachment


def case_masker(user: User, case: Case) -> policy.CaseMasker:
    """The masker for every text of this case the user reads; an anonymised case is masked for everyone."""
    anonymised = case.events.filter(action=ANONYMISE_EVENT).exists()
    return policy.CaseMasker(user, case, force=anonymised)


def case_events(user: User, case: Case, *, request=None) -> list[CaseEvent]:
    """The timeline with each event's note and payload (every string in it: 退单 reasons, contact outcomes, results,
    回访 remarks…) masked like the case. Unmasked notes/payloads holding personal data are audited (one entry)."""
    events = list(case.events.select_related("actor").prefetch_related("attachments").order_by("at", "id"))
    # After anonymisation the events still hold what was written then: shown masked to everyone.
    anonymised = any(event.action == ANONYMISE_EVENT for event in events)
    masker = policy.CaseMasker(user, case, force=anonymised)
    if masker.masked:
        for event in events:  # in memory only: events are append-only and never saved again
            event.note = masker(event.note)
            event.payload = masker(event.payload)
            for attachment in event.attachments.all():
                attachment.original_name = masker(attachment.original_name)
    elif request is not None and any(masker.hides_something([e.note, e.payload]) for e in events):
        _audit_view(user, request, object_type="case_events", object_id=case.number)
    return events


def round_first_contacts(events: list[CaseEvent]) -> list[CaseEvent]:
    """The handler's 先联 of the current round (since the last 派单/重办) and, under 双回访, the department's own
    回访, for the callback form: the operator asks the citizen about them. From the already masked timeline."""
    start = max((i for i, e in enumerate(events) if e.action in ("dispatch", "reopen")), default=-1)
    return [e for e in events[start + 1:] if e.action in ("record_first_contact", "handler_callback")]


def _audit_view(user: User, request, *, object_type: str, object_id: str, detail: dict | None = None) -> None:
    from audit.models import AuditEntry
    from audit.services import audit_record

    audit_record(action=AuditEntry.Action.VIEW_PERSONAL_DATA, actor=user, request=request, object_type=object_type,
                 object_id=object_id, **({"detail": detail} if detail else {}))


def case_texts(user: User, case: Case, masker: policy.CaseMasker | None = None) -> dict[str, list]:
    """Pending 退单/延期 requests, assignments (协办 reports) and attachments of the case, their texts masked."""
    masker = masker or case_masker(user, case)
    pending = list(case.requests.filter(status=Request.Status.PENDING).select_related("department", "requested_by"))
    for item in pending:
        item.reason = masker(item.reason)
    assignments = list(case.assignments.select_related("department").order_by("-active", "role", "assigned_at"))
    for assignment in assignments:
        assignment.report = masker(assignment.report)
    return {"pending_requests": pending, "assignments": assignments, "attachments": case_attachments(user, case, masker)}


def case_attachments(user: User, case: Case, masker: policy.CaseMasker | None = None) -> list[Attachment]:
    """The case's attachments, their file names masked (a photo named after the phone number…; the note is the event's)."""
    masker = masker or case_masker(user, case)
    attachments = list(case.attachments.order_by("uploaded_at", "id"))
    for attachment in attachments:
        attachment.original_name = masker(attachment.original_name)
    return attachments


def request_reason_for(user: User, item: Request) -> str:
    """A 退单/延期 request's reason as the queue shows it to this user."""
    return policy.mask_for(user, item.case, item.reason)


def audit_list_view(user: User, request, cases, *, object_type: str) -> bool:
    """List views are not audited row by row (a handler's list is its work queue); one entry per page view that
    shows personal data unmasked, naming the cases whose shown title would have been masked."""
    shown = [c.number for c in cases if not getattr(c, "display_title_masked", True)
             and policy.CaseMasker(None, c).hides_something(c.display_title)]
    audit_cases_shown(user, request, shown, object_type=object_type)
    return bool(shown)


def audit_cases_shown(user: User, request, numbers: list[str], *, object_type: str) -> None:
    """One 查看个人信息 entry for a page of cases: all numbers in the detail, the first (and how many) as the object
    (`AuditEntry.object_id` holds 64 characters)."""
    if numbers:
        label = numbers[0] if len(numbers) == 1 else f"{numbers[0]} 等 {len(numbers)} 件"
        _audit_view(user, request, object_type=object_type, object_id=label[:64], detail={"cases": numbers})


def case_available_actions(user: User, case: Case, *, with_guards: bool = True) -> list[Transition]:
    """The transitions this user may take on this case now: role, state, scope and (unless with_guards=False)
    the services' guards allow them. Without guards, a forced request reaches the service and gets its 409."""
    candidates = [tr for tr in actions_from(case.state, user.role) if policy.scope_allows(user, case, tr)]
    if not candidates or not with_guards:
        return candidates
    # The table's guards, the same the write path checks under the row lock: no button that would be refused.
    facts = CaseFacts(case)
    return [tr for tr in candidates if tr.refusal(facts) is None]


@dataclass(frozen=True)
class PersonalData:
    citizen_name: str
    citizen_phone: str
    address: str
    masked: bool
    title: str = ""
    content: str = ""
    handling_result: str = ""


def case_personal_data(user: User, case: Case, *, request=None) -> PersonalData:
    """Name, phone and address as this user may see them; every unmasked view is written to the audit log."""
    if policy.sees_personal_data(user, case):
        if case.citizen_name or case.citizen_phone:
            _audit_view(user, request, object_type="case", object_id=case.number)
        return PersonalData(case.citizen_name, case.citizen_phone, case.address, masked=False, title=case.title,
                            content=case.content, handling_result=case.handling_result)
    return masked_personal_data(case)


def masked_personal_data(case: Case) -> PersonalData:
    masker = policy.CaseMasker(None, case)
    return PersonalData(
        policy.mask_name(case.citizen_name), policy.mask_phone(case.citizen_phone), policy.mask_address(case.address),
        masked=True, title=masker(case.title), content=masker(case.content),
        handling_result=masker(case.handling_result),
    )


def case_title_for(user: User, case: Case) -> str:
    """The title as a list shows it: unmasked only for roles whose work on this case needs the personal data.
    Sets `case.display_title_masked` for audit_list_view."""
    masker = policy.CaseMasker(user, case)
    case.display_title_masked = masker.masked
    return masker(case.title)


def deadline_status(case: Case) -> str:
    """'overdue', 'near' (within one working day) or 'ok' for the open case's current deadline."""
    from workdays.calendar import add_working_days

    if case.state not in DEADLINE_STATES:
        return ""
    deadline = case.handle_deadline
    if deadline is None:
        return ""
    now = clock.now()
    if case.is_overdue or deadline < now:
        return "overdue"
    return "near" if add_working_days(now, 1) >= deadline else "ok"


def case_related(user: User, case: Case, *, limit: int = 10, request=None) -> dict[str, list[Case]]:
    """Duplicates merged into this case, its master, and other cases at the same address (the user's scope only)."""
    visible = policy.visible_cases(user)
    same_address: list[Case] = []
    if case.address:
        same_address = list(
            visible.filter(address=case.address).exclude(pk=case.pk).order_by("-registered_at")[:limit]
        )
    for other in same_address:
        other.display_title = case_title_for(user, other)
    if request is not None:
        audit_list_view(user, request, same_address, object_type="case_related")
    return {
        "duplicates": list(visible.filter(master=case).order_by("registered_at")[:limit]),
        "master": list(visible.filter(pk=case.master_id)) if case.master_id else [],
        "same_address": same_address,
    }
