from django.contrib import admin

from audit.adminlib import AuditedAdmin

from .models import Questionnaire


@admin.register(Questionnaire)
class QuestionnaireAdmin(AuditedAdmin):
    list_display = ["title", "slug", "is_active", "created_at"]
    fields = ["title", "description", "is_active"]  # versions come only from uploaded XLSForms (load_xlsform)
