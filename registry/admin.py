"""Admin: only the configuration of the registry (the tag list). Persons, households and units are personal data
and are kept through the services (pages, import), which record every change; they have no admin pages."""

from django.contrib import admin

from audit.adminlib import AuditedAdmin

from .models import RegistryImportProfile, Tag


@admin.register(Tag)
class TagAdmin(AuditedAdmin):
    list_display = ("name", "description", "is_active", "order")
    list_editable = ("is_active", "order")
    search_fields = ("name",)


@admin.register(RegistryImportProfile)
class RegistryImportProfileAdmin(AuditedAdmin):
    """底册导入格式: which column of a sheet holds which field ({"name": "姓名", "address": "现住址", …})."""

    list_display = ("name", "kind", "is_default")
    list_filter = ("kind",)
