"""Admin: only the configuration of the registry (the tag list). Persons, households and units are personal data
and are kept through the services (pages, import), which record every change; they have no admin pages."""

from django.contrib import admin

from audit.adminlib import AuditedAdmin

from .models import Tag


@admin.register(Tag)
class TagAdmin(AuditedAdmin):
    list_display = ("name", "description", "is_active", "order")
    list_editable = ("is_active", "order")
    search_fields = ("name",)
