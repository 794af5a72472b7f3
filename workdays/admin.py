from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from audit.adminlib import AuditedAdmin
from audit.models import AuditEntry
from audit.services import audit_record
from core import clock
from core.errors import ValidationFailed

from . import services
from .models import Holiday

WEEKDAYS = "一二三四五六日"
CONFIRM_PAST = "确认录入已过去的日期"


class HolidayRangeForm(forms.Form):
    start = forms.DateField(label="开始日期", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="结束日期", widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(label="名称", max_length=50, required=False, help_text="如 国庆节、春节调休")
    is_workday = forms.BooleanField(label="调休上班日", required=False, help_text="勾选:这些日期上班;不勾选:放假")
    allow_past = forms.BooleanField(label=CONFIRM_PAST, required=False)


class HolidayYearForm(forms.Form):
    year = forms.IntegerField(label="年份", min_value=2004, max_value=2100)
    allow_past = forms.BooleanField(label=CONFIRM_PAST, required=False)


@admin.register(Holiday)
class HolidayAdmin(AuditedAdmin):
    list_display = ["date", "weekday", "name", "is_workday"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"
    search_fields = ["name"]
    change_list_template = "admin/workdays/holiday/change_list.html"

    @admin.display(description="星期", ordering="date")
    def weekday(self, obj: Holiday) -> str:
        return f"周{WEEKDAYS[obj.date.weekday()]}"

    def get_urls(self):
        own = [
            path("range/", self.admin_site.admin_view(self.range_view), name="workdays_holiday_range"),
            path("import-year/", self.admin_site.admin_view(self.import_view), name="workdays_holiday_import"),
        ]
        return own + super().get_urls()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.date < timezone.localtime(clock.now()).date():
            messages.warning(request, f"{obj.date} 已过去:已计算的办理期限不会按新的日历重算。")

    def _page(self, request, form, *, title: str, status: int = 200) -> HttpResponse:
        context = {**self.admin_site.each_context(request), "form": form, "title": title,
                   "opts": self.model._meta, "has_view_permission": True}
        return TemplateResponse(request, "admin/workdays/holiday/bulk_form.html", context, status=status)

    def _done(self, request, written: services.HolidaysWritten, *, detail: dict) -> HttpResponse:
        audit_record(action=AuditEntry.Action.CONFIG_CHANGE, actor=request.user, request=request,
                     object_type="holiday", object_id=f"{written.total} 天",
                     detail={**detail, "created": [d.isoformat() for d in written.created],
                             "changed": [d.isoformat() for d in written.updated]})
        messages.success(request, f"已录入 {written.total} 天(新增 {len(written.created)},更新 {len(written.updated)})。")
        if written.past:
            messages.warning(request, f"其中 {len(written.past)} 天已过去:已计算的办理期限不会按新的日历重算。")
        return redirect("admin:workdays_holiday_changelist")

    def _run(self, request, form, title, write, detail) -> HttpResponse:
        if not self.has_add_permission(request):
            return self._page(request, form, title=title, status=403)
        if request.method == "POST" and form.is_valid():
            try:
                written = write(form.cleaned_data, timezone.localtime(clock.now()).date())
            except ValidationFailed as exc:
                form.add_error(None, exc.message)
            else:
                return self._done(request, written, detail=detail(form.cleaned_data))
        return self._page(request, form, title=title, status=422 if form.is_bound else 200)

    def range_view(self, request: HttpRequest) -> HttpResponse:
        form = HolidayRangeForm(request.POST or None)
        return self._run(request, form, "按日期区间录入节假日", lambda d, today: services.holidays_set_range(
            start=d["start"], end=d["end"], name=d["name"], is_workday=d["is_workday"], today=today,
            allow_past=d["allow_past"]),
            lambda d: {"change": "create", "start": d["start"].isoformat(), "end": d["end"].isoformat()})

    def import_view(self, request: HttpRequest) -> HttpResponse:
        form = HolidayYearForm(request.POST or None)
        return self._run(request, form, "按年份导入法定节假日", lambda d, today: services.holidays_import_year(
            year=d["year"], today=today, allow_past=d["allow_past"]),
            lambda d: {"change": "create", "year": d["year"]})
