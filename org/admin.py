"""Configuration of the street in Django admin; every change is audited."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from audit.models import AuditEntry
from audit.services import audit_record

from .models import AddressRange, ApiToken, Category, Department, Estate, Grid, Neighbourhood, ResponsibilityRule, User


class AuditedAdmin(admin.ModelAdmin):
    """Writes a 配置变更 audit entry for every save and delete made in admin."""

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


class AddressRangeInline(admin.TabularInline):
    model = AddressRange
    extra = 1


@admin.register(Neighbourhood)
class NeighbourhoodAdmin(AuditedAdmin):
    list_display = ["code", "name"]
    search_fields = ["name", "code"]


@admin.register(Grid)
class GridAdmin(AuditedAdmin):
    list_display = ["code", "name", "neighbourhood"]
    list_filter = ["neighbourhood"]
    search_fields = ["name", "code"]


@admin.register(Estate)
class EstateAdmin(AuditedAdmin):
    list_display = ["name", "neighbourhood", "grid", "property_company"]
    list_filter = ["neighbourhood"]
    search_fields = ["name", "address_ranges__road"]
    inlines = [AddressRangeInline]


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin):
    list_display = ["name", "kind", "neighbourhood", "phone", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]


@admin.register(Category)
class CategoryAdmin(AuditedAdmin):
    list_display = ["code", "__str__", "sign_hours", "first_contact_hours", "urgent_first_contact_hours", "handle_days"]
    list_filter = ["parent"]
    search_fields = ["name", "code", "keywords"]


@admin.register(ResponsibilityRule)
class ResponsibilityRuleAdmin(AuditedAdmin):
    list_display = ["category", "neighbourhood", "lead_department"]
    list_filter = ["neighbourhood", "lead_department"]
    autocomplete_fields = ["category", "lead_department"]
    filter_horizontal = ["co_departments"]


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    list_display = ["username", "display_name", "role", "department", "neighbourhood", "grid", "is_active"]
    list_filter = ["role", "is_active", "department"]
    search_fields = ["username", "display_name"]
    fieldsets = BaseUserAdmin.fieldsets + (("城运", {"fields": ("display_name", "role", "department", "neighbourhood", "grid", "phone")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (("城运", {"fields": ("display_name", "role", "department", "neighbourhood", "grid")}),)


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin):
    list_display = ["user", "name", "prefix", "scope", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]
    search_fields = ["user__username", "name"]

    def has_add_permission(self, request):
        # Keys are shown once at creation: create them through the API or `manage.py create_api_token`.
        return False
