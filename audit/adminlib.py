"""The one ModelAdmin base of the project: every change made in Django admin becomes a 配置变更 audit entry.

Every app's admin (org, workdays, dispatch, open311, …) derives from it; it lives here, below them, because it
needs nothing but the audit log. The audit log itself has no admin page (audit/admin.py says why)."""

from django.contrib import admin

from .models import AuditEntry
from .services import audit_record


class AuditedAdmin(admin.ModelAdmin):
    """Writes a 配置变更 audit entry for every save and delete made in admin, the list's bulk delete and inline rows
    included. audit/tests/test_config_changes_audited.py checks every changeable admin model uses it."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            action=AuditEntry.Action.CONFIG_CHANGE, actor=request.user, request=request,
            object_type=obj._meta.model_name, object_id=obj.pk,
            detail={"change": "update" if change else "create", "fields": sorted(form.changed_data), "repr": str(obj)},
        )

    def delete_model(self, request, obj):
        audit_record(
            action=AuditEntry.Action.CONFIG_CHANGE, actor=request.user, request=request,
            object_type=obj._meta.model_name, object_id=obj.pk, detail={"change": "delete", "repr": str(obj)},
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit_record(
                action=AuditEntry.Action.CONFIG_CHANGE, actor=request.user, request=request,
                object_type=obj._meta.model_name, object_id=obj.pk,
                detail={"change": "delete", "repr": str(obj), "bulk": True},
            )
        super().delete_queryset(request, queryset)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        for formset in formsets:
            created, changed, deleted = formset.new_objects, formset.changed_objects, formset.deleted_objects
            if created or changed or deleted:
                audit_record(
                    action=AuditEntry.Action.CONFIG_CHANGE, actor=request.user, request=request,
                    object_type=formset.model._meta.model_name, object_id=form.instance.pk,
                    detail={"change": "inline", "parent": str(form.instance), "created": [str(o) for o in created],
                            "changed": [str(o) for o, _ in changed], "deleted": [str(o) for o in deleted]},
                )
