from django.contrib import admin

from audit.adminlib import AuditedAdmin

from .models import LakeSource, NeedCategory


@admin.register(NeedCategory)
class NeedCategoryAdmin(AuditedAdmin):
    list_display = ["name", "case_category", "is_active", "order"]
    list_editable = ["is_active", "order"]


@admin.register(LakeSource)
class LakeSourceAdmin(AuditedAdmin):
    list_display = ["name", "description"]
