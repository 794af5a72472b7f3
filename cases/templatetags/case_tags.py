"""Template helpers for case pages: state and action labels, the timeline's payload summary, role checks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone

from cases.models import Request, Satisfaction, Source, State
from cases.services import CONTACT_METHODS
from cases.transitions import REQUEST_EXPIRED_EVENT, TRANSITIONS

register = template.Library()


@register.filter
def get_item(mapping: dict, key: str):
    return mapping.get(key)


@register.filter
def state_label(value: str) -> str:
    return State(value).label if value in State.values else "新建"


# Events that are not transitions of the table.
EVENT_LABELS = {"anonymise": "个人信息匿名化", REQUEST_EXPIRED_EVENT: "申请失效"}


@register.filter
def action_label(value: str) -> str:
    return TRANSITIONS[value].label if value in TRANSITIONS else EVENT_LABELS.get(value, value)


@register.filter
def can_do(user, action: str) -> bool:
    """Whether the user's role appears in the transition table for `action` (scope is the service's business)."""
    return bool(getattr(user, "is_authenticated", False)) and user.role in TRANSITIONS[action].roles


def _when(value: Any) -> str:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%Y-%m-%d %H:%M")


def _yes_no(yes: str, no: str):
    return lambda v: yes if v else no


def _names(value: Any) -> str:
    return "、".join(str(v) for v in value) if isinstance(value, (list, tuple)) else str(value)


DEADLINE_WARNINGS = {"overdue": "新期限已过,工单仍为超时", "near": "新期限一个工作日内到期,已提醒处置单位"}

# key → (label, formatter); a None label means the formatted value stands alone.
PAYLOAD_FIELDS: dict[str, tuple[str | None, Any]] = {
    "source": ("来源", lambda v: Source(v).label if v in Source.values else v),
    "place_found": (None, _yes_no("地址已识别到居民区", "地址未识别到居民区")),
    "lead_department": ("主办单位", str),
    "co_departments": ("协办单位", _names),
    "category": ("类别", str),
    "sign_deadline": ("签收期限", _when),
    "handle_deadline": ("办结期限", _when),
    "method": ("联系方式", lambda v: CONTACT_METHODS.get(v, v)),
    "contacted_at": ("联系时间", _when),
    "on_time": (None, lambda v: "按时" if v else "超时"),
    "extra_days": ("申请延期", lambda v: f"{v} 个工作日"),
    "old_deadline": ("原期限", _when),
    "new_deadline": ("新期限", _when),
    "deadline_warning": (None, lambda v: DEADLINE_WARNINGS.get(v, v)),
    "kind": ("申请类型", lambda v: Request.Kind(v).label if v in Request.Kind.values else v),
    "request_reason": ("申请理由", str),
    "returned_by": ("退回单位", str),
    "ended_by": ("因", lambda v: TRANSITIONS[v].label if v in TRANSITIONS else str(v)),
    "demand_met": (None, _yes_no("诉求已满足", "诉求未满足")),
    "explanation": ("原因", str),
    "satisfaction": ("满意度", lambda v: Satisfaction(v).label if v in Satisfaction.values else v),
    "previous_satisfaction": ("上次回访", lambda v: Satisfaction(v).label if v in Satisfaction.values else v),
    "solved": (None, _yes_no("问题已解决", "问题未解决")),
    "first_contacted": (None, _yes_no("处置人曾先行联系", "处置人未先行联系")),
    "informed_duplicates": ("已告知重复件", _names),
    "master": ("并入主工单", str),
    "review_date": ("复查日期", str),
    "hotline_number": ("热线号", str),
    "department": ("单位", str),
    "automatic": (None, _yes_no("系统自动", "")),
    "round": (None, lambda v: {"department": "处置单位自行回访(不计入满意率)"}.get(v, v)),
    "name": ("文件", str),
}
SKIPPED = {"reason", "size", "content_type"}


@register.filter
def payload_summary(payload: dict | None) -> list[str]:
    """The event's data as short Chinese phrases; unknown keys (e.g. sensor readings) as "key: value"."""
    parts: list[str] = []
    for key, value in (payload or {}).items():
        if value in (None, "", [], {}) or key in SKIPPED:
            continue
        label, fmt = PAYLOAD_FIELDS.get(key, (key, str))
        text = fmt(value)
        if text:
            parts.append(f"{label}:{text}" if label else text)
    return parts


@register.filter
def title_for(case, user) -> str:
    """{{ case|title_for:request.user }}: the case's title as this user may read it (cases.selectors.case_title_for)."""
    from cases.selectors import case_title_for

    return case_title_for(user, case)


@register.filter
def text_for(text: str, user) -> str:
    """{{ text|text_for:request.user }}: a text not tied to one case (e.g. the place smart dispatch matched),
    through mask_text for roles that see cases masked."""
    from cases import policy

    return policy.mask_text(text) if policy.personal_data_cases(user) is None else text


@register.filter
def contact_method(value: str) -> str:
    return CONTACT_METHODS.get(value, value or "—")


@register.filter
def event_time(value: Any) -> str:
    """An ISO moment kept in an event's payload, as local "YYYY-mm-dd HH:MM"."""
    return _when(value)


@register.filter
def satisfaction_label(value: str) -> str:
    return Satisfaction(value).label if value in Satisfaction.values else (value or "")
