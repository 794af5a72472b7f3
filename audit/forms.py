"""The audit log's search form."""

from django import forms

from .models import AuditEntry
from .selectors import AuditFilters


class AuditFilterForm(forms.Form):
    q = forms.CharField(label="关键词", required=False, max_length=100,
                        widget=forms.TextInput(attrs={"placeholder": "工单编号、对象、用户名或 IP", "type": "search"}))
    action = forms.ChoiceField(label="操作", required=False, choices=[("", "全部操作"), *AuditEntry.Action.choices])
    username = forms.CharField(label="用户名", required=False, max_length=150)
    date_from = forms.DateField(label="起", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="止", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def filters(self) -> AuditFilters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return AuditFilters(q=data.get("q") or "", action=data.get("action") or "", username=data.get("username") or "",
                            date_from=data.get("date_from"), date_to=data.get("date_to"))
