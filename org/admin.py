"""Configuration of the street in Django admin; every change is audited (audit.adminlib.AuditedAdmin, which other
apps may still import from here)."""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group

from audit.adminlib import AuditedAdmin
from audit.models import AuditEntry
from audit.services import audit_record

from .models import AddressRange, ApiToken, Category, Department, Estate, Grid, Neighbourhood, ResponsibilityRule, User


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

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:  # the form was valid and saved
            audit_record(action=AuditEntry.Action.CONFIG_CHANGE, actor=request.user, request=request,
                         object_type="user", object_id=id, detail={"change": "password"})
        return response


# Roles, not groups, carry permissions here; the group admin stays, audited like the rest.
admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(AuditedAdmin, BaseGroupAdmin):
    pass


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin):
    list_display = ["user", "name", "prefix", "scope", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]
    search_fields = ["user__username", "name"]

    def has_add_permission(self, request):
        # Keys are shown once at creation: create them through the API or `manage.py create_api_token`.
        return False


def audit_third_party_admins(site=admin.site) -> None:
    """Admin pages that libraries register (django-axes lock-outs, django-otp devices) are configuration too:
    re-register each with AuditedAdmin mixed in, so unlocking an account or removing a device is audited."""
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, AuditedAdmin) or model._meta.app_label not in ("axes", "otp_totp", "otp_static"):
            continue
        site.unregister(model)
        site.register(model, type(f"Audited{type(model_admin).__name__}", (AuditedAdmin, type(model_admin)), {}))
