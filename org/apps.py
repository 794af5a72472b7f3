from django.apps import AppConfig


class OrgConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "org"
    verbose_name = "组织"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (audits account lock-outs)
        from .admin import audit_third_party_admins

        # Runs after django.contrib.admin's autodiscovery (admin is listed first in INSTALLED_APPS).
        audit_third_party_admins()
