from django.apps import AppConfig


class KpiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "kpi"
    verbose_name = "考核指标"

    def ready(self) -> None:
        from . import signals  # noqa: F401
