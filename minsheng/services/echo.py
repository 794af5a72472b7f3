"""回音: telling each household whose needs a 十大民生 project answers that it reached a milestone or ended, and the
callbacks of a random sample of them. A household is told once per project and milestone (sending twice tells nobody
twice); the text goes through the pluggable SMS channel after the transaction commits and shows on the resident's
phone page (minsheng/sections.py)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db import transaction

from core import clock
from core.errors import Conflict, PermissionDenied, ValidationFailed
from core.text import has_illegal
from minqing import policy
from minqing.models import Need
from notifications import channels
from org.models import Role, User
from registry.models import Membership, Person, Relation

from ..models import Echo, EchoCallback, Milestone, Project, ProjectStatus
from .projects import project_event

SAMPLE_SHARE = 0.10
CALLBACK_ROLES = frozenset({Role.CALLBACK, Role.ADMIN, Role.DISPATCHER, Role.SYSTEM})
NEED_QUOTE = 24


@dataclass
class EchoResult:
    sent: int
    already: int
    sampled: int
    without_phone: int


def contact_person(need: Need) -> Person | None:
    """Whom to tell: the person who raised the need, else the household's head (current membership)."""
    if need.person_id:
        return need.person
    membership = (Membership.objects.filter(household_id=need.household_id, relation=Relation.HEAD,
                                            ended_at__isnull=True).select_related("person").first())
    return membership.person if membership else None


def echo_text(project: Project, milestone: Milestone | None, need: Need) -> str:
    quote = need.text.strip().replace("\n", " ")
    if len(quote) > NEED_QUOTE:
        quote = quote[:NEED_QUOTE] + "…"
    if milestone is not None:
        progress = f"“{milestone.title}”已于{milestone.done_on:%Y年%m月%d日}完成"
    else:
        progress = "项目已完成"
    text = (f"您反映的“{quote}”已纳入{project.year}年十大民生项目“{project.title}”,"
            f"目前进展:{progress}(总体进度{project.progress}%)。感谢您的支持!")
    return text[:300]


def sample_size(count: int) -> int:
    return 0 if count == 0 else max(1, round(count * SAMPLE_SHARE))


def echo_send(*, actor: User, project: Project, milestone: Milestone | None = None) -> EchoResult:
    """回音 for a completed milestone (or, without one, for the finished project): one Echo per household."""
    policy.check_role(actor, policy.PROJECT_ROLES, "发送民生回音")
    project = Project.objects.get(pk=project.pk)  # its status as stored, not as the caller last saw it
    if milestone is not None:
        milestone = Milestone.objects.get(pk=milestone.pk)
        if milestone.project_id != project.pk:
            raise ValidationFailed("该节点不属于本项目", details={"field": "milestone"})
        if milestone.done_on is None:
            raise Conflict(f"节点“{milestone.title}”尚未完成,不能发送回音", code="milestone_open")
    elif project.status != ProjectStatus.DONE:
        raise Conflict("项目尚未完成:请选择一个已完成的节点发送回音", code="project_open")
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)  # one sender at a time per project
        told = set(Echo.objects.filter(project=project, milestone=milestone).values_list("household_id", flat=True))
        needs = (project.needs.filter(household__isnull=False).select_related("person", "household")
                 .order_by("raised_on", "pk"))
        now = clock.now()
        created: list[Echo] = []
        outbox: list[tuple[str, str]] = []
        already = without_phone = 0
        seen: set[int] = set()
        for need in needs:
            if need.household_id in seen:
                continue
            seen.add(need.household_id)
            if need.household_id in told:
                already += 1
                continue
            person = contact_person(need)
            text = echo_text(project, milestone, need)
            echo = Echo.objects.create(project=project, milestone=milestone, household_id=need.household_id,
                                       person=person, need=need, text=text, sent_at=now, sent_by=actor,
                                       channel="sms" if person and person.phone else "page")
            created.append(echo)
            if person and person.phone:
                outbox.append((person.phone, text))
            else:
                without_phone += 1
        seed = f"echo-{project.pk}-{milestone.pk if milestone else 'done'}"
        chosen = random.Random(seed).sample(created, sample_size(len(created))) if created else []
        if chosen:
            Echo.objects.filter(pk__in=[e.pk for e in chosen]).update(in_callback_sample=True)
        project_event(project=project, action="echo", actor=actor, changes={
            "milestone": milestone.pk if milestone else None, "sent": len(created), "already": already,
            "sampled": len(chosen), "without_phone": without_phone})
        for phone, text in outbox:
            transaction.on_commit(lambda phone=phone, text=text: channels.sms_send(phone, text))
    return EchoResult(sent=len(created), already=already, sampled=len(chosen), without_phone=without_phone)


def echo_callback_record(*, actor: User, echo: Echo, satisfaction: str, remarks: str = "") -> EchoCallback:
    """回访: the satisfaction of a sampled household, once."""
    if actor.role not in CALLBACK_ROLES:
        raise PermissionDenied("您的角色不能登记民生回访")
    if satisfaction not in EchoCallback.Satisfaction.values:
        raise ValidationFailed("请选择满意度", details={"field": "satisfaction"})
    remarks = (remarks or "").strip()
    if has_illegal(remarks):
        raise ValidationFailed("意见含有无法保存的字符", details={"field": "remarks"})
    if len(remarks) > 1000:
        raise ValidationFailed("意见不能超过1000个字", details={"field": "remarks"})
    with transaction.atomic():
        current = Echo.objects.select_for_update().get(pk=echo.pk)
        if not current.in_callback_sample:
            raise Conflict("该户不在回访抽样中", code="not_sampled")
        if EchoCallback.objects.filter(echo=current).exists():
            raise Conflict("该户已回访", code="already_called")
        callback = EchoCallback.objects.create(echo=current, satisfaction=satisfaction, remarks=remarks,
                                               called_at=clock.now(), called_by=actor)
        project_event(project=current.project, action="callback", actor=actor, changes={
            "echo": current.pk, "satisfaction": EchoCallback.Satisfaction(satisfaction).label})
    return callback
