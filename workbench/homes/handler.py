"""处置人: the department's cases, what is due now first, in tabs (待签收 / 处置中 / 挂账) with search and filters."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cases import queues
from cases.forms import CategoryField
from core import clock
from org.models import Neighbourhood

from ..common import queue_page

# The step whose deadline `due_at` is, by state (the queue's 当前期限 column).
DUE_STEP = {"dispatched": "签收", "return_requested": "办结", "signed": "先联", "handling": "办结"}


class HandlerQueueForm(forms.Form):
    tab = forms.ChoiceField(required=False, choices=[("", "全部"), *((k, v[0]) for k, v in queues.DEPARTMENT_TABS.items())],
                            widget=forms.HiddenInput)
    q = forms.CharField(label="关键词", required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": "编号/地址/内容"}))
    neighbourhood = forms.ModelChoiceField(label="居民区", required=False, queryset=Neighbourhood.objects.all(),
                                           empty_label="全部居民区")
    category = CategoryField(label="类别", required=False, include_parents=True, empty_label="全部类别")
    urgent = forms.BooleanField(label="仅紧急", required=False)
    overdue = forms.BooleanField(label="仅超时", required=False)


def due_status(case) -> str:
    """'overdue', 'near' (within one working day) or 'ok' for the case's current deadline (`due_at`)."""
    from workdays.calendar import add_working_days

    due = getattr(case, "due_at", None)
    if due is None:
        return ""
    now = clock.now()
    if due < now or (case.is_overdue and case.state != "dispatched"):
        return "overdue"
    return "near" if add_working_days(now, 1) >= due else "ok"


def home(request: HttpRequest) -> HttpResponse:
    form = HandlerQueueForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    tab = data.get("tab") or ""
    qs = queues.queue_department(
        request.user, tab=tab, q=data.get("q") or "",
        neighbourhood=data["neighbourhood"].pk if data.get("neighbourhood") else None,
        category=data["category"].pk if data.get("category") else None,
        urgent=bool(data.get("urgent")), overdue=bool(data.get("overdue")))
    page = queue_page(request, qs)
    for case in page.object_list:
        case.deadline_status = due_status(case)
        case.due_step = DUE_STEP.get(case.state, "")
    counts = queues.department_tab_counts(request.user)
    tabs = [{"key": "", "label": "全部", "count": counts["all"]}] + [
        {"key": key, "label": label, "count": counts[key]} for key, (label, _states) in queues.DEPARTMENT_TABS.items()]
    query = request.GET.copy()
    query.pop("page", None)
    filters = request.GET.copy()
    for name in ("page", "tab"):
        filters.pop(name, None)
    return render(request, "workbench/handler.html", {
        "page": page, "form": form, "tab": tab, "tabs": tabs, "query": query.urlencode(),
        "filters": filters.urlencode(), "show_due": True})
