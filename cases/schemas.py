"""The API's request and response bodies for cases; the action bodies are also the page forms' fields."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

from .models import CONTENT_MAX_LENGTH, LONG_TEXT_MAX_LENGTH, Source, State, Urgency
from .services import CONTACT_METHODS
from .transitions import EXTENSION_DAYS

# --- cases ----------------------------------------------------------------------------------------------------


class CaseIn(Schema):
    source: Literal[tuple(Source.values)] = Field(
        ..., description="来源:" + "、".join(f"{v}={lbl}" for v, lbl in Source.choices)
    )
    title: str = Field("", max_length=120)
    content: str = Field(..., min_length=1, max_length=CONTENT_MAX_LENGTH)
    category_id: int | None = None
    address: str = Field("", max_length=200)
    latitude: Decimal | None = Field(None, ge=-90, le=90)
    longitude: Decimal | None = Field(None, ge=-180, le=180)
    neighbourhood_id: int | None = None
    grid_id: int | None = None
    citizen_name: str = Field("", max_length=50)
    citizen_phone: str = Field("", max_length=30)
    urgency: Literal[tuple(Urgency.values)] = Urgency.NORMAL
    hotline_number: str = Field("", max_length=40)


class CaseOut(Schema):
    id: int
    number: str
    source: str
    source_label: str
    hotline_number: str
    title: str
    content: str
    category_id: int | None
    category: str | None
    address: str
    neighbourhood: str | None
    grid: str | None
    citizen_name: str
    citizen_phone: str
    personal_data_masked: bool
    urgency: str
    state: str
    state_label: str
    version: int
    lead_department: str | None
    co_departments: list[str]
    registered_at: datetime
    dispatched_at: datetime | None
    signed_at: datetime | None
    first_contact_at: datetime | None
    handled_at: datetime | None
    closed_at: datetime | None
    sign_deadline: datetime | None
    first_contact_deadline: datetime | None
    handle_deadline: datetime | None
    is_overdue: bool
    urge_count: int
    chase_count: int
    reopen_count: int
    satisfaction: str
    master_number: str | None
    available_actions: list[str]


class EventOut(Schema):
    id: int
    action: str
    action_label: str
    actor: str
    at: datetime
    from_state: str
    to_state: str
    note: str
    payload: dict[str, Any]


class CasePage(Schema):
    count: int
    limit: int
    offset: int
    results: list[CaseOut]


class CaseListQuery(Schema):
    q: str = ""
    state: Literal[tuple(State.values)] | None = None
    source: Literal[tuple(Source.values)] | None = None
    category_id: int | None = None
    neighbourhood_id: int | None = None
    department_id: int | None = None
    overdue: bool = False
    registered_from: date | None = None
    registered_to: date | None = None
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000_000)


# --- the bodies of the lifecycle actions -----------------------------------------------------------------

LongText = Field("", max_length=LONG_TEXT_MAX_LENGTH)


class Versioned(Schema):
    version: int | None = Field(None, description="乐观锁:传入读取时的 version,若已被他人更新则返回 409")


class DispatchIn(Versioned):
    lead_department_id: int
    co_department_ids: list[int] = []
    category_id: int | None = None
    note: str = LongText


class NoteIn(Schema):
    note: str = LongText


class ReasonIn(Schema):
    reason: str = LongText


class FirstContactIn(Schema):
    method: Literal[tuple(CONTACT_METHODS)]
    outcome: str = Field(..., max_length=LONG_TEXT_MAX_LENGTH)
    contacted_at: datetime | None = None


class ExtensionIn(Schema):
    reason: str
    extra_days: int = Field(..., ge=EXTENSION_DAYS.low, le=EXTENSION_DAYS.high)


class FinishIn(Schema):
    result: str = Field(..., max_length=LONG_TEXT_MAX_LENGTH)
    demand_met: bool = True
    explanation: str = LongText


class CallbackIn(Schema):
    satisfaction: Literal["satisfied", "basically", "unsatisfied"]
    # Required answers (the lifecycle table's `choice` rules): a missing one is 422 "请选择…", never a silent 否.
    solved: bool | None = Field(None, description="问题是否已实际解决(必填 true/false)")
    first_contacted: bool | None = Field(None, description="处置人是否曾先行联系(必填 true/false)")
    remarks: str = ""


class HandlerCallbackIn(Schema):
    """双回访: the handling department's own call after 办结 (recorded; the centre's 回访 is the one that counts)."""
    satisfaction: Literal["satisfied", "basically", "unsatisfied"]
    solved: bool | None = Field(None, description="问题是否已实际解决(必填 true/false)")
    remarks: str = ""


class ReopenIn(Schema):
    reason: str
    lead_department_id: int | None = None
    co_department_ids: list[int] = []


class ChaseIn(Schema):
    note: str = ""
    hotline_number: str = ""


class MergeIn(Schema):
    master: str = Field(..., description="主工单的编号或 id")
    note: str = ""


class VerifyIn(Schema):
    fixed: bool = False
    note: str = Field(..., max_length=LONG_TEXT_MAX_LENGTH)


class SuspendIn(Schema):
    plan: str = Field(..., max_length=LONG_TEXT_MAX_LENGTH)
    review_date: date


# --- attachments ----------------------------------------------------------------------------------------------


class AttachmentOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int
    uploaded_at: datetime
    event_id: int | None
