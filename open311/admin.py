from django.contrib import admin, messages

from audit.adminlib import AuditedAdmin

from .models import ApiKey, ServiceAttribute, UnpublishedCategory
from .services import open311_key_create


@admin.register(ApiKey)
class ApiKeyAdmin(AuditedAdmin):
    list_display = ["name", "prefix", "is_active", "created_at", "last_used_at"]
    readonly_fields = ["prefix", "key_hash", "actor", "created_at", "last_used_at"]
    fields = ["name", "is_active", *readonly_fields]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        # New keys are made by the service so the clear key can be shown once.
        created, key = open311_key_create(name=obj.name)
        obj.pk, obj.prefix, obj.key_hash, obj.actor = created.pk, created.prefix, created.key_hash, created.actor
        obj._state.adding = False
        messages.warning(request, f"API Key(只显示这一次,请妥善保存):{key}")


@admin.register(ServiceAttribute)
class ServiceAttributeAdmin(AuditedAdmin):
    list_display = ["category", "code", "datatype", "required", "order"]
    list_filter = ["datatype", "required"]


@admin.register(UnpublishedCategory)
class UnpublishedCategoryAdmin(AuditedAdmin):
    list_display = ["category", "reason"]
    autocomplete_fields = []
