from django.contrib import admin

from audit.adminlib import AuditedAdmin

from .models import Holiday

WEEKDAYS = "一二三四五六日"


@admin.register(Holiday)
class HolidayAdmin(AuditedAdmin):
    list_display = ["date", "weekday", "name", "is_workday"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"
    search_fields = ["name"]

    @admin.display(description="星期", ordering="date")
    def weekday(self, obj: Holiday) -> str:
        return f"周{WEEKDAYS[obj.date.weekday()]}"
