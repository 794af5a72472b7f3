from django.contrib import admin

from audit.adminlib import AuditedAdmin

from .models import ClassifierVersion, DispatchOutcome, Landmark


@admin.register(ClassifierVersion)
class ClassifierVersionAdmin(AuditedAdmin):
    list_display = ["id", "trained_at", "n_samples", "n_labels", "train_seconds", "macro_f1"]
    exclude = ["model"]
    readonly_fields = ["trained_at", "n_samples", "n_labels", "data_description", "metrics", "train_seconds"]

    @admin.display(description="macro-F1")
    def macro_f1(self, obj: ClassifierVersion):
        return obj.metrics.get("macro_f1")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(DispatchOutcome)
class DispatchOutcomeAdmin(AuditedAdmin):
    """What the dispatcher did with each suggestion: training data and evidence, so read-only."""

    list_display = ["case", "at", "suggested_category", "category", "suggested_department", "department",
                    "category_overridden", "department_overridden", "automatic"]
    list_filter = ["category_overridden", "department_overridden", "automatic"]
    raw_id_fields = ["case"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Landmark)
class LandmarkAdmin(AuditedAdmin):
    list_display = ["name", "aliases", "neighbourhood", "grid", "estate"]
    search_fields = ["name", "aliases"]
