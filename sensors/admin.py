from django.contrib import admin

from audit.adminlib import AuditedAdmin

from .models import MonitoringPoint, Reading


@admin.register(MonitoringPoint)
class MonitoringPointAdmin(AuditedAdmin):
    list_display = ["code", "name", "kind", "threshold", "unit", "in_alarm", "last_value", "last_reading_at", "is_active"]
    list_filter = ["kind", "in_alarm", "is_active"]
    search_fields = ["code", "name", "address"]
    readonly_fields = ["in_alarm", "open_case", "last_value", "last_reading_at"]


@admin.register(Reading)
class ReadingAdmin(AuditedAdmin):
    list_display = ["point", "value", "measured_at", "channel", "over_threshold"]
    list_filter = ["channel", "over_threshold"]

    def has_change_permission(self, request, obj=None):
        return False
