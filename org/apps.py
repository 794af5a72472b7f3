from django.apps import AppConfig


class OrgConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "org"
    verbose_name = "组织"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (audits account lock-outs)
