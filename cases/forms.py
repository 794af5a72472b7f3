"""Web forms for cases. Action forms are generated from the API's body schemas, so the web page and the API
validate an action the same way and call the same service."""

from __future__ import annotations

import secrets
import types
import typing
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.forms.models import ModelChoiceIterator
from django.http import QueryDict
from pydantic import ValidationError

from core.errors import ValidationFailed
from org.models import Category, Department, Neighbourhood

from .models import CONTENT_MAX_LENGTH, Satisfaction, Source, State, Urgency
from .services import CONTACT_METHODS
from .transitions import TRANSITIONS

FIELD_LABELS = {
    "lead_department_id": "主办单位", "co_department_ids": "协办单位", "category_id": "类别", "note": "说明",
    "reason": "理由", "method": "联系方式", "outcome": "联系情况", "contacted_at": "联系时间",
    "extra_days": "延期工作日数", "result": "办结情况", "demand_met": "诉求已满足", "explanation": "未满足原因",
    "satisfaction": "满意度", "solved": "问题已实际解决", "first_contacted": "处置人曾先行联系", "remarks": "回访备注",
    "hotline_number": "热线工单号", "master": "主工单编号", "plan": "处置计划", "review_date": "复查日期",
    "version": "版本", "fixed": "现场已整改到位",
}
# Per action, a clearer label than the generic one ("说明" means different things in different forms).
ACTION_FIELD_LABELS = {
    ("urge", "note"): "督办要求", ("respond_urge", "note"): "督办回复", ("add_progress", "note"): "进展情况",
    ("co_report", "note"): "协办反馈内容", ("chase", "note"): "催单内容", ("request_return", "reason"): "退单理由",
    ("reject_return", "reason"): "驳回理由", ("reject_extension", "reason"): "驳回理由",
    ("approve_return", "reason"): "审核意见", ("approve_extension", "reason"): "审核意见",
    ("request_extension", "reason"): "延期理由", ("reopen", "reason"): "重办理由", ("close", "reason"): "结案说明",
    ("reopen", "lead_department_id"): "重办主办单位(不选则原单位)", ("dispatch", "category_id"): "类别(可改)",
    ("chase", "hotline_number"): "催单热线号", ("verify", "note"): "核查情况",
}
# Fields the service needs although the schema lets them be empty (the service answers 422 otherwise).
LONG_TEXT = {"note", "reason", "outcome", "result", "explanation", "remarks", "plan"}


# --- categories: 小类 grouped under their 大类 ---------------------------------------------------------------


class GroupedCategoryIterator(ModelChoiceIterator):
    """Options grouped by 大类; with `field.include_parents` each group starts with "全部<大类>"."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for parent, children in category_groups(self.queryset):
            options = [self.choice(c) for c in children]
            if self.field.include_parents:
                options.insert(0, self.choice(parent))
            yield (parent.name, options)

    def __len__(self) -> int:
        return self.queryset.count() + (1 if self.field.empty_label is not None else 0)


class CategoryField(forms.ModelChoiceField):
    iterator = GroupedCategoryIterator

    def __init__(self, *, include_parents: bool = False, **kwargs):
        self.include_parents = include_parents
        queryset = Category.objects.select_related("parent")
        if not include_parents:
            queryset = queryset.filter(parent__isnull=False)
        super().__init__(queryset=queryset, **kwargs)

    def label_from_instance(self, obj: Category) -> str:
        return obj.name if obj.parent_id else f"全部{obj.name}"


def category_groups(queryset=None) -> list[tuple[Category, list[Category]]]:
    """[(大类, [小类, …]), …] in code order; 大类 without 小类 are left out (a case needs a 小类)."""
    rows = list((queryset if queryset is not None else Category.objects.all()).select_related("parent"))
    parents = {c.pk: c for c in rows if c.parent_id is None}
    children: dict[int, list[Category]] = {}
    for category in rows:
        if category.parent_id:
            parents.setdefault(category.parent_id, category.parent)
            children.setdefault(category.parent_id, []).append(category)
    ordered = sorted(parents.values(), key=lambda c: c.code)
    return [(p, sorted(children[p.pk], key=lambda c: c.code)) for p in ordered if p.pk in children]


# --- action forms, generated from the API's body schemas -----------------------------------------------------


@dataclass
class FieldSpec:
    name: str
    label: str
    kind: str  # select, multiselect, textarea, text, number, date, datetime, checkbox, hidden
    required: bool
    choices: list[tuple[Any, str]] | None = None
    groups: list[tuple[str, list[tuple[Any, str]]]] | None = None
    value: Any = None
    bounds: tuple[int, int] | None = None
    max_length: int | None = None  # the schema's limit: the page shows it with a counter (static/js/queue.js)


def _max_length(field) -> int | None:
    return next((m.max_length for m in field.metadata if getattr(m, "max_length", None)), None)


# A yes/no question without a default (回访's 已解决, 处置人曾先行联系) is a required 是/否 choice, never a checkbox:
# an unticked box cannot tell "否" from "not asked" and silently recorded 未解决 · 未先联.
YES_NO = [("true", "是"), ("false", "否")]


def _choices(name: str, kind: str = "") -> list[tuple[Any, str]] | None:
    if kind == "yesno":
        return YES_NO
    if name in ("lead_department_id", "co_department_ids"):
        return [(d.pk, d.name) for d in Department.objects.filter(is_active=True).order_by("kind", "name")]
    if name == "method":
        return list(CONTACT_METHODS.items())
    if name == "satisfaction":
        return list(Satisfaction.choices)
    return None


def _groups(name: str) -> list[tuple[str, list[tuple[Any, str]]]] | None:
    if name == "category_id":
        return [(parent.name, [(c.pk, c.name) for c in children]) for parent, children in category_groups()]
    return None


def _base_type(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    return args[0] if origin in (typing.Union, types.UnionType) and args else annotation


def _kind(name: str, annotation: Any, required: bool = False) -> str:
    if name == "version":
        return "hidden"
    base = _base_type(annotation)
    if base is bool and required:
        return "yesno"
    if typing.get_origin(base) is list:
        return "multiselect"
    if name in ("category_id", "lead_department_id", "method", "satisfaction"):
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


def _bounds(action: str, name: str) -> tuple[int, int] | None:
    bound = TRANSITIONS[action].bound(name)
    return (bound.low, bound.high) if bound else None


def _posted_value(kind: str, name: str, posted: QueryDict) -> Any:
    if kind == "checkbox":
        return name in posted
    if kind == "multiselect":
        return [_as_int(v) for v in posted.getlist(name)]
    value = posted.get(name, "")
    return _as_int(value) if kind == "select" and name.endswith("_id") else value


def _as_int(value: str) -> Any:
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def action_fields(action: str, schema, initial: dict[str, Any] | None = None,
                  posted: QueryDict | None = None) -> list[FieldSpec]:
    """The fields of one action's form; `posted` (after a refused submit) keeps what the user typed."""
    initial = initial or {}
    specs = []
    for name, field in schema.model_fields.items():
        always = TRANSITIONS[action].always_required()
        kind = _kind(name, field.annotation, field.is_required() or name in always)
        if posted is not None and kind != "hidden":
            value = _posted_value(kind, name, posted)
        elif name in initial:
            value = initial[name]
        else:
            value = None if field.is_required() else field.default
        label = ACTION_FIELD_LABELS.get((action, name), FIELD_LABELS.get(name, name))
        specs.append(FieldSpec(
            name=name, label=label, kind="select" if kind == "yesno" else kind,
            required=field.is_required() or name in always,
            choices=_choices(name, kind), groups=_groups(name), value=value, bounds=_bounds(action, name),
            max_length=_max_length(field),
        ))
    return specs


def parse_action(action: str, schema, post: QueryDict):
    """POST data → the action's body schema, with Chinese messages for what is wrong."""
    data: dict[str, Any] = {}
    for spec in action_fields(action, schema):
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
            label = ACTION_FIELD_LABELS.get((action, name), FIELD_LABELS.get(name, name))
            if error["type"] == "missing":
                problems.append(f"请填写{label}")
            elif error["type"] == "string_too_long":
                limit, given = error.get("ctx", {}).get("max_length"), len(str(error.get("input", "")))
                problems.append(f"{label}最多 {limit} 字,现为 {given} 字,请删减后再提交(内容未被截断)")
            else:
                problems.append(f"{label}格式不正确")
        raise ValidationFailed(
            ";".join(dict.fromkeys(problems)), details={"fields": [str(e["loc"][0]) for e in exc.errors() if e["loc"]]}
        ) from None


# --- list filters and registration ---------------------------------------------------------------------------


class CaseFilterForm(forms.Form):
    q = forms.CharField(label="关键词", required=False, max_length=100,
                        widget=forms.TextInput(attrs={"placeholder": "编号/热线号/电话/地址/内容", "type": "search"}))
    state = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *State.choices])
    source = forms.ChoiceField(label="来源", required=False, choices=[("", "全部来源"), *Source.choices])
    category = CategoryField(label="类别", required=False, include_parents=True, empty_label="全部类别")
    neighbourhood = forms.ModelChoiceField(label="居民区", required=False, queryset=Neighbourhood.objects.all(),
                                           empty_label="全部居民区")
    # Lead or co-handler: the selector matches any active assignment of the department.
    department = forms.ModelChoiceField(label="处置单位", required=False, queryset=Department.objects.all(),
                                        empty_label="全部处置单位")
    overdue = forms.BooleanField(label="仅超时", required=False)
    registered_from = forms.DateField(label="受理起", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    registered_to = forms.DateField(label="受理止", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("registered_from"), cleaned.get("registered_to")
        if start and end and start > end:
            self.add_error("registered_to", "受理起始日期不能晚于截止日期")
        return cleaned

    def problems(self) -> list[str]:
        """Each error as "字段:原因", for the one-line message above the table."""
        found = []
        for name, errors in self.errors.items():
            prefix = "" if name == forms.forms.NON_FIELD_ERRORS else f"{self.fields[name].label}:"
            found.extend(f"{prefix}{error}" for error in errors)
        return found


def one_time_token(form: forms.Form) -> tuple[str, str]:
    """(posted, to render): a one-time token rendered with the form (hidden `form_token`); the same token posted
    twice (a double click, a resubmitted page) is the same registration, as the API's Idempotency-Key."""
    posted = str(form.data.get("form_token", "")).strip() if form.is_bound else ""
    posted = posted if 16 <= len(posted) <= 80 and posted.replace("-", "").replace("_", "").isalnum() else ""
    return posted, posted or secrets.token_urlsafe(24)


class CaseRegisterForm(forms.Form):
    source = forms.ChoiceField(label="来源", choices=Source.choices)
    hotline_number = forms.CharField(label="热线工单号", required=False, max_length=40,
                                     help_text="来源为12345热线时必填")
    title = forms.CharField(label="标题", required=False, max_length=120, help_text="可留空,自动取诉求内容前30字")
    # maxlength on the page with a counter (static/js/queue.js: a paste that does not fit is refused, not cut);
    # over-long posts are refused with the count, never shortened.
    content = forms.CharField(
        label="诉求内容", widget=forms.Textarea(attrs={"rows": 5}), max_length=CONTENT_MAX_LENGTH,
        help_text=f"最多 {CONTENT_MAX_LENGTH} 字",
        error_messages={"max_length": "诉求内容最多 %(limit_value)d 字,现为 %(show_value)d 字,请删减后再提交(内容未被截断)"})
    category = CategoryField(label="类别(小类)", required=False, empty_label="暂不确定,由派单员判断")
    address = forms.CharField(label="地址", required=False, max_length=200,
                              widget=forms.TextInput(attrs={"placeholder": "如 愚园路128弄3号"}))
    citizen_name = forms.CharField(label="诉求人", required=False, max_length=50)
    citizen_phone = forms.CharField(label="联系电话", required=False, max_length=30,
                                    widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    urgency = forms.ChoiceField(label="紧急程度", choices=Urgency.choices, initial=Urgency.NORMAL)

    idempotency_prefix = "web-form"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.posted_token, self.token = one_time_token(self)

    @property
    def idempotency_key(self) -> str | None:
        return f"{self.idempotency_prefix}:{self.posted_token}" if self.posted_token else None


def posted_coordinates(post: QueryDict) -> tuple[Decimal | None, Decimal | None]:
    """The phone's location posted with a report (`latitude`, `longitude`): both or none; ValidationFailed if bad.

    Read by every form that registers a case from the field (the workbench's patrol form, the public report)."""
    raw = (post.get("latitude", "").strip(), post.get("longitude", "").strip())
    if not all(raw):
        return None, None
    try:
        latitude, longitude = (Decimal(v).quantize(Decimal("0.000001")) for v in raw)
    except InvalidOperation:
        raise ValidationFailed("定位坐标格式不正确", details={"field": "latitude"}) from None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValidationFailed("定位坐标超出范围", details={"field": "latitude"})
    return latitude, longitude
