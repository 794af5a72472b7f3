"""Forms of the 十大民生 pages: a project (with its milestones typed one per line), status and progress, a milestone,
a 回访. They only parse; the services validate and write."""

from __future__ import annotations

from datetime import date

from django import forms

from org.models import Department

from .models import EchoCallback, ProjectStatus

MILESTONE_HELP = "每行一个节点:计划日期 节点名称(如 2026-06-30 完成施工招标)"


def parse_milestones(text: str) -> list[dict]:
    """'2026-06-30 完成施工招标' per line → [{"due_on": date, "title": …}]; a bad line raises ValidationError."""
    items = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        head, _, title = line.partition(" ")
        try:
            due_on = date.fromisoformat(head.strip())
        except ValueError:
            raise forms.ValidationError(f"第{number}行:日期应写成 2026-06-30 的样式") from None
        if not title.strip():
            raise forms.ValidationError(f"第{number}行:请在日期后写节点名称")
        items.append({"due_on": due_on, "title": title.strip()})
    return items


class ProjectForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    rank = forms.IntegerField(label="序号(1–10)", min_value=1, max_value=10)
    title = forms.CharField(label="项目名称", max_length=100)
    owner_department = forms.ModelChoiceField(label="牵头部门", queryset=Department.objects.all(),
                                              empty_label="请选择")
    budget = forms.DecimalField(label="预算(万元)", required=False, min_value=0, max_digits=12, decimal_places=2)
    description = forms.CharField(label="项目内容", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    public_summary = forms.CharField(label="公开说明", required=False, max_length=300,
                                     widget=forms.Textarea(attrs={"rows": 2}))
    is_public = forms.BooleanField(label="在公开页展示", required=False, initial=True)
    milestones = forms.CharField(label="节点", required=False, help_text=MILESTONE_HELP,
                                 widget=forms.Textarea(attrs={"rows": 4}))
    theme = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean_milestones(self) -> list[dict]:
        return parse_milestones(self.cleaned_data.get("milestones", ""))


class ProjectEditForm(forms.Form):
    rank = forms.IntegerField(label="序号(1–10)", min_value=1, max_value=10)
    title = forms.CharField(label="项目名称", max_length=100)
    owner_department = forms.ModelChoiceField(label="牵头部门", queryset=Department.objects.all(),
                                              empty_label="请选择")
    budget = forms.DecimalField(label="预算(万元)", required=False, min_value=0, max_digits=12, decimal_places=2)
    description = forms.CharField(label="项目内容", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    public_summary = forms.CharField(label="公开说明", required=False, max_length=300,
                                     widget=forms.Textarea(attrs={"rows": 2}))
    is_public = forms.BooleanField(label="在公开页展示", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="状态", choices=ProjectStatus.choices)
    progress = forms.IntegerField(label="进度(%)", min_value=0, max_value=100)
    note = forms.CharField(label="说明", required=False, max_length=500)


class MilestoneForm(forms.Form):
    title = forms.CharField(label="节点名称", max_length=100)
    due_on = forms.DateField(label="计划日期", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="说明", required=False, max_length=300)


class MilestoneDoneForm(forms.Form):
    done_on = forms.DateField(label="完成日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="说明", required=False, max_length=300)


class CallbackForm(forms.Form):
    satisfaction = forms.ChoiceField(label="满意度", choices=EchoCallback.Satisfaction.choices)
    remarks = forms.CharField(label="意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


def form_message(form: forms.Form) -> str:
    """The form's errors as one Chinese sentence (for the alert and the flash bar)."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields and form.fields[name].label else ""
        parts.append(f"{label}:{'、'.join(errors)}" if label else "、".join(errors))
    return ";".join(parts) or "请按提示修改后再提交"
