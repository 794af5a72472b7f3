"""Web forms for cases. Action forms are generated from the API's body schemas, so the web page and the API
validate an action the same way and call the same service."""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django import forms
from django.http import QueryDict
from pydantic import ValidationError

from chengyun.errors import ValidationFailed
from org.models import Category, Department, Neighbourhood

from .models import Source, State, Urgency
from .services import CONTACT_METHODS

FIELD_LABELS = {
    "lead_department_id": "主办单位", "co_department_ids": "协办单位", "category_id": "类别", "note": "说明",
    "reason": "理由", "method": "联系方式", "outcome": "联系情况", "contacted_at": "联系时间", "extra_days": "延期工作日数",
    "result": "办结情况", "demand_met": "诉求已满足", "explanation": "未满足原因", "satisfaction": "满意度",
    "solved": "问题已实际解决", "first_contacted": "处置人曾先行联系", "remarks": "回访备注",
    "hotline_number": "热线工单号", "master": "主工单编号", "plan": "处置计划", "review_date": "复查日期", "version": "版本",
}
SATISFACTION_CHOICES = [("satisfied", "满意"), ("basically", "基本满意"), ("unsatisfied", "不满意")]
LONG_TEXT = {"note", "reason", "outcome", "result", "explanation", "remarks", "plan"}


@dataclass
class FieldSpec:
    name: str
    label: str
    kind: str  # select, multiselect, textarea, text, number, date, datetime, checkbox, hidden
    required: bool
    choices: list[tuple[Any, str]] | None = None
    value: Any = None


def _choices(name: str) -> list[tuple[Any, str]] | None:
    if name in ("lead_department_id", "co_department_ids"):
        return [(d.pk, d.name) for d in Department.objects.filter(is_active=True).order_by("kind", "name")]
    if name == "category_id":
        return [(c.pk, str(c)) for c in Category.objects.filter(parent__isnull=False).select_related("parent")]
    if name == "method":
        return list(CONTACT_METHODS.items())
    if name == "satisfaction":
        return SATISFACTION_CHOICES
    return None


def _kind(name: str, annotation: Any) -> str:
    if name == "version":
        return "hidden"
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    base = args[0] if origin in (typing.Union, types.UnionType) and args else annotation
    if typing.get_origin(base) is list:
        return "multiselect"
    if _choices(name) is not None:
        return "select"
    if base is bool:
        return "checkbox"
    if base is int:
        return "number"
    if base is date:
        return "date"
    if base is datetime:
        return "datetime"
    return "textarea" if name in LONG_TEXT else "text"


def action_fields(schema, initial: dict[str, Any] | None = None) -> list[FieldSpec]:
    initial = initial or {}
    specs = []
    for name, field in schema.model_fields.items():
        kind = _kind(name, field.annotation)
        specs.append(FieldSpec(name=name, label=FIELD_LABELS.get(name, name), kind=kind, required=field.is_required(),
                               choices=_choices(name), value=initial.get(name, field.default if not field.is_required() else None)))
    return specs


def parse_action(schema, post: QueryDict):
    """POST data → the action's body schema, with Chinese messages for what is wrong."""
    data: dict[str, Any] = {}
    for spec in action_fields(schema):
        if spec.kind == "checkbox":
            data[spec.name] = spec.name in post
        elif spec.kind == "multiselect":
            data[spec.name] = [v for v in post.getlist(spec.name) if v]
        else:
            value = post.get(spec.name, "").strip()
            if value != "":
                data[spec.name] = value
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else ""
            label = FIELD_LABELS.get(name, name)
            problems.append(f"请填写{label}" if error["type"] == "missing" else f"{label}格式不正确")
        raise ValidationFailed(";".join(dict.fromkeys(problems)), details={"fields": [str(e["loc"]) for e in exc.errors()]}) from None


class CaseFilterForm(forms.Form):
    q = forms.CharField(label="关键词", required=False, max_length=100,
                        widget=forms.TextInput(attrs={"placeholder": "编号/热线号/电话/地址/内容"}))
    state = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *State.choices])
    source = forms.ChoiceField(label="来源", required=False, choices=[("", "全部来源"), *Source.choices])
    category = forms.ModelChoiceField(label="类别", required=False, queryset=Category.objects.select_related("parent"),
                                      empty_label="全部类别")
    neighbourhood = forms.ModelChoiceField(label="居民区", required=False, queryset=Neighbourhood.objects.all(),
                                           empty_label="全部居民区")
    department = forms.ModelChoiceField(label="主办单位", required=False, queryset=Department.objects.all(),
                                        empty_label="全部单位")
    overdue = forms.BooleanField(label="仅超时", required=False)
    registered_from = forms.DateField(label="受理起", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    registered_to = forms.DateField(label="受理止", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("registered_from"), cleaned.get("registered_to")
        if start and end and start > end:
            raise forms.ValidationError("受理起始日期不能晚于截止日期")
        return cleaned


class CaseRegisterForm(forms.Form):
    source = forms.ChoiceField(label="来源", choices=Source.choices)
    hotline_number = forms.CharField(label="热线工单号", required=False, max_length=40)
    title = forms.CharField(label="标题", required=False, max_length=120, help_text="可留空,自动取诉求内容前30字")
    content = forms.CharField(label="诉求内容", widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
    category = forms.ModelChoiceField(label="类别(小类)", required=False, empty_label="暂不确定,由派单员判断",
                                      queryset=Category.objects.filter(parent__isnull=False).select_related("parent"))
    address = forms.CharField(label="地址", required=False, max_length=200,
                              widget=forms.TextInput(attrs={"placeholder": "如 愚园路128弄3号"}))
    citizen_name = forms.CharField(label="诉求人", required=False, max_length=50)
    citizen_phone = forms.CharField(label="联系电话", required=False, max_length=30)
    urgency = forms.ChoiceField(label="紧急程度", choices=Urgency.choices, initial=Urgency.NORMAL)
