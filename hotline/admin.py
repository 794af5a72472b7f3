from django.contrib import admin

from audit.adminlib import AuditedAdmin

from .models import ImportJob, ImportProfile


@admin.register(ImportProfile)
class ImportProfileAdmin(AuditedAdmin):
    list_display = ["name", "is_default"]


@admin.register(ImportJob)
class ImportJobAdmin(AuditedAdmin):
    list_display = ["original_name", "status", "created_count", "skipped_count", "rejected_count", "created_by", "created_at"]
    readonly_fields = [f.name for f in ImportJob._meta.fields]

    def has_add_permission(self, request):
        return False
