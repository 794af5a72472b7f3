"""Supervising open cases: 督办 and its reply, 催单, 合并, 挂账 and 恢复, 核查, sensor readings, 超时."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from core import clock
from core.errors import ValidationFailed
from org.models import User

from ..models import (
    OPEN_STATES,
    Assignment,
    Case,
    CaseEvent,
)
from ..transitions import require_fields
from .engine import iso_or_none, perform

# --- 督办, 催单, 合并, 挂账, 超时 --------------------------------------------------------------------


def case_urge(*, actor: User, case: Case, note: str) -> Case:
    """督办: a leader or the centre presses a department; the department must respond."""
    note = require_fields("urge", note=note)["note"]

    def change(c: Case) -> None:
        c.urge_count += 1

    perform(actor=actor, case=case, action="urge", note=note, change=change)
    return case


def case_respond_urge(*, actor: User, case: Case, note: str) -> CaseEvent:
    note = require_fields("respond_urge", note=note)["note"]
    return perform(actor=actor, case=case, action="respond_urge", note=note)


def case_chase(*, actor: User, case: Case, note: str = "", hotline_number: str = "") -> Case:
    """催单: the citizen chased again; counted and linked to the case."""

    def change(c: Case) -> None:
        c.chase_count += 1

    perform(actor=actor, case=case, action="chase", note=note, change=change,
             payload={"hotline_number": hotline_number})
    return case


def case_merge(*, actor: User, case: Case, master: Case, note: str = "") -> Case:
    """合并重复件: the duplicate ends as 已合并 and points at its open master case."""
    if master.pk == case.pk:
        raise ValidationFailed("不能把工单合并到自身", details={"field": "master"})
    master = Case.objects.get(pk=master.pk)
    if master.state not in OPEN_STATES or master.master_id:
        raise ValidationFailed("主工单须为未结案且未被合并的工单", details={"field": "master"})

    def change(c: Case) -> None:
        if c.duplicates.exists():
            raise ValidationFailed("该工单已有重复件并入,请把其他工单合并到它", details={"field": "master"})
        c.master = master
        c.closed_at = clock.now()
        Assignment.objects.filter(case=c, active=True).update(active=False)
        # Its pending 退单/延期 requests end as 已失效 in the engine (cases.transitions.requests_ending_in).

    perform(actor=actor, case=case, action="merge", note=note, change=change, payload={"master": master.number})
    return case


def case_suspend(*, actor: User, case: Case, plan: str, review_date: date) -> Case:
    """挂账: a long-term hard case with a plan and a review date."""
    plan = require_fields("suspend", plan=plan)["plan"]
    # Today in Shanghai: clock.now() is UTC outside tests, and before 08:00 its date is still yesterday's.
    if review_date is None or review_date <= timezone.localdate(clock.now()):
        raise ValidationFailed("复查日期须晚于今天", details={"field": "review_date"})

    def change(c: Case) -> None:
        c.suspended_review_date = review_date

    perform(actor=actor, case=case, action="suspend", note=plan, change=change,
             payload={"review_date": review_date.isoformat()})
    return case


def case_resume(*, actor: User, case: Case, note: str = "") -> Case:
    def change(c: Case) -> None:
        c.suspended_review_date = None

    perform(actor=actor, case=case, action="resume", note=note, change=change)
    return case


def case_verify(*, actor: User, case: Case, fixed: bool, note: str) -> CaseEvent:
    """现场核查: a 网格员 or 居委干部 checks the fix on site; the callback operator sees the finding."""
    return perform(actor=actor, case=case, action="verify", note=require_fields("verify", note=note)["note"],
                    payload={"fixed": bool(fixed)})


def case_record_sensor(*, actor: User, case: Case, alarm: bool, note: str, payload: dict[str, Any]) -> CaseEvent:
    """A monitored point alarmed again (appended, no new case) or went back to normal."""
    return perform(actor=actor, case=case, action="sensor_alarm" if alarm else "sensor_normal", note=note,
                    payload=payload)


def case_mark_overdue(*, actor: User, case: Case) -> Case:
    def change(c: Case) -> None:
        c.is_overdue = True

    perform(actor=actor, case=case, action="mark_overdue", change=change,
             payload={"handle_deadline": iso_or_none(case.handle_deadline)})
    return case
