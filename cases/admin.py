"""Cases are read-only in admin: every change must go through the services so it gets its event."""

from django.contrib import admin

from .models import Case, CaseEvent

PERSONAL_FIELDS = ["citizen_name", "citizen_phone", "address", "title", "content", "handling_result"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    fields = ["at", "action", "actor", "from_state", "to_state"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["number", "source", "category", "neighbourhood", "lead_department", "state", "registered_at"]
    list_filter = ["state", "source", "neighbourhood", "is_overdue"]
    search_fields = ["number", "hotline_number"]
    # Personal data (and the free text that repeats it) stays out of admin, where the 管理员 would see it unmasked
    # and unaudited; the case page masks it and audits a reveal.
    exclude = PERSONAL_FIELDS
    inlines = [CaseEventInline]


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    list_display = ["case_number", "action", "actor", "at", "from_state", "to_state"]
    list_filter = ["action"]
    exclude = ["note", "payload"]  # notes may name the citizen

    @admin.display(description="工单编号", ordering="case__number")
    def case_number(self, event: CaseEvent) -> str:
        return event.case.number  # not str(case): the title may name the citizen
    search_fields = ["case__number"]
