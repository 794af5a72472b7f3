"""Cases are read-only in admin: every change must go through the services so it gets its event."""

from django.contrib import admin

from .models import Case, CaseEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    fields = ["at", "action", "actor", "from_state", "to_state", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "source", "category", "neighbourhood", "lead_department", "state",
                    "registered_at"]
    list_filter = ["state", "source", "neighbourhood", "is_overdue"]
    search_fields = ["number", "hotline_number", "title", "address"]
    # Personal data stays out of admin lists; the audited case page is the place to see it.
    exclude = ["citizen_name", "citizen_phone"]
    inlines = [CaseEventInline]


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    list_display = ["case", "action", "actor", "at", "from_state", "to_state"]
    list_filter = ["action"]
    search_fields = ["case__number"]
