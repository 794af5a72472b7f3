from django.contrib import admin

from .models import LakeSource, NeedCategory


@admin.register(NeedCategory)
class NeedCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "case_category", "is_active", "order"]
    list_editable = ["is_active", "order"]


@admin.register(LakeSource)
class LakeSourceAdmin(admin.ModelAdmin):
    list_display = ["name", "description"]
