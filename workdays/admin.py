from django.contrib import admin

from org.admin import AuditedAdmin

from .models import Holiday


@admin.register(Holiday)
class HolidayAdmin(AuditedAdmin):
    list_display = ["date", "name", "is_workday"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"
    search_fields = ["name"]
